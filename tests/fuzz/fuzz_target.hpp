// SPDX-License-Identifier: MIT
#pragma once
// The entry function shared by the libFuzzer target (fuzz_loaders.cpp) and the corpus replay
// test (test_fuzz_corpus.cpp): one input, any bytes, through xgrad's in-memory loaders.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>

#include <xgrad/io/npy.hpp>
#include <xgrad/io/npz.hpp>

namespace xgrad::fuzz {

/// The limits the loaders run with: the library's defaults, which must keep every allocation
/// small for a small input (the fuzzer runs with -malloc_limit_mb=512).
inline io::LoadLimits fuzz_limits() { return io::LoadLimits{}; }

/// Checks what a successful parse promises; a violation is a bug, reported as
/// std::logic_error (not IoError), so the fuzzer crashes and the replay test fails.
inline void check_array(const io::NpyArray& a) {
  const std::size_t item = io::dtype_size(a.dtype);
  if (a.bytes.size() != a.size() * item) {
    throw std::logic_error("fuzz: NpyArray holds " + std::to_string(a.bytes.size()) +
                           " bytes for " + std::to_string(a.size()) + " elements");
  }
  std::size_t n = 0;
  switch (a.dtype) {
    case io::DType::float32:
      n = io::to_xarray<float>(a).size();
      break;
    case io::DType::float64:
      n = io::to_xarray<double>(a).size();
      break;
    case io::DType::int32:
      n = io::to_xarray<std::int32_t>(a).size();
      break;
    case io::DType::int64:
      n = io::to_xarray<std::int64_t>(a).size();
      break;
    case io::DType::uint8:
      n = io::to_xarray<std::uint8_t>(a).size();
      break;
  }
  if (n != a.size()) throw std::logic_error("fuzz: to_xarray changed the element count");
  // What was read can be written and read back unchanged.
  const io::NpyArray back = io::parse_npy(io::write_npy(a), fuzz_limits());
  if (back.dtype != a.dtype || back.shape != a.shape || back.fortran_order != a.fortran_order ||
      back.bytes != a.bytes) {
    throw std::logic_error("fuzz: write_npy then parse_npy does not give the array back");
  }
}

/// Loads `size` bytes at `data`: a zip archive ("PK" first) as .npz, anything else as .npy.
/// Returns the number of arrays loaded. Malformed input throws xgrad::IoError; any other
/// exception, or a crash, is a bug.
inline std::size_t load_any(const std::uint8_t* data, std::size_t size) {
  const char* p = size == 0 ? "" : reinterpret_cast<const char*>(data);
  if (size >= 2 && p[0] == 'P' && p[1] == 'K') {
    const io::NpzEntries entries = io::load_npz_from_memory(std::string(p, size), fuzz_limits());
    for (const auto& e : entries) check_array(e.second);
    return entries.size();
  }
  check_array(io::parse_npy(p, size, fuzz_limits()));
  return 1;
}

}  // namespace xgrad::fuzz
