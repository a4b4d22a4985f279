// SPDX-License-Identifier: MIT
// Broadcast reduction of gradients (docs/reliability.md, G3): for every broadcasting binary op and
// every pair of PyTorch's OpInfo broadcast samples (A2), in both orders, each input's gradient
// has that input's shape, equals the gradient summed back over the broadcast axes (computed
// here element by element, independently of xgrad), and passes gradcheck. Then the named
// regression cases from other engines' trackers (A7), the tensor-scalar overloads, and the
// losses, which do not broadcast.
#include <functional>
#include <string>
#include <vector>

#include "registry/op_registry.hpp"

namespace {

using xgrad::Shape;
using xgrad::Tensor64;
using xgrad::test::shape_string;
using xgrad::test::registry::apart_broadcast;
using xgrad::test::registry::kA2Pairs;
using Array = xt::xarray<double>;
namespace ref = xgrad::test::ref;

struct BinaryOp {
  std::string name;
  std::function<Tensor64(const Tensor64&, const Tensor64&)> f;
  std::function<double(double, double)> da, db;  // partial derivatives
  xgrad::test::Domain domain_b;
  bool needs_apart = false;  // maximum/minimum: no ties
};

std::vector<BinaryOp> binary_ops() {
  using xgrad::test::kAnyDomain;
  using xgrad::test::kNonZeroDomain;
  return {
      {"add", [](const Tensor64& a, const Tensor64& b) { return xgrad::add(a, b); },
       [](double, double) { return 1.0; }, [](double, double) { return 1.0; }, kAnyDomain},
      {"sub", [](const Tensor64& a, const Tensor64& b) { return xgrad::sub(a, b); },
       [](double, double) { return 1.0; }, [](double, double) { return -1.0; }, kAnyDomain},
      {"mul", [](const Tensor64& a, const Tensor64& b) { return xgrad::mul(a, b); },
       [](double, double b) { return b; }, [](double a, double) { return a; }, kAnyDomain},
      {"div", [](const Tensor64& a, const Tensor64& b) { return xgrad::div(a, b); },
       [](double, double b) { return 1.0 / b; }, [](double a, double b) { return -a / (b * b); },
       kNonZeroDomain},
      {"maximum", [](const Tensor64& a, const Tensor64& b) { return xgrad::maximum(a, b); },
       [](double a, double b) { return a > b ? 1.0 : 0.0; },
       [](double a, double b) { return a > b ? 0.0 : 1.0; }, kAnyDomain, true},
      {"minimum", [](const Tensor64& a, const Tensor64& b) { return xgrad::minimum(a, b); },
       [](double a, double b) { return a < b ? 1.0 : 0.0; },
       [](double a, double b) { return a < b ? 0.0 : 1.0; }, kAnyDomain, true},
  };
}

/// The gradients of a and b for upstream gradient g of the broadcast result: each output
/// element adds g * partial derivative into the input element it was broadcast from.
std::pair<Array, Array> reference_grads(const BinaryOp& op, const Array& a, const Array& b,
                                        const Array& g) {
  Array ga = ref::filled(a.shape(), 0.0), gb = ref::filled(b.shape(), 0.0);
  const auto s = g.shape();
  for (std::size_t k = 0; k < g.size(); ++k) {
    const std::size_t ia = ref::broadcast_source(k, s, a.shape());
    const std::size_t ib = ref::broadcast_source(k, s, b.shape());
    ga.data()[ia] += g.data()[k] * op.da(a.data()[ia], b.data()[ib]);
    gb.data()[ib] += g.data()[k] * op.db(a.data()[ia], b.data()[ib]);
  }
  return {ga, gb};
}

/// Both orders of every A2 pair.
std::vector<std::pair<Shape, Shape>> a2_both_orders() {
  std::vector<std::pair<Shape, Shape>> out;
  for (const auto& p : kA2Pairs) {
    out.emplace_back(p[0], p[1]);
    out.emplace_back(p[1], p[0]);
  }
  return out;
}

}  // namespace

