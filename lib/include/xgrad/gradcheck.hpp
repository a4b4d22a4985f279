// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <xgrad/tensor.hpp>

namespace xgrad {

/// Options of gradcheck; the tolerances are PyTorch's (designed for double precision).
struct GradcheckOptions {
  double eps = 1e-6;             ///< central-difference step
  double atol = 1e-5;            ///< absolute tolerance
  double rtol = 1e-3;            ///< relative tolerance (of the numerical value)
  std::uint64_t seed = 0;        ///< seed of the random upstream gradient
  std::size_t max_reports = 10;  ///< failing elements listed in the report
  /// Compare the whole Jacobian, entry by entry, instead of one vector-Jacobian product: one
  /// backward per output element (a one-hot upstream gradient) gives each row, central
  /// differences of the whole output give each column. For small inputs and outputs: it costs
  /// one backward per output element and two forwards per input element.
  bool full_jacobian = false;
  /// When positive (and not full_jacobian), compare the vector-Jacobian product along this
  /// many random directions u over all inputs instead of element by element (PyTorch's
  /// fast_mode): the analytical <dL/dx, u> against (L(x + eps u) - L(x - eps u)) / (2 eps),
  /// L = <v, f(x)>. Two forwards per direction, for inputs too large to perturb one by one.
  std::size_t directions = 0;
};

/// The outcome of gradcheck: `ok`, and a report naming each failing input and element.
struct GradcheckResult {
  bool ok = true;
  std::string report;
  explicit operator bool() const noexcept { return ok; }
};

/// Compares the gradients autodiff computes for `f` with central differences in double.
///
/// `f` maps `inputs` to an output y. By default the check compares one vector-Jacobian
/// product, not the Jacobian itself: with a random upstream gradient v (normal, seeded, not all
/// ones, so that a wrong sign or a missing sum cannot hide) it compares, for every element x_k
/// of every input that requires grad, the analytical d<v, f(x)>/dx_k from `y.backward(v)` with
/// the numerical (<v, f(x + eps e_k)> - <v, f(x - eps e_k)>) / (2 eps), passing when
/// |num - ana| <= atol + rtol |num|. An error in the Jacobian that is orthogonal to v (errors in
/// two output elements that cancel in <v, .>) passes; with `options.full_jacobian` every
/// entry dy_j/dx_k is compared instead, the analytical one from `y.backward(e_j)`, the numerical
/// one from (f(x + eps e_k)_j - f(x - eps e_k)_j) / (2 eps), with the same tolerance, and the
/// report names the input, its element and the output element.
///
/// In both modes it also checks that every gradient has its input's shape, that a second
/// backward gives bitwise the same gradients, that a zero upstream gradient gives zero
/// gradients, and that inputs not requiring grad get none.
/// The inputs' values are restored afterwards; their gradients are cleared.
GradcheckResult gradcheck(const std::function<Tensor64(const std::vector<Tensor64>&)>& f,
                          const std::vector<Tensor64>& inputs,
                          const GradcheckOptions& options = {});

}  // namespace xgrad
