// SPDX-License-Identifier: MIT
#pragma once
// Internal shape helpers shared by the ops (not installed).

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <utility>

#include <xgrad/tensor.hpp>

namespace xgrad::detail {

/// Number of elements of a shape.
std::size_t shape_size(const Shape& shape) noexcept;

/// "(4,3)", "()" for 0-d.
std::string shape_str(const Shape& shape);

/// The NumPy broadcast shape of a and b; throws std::invalid_argument naming `op`, both shapes
/// and the first dimension that differs.
Shape broadcast_shapes(const char* op, const Shape& a, const Shape& b);

/// Sums `g` over the axes along which an input of shape `shape` was broadcast to g's shape, so
/// the result has exactly `shape`. The only place where backward un-broadcasts.
template <class T>
Array<T> sum_to_shape(Array<T>&& g, const Shape& shape);

/// Sums x along `axis` (the axis is removed). A plain strided loop: it handles zero-size
/// shapes, which crash xtensor 0.24.3's reducers, and vectorizes.
template <class T>
Array<T> sum_axis(const Array<T>& x, std::size_t axis);

/// A new row-major array of `shape`, its elements uninitialized: what xtensor's `from_shape`
/// makes, built directly from the shape and its strides. from_shape goes through a generic
/// resize (default members, then a copy of the shape, zero-filled strides and a pass over
/// them) whose small stores, read back at once, stalled on store forwarding: it was a tenth
/// of the time of an op on a tiny tensor.
template <class T>
Array<T> empty(const Shape& shape) {
  using Array = xgrad::Array<T>;
  const std::size_t rank = shape.size();
  typename Array::inner_shape_type dims(shape);
  typename Array::inner_strides_type strides(rank);
  std::ptrdiff_t stride = 1;
  for (std::size_t i = rank; i-- > 0;) {
    strides[i] = shape[i] == 1 ? 0 : stride;  // xtensor's convention: 0 along extents of 1
    stride *= static_cast<std::ptrdiff_t>(shape[i]);
  }
  return Array(typename Array::storage_type(static_cast<std::size_t>(stride)), std::move(dims),
               std::move(strides));
}

template <class T>
Array<T> empty(std::initializer_list<std::size_t> shape) {
  return empty<T>(Shape(shape));
}

/// Evaluates `f()` into an array of `shape`, or returns an empty array of that shape without
/// calling it when the shape has no elements (xtensor's assignment misbehaves on those).
template <class T, class F>
Array<T> evaluate(const Shape& shape, F&& f) {
  if (shape_size(shape) == 0) return empty<T>(shape);
  return Array<T>(f());
}

/// Anomaly mode: throws xgrad::AnomalyError naming `op` (the forward op whose backward ran),
/// the input index and the shape if one of the n values at `g` is NaN or Inf.
template <class T>
void check_anomaly(const char* op, std::size_t input, const T* g, std::size_t n,
                   const Shape& shape);

/// Maps a possibly negative axis into [0, rank); throws std::invalid_argument naming `op`.
std::size_t normalize_axis(const char* op, std::int64_t axis, std::size_t rank);

}  // namespace xgrad::detail
