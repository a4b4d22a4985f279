// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <vector>

#include <xgrad/tensor.hpp>

namespace xgrad {

/// Transpose of a 2-D tensor: (m,n) -> (n,m). Backward transposes the gradient.
template <class T>
BasicTensor<T> transpose(const BasicTensor<T>& x);

/// The same elements (row-major order) with a new shape. One entry may be -1: it is inferred
/// from the others. Throws std::invalid_argument if the sizes do not match.
/// Backward reshapes the gradient back to x's shape.
template <class T>
BasicTensor<T> reshape(const BasicTensor<T>& x, const std::vector<std::int64_t>& shape);

}  // namespace xgrad
