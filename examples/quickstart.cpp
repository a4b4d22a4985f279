// SPDX-License-Identifier: MIT
// The usage example of README.md, verbatim: built and run as a smoke test so it stays true.
#include <iostream>

#include <xgrad/xgrad.hpp>

int main() {
  using xgrad::Tensor64;
  xgrad::Generator gen(42);
  Tensor64 x(xt::xarray<double>{{0.0, 0.0, 1.0}, {0.0, 1.0, 1.0}, {1.0, 0.0, 1.0}});
  Tensor64 w = xgrad::rand<double>({3, 1}, gen, /*requires_grad=*/true);
  Tensor64 target = xgrad::zeros<double>({3, 1});

  Tensor64 loss = xgrad::mse_loss(xgrad::sigmoid(xgrad::matmul(x, w)), target);
  loss.backward();                      // fills w.grad(), shape (3,1)
  w.mutable_value() -= 0.5 * w.grad();  // one step of gradient descent
  w.zero_grad();

  Tensor64 after = xgrad::mse_loss(xgrad::sigmoid(xgrad::matmul(x, w)), target);
  std::cout << "loss " << loss.item() << " -> " << after.item() << "\n";
  if (!(after.item() < loss.item())) {
    std::cerr << "error: the step did not lower the loss\n";
    return 1;
  }
}
