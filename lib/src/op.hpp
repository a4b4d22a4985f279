// SPDX-License-Identifier: MIT
#pragma once
// How an op is defined (internal; docs/design.md has the recipe).
//
// A primitive op is one struct, typed on the element type, in the .cpp of its family:
//
//   template <class T>
//   struct PowOp {                              // y = x^p
//     static constexpr const char* name = "pow";
//     T p;
//     Array<T> forward(const Array<T>& x) const { ... }
//     void backward(BackwardCtx<T>& c) const {  // d x^p = p x^(p-1) dx
//       c.add_map(0, [p = p](T g, T x) { return g * (p * std::pow(x, p - 1)); }, c.x(0));
//     }
//   };
//   template <class T>
//   BasicTensor<T> pow(const BasicTensor<T>& x, T p) { return apply(PowOp<T>{p}, x); }
//
// The members are the op's state (scalars, shapes, index arrays, saved arrays of T); forward
// may fill them (a max saves its argmax). `apply` is the one place that evaluates forward and
// decides whether the graph records the op.

#include <array>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <xgrad/node.hpp>
#include <xgrad/tensor.hpp>

#include "map.hpp"
#include "shape_util.hpp"

namespace xgrad::detail {

/// What an op's backward sees: the upstream gradient, its output and inputs, and where to put
/// the input gradients. Gradients given with add_gy and add_map have the output's shape and
/// are summed over the axes their input was broadcast along (the one place backward
/// un-broadcasts); add takes a gradient of the input's exact shape.
///
/// add_gy and add_map pass the upstream gradient on, or update it in place, for the last input
/// that needs a gradient, so rules give the inputs' gradients in increasing input order.
template <class T>
class BackwardCtx {
 public:
  explicit BackwardCtx(Node<T>& node) noexcept : node_(node) {}

  /// The upstream gradient d loss / d y (shape of y).
  const Array<T>& gy() const {
    check_not_taken();
    return *node_.grad_;
  }
  /// The op's output value (checked against in-place modification).
  const Array<T>& y() const {
    if (node_.version_ != 0) throw_modified("its output", node_.version_, 0);
    return node_.value_;
  }
  /// Input i's value (checked against in-place modification since the forward pass).
  const Array<T>& x(std::size_t i) const {
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

  /// The upstream gradient as an rvalue (it is discarded after backward anyway), for rules
  /// that pass it on reshaped (reshape): call it last, nothing reads it afterwards.
  Array<T>&& take_gy() {
    check_not_taken();
#ifndef NDEBUG
    taken_ = true;
#endif
    return std::move(*node_.grad_);
  }
  /// Input i's gradient is the upstream gradient itself (reduced over broadcast axes).
  void add_gy(std::size_t i) {
    if (!needs(i)) return;
    // Two calls, not a conditional expression: `c ? Array&& : Array` would move the array into
    // a temporary first.
    if (last_use(i)) {
      add_reduced(i, take_gy());
    } else {
      add_reduced(i, Array<T>(gy()));
    }
  }
  /// Input i's gradient is f(gy, in...) elementwise, each `in` broadcast to gy's shape, then
  /// reduced over the axes input i was broadcast along. `f` is written once for scalars
  /// (`[](auto g, auto y) { return g * (1 - y * y); }`).
  template <class F, class... In>
  void add_map(std::size_t i, F f, const In&... in) {
    if (!needs(i)) return;
    const Array<T>& g = gy();
    if (((in.shape() == g.shape()) && ...) && g.shape() == x_shape(i)) {  // no broadcasting
      if (last_use(i)) {
        Array<T>&& d = take_gy();
        loop(d.data(), d.size(), f, static_cast<const T*>(d.data()), in.data()...);
        accumulate(i, std::move(d));
      } else {
        Array<T> d = empty<T>(g.shape());
        loop(d.data(), d.size(), f, g.data(), in.data()...);
        accumulate(i, std::move(d));
      }
    } else if (last_use(i)) {
      add_reduced(i, update(take_gy(), f, in...));
    } else {
      add_reduced(i, map(g, f, in...));
    }
  }

  /// Accumulates `g`, which must have input i's shape, into input i.
  void add(std::size_t i, Array<T>&& g) const {
    if (g.shape() != x_shape(i)) {
      throw std::logic_error(std::string(node_.name()) + " backward: gradient of input " +
                             std::to_string(i) + " has shape " + shape_str(g.shape()) +
                             " but the input has shape " + shape_str(x_shape(i)));
    }
    accumulate(i, std::move(g));
  }

 private:
  bool last_use(std::size_t i) const noexcept {
    for (std::size_t j = i + 1; j < num_inputs(); ++j) {
      if (needs(j)) return false;
    }
    return true;
  }
  // g has the output's shape, which input i broadcasts to.
  void add_reduced(std::size_t i, Array<T>&& g) const {
    if (g.shape() == x_shape(i)) {
      accumulate(i, std::move(g));
    } else {
      add(i, sum_to_shape(std::move(g), x_shape(i)));
    }
  }
  void accumulate(std::size_t i, Array<T>&& g) const {  // g has input i's shape
    if (is_anomaly_enabled()) check_anomaly(node_.name(), i, g.data(), g.size(), g.shape());
    node_.edge(i).node->accumulate_checked(std::move(g));  // shape checked, with the op's name
  }
  [[noreturn]] void throw_taken() const {
    throw std::logic_error(std::string(node_.name()) +
                           " backward: the upstream gradient was read after it was passed on "
                           "(give the input gradients in increasing input order)");
  }
  [[noreturn]] void throw_modified(const std::string& what, std::uint32_t now,
                                   std::uint32_t expected) const {
    throw std::runtime_error(
        std::string(node_.name()) +
        " backward: one of the variables needed for gradient computation (" + what +
        ") has been modified by an inplace operation: it is at "
        "version " +
        std::to_string(now) + "; expected version " + std::to_string(expected));
  }
  // Reading the upstream gradient after it was passed on is a bug of the rule, caught in debug
  // builds (the debug preset runs the whole suite); release builds pay nothing for it.
  void check_not_taken() const {
#ifndef NDEBUG
    if (taken_) throw_taken();
#endif
  }
  Node<T>& node_;
#ifndef NDEBUG
  bool taken_ = false;
#endif
};

/// A recorded op result: the Node plus the op's state and backward rule.
template <class T, class Op>
class OpNode final : public Node<T> {
 public:
  // The value is built first (the base), by `make`, which may fill `op`'s state; then the op
  // is moved in.
  template <class F>
  OpNode(InPlace tag, F&& make, Op&& op)
      : Node<T>(tag, std::forward<F>(make), true, true), op_(std::move(op)) {}
  const char* name() const noexcept override { return Op::name; }

