// SPDX-License-Identifier: MIT
#pragma once

#include <xgrad/detail/type_traits.hpp>
#include <xgrad/tensor.hpp>

/// \file
/// Elementwise unary ops: the output has the input's shape. Values outside an op's domain
/// follow IEEE (log(0) = -inf, log(-1) = nan, sqrt(-1) = nan) and so do their gradients.

namespace xgrad {

/// -x. d/dx = -1.
template <class T>
BasicTensor<T> neg(const BasicTensor<T>& x);
template <class T>
BasicTensor<T> operator-(const BasicTensor<T>& x) {
  return neg(x);
}
/// e^x. d/dx = e^x.
template <class T>
BasicTensor<T> exp(const BasicTensor<T>& x);
/// Natural logarithm. d/dx = 1/x.
template <class T>
BasicTensor<T> log(const BasicTensor<T>& x);
/// Square root. d/dx = 1/(2 sqrt(x)) (inf at 0).
template <class T>
BasicTensor<T> sqrt(const BasicTensor<T>& x);
/// x^p for a scalar exponent p. d/dx = p x^(p-1).
template <class T>
BasicTensor<T> pow(const BasicTensor<T>& x, detail::scalar_t<T> p);
/// |x|. d/dx = sign(x), with the subgradient 0 at x = 0 (as PyTorch).
template <class T>
BasicTensor<T> abs(const BasicTensor<T>& x);
/// 1 / (1 + e^-x). Stable for any x: e^-x overflows to inf for x < -709 (double), which
/// gives exactly 0, never nan. d/dx = y (1 - y), exactly 0 where y saturates.
template <class T>
BasicTensor<T> sigmoid(const BasicTensor<T>& x);
/// Hyperbolic tangent. d/dx = 1 - y^2.
template <class T>
BasicTensor<T> tanh(const BasicTensor<T>& x);
/// max(x, 0). d/dx = 1 for x > 0, else 0 (the subgradient 0 at x = 0, as PyTorch).
template <class T>
BasicTensor<T> relu(const BasicTensor<T>& x);

}  // namespace xgrad
