// SPDX-License-Identifier: MIT
// Uses an installed xgrad the way a user would: d/dx sum(x * x) must be 2 * x; interop.cpp
// passes plain xt::xarray values between tensors and a library built without xgrad.
#include <xgrad/xgrad.hpp>

#include <iostream>
#include <xtensor/xarray.hpp>
#include <xtensor/xio.hpp>
#include <xtensor/xmath.hpp>

int run_interop();  // interop.cpp

int main() {
  xgrad::Tensor x(xt::xarray<float>{{1.0f, 2.0f}, {3.0f, 4.0f}}, true);
  xgrad::Tensor y = xgrad::sum(x * x);
  y.backward();

  const xt::xarray<float>& grad = x.grad();
  const xt::xarray<float> expected = 2.0f * x.value();
  std::cout << "grad of sum(x * x):\n" << grad << '\n';
  if (grad.shape() != expected.shape() || !xt::allclose(grad, expected)) {
    std::cerr << "FAILED: expected\n" << expected << '\n';
    return 1;
  }
  if (run_interop() != 0) return 1;
  std::cout << "find_package(xgrad) consumer: OK\n";
  return 0;
}
