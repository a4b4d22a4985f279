// SPDX-License-Identifier: MIT
// Linear: parameters, PyTorch's default initialisation, forward values, gradients.
#include <cmath>
#include <thread>

#include <xgrad/nn/init.hpp>
#include <xgrad/nn/linear.hpp>

#include "support/helpers.hpp"

using namespace xgrad;
using test::make;

namespace {

/// weight (2,3) = [[1,2,3],[4,5,6]], bias = [0.5, -1].
std::shared_ptr<nn::Linear64> known_layer() {
  Generator gen(0);
  auto fc = std::make_shared<nn::Linear64>(3, 2, gen);
  nn::init::copy_(fc->weight(), make({1, 2, 3, 4, 5, 6}, {2, 3}));
  nn::init::copy_(fc->bias(), make({0.5, -1}, {2}));
  return fc;
}

}  // namespace

TEST_CASE("Linear: parameters are weight (out,in) and bias (out,)", "[nn][linear]") {
  Generator gen(1);
  nn::Linear64 fc(3, 4, gen);
  const auto named = fc.named_parameters();
  REQUIRE(named.size() == 2);
  CHECK(named[0].first == "weight");
  CHECK(named[0].second.shape() == Shape{4, 3});
  CHECK(named[1].first == "bias");
  CHECK(named[1].second.shape() == Shape{4});
  CHECK(fc.num_parameters() == 16);
  CHECK(fc.in_features() == 3);
  CHECK(fc.out_features() == 4);
  CHECK(fc.has_bias());
  CHECK(fc.weight().requires_grad());
  CHECK(fc.bias().requires_grad());

  nn::Linear64 nobias(3, 4, false, gen);
  REQUIRE(nobias.named_parameters().size() == 1);
  CHECK(nobias.num_parameters() == 12);
  CHECK_FALSE(nobias.has_bias());
  CHECK_THROWS_AS(nobias.bias(), std::logic_error);
}

TEST_CASE("Linear: default init is PyTorch's U(-1/sqrt(in), 1/sqrt(in)) from the generator",
          "[nn][linear][init]") {
  Generator gen(42);
  nn::Linear64 fc(3, 2, gen);
  // Replay the draws: weight first (row-major), then bias, each lo + (hi - lo) * u.
  Generator replay(42);
  const double b = 1.0 / std::sqrt(3.0);
  for (double w : fc.weight().value())
    CHECK(w == Approx(-b + 2 * b * replay.uniform()).epsilon(1e-14).margin(1e-15));
  for (double v : fc.bias().value())
    CHECK(v == Approx(-b + 2 * b * replay.uniform()).epsilon(1e-14).margin(1e-15));
  // The layer advanced the caller's generator by exactly those 8 draws.
  CHECK(gen.next_u64() == replay.next_u64());

  // Bounds hold over many draws, and the bound follows in_features.
  Generator gen2(7);
  nn::Linear64 wide(100, 50, gen2);
  const double bw = 0.1;
  double lo = 1, hi = -1;
  for (double w : wide.weight().value()) {
    lo = std::min(lo, w);
    hi = std::max(hi, w);
  }
  CHECK(lo >= -bw);
  CHECK(hi < bw);
  CHECK(lo < -0.95 * bw);  // 5000 draws reach both ends
  CHECK(hi > 0.95 * bw);
  for (double v : wide.bias().value()) CHECK(std::abs(v) <= bw);

  // The same seed gives the same layer; float layers hold the same numbers rounded.
  Generator g1(3), g2(3), g3(3);
  nn::Linear64 a(4, 5, g1), b2(4, 5, g2);
  nn::Linear f(4, 5, g3);
  CHECK((a.weight().value() == b2.weight().value()));
  const xt::xarray<double> fw = f.weight().value();  // float -> double
  CHECK(test::all_close(fw, a.weight().value(), 1e-7));
}

TEST_CASE("Linear: without a generator, draws from the per-thread default generator",
          "[nn][linear][init]") {
  // A fresh thread starts its default generator at Generator::kDefaultSeed.
  xt::xarray<double> in_thread;
  std::thread worker([&] { in_thread = nn::Linear64(3, 2).weight().value(); });
  worker.join();
  Generator fresh(Generator::kDefaultSeed);
  CHECK((in_thread == nn::Linear64(3, 2, fresh).weight().value()));

  // Reseeding this thread's default generator replays the same weights.
  nn::default_generator().seed(11);
  const xt::xarray<double> first = nn::Linear64(3, 2).weight().value();
  nn::default_generator().seed(11);
  CHECK((nn::Linear64(3, 2).weight().value() == first));
}

