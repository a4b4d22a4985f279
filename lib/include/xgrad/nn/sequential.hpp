// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <initializer_list>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include <xgrad/nn/module.hpp>

namespace xgrad::nn {

/// A chain of modules built at run time: forward(x) = m_{n-1}(...m_1(m_0(x))).
///
/// The children are named "0", "1", ... in order, so parameters are "0.weight", "0.bias",
/// "2.weight", ... Any module with a one-argument forward() can be an element, including
/// user-defined ones and other Sequentials. An empty Sequential is the identity.
///
///     auto mlp = std::make_shared<xgrad::nn::Sequential>(
///         std::make_shared<xgrad::nn::Linear>(3, 4), std::make_shared<xgrad::nn::Sigmoid>(),
///         std::make_shared<xgrad::nn::Linear>(4, 1));
///     mlp->push_back(std::make_shared<xgrad::nn::Sigmoid>());
template <class T>
class BasicSequential : public BasicModule<T> {
 public:
  using TensorType = BasicTensor<T>;
  using ModulePtr = std::shared_ptr<BasicModule<T>>;

  BasicSequential() = default;
  /// The modules in order. Throws std::invalid_argument if one is null.
  BasicSequential(std::initializer_list<ModulePtr> modules);  // NOLINT(google-explicit-constructor)
  /// The modules in order (also works through std::make_shared). Throws std::invalid_argument
  /// if one is null.
  template <class... M, class = std::enable_if_t<(sizeof...(M) > 0)>>
  explicit BasicSequential(std::shared_ptr<M>... modules) {
    (push_back(std::move(modules)), ...);
  }

  /// Appends `module` as child "<size()>" and returns it with its own type. Throws
  /// std::invalid_argument if it is null.
  template <class M>
  std::shared_ptr<M> push_back(std::shared_ptr<M> module) {
    static_assert(std::is_base_of_v<BasicModule<T>, M>,
                  "Sequential: the module must derive from BasicModule<T> with the same T");
    this->register_module(std::to_string(modules_.size()), module);
    modules_.push_back(module);
    return module;
  }

  /// Applies the modules in order.
  TensorType forward(const TensorType& x) override;

  std::size_t size() const noexcept { return modules_.size(); }
  bool empty() const noexcept { return modules_.empty(); }
  /// The i-th module; throws std::out_of_range if i >= size().
  const ModulePtr& operator[](std::size_t i) const;

  std::string type_name() const override { return "Sequential"; }

 private:
  std::vector<ModulePtr> modules_;
};

extern template class BasicSequential<float>;
extern template class BasicSequential<double>;

using Sequential = BasicSequential<float>;
using Sequential64 = BasicSequential<double>;

}  // namespace xgrad::nn
