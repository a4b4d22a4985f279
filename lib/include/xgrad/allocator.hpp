// SPDX-License-Identifier: MIT
// The allocator of every xtensor container in a program that uses xgrad.
//
// Each op result and each gradient is a fresh buffer, and on the tiny tensors of small
// networks allocating it was most of an op's cost: xtensor's default allocator is xsimd's
// 64-byte aligned one, and glibc serves `posix_memalign` outside its per-thread cache.
// `xgrad::BufferAllocator` hands out the same 64-byte aligned blocks from a per-thread cache
// of recently freed small buffers (lib/src/memory.cpp; see set_buffer_cache in memory.hpp).
//
// The allocator is part of the type `xt::xarray<T>`, so every translation unit that sees an
// xtensor container must choose it: this header defines XTENSOR_DEFAULT_ALLOCATOR and has to
// come before any xtensor header. xgrad's headers include it first, and the xgrad CMake
// target force-includes it (-include) in everything that links it, whatever the include order.
// Blocks stay 64-byte aligned, so xtensor keeps its aligned SIMD assignment and results do not
// depend on buffer addresses.
#ifndef XGRAD_ALLOCATOR_HPP
#define XGRAD_ALLOCATOR_HPP

#if defined(XTENSOR_DEFAULT_ALLOCATOR) || defined(XTENSOR_DEFAULT_SHAPE_CONTAINER)
#error \
    "xgrad: include <xgrad/allocator.hpp> (or any xgrad header) before xtensor headers, \
and do not define XTENSOR_DEFAULT_ALLOCATOR or XTENSOR_DEFAULT_SHAPE_CONTAINER yourself: xgrad's tensors use xgrad::BufferAllocator. \
The xgrad CMake target does this for you with -include xgrad/allocator.hpp."
#endif

#include <cstddef>
#include <limits>
#include <new>
#include <type_traits>

#include <xsimd/memory/xsimd_alignment.hpp>

#include <xgrad/detail/dims.hpp>

namespace xgrad {

namespace detail {
/// Alignment of every tensor buffer (a cache line; enough for AVX-512 aligned loads).
inline constexpr std::size_t kBufferAlignment = 64;
/// A block of at least `bytes` bytes, kBufferAlignment-aligned; throws std::bad_alloc.
void* buffer_alloc(std::size_t bytes);
/// Gives back a block from buffer_alloc(bytes) (same `bytes`).
void buffer_free(void* p, std::size_t bytes) noexcept;
}  // namespace detail

// The allocator has a namespace of its own: as a template argument of every xarray it makes
// its namespace an associated namespace of argument-dependent lookup for calls on xarrays, and
// xtensor's unqualified internal calls (sum, mean, ...) must not find xgrad's ops there.
namespace mem {

/// A standard allocator over detail::buffer_alloc (64-byte aligned, per-thread cache).
template <class T>
class BufferAllocator {
 public:
  using value_type = T;
  using size_type = std::size_t;
  using difference_type = std::ptrdiff_t;
  using propagate_on_container_move_assignment = std::true_type;
  using is_always_equal = std::true_type;

  BufferAllocator() noexcept = default;
  template <class U>
  BufferAllocator(const BufferAllocator<U>& /*other*/) noexcept {}  // NOLINT

  T* allocate(std::size_t n) {
    if (n > std::numeric_limits<std::size_t>::max() / sizeof(T)) throw std::bad_array_new_length();
    return static_cast<T*>(detail::buffer_alloc(n * sizeof(T)));
  }
  void deallocate(T* p, std::size_t n) noexcept { detail::buffer_free(p, n * sizeof(T)); }

  template <class U>
  struct rebind {
    using other = BufferAllocator<U>;
  };

  friend bool operator==(const BufferAllocator&, const BufferAllocator&) noexcept { return true; }
  friend bool operator!=(const BufferAllocator&, const BufferAllocator&) noexcept { return false; }
};

}  // namespace mem

using mem::BufferAllocator;

}  // namespace xgrad

namespace xsimd {
/// Tells xtensor that these buffers are aligned, so it assigns with aligned SIMD stores from
/// element 0 and its results never depend on where a buffer happens to start.
template <class T>
struct allocator_alignment<xgrad::mem::BufferAllocator<T>> {
  using type = aligned_mode;
};
}  // namespace xsimd

#define XTENSOR_DEFAULT_ALLOCATOR(T) ::xgrad::mem::BufferAllocator<T>
// Shapes and strides: an inline block of 4 extents copied at once (xgrad/detail/dims.hpp).
#define XTENSOR_DEFAULT_SHAPE_CONTAINER(T, EA, SA) ::xgrad::mem::Dims<std::size_t, SA>

#endif  // XGRAD_ALLOCATOR_HPP
