// SPDX-License-Identifier: MIT
#pragma once
// The counter behind xgrad::live_node_count() (internal; lib/src/live_count.cpp).
//
// Every node made and freed is counted, but not on one shared atomic: its locked add waited for
// all the stores of the node's construction to drain, on every op. Each thread counts in its
// own slot (a plain add; the atomic type only keeps a concurrent reader from tearing the value),
// and live_node_count() sums the slots. A node freed in another thread than the one that made it
// leaves +1 in one slot and -1 in the other; the sum is still exact. When a thread ends, its slot
// is folded into the registry's `retired` count; nodes it frees after that (from later
// thread_local destructors) go there directly.

#include <atomic>
#include <cstdint>

namespace xgrad::detail {

struct LiveSlot {
  std::atomic<std::int64_t> count{0};
};

/// This thread's slot: null until its first node (trivially destructible, so no guard on the
/// fast path).
inline thread_local LiveSlot* t_live_slot = nullptr;

/// Registers a slot for this thread and counts `delta` in it (or in `retired` if the thread
/// is ending or memory is short). Never throws.
void count_nodes_slow(std::int64_t delta) noexcept;

/// Counts `delta` nodes made (+) or freed (-) by this thread. Called by every Node's
/// constructor and destructor.
inline void count_nodes(std::int64_t delta) noexcept {
  if (LiveSlot* s = t_live_slot) {
    s->count.store(s->count.load(std::memory_order_relaxed) + delta, std::memory_order_relaxed);
  } else {
    count_nodes_slow(delta);
  }
}

}  // namespace xgrad::detail
