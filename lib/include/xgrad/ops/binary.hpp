// SPDX-License-Identifier: MIT
#pragma once

#include <xgrad/detail/type_traits.hpp>
#include <xgrad/tensor.hpp>

/// \file
/// Binary arithmetic. Tensor-tensor ops follow NumPy broadcasting: shapes are aligned on the
/// right and each pair of sizes must be equal or contain a 1. The result has the broadcast
/// shape; in backward each input's gradient is summed back over the axes it was broadcast
/// along (detail::sum_to_shape, the one place that does so). Incompatible shapes throw
/// std::invalid_argument naming the op and both shapes.

namespace xgrad {

/// a + b. d/da = 1, d/db = 1.
template <class T>
BasicTensor<T> add(const BasicTensor<T>& a, const BasicTensor<T>& b);
/// a - b. d/da = 1, d/db = -1.
template <class T>
BasicTensor<T> sub(const BasicTensor<T>& a, const BasicTensor<T>& b);
/// a * b (elementwise). d/da = b, d/db = a.
template <class T>
BasicTensor<T> mul(const BasicTensor<T>& a, const BasicTensor<T>& b);
/// a / b (elementwise, IEEE: x/0 is +-inf or nan). d/da = 1/b, d/db = -a/b^2.
template <class T>
BasicTensor<T> div(const BasicTensor<T>& a, const BasicTensor<T>& b);

/// x + s. d/dx = 1.
template <class T>
BasicTensor<T> add(const BasicTensor<T>& x, detail::scalar_t<T> s);
/// x * s. d/dx = s.
template <class T>
BasicTensor<T> mul(const BasicTensor<T>& x, detail::scalar_t<T> s);
/// s - x. d/dx = -1.
template <class T>
BasicTensor<T> rsub(const BasicTensor<T>& x, detail::scalar_t<T> s);
/// x / s. d/dx = 1/s.
template <class T>
BasicTensor<T> div(const BasicTensor<T>& x, detail::scalar_t<T> s);
/// s / x. d/dx = -s/x^2.
template <class T>
BasicTensor<T> rdiv(const BasicTensor<T>& x, detail::scalar_t<T> s);

template <class T>
BasicTensor<T> operator+(const BasicTensor<T>& a, const BasicTensor<T>& b) {
  return add(a, b);
}
template <class T>
BasicTensor<T> operator-(const BasicTensor<T>& a, const BasicTensor<T>& b) {
  return sub(a, b);
}
template <class T>
BasicTensor<T> operator*(const BasicTensor<T>& a, const BasicTensor<T>& b) {
  return mul(a, b);
}
template <class T>
BasicTensor<T> operator/(const BasicTensor<T>& a, const BasicTensor<T>& b) {
  return div(a, b);
}
template <class T>
BasicTensor<T> operator+(const BasicTensor<T>& x, detail::scalar_t<T> s) {
  return add(x, s);
}
template <class T>
BasicTensor<T> operator+(detail::scalar_t<T> s, const BasicTensor<T>& x) {
  return add(x, s);
}
/// x - s is computed as x + (-s), which IEEE arithmetic defines to be the same number.
template <class T>
BasicTensor<T> operator-(const BasicTensor<T>& x, detail::scalar_t<T> s) {
  return add(x, -s);
}
template <class T>
BasicTensor<T> operator-(detail::scalar_t<T> s, const BasicTensor<T>& x) {
  return rsub(x, s);
}
template <class T>
BasicTensor<T> operator*(const BasicTensor<T>& x, detail::scalar_t<T> s) {
  return mul(x, s);
}
template <class T>
BasicTensor<T> operator*(detail::scalar_t<T> s, const BasicTensor<T>& x) {
  return mul(x, s);
}
template <class T>
BasicTensor<T> operator/(const BasicTensor<T>& x, detail::scalar_t<T> s) {
  return div(x, s);
}
template <class T>
BasicTensor<T> operator/(detail::scalar_t<T> s, const BasicTensor<T>& x) {
  return rdiv(x, s);
}

}  // namespace xgrad
