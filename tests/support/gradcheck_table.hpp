// SPDX-License-Identifier: MIT
#pragma once
// The data-driven gradcheck table runner shared by tests/ops/test_gradcheck_table*.cpp and the
// op registry (tests/registry): input domains, drawing inputs from them, and running rows of
// {name, function, input shapes, domains} through xgrad::gradcheck.

#include <algorithm>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "support/helpers.hpp"

namespace xgrad::test {

using Inputs64 = std::vector<Tensor64>;
using Fn64 = std::function<Tensor64(const Inputs64&)>;

/// Where an input is drawn from: [lo, hi), with values closer than `gap` to any of `kinks`
/// pushed `gap` away from it, so that finite differences never straddle a kink.
struct Domain {
  double lo = -2.0, hi = 2.0;
  std::vector<double> kinks = {};
  double gap = 0.0;
};

inline const Domain kAnyDomain{};
/// Denominators and the kinks of abs, relu and leaky_relu at 0: |x| >= 0.2.
inline const Domain kNonZeroDomain{-2.0, 2.0, {0.0}, 0.2};
/// log, sqrt, pow with fractional exponents.
inline const Domain kPositiveDomain{0.2, 3.0};

/// "(3,4)", "()" for a shape.
inline std::string shape_string(const Shape& shape) {
  std::string s = "(";
  for (std::size_t d = 0; d < shape.size(); ++d) s += (d ? "," : "") + std::to_string(shape[d]);
  return s + ")";
}

/// A double array of `shape` drawn from `d` (uniform_array, then the kink nudge).
inline xt::xarray<double> draw(const Shape& shape, Generator& gen, const Domain& d) {
  xt::xarray<double> a = uniform_array(shape, gen, d.lo, d.hi);
  for (double& v : a) {
    for (double k : d.kinks) {
      if (v > k - d.gap && v < k + d.gap) v = v < k ? k - d.gap : k + d.gap;
    }
  }
  return a;
}

/// One row of a gradcheck table: `f` is checked once per entry of `shape_sets` (the shapes of
/// its inputs), each input drawn from its domain (the last domain repeats).
struct GradcheckRow {
  std::string name;
  Fn64 f;
  std::vector<std::vector<Shape>> shape_sets;
  std::vector<Domain> domains = {kAnyDomain};
};

/// Runs every case of every row through gradcheck with `options`, case s of a row drawing its
/// inputs from Generator(seed_base + s); CHECKs each result (with the row, case, shapes and
/// report in the message) and returns the number of cases run.
inline std::size_t run_gradcheck_table(const std::vector<GradcheckRow>& rows,
                                       std::uint64_t seed_base,
                                       const GradcheckOptions& options = {}) {
  std::size_t cases = 0;
  for (const GradcheckRow& row : rows) {
    for (std::size_t s = 0; s < row.shape_sets.size(); ++s) {
      Generator gen(seed_base + s);
      Inputs64 inputs;
      const auto& shapes = row.shape_sets[s];
      for (std::size_t i = 0; i < shapes.size(); ++i) {
        const Domain& d = row.domains[std::min(i, row.domains.size() - 1)];
        inputs.emplace_back(draw(shapes[i], gen, d), true);
      }
      std::string desc;
      for (const auto& t : inputs) desc += " " + shape_string(t.shape());
      INFO(row.name << " case " << s << " (inputs:" << desc << ")");
      const auto r = gradcheck(row.f, inputs, options);
      INFO(r.report);
      CHECK(r.ok);
      ++cases;
    }
  }
  return cases;
}

}  // namespace xgrad::test
