// SPDX-License-Identifier: MIT
#include <xgrad/node.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <new>
#include <stdexcept>
#include <string>
#include <vector>

#include "live_count.hpp"
#include "map.hpp"
#include "shape_util.hpp"

namespace xgrad {

namespace detail {
bool apply_memory_default() noexcept;  // memory.cpp
}  // namespace detail

namespace {
// Applied when the library is loaded: node.cpp is linked into every program that makes a
// tensor, even from the static library (see memory.hpp).
[[maybe_unused]] const bool kMemoryDefaultApplied = detail::apply_memory_default();

// Leaves shared by graphs in several threads (parameters) are the only nodes two backward
// passes can touch at once. A small table of mutexes, picked by address, guards their
// accumulation without a mutex in every node.
std::mutex& leaf_mutex(const void* node) noexcept {
  static std::array<std::mutex, 64> table;
  const auto h = reinterpret_cast<std::uintptr_t>(node) >> 6;
  return table[h % table.size()];
}

}  // namespace

template <class T>
void Node<T>::count_made() noexcept {
  detail::count_nodes(1);
}

template <class T>
Node<T>::~Node() {
  detail::count_nodes(-1);
  // A chain of shared_ptr destructors recurses once per node and overflows the stack on long
  // graphs (pytorch#5534). Instead, move the edges of every node we are about to free into an
  // explicit stack, so each destructor below runs with no edges and returns at once.
  bool deep = false;
  for (std::size_t i = 0; i < num_inputs_ && !deep; ++i) {
    const Ptr& p = edge(i).node;
    deep = p.use_count() == 1 && p->num_inputs_ > 0;
  }
  if (!deep) return;  // the members' destructors free at most leaves: no recursion
  std::vector<Ptr> stack;
  auto steal = [&stack](Node& n) {
    for (std::size_t i = 0; i < n.num_inputs_; ++i) stack.push_back(std::move(n.edge(i).node));
    n.extra_.clear();
    n.num_inputs_ = 0;
  };
  steal(*this);
  while (!stack.empty()) {
    Ptr p = std::move(stack.back());
    stack.pop_back();
    if (p.use_count() == 1) steal(*p);
  }  // p is freed here with no edges left
}

template <class T>
void Node<T>::set_requires_grad(bool r) {
  if (is_op_) {
    throw std::logic_error(std::string("requires_grad_: can only be changed on a leaf, not on the "
                                       "result of ") +
                           name());
  }
  requires_grad_ = r;
}

template <class T>
const typename Node<T>::Array& Node<T>::grad() const {
  if (!grad_) {
    throw std::logic_error(std::string("grad: this tensor (") + name() + ", shape " +
                           detail::shape_str(value_.shape()) +
                           ") has no gradient: it does not require grad, backward has not "
                           "reached it, or zero_grad() cleared it");
  }
  return *grad_;
}

template <class T>
void Node<T>::accumulate_grad(Array&& g) {
  if (g.shape() != value_.shape()) {
    throw std::logic_error(std::string("accumulate_grad: gradient of shape ") +
                           detail::shape_str(g.shape()) + " does not match " + name() +
                           " of shape " + detail::shape_str(value_.shape()));
  }
  accumulate_checked(std::move(g));
}

template <class T>
void Node<T>::accumulate_checked(Array&& g) {
  std::unique_lock<std::mutex> lock;
  if (!is_op_) lock = std::unique_lock<std::mutex>(leaf_mutex(this));
  if (!grad_) {
    grad_.emplace(std::move(g));
  } else {
    // Shapes are equal (checked by the callers: xtensor's += would resize silently) and both are
    // contiguous row-major, so the elementwise loop of the ops adds them.
    detail::loop(grad_->data(), grad_->size(), std::plus<T>(), grad_->data(), g.data());
  }
}

template <class T>
void Node<T>::add_input(const Ptr& input) {
  // By reference, copied into place: a by-value shared_ptr built by the caller and read back
  // here as one 16-byte load stalled on store forwarding.
  if (num_inputs_ < kInline) {
    Edge& e = inline_[num_inputs_];
    e.node = input;
    e.version = input->version_;
  } else {
    extra_.push_back(Edge{input, input->version_});
  }
  ++num_inputs_;
}

template <class T>
void Node<T>::release_edges() noexcept {
  for (std::size_t i = 0; i < num_inputs_; ++i) edge(i).node.reset();
  extra_.clear();
  num_inputs_ = 0;
  released_ = true;
}

template class Node<float>;
template class Node<double>;

}  // namespace xgrad
