// SPDX-License-Identifier: MIT
#pragma once

#include <vector>

#include <xgrad/optim/optimizer.hpp>

namespace xgrad::optim {

/// Hyperparameters of SGD, set with chainable setters:
///
///     SGD opt(model.parameters(), SGDOptions(0.1).momentum(0.9).nesterov(true));
class SGDOptions {
 public:
  /// `lr` is required (no default), as in the PyTorch C++ frontend.
  explicit SGDOptions(double lr) : lr_(lr) {}

  /// Learning rate (>= 0).
  SGDOptions& lr(double v) {
    lr_ = v;
    return *this;
  }
  /// Momentum factor mu (default 0: plain gradient descent).
  SGDOptions& momentum(double v) {
    momentum_ = v;
    return *this;
  }
  /// Dampening tau of the momentum (default 0).
  SGDOptions& dampening(double v) {
    dampening_ = v;
    return *this;
  }
  /// Nesterov momentum (default false; needs momentum > 0 and dampening == 0).
  SGDOptions& nesterov(bool v) {
    nesterov_ = v;
    return *this;
  }
  /// L2 penalty lambda added to the gradient (default 0).
  SGDOptions& weight_decay(double v) {
    weight_decay_ = v;
    return *this;
  }

  /// The values set above.
  double lr() const noexcept { return lr_; }
  double momentum() const noexcept { return momentum_; }
  double dampening() const noexcept { return dampening_; }
  bool nesterov() const noexcept { return nesterov_; }
  double weight_decay() const noexcept { return weight_decay_; }

 private:
  double lr_;
  double momentum_ = 0.0;
  double dampening_ = 0.0;
  bool nesterov_ = false;
  double weight_decay_ = 0.0;
};

/// Stochastic gradient descent with optional momentum, dampening, Nesterov momentum and
/// weight decay, with PyTorch's update (torch.optim.SGD). For each parameter p with gradient g,
/// at step t:
///
///     g = g + lambda * p                             (if weight_decay lambda != 0)
///     b = g                          at its first step,
///     b = mu * b + (1 - tau) * g     later            (if momentum mu != 0)
///     g = g + mu * b  if nesterov, else g = b        (if momentum mu != 0)
///     p = p - lr * g
///
/// The momentum buffer b of a parameter starts at its first step with a gradient.
/// Throws std::invalid_argument for lr, momentum or weight_decay < 0, and for nesterov
/// without momentum > 0 and dampening == 0 (and see BasicOptimizer for the parameter list).
template <class T>
class BasicSGD : public BasicOptimizer<T> {
 public:
  using TensorType = BasicTensor<T>;

  BasicSGD(std::vector<TensorType> params, const SGDOptions& options);

  void step() override;

  double momentum() const noexcept { return momentum_; }
  double dampening() const noexcept { return dampening_; }
  bool nesterov() const noexcept { return nesterov_; }
  double weight_decay() const noexcept { return weight_decay_; }

 private:
  double momentum_;
  double dampening_;
  bool nesterov_;
  double weight_decay_;
  std::vector<Array<T>> buffers_;  // momentum buffers (one per parameter)
  std::vector<bool> has_buffer_;   // false until the parameter's first step
};

extern template class BasicSGD<float>;
extern template class BasicSGD<double>;

using SGD = BasicSGD<float>;
using SGD64 = BasicSGD<double>;

}  // namespace xgrad::optim
