// SPDX-License-Identifier: MIT
#pragma once

namespace xgrad {

/// Whether freed tensor buffers stay in the process heap for the next allocation (on by
/// default) or large ones go back to the operating system at once (glibc's default).
///
/// Every op result is a fresh buffer. glibc serves buffers above 128 KiB with mmap and returns
/// them with munmap, so a training step of an MLP at batch 256 touches hundreds of new pages,
/// and each page fault costs microseconds (tens on virtual machines): more than the
/// arithmetic. With reuse on, xgrad raises glibc's mmap and trim thresholds (M_MMAP_THRESHOLD
/// 32 MiB, M_TRIM_THRESHOLD 256 MiB), so a steady training loop reuses the same memory every
/// step, as a caching allocator would; the price is that the process keeps up to that much
/// freed memory instead of returning it. It is set when libxgrad is loaded unless the
/// environment has XGRAD_RETAIN_MEMORY=0 or sets glibc's own MALLOC_MMAP_THRESHOLD_ /
/// MALLOC_TRIM_THRESHOLD_ (which then win). A no-op, returning false, without glibc.
bool set_retain_freed_memory(bool on) noexcept;

/// Whether tensor buffers of up to 64 KiB freed by a thread are kept for its next allocations
/// (on by default; see xgrad/allocator.hpp). Each thread keeps at most 256 KiB per size class
/// (11 classes, 64 B to 64 KiB) and frees them when it ends. Turning it off sends freed blocks
/// back to the C heap (blocks already kept are still reused). Also off when the environment
/// has XGRAD_BUFFER_CACHE=0, and always in AddressSanitizer builds of libxgrad, so that a use
/// after free is reported (returns false there).
bool set_buffer_cache(bool on) noexcept;

}  // namespace xgrad