 protected:
  void backward_impl() override {
    BackwardCtx<T> ctx(*this);
    op_.backward(ctx);
  }

 private:
  Op op_;
};

/// A new node, its shared_ptr control block in the same block from the per-thread buffer cache
/// (xgrad/array.hpp): a graph's nodes are made and freed together, more than glibc's thread
/// cache holds, and malloc/free of nodes was a tenth of an op's time.
template <class N, class... Args>
std::shared_ptr<N> make_node(Args&&... args) {
  return std::allocate_shared<N>(mem::BufferAllocator<N>(), std::forward<Args>(args)...);
}

/// Throws std::logic_error if a tensor handle is undefined (names the op).
template <class T>
void check_defined(const char* op, const BasicTensor<T>& t) {
  if (!t.defined()) throw std::logic_error(std::string(op) + ": undefined tensor");
}

/// Throws std::invalid_argument naming `op` and both shapes unless input and target (both
/// defined) have the same shape: the check of the ops that do not broadcast (losses).
template <class T>
void check_same_shape(const char* op, const BasicTensor<T>& input, const BasicTensor<T>& target) {
  check_defined(op, input);
  check_defined(op, target);
  if (input.shape() != target.shape()) {
    throw std::invalid_argument(std::string(op) + ": input of shape " + shape_str(input.shape()) +
                                " and target of shape " + shape_str(target.shape()) + " differ");
  }
}

template <class T>
const BasicTensor<T>& deref(const BasicTensor<T>& t) noexcept {
  return t;
}
template <class T>
const BasicTensor<T>& deref(const BasicTensor<T>* t) noexcept {
  return *t;
}

/// The rule of recording, for a list of inputs (tensors or pointers to them): the value is
/// `forward(op)`, built inside the new node; the node records `op` and its edges only when
/// grad mode is on and some input requires grad. Building the value in place saves moving the
/// array (about 200 bytes of shape, strides and storage) into the node.
template <class T, class Op, class Inputs, class F>
BasicTensor<T> record(Op&& op, const Inputs& inputs, F&& forward) {
  bool any = false;  // the inputs are defined (checked by apply)
  for (const auto& t : inputs) any = any || deref(t).node()->requires_grad();
  const auto make = [&] { return forward(op); };
  if (!is_grad_enabled() || !any) {
    return BasicTensor<T>(make_node<Node<T>>(InPlace{}, make, false, false));
  }
  auto node = make_node<OpNode<T, std::decay_t<Op>>>(InPlace{}, make, std::forward<Op>(op));
  for (const auto& t : inputs) node->add_input(deref(t).node());
  return BasicTensor<T>(std::move(node));
}

}  // namespace xgrad::detail

namespace xgrad {

/// The result of `op` on the inputs: forward is `op.forward(x.value(), rest.value()...)`.
/// Throws std::logic_error naming the op if an input is undefined.
template <class Op, class T, class... Rest>
BasicTensor<T> apply(Op op, const BasicTensor<T>& x, const Rest&... rest) {
  detail::check_defined(Op::name, x);
  (detail::check_defined(Op::name, rest), ...);
  const std::array<const BasicTensor<T>*, 1 + sizeof...(Rest)> inputs{&x, &rest...};
  return detail::record<T>(std::move(op), inputs, [&](Op& o) {
    return o.forward(x.node()->value(), rest.node()->value()...);
  });
}

/// The result of `op` on a run-time list of inputs (concat): forward is `op.forward(xs)`.
template <class Op, class T>
BasicTensor<T> apply(Op op, const std::vector<BasicTensor<T>>& xs) {
  for (const auto& t : xs) detail::check_defined(Op::name, t);
  return detail::record<T>(std::move(op), xs, [&](Op& o) { return o.forward(xs); });
}

}  // namespace xgrad
