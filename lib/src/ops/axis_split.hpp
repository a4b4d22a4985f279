// SPDX-License-Identifier: MIT
#pragma once
// Internal: views a row-major shape as (outer, n, inner) around one axis, so that ops along an
// axis (softmax, max, concat, index_select, ...) are plain strided loops. Loops handle
// zero-size shapes without special cases (xtensor 0.24.3's reducers crash on them).

#include <cstddef>

#include <xgrad/tensor.hpp>

namespace xgrad::detail {

/// Element (o, k, i) of a contiguous row-major array is at (o * n + k) * inner + i, where k
/// runs along the axis, o over the axes before it and i over the axes after it.
struct AxisSplit {
  std::size_t outer = 1;
  std::size_t n = 1;
  std::size_t inner = 1;

  AxisSplit(const Shape& shape, std::size_t axis) : n(shape[axis]) {
    for (std::size_t d = 0; d < axis; ++d) outer *= shape[d];
    for (std::size_t d = axis + 1; d < shape.size(); ++d) inner *= shape[d];
  }
  /// Offset of element (o, 0, i).
  std::size_t base(std::size_t o, std::size_t i) const noexcept { return o * n * inner + i; }
};

/// `shape` with the axis removed, or kept with size 1 if `keepdims`.
inline Shape reduced_shape(const Shape& shape, std::size_t axis, bool keepdims) {
  Shape out = shape;
  if (keepdims) {
    out[axis] = 1;
  } else {
    out.erase(out.begin() + static_cast<std::ptrdiff_t>(axis));
  }
  return out;
}

}  // namespace xgrad::detail
