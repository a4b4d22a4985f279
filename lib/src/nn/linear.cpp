// SPDX-License-Identifier: MIT
#include <xgrad/nn/linear.hpp>

#include <cmath>
#include <stdexcept>
#include <vector>

#include <xgrad/nn/init.hpp>
#include <xgrad/ops/linalg.hpp>
#include <xgrad/ops/shape.hpp>

#include "../shape_util.hpp"

namespace xgrad::nn {
namespace {

std::size_t checked_size(const char* what, std::int64_t n) {
  if (n < 0) {
    throw std::invalid_argument(std::string("Linear: ") + what + " must be >= 0, got " +
                                std::to_string(n));
  }
  return static_cast<std::size_t>(n);
}

}  // namespace

template <class T>
BasicLinear<T>::BasicLinear(std::int64_t in_features, std::int64_t out_features, bool with_bias)
    : BasicLinear(in_features, out_features, with_bias, default_generator()) {}

template <class T>
BasicLinear<T>::BasicLinear(std::int64_t in_features, std::int64_t out_features, Generator& gen)
    : BasicLinear(in_features, out_features, true, gen) {}

template <class T>
BasicLinear<T>::BasicLinear(std::int64_t in_features, std::int64_t out_features, bool with_bias,
                            Generator& gen)
    : in_features_(checked_size("in_features", in_features)),
      out_features_(checked_size("out_features", out_features)),
      has_bias_(with_bias) {
  this->register_parameter("weight", zeros<T>({out_features_, in_features_}));
  if (has_bias_) this->register_parameter("bias", zeros<T>({out_features_}));
  reset_parameters(gen);
}

template <class T>
void BasicLinear<T>::reset_parameters(Generator& gen) {
  // PyTorch's Linear.reset_parameters: kaiming_uniform_(a = sqrt(5)) gives the weight
  // U(-1/sqrt(in), 1/sqrt(in)); the bias gets the same bound (0 when in_features == 0).
  init::kaiming_uniform_(weight(), gen, std::sqrt(5.0));
  if (has_bias_) {
    const double bound =
        in_features_ > 0 ? 1.0 / std::sqrt(static_cast<double>(in_features_)) : 0.0;
    init::uniform_(bias(), -bound, bound, gen);
  }
}

template <class T>
BasicTensor<T>& BasicLinear<T>::bias() {
  if (!has_bias_) throw std::logic_error("Linear: this layer has no bias (built with bias=false)");
  return this->parameter("bias");
}

template <class T>
const BasicTensor<T>& BasicLinear<T>::bias() const {
  if (!has_bias_) throw std::logic_error("Linear: this layer has no bias (built with bias=false)");
  return this->parameter("bias");
}

template <class T>
BasicTensor<T> BasicLinear<T>::forward(const TensorType& x) {
  if (!x.defined()) throw std::invalid_argument("Linear: undefined input tensor");
  const Shape& s = x.shape();
  if (s.empty() || s.back() != in_features_) {
    throw std::invalid_argument(
        "Linear: expects an input of shape (..., " + std::to_string(in_features_) +
        ") (in_features=" + std::to_string(in_features_) + "), got shape " + detail::shape_str(s));
  }
  const TensorType no_bias;
  const TensorType& b = has_bias_ ? bias() : no_bias;
  if (s.size() == 2) return linear(x, weight(), b);
  // Fold every leading dimension into the rows of one product, then unfold.
  std::int64_t rows = 1;
  std::vector<std::int64_t> out_shape;
  for (std::size_t d = 0; d + 1 < s.size(); ++d) {
    rows *= static_cast<std::int64_t>(s[d]);
    out_shape.push_back(static_cast<std::int64_t>(s[d]));
  }
  out_shape.push_back(static_cast<std::int64_t>(out_features_));
  const auto in = static_cast<std::int64_t>(in_features_);
  return reshape(linear(reshape(x, {rows, in}), weight(), b), out_shape);
}

template <class T>
std::string BasicLinear<T>::extra_repr() const {
  return "in_features=" + std::to_string(in_features_) +
         ", out_features=" + std::to_string(out_features_) +
         ", bias=" + (has_bias_ ? "true" : "false");
}

template class BasicLinear<float>;
template class BasicLinear<double>;

}  // namespace xgrad::nn
