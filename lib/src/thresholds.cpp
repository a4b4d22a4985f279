// SPDX-License-Identifier: MIT
#include <xgrad/detail/thresholds.hpp>

#include <xsimd/xsimd.hpp>

namespace xgrad::detail {

const std::vector<SizeThreshold>& size_thresholds() {
  // Below one xsimd batch the transcendental forwards are a scalar loop (ops/elementwise.cpp).
  static const std::vector<std::string_view> kTranscendental = {"exp", "log", "sqrt", "sigmoid",
                                                                "tanh"};
  static const std::vector<SizeThreshold> kAll = {
      {"small_gemm", "", kSmallGemm, SizeMeasure::multiply_adds, {"matmul", "linear"}},
      {"dot_gemm", "", kDotGemm, SizeMeasure::multiply_adds, {"matmul", "linear"}},
      {"small_map", "", kSmallMap, SizeMeasure::elements, {"pow"}},
      {"simd_width", "float32", xsimd::batch<float>::size - 1, SizeMeasure::elements,
       kTranscendental},
      {"simd_width", "float64", xsimd::batch<double>::size - 1, SizeMeasure::elements,
       kTranscendental},
      {"cached_buffer", "", kMaxCachedBytes, SizeMeasure::bytes, {"neg"}},
      {"inline_rank", "", kInlineRank, SizeMeasure::rank, {"add", "sum", "exp"}},
      {"inline_edges", "", kInlineEdges, SizeMeasure::inputs, {"concat", "linear"}},
      {"walk_buffer", "", kWalkBufferKeep, SizeMeasure::graph_nodes, {"backward"}},
      {"read_chunk", "", kReadChunkBytes, SizeMeasure::file_bytes, {"load_npy_raw", "load_npz"}},
  };
  return kAll;
}

}  // namespace xgrad::detail
