// SPDX-License-Identifier: MIT
// libFuzzer target on the in-memory .npy/.npz loaders (docs/reliability.md, S5). Built by the fuzz
// preset (clang, ASan+UBSan); run by `scripts/check.sh --fuzz`. An IoError is the expected
// answer to a malformed input; any other exception escapes and aborts, which libFuzzer
// reports as a crash (as it does sanitizer reports, timeouts and allocations over
// -malloc_limit_mb).

#include <cstddef>
#include <cstdint>

#include "fuzz/fuzz_target.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    xgrad::fuzz::load_any(data, size);
  } catch (const xgrad::IoError&) {
    // malformed input, rejected as promised
  }
  return 0;
}
