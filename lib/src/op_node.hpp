// SPDX-License-Identifier: MIT
#pragma once
// Internal machinery shared by the op implementations (not installed).
//
// An op is a struct `FooOp` with
//   static constexpr const char* name = "foo";
//   template <class T> void backward(detail::BackwardCtx<T>& ctx) const;
// plus whatever state backward needs (scalars, shapes, saved arrays) as members. Its public
// function passes the forward computation to `make_result_in_place` (or computes the value
// first and calls `make_result`, when the op's state comes out of that computation), which
// records an OpNode<T, FooOp> only when grad mode is on and some input requires grad.

#include <stdexcept>
#include <string>
#include <utility>

#include <xgrad/node.hpp>
#include <xgrad/tensor.hpp>

#include "shape_util.hpp"

namespace xgrad::detail {

/// What an op's backward sees: the upstream gradient, its output and inputs, and where to put
/// the input gradients.
template <class T>
class BackwardCtx {
 public:
  using Array = xt::xarray<T>;

  explicit BackwardCtx(Node<T>& node) noexcept : node_(node) {}

  /// The upstream gradient d loss / d y (shape of y).
  const Array& gy() const noexcept { return *node_.grad_; }
  /// The upstream gradient as an rvalue (it is discarded after backward anyway): lets ops such
  /// as add or reshape pass it on without a copy, and elementwise rules update it in place and
  /// hand it to `add`, where it is moved once, into the input. Call it last.
  Array&& take_gy() noexcept { return std::move(*node_.grad_); }
  /// The op's output value (checked against in-place modification).
  const Array& y() const {
    if (node_.version_ != 0) throw_modified("its output", node_.version_, 0);
    return node_.value_;
  }
  /// Input i's value (checked against in-place modification since the forward pass).
  const Array& x(std::size_t i) const {
    const auto& e = node_.edge(i);
    if (e.node->version_ != e.version) {
      throw_modified("input " + std::to_string(i), e.node->version_, e.version);
    }
    return e.node->value_;
  }
  std::size_t num_inputs() const noexcept { return node_.num_inputs_; }
  const Shape& x_shape(std::size_t i) const noexcept { return node_.edge(i).node->value_.shape(); }
  /// Whether input i needs a gradient (skip computing it otherwise).
  bool needs(std::size_t i) const noexcept { return node_.edge(i).node->requires_grad_; }
  /// Accumulates `g`, which must have input i's shape, into input i.
  void add(std::size_t i, Array&& g) const {
    Node<T>& in = *node_.edge(i).node;
    if (g.shape() != in.value_.shape()) {
      throw std::logic_error(std::string(node_.name()) + " backward: gradient of input " +
                             std::to_string(i) + " has shape " + shape_str(g.shape()) +
                             " but the input has shape " + shape_str(in.value_.shape()));
    }
    if (is_anomaly_enabled()) check_anomaly(node_.name(), i, g.data(), g.size(), g.shape());
    in.accumulate_checked(std::move(g));  // shape checked above, with the op's name
  }
  /// Accumulates `g` (of the broadcast output shape) into input i after summing it over the
  /// axes input i was broadcast along.
  void add_reduced(std::size_t i, Array&& g) const {
    add(i, sum_to_shape(std::move(g), x_shape(i)));
  }

 private:
  [[noreturn]] void throw_modified(const std::string& what, std::uint32_t now,
                                   std::uint32_t expected) const {
    throw std::runtime_error(
        std::string(node_.name()) +
        " backward: one of the variables needed for gradient computation (" + what +
        ") has been modified by an inplace operation: it is at "
        "version " +
        std::to_string(now) + "; expected version " + std::to_string(expected));
  }
  Node<T>& node_;
};

/// A recorded op result: the Node plus the op's state and backward rule.
template <class T, class Op>
class OpNode final : public Node<T> {
 public:
  template <class F>
  OpNode(InPlace tag, F&& make, Op&& op)
      : Node<T>(tag, std::forward<F>(make), true, true), op_(std::move(op)) {}
  const char* name() const noexcept override { return Op::name; }

 protected:
  void backward_impl() override {
    BackwardCtx<T> ctx(*this);
    op_.template backward<T>(ctx);
  }

 private:
  Op op_;
};

/// A new node, its shared_ptr control block in the same block from the per-thread buffer cache
/// (xgrad/allocator.hpp): a graph's nodes are made and freed together, more than glibc's
/// thread cache holds, and malloc/free of nodes was a tenth of an op's time.
template <class N, class... Args>
std::shared_ptr<N> make_node(Args&&... args) {
  return std::allocate_shared<N>(mem::BufferAllocator<N>(), std::forward<Args>(args)...);
}

/// The op's result, its value built by `forward()` (`[&] { return map(...); }`) inside the new
/// node: a plain node when grad mode is off or no input requires grad, an OpNode recording the
/// edges otherwise. Building the value in place saves moving the array (about 200 bytes of
/// shape, strides and storage) into the node and destroying the moved-from one.
template <class T, class Op, class F, class... In>
BasicTensor<T> make_result_in_place(F&& forward, Op op, const In&... inputs) {
  if (!is_grad_enabled() || !(inputs.requires_grad() || ...)) {
    return BasicTensor<T>(make_node<Node<T>>(InPlace{}, std::forward<F>(forward), false, false));
  }
  auto node = make_node<OpNode<T, Op>>(InPlace{}, std::forward<F>(forward), std::move(op));
  (node->add_input(inputs.node()), ...);
  return BasicTensor<T>(std::move(node));
}

/// make_result_in_place for a value already computed (ops whose state comes out of the
/// forward computation): the value is moved into the node.
template <class T, class Op, class... In>
BasicTensor<T> make_result(xt::xarray<T>&& value, Op op, const In&... inputs) {
  return make_result_in_place<T>([&value] { return std::move(value); }, std::move(op), inputs...);
}

/// Throws std::logic_error if a tensor handle is undefined (names the op).
template <class T>
void check_defined(const char* op, const BasicTensor<T>& t) {
  if (!t.defined()) throw std::logic_error(std::string(op) + ": undefined tensor");
}

}  // namespace xgrad::detail
