// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include <xgrad/generator.hpp>
#include <xgrad/nn/module.hpp>

namespace xgrad::nn {

/// A fully connected layer: y = x W^T + b.
///
/// Parameters (PyTorch's names and shapes, so saved weights carry the same keys and shapes):
/// `weight` of shape (out_features, in_features) and, unless constructed with
/// `with_bias = false`, `bias` of shape (out_features,). Both start U(-k, k) with
/// k = 1 / sqrt(in_features), PyTorch's default (kaiming_uniform_ with a = sqrt(5) for the
/// weight, then the bias), drawn from the Generator given to the constructor, or else from
/// default_generator().
///
/// forward(x): x has shape (..., in_features), at least 1-D; the result has shape
/// (..., out_features). One call of the fused op xgrad::linear(x, W, b) (ops/linalg.hpp:
/// the output is filled with the bias, then one GEMM adds x W^T onto it); an input of rank
/// other than 2 has its leading dimensions folded into rows with reshape before and unfolded
/// after. Gradients come from linear's own backward (and reshape's).
///
///     xgrad::Generator gen(42);
///     auto fc = std::make_shared<xgrad::nn::Linear>(3, 4, gen);
///     xgrad::Tensor y = fc->forward(x);   // x (N,3) -> y (N,4)
template <class T>
class BasicLinear : public BasicModule<T> {
 public:
  using TensorType = BasicTensor<T>;

  /// Draws the initial weights from default_generator(). Throws std::invalid_argument if a
  /// size is negative.
  BasicLinear(std::int64_t in_features, std::int64_t out_features, bool with_bias = true);
  /// Draws the initial weights from `gen`.
  BasicLinear(std::int64_t in_features, std::int64_t out_features, Generator& gen);
  /// Draws the initial weights from `gen`.
  BasicLinear(std::int64_t in_features, std::int64_t out_features, bool with_bias, Generator& gen);

  /// x (..., in_features) -> x W^T + b (..., out_features). Throws std::invalid_argument
  /// naming the shapes if x is 0-d or its last dimension is not in_features.
  TensorType forward(const TensorType& x) override;

  /// The weight, shape (out_features, in_features); a reference to the registered handle,
  /// so `init::copy_(fc.weight(), w)` or `fc.weight().mutable_value() = ...` sets it.
  TensorType& weight() { return this->parameter("weight"); }
  const TensorType& weight() const { return this->parameter("weight"); }
  /// The bias, shape (out_features,). Throws std::logic_error if the layer has none.
  TensorType& bias();
  const TensorType& bias() const;
  bool has_bias() const noexcept { return has_bias_; }
  std::size_t in_features() const noexcept { return in_features_; }
  std::size_t out_features() const noexcept { return out_features_; }

  /// Redraws weight and bias with the default initialisation from `gen`.
  void reset_parameters(Generator& gen);

  std::string type_name() const override { return "Linear"; }
  /// "in_features=3, out_features=4, bias=true".
  std::string extra_repr() const override;

 private:
  std::size_t in_features_;
  std::size_t out_features_;
  bool has_bias_;
};

extern template class BasicLinear<float>;
extern template class BasicLinear<double>;

using Linear = BasicLinear<float>;
using Linear64 = BasicLinear<double>;

}  // namespace xgrad::nn
