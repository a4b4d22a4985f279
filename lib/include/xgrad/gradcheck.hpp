// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <xgrad/tensor.hpp>

namespace xgrad {

/// Options of gradcheck; the defaults are PyTorch's (designed for double precision).
struct GradcheckOptions {
  double eps = 1e-6;             ///< central-difference step
  double atol = 1e-5;            ///< absolute tolerance
  double rtol = 1e-3;            ///< relative tolerance (of the numerical value)
  std::uint64_t seed = 0;        ///< seed of the random upstream gradient
  std::size_t max_reports = 10;  ///< failing elements listed in the report
};

/// The outcome of gradcheck: `ok`, and a report naming each failing input and element.
struct GradcheckResult {
  bool ok = true;
  std::string report;
  explicit operator bool() const noexcept { return ok; }
};

/// Compares the gradients autodiff computes for `f` with central differences in double.
///
/// `f` maps `inputs` to an output y. With a random upstream gradient v (normal, seeded, not all
/// ones, so that a wrong sign or a missing sum cannot hide) the check compares, for every
/// element x_k of every input that requires grad, the analytical d<v, f(x)>/dx_k from
/// `y.backward(v)` with the numerical (<v, f(x + eps e_k)> - <v, f(x - eps e_k)>) / (2 eps),
/// passing when |num - ana| <= atol + rtol |num|. It also checks that every gradient has its
/// input's shape, that a second backward gives bitwise the same gradients, that a zero upstream
/// gradient gives zero gradients, and that inputs not requiring grad get none.
/// The inputs' values are restored afterwards; their gradients are cleared.
GradcheckResult gradcheck(const std::function<Tensor64(const std::vector<Tensor64>&)>& f,
                          const std::vector<Tensor64>& inputs,
                          const GradcheckOptions& options = {});

}  // namespace xgrad
