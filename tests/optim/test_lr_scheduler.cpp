// SPDX-License-Identifier: MIT
// Learning-rate schedulers: the sequences of learning rates they produce.
#include <cmath>
#include <limits>

#include <xgrad/optim/adam.hpp>
#include <xgrad/optim/lr_scheduler.hpp>
#include <xgrad/optim/sgd.hpp>

#include "support/helpers.hpp"

using namespace xgrad;
using test::make;

namespace {

Tensor64 param() { return Tensor64(make({1.0}, {1}), true); }

}  // namespace

TEST_CASE("StepLR: multiplies lr by gamma every step_size epochs", "[optim][scheduler]") {
  Tensor64 p = param();
  optim::SGD64 opt({p}, optim::SGDOptions(1.0));
  optim::StepLR sched(opt, 3, 0.5);
  CHECK(sched.lr() == 1.0);
  CHECK(sched.base_lr() == 1.0);
  // After k steps: 1 * 0.5^floor(k / 3).
  const std::vector<double> expected{1, 1, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.125};
  for (std::size_t k = 0; k < expected.size(); ++k) {
    sched.step();
    CHECK(sched.last_epoch() == static_cast<std::int64_t>(k + 1));
    CHECK(opt.lr() == Approx(expected[k]).epsilon(1e-15));
  }
  // Default gamma 0.1.
  Tensor64 q = param();
  optim::Adam64 adam({q}, optim::AdamOptions(0.2));
  optim::StepLR tenth(adam, 2);
  CHECK(tenth.gamma() == 0.1);
  tenth.step();
  CHECK(adam.lr() == 0.2);
  tenth.step();
  CHECK(adam.lr() == Approx(0.02));
  CHECK_THROWS_AS(optim::StepLR(opt, 0), std::invalid_argument);
  CHECK_THROWS_AS(optim::StepLR(opt, 2, -0.5), std::invalid_argument);
}

TEST_CASE("ExponentialLR: multiplies lr by gamma every epoch", "[optim][scheduler]") {
  Tensor64 p = param();
  optim::SGD64 opt({p}, optim::SGDOptions(0.5));
  optim::ExponentialLR sched(opt, 0.9);
  for (int k = 1; k <= 5; ++k) {
    sched.step();
    CHECK(opt.lr() == Approx(0.5 * std::pow(0.9, k)).epsilon(1e-14));
  }
  // Chainable: a change made by other code is kept and decayed from.
  opt.set_lr(1.0);
  sched.step();
  CHECK(opt.lr() == Approx(0.9));
  CHECK_THROWS_AS(optim::ExponentialLR(opt, -1.0), std::invalid_argument);
}

TEST_CASE("ReduceLROnPlateau: reduces after more than `patience` epochs without improvement",
          "[optim][scheduler]") {
  Tensor64 p = param();
  optim::SGD64 opt({p}, optim::SGDOptions(1.0));
  optim::ReduceLROnPlateau sched(opt, optim::ReduceLROnPlateauOptions().factor(0.5).patience(2));
  CHECK(sched.best() == std::numeric_limits<double>::infinity());
  // rel threshold 1e-4: better means metric < best * (1 - 1e-4).
  struct Epoch {
    double metric;
    double lr;         // after step(metric)
    std::int64_t bad;  // num_bad_epochs after step(metric)
  };
  const std::vector<Epoch> epochs{
      {10.0, 1.0, 0},                   // first metric is the best
      {9.0, 1.0, 0},                    // improved
      {8.9995, 1.0, 1},                 // 9 * (1 - 1e-4) = 8.9991: not enough to count
      {9.5, 1.0, 2},                    // worse
      {9.2, 0.5, 0},                    // third bad epoch > patience 2: halve, reset
      {9.1, 0.5, 1},    {8.0, 0.5, 0},  // improved: counter reset
      {8.0, 0.5, 1},    {8.0, 0.5, 2}, {8.0, 0.25, 0},
  };
  for (std::size_t k = 0; k < epochs.size(); ++k) {
    INFO("epoch " << k + 1);
    sched.step(epochs[k].metric);
    CHECK(opt.lr() == epochs[k].lr);
    CHECK(sched.num_bad_epochs() == epochs[k].bad);
  }
  CHECK(sched.best() == 8.0);
  CHECK(sched.last_epoch() == 10);
}

TEST_CASE("ReduceLROnPlateau: max mode, abs threshold, cooldown and min_lr", "[optim][scheduler]") {
  Tensor64 p = param();
  optim::SGD64 opt({p}, optim::SGDOptions(1.0));
  optim::ReduceLROnPlateau sched(opt, optim::ReduceLROnPlateauOptions()
                                          .mode(optim::PlateauMode::maximize)
                                          .threshold_mode(optim::ThresholdMode::abs)
                                          .threshold(0.1)
                                          .factor(0.1)
                                          .patience(0)
                                          .cooldown(1)
                                          .min_lr(0.05));
  CHECK(sched.best() == -std::numeric_limits<double>::infinity());
  sched.step(1.0);  // best 1.0
  CHECK(opt.lr() == 1.0);
  sched.step(1.05);  // not above 1.0 + 0.1: bad epoch > patience 0: lr 0.1, cooldown 1
  CHECK(opt.lr() == Approx(0.1));
  sched.step(0.5);  // in cooldown: does not count
  CHECK(opt.lr() == Approx(0.1));
  sched.step(1.2);  // above 1.1: improvement, best 1.2
  CHECK(opt.lr() == Approx(0.1));
  CHECK(sched.best() == 1.2);
  sched.step(1.0);  // bad: lr = max(0.01, min_lr 0.05) = 0.05
  CHECK(opt.lr() == Approx(0.05));
  sched.step(0.0);  // cooldown
  sched.step(0.0);  // bad, but lr already at min_lr: unchanged
  CHECK(opt.lr() == Approx(0.05));
  // A nan metric is never an improvement.
  sched.step(std::numeric_limits<double>::quiet_NaN());
  CHECK(sched.best() == 1.2);
}

TEST_CASE("ReduceLROnPlateau: invalid options throw std::invalid_argument", "[optim][scheduler]") {
  Tensor64 p = param();
  optim::SGD64 opt({p}, optim::SGDOptions(1.0));
  using Opts = optim::ReduceLROnPlateauOptions;
  CHECK_THROWS_WITH(optim::ReduceLROnPlateau(opt, Opts().factor(1.0)), Catch::Contains("factor"));
  CHECK_THROWS_AS(optim::ReduceLROnPlateau(opt, Opts().patience(-1)), std::invalid_argument);
  CHECK_THROWS_AS(optim::ReduceLROnPlateau(opt, Opts().cooldown(-1)), std::invalid_argument);
  CHECK_THROWS_AS(optim::ReduceLROnPlateau(opt, Opts().min_lr(-1)), std::invalid_argument);
}
