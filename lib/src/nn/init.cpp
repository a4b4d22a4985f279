// SPDX-License-Identifier: MIT
#include <xgrad/nn/init.hpp>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "../shape_util.hpp"

namespace xgrad::nn {

Generator& default_generator() {
  // One per thread (see the header): no shared mutable state, deterministic per thread.
  thread_local Generator gen(Generator::kDefaultSeed);
  return gen;
}

namespace init {
namespace {

template <class T>
void check_defined(const char* fn, const BasicTensor<T>& t) {
  if (!t.defined()) throw std::invalid_argument(std::string(fn) + ": undefined tensor");
}

/// The fan `mode` selects, for the kaiming_* functions.
std::size_t fan(const char* fn, const Shape& shape, FanMode mode) {
  if (shape.size() < 2) {
    throw std::invalid_argument(std::string(fn) +
                                ": fan in and fan out cannot be computed for a tensor with "
                                "fewer than 2 dimensions, got shape " +
                                detail::shape_str(shape));
  }
  const auto fans = calculate_fan_in_and_fan_out(shape);
  return mode == FanMode::fan_in ? fans.first : fans.second;
}

/// Fills with lo + (hi - lo) * u. Computed in double; a float result that rounds up to `hi`
/// is moved one step below it, so the interval stays half-open.
template <class T>
void fill_uniform(BasicTensor<T>& t, double lo, double hi, Generator& gen) {
  auto& a = t.mutable_value();
  for (T& v : a) {
    v = static_cast<T>(lo + (hi - lo) * gen.uniform());
    if (lo < hi && !(static_cast<double>(v) < hi)) v = std::nextafter(static_cast<T>(hi), T(lo));
  }
}

template <class T>
void fill_normal(BasicTensor<T>& t, double mean, double stddev, Generator& gen) {
  auto& a = t.mutable_value();
  for (T& v : a) v = static_cast<T>(mean + stddev * gen.normal());
}

}  // namespace

double calculate_gain(Nonlinearity nonlinearity, double param) {
  switch (nonlinearity) {
    case Nonlinearity::linear:
    case Nonlinearity::sigmoid:
      return 1.0;
    case Nonlinearity::tanh:
      return 5.0 / 3.0;
    case Nonlinearity::relu:
      return std::sqrt(2.0);
    case Nonlinearity::leaky_relu:
      return std::sqrt(2.0 / (1.0 + param * param));
  }
  throw std::invalid_argument("calculate_gain: unknown nonlinearity");
}

std::pair<std::size_t, std::size_t> calculate_fan_in_and_fan_out(const Shape& shape) {
  if (shape.size() < 2) {
    throw std::invalid_argument(
        "calculate_fan_in_and_fan_out: fan in and fan out cannot be computed for a tensor "
        "with fewer than 2 dimensions, got shape " +
        detail::shape_str(shape));
  }
  std::size_t receptive = 1;
  for (std::size_t d = 2; d < shape.size(); ++d) receptive *= shape[d];
  return {shape[1] * receptive, shape[0] * receptive};
}

template <class T>
BasicTensor<T>& uniform_(BasicTensor<T>& t, double lo, double hi, Generator& gen) {
  check_defined("uniform_", t);
  if (!(lo <= hi)) {
    throw std::invalid_argument("uniform_: expects lo <= hi, got lo=" + std::to_string(lo) +
                                " and hi=" + std::to_string(hi));
  }
  fill_uniform(t, lo, hi, gen);
  return t;
}

template <class T>
BasicTensor<T>& normal_(BasicTensor<T>& t, double mean, double stddev, Generator& gen) {
  check_defined("normal_", t);
  if (!(stddev >= 0)) {
    throw std::invalid_argument("normal_: expects stddev >= 0, got " + std::to_string(stddev));
  }
  fill_normal(t, mean, stddev, gen);
  return t;
}

template <class T>
BasicTensor<T>& constant_(BasicTensor<T>& t, double value) {
  check_defined("constant_", t);
  t.mutable_value().fill(static_cast<T>(value));
  return t;
}

template <class T>
BasicTensor<T>& zeros_(BasicTensor<T>& t) {
  check_defined("zeros_", t);
  return constant_(t, 0.0);
}

template <class T>
BasicTensor<T>& ones_(BasicTensor<T>& t) {
  check_defined("ones_", t);
  return constant_(t, 1.0);
}

template <class T>
BasicTensor<T>& copy_(BasicTensor<T>& t, const Array<detail::scalar_t<T>>& value) {
  check_defined("copy_", t);
  if (value.shape() != t.shape()) {
    throw std::invalid_argument("copy_: cannot copy a value of shape " +
                                detail::shape_str(value.shape()) + " into a tensor of shape " +
                                detail::shape_str(t.shape()));
  }
  auto& a = t.mutable_value();
  std::copy(value.begin(), value.end(), a.begin());
  return t;
}

template <class T>
BasicTensor<T>& xavier_uniform_(BasicTensor<T>& t, Generator& gen, double gain) {
  check_defined("xavier_uniform_", t);
  const auto fans = calculate_fan_in_and_fan_out(t.shape());
  if (t.size() == 0) return t;
  const double stddev = gain * std::sqrt(2.0 / static_cast<double>(fans.first + fans.second));
  const double bound = std::sqrt(3.0) * stddev;
  fill_uniform(t, -bound, bound, gen);
  return t;
}

template <class T>
BasicTensor<T>& xavier_normal_(BasicTensor<T>& t, Generator& gen, double gain) {
  check_defined("xavier_normal_", t);
  const auto fans = calculate_fan_in_and_fan_out(t.shape());
  if (t.size() == 0) return t;
  const double stddev = gain * std::sqrt(2.0 / static_cast<double>(fans.first + fans.second));
  fill_normal(t, 0.0, stddev, gen);
  return t;
}

template <class T>
BasicTensor<T>& kaiming_uniform_(BasicTensor<T>& t, Generator& gen, double a, FanMode mode,
                                 Nonlinearity nonlinearity) {
  check_defined("kaiming_uniform_", t);
  if (t.size() == 0) return t;  // as PyTorch: initialising a zero-element tensor is a no-op
  const double stddev = calculate_gain(nonlinearity, a) /
                        std::sqrt(static_cast<double>(fan("kaiming_uniform_", t.shape(), mode)));
  const double bound = std::sqrt(3.0) * stddev;
  fill_uniform(t, -bound, bound, gen);
  return t;
}

template <class T>
BasicTensor<T>& kaiming_normal_(BasicTensor<T>& t, Generator& gen, double a, FanMode mode,
                                Nonlinearity nonlinearity) {
  check_defined("kaiming_normal_", t);
  if (t.size() == 0) return t;
  const double stddev = calculate_gain(nonlinearity, a) /
                        std::sqrt(static_cast<double>(fan("kaiming_normal_", t.shape(), mode)));
  fill_normal(t, 0.0, stddev, gen);
  return t;
}

#define XGRAD_INSTANTIATE(T)                                                              \
  template BasicTensor<T>& uniform_(BasicTensor<T>&, double, double, Generator&);         \
  template BasicTensor<T>& normal_(BasicTensor<T>&, double, double, Generator&);          \
  template BasicTensor<T>& constant_(BasicTensor<T>&, double);                            \
  template BasicTensor<T>& zeros_(BasicTensor<T>&);                                       \
  template BasicTensor<T>& ones_(BasicTensor<T>&);                                        \
  template BasicTensor<T>& copy_(BasicTensor<T>&, const Array<T>&);                       \
  template BasicTensor<T>& xavier_uniform_(BasicTensor<T>&, Generator&, double);          \
  template BasicTensor<T>& xavier_normal_(BasicTensor<T>&, Generator&, double);           \
  template BasicTensor<T>& kaiming_uniform_(BasicTensor<T>&, Generator&, double, FanMode, \
                                            Nonlinearity);                                \
  template BasicTensor<T>& kaiming_normal_(BasicTensor<T>&, Generator&, double, FanMode,  \
                                           Nonlinearity);
XGRAD_INSTANTIATE(float)
XGRAD_INSTANTIATE(double)
#undef XGRAD_INSTANTIATE

}  // namespace init
}  // namespace xgrad::nn
