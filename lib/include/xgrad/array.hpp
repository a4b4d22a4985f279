// SPDX-License-Identifier: MIT
// xgrad::Array<T>: the xtensor container that tensors hold.
//
// It is an ordinary `xt::xarray_container` with two parameters of xgrad's own: the allocator
// and the shape type. Every op result and every gradient is a fresh buffer, and on the tiny
// tensors of small networks allocating it was most of an op's cost: xtensor's default
// allocator is xsimd's 64-byte aligned one, and glibc serves `posix_memalign` outside its
// per-thread cache. `BufferAllocator` hands out the same 64-byte aligned blocks from a
// per-thread cache of recently freed small buffers (lib/src/memory.cpp; see set_buffer_cache
// in memory.hpp). `Dims` (detail/dims.hpp) keeps shapes and strides inline and copies them as
// one block.
//
// Because these are template arguments of Array, and not xtensor's global defaults, a program
// that uses xgrad keeps its own `Array<T>` unchanged, whatever it includes first. An
// Array is an xtensor expression like any other: xtensor's functions take it, and it is built
// from (and assigned from) any xtensor expression, `Array<T>` included.
#ifndef XGRAD_ARRAY_HPP
#define XGRAD_ARRAY_HPP

#include <cstddef>
#include <limits>
#include <memory>
#include <new>
#include <type_traits>

#include <xsimd/memory/xsimd_alignment.hpp>
#include <xtensor/xarray.hpp>

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

// The allocator has a namespace of its own: as a template argument of every Array it makes
// its namespace an associated namespace of argument-dependent lookup for calls on Arrays, and
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

/// The shape of an Array (and of a tensor): up to 4 extents inline, no heap allocation.
using Shape = mem::Dims<std::size_t>;

/// A row-major, dynamically ranked xtensor container over xgrad's buffers.
template <class T>
using Array = xt::xarray_container<xt::uvector<T, mem::BufferAllocator<T>>,
                                   xt::layout_type::row_major, Shape>;

}  // namespace xgrad

namespace xsimd {
/// Tells xtensor that these buffers are aligned, so it assigns with aligned SIMD stores from
/// element 0 and its results never depend on where a buffer happens to start.
template <class T>
struct allocator_alignment<xgrad::mem::BufferAllocator<T>> {
  using type = aligned_mode;
};
}  // namespace xsimd

#endif  // XGRAD_ARRAY_HPP
