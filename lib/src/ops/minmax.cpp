// SPDX-License-Identifier: MIT
#include <xgrad/ops/minmax.hpp>

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include <xtensor/xbuilder.hpp>

#include "../op.hpp"
#include "axis_split.hpp"

namespace xgrad {
namespace {

using detail::AxisSplit;
using detail::BackwardCtx;

/// maximum (kMax) and minimum (kMin) share one op: "a wins" means a > b for maximum and a < b
/// for minimum.
///
/// Written as elementwise maps over the broadcast operands, not as xt::where over comparison
/// expressions: with XTENSOR_USE_XSIMD (xtensor 0.24.3, xsimd 8.1.0), assigning a
/// *broadcasting* comparison such as `xt::xarray<bool> m = a < b` for shapes (2,3) and (3,)
/// gives wrong elements (same-shape comparisons are right).
enum class Pick { kMax, kMin };

template <Pick P, class T>
bool wins(T a, T b) {
  return P == Pick::kMax ? a > b : a < b;
}

/// Index along the axis of the first maximum of each slice (the first nan if there is one),
/// in the flat order o * inner + i.
template <class T>
std::vector<std::size_t> argmax_indices(const char* op, const Array<T>& x, std::size_t axis) {
  const AxisSplit s(x.shape(), axis);
  if (s.n == 0) {
    throw std::invalid_argument(std::string(op) + ": cannot reduce over the empty axis " +
                                std::to_string(axis) + " of shape " + detail::shape_str(x.shape()));
  }
  std::vector<std::size_t> idx(s.outer * s.inner, 0);
  std::vector<T> best(s.inner);
  const T* v = x.data();
  for (std::size_t o = 0; o < s.outer; ++o) {
    const std::size_t base = s.base(o, 0);
    std::size_t* io = idx.data() + o * s.inner;
    for (std::size_t i = 0; i < s.inner; ++i) best[i] = v[base + i];
    for (std::size_t k = 1; k < s.n; ++k) {
      const T* row = v + base + k * s.inner;
      for (std::size_t i = 0; i < s.inner; ++i) {
        // Strictly greater keeps the first maximum; once best is nan nothing replaces it.
        if (row[i] > best[i] || (std::isnan(row[i]) && !std::isnan(best[i]))) {
          best[i] = row[i];
          io[i] = k;
        }
      }
    }
  }
  return idx;
}

}  // namespace

namespace {
template <Pick P, class T>
struct PickOp {  // y = the winner of a and b (maximum or minimum), broadcasting
  static constexpr const char* name = P == Pick::kMax ? "maximum" : "minimum";
  Array<T> forward(const Array<T>& a, const Array<T>& b) const {
    // a if a wins or is nan, else b (the winner, an equal value, or nan): nan propagates.
    return detail::map_broadcast(name, a, b,
                                 [](T u, T v) { return (std::isnan(u) || wins<P>(u, v)) ? u : v; });
  }
  void backward(BackwardCtx<T>& c) const {
    // The gradient follows the winner. At a tie both are the winner and each gets g/2
    // (PyTorch's rule, the mean of the one-sided derivatives). The masks are PyTorch's: a's
    // gradient is dropped only where b wins strictly (and b's where a wins), so at a nan both
    // inputs get g.
    c.add_map(
        0, [](T g, T a, T b) { return a == b ? g * T(0.5) : (wins<P>(b, a) ? T(0) : g); }, c.x(0),
        c.x(1));
    c.add_map(
        1, [](T g, T a, T b) { return a == b ? g * T(0.5) : (wins<P>(a, b) ? T(0) : g); }, c.x(0),
        c.x(1));
  }
};
}  // namespace
template <class T>
BasicTensor<T> maximum(const BasicTensor<T>& a, const BasicTensor<T>& b) {
  return apply(PickOp<Pick::kMax, T>{}, a, b);
}
template <class T>
BasicTensor<T> minimum(const BasicTensor<T>& a, const BasicTensor<T>& b) {
  return apply(PickOp<Pick::kMin, T>{}, a, b);
}

namespace {
template <class T>
struct MaxOp {  // y = the maximum of x along `axis`
  static constexpr const char* name = "max";
  std::size_t axis;
  bool keepdims;
  std::vector<std::size_t> index;  // argmax per slice, flat order o * inner + i (by forward)
  Array<T> forward(const Array<T>& x) {
    index = argmax_indices(name, x, axis);
    const AxisSplit s(x.shape(), axis);
    Array<T> y = detail::empty<T>(detail::reduced_shape(x.shape(), axis, keepdims));
    const T* v = x.data();
    T* out = y.data();
    for (std::size_t o = 0; o < s.outer; ++o) {
      for (std::size_t i = 0; i < s.inner; ++i) {
        const std::size_t j = o * s.inner + i;
        out[j] = v[s.base(o, i) + index[j] * s.inner];
      }
    }
    return y;
  }
  void backward(BackwardCtx<T>& c) const {  // dy/dx is 1 at the argmax and 0 elsewhere
    const Array<T>& gv = c.gy();
    Array<T> dx = xt::zeros<T>(c.x_shape(0));
    const AxisSplit s(c.x_shape(0), axis);
    const T* g = gv.data();
    T* d = dx.data();
    for (std::size_t o = 0; o < s.outer; ++o) {
      for (std::size_t i = 0; i < s.inner; ++i) {
        const std::size_t j = o * s.inner + i;
        d[s.base(o, i) + index[j] * s.inner] = g[j];
      }
    }
    c.add(0, std::move(dx));
  }
};
}  // namespace
template <class T>
BasicTensor<T> max(const BasicTensor<T>& x, std::int64_t axis, bool keepdims) {
  detail::check_defined(MaxOp<T>::name, x);
  return apply(MaxOp<T>{detail::normalize_axis(MaxOp<T>::name, axis, x.dim()), keepdims, {}}, x);
}

template <class T>
Array<std::int64_t> argmax(const BasicTensor<T>& x, std::int64_t axis, bool keepdims) {
  detail::check_defined("argmax", x);
  const std::size_t ax = detail::normalize_axis("argmax", axis, x.dim());
  const std::vector<std::size_t> index = argmax_indices("argmax", x.value(), ax);
  Array<std::int64_t> out =
      detail::empty<std::int64_t>(detail::reduced_shape(x.shape(), ax, keepdims));
  std::int64_t* d = out.data();
  for (std::size_t j = 0; j < index.size(); ++j) d[j] = static_cast<std::int64_t>(index[j]);
  return out;
}

#define XGRAD_INSTANTIATE(T)                                                     \
  template BasicTensor<T> maximum(const BasicTensor<T>&, const BasicTensor<T>&); \
  template BasicTensor<T> minimum(const BasicTensor<T>&, const BasicTensor<T>&); \
  template BasicTensor<T> max(const BasicTensor<T>&, std::int64_t, bool);        \
  template Array<std::int64_t> argmax(const BasicTensor<T>&, std::int64_t, bool);
XGRAD_INSTANTIATE(float)
XGRAD_INSTANTIATE(double)
#undef XGRAD_INSTANTIATE

}  // namespace xgrad
