// SPDX-License-Identifier: MIT
// SGD: three steps of every option on a quadratic, against updates worked out by hand.
#include <xgrad/nn/linear.hpp>
#include <xgrad/optim/sgd.hpp>

#include "support/helpers.hpp"

using namespace xgrad;
using test::make;

namespace {

/// Runs `steps` steps of `opt` on loss = 0.5 * sum(p^2) (so the gradient is p itself) and
/// returns the parameter after each step.
std::vector<xt::xarray<double>> run(optim::Optimizer64& opt, Tensor64& p, int steps) {
  std::vector<xt::xarray<double>> out;
  for (int i = 0; i < steps; ++i) {
    opt.zero_grad();
    (0.5 * sum(p * p)).backward();
    opt.step();
    out.push_back(p.value());
  }
  return out;
}

/// p0 = [1, -2]: every update here is linear in p, so the second element is -2 times the first.
xt::xarray<double> pair(double first) { return make({first, -2 * first}, {2}); }

}  // namespace

TEST_CASE("SGD: plain gradient descent p = p - lr * g", "[optim][sgd]") {
  Tensor64 p(pair(1.0), true);
  optim::SGD64 opt({p}, optim::SGDOptions(0.1));
  const auto ps = run(opt, p, 3);
  // g = p: p <- 0.9 p each step.
  CHECK(test::all_close(ps[0], pair(0.9), 1e-15));
  CHECK(test::all_close(ps[1], pair(0.81), 1e-15));
  CHECK(test::all_close(ps[2], pair(0.729), 1e-15));
}

TEST_CASE("SGD: momentum b = mu b + g, first buffer = g", "[optim][sgd]") {
  Tensor64 p(pair(1.0), true);
  optim::SGD64 opt({p}, optim::SGDOptions(0.1).momentum(0.9));
  CHECK(opt.momentum() == 0.9);
  const auto ps = run(opt, p, 3);
  // step 1: g = 1,    b = 1,                    p = 1 - 0.1 * 1       = 0.9
  // step 2: g = 0.9,  b = 0.9 * 1 + 0.9 = 1.8,  p = 0.9 - 0.1 * 1.8   = 0.72
  // step 3: g = 0.72, b = 0.9 * 1.8 + 0.72 = 2.34, p = 0.72 - 0.234   = 0.486
  CHECK(test::all_close(ps[0], pair(0.9), 1e-15));
  CHECK(test::all_close(ps[1], pair(0.72), 1e-15));
  CHECK(test::all_close(ps[2], pair(0.486), 1e-15));
}

TEST_CASE("SGD: dampening b = mu b + (1 - tau) g after the first step", "[optim][sgd]") {
  Tensor64 p(pair(1.0), true);
  optim::SGD64 opt({p}, optim::SGDOptions(0.1).momentum(0.9).dampening(0.5));
  const auto ps = run(opt, p, 3);
  // step 1: g = 1,     b = 1 (no dampening on the first step),    p = 0.9
  // step 2: g = 0.9,   b = 0.9 * 1 + 0.5 * 0.9 = 1.35,           p = 0.9 - 0.135 = 0.765
  // step 3: g = 0.765, b = 0.9 * 1.35 + 0.5 * 0.765 = 1.5975,     p = 0.765 - 0.15975 = 0.60525
  CHECK(test::all_close(ps[0], pair(0.9), 1e-15));
  CHECK(test::all_close(ps[1], pair(0.765), 1e-15));
  CHECK(test::all_close(ps[2], pair(0.60525), 1e-15));
}

TEST_CASE("SGD: nesterov d = g + mu b", "[optim][sgd]") {
  Tensor64 p(pair(1.0), true);
  optim::SGD64 opt({p}, optim::SGDOptions(0.1).momentum(0.9).nesterov(true));
  const auto ps = run(opt, p, 3);
  // step 1: g = 1,      b = 1,                        d = 1 + 0.9 = 1.9,          p = 0.81
  // step 2: g = 0.81,   b = 0.9 + 0.81 = 1.71,        d = 0.81 + 1.539 = 2.349,   p = 0.5751
  // step 3: g = 0.5751, b = 1.539 + 0.5751 = 2.1141,  d = 0.5751 + 1.90269 = 2.47779,
  //         p = 0.5751 - 0.247779 = 0.327321
  CHECK(test::all_close(ps[0], pair(0.81), 1e-15));
  CHECK(test::all_close(ps[1], pair(0.5751), 1e-15));
  CHECK(test::all_close(ps[2], pair(0.327321), 1e-15));
}

TEST_CASE("SGD: weight decay adds lambda p to the gradient", "[optim][sgd]") {
  {
    Tensor64 p(pair(1.0), true);
    optim::SGD64 opt({p}, optim::SGDOptions(0.1).weight_decay(0.1));
    const auto ps = run(opt, p, 3);
    // d = g + 0.1 p = 1.1 p: p <- (1 - 0.11) p = 0.89 p.
    CHECK(test::all_close(ps[0], pair(0.89), 1e-15));
    CHECK(test::all_close(ps[1], pair(0.7921), 1e-15));
    CHECK(test::all_close(ps[2], pair(0.704969), 1e-15));
    // The stored gradient is left as backward made it (g = p before the step).
    CHECK(test::all_close(p.grad(), pair(0.7921), 1e-15));
  }
  {
    Tensor64 p(pair(1.0), true);
    optim::SGD64 opt({p}, optim::SGDOptions(0.1).momentum(0.9).weight_decay(0.1));
    const auto ps = run(opt, p, 2);
    // step 1: d = 1.1,             b = 1.1,                    p = 1 - 0.11 = 0.89
    // step 2: d = 1.1 * 0.89 = 0.979, b = 0.99 + 0.979 = 1.969,  p = 0.89 - 0.1969 = 0.6931
    CHECK(test::all_close(ps[0], pair(0.89), 1e-15));
    CHECK(test::all_close(ps[1], pair(0.6931), 1e-15));
  }
}

