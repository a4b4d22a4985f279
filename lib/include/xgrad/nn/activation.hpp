// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <string>

#include <xgrad/nn/module.hpp>

/// \file
/// Activation functions as modules (no parameters), for use inside a Sequential. Each forward
/// calls the op of the same name (xgrad/ops/elementwise.hpp, xgrad/ops/activation.hpp); the
/// output has the input's shape.

namespace xgrad::nn {

/// y = 1 / (1 + e^-x) (xgrad::sigmoid).
template <class T>
class BasicSigmoid : public BasicModule<T> {
 public:
  BasicTensor<T> forward(const BasicTensor<T>& x) override;
  std::string type_name() const override { return "Sigmoid"; }
};

/// y = tanh(x) (xgrad::tanh).
template <class T>
class BasicTanh : public BasicModule<T> {
 public:
  BasicTensor<T> forward(const BasicTensor<T>& x) override;
  std::string type_name() const override { return "Tanh"; }
};

/// y = max(x, 0) (xgrad::relu).
template <class T>
class BasicReLU : public BasicModule<T> {
 public:
  BasicTensor<T> forward(const BasicTensor<T>& x) override;
  std::string type_name() const override { return "ReLU"; }
};

/// y = x for x > 0, negative_slope * x otherwise (xgrad::leaky_relu).
template <class T>
class BasicLeakyReLU : public BasicModule<T> {
 public:
  explicit BasicLeakyReLU(double negative_slope = 0.01) : negative_slope_(negative_slope) {}
  BasicTensor<T> forward(const BasicTensor<T>& x) override;
  double negative_slope() const noexcept { return negative_slope_; }
  std::string type_name() const override { return "LeakyReLU"; }
  /// "negative_slope=0.01".
  std::string extra_repr() const override;

 private:
  double negative_slope_;
};

/// Softmax along `axis` (xgrad::softmax; negative axes count from the end): each slice along
/// the axis is positive and sums to 1. An axis out of range throws std::invalid_argument in
/// forward.
template <class T>
class BasicSoftmax : public BasicModule<T> {
 public:
  explicit BasicSoftmax(std::int64_t axis) : axis_(axis) {}
  BasicTensor<T> forward(const BasicTensor<T>& x) override;
  std::int64_t axis() const noexcept { return axis_; }
  std::string type_name() const override { return "Softmax"; }
  /// "axis=1".
  std::string extra_repr() const override;

 private:
  std::int64_t axis_;
};

/// Log of the softmax along `axis` (xgrad::log_softmax), computed stably.
template <class T>
class BasicLogSoftmax : public BasicModule<T> {
 public:
  explicit BasicLogSoftmax(std::int64_t axis) : axis_(axis) {}
  BasicTensor<T> forward(const BasicTensor<T>& x) override;
  std::int64_t axis() const noexcept { return axis_; }
  std::string type_name() const override { return "LogSoftmax"; }
  /// "axis=1".
  std::string extra_repr() const override;

 private:
  std::int64_t axis_;
};

extern template class BasicSigmoid<float>;
extern template class BasicSigmoid<double>;
extern template class BasicTanh<float>;
extern template class BasicTanh<double>;
extern template class BasicReLU<float>;
extern template class BasicReLU<double>;
extern template class BasicLeakyReLU<float>;
extern template class BasicLeakyReLU<double>;
extern template class BasicSoftmax<float>;
extern template class BasicSoftmax<double>;
extern template class BasicLogSoftmax<float>;
extern template class BasicLogSoftmax<double>;

using Sigmoid = BasicSigmoid<float>;
using Sigmoid64 = BasicSigmoid<double>;
using Tanh = BasicTanh<float>;
using Tanh64 = BasicTanh<double>;
using ReLU = BasicReLU<float>;
using ReLU64 = BasicReLU<double>;
using LeakyReLU = BasicLeakyReLU<float>;
using LeakyReLU64 = BasicLeakyReLU<double>;
using Softmax = BasicSoftmax<float>;
using Softmax64 = BasicSoftmax<double>;
using LogSoftmax = BasicLogSoftmax<float>;
using LogSoftmax64 = BasicLogSoftmax<double>;

}  // namespace xgrad::nn
