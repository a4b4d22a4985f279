// SPDX-License-Identifier: MIT
// docs/reliability.md E1-E5, E7: engine semantics and errors, filling the gaps left by
// tests/test_autograd.cpp (which has the basic E1/E2/E3/E4/E5 cases).
#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>

#include "support/helpers.hpp"

using namespace xgrad;
using test::make;

// ---- E1 / E2 ------------------------------------------------------------------------------

TEST_CASE("engine: retain_graph twice gives exactly 2x even with shared intermediates",
          "[reliability][engine]") {
  // micrograd PR #102: intermediate gradients that persist between calls make the second
  // backward add 2x instead of 1x (3x in total). h is used twice, so its buffer is summed.
  Tensor64 a(make({1.5, -0.5}, {2}), true);
  Tensor64 h = a * 3.0;
  Tensor64 k = h * h;
  Tensor64 y = sum(k + h * exp(h));
  y.backward(true);
  const xt::xarray<double> g1 = a.grad();
  y.backward(true);
  CHECK((a.grad() == 2.0 * g1));
  y.backward();
  CHECK((a.grad() == 3.0 * g1));
  CHECK_THROWS_WITH(y.backward(), Catch::Contains("retain_graph"));
  // d/da = 3 (2h + e^h + h e^h) at h = 3a
  for (std::size_t i = 0; i < 2; ++i) {
    const double hv = 3 * a.value()(i);
    CHECK(g1(i) == Approx(3 * (2 * hv + std::exp(hv) + hv * std::exp(hv))).epsilon(1e-14));
  }
}

TEST_CASE("engine: b=a+a then c=b+b gives 4 and x*xa+x*xa+x*x*a gives 6", "[reliability][engine]") {
  Tensor64 a(make({1.0}, {}), true);
  Tensor64 b = a + a;
  Tensor64 c = b + b;
  c.backward();
  CHECK(a.grad()() == 4.0);

  // cTensor#5 with xa = x*a a shared node: y = 3 x^2 a, dy/dx = 6 x a = 6 at x = a = 1
  Tensor64 x(make({1.0}, {}), true);
  Tensor64 aa(make({1.0}, {}), true);
  Tensor64 xa = x * aa;
  Tensor64 y = x * xa + x * xa + x * x * aa;
  y.backward();
  CHECK(x.grad()() == 6.0);
  CHECK(aa.grad()() == 3.0);  // dy/da = 3 x^2
}

TEST_CASE("engine: intermediate gradient buffers are per call", "[reliability][engine]") {
  // Two roots sharing an intermediate h: the second backward must not see h's gradient from
  // the first one (each walk starts from zero at every non-leaf).
  Tensor64 a(make({2.0}, {}), true);
  Tensor64 h = a * a;  // dh/da = 2a = 4
  Tensor64 r1 = h * 3.0;
  Tensor64 r2 = h * 5.0;
  r1.backward(true);
  CHECK(a.grad()() == 12.0);
  r2.backward(true);
  CHECK(a.grad()() == 12.0 + 20.0);
  CHECK_FALSE(h.has_grad());  // non-leaf: no gradient kept (PyTorch's retain_grad off)
  a.zero_grad();
  r2.backward();
  CHECK(a.grad()() == 20.0);
}

TEST_CASE("engine: a 2-step loop without zero_grad doubles the module's gradients",
          "[reliability][engine]") {
  Generator gen(3);
  nn::Linear64 fc(3, 2, gen);
  Tensor64 x(test::uniform_array({4, 3}, gen, -1, 1));
  auto step = [&] { sum(fc.forward(x) * fc.forward(x)).backward(); };
  step();
  const xt::xarray<double> gw = fc.weight().grad(), gb = fc.bias().grad();
  step();  // no zero_grad: exactly 2x (the same forward, so the same numbers are added)
  CHECK((fc.weight().grad() == 2.0 * gw));
  CHECK((fc.bias().grad() == 2.0 * gb));
  fc.zero_grad();
  CHECK_FALSE(fc.weight().has_grad());
  step();
  CHECK((fc.weight().grad() == gw));
  optim::SGD64 opt(fc.parameters(), optim::SGDOptions(0.1));
  opt.zero_grad();
  CHECK_FALSE(fc.weight().has_grad());
  CHECK_FALSE(fc.bias().has_grad());
}

// ---- E3 -----------------------------------------------------------------------------------

