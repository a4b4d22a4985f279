// SPDX-License-Identifier: MIT
#include <xgrad/ops/reduce.hpp>

#include <algorithm>
#include <limits>

#include <xtensor/xbroadcast.hpp>

#include "../op_node.hpp"

namespace xgrad {
namespace {

using detail::BackwardCtx;

/// Shape of x reduced along `axis` with the axis kept (size 1).
Shape keepdims_shape(const Shape& x, std::size_t axis) {
  Shape s = x;
  s[axis] = 1;
  return s;
}

/// Shared by sum and mean: y = scale * sum over the reduced axes, so dx = scale * dy broadcast
/// back over them. `kept` is y's shape with reduced axes kept as size 1.
struct SumOp {
  static constexpr const char* name = "sum";
  Shape kept;
  double scale = 1.0;
  template <class T>
  void backward(BackwardCtx<T>& c) const {
    const T s = static_cast<T>(scale);
    if (c.gy().size() == 1) {  // a reduction to one element: fill, no broadcast machinery
      xt::xarray<T> dx = detail::empty<T>(c.x_shape(0));
      std::fill(dx.data(), dx.data() + dx.size(), *c.gy().data() * s);
      c.add(0, std::move(dx));
      return;
    }
    xt::xarray<T> g = c.take_gy();
    g.reshape(kept);
    c.add(0, detail::evaluate<T>(c.x_shape(0), [&] {
            return scale == 1.0 ? xt::xarray<T>(xt::broadcast(g, c.x_shape(0)))
                                : xt::xarray<T>(xt::broadcast(g * s, c.x_shape(0)));
          }));
  }
};

struct MeanOp : SumOp {
  static constexpr const char* name = "mean";
};

/// Sum of all elements, accumulated in double so float sums of large tensors keep precision.
template <class T>
T total(const xt::xarray<T>& v) {
  double acc = 0;
  for (T e : v) acc += static_cast<double>(e);
  return static_cast<T>(acc);
}

}  // namespace

template <class T>
BasicTensor<T> sum(const BasicTensor<T>& x) {
  detail::check_defined(SumOp::name, x);
  const auto forward = [&] {
    xt::xarray<T> y = detail::empty<T>({});
    y() = total(x.value());
    return y;
  };
  return detail::make_result_in_place<T>(forward, SumOp{Shape(x.dim(), 1), 1.0}, x);
}

template <class T>
BasicTensor<T> sum(const BasicTensor<T>& x, std::int64_t axis, bool keepdims) {
  detail::check_defined(SumOp::name, x);
  const std::size_t ax = detail::normalize_axis(SumOp::name, axis, x.dim());
  xt::xarray<T> y = detail::sum_axis(x.value(), ax);
  const Shape kept = keepdims_shape(x.shape(), ax);
  if (keepdims) y.reshape(kept);
  return detail::make_result(std::move(y), SumOp{kept, 1.0}, x);
}

template <class T>
BasicTensor<T> mean(const BasicTensor<T>& x) {
  detail::check_defined(MeanOp::name, x);
  const std::size_t n = x.size();
  const T inv = n == 0 ? std::numeric_limits<T>::quiet_NaN() : T(1) / static_cast<T>(n);
  xt::xarray<T> y = detail::empty<T>({});
  y() = n == 0 ? std::numeric_limits<T>::quiet_NaN() : total(x.value()) / static_cast<T>(n);
  MeanOp op;
  op.kept = Shape(x.dim(), 1);
  op.scale = static_cast<double>(inv);
  return detail::make_result(std::move(y), std::move(op), x);
}

template <class T>
BasicTensor<T> mean(const BasicTensor<T>& x, std::int64_t axis, bool keepdims) {
  detail::check_defined(MeanOp::name, x);
  const std::size_t ax = detail::normalize_axis(MeanOp::name, axis, x.dim());
  const std::size_t n = x.shape()[ax];
  xt::xarray<T> y = detail::sum_axis(x.value(), ax);
  y /= static_cast<T>(n);  // n == 0 gives 0/0 = nan, as documented
  MeanOp op;
  op.kept = keepdims_shape(x.shape(), ax);
  op.scale = n == 0 ? std::numeric_limits<double>::quiet_NaN() : 1.0 / static_cast<double>(n);
  if (keepdims) y.reshape(op.kept);
  return detail::make_result(std::move(y), std::move(op), x);
}

#define XGRAD_INSTANTIATE(T)                                              \
  template BasicTensor<T> sum(const BasicTensor<T>&);                     \
  template BasicTensor<T> sum(const BasicTensor<T>&, std::int64_t, bool); \
  template BasicTensor<T> mean(const BasicTensor<T>&);                    \
  template BasicTensor<T> mean(const BasicTensor<T>&, std::int64_t, bool);
XGRAD_INSTANTIATE(float)
XGRAD_INSTANTIATE(double)
#undef XGRAD_INSTANTIATE

}  // namespace xgrad
