// SPDX-License-Identifier: MIT
// Runs the op registry (RELIABILITY.md G2): for every variant of every entry and every sample,
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

struct Counts {
  std::size_t entries = 0, variants = 0, samples = 0, empty_samples = 0, gradchecks = 0;
};

Counts run_registry(bool gradchecks) {
  Counts c;
  xgrad::GradcheckOptions tight;
  tight.atol = 1e-6;
  tight.rtol = 1e-4;
  for (const OpEntry& e : all_entries()) {
    ++c.entries;
    for (const OpVariant& v : e.variants) {
      ++c.variants;
      for (std::size_t s = 0; s < v.samples.size(); ++s) {
        INFO(e.op << ": " << describe(v, s, v.samples[s]));
        const Arrays x = draw_inputs(v, v.samples[s], 3000 + s);
        if (!gradchecks) {
          check_forward(v, x);
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
      if (gradchecks) continue;
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
    // Only matmul and transpose (2-D only) and the (N,C) losses take no 0-d or 1-d input.
    const std::set<std::string> only_2d = {"matmul", "transpose", "cross_entropy", "nll_loss"};
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
