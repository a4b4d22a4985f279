// SPDX-License-Identifier: MIT
#include <xgrad/ops/loss.hpp>

#include <stdexcept>

#include <xgrad/ops/binary.hpp>
#include <xgrad/ops/elementwise.hpp>
#include <xgrad/ops/reduce.hpp>

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

}  // namespace

template <class T>
BasicTensor<T> sse_loss(const BasicTensor<T>& pred, const BasicTensor<T>& target) {
  check_same_shape("sse_loss", pred, target);
  return sum(pow(target - pred, T(2)));
}

template <class T>
BasicTensor<T> mse_loss(const BasicTensor<T>& pred, const BasicTensor<T>& target) {
  check_same_shape("mse_loss", pred, target);
  return mean(pow(pred - target, T(2)));
}

#define XGRAD_INSTANTIATE(T)                                                      \
  template BasicTensor<T> sse_loss(const BasicTensor<T>&, const BasicTensor<T>&); \
  template BasicTensor<T> mse_loss(const BasicTensor<T>&, const BasicTensor<T>&);
XGRAD_INSTANTIATE(float)
XGRAD_INSTANTIATE(double)
#undef XGRAD_INSTANTIATE

}  // namespace xgrad
