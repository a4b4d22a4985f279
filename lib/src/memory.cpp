// SPDX-License-Identifier: MIT
#include <xgrad/array.hpp>
#include <xgrad/detail/thresholds.hpp>
#include <xgrad/memory.hpp>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <map>
#include <mutex>
#include <new>

#include <sys/mman.h>

#if defined(__SANITIZE_ADDRESS__)
#define XGRAD_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define XGRAD_ASAN 1
#endif
#endif

namespace xgrad {

namespace {

// ---- the per-thread buffer cache ---------------------------------------------------------
//
// Blocks up to kMaxCached bytes are served in power-of-two size classes (64 B .. 64 KiB), so a
// freed block can serve any later request of its class. Each thread keeps a free list per
// class, capped at kClassBudget bytes (and kMaxBlocks blocks); beyond that, and for larger
// blocks, memory goes back to the C heap. A block freed by another thread than the one that
// allocated it joins the freeing thread's lists. The lists live in a trivially destructible
// thread_local (no initialization guard on the fast path); a second thread_local with a
// destructor, registered on a thread's first cached free, empties them when the thread ends.

constexpr unsigned kMinShift = 6;  // 64 B, the smallest class
constexpr std::size_t kNumClasses = 11;
constexpr std::size_t kMaxCached = std::size_t{1} << (kMinShift + kNumClasses - 1);  // 64 KiB
static_assert(kMaxCached == detail::kMaxCachedBytes, "detail/thresholds.hpp lists this size");
constexpr std::size_t kClassBudget = std::size_t{256} << 10;
constexpr std::uint32_t kMaxBlocks = 512;

static_assert(detail::kBufferAlignment == (std::size_t{1} << kMinShift));

struct FreeBlock {
  FreeBlock* next;
};

struct ThreadCache {
  FreeBlock* head[kNumClasses];
  std::uint32_t count[kNumClasses];
  bool drain_registered;
  bool closed;  // the thread is ending: free directly
};

thread_local ThreadCache t_cache{};

struct CacheDrain {
  CacheDrain() noexcept = default;
  CacheDrain(const CacheDrain&) = delete;
  CacheDrain& operator=(const CacheDrain&) = delete;
  ~CacheDrain() {
    ThreadCache& tc = t_cache;
    tc.closed = true;
    for (std::size_t c = 0; c < kNumClasses; ++c) {
      while (FreeBlock* b = tc.head[c]) {
        tc.head[c] = b->next;
        std::free(b);
      }
      tc.count[c] = 0;
    }
  }
};

// Under AddressSanitizer every buffer goes straight back to the heap, so a use after free
// of a tensor buffer is reported instead of reading a recycled block.
#if defined(XGRAD_ASAN)
constexpr bool kKeepBuffers = false;
#else
constexpr bool kKeepBuffers = true;
#endif

std::atomic<bool> g_cache_enabled{kKeepBuffers};

constexpr std::size_t size_class(std::size_t bytes) noexcept {
  if (bytes <= (std::size_t{1} << kMinShift)) return 0;
  const auto bits = static_cast<unsigned>(64 - __builtin_clzll(bytes - 1));  // ceil(log2)
  return bits - kMinShift;
}

constexpr std::size_t class_bytes(std::size_t c) noexcept {
  return std::size_t{1} << (kMinShift + c);
}

constexpr std::uint32_t class_cap(std::size_t c) noexcept {
  const std::size_t by_budget = kClassBudget / class_bytes(c);
  return static_cast<std::uint32_t>(by_budget < kMaxBlocks ? by_budget : kMaxBlocks);
}

void* heap_alloc(std::size_t bytes) {
  void* p = nullptr;
  if (posix_memalign(&p, detail::kBufferAlignment, bytes == 0 ? 1 : bytes) != 0) {
    throw std::bad_alloc();
  }
  return p;
}

// ---- blocks above kMaxCached ---------------------------------------------------------------
//
// Each is its own anonymous mapping (page-aligned, so 64-byte aligned past a 64-byte header
// holding the mapping's size). A freed one is kept, up to g_large_limit bytes in all, for the
// next request that it fits with at most 1/8 to spare: a training loop asks for the same sizes
// every step, so it gets the same pages back without a page fault, and since these blocks
// never enter the C heap they cannot fragment it (with glibc's heap, held memory in the mlp
// benchmark grew to 1.9x what it needs).

constexpr std::size_t kPage = 4096;
constexpr std::size_t kLargeHeader = detail::kBufferAlignment;
constexpr std::size_t kDefaultLargeLimit = std::size_t{256} << 20;

struct LargeCache {
  std::mutex mu;
  std::multimap<std::size_t, void*> free;  // mapping size -> mapping
  std::size_t free_bytes = 0;
  std::size_t limit = kDefaultLargeLimit;
};

// Never destroyed: tensors with static storage duration may be freed after main returns.
LargeCache& large_cache() {
  static auto* cache = new LargeCache;
  return *cache;
}

void* large_alloc(std::size_t bytes) {
  if constexpr (!kKeepBuffers) return heap_alloc(bytes);
  if (bytes > std::numeric_limits<std::size_t>::max() - kLargeHeader - kPage)
    throw std::bad_alloc();
  const std::size_t need = (bytes + kLargeHeader + kPage - 1) / kPage * kPage;
  LargeCache& lc = large_cache();
  {
    std::lock_guard<std::mutex> lock(lc.mu);
    auto it = lc.free.lower_bound(need);
    if (it != lc.free.end() && it->first - need <= need / 8) {
      void* base = it->second;
      lc.free_bytes -= it->first;
      lc.free.erase(it);
      return static_cast<char*>(base) + kLargeHeader;
    }
  }
  void* base = mmap(nullptr, need, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (base == MAP_FAILED) throw std::bad_alloc();
  *static_cast<std::size_t*>(base) = need;
  return static_cast<char*>(base) + kLargeHeader;
}

void large_free(void* p) noexcept {
  if constexpr (!kKeepBuffers) return std::free(p);
  void* base = static_cast<char*>(p) - kLargeHeader;
  const std::size_t size = *static_cast<std::size_t*>(base);
  LargeCache& lc = large_cache();
  {
    std::lock_guard<std::mutex> lock(lc.mu);
    if (lc.free_bytes + size <= lc.limit) {
      lc.free.emplace(size, base);
      lc.free_bytes += size;
      return;
    }
  }
  munmap(base, size);
}

}  // namespace

bool set_retain_freed_memory(bool on) noexcept {
  if constexpr (!kKeepBuffers) return false;
  LargeCache& lc = large_cache();
  std::multimap<std::size_t, void*> release;
  {
    std::lock_guard<std::mutex> lock(lc.mu);
    lc.limit = on ? kDefaultLargeLimit : 0;
    if (!on) {
      release.swap(lc.free);
      lc.free_bytes = 0;
    }
  }
  for (const auto& [size, base] : release) munmap(base, size);
  return true;
}

bool set_buffer_cache(bool on) noexcept {
  if constexpr (!kKeepBuffers) return false;
  g_cache_enabled.store(on, std::memory_order_relaxed);
  return true;
}

namespace detail {

void* buffer_alloc(std::size_t bytes) {
  if (bytes > kMaxCached) return large_alloc(bytes);
  const std::size_t c = size_class(bytes);
  ThreadCache& tc = t_cache;
  if (FreeBlock* b = tc.head[c]) {
    tc.head[c] = b->next;
    --tc.count[c];
    return b;
  }
  // Always the whole class, cached or not, so any small block may later join a free list.
  return heap_alloc(class_bytes(c));
}

void buffer_free(void* p, std::size_t bytes) noexcept {
  if (p == nullptr) return;
  if (bytes > kMaxCached) return large_free(p);
  if (g_cache_enabled.load(std::memory_order_relaxed)) {
    const std::size_t c = size_class(bytes);
    ThreadCache& tc = t_cache;
    if (!tc.closed && tc.count[c] < class_cap(c)) {
      if (!tc.drain_registered) {
        tc.drain_registered = true;
        thread_local CacheDrain drain;  // constructed now, destroyed when the thread ends
        (void)drain;
      }
      auto* b = static_cast<FreeBlock*>(p);
      b->next = tc.head[c];
      tc.head[c] = b;
      ++tc.count[c];
      return;
    }
  }
  std::free(p);
}

bool apply_memory_default() noexcept {
  const char* cache = std::getenv("XGRAD_BUFFER_CACHE");
  if (cache != nullptr && std::strcmp(cache, "0") == 0) set_buffer_cache(false);
  const char* retain = std::getenv("XGRAD_RETAIN_MEMORY");
  if (retain != nullptr && std::strcmp(retain, "0") == 0) return set_retain_freed_memory(false);
  return true;
}

}  // namespace detail

}  // namespace xgrad
