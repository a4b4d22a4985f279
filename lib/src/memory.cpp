// SPDX-License-Identifier: MIT
#include <xgrad/allocator.hpp>
#include <xgrad/memory.hpp>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <new>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#if defined(__SANITIZE_ADDRESS__)
#define XGRAD_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define XGRAD_ASAN 1
#endif
#endif

namespace xgrad {

bool set_retain_freed_memory(bool on) noexcept {
#if defined(__GLIBC__)
  constexpr int kMiB = 1 << 20;
  // glibc's defaults: mmap above 128 KiB, trim the heap top above 128 KiB free.
  const int mmap_threshold = on ? 32 * kMiB : 128 * 1024;
  const int trim_threshold = on ? 256 * kMiB : 128 * 1024;
  return mallopt(M_MMAP_THRESHOLD, mmap_threshold) == 1 &&
         mallopt(M_TRIM_THRESHOLD, trim_threshold) == 1;
#else
  (void)on;
  return false;
#endif
}

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

#if defined(XGRAD_ASAN)
// Under AddressSanitizer every buffer goes straight back to the heap, so a use after free
// of a tensor buffer is reported instead of reading a recycled block.
std::atomic<bool> g_cache_enabled{false};
#else
std::atomic<bool> g_cache_enabled{true};
#endif

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

}  // namespace

bool set_buffer_cache(bool on) noexcept {
#if defined(XGRAD_ASAN)
  (void)on;
  return false;
#else
  g_cache_enabled.store(on, std::memory_order_relaxed);
  return true;
#endif
}

namespace detail {

void* buffer_alloc(std::size_t bytes) {
  if (bytes > kMaxCached) return heap_alloc(bytes);
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
  if (bytes <= kMaxCached && g_cache_enabled.load(std::memory_order_relaxed)) {
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
  const char* opt = std::getenv("XGRAD_RETAIN_MEMORY");
  if (opt != nullptr && std::strcmp(opt, "0") == 0) return false;
  for (const char* glibc_var : {"MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_"}) {
    const char* v = std::getenv(glibc_var);
    if (v != nullptr && *v != '\0') return false;  // the user tuned glibc: leave it alone
  }
  return set_retain_freed_memory(true);
}

}  // namespace detail

}  // namespace xgrad
