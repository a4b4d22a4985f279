// SPDX-License-Identifier: MIT
#include <xgrad/ops/linalg.hpp>

#include <climits>
#include <stdexcept>

#include <xtensor/xbuilder.hpp>

#include "../op_node.hpp"
#include "linalg_blas.hpp"

namespace xgrad {
namespace {

using detail::BackwardCtx;

/// out (m,n) = op(a) . op(b) through GEMM, handling empty products (k = 0 gives zeros). The
/// result's shape comes in as a Shape: in backward it is an input's own shape, copied, which
/// is faster than a shape built from {m, n} just before (its extents, stored one by one, are
/// read back as a block, which stalls).
template <class T>
xt::xarray<T> gemm_new(bool ta, bool tb, const xt::xarray<T>& a, const xt::xarray<T>& b,
                       const Shape& shape, std::size_t k) {
  const std::size_t m = shape[0], n = shape[1];
  xt::xarray<T> out = k == 0 ? xt::xarray<T>(xt::zeros<T>(shape)) : detail::empty<T>(shape);
  if (m > 0 && n > 0 && k > 0)
    detail::gemm(ta, tb, m, n, k, T(1), a.data(), b.data(), T(0), out.data());
  return out;
}

// Primitive (not composed) for speed: both products go straight to BLAS, and backward uses
// GEMM's transpose flags instead of materializing transposes.
struct MatmulOp {
  static constexpr const char* name = "matmul";
  template <class T>
  void backward(BackwardCtx<T>& c) const {
    const auto& a = c.x(0);  // (m,k)
    const auto& b = c.x(1);  // (k,n)
    const std::size_t m = a.shape()[0], n = b.shape()[1];
    // y = a b: da = g b^T (m,n)(n,k) -> (m,k); db = a^T g (k,m)(m,n) -> (k,n)
    if (c.needs(0)) c.add(0, gemm_new(false, true, c.gy(), b, a.shape(), n));
    if (c.needs(1)) c.add(1, gemm_new(true, false, a, c.gy(), b.shape(), m));
  }
};

/// x (m,in) . w^T (in,out) [+ b]: the forward of linear, into a fresh (m,out) array.
template <class T>
xt::xarray<T> linear_forward(const xt::xarray<T>& x, const xt::xarray<T>& w,
                             const xt::xarray<T>* b) {
  const std::size_t m = x.shape()[0], in = x.shape()[1], out = w.shape()[0];
  xt::xarray<T> y = detail::empty<T>({m, out});
  T* py = y.data();
  for (std::size_t i = 0; i < m; ++i) {
    for (std::size_t j = 0; j < out; ++j) py[i * out + j] = b != nullptr ? b->data()[j] : T(0);
  }
  if (m > 0 && out > 0 && in > 0)
    detail::gemm(false, true, m, out, in, T(1), x.data(), w.data(), T(1), py);
  return y;
}

// Inputs: 0 = x (m,in), 1 = weight (out,in), 2 = bias (out,) when present.
struct LinearOp {
  static constexpr const char* name = "linear";
  template <class T>
  void backward(BackwardCtx<T>& c) const {
    const auto& g = c.gy();  // (m,out)
    const std::size_t m = g.shape()[0], out = g.shape()[1];
    if (c.needs(0)) c.add(0, gemm_new(false, false, g, c.x(1), c.x_shape(0), out));  // g . w
    if (c.needs(1)) c.add(1, gemm_new(true, false, g, c.x(0), c.x_shape(1), m));     // g^T . x
    if (c.num_inputs() == 3 && c.needs(2)) {
      xt::xarray<T> db = xt::zeros<T>({out});
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
  detail::check_defined(LinearOp::name, x);
  detail::check_defined(LinearOp::name, weight);
  const Shape& sx = x.shape();
  const Shape& sw = weight.shape();
  if (sx.size() != 2 || sw.size() != 2 || sx[1] != sw[1]) {
    throw std::invalid_argument("linear: input of shape " + detail::shape_str(sx) +
                                " and weight of shape " + detail::shape_str(sw) +
                                " do not fit: expected input (m,in) and weight (out,in)");
  }
  for (std::size_t d : {sx[0], sx[1], sw[0]}) {
    if (d > static_cast<std::size_t>(INT_MAX)) {
      throw std::invalid_argument("linear: dimension " + std::to_string(d) +
                                  " exceeds the BLAS limit");
    }
  }
  if (!bias.defined()) {
    return detail::make_result_in_place<T>(
        [&] { return linear_forward<T>(x.value(), weight.value(), nullptr); }, LinearOp{}, x,
        weight);
  }
  if (bias.shape() != Shape{sw[0]}) {
    throw std::invalid_argument("linear: bias of shape " + detail::shape_str(bias.shape()) +
                                " does not match weight of shape " + detail::shape_str(sw) +
                                ": expected (" + std::to_string(sw[0]) + ",)");
  }
  return detail::make_result_in_place<T>(
      [&] { return linear_forward(x.value(), weight.value(), &bias.value()); }, LinearOp{}, x,
      weight, bias);
}

template <class T>
BasicTensor<T> matmul(const BasicTensor<T>& a, const BasicTensor<T>& b) {
  detail::check_defined(MatmulOp::name, a);
  detail::check_defined(MatmulOp::name, b);
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
  for (std::size_t d : {sa[0], sa[1], sb[1]}) {
    if (d > static_cast<std::size_t>(INT_MAX)) {
      throw std::invalid_argument("matmul: dimension " + std::to_string(d) +
                                  " exceeds the BLAS limit");
    }
  }
  return detail::make_result_in_place<T>(
      [&] {
        return gemm_new(false, false, a.value(), b.value(), Shape{sa[0], sb[1]}, sa[1]);
      },
      MatmulOp{}, a, b);
}

template BasicTensor<float> matmul(const BasicTensor<float>&, const BasicTensor<float>&);
template BasicTensor<double> matmul(const BasicTensor<double>&, const BasicTensor<double>&);
template BasicTensor<float> linear(const BasicTensor<float>&, const BasicTensor<float>&,
                                   const BasicTensor<float>&);
template BasicTensor<double> linear(const BasicTensor<double>&, const BasicTensor<double>&,
                                    const BasicTensor<double>&);

}  // namespace xgrad
