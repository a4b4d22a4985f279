// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>

#include <xgrad/tensor.hpp>

/// \file
/// Reductions. `axis` may be negative (counted from the end); an axis out of range throws
/// std::invalid_argument. Over zero elements, sum is 0 and mean is nan.

namespace xgrad {

/// Sum of all elements: a 0-d tensor. Backward broadcasts the gradient to x's shape.
template <class T>
BasicTensor<T> sum(const BasicTensor<T>& x);
/// Sum along `axis`; the axis is removed, or kept with size 1 if `keepdims`.
template <class T>
BasicTensor<T> sum(const BasicTensor<T>& x, std::int64_t axis, bool keepdims = false);
/// Mean of all elements: a 0-d tensor. d/dx = 1/n.
template <class T>
BasicTensor<T> mean(const BasicTensor<T>& x);
/// Mean along `axis`; the axis is removed, or kept with size 1 if `keepdims`.
template <class T>
BasicTensor<T> mean(const BasicTensor<T>& x, std::int64_t axis, bool keepdims = false);

}  // namespace xgrad
