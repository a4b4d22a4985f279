// SPDX-License-Identifier: MIT
// xgrad::live_node_count(): per-thread slots of node counts, summed (see live_count.hpp).
#include "live_count.hpp"

#include <algorithm>
#include <cstddef>
#include <mutex>
#include <new>
#include <vector>

#include <xgrad/node.hpp>

namespace xgrad {
namespace detail {
namespace {

struct LiveRegistry {
  std::mutex mu;
  std::vector<LiveSlot*> slots;
  std::atomic<std::int64_t> retired{0};
};

// Never destroyed: nodes with static storage duration may be freed after main returns.
LiveRegistry& live_registry() {
  static auto* registry = new LiveRegistry;
  return *registry;
}

thread_local bool t_closed = false;  // the thread is ending: count in `retired`

struct SlotRetire {
  SlotRetire() noexcept = default;
  SlotRetire(const SlotRetire&) = delete;
  SlotRetire& operator=(const SlotRetire&) = delete;
  ~SlotRetire() {
    LiveRegistry& r = live_registry();
    std::lock_guard<std::mutex> lock(r.mu);
    r.retired.fetch_add(t_live_slot->count.load(std::memory_order_relaxed),
                        std::memory_order_relaxed);
    r.slots.erase(std::find(r.slots.begin(), r.slots.end(), t_live_slot));
    delete t_live_slot;
    t_live_slot = nullptr;
    t_closed = true;
  }
};

}  // namespace

// Also called from ~Node: allocates without throwing, and counts in `retired` if it cannot.
[[gnu::noinline]] void count_nodes_slow(std::int64_t delta) noexcept {
  LiveRegistry& r = live_registry();
  auto* slot = t_closed ? nullptr : new (std::nothrow) LiveSlot;
  if (slot == nullptr) {
    r.retired.fetch_add(delta, std::memory_order_relaxed);
    return;
  }
  slot->count.store(delta, std::memory_order_relaxed);
  try {
    std::lock_guard<std::mutex> lock(r.mu);
    r.slots.push_back(slot);
  } catch (...) {
    delete slot;
    r.retired.fetch_add(delta, std::memory_order_relaxed);
    return;
  }
  t_live_slot = slot;
  thread_local SlotRetire retire;  // registers the thread-exit hook once
}

}  // namespace detail

std::size_t live_node_count() noexcept {
  detail::LiveRegistry& r = detail::live_registry();
  std::lock_guard<std::mutex> lock(r.mu);
  std::int64_t n = r.retired.load(std::memory_order_relaxed);
  for (const detail::LiveSlot* s : r.slots) n += s->count.load(std::memory_order_relaxed);
  return static_cast<std::size_t>(n);
}

}  // namespace xgrad
