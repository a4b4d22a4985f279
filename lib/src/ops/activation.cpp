// SPDX-License-Identifier: MIT
#include <xgrad/ops/activation.hpp>

#include <cmath>
#include <limits>
#include <vector>

#include <xtensor/xmath.hpp>
#include <xtensor/xoperation.hpp>

#include "../op_node.hpp"
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
xt::xarray<T> softmax_forward(const xt::xarray<T>& xv, std::size_t axis, SoftmaxKind kind) {
  xt::xarray<T> y = detail::empty<T>(xv.shape());
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

struct SoftmaxOp {
  static constexpr const char* name = "softmax";
  std::size_t axis;
  template <class T>
  void backward(BackwardCtx<T>& c) const {
    // dy_k/dx_j = y_k (delta_kj - y_j), so dx_j = sum_k g_k y_k (delta_kj - y_j)
    //                                           = y_j (g_j - sum_k g_k y_k).
    const xt::xarray<T>& yv = c.y();
    const xt::xarray<T>& gv = c.gy();
    xt::xarray<T> dx = detail::empty<T>(yv.shape());
    const AxisSplit s(yv.shape(), axis);
    std::vector<T> dot(s.inner);
    const T* y = yv.data();
    const T* g = gv.data();
    T* d = dx.data();
    for (std::size_t o = 0; o < s.outer; ++o) {
      const std::size_t base = s.base(o, 0);
      std::fill(dot.begin(), dot.end(), T(0));
      for (std::size_t k = 0; k < s.n; ++k) {
        const std::size_t r = base + k * s.inner;
        for (std::size_t i = 0; i < s.inner; ++i) dot[i] += g[r + i] * y[r + i];
      }
      for (std::size_t k = 0; k < s.n; ++k) {
        const std::size_t r = base + k * s.inner;
        for (std::size_t i = 0; i < s.inner; ++i) d[r + i] = y[r + i] * (g[r + i] - dot[i]);
      }
    }
    c.add(0, std::move(dx));
  }
};

struct LogSoftmaxOp {
  static constexpr const char* name = "log_softmax";
  std::size_t axis;
  template <class T>
  void backward(BackwardCtx<T>& c) const {
    // y_k = x_k - lse(x), d lse/dx_j = softmax_j = exp(y_j): dx_j = g_j - exp(y_j) sum_k g_k.
    const xt::xarray<T>& yv = c.y();
    const xt::xarray<T>& gv = c.gy();
    xt::xarray<T> dx = detail::empty<T>(yv.shape());
    const AxisSplit s(yv.shape(), axis);
    std::vector<T> gsum(s.inner);
    const T* y = yv.data();
    const T* g = gv.data();
    T* d = dx.data();
    for (std::size_t o = 0; o < s.outer; ++o) {
      const std::size_t base = s.base(o, 0);
      std::fill(gsum.begin(), gsum.end(), T(0));
      for (std::size_t k = 0; k < s.n; ++k) {
        const std::size_t r = base + k * s.inner;
        for (std::size_t i = 0; i < s.inner; ++i) gsum[i] += g[r + i];
      }
      for (std::size_t k = 0; k < s.n; ++k) {
        const std::size_t r = base + k * s.inner;
        for (std::size_t i = 0; i < s.inner; ++i)
          d[r + i] = g[r + i] - std::exp(y[r + i]) * gsum[i];
      }
    }
    c.add(0, std::move(dx));
  }
};

struct LogSumExpOp {
  static constexpr const char* name = "logsumexp";
  std::size_t axis;
  template <class T>
  void backward(BackwardCtx<T>& c) const {
    // dy/dx_k = exp(x_k) / sum_j exp(x_j) = exp(x_k - y). Where y = -inf every x_k is -inf
    // and exp(-inf - -inf) would be nan: the gradient there is 0 (no element contributes).
    const xt::xarray<T>& xv = c.x(0);
    const xt::xarray<T>& yv = c.y();  // flat index o * inner + i, with or without keepdims
    const xt::xarray<T>& gv = c.gy();
    xt::xarray<T> dx = detail::empty<T>(xv.shape());
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

// ---- elementwise activations --------------------------------------------------------------

struct LeakyReluOp {
  static constexpr const char* name = "leaky_relu";
  double slope;
  template <class T>
  void backward(BackwardCtx<T>& c) const {  // d/dx = 1 for x > 0, else slope
    const xt::xarray<T>& xv = c.x(0);
    xt::xarray<T> dx = c.take_gy();
    const T sl = static_cast<T>(slope);
    const T* x = xv.data();
    T* d = dx.data();
    for (std::size_t j = 0; j < dx.size(); ++j) d[j] = x[j] > T(0) ? d[j] : d[j] * sl;
    c.add(0, std::move(dx));
  }
};

struct ClampOp {
  static constexpr const char* name = "clamp";
  double lo, hi;
  template <class T>
  void backward(BackwardCtx<T>& c) const {  // d/dx = 1 on [lo, hi] (edges pass, as PyTorch)
    const xt::xarray<T>& xv = c.x(0);
    xt::xarray<T> dx = c.take_gy();
    const T l = static_cast<T>(lo), h = static_cast<T>(hi);
    const T* x = xv.data();
    T* d = dx.data();
    for (std::size_t j = 0; j < dx.size(); ++j) d[j] = (x[j] >= l && x[j] <= h) ? d[j] : T(0);
    c.add(0, std::move(dx));
  }
};

struct SoftplusOp {
  static constexpr const char* name = "softplus";
  template <class T>
  void backward(BackwardCtx<T>& c) const {
    // d log(1 + e^x)/dx = e^x / (1 + e^x) = 1 / (1 + e^-x): exactly 0 once e^-x overflows.
    const xt::xarray<T>& x = c.x(0);
    c.add(0, xt::xarray<T>(c.gy() / (T(1) + xt::exp(-x))));
  }
};

struct LogSigmoidOp {
  static constexpr const char* name = "log_sigmoid";
  template <class T>
  void backward(BackwardCtx<T>& c) const {
    // d -log(1 + e^-x)/dx = e^-x / (1 + e^-x) = 1 / (1 + e^x): exactly 0 once e^x overflows.
    const xt::xarray<T>& x = c.x(0);
    c.add(0, xt::xarray<T>(c.gy() / (T(1) + xt::exp(x))));
  }
};

}  // namespace

template <class T>
BasicTensor<T> softmax(const BasicTensor<T>& x, std::int64_t axis) {
  detail::check_defined(SoftmaxOp::name, x);
  const std::size_t ax = detail::normalize_axis(SoftmaxOp::name, axis, x.dim());
  return detail::make_result(softmax_forward(x.value(), ax, SoftmaxKind::kSoftmax), SoftmaxOp{ax},
                             x);
}

template <class T>
BasicTensor<T> log_softmax(const BasicTensor<T>& x, std::int64_t axis) {
  detail::check_defined(LogSoftmaxOp::name, x);
  const std::size_t ax = detail::normalize_axis(LogSoftmaxOp::name, axis, x.dim());
  return detail::make_result(softmax_forward(x.value(), ax, SoftmaxKind::kLogSoftmax),
                             LogSoftmaxOp{ax}, x);
}

template <class T>
BasicTensor<T> logsumexp(const BasicTensor<T>& x, std::int64_t axis, bool keepdims) {
  detail::check_defined(LogSumExpOp::name, x);
  const std::size_t ax = detail::normalize_axis(LogSumExpOp::name, axis, x.dim());
  const AxisSplit s(x.shape(), ax);
  xt::xarray<T> y = detail::empty<T>(detail::reduced_shape(x.shape(), ax, keepdims));
  std::vector<T> m(s.inner), sum(s.inner);
  T* out = y.data();
  for (std::size_t o = 0; o < s.outer; ++o) {
    max_and_sum(x.value().data(), s, o, true, m.data(), sum.data());
    for (std::size_t i = 0; i < s.inner; ++i) out[o * s.inner + i] = m[i] + std::log(sum[i]);
  }
  return detail::make_result(std::move(y), LogSumExpOp{ax}, x);
}

template <class T>
BasicTensor<T> leaky_relu(const BasicTensor<T>& x, detail::scalar_t<T> negative_slope) {
  detail::check_defined(LeakyReluOp::name, x);
  xt::xarray<T> y = x.value();
  for (T& v : y) v = v > T(0) ? v : v * negative_slope;  // nan stays nan
  return detail::make_result(std::move(y), LeakyReluOp{static_cast<double>(negative_slope)}, x);
}

template <class T>
BasicTensor<T> clamp(const BasicTensor<T>& x, detail::scalar_t<T> min, detail::scalar_t<T> max) {
  detail::check_defined(ClampOp::name, x);
  xt::xarray<T> y = x.value();
  // max applied last, so that min > max gives max everywhere (PyTorch); nan compares false
  // both times and stays nan.
  for (T& v : y) {
    if (v < min) v = min;
    if (v > max) v = max;
  }
  return detail::make_result(std::move(y),
                             ClampOp{static_cast<double>(min), static_cast<double>(max)}, x);
}

template <class T>
BasicTensor<T> softplus(const BasicTensor<T>& x) {
  detail::check_defined(SoftplusOp::name, x);
  // log(1 + e^x) = max(x, 0) + log(1 + e^-|x|): the exponent is <= 0, so e^-|x| is in (0, 1]
  // and never overflows; log1p keeps the tiny result for very negative x. Primitive so the
  // backward is the single expression sigmoid(x), with no inf * 0 along the way.
  auto y = detail::evaluate<T>(x.shape(), [&] {
    const auto& v = x.value();
    return xt::maximum(v, T(0)) + xt::log1p(xt::exp(-xt::abs(v)));
  });
  return detail::make_result(std::move(y), SoftplusOp{}, x);
}

template <class T>
BasicTensor<T> log_sigmoid(const BasicTensor<T>& x) {
  detail::check_defined(LogSigmoidOp::name, x);
  // -log(1 + e^-x) = min(x, 0) - log(1 + e^-|x|), stable for the same reason as softplus.
  auto y = detail::evaluate<T>(x.shape(), [&] {
    const auto& v = x.value();
    return xt::minimum(v, T(0)) - xt::log1p(xt::exp(-xt::abs(v)));
  });
  return detail::make_result(std::move(y), LogSigmoidOp{}, x);
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
