// SPDX-License-Identifier: MIT
#include <xgrad/nn/sequential.hpp>

#include <stdexcept>

namespace xgrad::nn {

template <class T>
BasicSequential<T>::BasicSequential(std::initializer_list<ModulePtr> modules) {
  for (const auto& m : modules) push_back(m);
}

template <class T>
BasicTensor<T> BasicSequential<T>::forward(const TensorType& x) {
  TensorType y = x;
  for (const auto& m : modules_) y = m->forward(y);
  return y;
}

template <class T>
const typename BasicSequential<T>::ModulePtr& BasicSequential<T>::operator[](std::size_t i) const {
  if (i >= modules_.size()) {
    throw std::out_of_range("Sequential: index " + std::to_string(i) + " is out of range (size " +
                            std::to_string(modules_.size()) + ")");
  }
  return modules_[i];
}

template class BasicSequential<float>;
template class BasicSequential<double>;

}  // namespace xgrad::nn
