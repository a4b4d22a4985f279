// SPDX-License-Identifier: MIT
#include <xgrad/generator.hpp>

#include <cmath>
#include <limits>
#include <stdexcept>

namespace xgrad {

std::uint64_t Generator::uniform_int(std::uint64_t n) {
  if (n == 0) throw std::invalid_argument("Generator::uniform_int: n must be positive");
  // Rejection sampling: draws in the incomplete last block of size n would bias small values.
  const std::uint64_t limit =
      std::numeric_limits<std::uint64_t>::max() - std::numeric_limits<std::uint64_t>::max() % n;
  std::uint64_t r = engine_();
  while (r >= limit) r = engine_();
  return r % n;
}

double Generator::normal() {
  if (has_spare_) {
    has_spare_ = false;
    return spare_;
  }
  // Box-Muller on (0, 1] x [0, 1): u1 > 0 keeps log finite.
  const double u1 = 1.0 - uniform();
  const double u2 = uniform();
  const double r = std::sqrt(-2.0 * std::log(u1));
  const double theta = 6.283185307179586476925286766559 * u2;
  spare_ = r * std::sin(theta);
  has_spare_ = true;
  return r * std::cos(theta);
}

}  // namespace xgrad
