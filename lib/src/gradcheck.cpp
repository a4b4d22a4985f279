// SPDX-License-Identifier: MIT
#include <xgrad/gradcheck.hpp>

#include <algorithm>
#include <cmath>
#include <sstream>

#include <xtensor/xbuilder.hpp>

#include "shape_util.hpp"

namespace xgrad {
namespace {

using Array64 = Array<double>;

/// The multi-index of flat (row-major) element k of `shape`, as "(i,j)".
std::string index_str(const Shape& shape, std::size_t k) {
  Shape idx(shape.size());
  for (std::size_t d = shape.size(); d-- > 0;) {
    idx[d] = k % shape[d];
    k /= shape[d];
  }
  return detail::shape_str(idx);
}

double dot(const Array64& a, const Array64& b) {
  double s = 0;
  for (std::size_t i = 0; i < a.size(); ++i) s += a.data()[i] * b.data()[i];
  return s;
}

}  // namespace

GradcheckResult gradcheck(const std::function<Tensor64(const std::vector<Tensor64>&)>& f,
                          const std::vector<Tensor64>& inputs, const GradcheckOptions& options) {
  GradcheckResult result;
  std::ostringstream report;
  std::size_t failures = 0;
  auto fail = [&](const std::string& line) {
    result.ok = false;
    if (failures++ < options.max_reports) report << line << "\n";
  };
  auto clear_grads = [&] {
    for (auto t : inputs) t.zero_grad();
  };
  bool any = false;
  for (const auto& t : inputs) any = any || t.requires_grad();
  if (!any) {
    result.ok = false;
    result.report = "gradcheck: no input requires grad";
    return result;
  }

  // Analytical vector-Jacobian product with a random upstream gradient v.
  clear_grads();
  Tensor64 y = f(inputs);
  Generator gen(options.seed);
  Array64 v = randn<double>(y.shape(), gen).value();
  y.backward(v, /*retain_graph=*/true);
  std::vector<Array64> analytic;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const Tensor64& t = inputs[i];
    if (!t.requires_grad()) {
      if (t.has_grad()) fail("input " + std::to_string(i) + " does not require grad but got one");
      analytic.emplace_back();
      continue;
    }
    if (!t.has_grad()) {  // not reached by backward: its gradient is zero
      analytic.push_back(xt::zeros<double>(t.shape()));
    } else if (t.grad().shape() != t.shape()) {
      fail("input " + std::to_string(i) + ": gradient has shape " +
           detail::shape_str(t.grad().shape()) + ", input has shape " +
           detail::shape_str(t.shape()));
      analytic.push_back(xt::zeros<double>(t.shape()));
    } else {
      analytic.push_back(t.grad());
    }
  }

