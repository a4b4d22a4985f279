// SPDX-License-Identifier: MIT
// xgrad::linear (F.linear): x . W^T + b as one GEMM, against matmul/transpose/add composed.
#include <array>
#include <cmath>
#include <string>

#include "support/helpers.hpp"

using namespace xgrad;

namespace {

Tensor64 composed(const Tensor64& x, const Tensor64& w, const Tensor64* b) {
  Tensor64 y = matmul(x, transpose(w));
  return b != nullptr ? y + *b : y;
}

}  // namespace

TEST_CASE("linear: forward equals x W^T + b and gradients pass gradcheck", "[linear_op]") {
  Generator gen(11);
  // (m, in, out): tiny (plain loop) and large enough for the BLAS path (m*in*out > 4096).
  for (auto [m, in, out] : {std::array<std::size_t, 3>{4, 3, 2}, {1, 5, 1}, {17, 23, 19}}) {
    Tensor64 x(test::uniform_array({m, in}, gen, -1, 1), true);
    Tensor64 w(test::uniform_array({out, in}, gen, -1, 1), true);
    Tensor64 b(test::uniform_array({out}, gen, -1, 1), true);
    CAPTURE(m, in, out);
    CHECK(test::all_close(linear(x, w, b).value(), composed(x, w, &b).value(), 1e-12));
    CHECK(test::all_close(linear(x, w).value(), composed(x, w, nullptr).value(), 1e-12));
    {
      auto with_bias = gradcheck([](const auto& v) { return linear(v[0], v[1], v[2]); }, {x, w, b});
      INFO("with bias: " << with_bias.report);
      CHECK(with_bias.ok);
    }
    {
      auto no_bias = gradcheck([](const auto& v) { return linear(v[0], v[1]); }, {x, w});
      INFO("without bias: " << no_bias.report);
      CHECK(no_bias.ok);
    }
  }
}

TEST_CASE("linear: zero-size dimensions", "[linear_op]") {
  Tensor64 w(xt::xarray<double>::from_shape({3, 0}), true);
  Tensor64 b(test::make({1, 2, 3}, {3}), true);
  Tensor64 x(xt::xarray<double>::from_shape({2, 0}), true);
  Tensor64 y = linear(x, w, b);  // in = 0: the product is empty, y is the bias on each row
  CHECK((y.value() == test::make({1, 2, 3, 1, 2, 3}, {2, 3})));
  sum(y).backward();
  CHECK((b.grad() == test::make({2, 2, 2}, {3})));
  CHECK(w.grad().shape() == Shape{3, 0});
  Tensor64 none(xt::xarray<double>::from_shape({0, 4}), true);
  Tensor64 w2(test::make({1, 2, 3, 4}, {1, 4}), true);
  CHECK(linear(none, w2).shape() == Shape{0, 1});
}

TEST_CASE("linear: bad shapes name the op and the shapes", "[linear_op]") {
  Tensor64 x(xt::xarray<double>::from_shape({2, 3}));
  Tensor64 w(xt::xarray<double>::from_shape({4, 5}));
  Tensor64 w_ok(xt::xarray<double>::from_shape({4, 3}));
  Tensor64 b_bad(xt::xarray<double>::from_shape({3}));
  auto message = [](auto&& f) {
    try {
      f();
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("no exception");
  };
  const std::string m1 = message([&] { (void)linear(x, w); });
  CHECK(m1.find("linear") != std::string::npos);
  CHECK(m1.find("(2,3)") != std::string::npos);
  CHECK(m1.find("(4,5)") != std::string::npos);
  const std::string m2 = message([&] { (void)linear(x, w_ok, b_bad); });
  CHECK(m2.find("bias of shape (3,)") != std::string::npos);
  CHECK(m2.find("(4,)") != std::string::npos);
}

TEST_CASE("linear: the fused squared-error losses match their formulas", "[linear_op]") {
  Generator gen(5);
  Tensor64 p(test::uniform_array({3, 2}, gen, -1, 1), true);
  Tensor64 t(test::uniform_array({3, 2}, gen, -1, 1), true);
  const xt::xarray<double> d = p.value() - t.value();
  double sse = 0;
  for (double e : d) sse += e * e;
  CHECK(sse_loss(p, t).item() == Approx(sse).epsilon(1e-14));
  CHECK(mse_loss(p, t).item() == Approx(sse / 6).epsilon(1e-14));
  CHECK(gradcheck([](const auto& v) { return sse_loss(v[0], v[1]); }, {p, t}).ok);
  CHECK(gradcheck([](const auto& v) { return mse_loss(v[0], v[1]); }, {p, t}).ok);
  Tensor64 e(xt::xarray<double>::from_shape({0}), true);
  CHECK(sse_loss(e, e).item() == 0.0);
  CHECK(std::isnan(mse_loss(e, e).item()));
}
