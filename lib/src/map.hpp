// SPDX-License-Identifier: MIT
#pragma once
// Elementwise maps over contiguous arrays (internal).
//
// xtensor's expression assignment costs a broadcast-shape computation, stepper setup and
// several small-vector copies per call: around a hundred nanoseconds, which is most of the
// time of an op on the tiny tensors of small networks. These plain loops over the row-major
// buffers skip all of it; the compiler vectorizes them when `f` is arithmetic. Transcendental
// forwards (exp, tanh, ...) call xsimd's kernels directly (ops/elementwise.cpp).

#include <cstddef>
#include <utility>

#include <xtensor/xarray.hpp>

#include <xgrad/detail/thresholds.hpp>

#include "shape_util.hpp"

namespace xgrad::detail {

/// out[i] = f(in[i]...) for i < n: the one loop behind map and update. `out` may be one of
/// the inputs (each element is read before it is written).
template <class T, class F, class... In>
void apply(T* out, std::size_t n, F f, const In*... in) {
  for (std::size_t i = 0; i < n; ++i) out[i] = f(in[i]...);
}

/// A new array of x's shape with y[i] = f(x[i]).
template <class T, class F>
xt::xarray<T> map(const xt::xarray<T>& x, F f) {
  xt::xarray<T> y = empty<T>(x.shape());
  apply(y.data(), x.size(), f, x.data());
  return y;
}

/// A new array with y[i] = f(a[i], b[i]); a and b must have the same shape (callers check).
template <class T, class F>
xt::xarray<T> map(const xt::xarray<T>& a, const xt::xarray<T>& b, F f) {
  xt::xarray<T> y = empty<T>(a.shape());
  apply(y.data(), a.size(), f, a.data(), b.data());
  return y;
}

/// A new array with y[i] = f(a[i], b[i], c[i]); all three of the same shape.
template <class T, class F>
xt::xarray<T> map(const xt::xarray<T>& a, const xt::xarray<T>& b, const xt::xarray<T>& c, F f) {
  xt::xarray<T> y = empty<T>(a.shape());
  apply(y.data(), a.size(), f, a.data(), b.data(), c.data());
  return y;
}

/// g[i] = f(g[i]) in g's own buffer; returns g itself (as an rvalue, not a moved copy).
/// Backward rules use it on the upstream gradient they take (BackwardCtx::take_gy) and pass
/// the result straight to BackwardCtx::add, so an elementwise backward allocates nothing and
/// the array is moved once. Do not keep the returned reference beyond the full expression.
template <class T, class F>
xt::xarray<T>&& update(xt::xarray<T>&& g, F f) {
  apply(g.data(), g.size(), f, static_cast<const T*>(g.data()));
  return std::move(g);
}

/// g[i] = f(g[i], b[i]) in place.
template <class T, class F>
xt::xarray<T>&& update(xt::xarray<T>&& g, const xt::xarray<T>& b, F f) {
  apply(g.data(), g.size(), f, static_cast<const T*>(g.data()), b.data());
  return std::move(g);
}

/// g[i] = f(g[i], b[i], c[i]) in place.
template <class T, class F>
xt::xarray<T>&& update(xt::xarray<T>&& g, const xt::xarray<T>& b, const xt::xarray<T>& c, F f) {
  apply(g.data(), g.size(), f, static_cast<const T*>(g.data()), b.data(), c.data());
  return std::move(g);
}

}  // namespace xgrad::detail
