// SPDX-License-Identifier: MIT
#include <atomic>
#include <stdexcept>
#include <string>
#include <vector>

#include <xgrad/detail/thresholds.hpp>

#include "engine.hpp"

namespace xgrad::detail {

namespace {
// One epoch per backward walk marks visited nodes without a hash set. Nodes are marked only
// when they are op results of the graph being walked; leaves are never marked, so walks of
// independent graphs in different threads that share parameters write no shared memory.
std::atomic<std::uint64_t> g_epoch{0};

// Each thread takes epochs from the global counter in blocks of 2^16: unique across threads
// without an atomic read-modify-write per walk.
std::uint64_t next_epoch() noexcept {
  constexpr std::uint64_t kBlock = std::uint64_t{1} << 16;
  thread_local std::uint64_t next = 0;
  thread_local std::uint64_t end = 0;
  if (next == end) {
    next = g_epoch.fetch_add(kBlock, std::memory_order_relaxed) + 1;  // epoch 0 is "never"
    end = next + kBlock;
  }
  return next++;
}
}  // namespace

template <class T>
void Engine<T>::run(Node<T>& root, Array<T>&& seed, bool retain_graph) {
  if (!root.is_op_) {  // a leaf: its gradient is the seed
    root.accumulate_grad(std::move(seed));
    return;
  }
  if (root.released_) {
    throw std::logic_error(
        std::string("backward: trying to backward through the graph a second time (at ") +
        root.name() +
        "); its saved values were freed after the first backward. Specify "
        "retain_graph=true on the first call to backward through it twice.");
  }
  const std::uint64_t epoch = next_epoch();

  // Iterative post-order DFS over the op nodes that require grad: `order` lists every node
  // before the nodes that consume it, so walking it backwards runs consumers first.
  struct Frame {
    // A constructor, so that emplace_back stores the two fields in place: building the pair
    // on the stack and copying it as one 16-byte vector stalled on store forwarding.
    Frame(Node<T>* n, std::size_t i) noexcept : node(n), next(i) {}
    Node<T>* node;
    std::size_t next;
  };
  // Reused across calls (per thread): small graphs then walk without allocating. A huge
  // graph's buffers are released afterwards rather than kept for the thread's lifetime.
  thread_local std::vector<Node<T>*> order;
  thread_local std::vector<Frame> stack;
  order.clear();
  stack.clear();
  struct Trim {
    ~Trim() {
      constexpr std::size_t kKeep = kWalkBufferKeep;
      if (order.capacity() > kKeep) std::vector<Node<T>*>().swap(order);
      if (stack.capacity() > kKeep) std::vector<Frame>().swap(stack);
    }
  } trim;
  root.mark_ = epoch;
  stack.emplace_back(&root, 0);
  while (!stack.empty()) {
    Frame& f = stack.back();
    if (f.next < f.node->num_inputs_) {
      Node<T>* child = f.node->edge(f.next++).node.get();
      if (child->is_op_ && child->requires_grad_ && child->mark_ != epoch) {
        if (child->released_) {
          throw std::logic_error(
              std::string("backward: trying to backward through part of a graph a second time "
                          "(at ") +
              child->name() +
              "); its saved values were freed. Specify "
              "retain_graph=true on the first backward through it.");
        }
        child->mark_ = epoch;
        stack.emplace_back(child, 0);
      }
    } else {
      order.push_back(f.node);
      stack.pop_back();
    }
  }

  root.grad_.emplace(std::move(seed));
  try {
    for (auto it = order.rbegin(); it != order.rend(); ++it) {
      Node<T>& n = **it;
      if (!n.grad_) continue;  // no gradient flowed here
      n.backward_impl();
      n.grad_.reset();  // free the buffer now
    }
  } catch (...) {
    // Gradient buffers of op nodes are per call: none survives a failed walk either.
    for (Node<T>* n : order) n->grad_.reset();
    throw;
  }
  if (!retain_graph) {
    // Post-order frees the deepest nodes first, so every edge released below points at a node
    // already stripped of its own edges: no recursive destruction, no dangling pointer in
    // `order`.
    for (Node<T>* n : order) n->release_edges();
  }
}

template struct Engine<float>;
template struct Engine<double>;

}  // namespace xgrad::detail
