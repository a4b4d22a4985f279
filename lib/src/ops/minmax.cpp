// SPDX-License-Identifier: MIT
#include <xgrad/ops/minmax.hpp>

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include <xtensor/xbroadcast.hpp>
#include <xtensor/xbuilder.hpp>

#include "../op_node.hpp"
#include "axis_split.hpp"

namespace xgrad {
namespace {

using detail::AxisSplit;
using detail::BackwardCtx;

/// The elements of `v` broadcast to `shape`, row-major: `v`'s own buffer when the shapes are
/// equal, else a materialised copy.
template <class T>
class Broadcast {
 public:
  Broadcast(const xt::xarray<T>& v, const Shape& shape) : data_(v.data()) {
    if (v.shape() != shape) {
      copy_ = detail::evaluate<T>(shape, [&] { return xt::broadcast(v, shape); });
      data_ = copy_.data();
    }
  }
  Broadcast(const Broadcast&) = delete;
  Broadcast& operator=(const Broadcast&) = delete;
  const T* data() const noexcept { return data_; }

 private:
  xt::xarray<T> copy_;
  const T* data_;
};

/// maximum (kMax) and minimum (kMin) share one op: "a wins" means a > b for maximum and a < b
/// for minimum.
///
/// Written as flat loops over operands broadcast up front, not as xt::where over comparison
/// expressions: with XTENSOR_USE_XSIMD (xtensor 0.24.3, xsimd 8.1.0), assigning a
/// *broadcasting* comparison such as `xt::xarray<bool> m = a < b` for shapes (2,3) and (3,)
/// gives wrong elements (same-shape comparisons are right).
enum class Pick { kMax, kMin };

template <Pick P, class T>
bool wins(T a, T b) {
  return P == Pick::kMax ? a > b : a < b;
}

template <Pick P>
struct PickOp {
  static constexpr const char* name = P == Pick::kMax ? "maximum" : "minimum";
  template <class T>
  void backward(BackwardCtx<T>& c) const {
    // y = a where a wins, b where b wins: the gradient follows the winner. At a tie both are
    // the winner and each gets g/2 (PyTorch's rule, the mean of the one-sided derivatives).
    // The masks are PyTorch's: a's gradient is dropped only where b wins strictly (and b's
    // where a wins), so at a nan both inputs get g.
    const xt::xarray<T>& gv = c.gy();
    const Shape& shape = gv.shape();
    const Broadcast<T> av(c.x(0), shape), bv(c.x(1), shape);
    const T* a = av.data();
    const T* b = bv.data();
    const T* g = gv.data();
    const std::size_t n = gv.size();
    for (std::size_t input = 0; input < 2; ++input) {
      if (!c.needs(input)) continue;
      xt::xarray<T> d = detail::empty<T>(shape);
      T* dp = d.data();
      for (std::size_t j = 0; j < n; ++j) {
        const bool other_wins = input == 0 ? wins<P>(b[j], a[j]) : wins<P>(a[j], b[j]);
        dp[j] = a[j] == b[j] ? g[j] * T(0.5) : (other_wins ? T(0) : g[j]);
      }
      c.add_reduced(input, std::move(d));
    }
  }
};

template <Pick P, class T>
BasicTensor<T> pick(const BasicTensor<T>& a, const BasicTensor<T>& b) {
  using Op = PickOp<P>;
  detail::check_defined(Op::name, a);
  detail::check_defined(Op::name, b);
  const Shape shape = detail::broadcast_shapes(Op::name, a.shape(), b.shape());
  const Broadcast<T> av(a.value(), shape), bv(b.value(), shape);
  xt::xarray<T> y = detail::empty<T>(shape);
  const T* ap = av.data();
  const T* bp = bv.data();
  T* yp = y.data();
  // a if a wins or is nan, else b (the winner, an equal value, or nan): nan propagates.
  for (std::size_t j = 0; j < y.size(); ++j) {
    yp[j] = (std::isnan(ap[j]) || wins<P>(ap[j], bp[j])) ? ap[j] : bp[j];
  }
  return detail::make_result(std::move(y), Op{}, a, b);
}

/// Index along the axis of the first maximum of each slice (the first nan if there is one),
/// in the flat order o * inner + i.
template <class T>
std::vector<std::size_t> argmax_indices(const char* op, const BasicTensor<T>& x, std::size_t axis) {
  const AxisSplit s(x.shape(), axis);
  if (s.n == 0) {
    throw std::invalid_argument(std::string(op) + ": cannot reduce over the empty axis " +
                                std::to_string(axis) + " of shape " + detail::shape_str(x.shape()));
  }
  std::vector<std::size_t> idx(s.outer * s.inner, 0);
  std::vector<T> best(s.inner);
  const T* v = x.value().data();
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

struct MaxOp {
  static constexpr const char* name = "max";
  std::size_t axis;
  std::vector<std::size_t> index;  // argmax per slice, flat order o * inner + i
  template <class T>
  void backward(BackwardCtx<T>& c) const {
    // y = x[argmax]: dy/dx is 1 at the returned index and 0 elsewhere.
    const xt::xarray<T>& gv = c.gy();
    xt::xarray<T> dx = xt::zeros<T>(c.x_shape(0));
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
BasicTensor<T> maximum(const BasicTensor<T>& a, const BasicTensor<T>& b) {
  return pick<Pick::kMax>(a, b);
}

template <class T>
BasicTensor<T> minimum(const BasicTensor<T>& a, const BasicTensor<T>& b) {
  return pick<Pick::kMin>(a, b);
}

template <class T>
BasicTensor<T> max(const BasicTensor<T>& x, std::int64_t axis, bool keepdims) {
  detail::check_defined(MaxOp::name, x);
  const std::size_t ax = detail::normalize_axis(MaxOp::name, axis, x.dim());
  std::vector<std::size_t> index = argmax_indices(MaxOp::name, x, ax);
  const AxisSplit s(x.shape(), ax);
  xt::xarray<T> y = detail::empty<T>(detail::reduced_shape(x.shape(), ax, keepdims));
  const T* v = x.value().data();
  T* out = y.data();
  for (std::size_t o = 0; o < s.outer; ++o) {
    for (std::size_t i = 0; i < s.inner; ++i) {
      const std::size_t j = o * s.inner + i;
      out[j] = v[s.base(o, i) + index[j] * s.inner];
    }
  }
  return detail::make_result(std::move(y), MaxOp{ax, std::move(index)}, x);
}

template <class T>
xt::xarray<std::int64_t> argmax(const BasicTensor<T>& x, std::int64_t axis, bool keepdims) {
  detail::check_defined("argmax", x);
  const std::size_t ax = detail::normalize_axis("argmax", axis, x.dim());
  const std::vector<std::size_t> index = argmax_indices("argmax", x, ax);
  xt::xarray<std::int64_t> out =
      detail::empty<std::int64_t>(detail::reduced_shape(x.shape(), ax, keepdims));
  std::int64_t* d = out.data();
  for (std::size_t j = 0; j < index.size(); ++j) d[j] = static_cast<std::int64_t>(index[j]);
  return out;
}

#define XGRAD_INSTANTIATE(T)                                                     \
  template BasicTensor<T> maximum(const BasicTensor<T>&, const BasicTensor<T>&); \
  template BasicTensor<T> minimum(const BasicTensor<T>&, const BasicTensor<T>&); \
  template BasicTensor<T> max(const BasicTensor<T>&, std::int64_t, bool);        \
  template xt::xarray<std::int64_t> argmax(const BasicTensor<T>&, std::int64_t, bool);
XGRAD_INSTANTIATE(float)
XGRAD_INSTANTIATE(double)
#undef XGRAD_INSTANTIATE

}  // namespace xgrad
