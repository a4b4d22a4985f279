// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>

#include <xgrad/detail/type_traits.hpp>
#include <xgrad/tensor.hpp>

/// \file
/// Activations and the softmax family, with PyTorch's names and semantics.
///
/// The elementwise activations keep the input's shape. The softmax family works along one
/// `axis` (negative values count from the end; the input must have rank >= 1, an axis out of
/// range throws std::invalid_argument naming the op). All of them are written to be stable:
/// no overflow to inf and no nan for large finite inputs, in float and in double.

namespace xgrad {

// ---- softmax family -----------------------------------------------------------------------

/// softmax(x)_k = exp(x_k - m) / sum_j exp(x_j - m) along `axis`, with m the maximum along
/// the axis (subtracting it changes nothing mathematically and keeps exp from overflowing).
/// Output: x's shape, each slice along `axis` sums to 1. A slice of all -inf gives nan (as
/// PyTorch). Primitive for stability and speed; backward: dx = y * (g - sum(g * y, axis)).
template <class T>
BasicTensor<T> softmax(const BasicTensor<T>& x, std::int64_t axis);

/// log_softmax(x)_k = x_k - m - log(sum_j exp(x_j - m)) along `axis` (m the maximum along the
/// axis): the log of softmax without ever forming a 0 that log would turn into -inf.
/// Output: x's shape. A slice of all -inf gives nan (as PyTorch).
/// Primitive for stability; backward: dx = g - exp(y) * sum(g, axis).
template <class T>
BasicTensor<T> log_softmax(const BasicTensor<T>& x, std::int64_t axis);

/// log(sum(exp(x), axis)), computed as m + log(sum(exp(x - m), axis)) with m the maximum
/// along the axis (m is replaced by 0 when it is infinite, as PyTorch does). The axis is
/// removed, or kept with size 1 if `keepdims`. A slice of all -inf (or an empty axis) gives
/// -inf, and its gradient is 0 rather than nan; a slice holding +inf gives +inf.
/// Backward: dx = g * exp(x - y) = g * softmax(x).
template <class T>
BasicTensor<T> logsumexp(const BasicTensor<T>& x, std::int64_t axis, bool keepdims = false);

// ---- elementwise activations --------------------------------------------------------------

/// leaky_relu(x) = x for x > 0, negative_slope * x otherwise. d/dx = 1 for x > 0, else
/// negative_slope (also at x = 0, as PyTorch).
template <class T>
BasicTensor<T> leaky_relu(const BasicTensor<T>& x, detail::scalar_t<T> negative_slope = T(0.01));

/// clamp(x) = min(max(x, min), max). Pass -inf or +inf to leave a side open. If min > max
/// every element becomes max (as PyTorch). nan stays nan.
/// d/dx = 1 where min <= x <= max (edges included, as PyTorch: the gradient passes at
/// x == min and x == max), else 0.
template <class T>
BasicTensor<T> clamp(const BasicTensor<T>& x, detail::scalar_t<T> min, detail::scalar_t<T> max);

/// softplus(x) = log(1 + exp(x)), computed as max(x, 0) + log1p(exp(-|x|)), which neither
/// overflows for large x nor loses the small result for very negative x.
/// d/dx = sigmoid(x) (exactly 0 where sigmoid underflows, e.g. x = -1000 in double).
template <class T>
BasicTensor<T> softplus(const BasicTensor<T>& x);

/// log_sigmoid(x) = log(1 / (1 + exp(-x))) = -softplus(-x), computed as
/// min(x, 0) - log1p(exp(-|x|)): finite for every finite x (about x for very negative x).
/// d/dx = 1 - sigmoid(x) = sigmoid(-x) (exactly 0 where it underflows, e.g. x = 1000).
template <class T>
BasicTensor<T> log_sigmoid(const BasicTensor<T>& x);

}  // namespace xgrad
