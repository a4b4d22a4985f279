// SPDX-License-Identifier: MIT
#include <xgrad/ops/indexing.hpp>

#include <algorithm>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>

#include <xtensor/xbuilder.hpp>

#include "../op_node.hpp"
#include "axis_split.hpp"

namespace xgrad {
namespace {

using detail::AxisSplit;
using detail::BackwardCtx;

/// make_result for a run-time number of inputs (detail::make_result takes a fixed pack):
/// the same rule, records a node only if grad mode is on and some input requires grad.
template <class T, class Op>
BasicTensor<T> make_result_n(xt::xarray<T>&& value, Op op,
                             const std::vector<BasicTensor<T>>& inputs) {
  const bool any = std::any_of(inputs.begin(), inputs.end(),
                               [](const BasicTensor<T>& t) { return t.requires_grad(); });
  if (!is_grad_enabled() || !any) {
    return BasicTensor<T>(detail::make_node<Node<T>>(std::move(value)));
  }
  auto node = detail::make_node<detail::OpNode<T, Op>>(
      detail::InPlace{}, [&value] { return std::move(value); }, std::move(op));
  for (const auto& t : inputs) node->add_input(t.node());
  return BasicTensor<T>(std::move(node));
}

/// Copies, for every o, `len` consecutive entries along the axis (each `inner` long) from
/// src starting at entry `src_at` to dst starting at entry `dst_at`; the two arrays have
/// `src_n` and `dst_n` entries along the axis. Works in both directions (gather and scatter).
template <class T>
void copy_block(const T* src, std::size_t src_n, std::size_t src_at, T* dst, std::size_t dst_n,
                std::size_t dst_at, std::size_t outer, std::size_t inner, std::size_t len) {
  const std::size_t count = len * inner;
  if (count == 0) return;
  for (std::size_t o = 0; o < outer; ++o) {
    const T* from = src + (o * src_n + src_at) * inner;
    std::copy(from, from + count, dst + (o * dst_n + dst_at) * inner);
  }
}

struct ConcatOp {
  static constexpr const char* name = "concat";
  std::size_t axis;
  std::size_t count;  // number of inputs
  template <class T>
  void backward(BackwardCtx<T>& c) const {
    // y is the inputs laid end to end along the axis: input t's gradient is its own slab.
    const xt::xarray<T>& g = c.gy();
    const AxisSplit s(g.shape(), axis);
    std::size_t offset = 0;
    for (std::size_t t = 0; t < count; ++t) {
      const Shape& shape = c.x_shape(t);
      const std::size_t len = shape[axis];
      if (c.needs(t)) {
        xt::xarray<T> dx = detail::empty<T>(shape);
        copy_block(g.data(), s.n, offset, dx.data(), len, 0, s.outer, s.inner, len);
        c.add(t, std::move(dx));
      }
      offset += len;
    }
  }
};

struct IndexSelectOp {
  static constexpr const char* name = "index_select";
  std::size_t axis;
  std::vector<std::size_t> indices;
  template <class T>
  void backward(BackwardCtx<T>& c) const {
    // y[.., j, ..] = x[.., indices[j], ..]: dx[.., k, ..] = sum over j with indices[j] == k
    // of g[.., j, ..] (scatter-add; repeated indices accumulate).
    const xt::xarray<T>& gv = c.gy();
    xt::xarray<T> dx = xt::zeros<T>(c.x_shape(0));
    const AxisSplit s(c.x_shape(0), axis);
    const std::size_t m = indices.size();
    const T* g = gv.data();
    T* d = dx.data();
    for (std::size_t o = 0; o < s.outer; ++o) {
      for (std::size_t j = 0; j < m; ++j) {
        const T* from = g + (o * m + j) * s.inner;
        T* to = d + (o * s.n + indices[j]) * s.inner;
        for (std::size_t i = 0; i < s.inner; ++i) to[i] += from[i];
      }
    }
    c.add(0, std::move(dx));
  }
};

struct SliceOp {
  static constexpr const char* name = "slice";
  std::size_t axis;
  std::size_t start;
  template <class T>
  void backward(BackwardCtx<T>& c) const {
    // y = x[start:end] along the axis: dx is g in that range and 0 outside it.
    const xt::xarray<T>& g = c.gy();
    xt::xarray<T> dx = xt::zeros<T>(c.x_shape(0));
    const AxisSplit s(c.x_shape(0), axis);
    const std::size_t len = g.shape()[axis];
    copy_block(g.data(), len, 0, dx.data(), s.n, start, s.outer, s.inner, len);
    c.add(0, std::move(dx));
  }
};

}  // namespace

template <class T>
BasicTensor<T> concat(const std::vector<BasicTensor<T>>& tensors, std::int64_t axis) {
  if (tensors.empty()) throw std::invalid_argument("concat: expects at least one tensor");
  for (const auto& t : tensors) detail::check_defined(ConcatOp::name, t);
  const Shape& first = tensors[0].shape();
  const std::size_t ax = detail::normalize_axis(ConcatOp::name, axis, first.size());
  Shape out_shape = first;
  out_shape[ax] = 0;
  for (std::size_t t = 0; t < tensors.size(); ++t) {
    const Shape& shape = tensors[t].shape();
    auto fail = [&](const std::string& why) {
      throw std::invalid_argument("concat: shapes " + detail::shape_str(first) + " and " +
                                  detail::shape_str(shape) + " " + why + " (tensors 0 and " +
                                  std::to_string(t) + ")");
    };
    if (shape.size() != first.size()) fail("have different ranks");
    for (std::size_t d = 0; d < shape.size(); ++d) {
      if (d != ax && shape[d] != first[d]) fail("differ outside axis " + std::to_string(ax));
    }
    out_shape[ax] += shape[ax];
  }
  xt::xarray<T> y = detail::empty<T>(out_shape);
  const AxisSplit s(out_shape, ax);
  std::size_t offset = 0;
  for (const auto& t : tensors) {
    const std::size_t len = t.shape()[ax];
    copy_block(t.value().data(), len, 0, y.data(), s.n, offset, s.outer, s.inner, len);
    offset += len;
  }
  return make_result_n(std::move(y), ConcatOp{ax, tensors.size()}, tensors);
}

template <class T>
BasicTensor<T> index_select(const BasicTensor<T>& x, std::int64_t axis,
                            const std::vector<std::size_t>& indices) {
  detail::check_defined(IndexSelectOp::name, x);
  const std::size_t ax = detail::normalize_axis(IndexSelectOp::name, axis, x.dim());
  const AxisSplit s(x.shape(), ax);
  for (std::size_t idx : indices) {
    if (idx >= s.n) {
      throw std::out_of_range("index_select: index " + std::to_string(idx) +
                              " is out of range for axis " + std::to_string(ax) + " of size " +
                              std::to_string(s.n) + " (shape " + detail::shape_str(x.shape()) +
                              ")");
    }
  }
  Shape out_shape = x.shape();
  out_shape[ax] = indices.size();
  xt::xarray<T> y = detail::empty<T>(out_shape);
  const std::size_t m = indices.size();
  for (std::size_t j = 0; j < m; ++j) {
    copy_block(x.value().data(), s.n, indices[j], y.data(), m, j, s.outer, s.inner, 1);
  }
  return detail::make_result(std::move(y), IndexSelectOp{ax, indices}, x);
}

template <class T>
BasicTensor<T> slice(const BasicTensor<T>& x, std::int64_t axis, std::int64_t start,
                     std::int64_t end) {
  detail::check_defined(SliceOp::name, x);
  const std::size_t ax = detail::normalize_axis(SliceOp::name, axis, x.dim());
  const AxisSplit s(x.shape(), ax);
  // PyTorch's rule: negative bounds count from the end, then start is clamped to [0, n] and
  // end to [start, n].
  const auto n = static_cast<std::int64_t>(s.n);
  if (start < 0) start += n;
  if (end < 0) end += n;
  start = std::clamp<std::int64_t>(start, 0, n);
  end = std::clamp<std::int64_t>(end, start, n);
  const auto first = static_cast<std::size_t>(start);
  const auto len = static_cast<std::size_t>(end - start);
  Shape out_shape = x.shape();
  out_shape[ax] = len;
  xt::xarray<T> y = detail::empty<T>(out_shape);
  copy_block(x.value().data(), s.n, first, y.data(), len, 0, s.outer, s.inner, len);
  return detail::make_result(std::move(y), SliceOp{ax, first}, x);
}

#define XGRAD_INSTANTIATE(T)                                                        \
  template BasicTensor<T> concat(const std::vector<BasicTensor<T>>&, std::int64_t); \
  template BasicTensor<T> index_select(const BasicTensor<T>&, std::int64_t,         \
                                       const std::vector<std::size_t>&);            \
  template BasicTensor<T> slice(const BasicTensor<T>&, std::int64_t, std::int64_t, std::int64_t);
XGRAD_INSTANTIATE(float)
XGRAD_INSTANTIATE(double)
#undef XGRAD_INSTANTIATE

}  // namespace xgrad