TEST_CASE("broadcast: every binary op reduces gradients to each input's shape on all A2 pairs",
          "[registry][broadcast][gradcheck]") {
  std::size_t cases = 0;
  for (const BinaryOp& op : binary_ops()) {
    for (const auto& [sa, sb] : a2_both_orders()) {
      INFO(op.name << " " << shape_string(sa) << " with " << shape_string(sb));
      xgrad::Generator gen(500 + cases);
      Array a, b;
      int attempts = 0;
      do {  // maximum/minimum: draw again until no pair ties within 0.01
        a = xgrad::test::draw(sa, gen, xgrad::test::kAnyDomain);
        b = xgrad::test::draw(sb, gen, op.domain_b);
        REQUIRE(++attempts < 1000);
      } while (op.needs_apart && !apart_broadcast(a, b, 0.01));
      Tensor64 ta(a, true), tb(b, true);
      const Tensor64 y = op.f(ta, tb);
      REQUIRE(y.shape() == ref::broadcast_shape(sa, sb));
      const Array g = xgrad::test::uniform_array(y.shape(), gen, -1.0, 1.0);
      y.backward(g);
      CHECK(ta.grad().shape() == sa);
      CHECK(tb.grad().shape() == sb);
      const auto [ga, gb] = reference_grads(op, a, b, g);
      CHECK(xgrad::test::all_close(ta.grad(), ga, 1e-12));
      CHECK(xgrad::test::all_close(tb.grad(), gb, 1e-12));

      const auto r =
          xgrad::gradcheck([&op](const std::vector<Tensor64>& in) { return op.f(in[0], in[1]); },
                           {Tensor64(a, true), Tensor64(b, true)});
      INFO(r.report);
      CHECK(r.ok);
      ++cases;
    }
  }
  CHECK(cases == 6 * 22);
}

TEST_CASE("broadcast: tensor-scalar overloads keep the tensor's gradient shape",
          "[registry][broadcast][gradcheck]") {
  using Fn = std::function<Tensor64(const Tensor64&)>;
  struct ScalarOp {
    std::string name;
    Fn f;
    std::function<double(double)> dx;
  };
  const std::vector<ScalarOp> ops = {
      {"x + s", [](const Tensor64& x) { return x + 2.5; }, [](double) { return 1.0; }},
      {"s + x", [](const Tensor64& x) { return 2.5 + x; }, [](double) { return 1.0; }},
      {"x - s", [](const Tensor64& x) { return x - 1.5; }, [](double) { return 1.0; }},
      {"s - x", [](const Tensor64& x) { return 1.5 - x; }, [](double) { return -1.0; }},
      {"x * s", [](const Tensor64& x) { return x * -3.0; }, [](double) { return -3.0; }},
      {"s * x", [](const Tensor64& x) { return -3.0 * x; }, [](double) { return -3.0; }},
      {"x / s", [](const Tensor64& x) { return x / 4.0; }, [](double) { return 0.25; }},
      {"s / x", [](const Tensor64& x) { return 4.0 / x; }, [](double x) { return -4.0 / (x * x); }},
      {"pow(x, 3)", [](const Tensor64& x) { return xgrad::pow(x, 3.0); },
       [](double x) { return 3 * x * x; }},
  };
  std::size_t cases = 0;
  for (const auto& op : ops) {
    for (const Shape& s : {Shape{}, Shape{1}, Shape{2}, Shape{2, 1}, Shape{1, 3, 2}, Shape{3, 1, 2},
                           Shape{2, 3, 2}}) {
      INFO(op.name << " on " << shape_string(s));
      xgrad::Generator gen(700 + cases);
      const Array x = xgrad::test::draw(s, gen, xgrad::test::kNonZeroDomain);
      Tensor64 t(x, true);
      const Tensor64 y = op.f(t);
      REQUIRE(y.shape() == s);
      const Array g = xgrad::test::uniform_array(s, gen, -1.0, 1.0);
      y.backward(g);
      REQUIRE(t.grad().shape() == s);
      for (std::size_t i = 0; i < x.size(); ++i) {
        CHECK(t.grad().data()[i] == Approx(g.data()[i] * op.dx(x.data()[i])).epsilon(1e-12));
      }
      const auto r = xgrad::gradcheck(
          [&op](const std::vector<Tensor64>& in) { return op.f(in[0]); }, {Tensor64(x, true)});
      INFO(r.report);
      CHECK(r.ok);
      ++cases;
    }
  }
  CHECK(cases == 9 * 7);
}

// ---- named regression cases (bugs reported against other engines) ------------------------

namespace {

/// gradcheck of f over fresh leaves holding `values`.
bool gradcheck_ok(const std::function<Tensor64(const std::vector<Tensor64>&)>& f,
                  const std::vector<Array>& values) {
  std::vector<Tensor64> in;
  for (const auto& v : values) in.emplace_back(v, true);
  const auto r = xgrad::gradcheck(f, in);
  UNSCOPED_INFO(r.report);
  return r.ok;
}

Array ones(const Shape& s) { return ref::filled(s, 1.0); }

}  // namespace

