// SPDX-License-Identifier: MIT
// Shape ops: transpose, reshape, flatten (see lib/src/op.hpp for the shape of an op).
#include <xgrad/ops/shape.hpp>

#include <stdexcept>
#include <string>

#include <xtensor/xmanipulation.hpp>

#include "../op.hpp"

namespace xgrad {

using detail::BackwardCtx;

namespace {
template <class T>
struct TransposeOp {  // y = x^T (2-D)
  static constexpr const char* name = "transpose";
  Array<T> forward(const Array<T>& x) const {
    if (x.dimension() != 2) {
      throw std::invalid_argument("transpose: expects a 2-D tensor, got shape " +
                                  detail::shape_str(x.shape()));
    }
    return xt::transpose(x);
  }
  void backward(BackwardCtx<T>& c) const {  // dx = (dy)^T
    c.add(0, Array<T>(xt::transpose(c.gy())));
  }
};
}  // namespace
template <class T>
BasicTensor<T> transpose(const BasicTensor<T>& x) {
  return apply(TransposeOp<T>{}, x);
}

namespace {
template <class T>
struct ReshapeOp {  // y = x with another shape (same elements, same order)
  static constexpr const char* name = "reshape";
  Shape shape;  // the output's (already validated)
  Array<T> forward(const Array<T>& x) const {
    Array<T> y = x;
    y.reshape(shape);
    return y;
  }
  void backward(BackwardCtx<T>& c) const {  // dx is dy with x's shape
    Array<T> g = c.take_gy();
    g.reshape(c.x_shape(0));
    c.add(0, std::move(g));
  }
};
}  // namespace

template <class T>
BasicTensor<T> reshape(const BasicTensor<T>& x, const std::vector<std::int64_t>& shape) {
  detail::check_defined(ReshapeOp<T>::name, x);
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
  return apply(ReshapeOp<T>{std::move(out)}, x);
}

// Composite: a reshape, so it gets reshape's gradient.
template <class T>
BasicTensor<T> flatten(const BasicTensor<T>& x, std::int64_t start_dim, std::int64_t end_dim) {
  detail::check_defined("flatten", x);
  const Shape& s = x.shape();
  if (s.empty()) return reshape(x, {1});  // PyTorch: a 0-d tensor flattens to (1,)
  const std::size_t first = detail::normalize_axis("flatten", start_dim, s.size());
  const std::size_t last = detail::normalize_axis("flatten", end_dim, s.size());
  if (first > last) {
    throw std::invalid_argument("flatten: start_dim " + std::to_string(start_dim) +
                                " comes after end_dim " + std::to_string(end_dim) +
                                " for a tensor of shape " + detail::shape_str(s));
  }
  std::vector<std::int64_t> out;
  for (std::size_t d = 0; d < first; ++d) out.push_back(static_cast<std::int64_t>(s[d]));
  std::int64_t merged = 1;
  for (std::size_t d = first; d <= last; ++d) merged *= static_cast<std::int64_t>(s[d]);
  out.push_back(merged);
  for (std::size_t d = last + 1; d < s.size(); ++d) out.push_back(static_cast<std::int64_t>(s[d]));
  return reshape(x, out);
}

#define XGRAD_INSTANTIATE(T)                                                                \
  template BasicTensor<T> transpose(const BasicTensor<T>&);                                 \
  template BasicTensor<T> reshape(const BasicTensor<T>&, const std::vector<std::int64_t>&); \
  template BasicTensor<T> flatten(const BasicTensor<T>&, std::int64_t, std::int64_t);
XGRAD_INSTANTIATE(float)
XGRAD_INSTANTIATE(double)
#undef XGRAD_INSTANTIATE

}  // namespace xgrad
