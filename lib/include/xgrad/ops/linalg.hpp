// SPDX-License-Identifier: MIT
#pragma once

#include <xgrad/tensor.hpp>

namespace xgrad {

/// Matrix product of 2-D tensors: a (m,k) . b (k,n) -> (m,n), computed by BLAS GEMM.
/// Backward: da = g . b^T (m,k), db = a^T . g (k,n), also GEMMs (no transposed copies).
/// Throws std::invalid_argument if either input is not 2-D or the inner sizes differ,
/// e.g. "matmul: shapes (4,3) and (4,1) are not aligned".
template <class T>
BasicTensor<T> matmul(const BasicTensor<T>& a, const BasicTensor<T>& b);

}  // namespace xgrad
