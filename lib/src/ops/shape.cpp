// SPDX-License-Identifier: MIT
#include <xgrad/ops/shape.hpp>

#include <stdexcept>

#include <xtensor/xmanipulation.hpp>

#include "../op_node.hpp"

namespace xgrad {
namespace {

using detail::BackwardCtx;

struct TransposeOp {
  static constexpr const char* name = "transpose";
  template <class T>
  void backward(BackwardCtx<T>& c) const {  // y = x^T: dx = (dy)^T
    c.add(0, xt::xarray<T>(xt::transpose(c.gy())));
  }
};

struct ReshapeOp {
  static constexpr const char* name = "reshape";
  template <class T>
  void backward(BackwardCtx<T>& c) const {  // same elements: dx is dy with x's shape
    Shape shape = c.x_shape(0);
    xt::xarray<T> g = c.take_gy();
    g.reshape(shape);
    c.add(0, std::move(g));
  }
};

}  // namespace

template <class T>
BasicTensor<T> transpose(const BasicTensor<T>& x) {
  detail::check_defined(TransposeOp::name, x);
  if (x.dim() != 2) {
    throw std::invalid_argument("transpose: expects a 2-D tensor, got shape " +
                                detail::shape_str(x.shape()));
  }
  return detail::make_result(xt::xarray<T>(xt::transpose(x.value())), TransposeOp{}, x);
}

template <class T>
BasicTensor<T> reshape(const BasicTensor<T>& x, const std::vector<std::int64_t>& shape) {
  detail::check_defined(ReshapeOp::name, x);
  auto fail = [&](const std::string& why) {
    std::string s = "(";
    for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? "," : "") + std::to_string(shape[i]);
    throw std::invalid_argument("reshape: cannot reshape a tensor of shape " +
                                detail::shape_str(x.shape()) + " to " + s + "): " + why);
  };
  Shape out(shape.size());
  std::size_t known = 1;
  std::size_t infer = shape.size();
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == -1) {
      if (infer != shape.size()) fail("only one dimension can be -1");
      infer = i;
    } else if (shape[i] < 0) {
      fail("negative dimension");
    } else {
      out[i] = static_cast<std::size_t>(shape[i]);
      known *= out[i];
    }
  }
  if (infer != shape.size()) {
    if (known == 0 || x.size() % known != 0) fail("the -1 dimension cannot be inferred");
    out[infer] = x.size() / known;
    known *= out[infer];
  }
  if (known != x.size()) fail("the number of elements differs");
  xt::xarray<T> y = x.value();
  y.reshape(out);
  return detail::make_result(std::move(y), ReshapeOp{}, x);
}

#define XGRAD_INSTANTIATE(T)                                \
  template BasicTensor<T> transpose(const BasicTensor<T>&); \
  template BasicTensor<T> reshape(const BasicTensor<T>&, const std::vector<std::int64_t>&);
XGRAD_INSTANTIATE(float)
XGRAD_INSTANTIATE(double)
#undef XGRAD_INSTANTIATE

}  // namespace xgrad
