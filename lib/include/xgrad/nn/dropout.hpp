// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <string>

#include <xgrad/generator.hpp>
#include <xgrad/nn/module.hpp>

namespace xgrad::nn {

/// Inverted dropout: in training mode each element is zeroed with probability p and the
/// survivors are scaled by 1 / (1 - p), so the expected output equals the input; in eval mode
/// (and for p = 0) forward returns its input unchanged.
///
/// forward(x) = x * m, where m is a constant tensor (no gradient) of x's shape holding 0 or
/// 1 / (1 - p), so the gradient is m (from the mul op, no hand-written backward). An element
/// is kept when u >= p for its uniform draw u. The module owns its Generator: the same seed
/// gives the same sequence of masks, and every forward call in training mode draws a new one.
///
///     xgrad::nn::Dropout drop(0.5, /*seed=*/42);
///     auto y = drop.forward(x);   // training: about half of x zeroed, the rest doubled
///     drop.eval();
///     auto z = drop.forward(x);   // identity
template <class T>
class BasicDropout : public BasicModule<T> {
 public:
  /// Masks from a Generator seeded with `seed`. Throws std::invalid_argument unless
  /// 0 <= p < 1.
  explicit BasicDropout(double p, std::uint64_t seed);
  /// Masks from a Generator seeded with one draw of `gen` (so dropouts built in turn from one
  /// generator get different, reproducible masks).
  BasicDropout(double p, Generator& gen);
  /// Masks from a Generator seeded with one draw of default_generator().
  explicit BasicDropout(double p = 0.5);

  BasicTensor<T> forward(const BasicTensor<T>& x) override;

  double p() const noexcept { return p_; }
  /// The module's own generator (reseed it to replay the masks).
  Generator& generator() noexcept { return gen_; }

  std::string type_name() const override { return "Dropout"; }
  /// "p=0.5".
  std::string extra_repr() const override;

 private:
  double p_;
  Generator gen_;
};

extern template class BasicDropout<float>;
extern template class BasicDropout<double>;

using Dropout = BasicDropout<float>;
using Dropout64 = BasicDropout<double>;

}  // namespace xgrad::nn
