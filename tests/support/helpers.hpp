// SPDX-License-Identifier: MIT
#pragma once
// Shared test helpers (not part of the library).

#include <string>

#include <catch2/catch.hpp>
#include <xgrad/xgrad.hpp>

namespace xgrad::test {

/// A double array of `shape` drawn uniform in [lo, hi) from `gen`; values closer than `gap` to
/// any of the kinks are pushed `gap` away from them (flashlight's nudge), so finite differences
/// never straddle a kink.
inline xt::xarray<double> uniform_array(const Shape& shape, Generator& gen, double lo, double hi,
                                        double gap = 0.0) {
  xt::xarray<double> a = xt::xarray<double>::from_shape(shape);
  for (double& v : a) {
    v = lo + (hi - lo) * gen.uniform();
    if (gap > 0 && v > -gap && v < gap) v = v < 0 ? -gap : gap;
  }
  return a;
}

/// Builds an array from a flat list and a shape (braced nested literals of shape (n,1) are
/// ambiguous for xtensor's constructors).
inline xt::xarray<double> make(std::initializer_list<double> values, const Shape& shape) {
  xt::xarray<double> a = xt::xarray<double>::from_shape(shape);
  std::copy(values.begin(), values.end(), a.begin());
  return a;
}

/// Catch2 matcher-free helper: elementwise |a-b| <= tol and equal shapes.
inline bool all_close(const xt::xarray<double>& a, const xt::xarray<double>& b, double tol) {
  if (a.shape() != b.shape()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (!(std::abs(a.data()[i] - b.data()[i]) <= tol)) return false;
  }
  return true;
}

}  // namespace xgrad::test