TEST_CASE("engine: optimizer.step() between forward and backward throws", "[reliability][engine]") {
  // loss saves the parameter itself (mul saves both inputs): the step bumps its version
  Tensor64 w(make({0.5, -1.0}, {2}), true);
  Tensor64 x(make({2.0, 3.0}, {2}));
  optim::SGD64 opt({w}, optim::SGDOptions(0.1));
  sum(w * x).backward();  // a gradient for the first step
  Tensor64 loss = sum(w * x * w);
  opt.step();  // w changed in place after the forward pass
  CHECK_THROWS_AS(loss.backward(), std::runtime_error);
  CHECK_THROWS_WITH(loss.backward(), Catch::Contains("mul backward") &&
                                         Catch::Contains("modified by an inplace operation") &&
                                         Catch::Contains("version 1; expected version 0"));

  // Adam too, and a second step makes the version 2
  Tensor64 v(make({0.5, -1.0}, {2}), true);
  optim::Adam64 adam({v}, optim::AdamOptions(0.01));
  sum(v * v).backward();
  Tensor64 l2 = sum(sigmoid(v) * v);
  adam.step();
  adam.step();
  CHECK_THROWS_WITH(l2.backward(), Catch::Contains("version 2; expected version 0"));
}

TEST_CASE("engine: a step between forward and backward of a Linear is never silently wrong",
          "[reliability][engine]") {
  // Linear is one fused op (xgrad::linear) that reads the weight parameter itself in backward,
  // under the version check (the weight is at version 1 after init): an optimizer step in
  // between makes backward throw (as PyTorch
  // does), and backward through a fresh forward after the step is right again.
  Generator gen(9);
  nn::Linear64 fc(3, 2, gen);
  Tensor64 x(test::uniform_array({4, 3}, gen, -1, 1), true);
  const xt::xarray<double> w0 = fc.weight().value();
  auto loss_of = [&] { return sum(tanh(fc.forward(x))); };
  sum(fc.forward(x)).backward();  // some gradient to step with
  Tensor64 loss = loss_of();
  optim::SGD64 opt(fc.parameters(), optim::SGDOptions(0.5));
  opt.step();
  REQUIRE_FALSE((fc.weight().value() == w0));
  fc.zero_grad();
  x.zero_grad();
  CHECK_THROWS_WITH(loss.backward(), Catch::Contains("linear backward") &&
                                         Catch::Contains("modified by an inplace operation") &&
                                         Catch::Contains("version 2; expected version 1"));
  fc.zero_grad();
  x.zero_grad();
  loss_of().backward();  // a new forward records the new version
  CHECK(fc.weight().has_grad());
}

// ---- E4 -----------------------------------------------------------------------------------

TEST_CASE("engine: API misuse gives typed errors", "[reliability][engine]") {
  Tensor64 w(make({1, 2, 3, 4, 5, 6}, {2, 3}), true);
  Tensor64 y = w * 2.0;
  // non-scalar without a seed
  CHECK_THROWS_AS(y.backward(), std::invalid_argument);
  // wrong-shape seeds: transposed, too few, rank 0, broadcastable (1,3) still rejected
  for (const Shape& s : {Shape{3, 2}, Shape{6}, Shape{}, Shape{1, 3}, Shape{2, 3, 1}}) {
    INFO("seed rank " << s.size());
    CHECK_THROWS_AS(y.backward(xt::xarray<double>(xt::ones<double>(s))), std::invalid_argument);
  }
  CHECK_THROWS_WITH(y.backward(xt::xarray<double>(xt::ones<double>({3, 2}))),
                    Catch::Contains("(3,2)") && Catch::Contains("(2,3)"));
  CHECK_FALSE(w.has_grad());  // nothing was accumulated by the failed calls
  y.backward(xt::xarray<double>(xt::ones<double>({2, 3})));
  CHECK((w.grad() == xt::xarray<double>(2.0 * xt::ones<double>({2, 3}))));
  // a tensor that does not require grad
  Tensor64 c(make({1.0}, {}));
  CHECK_THROWS_AS(c.backward(), std::logic_error);
  CHECK_THROWS_AS((c * 3.0).backward(), std::logic_error);
  // grad() before any backward, and undefined handles
  CHECK_THROWS_AS(c.grad(), std::logic_error);
  Tensor64 undefined;
  CHECK_THROWS_AS(undefined.backward(), std::logic_error);
  CHECK_THROWS_AS(undefined + c, std::logic_error);
  // float: the same rules
  Tensor f(xt::xarray<float>{1.f, 2.f}, true);
  CHECK_THROWS_AS((f * 2.f).backward(), std::invalid_argument);
  CHECK_THROWS_AS((f * 2.f).backward(xt::xarray<float>{1.f}), std::invalid_argument);
}

