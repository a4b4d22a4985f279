// SPDX-License-Identifier: MIT
#include <xgrad/nn/activation.hpp>

#include <sstream>

#include <xgrad/ops/activation.hpp>
#include <xgrad/ops/elementwise.hpp>

namespace xgrad::nn {

template <class T>
BasicTensor<T> BasicSigmoid<T>::forward(const BasicTensor<T>& x) {
  return xgrad::sigmoid(x);
}

template <class T>
BasicTensor<T> BasicTanh<T>::forward(const BasicTensor<T>& x) {
  return xgrad::tanh(x);
}

template <class T>
BasicTensor<T> BasicReLU<T>::forward(const BasicTensor<T>& x) {
  return xgrad::relu(x);
}

template <class T>
BasicTensor<T> BasicLeakyReLU<T>::forward(const BasicTensor<T>& x) {
  return xgrad::leaky_relu(x, static_cast<T>(negative_slope_));
}

template <class T>
std::string BasicLeakyReLU<T>::extra_repr() const {
  std::ostringstream os;
  os << "negative_slope=" << negative_slope_;
  return os.str();
}

template <class T>
BasicTensor<T> BasicSoftmax<T>::forward(const BasicTensor<T>& x) {
  return xgrad::softmax(x, axis_);
}

template <class T>
std::string BasicSoftmax<T>::extra_repr() const {
  return "axis=" + std::to_string(axis_);
}

template <class T>
BasicTensor<T> BasicLogSoftmax<T>::forward(const BasicTensor<T>& x) {
  return xgrad::log_softmax(x, axis_);
}

template <class T>
std::string BasicLogSoftmax<T>::extra_repr() const {
  return "axis=" + std::to_string(axis_);
}

template class BasicSigmoid<float>;
template class BasicSigmoid<double>;
template class BasicTanh<float>;
template class BasicTanh<double>;
template class BasicReLU<float>;
template class BasicReLU<double>;
template class BasicLeakyReLU<float>;
template class BasicLeakyReLU<double>;
template class BasicSoftmax<float>;
template class BasicSoftmax<double>;
template class BasicLogSoftmax<float>;
template class BasicLogSoftmax<double>;

}  // namespace xgrad::nn
