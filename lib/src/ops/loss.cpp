// SPDX-License-Identifier: MIT
// Losses: each is its struct (forward, then backward) and its public function right below it
// (see lib/src/op.hpp). Sums are accumulated in double: float sums of many terms drift.
#include <xgrad/ops/loss.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include <xtensor/xbuilder.hpp>

#include <xgrad/ops/activation.hpp>

#include "../op.hpp"

namespace xgrad {
namespace {

using detail::BackwardCtx;

/// Checks an (N,C) input against N class indices, each < C.
template <class T>
void check_classes(const char* op, const BasicTensor<T>& input,
                   const std::vector<std::size_t>& class_indices) {
  detail::check_defined(op, input);
  const Shape& shape = input.shape();
  if (shape.size() != 2) {
    throw std::invalid_argument(std::string(op) + ": expects an input of shape (N,C), got " +
                                detail::shape_str(shape));
  }
  if (class_indices.size() != shape[0]) {
    throw std::invalid_argument(std::string(op) + ": " + std::to_string(class_indices.size()) +
                                " class indices for an input of shape " + detail::shape_str(shape) +
                                " (one per row expected)");
  }
  for (std::size_t i = 0; i < class_indices.size(); ++i) {
    if (class_indices[i] >= shape[1]) {
      throw std::out_of_range(std::string(op) + ": class index " +
                              std::to_string(class_indices[i]) + " of row " + std::to_string(i) +
                              " is out of range for " + std::to_string(shape[1]) +
                              " classes (input shape " + detail::shape_str(shape) + ")");
    }
  }
}

/// A 0-d array holding `v`.
template <class T>
Array<T> scalar_array(double v) {
  Array<T> y = detail::empty<T>({});
  y() = static_cast<T>(v);
  return y;
}

/// acc / n for a mean over n elements, nan for n = 0 (as PyTorch).
double mean_of(double acc, std::size_t n) {
  return n == 0 ? std::numeric_limits<double>::quiet_NaN() : acc / static_cast<double>(n);
}

/// g / n for a mean over n elements (nan for n = 0, never used then: no element to scale).
template <class T>
T mean_scale(const BackwardCtx<T>& c, std::size_t n) {
  return c.gy()() / static_cast<T>(n);
}

/// log clamped at -100 as PyTorch's binary_cross_entropy does, so log(0) costs 100, not inf.
template <class T>
T clamped_log(T v) {
  return std::max(std::log(v), T(-100));
}
template <class T>
T clamped_log1m(T v) {  // log(1 - v)
  return std::max(std::log1p(-v), T(-100));
}

}  // namespace

namespace {
// sse and mse as one op, so that the tutorial's loss is one node and one pass instead of sub,
// pow and sum.
template <class T>
struct SquaredErrorOp {  // y = scale * sum((pred - target)^2): sse scale 1, mse 1/n
  static constexpr const char* name = "squared_error_loss";
  T scale;
  Array<T> forward(const Array<T>& pred, const Array<T>& target) const {
    const T* p = pred.data();
    const T* t = target.data();
    const std::size_t n = pred.size();
    T acc = 0;
    for (std::size_t e = 0; e < n; ++e) acc += (p[e] - t[e]) * (p[e] - t[e]);
    Array<T> y = detail::empty<T>({});
    *y.data() = acc * scale;
    return y;
  }
  void backward(BackwardCtx<T>& c) const {  // d/dpred = 2 scale (pred - target) g = -d/dtarget
    const T k = T(2) * scale * *c.gy().data();
    const auto& p = c.x(0);
    const auto& t = c.x(1);
    const std::size_t n = p.size();
    for (std::size_t i = 0; i < 2; ++i) {
      if (!c.needs(i)) continue;
      Array<T> d = detail::empty<T>(p.shape());
      const T ki = i == 0 ? k : -k;
      for (std::size_t e = 0; e < n; ++e) d.data()[e] = ki * (p.data()[e] - t.data()[e]);
      c.add(i, std::move(d));
    }
  }
};
}  // namespace
template <class T>
BasicTensor<T> sse_loss(const BasicTensor<T>& pred, const BasicTensor<T>& target) {
  detail::check_same_shape("sse_loss", pred, target);
  return apply(SquaredErrorOp<T>{T(1)}, pred, target);
}
template <class T>
BasicTensor<T> mse_loss(const BasicTensor<T>& pred, const BasicTensor<T>& target) {
  detail::check_same_shape("mse_loss", pred, target);
  // The mean of no elements is NaN, as in PyTorch (0 * inf).
  const std::size_t n = pred.size();
  const double scale =
      n > 0 ? 1.0 / static_cast<double>(n) : std::numeric_limits<double>::quiet_NaN();
  return apply(SquaredErrorOp<T>{static_cast<T>(scale)}, pred, target);
}

namespace {
template <class T>
struct BceOp {  // y = mean(-(t log p + (1 - t) log(1 - p))), logs clamped at -100
  static constexpr const char* name = "binary_cross_entropy";
  Array<T> forward(const Array<T>& probs, const Array<T>& target) const {
    const T* p = probs.data();
    const T* y = target.data();
    const std::size_t n = probs.size();
    double acc = 0;
    for (std::size_t j = 0; j < n; ++j) {
      if (!(p[j] >= T(0) && p[j] <= T(1))) {
        throw std::invalid_argument(
            "binary_cross_entropy: every element of probs must be in [0, 1], but element " +
            std::to_string(j) + " (flat index, shape " + detail::shape_str(probs.shape()) +
            ") is " + std::to_string(p[j]));
      }
      // -(y log p + (1 - y) log(1 - p)), written as PyTorch does.
      acc += static_cast<double>((y[j] - T(1)) * clamped_log1m(p[j]) - y[j] * clamped_log(p[j]));
    }
    return scalar_array<T>(mean_of(acc, n));
  }
  void backward(BackwardCtx<T>& c) const {
    const Array<T>& p = c.x(0);
    const Array<T>& y = c.x(1);
    const T scale = mean_scale(c, p.size());
    // d/dp of -(y log p + (1-y) log(1-p)) = -y/p + (1-y)/(1-p) = (p - y) / (p (1 - p)); the
    // denominator is kept >= 1e-12 as in PyTorch so p = 0 or 1 gives a large finite value.
    if (c.needs(0)) {
      c.add(0, detail::map(
                   p,
                   [scale](T pj, T yj) {
                     return scale * (pj - yj) / std::max(pj * (T(1) - pj), T(1e-12));
                   },
                   y));
    }
    // The loss is linear in y: d/dy = -(clog p - clog(1-p)), with the same clamped logs.
    if (c.needs(1)) {
      c.add(1, detail::map(
                   p, [scale](T pj) { return scale * (clamped_log1m(pj) - clamped_log(pj)); }));
    }
  }
};
}  // namespace
template <class T>
BasicTensor<T> binary_cross_entropy(const BasicTensor<T>& probs, const BasicTensor<T>& target) {
  detail::check_same_shape(BceOp<T>::name, probs, target);
  return apply(BceOp<T>{}, probs, target);
}

namespace {
// Primitive for stability: no sigmoid that rounds to 0 or 1.
template <class T>
struct BceWithLogitsOp {  // y = mean(softplus(x) - x t)
  static constexpr const char* name = "binary_cross_entropy_with_logits";
  Array<T> forward(const Array<T>& logits, const Array<T>& target) const {
    const T* x = logits.data();
    const T* y = target.data();
    const std::size_t n = logits.size();
    double acc = 0;
    for (std::size_t j = 0; j < n; ++j) {
      // log(1 + e^x) - x y with log(1 + e^x) = max(x, 0) + log1p(e^-|x|): the exponent is
      // <= 0, so nothing overflows, e.g. x = +-100 in float.
      const T xj = x[j];
      acc +=
          static_cast<double>(std::max(xj, T(0)) - xj * y[j] + std::log1p(std::exp(-std::abs(xj))));
    }
    return scalar_array<T>(mean_of(acc, n));
  }
  void backward(BackwardCtx<T>& c) const {  // d/dx = sigmoid(x) - t, d/dt = -x; each over n
    const Array<T>& x = c.x(0);
    const T scale = mean_scale(c, x.size());
    if (c.needs(0)) {
      c.add(0, detail::map(
                   x,
                   [scale](T xj, T yj) {
                     return scale * (T(1) / (T(1) + std::exp(-xj)) - yj);  // 0 or 1 when saturated
                   },
                   c.x(1)));
    }
    if (c.needs(1)) c.add(1, detail::map(x, [scale](T xj) { return -scale * xj; }));
  }
};
}  // namespace
template <class T>
BasicTensor<T> binary_cross_entropy_with_logits(const BasicTensor<T>& logits,
                                                const BasicTensor<T>& target) {
  detail::check_same_shape(BceWithLogitsOp<T>::name, logits, target);
  return apply(BceWithLogitsOp<T>{}, logits, target);
}

namespace {
template <class T>
struct NllLossOp {  // y = -(1/N) sum_i x[i, c_i]
  static constexpr const char* name = "nll_loss";
  std::vector<std::size_t> classes;  // validated by nll_loss()
  Array<T> forward(const Array<T>& log_probs) const {
    const std::size_t rows = log_probs.shape()[0], cols = log_probs.shape()[1];
    const T* x = log_probs.data();
    double acc = 0;
    for (std::size_t i = 0; i < rows; ++i) acc -= static_cast<double>(x[i * cols + classes[i]]);
    return scalar_array<T>(mean_of(acc, rows));
  }
  void backward(BackwardCtx<T>& c) const {  // d/dx[i, c_i] = -1/N, 0 elsewhere
    const Shape& shape = c.x_shape(0);
    const std::size_t rows = shape[0], cols = shape[1];
    const T v = -mean_scale(c, rows);
    Array<T> dx = xt::zeros<T>(shape);
    for (std::size_t i = 0; i < rows; ++i) dx.data()[i * cols + classes[i]] = v;
    c.add(0, std::move(dx));
  }
};
}  // namespace
template <class T>
BasicTensor<T> nll_loss(const BasicTensor<T>& log_probs,
                        const std::vector<std::size_t>& class_indices) {
  check_classes(NllLossOp<T>::name, log_probs, class_indices);
  return apply(NllLossOp<T>{class_indices}, log_probs);
}

// Composite: log_softmax is the stable primitive, nll_loss picks the entries; both have their
// own backward, which compose to (softmax - onehot) / N.
template <class T>
BasicTensor<T> cross_entropy(const BasicTensor<T>& logits,
                             const std::vector<std::size_t>& class_indices) {
  check_classes("cross_entropy", logits, class_indices);
  return nll_loss(log_softmax(logits, 1), class_indices);
}

#define XGRAD_INSTANTIATE(T)                                                                     \
  template BasicTensor<T> sse_loss(const BasicTensor<T>&, const BasicTensor<T>&);                \
  template BasicTensor<T> mse_loss(const BasicTensor<T>&, const BasicTensor<T>&);                \
  template BasicTensor<T> binary_cross_entropy(const BasicTensor<T>&, const BasicTensor<T>&);    \
  template BasicTensor<T> binary_cross_entropy_with_logits(const BasicTensor<T>&,                \
                                                           const BasicTensor<T>&);               \
  template BasicTensor<T> cross_entropy(const BasicTensor<T>&, const std::vector<std::size_t>&); \
  template BasicTensor<T> nll_loss(const BasicTensor<T>&, const std::vector<std::size_t>&);
XGRAD_INSTANTIATE(float)
XGRAD_INSTANTIATE(double)
#undef XGRAD_INSTANTIATE

}  // namespace xgrad