TEST_CASE("SGD: parameters without a gradient are skipped, and their momentum waits",
          "[optim][sgd]") {
  Tensor64 used(pair(1.0), true), unused(pair(1.0), true);
  optim::SGD64 opt({used, unused}, optim::SGDOptions(0.1).momentum(0.9));
  (0.5 * sum(used * used)).backward();
  opt.step();
  CHECK(test::all_close(used.value(), pair(0.9), 1e-15));
  CHECK((unused.value() == pair(1.0)));
  // unused's first step with a gradient starts its buffer at g (like a first step).
  opt.zero_grad();
  (0.5 * sum(unused * unused)).backward();
  opt.step();
  CHECK(test::all_close(unused.value(), pair(0.9), 1e-15));
  CHECK(test::all_close(used.value(), pair(0.9), 1e-15));  // no gradient this time
  CHECK_FALSE(used.has_grad());
}

TEST_CASE("SGD: zero_grad drops the gradients, and lr can be changed", "[optim][sgd]") {
  Tensor64 p(pair(1.0), true);
  optim::SGD64 opt({p}, optim::SGDOptions(0.1));
  (0.5 * sum(p * p)).backward();
  opt.zero_grad();
  CHECK_FALSE(p.has_grad());
  opt.set_lr(0.5);
  CHECK(opt.lr() == 0.5);
  (0.5 * sum(p * p)).backward();
  opt.step();
  CHECK(test::all_close(p.value(), pair(0.5), 1e-15));
  CHECK_THROWS_AS(opt.set_lr(-1.0), std::invalid_argument);
  CHECK(opt.parameters().size() == 1);
}

TEST_CASE("SGD: a backward that saved a parameter before step() throws after it", "[optim][sgd]") {
  Tensor64 w(pair(1.0), true);
  optim::SGD64 opt({w}, optim::SGDOptions(0.1));
  sum(w * w).backward();
  const Tensor64 loss = sum(w * w);  // mul saves w at version v
  opt.step();                        // w is now at version v + 1
  CHECK_THROWS_WITH(loss.backward(),
                    Catch::Contains("modified by an inplace operation") && Catch::Contains("mul"));
}

TEST_CASE("SGD: invalid options and parameter lists throw std::invalid_argument", "[optim][sgd]") {
  Tensor64 p(pair(1.0), true);
  using optim::SGDOptions;
  CHECK_THROWS_WITH(optim::SGD64({p}, SGDOptions(-0.1)),
                    Catch::Contains("SGD") && Catch::Contains("learning rate"));
  CHECK_THROWS_WITH(optim::SGD64({p}, SGDOptions(0.1).momentum(-1)), Catch::Contains("momentum"));
  CHECK_THROWS_WITH(optim::SGD64({p}, SGDOptions(0.1).weight_decay(-1)),
                    Catch::Contains("weight_decay"));
  CHECK_THROWS_WITH(optim::SGD64({p}, SGDOptions(0.1).nesterov(true)), Catch::Contains("nesterov"));
  CHECK_THROWS_AS(optim::SGD64({p}, SGDOptions(0.1).momentum(0.9).dampening(0.1).nesterov(true)),
                  std::invalid_argument);
  CHECK_THROWS_WITH(optim::SGD64({}, SGDOptions(0.1)), Catch::Contains("empty parameter list"));
  CHECK_THROWS_WITH(optim::SGD64({p, Tensor64()}, SGDOptions(0.1)),
                    Catch::Contains("parameter 1") && Catch::Contains("undefined"));
  CHECK_THROWS_WITH(optim::SGD64({p, p}, SGDOptions(0.1)), Catch::Contains("more than once"));
  CHECK_THROWS_WITH(optim::SGD64({p * 2.0}, SGDOptions(0.1)),
                    Catch::Contains("parameter 0") && Catch::Contains("leaf"));
}

TEST_CASE("SGD: momentum fits a linear regression", "[optim][sgd][convergence]") {
  // y = x . [3, -2] + 1 on 16 random points; float layer, float optimizer.
  Generator gen(1);
  nn::Linear fc(2, 1, gen);
  const Tensor x = rand<float>({16, 2}, gen);
  xt::xarray<float> target = xt::xarray<float>::from_shape({16, 1});
  for (std::size_t i = 0; i < 16; ++i) target(i, 0) = 3 * x.value()(i, 0) - 2 * x.value()(i, 1) + 1;
  const Tensor y(target);
  optim::SGD opt(fc.parameters(), optim::SGDOptions(0.1).momentum(0.9));
  float loss = 0;
  for (int i = 0; i < 300; ++i) {
    opt.zero_grad();
    Tensor l = mse_loss(fc.forward(x), y);
    l.backward();
    opt.step();
    loss = l.item();
  }
  CHECK(loss < 1e-6f);
  CHECK(fc.weight().value()(0, 0) == Approx(3.0).margin(1e-2));
  CHECK(fc.weight().value()(0, 1) == Approx(-2.0).margin(1e-2));
  CHECK(fc.bias().value()(0) == Approx(1.0).margin(1e-2));
}
