// SPDX-License-Identifier: MIT
#pragma once
// Test samples around the size thresholds of lib/ (xgrad/detail/thresholds.hpp): shapes on
// both sides of every threshold that lists an op, and the measure of a sample (elements,
// multiply-adds, bytes or rank) that the meta-tests use to prove both sides are covered.

#include <algorithm>
#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <xgrad/detail/thresholds.hpp>
#include <xgrad/xgrad.hpp>

namespace xgrad::test {

using detail::SizeMeasure;
using detail::SizeThreshold;

/// The thresholds that list `op`.
inline std::vector<SizeThreshold> thresholds_of(std::string_view op) {
  std::vector<SizeThreshold> out;
  for (const SizeThreshold& t : detail::size_thresholds()) {
    if (std::find(t.ops.begin(), t.ops.end(), op) != t.ops.end()) out.push_back(t);
  }
  return out;
}

/// Element counts on both sides of every elements-or-bytes threshold of `op`: for a limit s
/// (the largest size on the small path) s, s + 1, s + 2 and 2s + 5, so that a SIMD loop of
/// width w = s + 1 sees one batch short, one batch, one batch and a tail of one, and two
/// batches and an odd tail (for every SIMD width of x86-64, not only the compiled one); for a
/// byte limit, sizes that are small and large in both float32 and float64.
inline std::vector<std::size_t> threshold_sizes(std::string_view op) {
  std::vector<std::size_t> n;
  for (const SizeThreshold& t : thresholds_of(op)) {
    const std::size_t s = t.max_small;
    if (t.measure == SizeMeasure::elements) {
      // The SIMD rows: the widths of SSE2, AVX2 and AVX-512 (2 to 16 lanes) as well as the
      // compiled one, so that the samples (and the suite's counts) are the same on every CPU.
      std::vector<std::size_t> limits = {s};
      if (t.name == "simd_width") limits.insert(limits.end(), {1, 3, 7, 15});
      for (std::size_t l : limits) {
        for (std::size_t k : {l, l + 1, l + 2, 2 * l + 5}) {
          if (k > 0) n.push_back(k);
        }
      }
    } else if (t.measure == SizeMeasure::bytes) {
      n.push_back(s / sizeof(double));     // small in float64 and float32
      n.push_back(s / sizeof(float) + 1);  // large in both
    }
  }
  std::sort(n.begin(), n.end());
  n.erase(std::unique(n.begin(), n.end()), n.end());
  return n;
}

/// One-input samples (1-D shapes) of threshold_sizes(op).
inline std::vector<std::vector<Shape>> threshold_samples_1d(std::string_view op) {
  std::vector<std::vector<Shape>> s;
  for (std::size_t n : threshold_sizes(op)) s.push_back({Shape{n}});
  return s;
}

/// (m, k, n) products on both sides of every multiply-add threshold of `op` (matmul, linear):
/// the cube c^3 at or below each limit, (c, c+1, c) just above it, and (c-1, c+3, c+1) with odd
/// extents above it.
inline std::vector<std::array<std::size_t, 3>> threshold_products(std::string_view op) {
  std::vector<std::array<std::size_t, 3>> out;
  for (const SizeThreshold& t : thresholds_of(op)) {
    if (t.measure != SizeMeasure::multiply_adds) continue;
    // The cube at or just below the limit, and the same with k one larger.
    std::size_t c = 1;
    while ((c + 1) * (c + 1) * (c + 1) <= t.max_small) ++c;
    out.push_back({c, c, c});
    out.push_back({c, c + 1, c});
    out.push_back({c - 1, c + 3, c + 1});
  }
  return out;
}

/// Shapes of rank inline_rank (the largest kept inline) and one and two above it, for ops of
/// one input: (2,1,3,2), (2,1,3,1,2), (1,2,1,3,1,2).
inline std::vector<std::vector<Shape>> rank_samples_1in() {
  return {{{2, 1, 3, 2}}, {{2, 1, 3, 1, 2}}, {{1, 2, 1, 3, 1, 2}}};
}
/// Broadcasting pairs of those ranks.
inline std::vector<std::vector<Shape>> rank_samples_2in() {
  return {{{2, 1, 3, 2}, {3, 1}},
          {{2, 1, 3, 1, 2}, {3, 1, 2}},
          {{1, 2, 1, 3, 1, 2}, {2, 1, 1, 1, 1, 2}}};
}

inline std::size_t numel(const Shape& s) {
  std::size_t n = 1;
  for (std::size_t d : s) n *= d;
  return n;
}

/// The size of a sample of `op` (its input shapes) as threshold `t` measures it, for elements
/// of `elem_size` bytes. Products: matmul (m,k).(k,n) and linear x (m,k), W (n,k) are m*k*n.
inline std::size_t sample_measure(std::string_view op, const SizeThreshold& t,
                                  const std::vector<Shape>& shapes, std::size_t elem_size) {
  switch (t.measure) {
    case SizeMeasure::elements:
      return numel(shapes.at(0));
    case SizeMeasure::bytes:
      return numel(shapes.at(0)) * elem_size;
    case SizeMeasure::rank: {
      std::size_t r = 0;
      for (const Shape& s : shapes) r = std::max(r, s.size());
      return r;
    }
    case SizeMeasure::inputs:
      return shapes.size();
    case SizeMeasure::graph_nodes:
    case SizeMeasure::file_bytes:
      return 0;  // not registry samples (tests/reliability/test_size_paths.cpp)
    case SizeMeasure::multiply_adds: {
      const Shape& a = shapes.at(0);
      const Shape& b = shapes.at(1);
      if (a.size() != 2 || b.size() != 2) return 0;
      if (op == "linear") return a[0] * a[1] * b[0];
      return a[0] * a[1] * b[1];
    }
  }
  return 0;
}

/// The element sizes a threshold applies to: its own dtype, or both.
inline std::vector<std::size_t> element_sizes(const SizeThreshold& t) {
  if (t.dtype == "float32") return {sizeof(float)};
  if (t.dtype == "float64") return {sizeof(double)};
  return {sizeof(float), sizeof(double)};
}

/// Empty if `samples` of `op` include one at or below `t` and one above it (for every element
/// size it applies to), and, for an elements threshold, one above it whose size is not a
/// multiple of the SIMD width max_small + 1 (an odd tail); else what is missing.
inline std::string missing_sides(std::string_view op, const SizeThreshold& t,
                                 const std::vector<std::vector<Shape>>& samples) {
  std::string missing;
  for (std::size_t es : element_sizes(t)) {
    bool below = false, above = false, odd_tail = false;
    for (const auto& s : samples) {
      const std::size_t m = sample_measure(op, t, s, es);
      if (m == 0) continue;
      below = below || m <= t.max_small;
      above = above || m > t.max_small;
      odd_tail = odd_tail || (m > t.max_small && m % (t.max_small + 1) != 0);
    }
    const std::string where = " (" + std::to_string(es * 8) + "-bit)";
    if (!below) missing += " no sample at or below" + where;
    if (!above) missing += " no sample above" + where;
    if (t.measure == SizeMeasure::elements && !odd_tail) missing += " no odd tail" + where;
  }
  return missing;
}

}  // namespace xgrad::test
