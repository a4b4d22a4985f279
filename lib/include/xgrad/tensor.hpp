// SPDX-License-Identifier: MIT
#pragma once

#include <xgrad/array.hpp>

#include <xgrad/autograd.hpp>
#include <xgrad/fwd.hpp>
#include <xgrad/generator.hpp>
#include <xgrad/node.hpp>

#include <cstddef>
#include <iosfwd>
#include <memory>
#include <type_traits>

#include <xtensor/xarray.hpp>

namespace xgrad {

/// A cheap handle to a node of the computational graph (copying shares the node).
///
/// `Tensor` (float) and `Tensor64` (double) are the two instantiations. Ops on tensors that
/// require grad record the graph; `backward()` fills `grad()` of every leaf that requires grad.
///
///     xgrad::Tensor64 w(Array<double>{{0.5}, {-1.0}}, /*requires_grad=*/true);
///     xgrad::Tensor64 x(Array<double>{{1.0, 2.0}});
///     auto loss = xgrad::sum(xgrad::sigmoid(xgrad::matmul(x, w)));
///     loss.backward();          // w.grad() now holds d loss / d w, shape (2,1)
template <class T>
class BasicTensor {
  static_assert(std::is_same_v<T, float> || std::is_same_v<T, double>,
                "xgrad tensors hold float or double");

 public:
  using value_type = T;
  using Array = xgrad::Array<T>;
  using NodeType = Node<T>;

  /// An undefined tensor (no node); most operations on it throw std::logic_error.
  BasicTensor() = default;
  /// A leaf holding `value`.
  BasicTensor(Array value, bool requires_grad = false);  // NOLINT(google-explicit-constructor)
  /// A leaf holding the value of any xtensor expression, such as a plain `xt::xarray<T>` or
  /// `xt::ones<T>({2, 3})` (evaluated into an Array).
  template <class E, class = std::enable_if_t<!std::is_same_v<std::decay_t<E>, Array>>>
  BasicTensor(const xt::xexpression<E>& value,  // NOLINT(google-explicit-constructor)
              bool requires_grad = false)
      : BasicTensor(Array(value), requires_grad) {}
  /// A handle to an existing node.
  explicit BasicTensor(std::shared_ptr<NodeType> node) noexcept : node_(std::move(node)) {}

  bool defined() const noexcept { return node_ != nullptr; }

  const Array& value() const { return checked().value(); }
  /// Mutable access to the value for in-place updates (bumps the version counter).
  Array& mutable_value() { return checked().mutable_value(); }
  /// The accumulated gradient; throws std::logic_error if backward has not reached this tensor.
  const Array& grad() const { return checked().grad(); }
  bool has_grad() const { return checked().has_grad(); }
  const Shape& shape() const { return checked().value().shape(); }
  std::size_t dim() const { return checked().value().dimension(); }
  std::size_t size() const { return checked().value().size(); }
  bool requires_grad() const { return checked().requires_grad(); }
  /// Sets requires_grad on a leaf (throws on an op result). Returns *this.
  BasicTensor& requires_grad_(bool requires_grad = true);
  bool is_leaf() const { return checked().is_leaf(); }
  /// Name of the op that produced this tensor ("leaf" for user tensors).
  const char* op_name() const { return checked().name(); }
  /// The single element; throws std::invalid_argument unless size() == 1.
  T item() const;

  /// Backpropagates from this single-element tensor with seed 1.
  /// Throws std::invalid_argument if the tensor has more than one element, and
  /// std::logic_error if it does not require grad.
  void backward(bool retain_graph = false) const;
  /// Backpropagates with the upstream gradient `seed` (shape must equal shape()).
  void backward(const Array& seed, bool retain_graph = false) const;
  /// Drops this tensor's gradient.
  void zero_grad() { checked().zero_grad(); }
  /// A new leaf with a copy of the value that does not require grad.
  BasicTensor detach() const;

  const std::shared_ptr<NodeType>& node() const noexcept { return node_; }

 private:
  NodeType& checked() const;
  std::shared_ptr<NodeType> node_;
};

extern template class BasicTensor<float>;
extern template class BasicTensor<double>;

/// Prints the value (and the op name and requires_grad flag).
template <class T>
std::ostream& operator<<(std::ostream& os, const BasicTensor<T>& t);

// ---- factories -------------------------------------------------------------------------------

/// A tensor of zeros.
template <class T = float>
BasicTensor<T> zeros(const Shape& shape, bool requires_grad = false);
/// A tensor of ones.
template <class T = float>
BasicTensor<T> ones(const Shape& shape, bool requires_grad = false);
/// A tensor filled with `value`.
template <class T = float>
BasicTensor<T> full(const Shape& shape, T value, bool requires_grad = false);
/// A 0-d tensor holding `value`.
template <class T = float>
BasicTensor<T> scalar(T value, bool requires_grad = false);
/// Uniform in [0, 1) from `gen`, filled in row-major order.
template <class T = float>
BasicTensor<T> rand(const Shape& shape, Generator& gen, bool requires_grad = false);
/// Standard normal from `gen`, filled in row-major order.
template <class T = float>
BasicTensor<T> randn(const Shape& shape, Generator& gen, bool requires_grad = false);

}  // namespace xgrad
