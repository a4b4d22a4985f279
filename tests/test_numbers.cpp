// SPDX-License-Identifier: MIT
// Counts for the "Numbers" section of docs/reliability.md, printed by a hidden test case (not
// listed, so not a ctest) that scripts/reliability_numbers.py runs: xgrad_tests "[numbers]".
#include <cstdio>

#include "registry/op_registry.hpp"

TEST_CASE("numbers: the op registry's entries, variants and samples", "[.numbers]") {
  std::size_t entries = 0, variants = 0, samples = 0, gradchecks = 0, zero_size = 0, sized = 0;
  for (const auto& e : xgrad::test::registry::all_entries()) {
    ++entries;
    for (const auto& v : e.variants) {
      ++variants;
      samples += v.samples.size();
      gradchecks += v.samples.size() * (v.smooth ? 2 : 1);  // smooth: also at tight tolerances
      zero_size += v.empty_samples.size();
      sized += v.sized.size();
    }
  }
  std::printf(
      "numbers: registry entries %zu variants %zu samples %zu gradchecks %zu zero-size %zu "
      "sized %zu\n",
      entries, variants, samples, gradchecks, zero_size, sized);
  CHECK(samples > 0);
}
