// SPDX-License-Identifier: MIT
#pragma once
// "OpInfo-lite" (after PyTorch's OpInfo; docs/reliability.md, G2): one entry per public
// differentiable op of xgrad. An entry holds variants (an op with fixed non-tensor arguments,
// e.g. softmax along axis 1); each variant has
//   - the op as a function of its tensor inputs, in double and in float,
//   - an independent reference forward (tests/support/reference.hpp, plain loops),
//   - samples: the input shapes it is checked on (gradcheck + reference), and zero-size
//     samples such as (0,3) that are checked forward only,
//   - the input domains (log/sqrt positive, denominators |d| >= 0.2, values kept away from
//     kinks) and an optional predicate that rejects draws too close to a kink or a tie,
//   - `covers`: the canonical header signatures it exercises; test_op_coverage.cpp derives
//     the list of public ops from lib/include/xgrad/{,ops/}*.hpp and fails on any signature
//     no variant covers.

#include <cstdint>
#include <functional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "support/gradcheck_table.hpp"
#include "support/reference.hpp"
#include "support/thresholds.hpp"

namespace xgrad::test::registry {

using Arrays = std::vector<xt::xarray<double>>;
using RefFn = std::function<xt::xarray<double>(const Arrays&)>;
using Inputs32 = std::vector<Tensor>;
using Fn32 = std::function<Tensor(const Inputs32&)>;
using ShapeSets = std::vector<std::vector<Shape>>;

/// The element type of an input vector inside a generic op lambda:
/// `using T = value_t<decltype(in)>;`.
template <class In>
using value_t = typename std::decay_t<In>::value_type::value_type;

struct OpVariant {
  std::string name;
  std::vector<std::string> covers;  ///< canonical signatures, e.g. "add(Tensor,scalar)"
  Fn64 f64;
  Fn32 f32;
  RefFn ref;
  ShapeSets samples;        ///< gradcheck + reference forward (float64 and float32)
  ShapeSets empty_samples;  ///< forward only (zero-size inputs), float64 and float32
  /// Samples on both sides of the size thresholds of lib/ that switch this op's code path
  /// (support/thresholds.hpp), and large broadcasts and reductions: checked like `samples`,
  /// by test_thresholds.cpp, which also fails when a threshold lacks a side.
  ShapeSets sized;
  std::vector<Domain> domains = {kAnyDomain};  ///< per input; the last repeats
  /// Rejects a draw (too close to a kink or tie); the runner then draws again.
  std::function<bool(const Arrays&)> valid;
  bool smooth = false;  ///< also gradcheck at atol 1e-6 / rtol 1e-4

  OpVariant& on(ShapeSets s) {
    samples = std::move(s);
    return *this;
  }
  OpVariant& empty(ShapeSets s) {
    empty_samples = std::move(s);
    return *this;
  }
  /// Adds samples to `sized`.
  OpVariant& sizes(const ShapeSets& s) {
    sized.insert(sized.end(), s.begin(), s.end());
    return *this;
  }
  OpVariant& in(std::vector<Domain> d) {
    domains = std::move(d);
    return *this;
  }
  OpVariant& when(std::function<bool(const Arrays&)> v) {
    valid = std::move(v);
    return *this;
  }
  OpVariant& tight() {
    smooth = true;
    return *this;
  }
};

/// A variant from a generic lambda `f(const auto& inputs)` (instantiated for Tensor64 and
/// Tensor) and its reference.
template <class F>
OpVariant variant(std::string name, std::vector<std::string> covers, F f, RefFn ref) {
  OpVariant v;
  v.name = std::move(name);
  v.covers = std::move(covers);
  v.f64 = [f](const Inputs64& in) -> Tensor64 { return f(in); };
  v.f32 = [f](const Inputs32& in) -> Tensor { return f(in); };
  v.ref = std::move(ref);
  return v;
}

struct OpEntry {
  std::string op;  ///< the public function's name
  std::vector<OpVariant> variants;
};

/// Shapes of G2: (), (1,), (5,), (3,4), (2,3,4) and shapes with size-1 dimensions.
extern const ShapeSets kUnaryShapes;
/// Zero-size inputs for unary ops (forward only).
extern const ShapeSets kUnaryEmpty;
/// Same-shape pairs, then the 11 broadcast pairs of PyTorch's OpInfo (A2).
extern const ShapeSets kBinaryShapes;
/// The 11 A2 pairs alone.
extern const ShapeSets kA2Pairs;
/// Zero-size binary pairs (forward only).
extern const ShapeSets kBinaryEmpty;
/// Large broadcasting pairs, (33,65) with (65) and (33,1) with (1,65).
extern const ShapeSets kLargeBinary;

/// `sized` samples of a one-input op from its size thresholds: 1-D shapes on both sides of
/// each (support/thresholds.hpp).
inline ShapeSets threshold_samples(std::string_view op) { return test::threshold_samples_1d(op); }
/// `sized` samples of matmul ((m,k),(k,n)) or linear ((m,k),(n,k)[,(n)]) around their
/// multiply-add thresholds.
inline ShapeSets product_samples(std::string_view op, bool bias) {
  ShapeSets s;
  for (const auto& [m, k, n] : test::threshold_products(op)) {
    if (op == "linear") {
      s.push_back(bias ? std::vector<Shape>{{m, k}, {n, k}, {n}}
                       : std::vector<Shape>{{m, k}, {n, k}});
    } else {
      s.push_back({{m, k}, {k, n}});
    }
  }
  return s;
}

/// Entries of the arithmetic, elementwise, reduction, shape and linalg ops.
std::vector<OpEntry> core_entries();
/// Entries of the activations, softmax family, min/max, indexing and loss ops.
std::vector<OpEntry> nn_entries();
/// Entries of the image ops: conv2d, pooling, batch_norm.
std::vector<OpEntry> image_entries();
/// All entries.
inline std::vector<OpEntry> all_entries() {
  std::vector<OpEntry> all = core_entries();
  for (auto& e : nn_entries()) all.push_back(std::move(e));
  for (auto& e : image_entries()) all.push_back(std::move(e));
  return all;
}

/// True if every pair of elements of a and b that meet under broadcasting differs by at least
/// `gap` (keeps maximum/minimum away from ties).
inline bool apart_broadcast(const xt::xarray<double>& a, const xt::xarray<double>& b, double gap) {
  const auto s = ref::broadcast_shape(a.shape(), b.shape());
  for (std::size_t k = 0; k < ref::numel(s); ++k) {
    const double x = a.data()[ref::broadcast_source(k, s, a.shape())];
    const double y = b.data()[ref::broadcast_source(k, s, b.shape())];
    if (std::abs(x - y) < gap) return false;
  }
  return true;
}

}  // namespace xgrad::test::registry
