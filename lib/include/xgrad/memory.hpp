// SPDX-License-Identifier: MIT
#pragma once

namespace xgrad {

/// Whether freed tensor buffers above 64 KiB are kept for later tensors (on by default) or
/// given back to the operating system at once.
///
/// Every op result is a fresh buffer. Given back and mapped again each time, a training step of
/// an MLP at batch 256 would touch hundreds of new pages, and each page fault costs
/// microseconds (tens on virtual machines): more than the arithmetic. With retention on, a
/// freed buffer is kept (up to 256 MiB in all, process-wide) and handed to the next request it
/// fits with at most 1/8 to spare, so a steady training loop reuses the same pages every step,
/// as PyTorch's caching allocator does on GPUs. These buffers are mapped outside the C heap and
/// cannot fragment it. Turning it off also releases what is kept. Off when the environment has
/// XGRAD_RETAIN_MEMORY=0 at load. Returns false, doing nothing, in AddressSanitizer builds of
/// libxgrad, where every buffer goes back to the heap so that a use after free is reported.
bool set_retain_freed_memory(bool on) noexcept;

/// Whether tensor buffers of up to 64 KiB freed by a thread are kept for its next allocations
/// (on by default; see xgrad/array.hpp). Each thread keeps at most 256 KiB per size class
/// (11 classes, 64 B to 64 KiB) and frees them when it ends. Turning it off sends freed blocks
/// back to the C heap (blocks already kept are still reused). Also off when the environment
/// has XGRAD_BUFFER_CACHE=0, and always in AddressSanitizer builds of libxgrad, so that a use
/// after free is reported (returns false there).
bool set_buffer_cache(bool on) noexcept;

}  // namespace xgrad
