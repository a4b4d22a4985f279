// SPDX-License-Identifier: MIT
#include <xgrad/ops/loss.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include <xtensor/xbuilder.hpp>

#include <xgrad/ops/activation.hpp>

#include "../op_node.hpp"

namespace xgrad {

// ---- squared-error losses -----------------------------------------------------------------------

namespace {

template <class T>
void check_same_shape_pred(const char* op, const BasicTensor<T>& pred,
                           const BasicTensor<T>& target) {
  detail::check_defined(op, pred);
  detail::check_defined(op, target);
  if (pred.shape() != target.shape()) {
    throw std::invalid_argument(std::string(op) + ": prediction of shape " +
                                detail::shape_str(pred.shape()) + " and target of shape " +
                                detail::shape_str(target.shape()) + " differ");
  }
}

/// sum((pred - target)^2) * scale: the squared-error losses as one op (sse: scale 1, mse:
/// 1/n), so the tutorial's loss is one node and one pass instead of sub, pow and sum.
struct SquaredErrorOp {
  static constexpr const char* name = "squared_error_loss";
  double scale;
  template <class T>
  void backward(detail::BackwardCtx<T>& c) const {  // d/dpred = 2 scale (pred - target) g
    const T k = T(2) * static_cast<T>(scale) * *c.gy().data();
    const auto& p = c.x(0);
    const auto& t = c.x(1);
    const std::size_t n = p.size();
    for (std::size_t i = 0; i < 2; ++i) {
      if (!c.needs(i)) continue;
      xt::xarray<T> d = detail::empty<T>(p.shape());
      const T ki = i == 0 ? k : -k;
      for (std::size_t e = 0; e < n; ++e) d.data()[e] = ki * (p.data()[e] - t.data()[e]);
      c.add(i, std::move(d));
    }
  }
};

template <class T>
BasicTensor<T> squared_error(const BasicTensor<T>& pred, const BasicTensor<T>& target,
                             double scale) {
  const auto forward = [&] {
    const T* p = pred.value().data();
    const T* t = target.value().data();
    const std::size_t n = pred.size();
    T acc = 0;
    for (std::size_t e = 0; e < n; ++e) acc += (p[e] - t[e]) * (p[e] - t[e]);
    xt::xarray<T> y = detail::empty<T>({});
    *y.data() = acc * static_cast<T>(scale);
    return y;
  };
  return detail::make_result_in_place<T>(forward, SquaredErrorOp{scale}, pred, target);
}

}  // namespace

template <class T>
BasicTensor<T> sse_loss(const BasicTensor<T>& pred, const BasicTensor<T>& target) {
  check_same_shape_pred("sse_loss", pred, target);
  return squared_error(pred, target, 1.0);
}

template <class T>
BasicTensor<T> mse_loss(const BasicTensor<T>& pred, const BasicTensor<T>& target) {
  check_same_shape_pred("mse_loss", pred, target);
  // The mean of no elements is NaN, as in PyTorch (0 * inf).
  const std::size_t n = pred.size();
  return squared_error(
      pred, target,
      n > 0 ? 1.0 / static_cast<double>(n) : std::numeric_limits<double>::quiet_NaN());
}

#define XGRAD_INSTANTIATE(T)                                                      \
  template BasicTensor<T> sse_loss(const BasicTensor<T>&, const BasicTensor<T>&); \
  template BasicTensor<T> mse_loss(const BasicTensor<T>&, const BasicTensor<T>&);
XGRAD_INSTANTIATE(float)
XGRAD_INSTANTIATE(double)
#undef XGRAD_INSTANTIATE

// ---- classification losses ----------------------------------------------------------------------

namespace {

using detail::BackwardCtx;

template <class T>
void check_same_shape(const char* op, const BasicTensor<T>& input, const BasicTensor<T>& target) {
  detail::check_defined(op, input);
  detail::check_defined(op, target);
  if (input.shape() != target.shape()) {
    throw std::invalid_argument(std::string(op) + ": input of shape " +
                                detail::shape_str(input.shape()) + " and target of shape " +
                                detail::shape_str(target.shape()) + " differ");
  }
}

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
xt::xarray<T> scalar_array(double v) {
  xt::xarray<T> y = detail::empty<T>({});
  y() = static_cast<T>(v);
  return y;
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

struct BceOp {
  static constexpr const char* name = "binary_cross_entropy";
  template <class T>
  void backward(BackwardCtx<T>& c) const {
    const xt::xarray<T>& p = c.x(0);
    const xt::xarray<T>& y = c.x(1);
    const std::size_t n = p.size();
    const T scale = mean_scale(c, n);
    if (c.needs(0)) {
      // d/dp of -(y log p + (1-y) log(1-p)) = -y/p + (1-y)/(1-p) = (p - y) / (p (1 - p)); the
      // denominator is kept >= 1e-12 as in PyTorch so p = 0 or 1 gives a large finite value.
      xt::xarray<T> dp = detail::empty<T>(p.shape());
      for (std::size_t j = 0; j < n; ++j) {
        const T pj = p.data()[j];
        dp.data()[j] = scale * (pj - y.data()[j]) / std::max(pj * (T(1) - pj), T(1e-12));
      }
      c.add(0, std::move(dp));
    }
    if (c.needs(1)) {
      // The loss is linear in y: d/dy = -(clog p - clog(1-p)), with the same clamped logs.
      xt::xarray<T> dy = detail::empty<T>(y.shape());
      for (std::size_t j = 0; j < n; ++j) {
        const T pj = p.data()[j];
        dy.data()[j] = scale * (clamped_log1m(pj) - clamped_log(pj));
      }
      c.add(1, std::move(dy));
    }
  }
};

struct BceWithLogitsOp {
  static constexpr const char* name = "binary_cross_entropy_with_logits";
  template <class T>
  void backward(BackwardCtx<T>& c) const {
    // d/dx of softplus(x) - x y = sigmoid(x) - y; d/dy = -x. Each over n for the mean.
    const xt::xarray<T>& x = c.x(0);
    const xt::xarray<T>& y = c.x(1);
    const std::size_t n = x.size();
    const T scale = mean_scale(c, n);
    if (c.needs(0)) {
      xt::xarray<T> dx = detail::empty<T>(x.shape());
      for (std::size_t j = 0; j < n; ++j) {
        const T s = T(1) / (T(1) + std::exp(-x.data()[j]));  // 0 or 1 exactly when saturated
        dx.data()[j] = scale * (s - y.data()[j]);
      }
      c.add(0, std::move(dx));
    }
    if (c.needs(1)) {
      xt::xarray<T> dy = detail::empty<T>(y.shape());
      for (std::size_t j = 0; j < n; ++j) dy.data()[j] = -scale * x.data()[j];
      c.add(1, std::move(dy));
    }
  }
};

struct NllLossOp {
  static constexpr const char* name = "nll_loss";
  std::vector<std::size_t> classes;
  template <class T>
  void backward(BackwardCtx<T>& c) const {
    // loss = -(1/N) sum_i x[i, c_i]: d/dx[i, c_i] = -1/N, 0 elsewhere.
    const Shape& shape = c.x_shape(0);
    const std::size_t rows = shape[0], cols = shape[1];
    const T v = -mean_scale(c, rows);
    xt::xarray<T> dx = xt::zeros<T>(shape);
    for (std::size_t i = 0; i < rows; ++i) dx.data()[i * cols + classes[i]] = v;
    c.add(0, std::move(dx));
  }
};

}  // namespace

template <class T>
BasicTensor<T> binary_cross_entropy(const BasicTensor<T>& probs, const BasicTensor<T>& target) {
  check_same_shape(BceOp::name, probs, target);
  const T* p = probs.value().data();
  const T* y = target.value().data();
  const std::size_t n = probs.size();
  double acc = 0;  // accumulated in double: float sums of many terms drift
  for (std::size_t j = 0; j < n; ++j) {
    if (!(p[j] >= T(0) && p[j] <= T(1))) {
      throw std::invalid_argument(
          "binary_cross_entropy: every element of probs must be in [0, 1], but element " +
          std::to_string(j) + " (flat index, shape " + detail::shape_str(probs.shape()) + ") is " +
          std::to_string(p[j]));
    }
    // -(y log p + (1 - y) log(1 - p)), written as PyTorch does.
    acc += static_cast<double>((y[j] - T(1)) * clamped_log1m(p[j]) - y[j] * clamped_log(p[j]));
  }
  const double loss =
      n == 0 ? std::numeric_limits<double>::quiet_NaN() : acc / static_cast<double>(n);
  return detail::make_result(scalar_array<T>(loss), BceOp{}, probs, target);
}

template <class T>
BasicTensor<T> binary_cross_entropy_with_logits(const BasicTensor<T>& logits,
                                                const BasicTensor<T>& target) {
  check_same_shape(BceWithLogitsOp::name, logits, target);
  const T* x = logits.value().data();
  const T* y = target.value().data();
  const std::size_t n = logits.size();
  double acc = 0;
  for (std::size_t j = 0; j < n; ++j) {
    // log(1 + e^x) - x y with log(1 + e^x) = max(x, 0) + log1p(e^-|x|): the exponent is <= 0,
    // so nothing overflows, e.g. x = +-100 in float.
    const T xj = x[j];
    acc +=
        static_cast<double>(std::max(xj, T(0)) - xj * y[j] + std::log1p(std::exp(-std::abs(xj))));
  }
  const double loss =
      n == 0 ? std::numeric_limits<double>::quiet_NaN() : acc / static_cast<double>(n);
  return detail::make_result(scalar_array<T>(loss), BceWithLogitsOp{}, logits, target);
}

template <class T>
BasicTensor<T> nll_loss(const BasicTensor<T>& log_probs,
                        const std::vector<std::size_t>& class_indices) {
  check_classes(NllLossOp::name, log_probs, class_indices);
  const std::size_t rows = log_probs.shape()[0], cols = log_probs.shape()[1];
  const T* x = log_probs.value().data();
  double acc = 0;
  for (std::size_t i = 0; i < rows; ++i) acc -= static_cast<double>(x[i * cols + class_indices[i]]);
  const double loss =
      rows == 0 ? std::numeric_limits<double>::quiet_NaN() : acc / static_cast<double>(rows);
  return detail::make_result(scalar_array<T>(loss), NllLossOp{class_indices}, log_probs);
}

template <class T>
BasicTensor<T> cross_entropy(const BasicTensor<T>& logits,
                             const std::vector<std::size_t>& class_indices) {
  // Composite: log_softmax is the stable primitive, nll_loss picks the entries; both have
  // their own backward, which compose to (softmax - onehot) / N.
  check_classes("cross_entropy", logits, class_indices);
  return nll_loss(log_softmax(logits, 1), class_indices);
}

#define XGRAD_INSTANTIATE(T)                                                                     \
  template BasicTensor<T> binary_cross_entropy(const BasicTensor<T>&, const BasicTensor<T>&);    \
  template BasicTensor<T> binary_cross_entropy_with_logits(const BasicTensor<T>&,                \
                                                           const BasicTensor<T>&);               \
  template BasicTensor<T> cross_entropy(const BasicTensor<T>&, const std::vector<std::size_t>&); \
  template BasicTensor<T> nll_loss(const BasicTensor<T>&, const std::vector<std::size_t>&);
XGRAD_INSTANTIATE(float)
XGRAD_INSTANTIATE(double)
#undef XGRAD_INSTANTIATE

}  // namespace xgrad
