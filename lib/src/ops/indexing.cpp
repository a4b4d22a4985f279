// SPDX-License-Identifier: MIT
#include <xgrad/ops/indexing.hpp>

#include <algorithm>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>

#include <xtensor/xbuilder.hpp>

#include "../op.hpp"
#include "axis_split.hpp"

namespace xgrad {
namespace {

using detail::AxisSplit;
using detail::BackwardCtx;

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

}  // namespace

namespace {
template <class T>
struct ConcatOp {  // y = the inputs laid end to end along `axis`
  static constexpr const char* name = "concat";
  std::size_t axis;  // validated by concat()
  Array<T> forward(const std::vector<BasicTensor<T>>& xs) const {
    Shape out_shape = xs[0].shape();
    out_shape[axis] = 0;
    for (const auto& t : xs) out_shape[axis] += t.shape()[axis];
    Array<T> y = detail::empty<T>(out_shape);
    const AxisSplit s(out_shape, axis);
    std::size_t offset = 0;
    for (const auto& t : xs) {
      const std::size_t len = t.shape()[axis];
      copy_block(t.value().data(), len, 0, y.data(), s.n, offset, s.outer, s.inner, len);
      offset += len;
    }
    return y;
  }
  void backward(BackwardCtx<T>& c) const {  // input t's gradient is its own slab of dy
    const Array<T>& g = c.gy();
    const AxisSplit s(g.shape(), axis);
    std::size_t offset = 0;
    for (std::size_t t = 0; t < c.num_inputs(); ++t) {
      const Shape& shape = c.x_shape(t);
      const std::size_t len = shape[axis];
      if (c.needs(t)) {
        Array<T> dx = detail::empty<T>(shape);
        copy_block(g.data(), s.n, offset, dx.data(), len, 0, s.outer, s.inner, len);
        c.add(t, std::move(dx));
      }
      offset += len;
    }
  }
};
}  // namespace
template <class T>
BasicTensor<T> concat(const std::vector<BasicTensor<T>>& tensors, std::int64_t axis) {
  if (tensors.empty()) throw std::invalid_argument("concat: expects at least one tensor");
  for (const auto& t : tensors) detail::check_defined(ConcatOp<T>::name, t);
  const Shape& first = tensors[0].shape();
  const std::size_t ax = detail::normalize_axis(ConcatOp<T>::name, axis, first.size());
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
  }
  return apply(ConcatOp<T>{ax}, tensors);
}

namespace {
template <class T>
struct IndexSelectOp {  // y[.., j, ..] = x[.., indices[j], ..]
  static constexpr const char* name = "index_select";
  std::size_t axis;
  std::vector<std::size_t> indices;  // validated by index_select()
  Array<T> forward(const Array<T>& x) const {
    const AxisSplit s(x.shape(), axis);
    Shape out_shape = x.shape();
    out_shape[axis] = indices.size();
    Array<T> y = detail::empty<T>(out_shape);
    const std::size_t m = indices.size();
    for (std::size_t j = 0; j < m; ++j) {
      copy_block(x.data(), s.n, indices[j], y.data(), m, j, s.outer, s.inner, 1);
    }
    return y;
  }
  void backward(BackwardCtx<T>& c) const {
    // dx[.., k, ..] = the sum of g[.., j, ..] over j with indices[j] == k (a scatter-add:
    // repeated indices accumulate).
    const Array<T>& gv = c.gy();
    Array<T> dx = xt::zeros<T>(c.x_shape(0));
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
}  // namespace
template <class T>
BasicTensor<T> index_select(const BasicTensor<T>& x, std::int64_t axis,
                            const std::vector<std::size_t>& indices) {
  detail::check_defined(IndexSelectOp<T>::name, x);
  const std::size_t ax = detail::normalize_axis(IndexSelectOp<T>::name, axis, x.dim());
  const std::size_t n = x.shape()[ax];
  for (std::size_t idx : indices) {
    if (idx >= n) {
      throw std::out_of_range("index_select: index " + std::to_string(idx) +
                              " is out of range for axis " + std::to_string(ax) + " of size " +
                              std::to_string(n) + " (shape " + detail::shape_str(x.shape()) + ")");
    }
  }
  return apply(IndexSelectOp<T>{ax, indices}, x);
}

namespace {
template <class T>
struct SliceOp {  // y = x[start : start + len] along `axis`
  static constexpr const char* name = "slice";
  std::size_t axis;
  std::size_t start;
  std::size_t len;
  Array<T> forward(const Array<T>& x) const {
    const AxisSplit s(x.shape(), axis);
    Shape out_shape = x.shape();
    out_shape[axis] = len;
    Array<T> y = detail::empty<T>(out_shape);
    copy_block(x.data(), s.n, start, y.data(), len, 0, s.outer, s.inner, len);
    return y;
  }
  void backward(BackwardCtx<T>& c) const {  // dx is dy in that range and 0 outside it
    const Array<T>& g = c.gy();
    Array<T> dx = xt::zeros<T>(c.x_shape(0));
    const AxisSplit s(c.x_shape(0), axis);
    copy_block(g.data(), len, 0, dx.data(), s.n, start, s.outer, s.inner, len);
    c.add(0, std::move(dx));
  }
};
}  // namespace
template <class T>
BasicTensor<T> slice(const BasicTensor<T>& x, std::int64_t axis, std::int64_t start,
                     std::int64_t end) {
  detail::check_defined(SliceOp<T>::name, x);
  const std::size_t ax = detail::normalize_axis(SliceOp<T>::name, axis, x.dim());
  // PyTorch's rule: negative bounds count from the end, then start is clamped to [0, n] and
  // end to [start, n].
  const auto n = static_cast<std::int64_t>(x.shape()[ax]);
  if (start < 0) start += n;
  if (end < 0) end += n;
  start = std::clamp<std::int64_t>(start, 0, n);
  end = std::clamp<std::int64_t>(end, start, n);
  return apply(
      SliceOp<T>{ax, static_cast<std::size_t>(start), static_cast<std::size_t>(end - start)}, x);
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
