// SPDX-License-Identifier: MIT
#include <xgrad/memory.hpp>

#include <cstdlib>
#include <cstring>
#include <initializer_list>

#if defined(__GLIBC__)
#include <malloc.h>
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

namespace detail {

bool apply_memory_default() noexcept {
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
