// SPDX-License-Identifier: MIT
#include <xgrad/nn/module.hpp>

#include <ostream>
#include <stdexcept>
#include <typeinfo>
#include <unordered_set>

#if __has_include(<cxxabi.h>)
#include <cstdlib>

#include <cxxabi.h>
#define XGRAD_HAS_CXXABI 1
#endif

#include "../shape_util.hpp"

namespace xgrad::nn {
namespace {

/// The demangled name of a type without its namespaces: "xgrad::nn::Foo" -> "Foo". Names with
/// template arguments are kept whole (their '::' may sit inside the brackets).
std::string readable_type_name(const std::type_info& info) {
  std::string name = info.name();
#ifdef XGRAD_HAS_CXXABI
  int status = 0;
  char* demangled = abi::__cxa_demangle(info.name(), nullptr, nullptr, &status);
  if (status == 0 && demangled != nullptr) name = demangled;
  std::free(demangled);  // NOLINT(cppcoreguidelines-no-malloc): __cxa_demangle uses malloc
#endif
  if (name.find('<') == std::string::npos) {
    const auto pos = name.rfind("::");
    if (pos != std::string::npos) name = name.substr(pos + 2);
  }
  return name;
}

}  // namespace

template <class T>
typename BasicModule<T>::TensorType BasicModule<T>::forward(const TensorType& /*x*/) {
  throw std::logic_error(type_name() +
                         ": forward(x) is not implemented (override BasicModule::forward)");
}

template <class T>
void BasicModule<T>::check_new_name(const char* what, const std::string& name) const {
  const std::string where = std::string(what) + ": ";
  if (name.empty()) throw std::invalid_argument(where + "the name must not be empty");
  if (name.find('.') != std::string::npos) {
    throw std::invalid_argument(where + "the name '" + name + "' must not contain '.'");
  }
  for (const auto& p : parameters_) {
    if (p.first == name) {
      throw std::invalid_argument(where + "'" + name + "' is already a parameter of this " +
                                  type_name());
    }
  }
  for (const auto& c : children_) {
    if (c.first == name) {
      throw std::invalid_argument(where + "'" + name + "' is already a submodule of this " +
                                  type_name());
    }
  }
}

template <class T>
typename BasicModule<T>::TensorType BasicModule<T>::register_parameter(const std::string& name,
                                                                       TensorType tensor,
                                                                       bool requires_grad) {
  check_new_name("register_parameter", name);
  if (!tensor.defined()) {
    throw std::invalid_argument("register_parameter: the tensor for '" + name + "' is undefined");
  }
  if (!tensor.is_leaf()) {
    throw std::invalid_argument("register_parameter: the tensor for '" + name +
                                "' is the result of op '" + tensor.op_name() +
                                "', not a leaf; register a detach()ed copy");
  }
  tensor.requires_grad_(requires_grad);
  parameters_.emplace_back(name, tensor);
  return tensor;
}

template <class T>
void BasicModule<T>::add_child(const std::string& name, ModulePtr module) {
  check_new_name("register_module", name);
  if (!module) throw std::invalid_argument("register_module: the module '" + name + "' is null");
  // A cycle would make every recursive walk (train(), summary()) endless and leak the modules.
  bool cycle = module.get() == this;
  for (const auto& d : module->named_modules()) cycle = cycle || d.second.get() == this;
  if (cycle) {
    throw std::invalid_argument("register_module: registering '" + name +
                                "' would make this module its own descendant");
  }
  children_.emplace_back(name, std::move(module));
}

template <class T>
std::vector<std::pair<std::string, typename BasicModule<T>::TensorType>>
BasicModule<T>::named_parameters(bool recurse) const {
  std::vector<std::pair<std::string, TensorType>> out;
  std::unordered_set<const void*> seen;  // parameter nodes already listed
  // Iterative pre-order walk (module, dotted prefix); children pushed in reverse so that they
  // come out in registration order.
  std::vector<std::pair<const BasicModule*, std::string>> stack{{this, ""}};
  std::unordered_set<const BasicModule*> visited;
  while (!stack.empty()) {
    auto [m, prefix] = stack.back();
    stack.pop_back();
    if (!visited.insert(m).second) continue;
    for (const auto& p : m->parameters_) {
      if (seen.insert(p.second.node().get()).second) out.emplace_back(prefix + p.first, p.second);
    }
    if (!recurse) break;
    for (auto it = m->children_.rbegin(); it != m->children_.rend(); ++it) {
      stack.emplace_back(it->second.get(), prefix + it->first + ".");
    }
  }
  return out;
}

template <class T>
std::vector<typename BasicModule<T>::TensorType> BasicModule<T>::parameters(bool recurse) const {
  std::vector<TensorType> out;
  for (auto& p : named_parameters(recurse)) out.push_back(std::move(p.second));
  return out;
}

template <class T>
typename BasicModule<T>::TensorType& BasicModule<T>::parameter(const std::string& name) {
  BasicModule* m = this;
  std::string rest = name;
  for (auto dot = rest.find('.'); dot != std::string::npos; dot = rest.find('.')) {
    const std::string head = rest.substr(0, dot);
    BasicModule* next = nullptr;
    for (auto& c : m->children_) {
      if (c.first == head) next = c.second.get();
    }
    if (next == nullptr) {
      throw std::invalid_argument("parameter: no parameter named '" + name + "' in this " +
                                  type_name() + " (no submodule '" + head + "')");
    }
    m = next;
    rest = rest.substr(dot + 1);
  }
  for (auto& p : m->parameters_) {
    if (p.first == rest) return p.second;
  }
  throw std::invalid_argument("parameter: no parameter named '" + name + "' in this " +
                              type_name());
}

template <class T>
const typename BasicModule<T>::TensorType& BasicModule<T>::parameter(
    const std::string& name) const {
  // The lookup does not modify anything; reuse the non-const version.
  return const_cast<BasicModule*>(this)->parameter(
      name);  // NOLINT(cppcoreguidelines-pro-type-const-cast)
}

template <class T>
std::vector<typename BasicModule<T>::ModulePtr> BasicModule<T>::children() const {
  std::vector<ModulePtr> out;
  out.reserve(children_.size());
  for (const auto& c : children_) out.push_back(c.second);
  return out;
}

template <class T>
std::vector<std::pair<std::string, typename BasicModule<T>::ModulePtr>>
BasicModule<T>::named_children() const {
  return children_;
}

template <class T>
std::vector<std::pair<std::string, typename BasicModule<T>::ModulePtr>>
BasicModule<T>::named_modules() const {
  std::vector<std::pair<std::string, ModulePtr>> out;
  std::unordered_set<const BasicModule*> visited{this};
  std::vector<std::pair<std::string, ModulePtr>> stack;
  for (auto it = children_.rbegin(); it != children_.rend(); ++it) stack.push_back(*it);
  while (!stack.empty()) {
    auto [name, m] = stack.back();
    stack.pop_back();
    if (!visited.insert(m.get()).second) continue;
    for (auto it = m->children_.rbegin(); it != m->children_.rend(); ++it) {
      stack.emplace_back(name + "." + it->first, it->second);
    }
    out.emplace_back(std::move(name), std::move(m));
  }
  return out;
}

template <class T>
void BasicModule<T>::train(bool on) {
  training_ = on;
  for (auto& c : children_) c.second->train(on);
}

template <class T>
void BasicModule<T>::zero_grad() {
  for (auto& p : parameters()) p.zero_grad();
}

template <class T>
std::size_t BasicModule<T>::num_parameters() const {
  std::size_t n = 0;
  for (const auto& p : parameters()) n += p.size();
  return n;
}

template <class T>
std::string BasicModule<T>::type_name() const {
  return readable_type_name(typeid(*this));
}

template <class T>
void BasicModule<T>::summary_lines(std::string& out, const std::string& name,
                                   std::size_t depth) const {
  out += std::string(2 * depth, ' ');
  if (!name.empty()) out += name + ": ";
  out += type_name();
  const std::string extra = extra_repr();
  if (!extra.empty()) out += "(" + extra + ")";
  for (const auto& p : parameters_) {
    out += "  " + p.first + " " + detail::shape_str(p.second.shape());
  }
  out += "\n";
  for (const auto& c : children_) c.second->summary_lines(out, c.first, depth + 1);
}

template <class T>
std::string BasicModule<T>::summary() const {
  std::string out;
  summary_lines(out, "", 0);
  out += "Total parameters: " + std::to_string(num_parameters()) + "\n";
  return out;
}

template <class T>
std::ostream& operator<<(std::ostream& os, const BasicModule<T>& m) {
  return os << m.summary();
}

template class BasicModule<float>;
template class BasicModule<double>;
template std::ostream& operator<<(std::ostream&, const BasicModule<float>&);
template std::ostream& operator<<(std::ostream&, const BasicModule<double>&);

}  // namespace xgrad::nn
