// SPDX-License-Identifier: MIT
#include <xgrad/optim/sgd.hpp>

#include <sstream>
#include <stdexcept>

namespace xgrad::optim {
namespace {

void check_non_negative(const char* what, double v) {
  if (!(v >= 0.0)) {
    std::ostringstream os;
    os << "SGD: invalid " << what << " " << v << " (must be >= 0)";
    throw std::invalid_argument(os.str());
  }
}

}  // namespace

template <class T>
BasicSGD<T>::BasicSGD(std::vector<TensorType> params, const SGDOptions& options)
    : BasicOptimizer<T>("SGD", std::move(params), options.lr()),
      momentum_(options.momentum()),
      dampening_(options.dampening()),
      nesterov_(options.nesterov()),
      weight_decay_(options.weight_decay()),
      buffers_(this->params_.size()),
      has_buffer_(this->params_.size(), false) {
  check_non_negative("momentum", momentum_);
  check_non_negative("weight_decay", weight_decay_);
  if (nesterov_ && (momentum_ <= 0.0 || dampening_ != 0.0)) {
    std::ostringstream os;
    os << "SGD: nesterov momentum requires momentum > 0 and dampening == 0, got momentum "
       << momentum_ << " and dampening " << dampening_;
    throw std::invalid_argument(os.str());
  }
}

template <class T>
void BasicSGD<T>::step() {
  const T lr = static_cast<T>(this->lr());
  const T mu = static_cast<T>(momentum_);
  const T wd = static_cast<T>(weight_decay_);
  for (std::size_t i = 0; i < this->params_.size(); ++i) {
    TensorType& p = this->params_[i];
    if (!p.has_grad() || p.size() == 0) continue;  // nothing to update
    if (weight_decay_ == 0.0 && momentum_ == 0.0) {
      // Plain SGD: one fused pass over the parameter, no copy of the gradient.
      const T* g = p.grad().data();
      T* w = p.mutable_value().data();
      const std::size_t n = p.size();
      for (std::size_t k = 0; k < n; ++k) w[k] -= lr * g[k];
      continue;
    }
    Array<T> d = p.grad();  // a copy: the stored gradient is left as backward made it
    if (weight_decay_ != 0.0) d += wd * p.value();
    if (momentum_ != 0.0) {
      Array<T>& b = buffers_[i];
      if (!has_buffer_[i]) {
        b = d;  // first step: the buffer is the gradient itself, without dampening
        has_buffer_[i] = true;
      } else {
        b = mu * b + static_cast<T>(1.0 - dampening_) * d;
      }
      if (nesterov_) {
        d += mu * b;
      } else {
        d = b;
      }
    }
    p.mutable_value() -= lr * d;
  }
}

template class BasicSGD<float>;
template class BasicSGD<double>;

}  // namespace xgrad::optim
