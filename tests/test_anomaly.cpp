// SPDX-License-Identifier: MIT
// Anomaly mode (docs/reliability.md, E6): off by default; when on, the first NaN or Inf a backward
// produces throws AnomalyError naming the forward op that created the node.
#include <cmath>
#include <limits>
#include <string>
#include <thread>

#include "support/helpers.hpp"

using namespace xgrad;

namespace {
// sqrt(x) at x = 0 has the infinite derivative 1 / (2 sqrt(0)): the gradient of x becomes Inf.
Tensor64 sqrt_at_zero_loss(const Tensor64& x) { return sum(sqrt(x) * 3.0); }
}  // namespace

TEST_CASE("anomaly: off by default, a non-finite gradient is returned as IEEE says", "[anomaly]") {
  CHECK_FALSE(is_anomaly_enabled());
  Tensor64 x(test::make({0.0, 4.0}, {2}), true);
  sqrt_at_zero_loss(x).backward();
  CHECK(std::isinf(x.grad()(0)));
  CHECK(x.grad()(1) == 0.75);
}

TEST_CASE("anomaly: a guard makes backward throw naming the op input and element", "[anomaly]") {
  Tensor64 x(test::make({4.0, 0.0}, {2}), true);
  auto loss = sqrt_at_zero_loss(x);
  AnomalyGuard guard;
  CHECK(is_anomaly_enabled());
  try {
    loss.backward();
    FAIL("backward did not throw");
  } catch (const AnomalyError& e) {
    const std::string msg = e.what();
    INFO(msg);
    CHECK(msg.find("'sqrt'") != std::string::npos);
    CHECK(msg.find("Inf") != std::string::npos);
    CHECK(msg.find("input 0") != std::string::npos);
    CHECK(msg.find("(2,)") != std::string::npos);
    CHECK(msg.find("element 1") != std::string::npos);
  }
  CHECK_FALSE(x.has_grad());  // nothing non-finite reached the leaf
}

TEST_CASE("anomaly: NaN from a backward is named too", "[anomaly]") {
  // log(x) at x = 0 gives -inf forward; its gradient 1/x = inf times an upstream 0 is NaN.
  Tensor64 x(test::make({0.0, 1.0}, {2}), true);
  Tensor64 y = log(x) * 0.0;
  AnomalyGuard guard;
  try {
    sum(y).backward();
    FAIL("backward did not throw");
  } catch (const AnomalyError& e) {
    const std::string msg = e.what();
    INFO(msg);
    CHECK(msg.find("'log'") != std::string::npos);
    CHECK(msg.find("NaN") != std::string::npos);
  }
}

TEST_CASE("anomaly: finite gradients are identical with and without the guard", "[anomaly]") {
  Generator gen(7);
  Tensor64 w(test::uniform_array({3, 4}, gen, -1, 1), true);
  Tensor64 x(test::uniform_array({5, 3}, gen, -1, 1));
  auto run = [&] {
    w.zero_grad();
    sum(tanh(matmul(x, w)) * 2.0).backward();
    return w.grad();
  };
  const xt::xarray<double> plain = run();
  AnomalyGuard guard;
  CHECK((run() == plain));
}

TEST_CASE("anomaly: the guard restores the mode and is per thread", "[anomaly]") {
  {
    AnomalyGuard outer;
    {
      AnomalyGuard inner;
      CHECK(is_anomaly_enabled());
    }
    CHECK(is_anomaly_enabled());  // restored to the outer guard's mode, not switched off
    bool other_thread = true;
    std::thread([&] { other_thread = is_anomaly_enabled(); }).join();
    CHECK_FALSE(other_thread);
  }
  CHECK_FALSE(is_anomaly_enabled());
  try {
    AnomalyGuard guard;
    throw std::runtime_error("leave the scope by an exception");
  } catch (const std::runtime_error&) {
  }
  CHECK_FALSE(is_anomaly_enabled());
  set_anomaly_enabled(true);
  CHECK(is_anomaly_enabled());
  set_anomaly_enabled(false);
  CHECK_FALSE(is_anomaly_enabled());
}
