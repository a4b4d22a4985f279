// SPDX-License-Identifier: MIT
// The only translation unit that includes <cblas.h>: it clashes with xtensor-blas's headers
// (CBLAS_ORDER is defined twice), so GEMM is wrapped here behind a plain-pointer interface.
#include "linalg_blas.hpp"

#include <cblas.h>

#include <cstddef>
#include <type_traits>

#include <xgrad/detail/thresholds.hpp>

namespace xgrad::detail {
namespace {

// kSmallGemm (detail/thresholds.hpp): below it a plain loop beats the BLAS call, whose fixed
// cost (argument checks, kernel dispatch, buffer setup) is several hundred nanoseconds: that is
// what small networks like the tutorial's 4x3 . 3x4 pay on every product.
//
// kDotGemm: below it every element of C is one dot product written once: no partial sums go
// through memory, where a vectorized row update after scalar stores would stall on store
// forwarding (this was most of the tutorial's GEMM time).

// C = alpha * op(A) . op(B) + beta * C, row-major, with the transposes fixed at compile time
// so that each case is a loop nest the compiler can unroll and vectorize.
template <bool TransA, bool TransB, class T>
void small_gemm_t(std::size_t m, std::size_t n, std::size_t k, T alpha, const T* __restrict a,
                  const T* __restrict b, T beta, T* __restrict c) {
  const auto at = [&](std::size_t i, std::size_t p) {
    return TransA ? a[p * m + i] : a[i * k + p];
  };
  if (TransB || m * n * k <= kDotGemm) {
    // kk is k, as a compile-time constant for the inner products of 1 to 4 terms that small
    // networks are made of (the loop then unrolls completely).
    const auto dots_k = [&](auto store, auto kk) {
      for (std::size_t i = 0; i < m; ++i) {
        for (std::size_t j = 0; j < n; ++j) {
          T acc = T(0);
          for (std::size_t p = 0; p < static_cast<std::size_t>(kk); ++p) {
            acc += at(i, p) * (TransB ? b[j * k + p] : b[p * n + j]);
          }
          store(c[i * n + j], acc);
        }
      }
    };
    const auto dots = [&](auto store) {
      switch (k) {
        case 1:
          return dots_k(store, std::integral_constant<std::size_t, 1>());
        case 2:
          return dots_k(store, std::integral_constant<std::size_t, 2>());
        case 3:
          return dots_k(store, std::integral_constant<std::size_t, 3>());
        case 4:
          return dots_k(store, std::integral_constant<std::size_t, 4>());
        default:
          return dots_k(store, k);
      }
    };
    if (beta == T(0)) {  // C may hold garbage: never read it
      dots([alpha](T& cij, T acc) { cij = alpha * acc; });
    } else {
      dots([alpha, beta](T& cij, T acc) { cij = alpha * acc + beta * cij; });
    }
    return;
  }
  // Row updates C[i, :] += alpha A(i, p) B[p, :], contiguous in B and C.
  for (std::size_t i = 0; i < m; ++i) {
    T* ci = c + i * n;
    if (beta == T(0)) {
      for (std::size_t j = 0; j < n; ++j) ci[j] = T(0);
    } else if (beta != T(1)) {
      for (std::size_t j = 0; j < n; ++j) ci[j] *= beta;
    }
    for (std::size_t p = 0; p < k; ++p) {
      const T aip = alpha * at(i, p);
      const T* bp = b + p * n;
      for (std::size_t j = 0; j < n; ++j) ci[j] += aip * bp[j];
    }
  }
}

template <class T>
void small_gemm(bool trans_a, bool trans_b, std::size_t m, std::size_t n, std::size_t k, T alpha,
                const T* a, const T* b, T beta, T* c) {
  if (trans_a) {
    if (trans_b) return small_gemm_t<true, true>(m, n, k, alpha, a, b, beta, c);
    return small_gemm_t<true, false>(m, n, k, alpha, a, b, beta, c);
  }
  if (trans_b) return small_gemm_t<false, true>(m, n, k, alpha, a, b, beta, c);
  return small_gemm_t<false, false>(m, n, k, alpha, a, b, beta, c);
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
