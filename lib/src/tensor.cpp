// SPDX-License-Identifier: MIT
#include <xgrad/tensor.hpp>

#include <ostream>
#include <stdexcept>
#include <string>

#include <xtensor/xbuilder.hpp>
#include <xtensor/xio.hpp>

#include "engine.hpp"
#include "op.hpp"
#include "shape_util.hpp"

namespace xgrad {

template <class T>
BasicTensor<T>::BasicTensor(Array value, bool requires_grad)
    : node_(detail::make_node<NodeType>(std::move(value), requires_grad)) {}

template <class T>
typename BasicTensor<T>::NodeType& BasicTensor<T>::checked() const {
  if (!node_) throw std::logic_error("xgrad: operation on an undefined tensor");
  return *node_;
}

template <class T>
BasicTensor<T>& BasicTensor<T>::requires_grad_(bool requires_grad) {
  checked().set_requires_grad(requires_grad);
  return *this;
}

template <class T>
T BasicTensor<T>::item() const {
  const Array& v = value();
  if (v.size() != 1) {
    throw std::invalid_argument("item: tensor of shape " + detail::shape_str(v.shape()) + " has " +
                                std::to_string(v.size()) + " elements, not 1");
  }
  return *v.data();
}

namespace {
template <class N>
void check_requires_grad(const N& n) {
  if (!n.requires_grad()) {
    throw std::logic_error(std::string("backward: this tensor (") + n.name() +
                           ") does not require grad and has no graph: no input of the "
                           "computation requires grad, or it ran under NoGradGuard");
  }
}
}  // namespace

template <class T>
void BasicTensor<T>::backward(bool retain_graph) const {
  NodeType& n = checked();
  if (n.value().size() != 1) {
    throw std::invalid_argument(
        "backward: grad can be implicitly created only for a tensor with "
        "one element, but this " +
        std::string(n.name()) + " result has shape " + detail::shape_str(n.value().shape()) +
        "; pass the upstream gradient: backward(seed)");
  }
  check_requires_grad(n);
  Array seed = detail::empty<T>(n.value().shape());
  *seed.data() = T(1);
  detail::Engine<T>::run(n, std::move(seed), retain_graph);
}

template <class T>
void BasicTensor<T>::backward(const Array& seed, bool retain_graph) const {
  NodeType& n = checked();
  check_requires_grad(n);
  if (seed.shape() != n.value().shape()) {
    throw std::invalid_argument("backward: seed of shape " + detail::shape_str(seed.shape()) +
                                " does not match the tensor's shape " +
                                detail::shape_str(n.value().shape()));
  }
  detail::Engine<T>::run(n, Array(seed), retain_graph);
}

template <class T>
BasicTensor<T> BasicTensor<T>::detach() const {
  return BasicTensor(value(), false);
}

template <class T>
std::ostream& operator<<(std::ostream& os, const BasicTensor<T>& t) {
  if (!t.defined()) return os << "Tensor(undefined)";
  os << "Tensor(" << t.value();
  if (!t.is_leaf()) os << ", op=" << t.op_name();
  if (t.requires_grad()) os << ", requires_grad=true";
  return os << ")";
}

template <class T>
BasicTensor<T> zeros(const Shape& shape, bool requires_grad) {
  return BasicTensor<T>(xt::zeros<T>(shape), requires_grad);
}

template <class T>
BasicTensor<T> ones(const Shape& shape, bool requires_grad) {
  return BasicTensor<T>(xt::ones<T>(shape), requires_grad);
}

template <class T>
BasicTensor<T> full(const Shape& shape, T value, bool requires_grad) {
  typename BasicTensor<T>::Array a = xt::empty<T>(shape);
  a.fill(value);
  return BasicTensor<T>(std::move(a), requires_grad);
}

template <class T>
BasicTensor<T> scalar(T value, bool requires_grad) {
  return full<T>(Shape{}, value, requires_grad);
}

template <class T>
BasicTensor<T> rand(const Shape& shape, Generator& gen, bool requires_grad) {
  typename BasicTensor<T>::Array a = xt::empty<T>(shape);
  for (T& v : a) {
    if constexpr (std::is_same_v<T, float>) {
      v = gen.uniform_float();
    } else {
      v = gen.uniform();
    }
  }
  return BasicTensor<T>(std::move(a), requires_grad);
}

template <class T>
BasicTensor<T> randn(const Shape& shape, Generator& gen, bool requires_grad) {
  typename BasicTensor<T>::Array a = xt::empty<T>(shape);
  for (T& v : a) v = static_cast<T>(gen.normal());
  return BasicTensor<T>(std::move(a), requires_grad);
}

#define XGRAD_INSTANTIATE(T)                                               \
  template class BasicTensor<T>;                                           \
  template std::ostream& operator<<(std::ostream&, const BasicTensor<T>&); \
  template BasicTensor<T> zeros<T>(const Shape&, bool);                    \
  template BasicTensor<T> ones<T>(const Shape&, bool);                     \
  template BasicTensor<T> full<T>(const Shape&, T, bool);                  \
  template BasicTensor<T> scalar<T>(T, bool);                              \
  template BasicTensor<T> rand<T>(const Shape&, Generator&, bool);         \
  template BasicTensor<T> randn<T>(const Shape&, Generator&, bool);
XGRAD_INSTANTIATE(float)
XGRAD_INSTANTIATE(double)
#undef XGRAD_INSTANTIATE

}  // namespace xgrad