TEST_CASE("broadcast regression: 1 times 5x4 (pytorch#1787)", "[registry][broadcast]") {
  xgrad::Generator gen(11);
  const Array a = xgrad::test::make({1.5}, {1});
  const Array b = xgrad::test::uniform_array({5, 4}, gen, -2, 2);
  Tensor64 ta(a, true), tb(b, true);
  const Tensor64 y = ta * tb;
  REQUIRE(y.shape() == Shape{5, 4});
  y.backward(ones({5, 4}));
  REQUIRE(ta.grad().shape() == Shape{1});
  REQUIRE(tb.grad().shape() == Shape{5, 4});
  CHECK(ta.grad()(0) == Approx(ref::sum_all(b)()).epsilon(1e-12));
  CHECK((tb.grad() == ref::filled({5, 4}, 1.5)));
  CHECK(gradcheck_ok([](const auto& in) { return in[0] * in[1]; }, {a, b}));
  CHECK(gradcheck_ok([](const auto& in) { return in[1] * in[0]; }, {a, b}));
}

TEST_CASE("broadcast regression: 4x1 times 1x4 (pytorch#1787)", "[registry][broadcast]") {
  const Array a = xgrad::test::make({1, 2, 3, 4}, {4, 1});
  const Array b = xgrad::test::make({10, 20, 30, 40}, {1, 4});
  Tensor64 ta(a, true), tb(b, true);
  const Tensor64 y = ta * tb;
  REQUIRE(y.shape() == Shape{4, 4});
  y.backward(ones({4, 4}));
  // d/da_i = sum_j b_j = 100; d/db_j = sum_i a_i = 10.
  CHECK((ta.grad() == ref::filled({4, 1}, 100.0)));
  CHECK((tb.grad() == ref::filled({1, 4}, 10.0)));
  CHECK(gradcheck_ok([](const auto& in) { return in[0] * in[1]; }, {a, b}));
}

