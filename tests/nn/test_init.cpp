// SPDX-License-Identifier: MIT
// nn::init: PyTorch's formulas, exact draws from the generator, errors.
#include <cmath>

#include <xgrad/nn/init.hpp>

#include "support/helpers.hpp"

using namespace xgrad;
using namespace xgrad::nn;
using test::make;

namespace {

double max_abs(const xt::xarray<double>& a) {
  double m = 0;
  for (double v : a) m = std::max(m, std::abs(v));
  return m;
}

double mean_of(const xt::xarray<double>& a) {
  double s = 0;
  for (double v : a) s += v;
  return s / static_cast<double>(a.size());
}

double std_of(const xt::xarray<double>& a) {
  const double m = mean_of(a);
  double s = 0;
  for (double v : a) s += (v - m) * (v - m);
  return std::sqrt(s / static_cast<double>(a.size()));
}

}  // namespace

TEST_CASE("init: gains and fans follow PyTorch", "[nn][init]") {
  CHECK(init::calculate_gain(init::Nonlinearity::linear) == 1.0);
  CHECK(init::calculate_gain(init::Nonlinearity::sigmoid) == 1.0);
  CHECK(init::calculate_gain(init::Nonlinearity::tanh) == Approx(5.0 / 3.0));
  CHECK(init::calculate_gain(init::Nonlinearity::relu) == Approx(std::sqrt(2.0)));
  CHECK(init::calculate_gain(init::Nonlinearity::leaky_relu) ==
        Approx(std::sqrt(2.0 / (1.0 + 0.01 * 0.01))));
  CHECK(init::calculate_gain(init::Nonlinearity::leaky_relu, std::sqrt(5.0)) ==
        Approx(std::sqrt(1.0 / 3.0)));
  // (out, in) -> fan_in = in, fan_out = out; extra dimensions multiply both.
  CHECK(init::calculate_fan_in_and_fan_out({4, 3}) ==
        std::make_pair<std::size_t, std::size_t>(3, 4));
  CHECK(init::calculate_fan_in_and_fan_out({8, 2, 3, 5}) ==
        std::make_pair<std::size_t, std::size_t>(30, 120));
  CHECK_THROWS_WITH(init::calculate_fan_in_and_fan_out({4}), Catch::Contains("(4,)"));
}

TEST_CASE("init: uniform_ and normal_ draw element by element from the generator", "[nn][init]") {
  Tensor64 t = zeros<double>({2, 3});
  Generator gen(9), replay(9);
  init::uniform_(t, -2.0, 3.0, gen);
  for (double v : t.value()) CHECK(v == -2.0 + 5.0 * replay.uniform());

  init::normal_(t, 1.0, 0.5, gen);
  for (double v : t.value()) CHECK(v == 1.0 + 0.5 * replay.normal());

  // Statistics over many draws.
  Tensor64 big = zeros<double>({100, 100});
  init::uniform_(big, -1.0, 1.0, gen);
  CHECK(max_abs(big.value()) < 1.0);
  CHECK(mean_of(big.value()) == Approx(0.0).margin(0.03));
  init::normal_(big, 2.0, 3.0, gen);
  CHECK(mean_of(big.value()) == Approx(2.0).margin(0.1));
  CHECK(std_of(big.value()) == Approx(3.0).epsilon(0.03));

  // Float tensors stay inside [lo, hi).
  Tensor f = zeros<float>({1000});
  init::uniform_(f, 0.0, 1e-8, gen);
  for (float v : f.value()) CHECK((v >= 0.f && v < 1e-8f));

  CHECK_THROWS_WITH(init::uniform_(t, 1.0, 0.0, gen), Catch::Contains("uniform_"));
  CHECK_THROWS_WITH(init::normal_(t, 0.0, -1.0, gen), Catch::Contains("normal_"));
  Tensor64 undefined;
  CHECK_THROWS_AS(init::uniform_(undefined, 0.0, 1.0, gen), std::invalid_argument);
}

