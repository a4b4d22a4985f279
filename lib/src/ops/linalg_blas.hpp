// SPDX-License-Identifier: MIT
#pragma once
// GEMM on row-major contiguous matrices (internal).

#include <cstddef>

namespace xgrad::detail {

/// C (m,n) = alpha op(A) op(B) + beta C, where op(A) is (m,k) and op(B) is (k,n); op transposes
/// when the flag is set. All matrices are row-major and contiguous. Requires m, n, k > 0.
void gemm(bool trans_a, bool trans_b, std::size_t m, std::size_t n, std::size_t k, float alpha,
          const float* a, const float* b, float beta, float* c);
void gemm(bool trans_a, bool trans_b, std::size_t m, std::size_t n, std::size_t k, double alpha,
          const double* a, const double* b, double beta, double* c);

}  // namespace xgrad::detail
