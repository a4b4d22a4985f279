// SPDX-License-Identifier: MIT
#pragma once
// Elementwise maps over row-major arrays, with NumPy broadcasting (internal).
//
// xtensor's expression assignment costs a broadcast-shape computation, stepper setup and
// several small-vector copies per call: around a hundred nanoseconds, which is most of the
// time of an op on the tiny tensors of small networks. These plain loops over the row-major
// buffers skip all of it; the compiler vectorizes them when `f` is arithmetic. Operands of
// the result's shape take one flat loop; broadcast operands are walked with stride 0 along
// the axes they were broadcast over (one loop over the last axis per row). Transcendental
// forwards (exp, tanh, ...) call xsimd's kernels directly (ops/elementwise.cpp).

#include <array>
#include <cstddef>
#include <utility>

#include <xgrad/array.hpp>
#include <xgrad/detail/thresholds.hpp>

#include "shape_util.hpp"

namespace xgrad::detail {

/// out[i] = f(in[i]...) for i < n: the flat loop. `out` may be one of the inputs (each
/// element is read before it is written).
template <class T, class F, class... In>
void loop(T* out, std::size_t n, F f, const In*... in) {
  for (std::size_t i = 0; i < n; ++i) out[i] = f(in[i]...);
}

/// The strides (in elements) of `in` read as an array of shape `out`, right-aligned as NumPy
/// broadcasting aligns shapes: 0 along the axes `in` lacks or has as 1. `in` broadcasts to
/// `out` (checked by the caller).
inline Shape broadcast_strides(const Shape& in, const Shape& out) {
  Shape s(out.size(), 0);
  std::size_t stride = 1;
  for (std::size_t k = in.size(), o = out.size(); k-- > 0;) {
    --o;
    s[o] = in[k] == 1 ? 0 : stride;
    stride *= in[k];
  }
  return s;
}

// Out of line and cold: broadcasting is the rare case, and inlined into every elementwise
// rule its loop nest tripled the size of the code that a training step runs through.
template <class T, class F, std::size_t... I, class... In>
[[gnu::noinline, gnu::cold]] void apply_broadcast(T* out, const Shape& shape, F f,
                                                  std::index_sequence<I...> /*unused*/,
                                                  const In&... in) {
  constexpr std::size_t kN = sizeof...(In);
  const std::size_t rank = shape.size();
  const std::array<const T*, kN> base{in.data()...};
  const std::array<Shape, kN> strides{broadcast_strides(in.shape(), shape)...};
  const std::size_t len = shape[rank - 1];
  const std::size_t rows = shape_size(shape) / (len == 0 ? 1 : len);
  if (len == 0 || rows == 0) return;
  std::array<std::size_t, kN> inner{};
  for (std::size_t k = 0; k < kN; ++k) inner[k] = strides[k][rank - 1];
  std::array<std::size_t, kN> offset{};
  Shape index(rank, 0);  // the row's index over the leading axes (the last one unused)
  for (std::size_t r = 0; r < rows; ++r) {
    T* row = out + r * len;
    for (std::size_t j = 0; j < len; ++j) row[j] = f(base[I][offset[I] + j * inner[I]]...);
    // Odometer step over the leading axes: carry into earlier axes, rewinding the offsets.
    for (std::size_t a = rank - 1; a-- > 0;) {
      for (std::size_t k = 0; k < kN; ++k) offset[k] += strides[k][a];
      if (++index[a] < shape[a]) break;
      for (std::size_t k = 0; k < kN; ++k) offset[k] -= strides[k][a] * shape[a];
      index[a] = 0;
    }
  }
}

/// out = f(in...) elementwise over `shape`, each input broadcast to it (NumPy rules, checked
/// by the caller). Inputs of exactly `shape` take the flat loop. `out` may be the buffer of
/// an input of that shape.
template <class T, class F, class... In>
void map_into(T* out, const Shape& shape, F f, const In&... in) {
  if (((in.shape() == shape) && ...)) {
    loop(out, shape_size(shape), f, in.data()...);
  } else if (shape.empty()) {
    *out = f(*in.data()...);
  } else {
    apply_broadcast(out, shape, f, std::index_sequence_for<In...>{}, in...);
  }
}

/// A new array with y = f(a, ...) elementwise; the operands broadcast to the shape of the first
/// one (backward rules: the upstream gradient comes first and has the output's shape).
template <class T, class F, class... In>
Array<T> map(const Array<T>& a, F f, const In&... in) {
  Array<T> y = empty<T>(a.shape());
  map_into(y.data(), a.shape(), f, a, in...);
  return y;
}

/// The forward of a broadcasting binary op: a new array with y = f(a, b) elementwise over the
/// broadcast shape of a and b (one flat loop when the shapes are equal). Throws
/// std::invalid_argument naming `op` and both shapes if they do not broadcast.
template <class T, class F>
Array<T> map_broadcast(const char* op, const Array<T>& a, const Array<T>& b, F f) {
  if (a.shape() == b.shape()) return map(a, f, b);
  const Shape shape = broadcast_shapes(op, a.shape(), b.shape());
  Array<T> y = empty<T>(shape);
  map_into(y.data(), shape, f, a, b);
  return y;
}

/// g = f(g, in...) in g's own buffer, the other operands broadcast to g's shape; returns g
/// itself (as an rvalue, not a moved copy). Backward rules use it through BackwardCtx, on the
/// upstream gradient, so an elementwise backward allocates nothing and the array is moved
/// once. Do not keep the returned reference beyond the full expression.
template <class T, class F, class... In>
Array<T>&& update(Array<T>&& g, F f, const In&... in) {
  if (((in.shape() == g.shape()) && ...)) {
    loop(g.data(), g.size(), f, static_cast<const T*>(g.data()), in.data()...);
  } else {
    map_into(g.data(), g.shape(), f, static_cast<const Array<T>&>(g), in...);
  }
  return std::move(g);
}

}  // namespace xgrad::detail
