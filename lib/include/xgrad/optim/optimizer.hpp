// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <vector>

#include <xgrad/tensor.hpp>

/// \file
/// The optimizer interface. An optimizer holds handles to the parameters it updates (leaf
/// tensors; typically `module.parameters()`) and per-parameter state. step() reads each
/// parameter's grad() and updates its value in place through mutable_value(), which bumps the
/// parameter's version counter: a backward pass that saved a parameter before step() and runs
/// after it throws instead of computing a wrong gradient. Parameters without a gradient are
/// skipped (their state does not advance). The formulas are PyTorch's (torch.optim).

namespace xgrad::optim {

/// The part of an optimizer that does not depend on the element type: step(), zero_grad() and
/// the current learning rate, which is what the learning-rate schedulers act on.
class OptimizerBase {
 public:
  virtual ~OptimizerBase() = default;
  OptimizerBase(const OptimizerBase&) = delete;
  OptimizerBase& operator=(const OptimizerBase&) = delete;

  /// Updates every parameter that has a gradient.
  virtual void step() = 0;
  /// Drops every parameter's gradient (PyTorch's set_to_none).
  virtual void zero_grad() = 0;

  /// The current learning rate.
  double lr() const noexcept { return lr_; }
  /// Sets the learning rate used by the next step(). Throws std::invalid_argument if lr < 0
  /// or is nan.
  void set_lr(double lr);
  /// The optimizer's name ("SGD", "Adam", "AdamW"), used in error messages.
  const std::string& name() const noexcept { return name_; }

 protected:
  /// Throws std::invalid_argument if lr < 0 or is nan.
  OptimizerBase(std::string name, double lr);

 private:
  std::string name_;
  double lr_;
};

/// An optimizer of tensors of element type T: owns the parameter list.
template <class T>
class BasicOptimizer : public OptimizerBase {
 public:
  using TensorType = BasicTensor<T>;

  /// The parameters, in the order given to the constructor.
  const std::vector<TensorType>& parameters() const noexcept { return params_; }
  void zero_grad() override;

 protected:
  /// Throws std::invalid_argument naming the optimizer if `params` is empty or holds an
  /// undefined tensor, a tensor that is not a leaf, or the same tensor twice.
  BasicOptimizer(std::string name, std::vector<TensorType> params, double lr);

  std::vector<TensorType> params_;
};

extern template class BasicOptimizer<float>;
extern template class BasicOptimizer<double>;

using Optimizer = BasicOptimizer<float>;
using Optimizer64 = BasicOptimizer<double>;

}  // namespace xgrad::optim
