// SPDX-License-Identifier: MIT
// Engine semantics, as PyTorch users expect them.
#include <chrono>
#include <thread>

#include "support/helpers.hpp"

using namespace xgrad;

TEST_CASE("autograd: a node used twice gets the sum of both contributions", "[autograd]") {
  Tensor64 a(test::make({3.0}, {}), true);
  Tensor64 b = a + a;
  Tensor64 c = b + b;  // c = 4a (micrograd PR #64)
  c.backward();
  CHECK(a.grad()() == 4.0);

  Tensor64 x(test::make({2.0}, {}), true);
  Tensor64 xa(test::make({5.0}, {}), false);
  // x*xa + x*xa + x*x*a with a = xa: d/dx = 2 xa + 2 x xa at x=2, xa=5 -> 30 (cTensor#5)
  Tensor64 y = x * xa + x * xa + x * x * xa;
  y.backward();
  CHECK(x.grad()() == 30.0);
  CHECK_FALSE(xa.has_grad());  // a leaf that does not require grad gets none
}

TEST_CASE("autograd: gradients accumulate until zero_grad", "[autograd]") {
  Tensor64 w(test::make({1.0, 2.0}, {2}), true);
  auto step = [&] { sum(w * w).backward(); };
  step();
  CHECK(w.grad() == test::make({2, 4}, {2}));
  step();  // no zero_grad: the gradient doubles
  CHECK(w.grad() == test::make({4, 8}, {2}));
  w.zero_grad();
  CHECK_FALSE(w.has_grad());
  step();
  CHECK(w.grad() == test::make({2, 4}, {2}));
}

TEST_CASE("autograd: backward needs a seed for non-scalars", "[autograd]") {
  Tensor64 w(test::make({1.0, 2.0}, {2}), true);
  Tensor64 y = w * 3.0;
  CHECK_THROWS_AS(y.backward(), std::invalid_argument);
  CHECK_THROWS_WITH(y.backward(), Catch::Contains("shape (2,)"));
  CHECK_THROWS_WITH(y.backward(test::make({1, 1, 1}, {3})),
                    Catch::Contains("seed of shape (3,) does not match the tensor's shape (2,)"));
  y.backward(test::make({1.0, -1.0}, {2}));
  CHECK(w.grad() == test::make({3, -3}, {2}));
}

TEST_CASE("autograd: backward on a tensor without graph throws", "[autograd]") {
  Tensor64 a(test::make({1.0}, {}), false);
  auto b = a * 2.0;
  CHECK_FALSE(b.requires_grad());
  CHECK(b.is_leaf());  // no graph recorded: no input requires grad
  CHECK_THROWS_WITH(b.backward(), Catch::Contains("does not require grad"));
}

TEST_CASE("autograd: an unused input gets no gradient", "[autograd]") {
  Tensor64 a(test::make({1.0}, {}), true), unused(test::make({1.0}, {}), true);
  (a * 2.0).backward();
  CHECK(a.grad()() == 2.0);
  CHECK_FALSE(unused.has_grad());
}

TEST_CASE("autograd: NoGradGuard records nothing and restores the mode", "[autograd]") {
  Tensor64 a(test::make({1.0}, {}), true);
  CHECK(is_grad_enabled());
  {
    NoGradGuard guard;
    CHECK_FALSE(is_grad_enabled());
    auto b = a * 2.0;
    CHECK_FALSE(b.requires_grad());
    CHECK(b.is_leaf());
    CHECK(b.item() == 2.0);
  }
  CHECK(is_grad_enabled());
  try {
    NoGradGuard guard;
    throw std::runtime_error("boom");
  } catch (const std::runtime_error&) {
  }
  CHECK(is_grad_enabled());  // restored on exceptional exit too
  bool other_thread_enabled = false;
  {
    NoGradGuard guard;
    std::thread t([&] { other_thread_enabled = is_grad_enabled(); });
    t.join();
  }
  CHECK(other_thread_enabled);  // thread_local: no_grad here does not affect another thread
}

TEST_CASE("autograd: backward twice needs retain_graph", "[autograd]") {
  Tensor64 a(test::make({2.0}, {}), true);
  auto y = exp(a) * a;
  y.backward(/*retain_graph=*/true);
  const double g = a.grad()();
  CHECK(g == Approx(std::exp(2.0) * 3.0));
  y.backward();  // retained: accumulates exactly twice
  CHECK(a.grad()() == 2 * g);
  CHECK_THROWS_WITH(y.backward(), Catch::Contains("retain_graph"));
  // Part of the graph freed by another backward is detected too.
  Tensor64 h = a * 3.0;
  auto l1 = exp(h), l2 = sigmoid(h);
  l1.backward();
  (void)l2;
  Tensor64 both = l2 + l1;
  CHECK_THROWS_WITH(both.backward(), Catch::Contains("retain_graph"));
}