TEST_CASE("Linear: forward computes x W^T + b", "[nn][linear]") {
  auto fc = known_layer();
  // rows: [1,0,-1] -> [1-3, 4-6] + b = [-1.5, -3]; [2,1,0] -> [2+2, 8+5] + b = [4.5, 12]
  Tensor64 x(make({1, 0, -1, 2, 1, 0}, {2, 3}));
  const Tensor64 y = fc->forward(x);
  REQUIRE(y.shape() == Shape{2, 2});
  CHECK(test::all_close(y.value(), make({-1.5, -3, 4.5, 12}, {2, 2}), 1e-15));
  CHECK(test::all_close((*fc)(x).value(), y.value(), 0.0));

  // A 1-D input is one sample.
  const Tensor64 y1 = fc->forward(Tensor64(make({1, 0, -1}, {3})));
  REQUIRE(y1.shape() == Shape{2});
  CHECK(test::all_close(y1.value(), make({-1.5, -3}, {2}), 1e-15));

  // Leading dimensions are kept: (2,1,3) -> (2,1,2).
  const Tensor64 y3 = fc->forward(Tensor64(make({1, 0, -1, 2, 1, 0}, {2, 1, 3})));
  REQUIRE(y3.shape() == Shape{2, 1, 2});
  CHECK(test::all_close(y3.value(), make({-1.5, -3, 4.5, 12}, {2, 1, 2}), 1e-15));

  // Without bias.
  Generator gen(0);
  nn::Linear64 nobias(3, 2, false, gen);
  nn::init::copy_(nobias.weight(), make({1, 2, 3, 4, 5, 6}, {2, 3}));
  CHECK(test::all_close(nobias.forward(x).value(), make({-2, -2, 4, 13}, {2, 2}), 1e-15));
}

TEST_CASE("Linear: float layer computes the same values", "[nn][linear]") {
  Generator gen(0);
  nn::Linear fc(3, 2, gen);
  xt::xarray<float> w = {{1.f, 2.f, 3.f}, {4.f, 5.f, 6.f}};
  nn::init::copy_(fc.weight(), w);
  nn::init::constant_(fc.bias(), 0.5);
  const Tensor y = fc.forward(Tensor(xt::xarray<float>{{1.f, 0.f, -1.f}}));
  REQUIRE(y.shape() == Shape{1, 2});
  CHECK(y.value()(0, 0) == -1.5f);
  CHECK(y.value()(0, 1) == -1.5f);
}

TEST_CASE("Linear: gradients over input, weight and bias match finite differences",
          "[nn][linear][gradcheck]") {
  Generator gen(5);
  nn::Linear64 fc(3, 4, gen);
  Tensor64 x(test::uniform_array({5, 3}, gen, -2, 2), true);
  auto f = [&](const std::vector<Tensor64>& in) { return fc.forward(in[0]); };
  const auto r = gradcheck(f, {x, fc.weight(), fc.bias()});
  INFO(r.report);
  CHECK(r.ok);

  // 3-D input, through the reshapes.
  Tensor64 x3(test::uniform_array({2, 3, 3}, gen, -2, 2), true);
  const auto r3 = gradcheck(f, {x3, fc.weight(), fc.bias()});
  INFO(r3.report);
  CHECK(r3.ok);

  // No bias, 1-D input.
  nn::Linear64 nobias(3, 2, false, gen);
  Tensor64 x1(test::uniform_array({3}, gen, -2, 2), true);
  const auto r1 = gradcheck([&](const std::vector<Tensor64>& in) { return nobias.forward(in[0]); },
                            {x1, nobias.weight()});
  INFO(r1.report);
  CHECK(r1.ok);
}

TEST_CASE("Linear: bad input shapes and sizes throw std::invalid_argument", "[nn][linear]") {
  Generator gen(0);
  nn::Linear64 fc(3, 2, gen);
  CHECK_THROWS_WITH(fc.forward(zeros<double>({4, 2})), Catch::Contains("Linear") &&
                                                           Catch::Contains("(4,2)") &&
                                                           Catch::Contains("in_features=3"));
  CHECK_THROWS_AS(fc.forward(scalar<double>(1.0)), std::invalid_argument);
  CHECK_THROWS_AS(fc.forward(Tensor64()), std::invalid_argument);
  CHECK_THROWS_WITH(nn::Linear64(-1, 2, gen),
                    Catch::Contains("in_features") && Catch::Contains("-1"));
  CHECK_THROWS_AS(nn::Linear64(2, -3, gen), std::invalid_argument);
}

TEST_CASE("Linear: zero-size inputs and layers", "[nn][linear]") {
  Generator gen(0);
  nn::Linear64 fc(3, 2, gen);
  // No rows: (0,3) -> (0,2).
  CHECK(fc.forward(zeros<double>({0, 3})).shape() == Shape{0, 2});
  // No input features: the weight is (2,0), the bias bound 1/sqrt(0) is replaced by 0, and the
  // output is the bias.
  nn::Linear64 empty_in(0, 2, gen);
  CHECK(empty_in.weight().shape() == Shape{2, 0});
  CHECK((empty_in.bias().value() == make({0, 0}, {2})));
  CHECK((empty_in.forward(zeros<double>({3, 0})).value() ==
         xt::xarray<double>(xt::zeros<double>({3, 2}))));
}
