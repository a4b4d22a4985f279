// SPDX-License-Identifier: MIT
// The only translation unit that includes <cblas.h>: it clashes with xtensor-blas's headers
// (CBLAS_ORDER is defined twice), so GEMM is wrapped here behind a plain-pointer interface.
#include "linalg_blas.hpp"

#include <cblas.h>

namespace xgrad::detail {
namespace {

// Below this many multiply-adds a plain loop beats the BLAS call, whose fixed cost (argument
// checks, kernel dispatch, buffer setup) is several hundred nanoseconds: that is what small
// networks like the tutorial's 4x3 . 3x4 pay on every product.
constexpr std::size_t kSmallGemm = 4096;

template <class T>
void small_gemm(bool trans_a, bool trans_b, std::size_t m, std::size_t n, std::size_t k, T alpha,
                const T* a, const T* b, T beta, T* c) {
  for (std::size_t i = 0; i < m; ++i) {
    T* ci = c + i * n;
    if (beta == T(0)) {
      for (std::size_t j = 0; j < n; ++j) ci[j] = T(0);  // C may hold garbage when beta is 0
    } else if (beta != T(1)) {
      for (std::size_t j = 0; j < n; ++j) ci[j] *= beta;
    }
    for (std::size_t p = 0; p < k; ++p) {
      const T aip = alpha * (trans_a ? a[p * m + i] : a[i * k + p]);
      if (trans_b) {
        for (std::size_t j = 0; j < n; ++j) ci[j] += aip * b[j * k + p];
      } else {
        const T* bp = b + p * n;
        for (std::size_t j = 0; j < n; ++j) ci[j] += aip * bp[j];
      }
    }
  }
}

}  // namespace

void gemm(bool trans_a, bool trans_b, std::size_t m, std::size_t n, std::size_t k, float alpha,
          const float* a, const float* b, float beta, float* c) {
  if (m * n * k <= kSmallGemm) return small_gemm(trans_a, trans_b, m, n, k, alpha, a, b, beta, c);
  const auto lda = static_cast<int>(trans_a ? m : k);
  const auto ldb = static_cast<int>(trans_b ? k : n);
  cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
              trans_b ? CblasTrans : CblasNoTrans, static_cast<int>(m), static_cast<int>(n),
              static_cast<int>(k), alpha, a, lda, b, ldb, beta, c, static_cast<int>(n));
}

void gemm(bool trans_a, bool trans_b, std::size_t m, std::size_t n, std::size_t k, double alpha,
          const double* a, const double* b, double beta, double* c) {
  if (m * n * k <= kSmallGemm) return small_gemm(trans_a, trans_b, m, n, k, alpha, a, b, beta, c);
  const auto lda = static_cast<int>(trans_a ? m : k);
  const auto ldb = static_cast<int>(trans_b ? k : n);
  cblas_dgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
              trans_b ? CblasTrans : CblasNoTrans, static_cast<int>(m), static_cast<int>(n),
              static_cast<int>(k), alpha, a, lda, b, ldb, beta, c, static_cast<int>(n));
}

}  // namespace xgrad::detail
