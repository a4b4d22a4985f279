// SPDX-License-Identifier: MIT
// A translation unit that includes xtensor before xgrad and passes plain xt::xarray<double>
// values between xgrad tensors and a library built without xgrad (plain_values.cpp): linking
// xgrad must leave the user's xtensor types as they are.
#include <xtensor/xarray.hpp>
#include <xtensor/xio.hpp>
#include <xtensor/xmath.hpp>

#include <iostream>
#include <type_traits>

#include <xgrad/xgrad.hpp>

#include "plain_values.hpp"

// The user's xt::xarray is xtensor's own type, not xgrad's Array.
static_assert(!std::is_same_v<xt::xarray<double>, xgrad::Array<double>>,
              "xgrad must not change xt::xarray");

int run_interop() {
  const xt::xarray<double> values = plain::make_values();  // from the plain library
  xgrad::Tensor64 x(values, true);                         // into a tensor
  xgrad::Tensor64 y = xgrad::sum(x * x);
  y.backward();

  // Back out: the plain library takes the tensor's value and gradient as xt::xarray<double>.
  const double sum_values = plain::total(x.value());
  const double sum_grad = plain::total(x.grad());
  const xt::xarray<double> grad = x.grad();
  const xt::xarray<double> expected = 2.0 * values;
  std::cout << "interop: total(value) = " << sum_values << ", total(grad) = " << sum_grad << '\n';
  if (sum_values != 21.0 || sum_grad != 42.0 || !xt::allclose(grad, expected) || y.item() != 91.0) {
    std::cerr << "FAILED: interop between xt::xarray and xgrad tensors\n" << grad << '\n';
    return 1;
  }
  // xtensor's functions take xgrad's values directly.
  const xt::xarray<double> doubled = xt::square(x.value()) + x.value();
  if (doubled(1, 2) != 42.0) {
    std::cerr << "FAILED: xtensor expression on a tensor's value\n";
    return 1;
  }
  return 0;
}
