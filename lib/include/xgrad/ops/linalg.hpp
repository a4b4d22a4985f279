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

/// Affine map x . weight^T + bias, PyTorch's `F.linear`: x (m,in), weight (out,in) (the layout
/// nn::Linear stores), bias (out,) or an undefined tensor for none; the result is (m,out).
/// One GEMM reads the weight transposed in place and accumulates onto the broadcast bias, so
/// no transposed copy or separate add is made; backward is two GEMMs and a column sum.
/// Throws std::invalid_argument naming the shapes if x or weight is not 2-D, their `in` sizes
/// differ, or bias is not (out,).
template <class T>
BasicTensor<T> linear(const BasicTensor<T>& x, const BasicTensor<T>& weight,
                      const BasicTensor<T>& bias = BasicTensor<T>());

}  // namespace xgrad
