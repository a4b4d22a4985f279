// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <random>

namespace xgrad {

/// A seeded random source that gives the same numbers on every platform.
///
/// Built on std::mt19937_64, whose output sequence the C++ standard fixes. The std::
/// distributions are not fixed (libstdc++ and libc++ differ), so the conversions to uniform
/// and normal numbers are written here: uniform() takes the top 53 bits of one draw, and
/// normal() is the Box-Muller transform of two uniforms.
class Generator {
 public:
  static constexpr std::uint64_t kDefaultSeed = 5489u;

  explicit Generator(std::uint64_t seed = kDefaultSeed) : engine_(seed) {}

  /// Restarts the sequence from `seed`.
  void seed(std::uint64_t seed) {
    engine_.seed(seed);
    has_spare_ = false;
  }
  /// A raw 64-bit draw.
  std::uint64_t next_u64() { return engine_(); }
  /// Uniform in [0, 1) with 53 random bits (double precision).
  double uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
  /// Uniform in [0, 1) with 24 random bits: never rounds up to 1.0f.
  float uniform_float() { return static_cast<float>(engine_() >> 40) * 0x1.0p-24f; }
  /// Uniform integer in [0, n) without modulo bias (n > 0).
  std::uint64_t uniform_int(std::uint64_t n);
  /// Standard normal (mean 0, standard deviation 1).
  double normal();

 private:
  std::mt19937_64 engine_;
  double spare_ = 0.0;
  bool has_spare_ = false;
};

}  // namespace xgrad
