// SPDX-License-Identifier: MIT
// The only translation unit that includes <cblas.h>: it clashes with xtensor-blas's headers
// (CBLAS_ORDER is defined twice), so GEMM is wrapped here behind a plain-pointer interface.
#include "linalg_blas.hpp"

#include <cblas.h>

namespace xgrad::detail {

void gemm(bool trans_a, bool trans_b, std::size_t m, std::size_t n, std::size_t k, float alpha,
          const float* a, const float* b, float beta, float* c) {
  const auto lda = static_cast<int>(trans_a ? m : k);
  const auto ldb = static_cast<int>(trans_b ? k : n);
  cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
              trans_b ? CblasTrans : CblasNoTrans, static_cast<int>(m), static_cast<int>(n),
              static_cast<int>(k), alpha, a, lda, b, ldb, beta, c, static_cast<int>(n));
}

void gemm(bool trans_a, bool trans_b, std::size_t m, std::size_t n, std::size_t k, double alpha,
          const double* a, const double* b, double beta, double* c) {
  const auto lda = static_cast<int>(trans_a ? m : k);
  const auto ldb = static_cast<int>(trans_b ? k : n);
  cblas_dgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
              trans_b ? CblasTrans : CblasNoTrans, static_cast<int>(m), static_cast<int>(n),
              static_cast<int>(k), alpha, a, lda, b, ldb, beta, c, static_cast<int>(n));
}

}  // namespace xgrad::detail
