// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <utility>

#include <xgrad/detail/type_traits.hpp>
#include <xgrad/generator.hpp>
#include <xgrad/tensor.hpp>

/// \file
/// Weight initialisation with PyTorch's formulas (torch.nn.init). Every function fills the
/// tensor's value in place through mutable_value() (which bumps its version counter) and
/// records no graph, like PyTorch's init functions under no_grad. Random draws come from the
/// Generator passed in, one draw per element in row-major order, in double precision (so a
/// float and a double tensor filled from equal generators hold the same numbers up to
/// rounding). An undefined tensor throws std::invalid_argument.

namespace xgrad::nn {

/// The generator used by layers constructed without one (e.g. `Linear(3, 4)`).
///
/// It is thread_local: each thread has its own, seeded with Generator::kDefaultSeed when the
/// thread first uses it, so the layers a thread builds get the same weights on every run and
/// threads never share mutable state. Reseed it with `default_generator().seed(s)`.
Generator& default_generator();

namespace init {

/// Which fan kaiming_* scales by: fan_in keeps the variance of the forward activations,
/// fan_out that of the backward gradients.
enum class FanMode { fan_in, fan_out };

/// The nonlinearity following the layer, for calculate_gain.
enum class Nonlinearity { linear, sigmoid, tanh, relu, leaky_relu };

/// The recommended gain for a nonlinearity (PyTorch's calculate_gain): linear and sigmoid 1,
/// tanh 5/3, relu sqrt(2), leaky_relu sqrt(2 / (1 + negative_slope^2)), where `param` is the
/// negative slope (only used by leaky_relu).
double calculate_gain(Nonlinearity nonlinearity, double param = 0.01);

/// (fan_in, fan_out) of a weight of shape (out, in, k...): fan_in = in * prod(k),
/// fan_out = out * prod(k). Throws std::invalid_argument for fewer than 2 dimensions.
std::pair<std::size_t, std::size_t> calculate_fan_in_and_fan_out(const Shape& shape);

/// Fills `t` with values uniform in [lo, hi): lo + (hi - lo) * u, u = gen.uniform().
/// Throws std::invalid_argument if lo > hi. Returns t.
template <class T>
BasicTensor<T>& uniform_(BasicTensor<T>& t, double lo, double hi, Generator& gen);

/// Fills `t` with normal values: mean + stddev * gen.normal(). Throws std::invalid_argument if
/// stddev < 0. Returns t.
template <class T>
BasicTensor<T>& normal_(BasicTensor<T>& t, double mean, double stddev, Generator& gen);

/// Fills `t` with `value`. Returns t.
template <class T>
BasicTensor<T>& constant_(BasicTensor<T>& t, double value);

/// Fills `t` with 0. Returns t.
template <class T>
BasicTensor<T>& zeros_(BasicTensor<T>& t);

/// Fills `t` with 1. Returns t.
template <class T>
BasicTensor<T>& ones_(BasicTensor<T>& t);

/// Copies `value` (an Array or any xtensor expression, such as a plain `xt::xarray<T>`) into
/// `t` (explicit weights, e.g. to reproduce a reference computation).
/// Throws std::invalid_argument naming both shapes if they differ. Returns t.
template <class T>
BasicTensor<T>& copy_(BasicTensor<T>& t, const Array<xgrad::detail::scalar_t<T>>& value);

/// Glorot/Xavier uniform: U(-b, b) with b = gain * sqrt(6 / (fan_in + fan_out)).
/// Needs at least 2 dimensions (see calculate_fan_in_and_fan_out). Returns t.
template <class T>
BasicTensor<T>& xavier_uniform_(BasicTensor<T>& t, Generator& gen, double gain = 1.0);

/// Glorot/Xavier normal: N(0, s^2) with s = gain * sqrt(2 / (fan_in + fan_out)). Returns t.
template <class T>
BasicTensor<T>& xavier_normal_(BasicTensor<T>& t, Generator& gen, double gain = 1.0);

/// He/Kaiming uniform: U(-b, b) with b = sqrt(3) * gain / sqrt(fan), gain =
/// calculate_gain(nonlinearity, a) and fan chosen by `mode`. With the defaults (a = 0,
/// leaky_relu) b = sqrt(6 / fan_in); with a = sqrt(5) (what Linear uses) b = 1 / sqrt(fan_in).
/// A tensor with no elements is left as is; otherwise it needs at least 2 dimensions.
/// Returns t.
template <class T>
BasicTensor<T>& kaiming_uniform_(BasicTensor<T>& t, Generator& gen, double a = 0.0,
                                 FanMode mode = FanMode::fan_in,
                                 Nonlinearity nonlinearity = Nonlinearity::leaky_relu);

/// He/Kaiming normal: N(0, s^2) with s = gain / sqrt(fan) (same gain and fan as
/// kaiming_uniform_). Returns t.
template <class T>
BasicTensor<T>& kaiming_normal_(BasicTensor<T>& t, Generator& gen, double a = 0.0,
                                FanMode mode = FanMode::fan_in,
                                Nonlinearity nonlinearity = Nonlinearity::leaky_relu);

}  // namespace init
}  // namespace xgrad::nn
