// SPDX-License-Identifier: MIT
// Activation modules: no parameters, known values, gradients.
#include <cmath>

#include <xgrad/nn/activation.hpp>

#include "support/helpers.hpp"

using namespace xgrad;
using test::make;

namespace {

bool module_gradcheck(nn::Module64& m, const Shape& shape, std::uint64_t seed) {
  Generator gen(seed);
  Tensor64 x(test::uniform_array(shape, gen, -2, 2, /*gap=*/1e-2), true);
  const auto r = gradcheck([&](const std::vector<Tensor64>& in) { return m.forward(in[0]); }, {x});
  // Unscoped: shown with the caller's CHECK (a scoped INFO would end with this function).
  UNSCOPED_INFO(m.type_name() << ": " << r.report);
  return r.ok;
}

}  // namespace

TEST_CASE("Activations: forward values", "[nn][activation]") {
  const Tensor64 x(make({-2, -0.5, 0, 1.5}, {2, 2}));
  nn::Sigmoid64 sig;
  nn::Tanh64 th;
  nn::ReLU64 relu;
  nn::LeakyReLU64 leaky(0.1);
  const auto s = sig.forward(x).value();
  CHECK(s(0, 0) == Approx(1.0 / (1.0 + std::exp(2.0))));
  CHECK(s(1, 0) == Approx(0.5));
  CHECK(th.forward(x).value()(1, 1) == Approx(std::tanh(1.5)));
  CHECK(test::all_close(relu.forward(x).value(), make({0, 0, 0, 1.5}, {2, 2}), 0.0));
  CHECK(test::all_close(leaky.forward(x).value(), make({-0.2, -0.05, 0, 1.5}, {2, 2}), 1e-15));
  CHECK(nn::LeakyReLU64().negative_slope() == 0.01);
  for (nn::Module64* m : std::vector<nn::Module64*>{&sig, &th, &relu, &leaky}) {
    CHECK(m->parameters().empty());
    CHECK(m->forward(x).shape() == x.shape());
  }
}

TEST_CASE("Activations: Softmax and LogSoftmax work along the given axis", "[nn][activation]") {
  const Tensor64 x(make({0, std::log(3.0), 1, 1}, {2, 2}));
  // Rows: softmax([0, log 3]) = [1/4, 3/4]; softmax([1, 1]) = [1/2, 1/2].
  nn::Softmax64 rows(1);
  CHECK(rows.axis() == 1);
  CHECK(test::all_close(rows.forward(x).value(), make({0.25, 0.75, 0.5, 0.5}, {2, 2}), 1e-15));
  CHECK(test::all_close(nn::Softmax64(-1).forward(x).value(), rows.forward(x).value(), 0.0));
  // Columns: softmax([0, 1]) and softmax([log 3, 1]).
  const auto cols = nn::Softmax64(0).forward(x).value();
  CHECK(cols(0, 0) == Approx(1.0 / (1.0 + std::exp(1.0))));
  CHECK(cols(0, 0) + cols(1, 0) == Approx(1.0));
  CHECK(test::all_close(
      nn::LogSoftmax64(1).forward(x).value(),
      make({std::log(0.25), std::log(0.75), std::log(0.5), std::log(0.5)}, {2, 2}), 1e-15));
  CHECK_THROWS_AS(nn::Softmax64(2).forward(x), std::invalid_argument);
}

TEST_CASE("Activations: gradients match finite differences", "[nn][activation][gradcheck]") {
  nn::Sigmoid64 sig;
  nn::Tanh64 th;
  nn::ReLU64 relu;
  nn::LeakyReLU64 leaky(0.2);
  nn::Softmax64 sm(1);
  nn::Softmax64 sm0(0);
  nn::LogSoftmax64 lsm(-1);
  CHECK(module_gradcheck(sig, {3, 4}, 1));
  CHECK(module_gradcheck(th, {3, 4}, 2));
  CHECK(module_gradcheck(relu, {3, 4}, 3));
  CHECK(module_gradcheck(leaky, {3, 4}, 4));
  CHECK(module_gradcheck(sm, {3, 4}, 5));
  CHECK(module_gradcheck(sm0, {3, 4}, 6));
  CHECK(module_gradcheck(lsm, {2, 3, 4}, 7));
}

TEST_CASE("Activations: float modules", "[nn][activation]") {
  const Tensor x(xt::xarray<float>{-1.f, 2.f});
  CHECK(nn::ReLU().forward(x).value()(1) == 2.f);
  CHECK(nn::LeakyReLU(0.5).forward(x).value()(0) == -0.5f);
  CHECK(nn::Softmax(0).forward(x).value()(1) == Approx(1.0 / (1.0 + std::exp(-3.0))));
  CHECK(nn::Sigmoid().type_name() == "Sigmoid");
  CHECK(nn::Tanh().type_name() == "Tanh");
  CHECK(nn::LogSoftmax(0).extra_repr() == "axis=0");
}
