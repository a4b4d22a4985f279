// SPDX-License-Identifier: MIT
#pragma once
// Every size at which lib/ switches from one code path to another, in one place. The code that
// switches reads its constant from here, and size_thresholds() lists them all, with the
// public ops whose path depends on each, so that the tests can put samples on both sides of
// every threshold (tests/registry/test_thresholds.cpp fails when one has no sample above or
// at-or-below it). A new size switch in lib/ gets its constant and its row here.

#include <cstddef>
#include <string_view>
#include <vector>

namespace xgrad::detail {

/// matmul and linear (forward and backward): GEMMs of at most this many multiply-adds
/// (m*n*k) run as plain loops (ops/linalg_blas.cpp); larger ones call OpenBLAS.
inline constexpr std::size_t kSmallGemm = 4096;
/// Within the plain loops: at most this many multiply-adds, every element of C is one dot
/// product written once; more, C is built by row updates (unless B is transposed).
inline constexpr std::size_t kDotGemm = 512;
/// pow with an exponent other than 2: at most this many elements, a loop of the C library's
/// pow; more, xtensor's SIMD pow.
inline constexpr std::size_t kSmallMap = 64;
/// The buffer allocator: blocks of at most this many bytes come from the per-thread cache of
/// power-of-two size classes; larger ones are mappings of their own (memory.cpp).
inline constexpr std::size_t kMaxCachedBytes = std::size_t{64} << 10;
/// Shapes and strides (detail::Dims) keep at most this many extents inline; higher ranks
/// live on the heap.
inline constexpr std::size_t kInlineRank = 4;
/// A node keeps the edges to at most this many inputs inline; more go to a heap array
/// (node.hpp: linear with a bias, concat of three or more).
inline constexpr std::size_t kInlineEdges = 2;
/// The backward walk keeps its per-thread order and stack buffers between calls while they
/// hold at most this many entries; after a larger graph they are released (autograd.cpp).
inline constexpr std::size_t kWalkBufferKeep = std::size_t{1} << 14;
/// Files and .npz entries are read in chunks of this many bytes (io/file_util.cpp, io/npz.cpp).
inline constexpr std::size_t kReadChunkBytes = std::size_t{64} << 10;

/// What a threshold counts.
enum class SizeMeasure {
  elements,       ///< elements of the op's (first) input
  multiply_adds,  ///< m*n*k of a product
  bytes,          ///< bytes of the op's (first) input
  rank,           ///< number of dimensions of the op's (first) input
  inputs,         ///< number of tensor inputs
  graph_nodes,    ///< nodes of the graph a backward walks (not a registry sample)
  file_bytes,     ///< bytes of a file or archive entry read (not a registry sample)
};

/// One size switch: sizes up to and including `max_small` take the small path, larger ones
/// the other.
struct SizeThreshold {
  std::string_view name;   ///< e.g. "small_gemm"
  std::string_view dtype;  ///< "float32" or "float64" when it depends on the element type
  std::size_t max_small;
  SizeMeasure measure;
  std::vector<std::string_view> ops;  ///< public ops (registry names) that switch on it
};

/// The rows measured in graph_nodes and file_bytes are exercised on both sides by
/// tests/reliability/test_size_paths.cpp; the others by the op registry's `sized` samples.
///
/// Every threshold as compiled into the library: the SIMD widths (the transcendental ops run
/// xsimd batches from one batch up) follow the library's own target flags.
const std::vector<SizeThreshold>& size_thresholds();

}  // namespace xgrad::detail