TEST_CASE("broadcast regression: 3x4 plus 1x4 (nd4j#2424)", "[registry][broadcast]") {
  xgrad::Generator gen(12);
  const Array a = xgrad::test::uniform_array({3, 4}, gen, -2, 2);
  const Array b = xgrad::test::uniform_array({1, 4}, gen, -2, 2);
  Tensor64 ta(a, true), tb(b, true);
  const Array g = xgrad::test::make({1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, {3, 4});
  (ta + tb).backward(g);
  CHECK((ta.grad() == g));
  CHECK((tb.grad() == xgrad::test::make({15, 18, 21, 24}, {1, 4})));  // column sums of g
  CHECK(gradcheck_ok([](const auto& in) { return in[0] + in[1]; }, {a, b}));
  CHECK(gradcheck_ok([](const auto& in) { return in[1] - in[0]; }, {a, b}));
}

TEST_CASE("broadcast regression: scalar times vector (rust-autograd#38)", "[registry][broadcast]") {
  const Array v = xgrad::test::make({1, -2, 3, 0.5, 2}, {5});
  SECTION("0-d tensor times vector in both orders") {
    Tensor64 s = xgrad::scalar(3.0, true);
    Tensor64 tv(v, true);
    const Tensor64 y = s * tv + tv * s;
    REQUIRE(y.shape() == Shape{5});
    y.backward(ones({5}));
    REQUIRE(s.grad().shape() == Shape{});
    CHECK(s.grad()() == Approx(2 * 4.5).epsilon(1e-12));  // 2 * sum(v)
    CHECK((tv.grad() == ref::filled({5}, 6.0)));
    CHECK(gradcheck_ok([](const auto& in) { return in[0] * in[1]; }, {ref::scalar(3.0), v}));
    CHECK(gradcheck_ok([](const auto& in) { return in[1] / in[0]; }, {ref::scalar(3.0), v}));
  }
  SECTION("1-element tensor times vector") {
    Tensor64 s(xgrad::test::make({3.0}, {1}), true);
    Tensor64 tv(v, true);
    xgrad::sum(s * tv).backward();
    REQUIRE(s.grad().shape() == Shape{1});
    CHECK(s.grad()(0) == Approx(4.5).epsilon(1e-12));
  }
  SECTION("C++ scalar times vector") {
    Tensor64 tv(v, true);
    xgrad::sum(2.0 * tv).backward();
    CHECK((tv.grad() == ref::filled({5}, 2.0)));
  }
}

TEST_CASE("broadcast regression: Bx1xTxH times Bx1xTx1 (tt-metal#40008)", "[registry][broadcast]") {
  const std::size_t B = 2, T = 3, H = 4;
  xgrad::Generator gen(13);
  const Array a = xgrad::test::uniform_array({B, 1, T, H}, gen, -2, 2);
  const Array b = xgrad::test::uniform_array({B, 1, T, 1}, gen, -2, 2);
  Tensor64 ta(a, true), tb(b, true);
  (ta * tb).backward(ones({B, 1, T, H}));
  REQUIRE(ta.grad().shape() == Shape{B, 1, T, H});
  REQUIRE(tb.grad().shape() == Shape{B, 1, T, 1});
  for (std::size_t i = 0; i < B * T; ++i) {
    double row = 0;
    for (std::size_t h = 0; h < H; ++h) {
      row += a.data()[i * H + h];
      CHECK(ta.grad().data()[i * H + h] == b.data()[i]);
    }
    CHECK(tb.grad().data()[i] == Approx(row).epsilon(1e-12));
  }
  CHECK(gradcheck_ok([](const auto& in) { return in[0] * in[1]; }, {a, b}));
  CHECK(gradcheck_ok([](const auto& in) { return in[1] * in[0]; }, {a, b}));
}

TEST_CASE("broadcast regression: matmul(x W) plus a bias of shape 1xN or N (burn#181)",
          "[registry][broadcast]") {
  xgrad::Generator gen(14);
  const Array x = xgrad::test::uniform_array({4, 3}, gen, -2, 2);
  const Array w = xgrad::test::uniform_array({3, 5}, gen, -2, 2);
  for (const Shape& bs : {Shape{1, 5}, Shape{5}}) {
    INFO("bias " << shape_string(bs));
    const Array b = xgrad::test::uniform_array(bs, gen, -2, 2);
    Tensor64 tx(x, true), tw(w, true), tb(b, true);
    const Tensor64 y = xgrad::matmul(tx, tw) + tb;
    REQUIRE(y.shape() == Shape{4, 5});
    y.backward(ones({4, 5}));
    CHECK((tb.grad() == ref::filled(bs, 4.0)));  // one per row of the batch
    CHECK(tw.grad().shape() == Shape{3, 5});
    CHECK(tx.grad().shape() == Shape{4, 3});
    CHECK(gradcheck_ok(
        [](const auto& in) { return xgrad::sigmoid(xgrad::matmul(in[0], in[1]) + in[2]); },
        {x, w, b}));
    CHECK(gradcheck_ok([](const auto& in) { return in[2] + xgrad::matmul(in[0], in[1]); },
                       {x, w, b}));
  }
}

TEST_CASE("broadcast: the tensor-tensor losses reject every A2 pair instead of broadcasting",
          "[registry][broadcast]") {
  // PyTorch: mse_loss/l1 broadcast with a UserWarning ("will likely lead to incorrect results"),
  // binary_cross_entropy(_with_logits) raise ValueError. xgrad's losses require equal shapes
  // (ops/loss.hpp), so every differing pair must throw, in either order.
  using Loss = std::function<Tensor64(const Tensor64&, const Tensor64&)>;
  const std::vector<std::pair<std::string, Loss>> losses = {
      {"sse_loss", [](const Tensor64& p, const Tensor64& t) { return xgrad::sse_loss(p, t); }},
      {"mse_loss", [](const Tensor64& p, const Tensor64& t) { return xgrad::mse_loss(p, t); }},
      {"binary_cross_entropy",
       [](const Tensor64& p, const Tensor64& t) { return xgrad::binary_cross_entropy(p, t); }},
      {"binary_cross_entropy_with_logits",
       [](const Tensor64& p, const Tensor64& t) {
         return xgrad::binary_cross_entropy_with_logits(p, t);
       }},
  };
  std::size_t cases = 0;
  for (const auto& [name, loss] : losses) {
    for (const auto& [sa, sb] : a2_both_orders()) {
      INFO(name << " " << shape_string(sa) << " with " << shape_string(sb));
      const Tensor64 p(ref::filled(sa, 0.5), true), t(ref::filled(sb, 0.5));
      CHECK_THROWS_AS(loss(p, t), std::invalid_argument);
      ++cases;
    }
  }
  CHECK(cases == 4 * 22);
}
