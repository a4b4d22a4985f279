// SPDX-License-Identifier: MIT
#include <xgrad/ops/loss.hpp>

#include <limits>
#include <stdexcept>

#include "../op_node.hpp"

namespace xgrad {
namespace {

template <class T>
void check_same_shape(const char* op, const BasicTensor<T>& pred, const BasicTensor<T>& target) {
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
  check_same_shape("sse_loss", pred, target);
  return squared_error(pred, target, 1.0);
}

template <class T>
BasicTensor<T> mse_loss(const BasicTensor<T>& pred, const BasicTensor<T>& target) {
  check_same_shape("mse_loss", pred, target);
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

}  // namespace xgrad