TEST_CASE("init: constant_, zeros_, ones_ and copy_ set values in place", "[nn][init]") {
  Tensor64 t(make({1, 2, 3}, {3}), true);
  const auto node = t.node();
  init::constant_(t, 0.25);
  CHECK((t.value() == make({0.25, 0.25, 0.25}, {3})));
  init::zeros_(t);
  CHECK((t.value() == make({0, 0, 0}, {3})));
  init::ones_(t);
  CHECK((t.value() == make({1, 1, 1}, {3})));
  init::copy_(t, make({4, 5, 6}, {3}));
  CHECK((t.value() == make({4, 5, 6}, {3})));
  CHECK(t.node() == node);  // same tensor, still a leaf that requires grad
  CHECK(t.requires_grad());
  CHECK(t.is_leaf());
  CHECK_THROWS_WITH(init::copy_(t, make({1, 2}, {2})),
                    Catch::Contains("copy_") && Catch::Contains("(2,)") && Catch::Contains("(3,)"));
}

TEST_CASE("init: initialising records no graph and bumps the version", "[nn][init]") {
  Tensor64 w(make({1, 2}, {2}), true);
  const Tensor64 y = sum(w * w);  // mul saves w
  Generator gen(1);
  init::uniform_(w, -1.0, 1.0, gen);
  CHECK(w.is_leaf());
  CHECK_THROWS_WITH(y.backward(), Catch::Contains("modified by an inplace operation"));
}

TEST_CASE("init: xavier and kaiming bounds", "[nn][init]") {
  Generator gen(4), replay(4);
  Tensor64 w = zeros<double>({20, 30});  // fan_in 30, fan_out 20
  init::xavier_uniform_(w, gen, 2.0);
  const double bx = 2.0 * std::sqrt(6.0 / 50.0);
  for (double v : w.value())
    CHECK(v == Approx(-bx + 2 * bx * replay.uniform()).epsilon(1e-14).margin(1e-15));

  init::kaiming_uniform_(w, gen);  // a = 0, leaky_relu: sqrt(6 / fan_in)
  const double bk = std::sqrt(6.0 / 30.0);
  for (double v : w.value())
    CHECK(v == Approx(-bk + 2 * bk * replay.uniform()).epsilon(1e-14).margin(1e-15));

  init::kaiming_uniform_(w, gen, std::sqrt(5.0));  // Linear's: 1 / sqrt(fan_in)
  const double bl = 1.0 / std::sqrt(30.0);
  for (double v : w.value())
    CHECK(v == Approx(-bl + 2 * bl * replay.uniform()).epsilon(1e-14).margin(1e-15));

  init::kaiming_uniform_(w, gen, 0.0, init::FanMode::fan_out, init::Nonlinearity::relu);
  const double bo = std::sqrt(6.0 / 20.0);
  for (double v : w.value())
    CHECK(v == Approx(-bo + 2 * bo * replay.uniform()).epsilon(1e-14).margin(1e-15));

  Tensor64 big = zeros<double>({200, 100});
  init::kaiming_normal_(big, gen, 0.0, init::FanMode::fan_in, init::Nonlinearity::relu);
  CHECK(std_of(big.value()) == Approx(std::sqrt(2.0 / 100.0)).epsilon(0.03));
  init::xavier_normal_(big, gen);
  CHECK(std_of(big.value()) == Approx(std::sqrt(2.0 / 300.0)).epsilon(0.03));

  Tensor64 vec = zeros<double>({5});
  CHECK_THROWS_WITH(init::kaiming_uniform_(vec, gen),
                    Catch::Contains("kaiming_uniform_") && Catch::Contains("(5,)"));
  CHECK_THROWS_AS(init::xavier_uniform_(vec, gen), std::invalid_argument);
  // A zero-element tensor is left alone (as PyTorch).
  Tensor64 empty = zeros<double>({0, 3});
  CHECK_NOTHROW(init::kaiming_uniform_(empty, gen));
}
