// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <iosfwd>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <xgrad/tensor.hpp>

/// \file
/// The base class of all layers: named parameters and named submodules, in the spirit of the
/// PyTorch C++ frontend (without its macros). A module owns its parameters (leaf tensors that
/// require grad) and its children (shared_ptrs); everything recursive (parameters(),
/// train()/eval(), zero_grad(), summary()) walks that tree in registration order. Modules never
/// compute gradients by hand: forward() is composed from differentiable ops.

namespace xgrad::nn {

/// A neural-network module holding tensors of element type T (float or double).
///
/// `Module` (float) and `Module64` (double, for gradchecks) are the two instantiations. A user
/// module derives from one of them, registers its parameters and children in its constructor
/// and overrides forward():
///
///     struct Net : xgrad::nn::Module {
///       Net() {
///         fc1 = register_module("fc1", std::make_shared<xgrad::nn::Linear>(3, 4));
///         fc2 = register_module("fc2", std::make_shared<xgrad::nn::Linear>(4, 1));
///       }
///       xgrad::Tensor forward(const xgrad::Tensor& x) override {
///         return fc2->forward(xgrad::sigmoid(fc1->forward(x)));
///       }
///       std::shared_ptr<xgrad::nn::Linear> fc1, fc2;
///     };
///     Net net;  // net.named_parameters(): fc1.weight, fc1.bias, fc2.weight, fc2.bias
///
/// Modules are not copyable (a copy would silently share or duplicate parameters).
template <class T>
class BasicModule {
  static_assert(std::is_same_v<T, float> || std::is_same_v<T, double>,
                "xgrad modules hold float or double tensors");

 public:
  using value_type = T;
  using TensorType = BasicTensor<T>;
  using ModulePtr = std::shared_ptr<BasicModule>;

  BasicModule() = default;
  virtual ~BasicModule() = default;
  BasicModule(const BasicModule&) = delete;
  BasicModule& operator=(const BasicModule&) = delete;
  BasicModule(BasicModule&&) noexcept = default;
  BasicModule& operator=(BasicModule&&) noexcept = default;

  /// The module's computation on one input. The default throws std::logic_error naming the
  /// module's type: modules whose forward takes other arguments need not override it, but then
  /// cannot be used inside a Sequential.
  virtual TensorType forward(const TensorType& x);
  /// Same as forward(x).
  TensorType operator()(const TensorType& x) { return forward(x); }

  /// Registers `tensor` as a parameter called `name` and returns it (a handle sharing its node).
  /// Sets its requires_grad flag to `requires_grad`. Throws std::invalid_argument if the name
  /// is empty, contains '.', or is already used by a parameter or child of this module, or if
  /// the tensor is undefined or not a leaf (a parameter must be a leaf: detach() an op result).
  TensorType register_parameter(const std::string& name, TensorType tensor,
                                bool requires_grad = true);

  /// Registers `module` as a child called `name` and returns it with its own type, so that
  /// `fc1 = register_module("fc1", std::make_shared<Linear>(3, 4));` keeps a typed handle.
  /// Throws std::invalid_argument on a null module or a bad name (as register_parameter).
  template <class M>
  std::shared_ptr<M> register_module(const std::string& name, std::shared_ptr<M> module) {
    static_assert(std::is_base_of_v<BasicModule, M>,
                  "register_module: the module must derive from BasicModule<T> with the same T");
    add_child(name, module);
    return module;
  }

  /// All parameters: this module's own in registration order, then each child's (recursively,
  /// in registration order). A tensor reachable twice (a shared layer) is listed once.
  /// With `recurse == false`, only this module's own parameters.
  std::vector<TensorType> parameters(bool recurse = true) const;
  /// parameters() with dotted names such as "fc1.weight" (the first name wins for a shared
  /// tensor). These names are the keys used to save and load weights.
  std::vector<std::pair<std::string, TensorType>> named_parameters(bool recurse = true) const;
  /// The parameter with the (possibly dotted) name, e.g. "fc1.weight", as a reference to the
  /// registered handle: assign values through `parameter(name).mutable_value()`. The reference
  /// stays valid until the next register_parameter on the module that owns it. Throws
  /// std::invalid_argument naming `name` if there is no such parameter.
  TensorType& parameter(const std::string& name);
  const TensorType& parameter(const std::string& name) const;

  /// The direct children, in registration order.
  std::vector<ModulePtr> children() const;
  /// The direct children with their names.
  std::vector<std::pair<std::string, ModulePtr>> named_children() const;
  /// Every descendant (not this module itself, which need not be owned by a shared_ptr), in
  /// pre-order, with dotted names such as "encoder.fc1". A module reachable twice is listed once.
  std::vector<std::pair<std::string, ModulePtr>> named_modules() const;

  /// Sets training mode on this module and all descendants (Dropout is active only in training
  /// mode). Modules start in training mode. Overrides must call the base version.
  virtual void train(bool on = true);
  /// Same as train(false).
  void eval() { train(false); }
  bool is_training() const noexcept { return training_; }

  /// Drops the gradient of every parameter (PyTorch's set_to_none).
  void zero_grad();
  /// Total number of scalar parameters (each shared tensor counted once).
  std::size_t num_parameters() const;

  /// The type's name in summaries, e.g. "Linear". The default is the demangled C++ class name
  /// without its namespaces.
  virtual std::string type_name() const;
  /// Extra information shown in parentheses after type_name() in summaries, e.g.
  /// "in_features=3, out_features=4, bias=true". Empty by default.
  virtual std::string extra_repr() const { return {}; }
  /// One line per module (indented by depth): its name, type, extra_repr() and the shapes of
  /// its own parameters; then "Total parameters: N". For example:
  ///
  ///     Sequential
  ///       0: Linear(in_features=3, out_features=4, bias=true)  weight (4,3)  bias (4,)
  ///       1: Sigmoid
  ///     Total parameters: 16
  std::string summary() const;

 private:
  void add_child(const std::string& name, ModulePtr module);
  void check_new_name(const char* what, const std::string& name) const;
  void summary_lines(std::string& out, const std::string& name, std::size_t depth) const;

  std::vector<std::pair<std::string, TensorType>> parameters_;
  std::vector<std::pair<std::string, ModulePtr>> children_;
  bool training_ = true;
};

/// Writes m.summary().
template <class T>
std::ostream& operator<<(std::ostream& os, const BasicModule<T>& m);

extern template class BasicModule<float>;
extern template class BasicModule<double>;

using Module = BasicModule<float>;
using Module64 = BasicModule<double>;
/// A shared handle to a module, the element type of Sequential.
using ModulePtr = std::shared_ptr<Module>;
using ModulePtr64 = std::shared_ptr<Module64>;

}  // namespace xgrad::nn
