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

/// The axes start_dim..end_dim (inclusive; negative counts from the end) merged into one, as
/// PyTorch's `torch.flatten`: (N,C,H,W) -> (N,C*H*W) with the defaults; a 0-d tensor becomes
/// (1,). A reshape, so the gradient is reshaped back. Throws std::invalid_argument naming the
/// shape if an axis is out of range or start_dim comes after end_dim.
template <class T>
BasicTensor<T> flatten(const BasicTensor<T>& x, std::int64_t start_dim = 1,
                       std::int64_t end_dim = -1);

}  // namespace xgrad
