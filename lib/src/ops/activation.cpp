// SPDX-License-Identifier: MIT
#include <xgrad/ops/activation.hpp>

#include <cmath>
#include <limits>
#include <vector>

#include <xtensor/xmath.hpp>
#include <xtensor/xoperation.hpp>

#include "../op.hpp"
#include "axis_split.hpp"

namespace xgrad {
namespace {

using detail::AxisSplit;
using detail::BackwardCtx;

// ---- softmax family -----------------------------------------------------------------------
//
// All three are primitives rather than compositions of exp, sum and log: composed, exp(x)
// overflows for x > 88 (float) or 709 (double) before any normalisation could help, and the
// composed backward would keep the full (x, exp(x), sum) chain alive. The loops below walk
// the axis as the middle index of (outer, n, inner) and keep per-(o, ·) running values in
// buffers of length `inner`, so every pass over the data is contiguous whatever the axis.

/// Per slice along the axis: m = the maximum (nan ignored; -inf for an all -inf or empty
/// slice) and s = sum(exp(x - m)), with m replaced by 0 when it is infinite (PyTorch's rule,
/// which makes logsumexp of an all -inf slice -inf instead of nan). For softmax and
/// log_softmax `shift_inf` is false: an all -inf slice then yields nan, as in PyTorch.
template <class T>
void max_and_sum(const T* x, const AxisSplit& s, std::size_t o, bool shift_inf, T* m, T* sum) {
  const std::size_t base = s.base(o, 0);
  for (std::size_t i = 0; i < s.inner; ++i) {
    m[i] = -std::numeric_limits<T>::infinity();
    sum[i] = T(0);
  }
  for (std::size_t k = 0; k < s.n; ++k) {
    const T* row = x + base + k * s.inner;
    for (std::size_t i = 0; i < s.inner; ++i) {
      if (row[i] > m[i]) m[i] = row[i];
    }
  }
  if (shift_inf) {
    for (std::size_t i = 0; i < s.inner; ++i) {
      if (std::isinf(m[i])) m[i] = T(0);
    }
  }
  for (std::size_t k = 0; k < s.n; ++k) {
    const T* row = x + base + k * s.inner;
    for (std::size_t i = 0; i < s.inner; ++i) sum[i] += std::exp(row[i] - m[i]);
  }
}

enum class SoftmaxKind { kSoftmax, kLogSoftmax };

template <class T>
Array<T> softmax_forward(const Array<T>& xv, std::size_t axis, SoftmaxKind kind) {
  Array<T> y = detail::empty<T>(xv.shape());
  const AxisSplit s(xv.shape(), axis);
  std::vector<T> m(s.inner), sum(s.inner);
  const T* x = xv.data();
  T* out = y.data();
  for (std::size_t o = 0; o < s.outer; ++o) {
    max_and_sum(x, s, o, false, m.data(), sum.data());
    const std::size_t base = s.base(o, 0);
    if (kind == SoftmaxKind::kSoftmax) {
      for (std::size_t i = 0; i < s.inner; ++i) sum[i] = T(1) / sum[i];
      for (std::size_t k = 0; k < s.n; ++k) {
        const std::size_t r = base + k * s.inner;
        for (std::size_t i = 0; i < s.inner; ++i) out[r + i] = std::exp(x[r + i] - m[i]) * sum[i];
      }
    } else {
      // (x - m) - log(s) rather than x - (m + log(s)): x - m is exact for nearby values.
      for (std::size_t i = 0; i < s.inner; ++i) sum[i] = std::log(sum[i]);
      for (std::size_t k = 0; k < s.n; ++k) {
        const std::size_t r = base + k * s.inner;
        for (std::size_t i = 0; i < s.inner; ++i) out[r + i] = (x[r + i] - m[i]) - sum[i];
      }
    }
  }
  return y;
}

/// The backward of softmax and log_softmax: per slice along the axis, r = sum_k h(g_k, y_k),
/// then dx_j = f(g_j, y_j, r).
template <class T, class H, class F>
Array<T> softmax_backward(const Array<T>& gv, const Array<T>& yv, std::size_t axis, H h, F f) {
  Array<T> dx = detail::empty<T>(yv.shape());
  const AxisSplit s(yv.shape(), axis);
  std::vector<T> r(s.inner);
  const T* y = yv.data();
  const T* g = gv.data();
  T* d = dx.data();
  for (std::size_t o = 0; o < s.outer; ++o) {
    const std::size_t base = s.base(o, 0);
    std::fill(r.begin(), r.end(), T(0));
    for (std::size_t k = 0; k < s.n; ++k) {
      const std::size_t row = base + k * s.inner;
      for (std::size_t i = 0; i < s.inner; ++i) r[i] += h(g[row + i], y[row + i]);
    }
    for (std::size_t k = 0; k < s.n; ++k) {
      const std::size_t row = base + k * s.inner;
      for (std::size_t i = 0; i < s.inner; ++i) d[row + i] = f(g[row + i], y[row + i], r[i]);
    }
  }
  return dx;
}

}  // namespace

namespace {
template <class T>
struct SoftmaxOp {  // y_j = e^(x_j) / sum_k e^(x_k) along `axis`
  static constexpr const char* name = "softmax";
  std::size_t axis;
  Array<T> forward(const Array<T>& x) const {
    return softmax_forward(x, axis, SoftmaxKind::kSoftmax);
  }
  void backward(BackwardCtx<T>& c) const {
    // dy_k/dx_j = y_k (delta_kj - y_j), so dx_j = sum_k g_k y_k (delta_kj - y_j)
    //                                           = y_j (g_j - sum_k g_k y_k).
    c.add(0, softmax_backward(
                 c.gy(), c.y(), axis, [](T g, T y) { return g * y; },
                 [](T g, T y, T r) { return y * (g - r); }));
  }
};
}  // namespace
template <class T>
BasicTensor<T> softmax(const BasicTensor<T>& x, std::int64_t axis) {
  detail::check_defined(SoftmaxOp<T>::name, x);
  return apply(SoftmaxOp<T>{detail::normalize_axis(SoftmaxOp<T>::name, axis, x.dim())}, x);
}

namespace {
template <class T>
struct LogSoftmaxOp {  // y_j = x_j - log sum_k e^(x_k) along `axis`
  static constexpr const char* name = "log_softmax";
  std::size_t axis;
  Array<T> forward(const Array<T>& x) const {
    return softmax_forward(x, axis, SoftmaxKind::kLogSoftmax);
  }
  void backward(BackwardCtx<T>& c) const {
    // y_k = x_k - lse(x), d lse/dx_j = softmax_j = exp(y_j): dx_j = g_j - exp(y_j) sum_k g_k.
    c.add(0, softmax_backward(
                 c.gy(), c.y(), axis, [](T g, T /*y*/) { return g; },
                 [](T g, T y, T r) { return g - std::exp(y) * r; }));
  }
};
}  // namespace
template <class T>
BasicTensor<T> log_softmax(const BasicTensor<T>& x, std::int64_t axis) {
  detail::check_defined(LogSoftmaxOp<T>::name, x);
  return apply(LogSoftmaxOp<T>{detail::normalize_axis(LogSoftmaxOp<T>::name, axis, x.dim())}, x);
}

namespace {
template <class T>
struct LogSumExpOp {  // y = log sum_k e^(x_k) along `axis`
  static constexpr const char* name = "logsumexp";
  std::size_t axis;
  bool keepdims;
  Array<T> forward(const Array<T>& x) const {
    const AxisSplit s(x.shape(), axis);
    Array<T> y = detail::empty<T>(detail::reduced_shape(x.shape(), axis, keepdims));
    std::vector<T> m(s.inner), sum(s.inner);
    T* out = y.data();
    for (std::size_t o = 0; o < s.outer; ++o) {
      max_and_sum(x.data(), s, o, true, m.data(), sum.data());
      for (std::size_t i = 0; i < s.inner; ++i) out[o * s.inner + i] = m[i] + std::log(sum[i]);
    }
    return y;
  }
  void backward(BackwardCtx<T>& c) const {
    // dy/dx_k = exp(x_k) / sum_j exp(x_j) = exp(x_k - y). Where y = -inf every x_k is -inf
    // and exp(-inf - -inf) would be nan: the gradient there is 0 (no element contributes).
    const Array<T>& xv = c.x(0);
    const Array<T>& yv = c.y();  // flat index o * inner + i, with or without keepdims
    const Array<T>& gv = c.gy();
    Array<T> dx = detail::empty<T>(xv.shape());
    const AxisSplit s(xv.shape(), axis);
    const T* x = xv.data();
    const T* y = yv.data();
    const T* g = gv.data();
    T* d = dx.data();
    const T neg_inf = -std::numeric_limits<T>::infinity();
    for (std::size_t o = 0; o < s.outer; ++o) {
      const std::size_t base = s.base(o, 0);
      const T* yo = y + o * s.inner;
      const T* go = g + o * s.inner;
      for (std::size_t k = 0; k < s.n; ++k) {
        const std::size_t r = base + k * s.inner;
        for (std::size_t i = 0; i < s.inner; ++i) {
          d[r + i] = yo[i] == neg_inf ? T(0) : go[i] * std::exp(x[r + i] - yo[i]);
        }
      }
    }
    c.add(0, std::move(dx));
  }
};
}  // namespace
template <class T>
BasicTensor<T> logsumexp(const BasicTensor<T>& x, std::int64_t axis, bool keepdims) {
  detail::check_defined(LogSumExpOp<T>::name, x);
  const std::size_t ax = detail::normalize_axis(LogSumExpOp<T>::name, axis, x.dim());
  return apply(LogSumExpOp<T>{ax, keepdims}, x);
}

// ---- elementwise activations --------------------------------------------------------------

namespace {
template <class T>
struct LeakyReluOp {  // y = x for x > 0, else slope x
  static constexpr const char* name = "leaky_relu";
  T slope;
  Array<T> forward(const Array<T>& x) const {  // nan stays nan
    return detail::map(x, [sl = slope](T v) { return v > T(0) ? v : v * sl; });
  }
  void backward(BackwardCtx<T>& c) const {  // d/dx = 1 for x > 0, else slope
    c.add_map(
        0, [sl = slope](T g, T x) { return x > T(0) ? g : g * sl; }, c.x(0));
  }
};
}  // namespace
template <class T>
BasicTensor<T> leaky_relu(const BasicTensor<T>& x, detail::scalar_t<T> negative_slope) {
  return apply(LeakyReluOp<T>{negative_slope}, x);
}

namespace {
template <class T>
struct ClampOp {  // y = min(max(x, lo), hi)
  static constexpr const char* name = "clamp";
  T lo, hi;
  // max applied last, so that lo > hi gives hi everywhere (PyTorch); nan compares false both
  // times and stays nan.
  Array<T> forward(const Array<T>& x) const {
    return detail::map(x, [l = lo, h = hi](T v) {
      if (v < l) v = l;
      if (v > h) v = h;
      return v;
    });
  }
  void backward(BackwardCtx<T>& c) const {  // d/dx = 1 on [lo, hi] (edges pass, as PyTorch)
    c.add_map(
        0, [l = lo, h = hi](T g, T x) { return (x >= l && x <= h) ? g : T(0); }, c.x(0));
  }
};
}  // namespace
template <class T>
BasicTensor<T> clamp(const BasicTensor<T>& x, detail::scalar_t<T> min, detail::scalar_t<T> max) {
  return apply(ClampOp<T>{min, max}, x);
}

// softplus and log_sigmoid are primitives so that the backward is the single expression
// sigmoid(+-x), with no inf * 0 along the way.

namespace {
template <class T>
struct SoftplusOp {  // y = log(1 + e^x)
  static constexpr const char* name = "softplus";
  // = max(x, 0) + log(1 + e^-|x|): the exponent is <= 0, so e^-|x| is in (0, 1] and never
  // overflows; log1p keeps the tiny result for very negative x.
  Array<T> forward(const Array<T>& x) const {
    return detail::evaluate<T>(
        x.shape(), [&] { return xt::maximum(x, T(0)) + xt::log1p(xt::exp(-xt::abs(x))); });
  }
  void backward(BackwardCtx<T>& c) const {
    // d log(1 + e^x)/dx = e^x / (1 + e^x) = 1 / (1 + e^-x): exactly 0 once e^-x overflows.
    c.add(0,
          detail::evaluate<T>(c.gy().shape(), [&] { return c.gy() / (T(1) + xt::exp(-c.x(0))); }));
  }
};
}  // namespace
template <class T>
BasicTensor<T> softplus(const BasicTensor<T>& x) {
  return apply(SoftplusOp<T>{}, x);
}

namespace {
template <class T>
struct LogSigmoidOp {  // y = -log(1 + e^-x)
  static constexpr const char* name = "log_sigmoid";
  // = min(x, 0) - log(1 + e^-|x|), stable for the same reason as softplus.
  Array<T> forward(const Array<T>& x) const {
    return detail::evaluate<T>(
        x.shape(), [&] { return xt::minimum(x, T(0)) - xt::log1p(xt::exp(-xt::abs(x))); });
  }
  void backward(BackwardCtx<T>& c) const {
    // d -log(1 + e^-x)/dx = e^-x / (1 + e^-x) = 1 / (1 + e^x): exactly 0 once e^x overflows.
    c.add(0,
          detail::evaluate<T>(c.gy().shape(), [&] { return c.gy() / (T(1) + xt::exp(c.x(0))); }));
  }
};
}  // namespace
template <class T>
BasicTensor<T> log_sigmoid(const BasicTensor<T>& x) {
  return apply(LogSigmoidOp<T>{}, x);
}

#define XGRAD_INSTANTIATE(T)                                                                      \
  template BasicTensor<T> softmax(const BasicTensor<T>&, std::int64_t);                           \
  template BasicTensor<T> log_softmax(const BasicTensor<T>&, std::int64_t);                       \
  template BasicTensor<T> logsumexp(const BasicTensor<T>&, std::int64_t, bool);                   \
  template BasicTensor<T> leaky_relu(const BasicTensor<T>&, detail::scalar_t<T>);                 \
  template BasicTensor<T> clamp(const BasicTensor<T>&, detail::scalar_t<T>, detail::scalar_t<T>); \
  template BasicTensor<T> softplus(const BasicTensor<T>&);                                        \
  template BasicTensor<T> log_sigmoid(const BasicTensor<T>&);
XGRAD_INSTANTIATE(float)
XGRAD_INSTANTIATE(double)
#undef XGRAD_INSTANTIATE

}  // namespace xgrad
