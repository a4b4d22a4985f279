// SPDX-License-Identifier: MIT
#pragma once
// Elementwise maps over contiguous arrays (internal).
//
// xtensor's expression assignment costs a broadcast-shape computation, stepper setup and
// several small-vector copies per call: around a hundred nanoseconds, which is most of the
// time of an op on the tiny tensors of small networks. These plain loops over the row-major
// buffers skip all of it; the compiler vectorizes them when `f` is arithmetic. Transcendental
// forwards (exp, tanh, ...) on large arrays keep xtensor's xsimd kernels (see kSmallMap).

#include <cstddef>
#include <utility>

#include <xtensor/xarray.hpp>

namespace xgrad::detail {

/// Up to this many elements, transcendental functions run as a scalar loop; above it the
/// SIMD expression path of xtensor is faster.
inline constexpr std::size_t kSmallMap = 64;

/// A new array of x's shape with y[i] = f(x[i]).
template <class T, class F>
xt::xarray<T> map(const xt::xarray<T>& x, F f) {
  xt::xarray<T> y = xt::xarray<T>::from_shape(x.shape());
  const T* px = x.data();
  T* py = y.data();
  const std::size_t n = x.size();
  for (std::size_t i = 0; i < n; ++i) py[i] = f(px[i]);
  return y;
}

/// A new array with y[i] = f(a[i], b[i]); a and b must have the same shape (callers check).
template <class T, class F>
xt::xarray<T> map(const xt::xarray<T>& a, const xt::xarray<T>& b, F f) {
  xt::xarray<T> y = xt::xarray<T>::from_shape(a.shape());
  const T* pa = a.data();
  const T* pb = b.data();
  T* py = y.data();
  const std::size_t n = a.size();
  for (std::size_t i = 0; i < n; ++i) py[i] = f(pa[i], pb[i]);
  return y;
}

/// A new array with y[i] = f(a[i], b[i], c[i]); all three of the same shape.
template <class T, class F>
xt::xarray<T> map(const xt::xarray<T>& a, const xt::xarray<T>& b, const xt::xarray<T>& c, F f) {
  xt::xarray<T> y = xt::xarray<T>::from_shape(a.shape());
  const T* pa = a.data();
  const T* pb = b.data();
  const T* pc = c.data();
  T* py = y.data();
  const std::size_t n = a.size();
  for (std::size_t i = 0; i < n; ++i) py[i] = f(pa[i], pb[i], pc[i]);
  return y;
}

/// g[i] = f(g[i], b[i]) in g's own buffer, returned: backward rules use it on the upstream
/// gradient they take (BackwardCtx::take_gy), so an elementwise backward allocates nothing.
template <class T, class F>
xt::xarray<T> update(xt::xarray<T>&& g, const xt::xarray<T>& b, F f) {
  T* pg = g.data();
  const T* pb = b.data();
  const std::size_t n = g.size();
  for (std::size_t i = 0; i < n; ++i) pg[i] = f(pg[i], pb[i]);
  return std::move(g);
}

/// g[i] = f(g[i]) in place.
template <class T, class F>
xt::xarray<T> update(xt::xarray<T>&& g, F f) {
  T* pg = g.data();
  const std::size_t n = g.size();
  for (std::size_t i = 0; i < n; ++i) pg[i] = f(pg[i]);
  return std::move(g);
}

/// g[i] = f(g[i], b[i], c[i]) in place.
template <class T, class F>
xt::xarray<T> update(xt::xarray<T>&& g, const xt::xarray<T>& b, const xt::xarray<T>& c, F f) {
  T* pg = g.data();
  const T* pb = b.data();
  const T* pc = c.data();
  const std::size_t n = g.size();
  for (std::size_t i = 0; i < n; ++i) pg[i] = f(pg[i], pb[i], pc[i]);
  return std::move(g);
}

}  // namespace xgrad::detail