  // Reentrancy: a second backward through the retained graph gives bitwise the same result.
  clear_grads();
  y.backward(v, /*retain_graph=*/true);
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    if (!inputs[i].requires_grad() || !inputs[i].has_grad()) continue;
    if (inputs[i].grad() != analytic[i]) {
      fail("input " + std::to_string(i) + ": backward is not reentrant (a second run differs)");
    }
  }
  // Full Jacobian: row j of input i's Jacobian is its gradient for the one-hot seed e_j.
  // rows[i] has shape (y.size(), x_i.size()).
  std::vector<Array64> rows(inputs.size());
  if (options.full_jacobian) {
    for (std::size_t i = 0; i < inputs.size(); ++i) {
      if (inputs[i].requires_grad()) rows[i] = xt::zeros<double>({y.size(), inputs[i].size()});
    }
    Array64 seed = xt::zeros<double>(y.shape());
    for (std::size_t j = 0; j < y.size(); ++j) {
      clear_grads();
      seed.data()[j] = 1.0;
      y.backward(seed, /*retain_graph=*/true);
      seed.data()[j] = 0.0;
      for (std::size_t i = 0; i < inputs.size(); ++i) {
        const Tensor64& t = inputs[i];
        // Not reached: a zero row. A gradient of the wrong shape was reported above.
        if (!t.requires_grad() || !t.has_grad() || t.grad().shape() != t.shape()) continue;
        std::copy(t.grad().begin(), t.grad().end(), rows[i].data() + j * t.size());
      }
    }
  }
  // A zero upstream gradient must give zero gradients.
  clear_grads();
  y.backward(Array64(xt::zeros<double>(y.shape())), /*retain_graph=*/false);
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    if (!inputs[i].requires_grad() || !inputs[i].has_grad()) continue;
    for (double g : inputs[i].grad()) {
      if (g != 0.0) {
        fail("input " + std::to_string(i) + ": zero upstream gradient gives a nonzero gradient");
        break;
      }
    }
  }
  clear_grads();

  // Numerical: central differences, one input element at a time; of <v, f(x)> (one VJP), or
  // of every output element (column k of the Jacobian) in full mode.
  auto compare = [&](double num, double ana, const std::string& where) {
    if (std::abs(num - ana) <= options.atol + options.rtol * std::abs(num)) return;
    std::ostringstream line;
    line.precision(10);
    line << where << ": numerical " << num << ", analytical " << ana << " (|diff| "
         << std::abs(num - ana) << ")";
    fail(line.str());
  };
  NoGradGuard no_grad;
  const bool directional = options.directions > 0 && !options.full_jacobian;
  if (directional) {
    // Along random directions u: the inputs are moved to x + s u in place and restored bit
    // for bit from a copy.
    Generator dir_gen(options.seed + 1);
    std::vector<Array64> orig;
    for (const auto& t : inputs) orig.push_back(t.value());
    const auto loss_at = [&](const std::vector<Array64>& u, double s) {
      for (std::size_t i = 0; i < inputs.size(); ++i) {
        if (!inputs[i].requires_grad()) continue;
        Array64& x = inputs[i].node()->mutable_value();
        for (std::size_t k = 0; k < x.size(); ++k)
          x.data()[k] = orig[i].data()[k] + s * u[i].data()[k];
      }
      const double l = dot(v, f(inputs).value());
      for (std::size_t i = 0; i < inputs.size(); ++i) {
        if (!inputs[i].requires_grad()) continue;
        Array64& x = inputs[i].node()->mutable_value();
        std::copy(orig[i].data(), orig[i].data() + x.size(), x.data());
      }
      return l;
    };
    for (std::size_t d = 0; d < options.directions; ++d) {
      std::vector<Array64> u(inputs.size());
      double ana = 0;
      for (std::size_t i = 0; i < inputs.size(); ++i) {
        if (!inputs[i].requires_grad()) continue;
        u[i] = randn<double>(inputs[i].shape(), dir_gen).value();
        ana += dot(analytic[i], u[i]);
      }
      const double num = (loss_at(u, options.eps) - loss_at(u, -options.eps)) / (2 * options.eps);
      compare(num, ana, "direction " + std::to_string(d));
    }
  }
  for (std::size_t i = 0; !directional && i < inputs.size(); ++i) {
    Tensor64 t = inputs[i];
    if (!t.requires_grad()) continue;
    // Perturb through the node directly: the value must stay the same object, and this is not
    // an in-place update a backward could have saved (the graph above is gone).
    Array64& x = t.node()->mutable_value();
    for (std::size_t k = 0; k < x.size(); ++k) {
      const std::string where =
          "input " + std::to_string(i) + " element " + index_str(t.shape(), k);
      const double orig = x.data()[k];
      x.data()[k] = orig + options.eps;
      const Array64 fp = f(inputs).value();
      x.data()[k] = orig - options.eps;
      const Array64 fm = f(inputs).value();
      x.data()[k] = orig;
      if (!options.full_jacobian) {
        compare((dot(v, fp) - dot(v, fm)) / (2 * options.eps), analytic[i].data()[k], where);
        continue;
      }
      for (std::size_t j = 0; j < y.size(); ++j) {
        compare((fp.data()[j] - fm.data()[j]) / (2 * options.eps), rows[i].data()[j * x.size() + k],
                where + ", output element " + index_str(y.shape(), j));
      }
    }
  }
  if (failures > options.max_reports) {
    report << "... " << failures - options.max_reports << " more\n";
  }
  result.report = report.str();
  return result;
}

}  // namespace xgrad
