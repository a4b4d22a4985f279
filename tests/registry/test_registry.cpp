// SPDX-License-Identifier: MIT
// Runs the op registry (docs/reliability.md, G2): for every variant of every entry and every
// sample,
//   1. the float64 forward against the independent reference (atol 1e-12, rtol 1e-10),
//   2. the float32 forward against the reference on the same (rounded) inputs (1e-5 / 1e-4),
//   3. xgrad::gradcheck in float64 (atol 1e-5 / rtol 1e-3), and for smooth ops also at
//      atol 1e-6 / rtol 1e-4,
// and for every zero-size sample, such as (0,3), the float64 and float32 forward only (the
// sanitizer build runs the same cases, so they must be free of ASan/UBSan findings).
#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "registry/op_registry.hpp"

namespace {

using namespace xgrad::test::registry;
using xgrad::Shape;
using xgrad::test::Domain;
using xgrad::test::shape_string;
namespace ref = xgrad::test::ref;

constexpr double kF64Atol = 1e-12, kF64Rtol = 1e-10;
constexpr double kF32Atol = 1e-5, kF32Rtol = 1e-4;

std::string describe(const OpVariant& v, std::size_t s, const std::vector<Shape>& shapes) {
  std::string d = v.name + " sample " + std::to_string(s) + " (inputs:";
  for (const auto& sh : shapes) d += " " + shape_string(sh);
  return d + ")";
}

/// Draws the inputs of one sample from the variant's domains, again while the variant's
/// predicate rejects the draw (a tie or a value too close to a kink).
Arrays draw_inputs(const OpVariant& v, const std::vector<Shape>& shapes, std::uint64_t seed) {
  xgrad::Generator gen(seed);
  for (int attempt = 0; attempt < 1000; ++attempt) {
    Arrays x;
    for (std::size_t i = 0; i < shapes.size(); ++i) {
      const Domain& d = v.domains[std::min(i, v.domains.size() - 1)];
      x.push_back(xgrad::test::draw(shapes[i], gen, d));
    }
    if (!v.valid || v.valid(x)) return x;
  }
  FAIL("no valid draw in 1000 attempts");
  return {};
}

xgrad::test::Inputs64 tensors64(const Arrays& x, bool requires_grad) {
  xgrad::test::Inputs64 t;
  for (const auto& a : x) t.emplace_back(a, requires_grad);
  return t;
}

/// Float copies of x, and x rounded to float (the reference's inputs for the float32 check).
Inputs32 tensors32(const Arrays& x, Arrays* rounded) {
  Inputs32 t;
  for (const auto& a : x) {
    xt::xarray<float> f = xt::xarray<float>::from_shape(a.shape());
    xt::xarray<double> r = xt::xarray<double>::from_shape(a.shape());
    for (std::size_t i = 0; i < a.size(); ++i) {
      f.data()[i] = static_cast<float>(a.data()[i]);
      r.data()[i] = static_cast<double>(f.data()[i]);
    }
    t.emplace_back(f);
    rounded->push_back(r);
  }
  return t;
}

xt::xarray<double> to_double(const xt::xarray<float>& f) {
  xt::xarray<double> d = xt::xarray<double>::from_shape(f.shape());
  for (std::size_t i = 0; i < f.size(); ++i) d.data()[i] = static_cast<double>(f.data()[i]);
  return d;
}

/// Forward checks of one sample in float64 and float32.
void check_forward(const OpVariant& v, const Arrays& x) {
  std::string why;
  const auto y64 = v.f64(tensors64(x, false));
  const bool ok64 = ref::close(y64.value(), v.ref(x), kF64Atol, kF64Rtol, &why);
  INFO("float64 forward: " << why);
  CHECK(ok64);
  Arrays rounded;
  const Inputs32 in32 = tensors32(x, &rounded);
  const auto y32 = v.f32(in32);
  std::string why32;
  const bool ok32 = ref::close(to_double(y32.value()), v.ref(rounded), kF32Atol, kF32Rtol, &why32);
  INFO("float32 forward: " << why32);
  CHECK(ok32);
}

/// Above this many input elements a sample's gradient is checked along random directions
/// (GradcheckOptions::directions) instead of element by element, which costs two forwards
/// per element.
constexpr std::size_t kElementwiseGradcheckLimit = 4096;

std::size_t total_elements(const Arrays& x) {
  std::size_t n = 0;
  for (const auto& a : x) n += a.size();
  return n;
}

struct Counts {
  std::size_t entries = 0, variants = 0, samples = 0, empty_samples = 0, gradchecks = 0;
};

/// Runs the forward checks (gradchecks false; then also the zero-size samples) or the
/// gradchecks of every variant's `samples`, or of its `sized` samples when `sized` is true.
Counts run_registry(bool gradchecks, bool sized = false) {
  Counts c;
  xgrad::GradcheckOptions directional;
  directional.directions = 3;
  xgrad::GradcheckOptions tight;
  tight.atol = 1e-6;
  tight.rtol = 1e-4;
  for (const OpEntry& e : all_entries()) {
    ++c.entries;
    for (const OpVariant& v : e.variants) {
      ++c.variants;
      const ShapeSets& samples = sized ? v.sized : v.samples;
      for (std::size_t s = 0; s < samples.size(); ++s) {
        INFO(e.op << ": " << (sized ? "sized " : "") << describe(v, s, samples[s]));
        const Arrays x = draw_inputs(v, samples[s], (sized ? 5000 : 3000) + s);
        if (!gradchecks) {
          check_forward(v, x);
        } else if (total_elements(x) > kElementwiseGradcheckLimit) {
          const auto r = xgrad::gradcheck(v.f64, tensors64(x, true), directional);
          INFO("gradcheck along 3 random directions: " << r.report);
          CHECK(r.ok);
          ++c.gradchecks;
        } else {
          const auto r = xgrad::gradcheck(v.f64, tensors64(x, true));
          INFO(r.report);
          CHECK(r.ok);
          ++c.gradchecks;
          if (v.smooth) {
            const auto rt = xgrad::gradcheck(v.f64, tensors64(x, true), tight);
            INFO("tight tolerance: " << rt.report);
            CHECK(rt.ok);
            ++c.gradchecks;
          }
        }
        ++c.samples;
      }
      if (gradchecks || sized) continue;
      for (std::size_t s = 0; s < v.empty_samples.size(); ++s) {
        INFO(e.op << ": zero-size " << describe(v, s, v.empty_samples[s]));
        const Arrays x = draw_inputs(v, v.empty_samples[s], 4000 + s);
        check_forward(v, x);
        ++c.empty_samples;
      }
    }
  }
  return c;
}

bool has_unit_dim(const Shape& s) {
  for (std::size_t d : s) {
    if (d == 1) return true;
  }
  return false;
}
bool is_zero_size(const Shape& s) {
  for (std::size_t d : s) {
    if (d == 0) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("op registry: forward matches the reference in float64 and float32", "[registry][ops]") {
  const Counts c = run_registry(false);
  // The registry must not shrink unnoticed (the exact coverage is checked op by op below).
  CHECK(c.entries >= 40);
  CHECK(c.samples >= 600);
  CHECK(c.empty_samples >= 120);
}

TEST_CASE("op registry: every sample passes gradcheck in float64", "[registry][ops][gradcheck]") {
  const Counts c = run_registry(true);
  CHECK(c.samples >= 600);
  CHECK(c.gradchecks > c.samples);  // smooth ops are checked twice
}

TEST_CASE("op registry: samples on both sides of every size threshold match the reference",
          "[registry][ops][thresholds]") {
  const Counts c = run_registry(false, true);
  CHECK(c.samples >= 60);
}

TEST_CASE("op registry: samples on both sides of every size threshold pass gradcheck",
          "[registry][ops][gradcheck][thresholds]") {
  const Counts c = run_registry(true, true);
  CHECK(c.samples >= 60);
}

// The meta-test of the size thresholds: every threshold of lib/ (detail::size_thresholds())
// names the ops that switch on it, and each of those has `sized` registry samples on both
// sides of it in float32 and float64, with an odd tail above an element threshold.
TEST_CASE("op registry: every size threshold of lib/ has samples on both sides",
          "[registry][thresholds]") {
  const auto& thresholds = xgrad::detail::size_thresholds();
  REQUIRE(thresholds.size() >= 10);
  const std::vector<OpEntry> entries = all_entries();
  for (const auto& t : thresholds) {
    INFO("threshold " << t.name << " " << t.dtype << " (at most " << t.max_small
                      << " on the small path)");
    CHECK_FALSE(t.ops.empty());
    using xgrad::detail::SizeMeasure;
    // Graph sizes and file sizes are no op inputs: tests/reliability/test_size_paths.cpp
    // runs both sides of those rows.
    if (t.measure == SizeMeasure::graph_nodes || t.measure == SizeMeasure::file_bytes) continue;
    for (std::string_view op : t.ops) {
      INFO("op " << op);
      const auto e = std::find_if(entries.begin(), entries.end(),
                                  [&](const OpEntry& x) { return x.op == op; });
      REQUIRE(e != entries.end());
      ShapeSets sized;
      for (const OpVariant& v : e->variants)
        sized.insert(sized.end(), v.sized.begin(), v.sized.end());
      const std::string missing = xgrad::test::missing_sides(op, t, sized);
      INFO("missing:" << missing);
      CHECK(missing.empty());
    }
  }
}

TEST_CASE("op registry: the directional gradcheck of large samples notices a wrong gradient",
          "[registry][thresholds]") {
  // f is 2x while recording and 3x under NoGradGuard (where the numerical side evaluates it), so
  // its recorded gradient is wrong for the function the differences see.
  const xgrad::test::Fn64 inconsistent = [](const xgrad::test::Inputs64& in) {
    return in[0] * (xgrad::is_grad_enabled() ? 2.0 : 3.0);
  };
  const xgrad::test::Fn64 consistent = [](const xgrad::test::Inputs64& in) {
    return xgrad::tanh(in[0]) * 2.0;
  };
  xgrad::Generator gen(7);
  const Arrays x = {xgrad::randn<double>({kElementwiseGradcheckLimit + 3}, gen).value()};
  xgrad::GradcheckOptions directional;
  directional.directions = 3;
  CHECK(xgrad::gradcheck(consistent, tensors64(x, true), directional).ok);
  CHECK_FALSE(xgrad::gradcheck(inconsistent, tensors64(x, true), directional).ok);
  // An input that does not require grad is left where it is (and out of the directions).
  xgrad::test::Inputs64 mixed = tensors64({x[0], x[0] * 0.5}, true);
  mixed[1] = xgrad::Tensor64(x[0] * 0.5, false);
  const xgrad::test::Fn64 product = [](const xgrad::test::Inputs64& in) {
    return xgrad::tanh(in[0]) * in[1];
  };
  CHECK(xgrad::gradcheck(product, mixed, directional).ok);
  CHECK(mixed[1].value() == x[0] * 0.5);
}

TEST_CASE("op registry: the threshold meta-test notices a missing side", "[registry][thresholds]") {
  const xgrad::detail::SizeThreshold t{"t", "", 64, xgrad::detail::SizeMeasure::elements, {"x"}};
  CHECK(xgrad::test::missing_sides("x", t, {{{64}}, {{131}}}).empty());
  CHECK_FALSE(xgrad::test::missing_sides("x", t, {{{64}}, {{63}}}).empty());   // none above
  CHECK_FALSE(xgrad::test::missing_sides("x", t, {{{65}}, {{131}}}).empty());  // none below
  CHECK_FALSE(xgrad::test::missing_sides("x", t, {{{64}}, {{130}}}).empty());  // no odd tail
  const xgrad::detail::SizeThreshold g{
      "g", "", 4096, xgrad::detail::SizeMeasure::multiply_adds, {"matmul"}};
  CHECK(xgrad::test::missing_sides("matmul", g, {{{16, 16}, {16, 16}}, {{16, 17}, {17, 16}}})
            .empty());
  CHECK_FALSE(xgrad::test::missing_sides("matmul", g, {{{16, 16}, {16, 16}}}).empty());
  const xgrad::detail::SizeThreshold b{"b", "", 65536, xgrad::detail::SizeMeasure::bytes, {"neg"}};
  // 16384 floats are 64 KiB (small) but 16384 doubles are not: float32 lacks a side above.
  CHECK_FALSE(xgrad::test::missing_sides("neg", b, {{{8192}}, {{16384}}}).empty());
  CHECK(xgrad::test::missing_sides("neg", b, {{{8192}}, {{16385}}}).empty());
}

TEST_CASE("op registry: every entry covers small and size-1 and zero-size shapes", "[registry]") {
  std::set<std::string> names;
  for (const OpEntry& e : all_entries()) {
    INFO(e.op);
    CHECK(names.insert(e.op).second);  // one entry per op
    REQUIRE_FALSE(e.variants.empty());
    bool unit = false, zero = false, scalar_or_vector = false;
    for (const OpVariant& v : e.variants) {
      INFO(v.name);
      CHECK_FALSE(v.covers.empty());
      CHECK((v.f64 && v.f32 && v.ref));
      CHECK(v.samples.size() + v.empty_samples.size() > 0);
      for (const auto& sample : v.samples) {
        for (const Shape& s : sample) {
          unit = unit || has_unit_dim(s);
          scalar_or_vector = scalar_or_vector || s.size() <= 1;
          CHECK_FALSE(is_zero_size(s));  // zero-size inputs are forward only
        }
      }
      for (const auto& sample : v.empty_samples) {
        for (const Shape& s : sample) zero = zero || is_zero_size(s);
      }
    }
    CHECK(unit);
    CHECK(zero);
    // Only matmul and transpose (2-D only), the (N,C) losses and the image ops ((C,H,W) or
    // more) take no 0-d or 1-d input.
    const std::set<std::string> only_2d = {
        "matmul", "transpose",  "cross_entropy", "nll_loss",
        "conv2d", "max_pool2d", "avg_pool2d",    "adaptive_avg_pool2d"};
    CHECK((scalar_or_vector || only_2d.count(e.op) == 1));
  }
}

TEST_CASE("op registry: elementwise and broadcasting entries use the full G2 shape sets",
          "[registry]") {
  // G2's shapes: (), (1,), (5,), (3,4), (2,3,4) and size-1 dims for unary ops; the 11 A2 pairs
  // for binary ones. Checked on the variants that claim the elementwise sets.
  std::size_t unary = 0, binary = 0;
  for (const OpEntry& e : all_entries()) {
    for (const OpVariant& v : e.variants) {
      if (v.samples == kUnaryShapes) ++unary;
      if (v.samples == kBinaryShapes) ++binary;
    }
  }
  for (const Shape& s : {Shape{}, Shape{1}, Shape{5}, Shape{3, 4}, Shape{2, 3, 4}}) {
    bool found = false;
    for (const auto& sample : kUnaryShapes) found = found || sample[0] == s;
    CHECK(found);
  }
  for (const auto& pair : kA2Pairs) {
    bool found = false;
    for (const auto& sample : kBinaryShapes) found = found || sample == pair;
    CHECK(found);
  }
  CHECK(kA2Pairs.size() == 11);
  CHECK(unary >= 25);
  CHECK(binary >= 8);  // add, +, sub, mul, div, /, maximum, minimum
}