TEST_CASE("engine: an input the loss does not use gets no gradient", "[reliability][engine]") {
  Tensor64 a(make({1.0, 2.0}, {2}), true), unused(make({3.0}, {1}), true);
  Tensor64 dead = unused * 2.0;  // in a graph, but not in the loss's
  sum(a * a).backward();
  CHECK_FALSE(unused.has_grad());
  CHECK_THROWS_AS(unused.grad(), std::logic_error);
  // a branch whose gradient is zero is still reached: zeros, not "no gradient"
  Tensor64 z(make({1.0}, {1}), true);
  sum(a * a + z * 0.0).backward();
  CHECK(z.has_grad());
  CHECK(z.grad()(0) == 0.0);
}

// ---- E5 -----------------------------------------------------------------------------------

TEST_CASE("engine: NoGradGuard nests and restores on exceptions", "[reliability][engine]") {
  Tensor64 a(make({1.0}, {}), true);
  auto throwing_forward = [&] {
    NoGradGuard outer;
    {
      NoGradGuard inner;
      auto t = a * 2.0;
      CHECK(t.is_leaf());
      CHECK(t.node()->num_inputs() == 0);  // no edge: nothing recorded
    }
    CHECK_FALSE(is_grad_enabled());  // inner restored the outer's "off"
    (void)(a + Tensor64(make({1, 2}, {2})) + Tensor64(make({1, 2, 3}, {3})));  // shape error
  };
  CHECK_THROWS_AS(throwing_forward(), std::invalid_argument);
  CHECK(is_grad_enabled());
  auto b = a * 2.0;
  CHECK_FALSE(b.is_leaf());
  CHECK(b.node()->num_inputs() == 1);
  // a guard around a failing backward in a user loop (a non-scalar without a seed): restored
  bool off_inside = true;
  auto throwing_backward = [&] {
    NoGradGuard g;
    off_inside = !is_grad_enabled();
    Tensor64(make({1, 2}, {2})).backward();
  };
  CHECK_THROWS_AS(throwing_backward(), std::invalid_argument);
  CHECK(off_inside);
  CHECK(is_grad_enabled());
}

TEST_CASE("engine: no_grad in one thread does not affect another running concurrently",
          "[reliability][engine]") {
  std::mutex m;
  std::condition_variable cv;
  int phase = 0;  // 1: A is inside its guard; 2: B has finished
  bool b_enabled = false, b_recorded = false, a_enabled = true, a_recorded = true;
  std::thread ta([&] {
    NoGradGuard guard;
    Tensor64 x(make({1.0}, {}), true);
    auto y = x * 2.0;
    {
      std::unique_lock<std::mutex> lk(m);
      phase = 1;
      cv.notify_all();
      cv.wait(lk, [&] { return phase == 2; });
    }
    // B ran with grad enabled while A's guard was alive; A's mode is still off
    a_enabled = is_grad_enabled();
    a_recorded = !(x * 3.0).is_leaf() || !y.is_leaf();
  });
  std::thread tb([&] {
    {
      std::unique_lock<std::mutex> lk(m);
      cv.wait(lk, [&] { return phase == 1; });
    }
    b_enabled = is_grad_enabled();
    Tensor64 x(make({2.0}, {}), true);
    auto y = x * x;
    b_recorded = !y.is_leaf();
    y.backward();
    b_recorded = b_recorded && x.grad()() == 4.0;
    {
      std::lock_guard<std::mutex> lk(m);
      phase = 2;
    }
    cv.notify_all();
  });
  ta.join();
  tb.join();
  CHECK(b_enabled);
  CHECK(b_recorded);
  CHECK_FALSE(a_enabled);
  CHECK_FALSE(a_recorded);
  CHECK(is_grad_enabled());  // the main thread was never affected
}

// ---- E7 -----------------------------------------------------------------------------------

namespace {
/// The message starts with "<op>:" and names both shapes (a Catch2 v2 matcher; combined
/// matchers hold pointers to their parts, so a helper cannot return a combination).
class NamesOpAndShapes : public Catch::MatcherBase<std::string> {
 public:
  NamesOpAndShapes(std::string op, std::string s1, std::string s2)
      : op_(std::move(op)), s1_(std::move(s1)), s2_(std::move(s2)) {}
  bool match(const std::string& msg) const override {
    return msg.rfind(op_ + ":", 0) == 0 && msg.find(s1_) != std::string::npos &&
           msg.find(s2_) != std::string::npos;
  }
  std::string describe() const override {
    return "starts with \"" + op_ + ":\" and names " + s1_ + " and " + s2_;
  }

 private:
  std::string op_, s1_, s2_;
};
NamesOpAndShapes both(std::string op, std::string s1, std::string s2) {
  return {std::move(op), std::move(s1), std::move(s2)};
}
}  // namespace

