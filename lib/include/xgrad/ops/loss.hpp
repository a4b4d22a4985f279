// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <vector>

#include <xgrad/tensor.hpp>

/// \file
/// Losses. Each returns a 0-d tensor, and tensor targets must have the input's exact shape
/// (no broadcasting: a (4,1) prediction against a (4,) target would silently compare every
/// pair); a mismatch throws std::invalid_argument naming both shapes.
///
/// - Squared-error losses (sse_loss, mse_loss), each one fused op (one node, one pass;
///   gradcheck-tested like every op).
/// - Classification losses with PyTorch's names, formulas and the default reduction "mean"
///   (nan for zero elements, like mean).

namespace xgrad {

// ---- squared-error losses -----------------------------------------------------------------------

/// Sum of squared errors, the tutorial's loss: sum((target - pred)^2), a 0-d tensor.
template <class T>
BasicTensor<T> sse_loss(const BasicTensor<T>& pred, const BasicTensor<T>& target);
/// Mean squared error: mean((pred - target)^2), a 0-d tensor.
template <class T>
BasicTensor<T> mse_loss(const BasicTensor<T>& pred, const BasicTensor<T>& target);

// ---- classification losses ----------------------------------------------------------------------

/// Binary cross-entropy of probabilities p in [0, 1] against targets y (usually in [0, 1]):
/// mean(-(y * max(log p, -100) + (1 - y) * max(log(1 - p), -100))). The logs are clamped at
/// -100 as in PyTorch, so p = 0 or 1 gives a finite loss.
/// Backward (as PyTorch): dp = g (p - y) / max(p (1 - p), 1e-12) / n;
/// dy = g (max(log(1 - p), -100) - max(log p, -100)) / n.
/// Throws std::invalid_argument if the shapes differ or an element of p is outside [0, 1]
/// (or nan), naming the element.
template <class T>
BasicTensor<T> binary_cross_entropy(const BasicTensor<T>& probs, const BasicTensor<T>& target);

/// Binary cross-entropy on logits x (sigmoid folded in, stable for any x):
/// mean(max(x, 0) - x y + log1p(exp(-|x|))). Primitive for stability (no sigmoid that rounds to
/// 0 or 1); backward: dx = g (sigmoid(x) - y) / n, dy = -g x / n.
template <class T>
BasicTensor<T> binary_cross_entropy_with_logits(const BasicTensor<T>& logits,
                                                const BasicTensor<T>& target);

/// Cross-entropy of unnormalised scores (N,C) against one class index per row:
/// mean_i(-log_softmax(logits, 1)[i, c_i]) = nll_loss(log_softmax(logits, 1), class_indices),
/// stable for large logits. Backward (by autodiff): (softmax(logits) - onehot(c)) g / N.
/// Throws std::invalid_argument if logits is not 2-D or class_indices.size() != N, and
/// std::out_of_range naming the row and index if an index is >= C.
template <class T>
BasicTensor<T> cross_entropy(const BasicTensor<T>& logits,
                             const std::vector<std::size_t>& class_indices);

/// Negative log-likelihood of log-probabilities (N,C): mean_i(-log_probs[i, c_i]).
/// Backward: dlog_probs[i, c_i] = -g / N, 0 elsewhere. Errors as cross_entropy.
template <class T>
BasicTensor<T> nll_loss(const BasicTensor<T>& log_probs,
                        const std::vector<std::size_t>& class_indices);

}  // namespace xgrad
