// SPDX-License-Identifier: MIT
#include <xgrad/ops/linalg.hpp>

#include <climits>
#include <initializer_list>
#include <stdexcept>
#include <string>

#include <xtensor/xbuilder.hpp>

#include "../op.hpp"
#include "linalg_blas.hpp"

namespace xgrad {
namespace {

using detail::BackwardCtx;

/// out (m,n) = op(a) . op(b) through GEMM, handling empty products (k = 0 gives zeros). The
/// result's shape comes in as a Shape: in backward it is an input's own shape, copied, which
/// is faster than a shape built from {m, n} just before (its extents, stored one by one, are
/// read back as a block, which stalls).
template <class T>
Array<T> gemm_new(bool ta, bool tb, const Array<T>& a, const Array<T>& b, const Shape& shape,
                  std::size_t k) {
  const std::size_t m = shape[0], n = shape[1];
  Array<T> out = k == 0 ? Array<T>(xt::zeros<T>(shape)) : detail::empty<T>(shape);
  if (m > 0 && n > 0 && k > 0)
    detail::gemm(ta, tb, m, n, k, T(1), a.data(), b.data(), T(0), out.data());
  return out;
}

/// Throws std::invalid_argument naming `op` if a GEMM dimension exceeds BLAS's int.
[[gnu::noinline, gnu::cold]] void throw_blas_limit(const char* op, std::size_t d) {
  throw std::invalid_argument(std::string(op) + ": dimension " + std::to_string(d) +
                              " exceeds the BLAS limit");
}
inline void check_blas_dims(const char* op, std::size_t a, std::size_t b, std::size_t c) {
  constexpr auto kMax = static_cast<std::size_t>(INT_MAX);
  if (a > kMax) throw_blas_limit(op, a);
  if (b > kMax) throw_blas_limit(op, b);
  if (c > kMax) throw_blas_limit(op, c);
}

}  // namespace

namespace {
// Primitive (not composed) for speed: both products go straight to BLAS, and backward uses
// GEMM's transpose flags instead of materializing transposes.
template <class T>
struct MatmulOp {  // y (m,n) = a (m,k) b (k,n)
  static constexpr const char* name = "matmul";
  Array<T> forward(const Array<T>& a, const Array<T>& b) const {  // shapes checked by matmul()
    return gemm_new(false, false, a, b, Shape{a.shape()[0], b.shape()[1]}, a.shape()[1]);
  }
  void backward(BackwardCtx<T>& c) const {
    const auto& a = c.x(0);  // (m,k)
    const auto& b = c.x(1);  // (k,n)
    const std::size_t m = a.shape()[0], n = b.shape()[1];
    // da = g b^T (m,n)(n,k) -> (m,k); db = a^T g (k,m)(m,n) -> (k,n)
    if (c.needs(0)) c.add(0, gemm_new(false, true, c.gy(), b, a.shape(), n));
    if (c.needs(1)) c.add(1, gemm_new(true, false, a, c.gy(), b.shape(), m));
  }
};
}  // namespace
template <class T>
BasicTensor<T> matmul(const BasicTensor<T>& a, const BasicTensor<T>& b) {
  detail::check_defined(MatmulOp<T>::name, a);
  detail::check_defined(MatmulOp<T>::name, b);
  const Shape& sa = a.shape();
  const Shape& sb = b.shape();
  if (sa.size() != 2 || sb.size() != 2) {
    throw std::invalid_argument("matmul: expects 2-D tensors, got shapes " + detail::shape_str(sa) +
                                " and " + detail::shape_str(sb));
  }
  if (sa[1] != sb[0]) {
    throw std::invalid_argument("matmul: shapes " + detail::shape_str(sa) + " and " +
                                detail::shape_str(sb) + " are not aligned (inner sizes " +
                                std::to_string(sa[1]) + " and " + std::to_string(sb[0]) + ")");
  }
  check_blas_dims(MatmulOp<T>::name, sa[0], sa[1], sb[1]);
  return apply(MatmulOp<T>{}, a, b);
}

namespace {
// Primitive for speed: one GEMM with the bias as its initial value, instead of matmul,
// transpose and a broadcast add (three nodes, three passes).
template <class T>
struct LinearOp {  // y (m,out) = x (m,in) w^T (in,out) [+ b (out,)]
  static constexpr const char* name = "linear";
  Array<T> forward(const Array<T>& x, const Array<T>& w) const { return forward(x, w, nullptr); }
  Array<T> forward(const Array<T>& x, const Array<T>& w, const Array<T>& b) const {
    return forward(x, w, &b);
  }
  Array<T> forward(const Array<T>& x, const Array<T>& w, const Array<T>* b) const {
    const Shape& sx = x.shape();
    const Shape& sw = w.shape();
    if (sx.size() != 2 || sw.size() != 2 || sx[1] != sw[1]) {
      throw std::invalid_argument("linear: input of shape " + detail::shape_str(sx) +
                                  " and weight of shape " + detail::shape_str(sw) +
                                  " do not fit: expected input (m,in) and weight (out,in)");
    }
    check_blas_dims(name, sx[0], sx[1], sw[0]);
    if (b != nullptr && b->shape() != Shape{sw[0]}) {
      throw std::invalid_argument("linear: bias of shape " + detail::shape_str(b->shape()) +
                                  " does not match weight of shape " + detail::shape_str(sw) +
                                  ": expected (" + std::to_string(sw[0]) + ",)");
    }
    const std::size_t m = sx[0], in = sx[1], out = sw[0];
    Array<T> y = detail::empty<T>({m, out});
    T* py = y.data();
    for (std::size_t i = 0; i < m; ++i) {
      for (std::size_t j = 0; j < out; ++j) py[i * out + j] = b != nullptr ? b->data()[j] : T(0);
    }
    if (m > 0 && out > 0 && in > 0) {
      detail::gemm(false, true, m, out, in, T(1), x.data(), w.data(), T(1), py);
    }
    return y;
  }
  void backward(BackwardCtx<T>& c) const {
    const auto& g = c.gy();  // (m,out)
    const std::size_t m = g.shape()[0], out = g.shape()[1];
    if (c.needs(0)) c.add(0, gemm_new(false, false, g, c.x(1), c.x_shape(0), out));  // g . w
    if (c.needs(1)) c.add(1, gemm_new(true, false, g, c.x(0), c.x_shape(1), m));     // g^T . x
    if (c.num_inputs() == 3 && c.needs(2)) {  // db = the column sums of g
      Array<T> db = xt::zeros<T>({out});
      for (std::size_t i = 0; i < m; ++i) {
        for (std::size_t j = 0; j < out; ++j) db.data()[j] += g.data()[i * out + j];
      }
      c.add(2, std::move(db));
    }
  }
};
}  // namespace
template <class T>
BasicTensor<T> linear(const BasicTensor<T>& x, const BasicTensor<T>& weight,
                      const BasicTensor<T>& bias) {
  if (!bias.defined()) return apply(LinearOp<T>{}, x, weight);
  return apply(LinearOp<T>{}, x, weight, bias);
}

template BasicTensor<float> matmul(const BasicTensor<float>&, const BasicTensor<float>&);
template BasicTensor<double> matmul(const BasicTensor<double>&, const BasicTensor<double>&);
template BasicTensor<float> linear(const BasicTensor<float>&, const BasicTensor<float>&,
                                   const BasicTensor<float>&);
template BasicTensor<double> linear(const BasicTensor<double>&, const BasicTensor<double>&,
                                    const BasicTensor<double>&);

}  // namespace xgrad
