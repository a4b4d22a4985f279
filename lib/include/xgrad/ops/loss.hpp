// SPDX-License-Identifier: MIT
#pragma once

#include <xgrad/tensor.hpp>

/// \file
/// Squared-error losses, each one fused op (one node, one pass; gradcheck-tested like every
/// op). `pred` and `target` must have the same shape (no broadcasting: a (4,1) prediction against a
/// (4,) target would silently compare every pair); a mismatch throws std::invalid_argument.

namespace xgrad {

/// Sum of squared errors, the tutorial's loss: sum((target - pred)^2), a 0-d tensor.
template <class T>
BasicTensor<T> sse_loss(const BasicTensor<T>& pred, const BasicTensor<T>& target);
/// Mean squared error: mean((pred - target)^2), a 0-d tensor.
template <class T>
BasicTensor<T> mse_loss(const BasicTensor<T>& pred, const BasicTensor<T>& target);

}  // namespace xgrad
