// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>

#include <xgrad/tensor.hpp>

/// \file
/// Elementwise maximum/minimum of two tensors, and the maximum and argmax along an axis, with
/// PyTorch's semantics (gradient routing at ties included). `axis` may be negative (counted
/// from the end); an axis out of range throws std::invalid_argument naming the op.

namespace xgrad {

/// Elementwise max(a, b) with NumPy broadcasting (incompatible shapes throw
/// std::invalid_argument naming "maximum" and both shapes). A nan in either input gives nan.
/// Backward (as PyTorch): where a > b the gradient goes to a, where a < b to b, and at a tie
/// (a == b) it is split half and half; each input's gradient is summed back to its shape.
template <class T>
BasicTensor<T> maximum(const BasicTensor<T>& a, const BasicTensor<T>& b);

/// Elementwise min(a, b) with NumPy broadcasting. A nan in either input gives nan.
/// Backward (as PyTorch): the gradient goes to the smaller input, split half and half at ties.
template <class T>
BasicTensor<T> minimum(const BasicTensor<T>& a, const BasicTensor<T>& b);

/// Maximum along `axis`; the axis is removed, or kept with size 1 if `keepdims`. A nan in a
/// slice gives nan. Backward: the whole gradient of each slice goes to the element argmax
/// returns (the first maximum, or the first nan), as PyTorch's max(dim) does.
/// Throws std::invalid_argument if the axis has size 0 (e.g. "max: cannot reduce over the
/// empty axis 1 of shape (2,0)").
template <class T>
BasicTensor<T> max(const BasicTensor<T>& x, std::int64_t axis, bool keepdims = false);

/// Index of the maximum along `axis` (the first one if several are equal; the first nan if
/// the slice holds a nan, as PyTorch). Not differentiable: the result is a plain array of
/// indices, which has no gradient. Shape: x's shape with the axis removed, or kept with size 1
/// if `keepdims` (for a batch of rows (N,C) and axis 1: shape (N,), one class per row).
/// Throws std::invalid_argument if the axis has size 0.
template <class T>
Array<std::int64_t> argmax(const BasicTensor<T>& x, std::int64_t axis, bool keepdims = false);

}  // namespace xgrad
