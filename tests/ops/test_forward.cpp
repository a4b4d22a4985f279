// SPDX-License-Identifier: MIT
// Forward values against hand-computed numbers, and shape errors, for every op.
#include <cmath>
#include <limits>

#include "support/helpers.hpp"

using namespace xgrad;
using test::make;

TEST_CASE("binary ops: values and broadcasting", "[ops][binary]") {
  Tensor64 a(make({1, 2, 3, 4, 5, 6}, {2, 3}));
  Tensor64 row(make({10, 20, 30}, {3}));
  Tensor64 col(make({100, 200}, {2, 1}));
  CHECK((a + row).value() == make({11, 22, 33, 14, 25, 36}, {2, 3}));
  CHECK((a - col).value() == make({-99, -98, -97, -196, -195, -194}, {2, 3}));
  CHECK((a * row).value() == make({10, 40, 90, 40, 100, 180}, {2, 3}));
  CHECK((row / a).value() == make({10, 10, 10, 2.5, 4, 5}, {2, 3}));
  CHECK((col + row).shape() == Shape{2, 3});
  CHECK((a + 1.0).value() == make({2, 3, 4, 5, 6, 7}, {2, 3}));
  CHECK((1.0 - a).value() == make({0, -1, -2, -3, -4, -5}, {2, 3}));
  CHECK((a * 2.0).value() == (2.0 * a).value());
  CHECK((a / 2.0).value() == make({0.5, 1, 1.5, 2, 2.5, 3}, {2, 3}));
  CHECK((6.0 / a).value() == make({6, 3, 2, 1.5, 1.2, 1}, {2, 3}));
  CHECK((a - 1.0).value() == make({0, 1, 2, 3, 4, 5}, {2, 3}));
  CHECK((-a).value() == make({-1, -2, -3, -4, -5, -6}, {2, 3}));
  // float tensors with double literals: the scalar converts to the tensor's type
  Tensor f(xt::xarray<float>{1.f, 2.f});
  CHECK((f * 0.5).value() == xt::xarray<float>{0.5f, 1.f});
}

TEST_CASE("binary ops: incompatible shapes throw naming op and shapes", "[ops][binary]") {
  Tensor64 a(make({1, 2, 3, 4, 5, 6}, {2, 3}));
  Tensor64 b(make({1, 2}, {2}));
  CHECK_THROWS_AS(a + b, std::invalid_argument);
  CHECK_THROWS_WITH(a + b, Catch::Contains("add: shapes (2,3) and (2,) cannot be broadcast"));
  CHECK_THROWS_WITH(a - b, Catch::StartsWith("sub:"));
  CHECK_THROWS_WITH(a * b, Catch::StartsWith("mul:"));
  CHECK_THROWS_WITH(a / b, Catch::StartsWith("div:"));
}

TEST_CASE("elementwise ops: values", "[ops][elementwise]") {
  Tensor64 x(make({-1.0, 0.0, 0.5, 2.0}, {4}));
  CHECK(test::all_close(exp(x).value(),
                        make({std::exp(-1.0), 1, std::exp(0.5), std::exp(2.0)}, {4}), 1e-15));
  Tensor64 p(make({1.0, 4.0, 0.25}, {3}));
  CHECK(test::all_close(log(p).value(), make({0, std::log(4.0), std::log(0.25)}, {3}), 1e-15));
  CHECK(sqrt(p).value() == make({1, 2, 0.5}, {3}));
  CHECK(pow(p, 2.0).value() == make({1, 16, 0.0625}, {3}));
  CHECK(test::all_close(pow(p, -0.5).value(), make({1, 0.5, 2}, {3}), 1e-15));
  CHECK(abs(x).value() == make({1, 0, 0.5, 2}, {4}));
  CHECK(relu(x).value() == make({0, 0, 0.5, 2}, {4}));
  CHECK(test::all_close(tanh(x).value(),
                        make({std::tanh(-1.0), 0, std::tanh(0.5), std::tanh(2.0)}, {4}), 1e-15));
  CHECK(test::all_close(
      sigmoid(x).value(),
      make({1 / (1 + std::exp(1.0)), 0.5, 1 / (1 + std::exp(-0.5)), 1 / (1 + std::exp(-2.0))}, {4}),
      1e-15));
  CHECK(log(Tensor64(make({0.0}, {}))).item() == -std::numeric_limits<double>::infinity());
}

TEST_CASE("sigmoid: stable and saturating for large |x|", "[ops][elementwise][numerics]") {
  Tensor64 x(make({-1000, -300, 300, 1000}, {4}), true);
  auto y = sigmoid(x);
  CHECK(y.value()(0) == 0.0);
  CHECK(y.value()(1) == Approx(std::exp(-300.0)).epsilon(1e-12));
  CHECK(y.value()(2) == 1.0);
  CHECK(y.value()(3) == 1.0);
  sum(y).backward();
  for (double g : x.grad()) {
    CHECK(std::isfinite(g));
  }
  CHECK(x.grad()(0) == 0.0);
  CHECK(x.grad()(3) == 0.0);
  Tensor xf(xt::xarray<float>{-100.f, 100.f}, true);
  auto yf = sigmoid(xf);
  CHECK(yf.value() == xt::xarray<float>{0.f, 1.f});
  sum(yf).backward();
  CHECK(xf.grad() == xt::xarray<float>{0.f, 0.f});
}

