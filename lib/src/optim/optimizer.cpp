// SPDX-License-Identifier: MIT
#include <xgrad/optim/optimizer.hpp>

#include <sstream>
#include <stdexcept>
#include <unordered_set>
#include <utility>

namespace xgrad::optim {
namespace {

double checked_lr(const std::string& name, double lr) {
  if (!(lr >= 0.0)) {
    std::ostringstream os;
    os << name << ": invalid learning rate " << lr << " (must be >= 0)";
    throw std::invalid_argument(os.str());
  }
  return lr;
}

}  // namespace

OptimizerBase::OptimizerBase(std::string name, double lr)
    : name_(std::move(name)), lr_(checked_lr(name_, lr)) {}

void OptimizerBase::set_lr(double lr) { lr_ = checked_lr(name_, lr); }

template <class T>
BasicOptimizer<T>::BasicOptimizer(std::string name, std::vector<TensorType> params, double lr)
    : OptimizerBase(std::move(name), lr), params_(std::move(params)) {
  const std::string& n = this->name();
  if (params_.empty()) throw std::invalid_argument(n + ": got an empty parameter list");
  std::unordered_set<const void*> seen;
  for (std::size_t i = 0; i < params_.size(); ++i) {
    const TensorType& p = params_[i];
    const std::string which = n + ": parameter " + std::to_string(i);
    if (!p.defined()) throw std::invalid_argument(which + " is undefined");
    if (!p.is_leaf()) {
      throw std::invalid_argument(which + " is the result of op '" + p.op_name() +
                                  "'; only leaf tensors can be optimized");
    }
    if (!seen.insert(p.node().get()).second) {
      throw std::invalid_argument(which + " appears more than once in the parameter list");
    }
  }
}

template <class T>
void BasicOptimizer<T>::zero_grad() {
  for (auto& p : params_) p.zero_grad();
}

template class BasicOptimizer<float>;
template class BasicOptimizer<double>;

}  // namespace xgrad::optim
