// SPDX-License-Identifier: MIT
// Reductions: sum and mean, of all elements or along an axis (see lib/src/op.hpp for the
// shape of an op).
#include <xgrad/ops/reduce.hpp>

#include <algorithm>
#include <limits>
#include <optional>

#include "../op.hpp"

namespace xgrad {

using detail::BackwardCtx;

namespace {
/// Sum of all elements, accumulated in double so float sums of large tensors keep precision.
template <class T>
T total(const Array<T>& v) {
  double acc = 0;
  for (T e : v) acc += static_cast<double>(e);
  return static_cast<T>(acc);
}
}  // namespace

/// y = scale * (the sum over `axis` of x, or over all axes when it has none): sum has scale 1,
/// mean 1/n. Shared by sum and mean, which differ in name and scale only.
namespace {
template <class T, bool Mean>
struct ReduceOp {
  static constexpr const char* name = Mean ? "mean" : "sum";
  std::optional<std::size_t> axis;  // none: every axis
  bool keepdims = false;
  T scale = T(1);
  Shape kept;  // y's shape with the reduced axes kept as 1 (set by forward)

  Array<T> forward(const Array<T>& x) {
    if (!axis) {
      kept = Shape(x.dimension(), 1);
      const std::size_t n = x.size();
      if (Mean) scale = n == 0 ? std::numeric_limits<T>::quiet_NaN() : T(1) / static_cast<T>(n);
      Array<T> y = detail::empty<T>({});
      // mean: total / n, not total * (1/n), which can differ in the last bit
      y() = !Mean ? total(x) : (n == 0 ? scale : total(x) / static_cast<T>(n));
      return y;
    }
    const std::size_t n = x.shape()[*axis];
    kept = x.shape();
    kept[*axis] = 1;
    Array<T> y = detail::sum_axis(x, *axis);
    if (Mean) {
      scale = n == 0 ? std::numeric_limits<T>::quiet_NaN() : T(1) / static_cast<T>(n);
      y /= static_cast<T>(n);  // n == 0 gives 0/0 = nan, as documented
    }
    if (keepdims) y.reshape(kept);
    return y;
  }
  void backward(BackwardCtx<T>& c) const {  // dx = scale * dy, broadcast over the reduced axes
    Array<T> dx = detail::empty<T>(c.x_shape(0));
    if (c.gy().size() == 1) {  // a reduction to one element: a fill
      std::fill(dx.data(), dx.data() + dx.size(), *c.gy().data() * scale);
    } else {
      Array<T> g = c.take_gy();
      g.reshape(kept);
      detail::map_into(
          dx.data(), dx.shape(), [s = scale](T v) { return v * s; }, g);
    }
    c.add(0, std::move(dx));
  }
};
}  // namespace

template <class T>
BasicTensor<T> sum(const BasicTensor<T>& x) {
  return apply(ReduceOp<T, false>{}, x);
}

template <class T>
BasicTensor<T> sum(const BasicTensor<T>& x, std::int64_t axis, bool keepdims) {
  detail::check_defined("sum", x);
  return apply(ReduceOp<T, false>{detail::normalize_axis("sum", axis, x.dim()), keepdims, T(1), {}},
               x);
}

template <class T>
BasicTensor<T> mean(const BasicTensor<T>& x) {
  return apply(ReduceOp<T, true>{}, x);
}

template <class T>
BasicTensor<T> mean(const BasicTensor<T>& x, std::int64_t axis, bool keepdims) {
  detail::check_defined("mean", x);
  return apply(ReduceOp<T, true>{detail::normalize_axis("mean", axis, x.dim()), keepdims, T(1), {}},
               x);
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
