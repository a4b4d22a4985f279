// SPDX-License-Identifier: MIT
#include <xgrad/nn/dropout.hpp>

#include <sstream>
#include <stdexcept>

#include <xgrad/nn/init.hpp>
#include <xgrad/ops/binary.hpp>

#include "../shape_util.hpp"

namespace xgrad::nn {
namespace {

double checked_p(double p) {
  if (!(p >= 0.0 && p < 1.0)) {
    std::ostringstream os;
    os << "Dropout: p must be in [0, 1), got " << p;
    throw std::invalid_argument(os.str());
  }
  return p;
}

}  // namespace

template <class T>
BasicDropout<T>::BasicDropout(double p, std::uint64_t seed) : p_(checked_p(p)), gen_(seed) {}

template <class T>
BasicDropout<T>::BasicDropout(double p, Generator& gen) : p_(checked_p(p)), gen_(gen.next_u64()) {}

template <class T>
BasicDropout<T>::BasicDropout(double p) : BasicDropout(p, default_generator()) {}

template <class T>
BasicTensor<T> BasicDropout<T>::forward(const BasicTensor<T>& x) {
  if (!x.defined()) throw std::invalid_argument("Dropout: undefined input tensor");
  if (!this->is_training() || p_ == 0.0) return x;
  const T scale = static_cast<T>(1.0 / (1.0 - p_));
  Array<T> mask = detail::empty<T>(x.shape());
  for (T& m : mask) m = gen_.uniform() >= p_ ? scale : T(0);
  return x * BasicTensor<T>(std::move(mask));
}

template <class T>
std::string BasicDropout<T>::extra_repr() const {
  std::ostringstream os;
  os << "p=" << p_;
  return os.str();
}

template class BasicDropout<float>;
template class BasicDropout<double>;

}  // namespace xgrad::nn
