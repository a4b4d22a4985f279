// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <vector>

#include <xgrad/optim/optimizer.hpp>

namespace xgrad::optim {

namespace detail {
/// The hyperparameters Adam and AdamW share, with setters that return the derived options
/// type so that they chain.
template <class Derived>
class AdamOptionsBase {
 public:
  /// Learning rate (>= 0).
  Derived& lr(double v) {
    lr_ = v;
    return self();
  }
  /// Decay rates of the first and second moment estimates (default 0.9, 0.999).
  Derived& betas(double beta1, double beta2) {
    beta1_ = beta1;
    beta2_ = beta2;
    return self();
  }
  /// Added to the denominator for numerical stability (default 1e-8).
  Derived& eps(double v) {
    eps_ = v;
    return self();
  }
  /// Weight decay lambda (default 0 for Adam, 1e-2 for AdamW).
  Derived& weight_decay(double v) {
    weight_decay_ = v;
    return self();
  }
  /// Use the maximum of all second moment estimates so far (AMSGrad; default false).
  Derived& amsgrad(bool v) {
    amsgrad_ = v;
    return self();
  }

  /// The values set above.
  double lr() const noexcept { return lr_; }
  double beta1() const noexcept { return beta1_; }
  double beta2() const noexcept { return beta2_; }
  double eps() const noexcept { return eps_; }
  double weight_decay() const noexcept { return weight_decay_; }
  bool amsgrad() const noexcept { return amsgrad_; }

 protected:
  AdamOptionsBase(double lr, double weight_decay) : lr_(lr), weight_decay_(weight_decay) {}

 private:
  Derived& self() { return static_cast<Derived&>(*this); }
  double lr_;
  double beta1_ = 0.9;
  double beta2_ = 0.999;
  double eps_ = 1e-8;
  double weight_decay_;
  bool amsgrad_ = false;
};
}  // namespace detail

/// Hyperparameters of Adam (defaults: lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight_decay 0):
///
///     Adam opt(model.parameters(), AdamOptions(1e-2).betas(0.8, 0.99));
class AdamOptions : public detail::AdamOptionsBase<AdamOptions> {
 public:
  explicit AdamOptions(double lr = 1e-3) : AdamOptionsBase(lr, 0.0) {}
};

/// Hyperparameters of AdamW: those of Adam, but weight_decay defaults to 1e-2 (as PyTorch).
class AdamWOptions : public detail::AdamOptionsBase<AdamWOptions> {
 public:
  explicit AdamWOptions(double lr = 1e-3) : AdamOptionsBase(lr, 1e-2) {}
};

/// Adam (Kingma and Ba), with PyTorch's update (torch.optim.Adam). For each parameter p with
/// gradient g, at its step t = 1, 2, ... (m and v start at 0):
///
///     g = g + lambda * p                          (Adam with weight_decay lambda != 0)
///     m = beta1 * m + (1 - beta1) * g
///     v = beta2 * v + (1 - beta2) * g^2
///     vmax = max(vmax, v)                          (amsgrad; then vmax replaces v below)
///     p = p - (lr / (1 - beta1^t)) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
///
/// Throws std::invalid_argument for lr < 0, eps < 0, betas outside [0, 1) or weight_decay < 0
/// (and see BasicOptimizer for the parameter list).
template <class T>
class BasicAdam : public BasicOptimizer<T> {
 public:
  using TensorType = BasicTensor<T>;

  explicit BasicAdam(std::vector<TensorType> params, const AdamOptions& options = AdamOptions());

  void step() override;

  double beta1() const noexcept { return beta1_; }
  double beta2() const noexcept { return beta2_; }
  double eps() const noexcept { return eps_; }
  double weight_decay() const noexcept { return weight_decay_; }
  bool amsgrad() const noexcept { return amsgrad_; }
  /// True for AdamW: weight decay is applied to the parameter, not added to the gradient.
  bool decoupled_weight_decay() const noexcept { return decoupled_; }

 protected:
  /// For AdamW: `decoupled_weight_decay` selects AdamW's form of weight decay.
  BasicAdam(const char* name, std::vector<TensorType> params, const AdamOptions& options,
            bool decoupled_weight_decay);

 private:
  double beta1_;
  double beta2_;
  double eps_;
  double weight_decay_;
  bool amsgrad_;
  bool decoupled_;
  struct State {
    std::int64_t step = 0;    // steps taken by this parameter (those with a gradient)
    Array<T> exp_avg;         // m
    Array<T> exp_avg_sq;      // v
    Array<T> max_exp_avg_sq;  // vmax (amsgrad only)
  };
  std::vector<State> state_;
};

/// AdamW (Loshchilov and Hutter): Adam with decoupled weight decay (torch.optim.AdamW). Each
/// step first decays the parameter, p = p * (1 - lr * lambda), then applies the Adam update
/// above without the weight-decay term in the gradient.
template <class T>
class BasicAdamW : public BasicAdam<T> {
 public:
  using TensorType = BasicTensor<T>;

  explicit BasicAdamW(std::vector<TensorType> params, const AdamWOptions& options = AdamWOptions());
};

extern template class BasicAdam<float>;
extern template class BasicAdam<double>;
extern template class BasicAdamW<float>;
extern template class BasicAdamW<double>;

using Adam = BasicAdam<float>;
using Adam64 = BasicAdam<double>;
using AdamW = BasicAdamW<float>;
using AdamW64 = BasicAdamW<double>;

}  // namespace xgrad::optim
