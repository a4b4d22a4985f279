// SPDX-License-Identifier: MIT
// The tutorial's network: autodiff must reproduce its hand-derived backprop exactly, and
// training must reach its predictions.
#include "support/helpers.hpp"

using namespace xgrad;
using test::make;

namespace {

xt::xarray<double> sig(const xt::xarray<double>& z) { return 1.0 / (1.0 + xt::exp(-z)); }
xt::xarray<double> sig_deriv(const xt::xarray<double>& s) { return s * (1.0 - s); }
xt::xarray<double> dot(const xt::xarray<double>& a, const xt::xarray<double>& b) {
  // A plain reference product, independent of xgrad's BLAS path.
  xt::xarray<double> c = xt::zeros<double>({a.shape()[0], b.shape()[1]});
  for (std::size_t i = 0; i < a.shape()[0]; ++i)
    for (std::size_t j = 0; j < b.shape()[1]; ++j)
      for (std::size_t k = 0; k < a.shape()[1]; ++k) c(i, j) += a(i, k) * b(k, j);
  return c;
}

const xt::xarray<double> kX = make({0, 0, 1, 0, 1, 1, 1, 0, 1, 1, 1, 1}, {4, 3});
const xt::xarray<double> kY = make({0, 1, 1, 0}, {4, 1});

}  // namespace

TEST_CASE("tutorial: autodiff equals the tutorial's hand-derived backprop", "[tutorial]") {
  Generator gen(3);
  Tensor64 w1 = rand<double>({3, 4}, gen, true);
  Tensor64 w2 = rand<double>({4, 1}, gen, true);
  for (int step = 0; step < 50; ++step) {
    // xgrad: generic ops + backward
    Tensor64 x(kX), y(kY);
    auto layer1 = sigmoid(matmul(x, w1));
    auto output = sigmoid(matmul(layer1, w2));
    sse_loss(output, y).backward();

    // The tutorial's NumPy code, line by line:
    //   d_weights2 = dot(layer1.T, 2*(y - output) * sigmoid_derivative(output))
    //   d_weights1 = dot(input.T, dot(2*(y - output) * sigmoid_derivative(output), weights2.T)
    //                              * sigmoid_derivative(layer1))
    const xt::xarray<double> l1 = sig(dot(kX, w1.value()));
    const xt::xarray<double> out = sig(dot(l1, w2.value()));
    const xt::xarray<double> delta = 2.0 * (kY - out) * sig_deriv(out);
    const xt::xarray<double> d_w2 = dot(xt::transpose(l1), delta);
    const xt::xarray<double> d_w1 =
        dot(xt::transpose(kX), dot(delta, xt::transpose(w2.value())) * sig_deriv(l1));

    // The tutorial's d_weights is minus the gradient (it does weights += d_weights).
    REQUIRE(test::all_close(w2.grad(), xt::xarray<double>(-d_w2), 1e-12));
    REQUIRE(test::all_close(w1.grad(), xt::xarray<double>(-d_w1), 1e-12));
    w1.mutable_value() += d_w1;
    w2.mutable_value() += d_w2;
    w1.zero_grad();
    w2.zero_grad();
  }
}

TEST_CASE("tutorial: 1500 iterations reach the tutorial's predictions, loss never rises",
          "[tutorial]") {
  Generator gen(3);
  Tensor64 w1 = rand<double>({3, 4}, gen, true);
  Tensor64 w2 = rand<double>({4, 1}, gen, true);
  const Tensor64 x(kX), y(kY);
  double previous = std::numeric_limits<double>::infinity();
  Tensor64 output;
  for (int i = 0; i < 1500; ++i) {
    output = sigmoid(matmul(sigmoid(matmul(x, w1)), w2));
    auto loss = sse_loss(output, y);
    loss.backward();
    REQUIRE(loss.item() <= previous);
    previous = loss.item();
    w1.mutable_value() -= w1.grad();
    w2.mutable_value() -= w2.grad();
    w1.zero_grad();
    w2.zero_grad();
  }
  const auto& p = output.value();
  CHECK(p(0, 0) < 0.1);
  CHECK(p(1, 0) > 0.9);
  CHECK(p(2, 0) > 0.9);
  CHECK(p(3, 0) < 0.1);
  CHECK(previous < 0.01);
}
