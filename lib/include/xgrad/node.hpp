// SPDX-License-Identifier: MIT
#pragma once

#include <xgrad/array.hpp>

#include <xgrad/detail/thresholds.hpp>
#include <xgrad/fwd.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include <xtensor/xarray.hpp>

namespace xgrad {

namespace detail {
/// Tag of the node constructors that build the value in place.
struct InPlace {};
template <class T>
class BackwardCtx;
template <class T>
struct Engine;
}  // namespace detail

/// The number of graph nodes (tensors and op results, float and double) alive in the process.
/// A training step that drops every handle it made returns it to where it started: tests use
/// it to prove the graph has no leaks or ownership cycles.
/// Exact once the threads that made or freed nodes are idle (counted per thread, summed here).
std::size_t live_node_count() noexcept;

/// One vertex of the computational graph.
///
/// A Node holds the value an op produced, its gradient (present only after a backward pass
/// reached it), the edges to the nodes it was computed from, and, through its dynamic type,
/// the op's backward rule and name. Leaves (tensors made by the user) are plain `Node`s;
/// op results that take part in autodiff are `detail::OpNode<T, Op>`s (lib/src/op.hpp).
///
/// Ownership rule: a Node owns its inputs (shared_ptr edges point from output to input) and
/// never its output, and ops save arrays, never tensors, so the graph has no ownership cycles
/// and is freed when the last handle to its root goes. Destruction is iterative, so a chain of
/// millions of nodes cannot overflow the stack.
template <class T>
class Node {
 public:
  using Array = xgrad::Array<T>;
  using Shape = typename Array::shape_type;
  using Ptr = std::shared_ptr<Node>;

  /// An edge to an input, with the input's version when the edge was made, so that backward
  /// can detect a saved value modified in place afterwards.
  struct Edge {
    Ptr node;
    std::uint32_t version = 0;
  };

  explicit Node(Array&& value, bool requires_grad = false)
      : Node(
            detail::InPlace{}, [&value] { return std::move(value); }, requires_grad, false) {}
  explicit Node(const Array& value, bool requires_grad = false)
      : Node(Array(value), requires_grad) {}
  /// Builds the value in place from `make()`, an op's forward computation (used by the ops
  /// through detail::make_result_in_place): the array is constructed in the node, not moved
  /// into it.
  template <class F>
  Node(detail::InPlace, F&& make, bool requires_grad, bool is_op)
      : requires_grad_(requires_grad), is_op_(is_op), value_(make()) {
    count_made();
  }
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;
  virtual ~Node();

  /// The op that produced this node ("leaf" for user-made tensors); used in error messages.
  virtual const char* name() const noexcept { return "leaf"; }

  const Array& value() const noexcept { return value_; }
  /// Mutable access for in-place updates (optimizers); bumps the version counter so that a
  /// backward pass that saved the old value throws instead of computing a wrong gradient.
  Array& mutable_value() noexcept {
    ++version_;
    return value_;
  }
  std::uint32_t version() const noexcept { return version_; }

  bool requires_grad() const noexcept { return requires_grad_; }
  void set_requires_grad(bool r);
  /// True for nodes not produced by a recorded op (user tensors and no-grad results).
  bool is_leaf() const noexcept { return num_inputs_ == 0 && !is_op_; }

  bool has_grad() const noexcept { return grad_.has_value(); }
  /// The accumulated gradient; throws std::logic_error if there is none yet.
  const Array& grad() const;
  /// Drops the gradient (PyTorch's set_to_none): the next backward starts from nothing.
  void zero_grad() noexcept { grad_.reset(); }  // frees the buffer now, not at the next backward
  /// Adds `g` to the gradient (moves it in if there is none). Throws std::logic_error naming
  /// this node's op and both shapes if `g` does not have the value's exact shape: xtensor's
  /// `+=` would otherwise resize the gradient silently. Accumulation into a leaf holds a lock,
  /// so backward passes of independent graphs in several threads may share parameters.
  void accumulate_grad(Array&& g);

  std::size_t num_inputs() const noexcept { return num_inputs_; }
  const Node* input(std::size_t i) const noexcept { return edge(i).node.get(); }

  /// Records an edge to `input` (used by ops when they build the graph).
  void add_input(const Ptr& input);

 protected:
  /// The op's backward rule: reads grad_ and pushes gradients into the inputs.
  virtual void backward_impl() {}

 private:
  friend class detail::BackwardCtx<T>;
  friend struct detail::Engine<T>;

  Edge& edge(std::size_t i) noexcept { return i < kInline ? inline_[i] : extra_[i - kInline]; }
  const Edge& edge(std::size_t i) const noexcept {
    return i < kInline ? inline_[i] : extra_[i - kInline];
  }
  void release_edges() noexcept;
  void accumulate_checked(Array&& g);  // accumulate_grad after its shape check
  static void count_made() noexcept;   // for live_node_count()

  static constexpr std::size_t kInline = xgrad::detail::kInlineEdges;

  // What the backward walk reads of every node comes first, in the cache line of the vtable
  // pointer; the two arrays (about 130 bytes each) follow.
  std::uint64_t mark_ = 0;  // visit marker of the backward walk (one epoch per walk)
  std::uint32_t version_ = 0;
  std::uint32_t num_inputs_ = 0;
  bool requires_grad_ = false;
  bool is_op_ = false;
  bool released_ = false;  // edges freed by a backward pass without retain_graph
  std::array<Edge, kInline> inline_{};
  Array value_;
  // Empty until a backward pass reaches the node. An optional rather than an empty xarray:
  // xtensor's default constructor allocates one element, which every node paid for.
  std::optional<Array> grad_;
  std::vector<Edge> extra_;
};

extern template class Node<float>;
extern template class Node<double>;

}  // namespace xgrad
