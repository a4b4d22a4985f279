// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <vector>

#include <xgrad/tensor.hpp>

/// \file
/// Joining and selecting along an axis (e.g. to build mini-batches of rows). `axis` may be
/// negative (counted from the end); an axis out of range throws std::invalid_argument naming
/// the op. The tensors must have rank >= 1.

namespace xgrad {

/// Concatenation along `axis` (PyTorch's cat): all tensors must have the same rank and the
/// same sizes on every other axis; the result's size along `axis` is the sum of theirs.
/// E.g. (2,3) and (4,3) along 0 give (6,3). Backward hands each input its slab of the gradient.
/// Throws std::invalid_argument if `tensors` is empty, or if the shapes disagree, e.g.
/// "concat: shapes (2,3) and (2,4) differ outside axis 0 (tensors 0 and 1)".
template <class T>
BasicTensor<T> concat(const std::vector<BasicTensor<T>>& tensors, std::int64_t axis);

/// concat of a braced list, which deduces the element type: `concat({a, b}, 0)`.
template <class T>
BasicTensor<T> concat(std::initializer_list<BasicTensor<T>> tensors, std::int64_t axis) {
  return concat(std::vector<BasicTensor<T>>(tensors), axis);
}

/// The entries of x at `indices` along `axis`, in that order (repeats allowed): the result has
/// x's shape with size indices.size() along `axis`. E.g. rows {2, 0} of a (3,4) give (2,4).
/// Backward scatter-adds the gradient into x's positions, so a repeated index accumulates.
/// Throws std::out_of_range naming the index if one is >= x's size along `axis`, e.g.
/// "index_select: index 5 is out of range for axis 0 of size 3 (shape (3,4))".
template <class T>
BasicTensor<T> index_select(const BasicTensor<T>& x, std::int64_t axis,
                            const std::vector<std::size_t>& indices);

/// x[start:end] along `axis`, Python-style: a half-open range, negative bounds count from the
/// end, and bounds beyond the axis are clamped to it (an empty range gives size 0), as
/// PyTorch's slicing. E.g. slice(x, 0, 1, 3) of a (5,2) gives rows 1 and 2, shape (2,2);
/// slice(x, -1, -2, 100) gives the last two columns. Backward pads the gradient with zeros.
template <class T>
BasicTensor<T> slice(const BasicTensor<T>& x, std::int64_t axis, std::int64_t start,
                     std::int64_t end);

}  // namespace xgrad