TEST_CASE("engine: every op with an incompatible shape pair names the op and both shapes",
          "[reliability][engine][shapes]") {
  Tensor64 a23(xt::xarray<double>(xt::ones<double>({2, 3})));
  Tensor64 a24(xt::xarray<double>(xt::ones<double>({2, 4})));
  Tensor64 a32(xt::xarray<double>(xt::ones<double>({3, 2})));
  Tensor64 a43(xt::xarray<double>(xt::ones<double>({4, 3})));
  Tensor64 v2(xt::xarray<double>(xt::ones<double>({2})));
  // broadcasting binary ops: (2,3) against (2,)
  CHECK_THROWS_WITH(add(a23, v2), both("add", "(2,3)", "(2,)"));
  CHECK_THROWS_WITH(sub(a23, v2), both("sub", "(2,3)", "(2,)"));
  CHECK_THROWS_WITH(mul(a23, v2), both("mul", "(2,3)", "(2,)"));
  CHECK_THROWS_WITH(div(a23, v2), both("div", "(2,3)", "(2,)"));
  CHECK_THROWS_WITH(maximum(a23, a24), both("maximum", "(2,3)", "(2,4)"));
  CHECK_THROWS_WITH(minimum(a24, a23), both("minimum", "(2,4)", "(2,3)"));
  // matmul names the inner sizes
  CHECK_THROWS_WITH(matmul(a23, a23),
                    both("matmul", "(2,3)", "(2,3)") && Catch::Contains("inner sizes 3 and 2"));
  CHECK_THROWS_WITH(matmul(a43, a43), Catch::Contains("inner sizes 3 and 4"));
  // losses: prediction and target shapes
  CHECK_THROWS_WITH(mse_loss(a23, a32), both("mse_loss", "(2,3)", "(3,2)"));
  CHECK_THROWS_WITH(sse_loss(a23, a32), both("sse_loss", "(2,3)", "(3,2)"));
  Tensor64 p23(xt::xarray<double>(0.5 * xt::ones<double>({2, 3})));
  CHECK_THROWS_WITH(binary_cross_entropy(p23, a32), both("binary_cross_entropy", "(2,3)", "(3,2)"));
  CHECK_THROWS_WITH(binary_cross_entropy_with_logits(a23, a32),
                    both("binary_cross_entropy_with_logits", "(2,3)", "(3,2)"));
  CHECK_THROWS_WITH(cross_entropy(a23, {0, 1, 2}), both("cross_entropy", "3", "(2,3)"));
  CHECK_THROWS_WITH(nll_loss(a23, {0}), both("nll_loss", "1", "(2,3)"));
  // shape ops
  CHECK_THROWS_WITH(reshape(a23, {4, 2}), both("reshape", "(2,3)", "(4,2)"));
  CHECK_THROWS_WITH(transpose(Tensor64(xt::xarray<double>(xt::ones<double>({2, 3, 1})))),
                    both("transpose", "(2,3,1)", "2-D"));
  CHECK_THROWS_WITH(concat({a23, a24}, 0), both("concat", "(2,3)", "(2,4)"));
  // module: Linear names its in_features and the input shape
  Generator gen(1);
  nn::Linear64 fc(3, 5, gen);
  CHECK_THROWS_WITH(fc.forward(a24), Catch::StartsWith("Linear:") && Catch::Contains("(2,4)") &&
                                         Catch::Contains("in_features=3"));
  // backward's seed
  Tensor64 g(xt::xarray<double>(xt::ones<double>({2, 3})), true);
  CHECK_THROWS_WITH((g * 2.0).backward(xt::xarray<double>(xt::ones<double>({3, 2}))),
                    both("backward", "(3,2)", "(2,3)"));
  // all of them are std::invalid_argument (typed), none aborts
  CHECK_THROWS_AS(add(a23, v2), std::invalid_argument);
  CHECK_THROWS_AS(matmul(a23, a23), std::invalid_argument);
  CHECK_THROWS_AS(mse_loss(a23, a32), std::invalid_argument);
  CHECK_THROWS_AS(reshape(a23, {4, 2}), std::invalid_argument);
  CHECK_THROWS_AS(concat({a23, a24}, 0), std::invalid_argument);
  CHECK_THROWS_AS(fc.forward(a24), std::invalid_argument);
}

TEST_CASE("engine: shape errors are thrown before anything is recorded",
          "[reliability][engine][shapes]") {
  Tensor64 a(xt::xarray<double>(xt::ones<double>({2, 3})), true);
  Tensor64 b(xt::xarray<double>(xt::ones<double>({4})), true);
  const long before = a.node().use_count();
  CHECK_THROWS(a + b);
  CHECK_THROWS(matmul(a, a));
  CHECK_THROWS(mse_loss(a, b));
  CHECK(a.node().use_count() == before);  // no half-built node holds an edge to a
  CHECK_FALSE(a.has_grad());
}
