// SPDX-License-Identifier: MIT
#include <xgrad/optim/adam.hpp>

#include <cmath>
#include <sstream>
#include <stdexcept>

#include <xtensor/xmath.hpp>

namespace xgrad::optim {
namespace {

void check(bool ok, const char* optimizer, const char* what, double v, const char* rule) {
  if (!ok) {
    std::ostringstream os;
    os << optimizer << ": invalid " << what << " " << v << " (" << rule << ")";
    throw std::invalid_argument(os.str());
  }
}

}  // namespace

template <class T>
BasicAdam<T>::BasicAdam(std::vector<TensorType> params, const AdamOptions& options)
    : BasicAdam("Adam", std::move(params), options, false) {}

template <class T>
BasicAdam<T>::BasicAdam(const char* name, std::vector<TensorType> params,
                        const AdamOptions& options, bool decoupled_weight_decay)
    : BasicOptimizer<T>(name, std::move(params), options.lr()),
      beta1_(options.beta1()),
      beta2_(options.beta2()),
      eps_(options.eps()),
      weight_decay_(options.weight_decay()),
      amsgrad_(options.amsgrad()),
      decoupled_(decoupled_weight_decay),
      state_(this->params_.size()) {
  check(eps_ >= 0.0, name, "eps", eps_, "must be >= 0");
  check(beta1_ >= 0.0 && beta1_ < 1.0, name, "beta1", beta1_, "must be in [0, 1)");
  check(beta2_ >= 0.0 && beta2_ < 1.0, name, "beta2", beta2_, "must be in [0, 1)");
  check(weight_decay_ >= 0.0, name, "weight_decay", weight_decay_, "must be >= 0");
}

template <class T>
void BasicAdam<T>::step() {
  const double lr = this->lr();
  const T b1 = static_cast<T>(beta1_);
  const T b2 = static_cast<T>(beta2_);
  for (std::size_t i = 0; i < this->params_.size(); ++i) {
    TensorType& p = this->params_[i];
    if (!p.has_grad() || p.size() == 0) continue;  // nothing to update
    State& s = state_[i];
    if (s.step == 0) {
      s.exp_avg = xt::zeros<T>(p.shape());
      s.exp_avg_sq = xt::zeros<T>(p.shape());
      if (amsgrad_) s.max_exp_avg_sq = xt::zeros<T>(p.shape());
    }
    ++s.step;
    Array<T> g = p.grad();  // a copy: the stored gradient is left as backward made it
    if (weight_decay_ != 0.0) {
      if (decoupled_) {
        p.mutable_value() *= static_cast<T>(1.0 - lr * weight_decay_);  // AdamW
      } else {
        g += static_cast<T>(weight_decay_) * p.value();  // Adam: L2 penalty in the gradient
      }
    }
    s.exp_avg = b1 * s.exp_avg + static_cast<T>(1.0 - beta1_) * g;
    s.exp_avg_sq = b2 * s.exp_avg_sq + static_cast<T>(1.0 - beta2_) * g * g;
    const double t = static_cast<double>(s.step);
    const double bias_correction1 = 1.0 - std::pow(beta1_, t);
    const double bias_correction2_sqrt = std::sqrt(1.0 - std::pow(beta2_, t));
    const T step_size = static_cast<T>(lr / bias_correction1);
    const T bc2 = static_cast<T>(bias_correction2_sqrt);
    const T eps = static_cast<T>(eps_);
    if (amsgrad_) {
      s.max_exp_avg_sq = xt::maximum(s.max_exp_avg_sq, s.exp_avg_sq);
      p.mutable_value() -= step_size * s.exp_avg / (xt::sqrt(s.max_exp_avg_sq) / bc2 + eps);
    } else {
      p.mutable_value() -= step_size * s.exp_avg / (xt::sqrt(s.exp_avg_sq) / bc2 + eps);
    }
  }
}

template <class T>
BasicAdamW<T>::BasicAdamW(std::vector<TensorType> params, const AdamWOptions& options)
    : BasicAdam<T>("AdamW", std::move(params),
                   AdamOptions(options.lr())
                       .betas(options.beta1(), options.beta2())
                       .eps(options.eps())
                       .weight_decay(options.weight_decay())
                       .amsgrad(options.amsgrad()),
                   true) {}

template class BasicAdam<float>;
template class BasicAdam<double>;
template class BasicAdamW<float>;
template class BasicAdamW<double>;

}  // namespace xgrad::optim