TEST_CASE("kinks: relu and abs use the subgradient 0 at 0", "[ops][elementwise]") {
  Tensor64 x(make({0.0}, {}), true);
  relu(x).backward();
  CHECK(x.grad()() == 0.0);
  x.zero_grad();
  abs(x).backward();
  CHECK(x.grad()() == 0.0);
}

TEST_CASE("matmul: values, shapes and errors", "[ops][linalg]") {
  Tensor64 a(make({1, 2, 3, 4, 5, 6}, {2, 3}));
  Tensor64 b(make({7, 8, 9, 10, 11, 12}, {3, 2}));
  CHECK(matmul(a, b).value() == make({58, 64, 139, 154}, {2, 2}));
  xt::xarray<float> col = {3.f, 4.f};
  col.reshape({2, 1});
  Tensor fa(xt::xarray<float>{{1.f, 2.f}}), fb(col);
  CHECK(matmul(fa, fb).item() == 11.f);
  Tensor64 c(make({1, 2, 3, 4}, {4, 1}));
  Tensor64 d(make({1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, {4, 3}));
  CHECK_THROWS_AS(matmul(d, c), std::invalid_argument);
  CHECK_THROWS_WITH(matmul(d, c),
                    Catch::StartsWith("matmul: shapes (4,3) and (4,1) are not aligned"));
  CHECK_THROWS_WITH(matmul(Tensor64(make({1, 2}, {2})), b), Catch::Contains("2-D"));
  // empty inner dimension: zeros, like NumPy
  Tensor64 e(xt::xarray<double>::from_shape({2, 0})), f(xt::xarray<double>::from_shape({0, 3}));
  CHECK(matmul(e, f).value() == xt::zeros<double>({2, 3}));
}

TEST_CASE("shape ops: transpose and reshape", "[ops][shape]") {
  Tensor64 a(make({1, 2, 3, 4, 5, 6}, {2, 3}));
  CHECK(transpose(a).value() == make({1, 4, 2, 5, 3, 6}, {3, 2}));
  CHECK_THROWS_WITH(transpose(Tensor64(make({1, 2}, {2}))),
                    Catch::Contains("transpose: expects a 2-D"));
  CHECK(reshape(a, {3, 2}).value() == make({1, 2, 3, 4, 5, 6}, {3, 2}));
  CHECK(reshape(a, {-1}).shape() == Shape{6});
  CHECK(reshape(a, {1, -1, 2}).shape() == Shape{1, 3, 2});
  CHECK_THROWS_WITH(reshape(a, {4, 2}),
                    Catch::Contains("reshape: cannot reshape a tensor of shape (2,3) to (4,2)"));
  CHECK_THROWS_WITH(reshape(a, {-1, -1}), Catch::Contains("only one dimension can be -1"));
  CHECK_THROWS_WITH(reshape(a, {-2, 3}), Catch::Contains("negative"));
  CHECK_THROWS_WITH(reshape(a, {4, -1}), Catch::Contains("cannot be inferred"));
}

TEST_CASE("reductions: values, keepdims, negative axes, errors", "[ops][reduce]") {
  Tensor64 a(make({1, 2, 3, 4, 5, 6}, {2, 3}));
  CHECK(sum(a).item() == 21);
  CHECK(sum(a).dim() == 0);
  CHECK(sum(a, 0).value() == make({5, 7, 9}, {3}));
  CHECK(sum(a, -1).value() == make({6, 15}, {2}));
  CHECK(sum(a, 1, true).value() == make({6, 15}, {2, 1}));
  CHECK(mean(a).item() == 3.5);
  CHECK(mean(a, 0).value() == make({2.5, 3.5, 4.5}, {3}));
  CHECK(mean(a, -1, true).value() == make({2, 5}, {2, 1}));
  CHECK_THROWS_WITH(sum(a, 2),
                    Catch::Contains("sum: axis 2 is out of range for a tensor of rank 2"));
  CHECK_THROWS_WITH(mean(a, -3), Catch::Contains("mean: axis -3 is out of range"));
  // Zero elements: sum is 0, mean is nan (documented)
  Tensor64 empty(xt::xarray<double>::from_shape({0, 3}));
  CHECK(sum(empty).item() == 0.0);
  CHECK(std::isnan(mean(empty).item()));
  CHECK(sum(empty, 0).value() == xt::zeros<double>({3}));
  // The 0-d input is its own sum.
  CHECK(sum(Tensor64(make({4.0}, {}))).item() == 4.0);
}

TEST_CASE("losses: values and shape checks", "[ops][loss]") {
  Tensor64 pred(make({0.5, 1.0, 0.0, 2.0}, {4, 1}));
  Tensor64 target(make({0.0, 1.0, 1.0, 0.0}, {4, 1}));
  CHECK(sse_loss(pred, target).item() == 0.25 + 0 + 1 + 4);
  CHECK(mse_loss(pred, target).item() == (0.25 + 0 + 1 + 4) / 4);
  Tensor64 flat(make({0.0, 1.0, 1.0, 0.0}, {4}));
  CHECK_THROWS_WITH(
      sse_loss(pred, flat),
      Catch::Contains("sse_loss: input of shape (4,1) and target of shape (4,) differ"));
  CHECK_THROWS_AS(mse_loss(pred, flat), std::invalid_argument);
}
