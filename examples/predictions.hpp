// SPDX-License-Identifier: MIT
#pragma once

// Shared by the tutorial examples (header-only, not part of the library): the table of
// predictions against targets, a "predictions" line with every digit (compared across the two
// examples by examples/compare_predictions.cmake), and the check that each prediction is within
// `max_error` of its target.

#include <cmath>
#include <cstddef>
#include <cstdio>

#include <xtensor/xarray.hpp>

namespace examples {

/// Prints the predictions of the (n,1) `output` next to the targets `y`, and returns how many
/// are further than `max_error` from their target (each named on stderr); max_error <= 0 checks
/// nothing.
inline int report_predictions(const xt::xarray<double>& output, const xt::xarray<double>& y,
                              double max_error) {
  const std::size_t n = output.shape()[0];
  std::printf("Prediction | Y (Actual)\n");
  for (std::size_t r = 0; r < n; ++r) std::printf("%10.3f | %g\n", output(r, 0), y(r, 0));
  std::printf("\npredictions");
  for (std::size_t r = 0; r < n; ++r) std::printf(" %.17g", output(r, 0));
  std::printf("\n");
  int wrong = 0;
  for (std::size_t r = 0; r < n; ++r) {
    const double error = std::abs(output(r, 0) - y(r, 0));
    if (max_error > 0 && !(error <= max_error)) {
      std::fprintf(stderr, "error: prediction %zu is %.6f, further than %g from its target %g\n", r,
                   output(r, 0), max_error, y(r, 0));
      ++wrong;
    }
  }
  return wrong;
}

}  // namespace examples