TEST_CASE("autograd: modifying a saved value in place makes backward throw", "[autograd]") {
  Tensor64 w(test::make({1.0, 2.0}, {2}), true);
  Tensor64 x(test::make({3.0, 4.0}, {2}), false);
  auto loss = sum(w * x);       // mul saves w (for x's gradient) and x (for w's gradient)
  x.mutable_value()(0) = 10.0;  // in-place change after the forward pass
  CHECK_THROWS_WITH(loss.backward(), Catch::Contains("mul backward") &&
                                         Catch::Contains("modified by an inplace operation") &&
                                         Catch::Contains("version 1; expected version 0"));
  // An op that saves nothing is not affected.
  Tensor64 v(test::make({1.0}, {}), true);
  auto s = v + 1.0;
  v.mutable_value()() = 5.0;
  s.backward();
  CHECK(v.grad()() == 1.0);
  // Its own output modified in place (sigmoid saves its output).
  Tensor64 z(test::make({0.5}, {}), true);
  auto sz = sigmoid(z);
  sz.mutable_value()() = 0.0;
  CHECK_THROWS_WITH(sz.backward(), Catch::Contains("sigmoid backward"));
}

TEST_CASE("autograd: detach and requires_grad_", "[autograd]") {
  Tensor64 a(test::make({2.0}, {}), true);
  auto d = (a * a).detach();
  CHECK(d.is_leaf());
  CHECK_FALSE(d.requires_grad());
  CHECK(d.item() == 4.0);
  auto y = d * a;
  y.backward();
  CHECK(a.grad()() == 4.0);  // d is a constant
  CHECK_THROWS_WITH((a * 2.0).requires_grad_(false), Catch::Contains("leaf"));
  Tensor64 b(test::make({1.0}, {}));
  b.requires_grad_();
  CHECK(b.requires_grad());
}

TEST_CASE("autograd: gradient shape mismatch never resizes silently", "[autograd]") {
  auto node = std::make_shared<Node<double>>(xt::xarray<double>::from_shape({3}), true);
  CHECK_THROWS_WITH(node->accumulate_grad(xt::xarray<double>::from_shape({2, 3})),
                    Catch::Contains("(2,3)") && Catch::Contains("(3,)"));
  CHECK_FALSE(node->has_grad());
}

namespace {
/// y = y + y * 1e-6, N times: forward, backward, destruction, all without recursion.
double deep_chain(std::size_t n) {
  Tensor64 x(test::make({1.0}, {}), true);
  Tensor64 y = x;
  for (std::size_t i = 0; i < n; ++i) y = y + y * 1e-6;
  y.backward();
  return x.grad()();
}
}  // namespace

TEST_CASE("autograd: a chain of 1,000,000 steps runs, backpropagates and is freed",
          "[autograd][deep]") {
  const std::size_t n = 1000000;  // two ops per step: 2,000,000 nodes
  const auto start = std::chrono::steady_clock::now();
  const double g = deep_chain(n);
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  WARN("1,000,000-step (2,000,000-op) chain (forward + backward + teardown): " << ms << " ms");
  CHECK(g == Approx(std::pow(1.0 + 1e-6, static_cast<double>(n))).epsilon(1e-9));
}

TEST_CASE("autograd: the 1e6-step chain also works in a std::thread", "[autograd][deep]") {
  // A thread's stack can be smaller than the main thread's (and is never grown on demand),
  // so recursion would fail here first.
  const std::size_t n = 1000000;
  double g = 0;
  std::thread t([&] { g = deep_chain(n); });
  t.join();
  CHECK(g == Approx(std::pow(1.0 + 1e-6, static_cast<double>(n))).epsilon(1e-9));
}

TEST_CASE("autograd: a deep graph kept alive with retain_graph is freed iteratively",
          "[autograd][deep]") {
  Tensor64 x(test::make({1.0}, {}), true);
  {
    Tensor64 y = x;
    for (int i = 0; i < 300000; ++i) y = y * 1.0;
    y.backward(/*retain_graph=*/true);
    CHECK(x.grad()() == 1.0);
  }  // the whole chain is destroyed here, with its edges intact
  CHECK(x.node().use_count() == 1);
}
