// SPDX-License-Identifier: MIT
// Forward values against hand-computed numbers, hand-computed gradients at the interesting
// points (ties, edges, saturation), shape errors and numerical stability for the activation,
// softmax, min/max, indexing and classification-loss ops.
#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "support/helpers.hpp"

using namespace xgrad;
using test::make;

namespace {

const double kInf = std::numeric_limits<double>::infinity();

/// Backpropagates sum(w * y) for a fixed weight array w (a non-uniform upstream gradient).
void backward_weighted(const Tensor64& y, const xt::xarray<double>& w) { y.backward(w); }

bool all_finite(const xt::xarray<double>& a) {
  for (double v : a) {
    if (!std::isfinite(v)) return false;
  }
  return true;
}

}  // namespace

// ---- softmax family -----------------------------------------------------------------------

TEST_CASE("softmax: values along each axis, and its gradient", "[ops][softmax]") {
  const double l3 = std::log(3.0);
  Tensor64 x(make({0, l3, 0, 0}, {2, 2}), true);
  auto y = softmax(x, 1);
  CHECK(test::all_close(y.value(), make({0.25, 0.75, 0.5, 0.5}, {2, 2}), 1e-15));
  CHECK(test::all_close(softmax(x, -1).value(), y.value(), 0));
  // along axis 0: columns (0,0) and (ln 3, 0)
  CHECK(test::all_close(softmax(x, 0).value(), make({0.5, 0.75, 0.5, 0.25}, {2, 2}), 1e-15));
  // dx = y (w - sum(w y)): row 0 with w = (1, 0): 0.25 * 0.75 and 0.75 * (-0.25); row 1 with
  // w = (0, 0) gets nothing.
  backward_weighted(y, make({1, 0, 0, 0}, {2, 2}));
  CHECK(test::all_close(x.grad(), make({0.1875, -0.1875, 0, 0}, {2, 2}), 1e-15));
}

TEST_CASE("log_softmax and logsumexp: values", "[ops][softmax]") {
  Tensor64 x(make({0, 0, 0, 0, 0, std::log(2.0), std::log(5.0), 0}, {2, 4}));
  auto ls = log_softmax(x, 1);
  const double l4 = std::log(4.0), l9 = std::log(9.0);
  CHECK(test::all_close(
      ls.value(),
      make({-l4, -l4, -l4, -l4, -l9, std::log(2.0) - l9, std::log(5.0) - l9, -l9}, {2, 4}), 1e-15));
  auto lse = logsumexp(x, 1);
  CHECK(lse.shape() == Shape{2});
  CHECK(test::all_close(lse.value(), make({l4, l9}, {2}), 1e-15));
  CHECK(logsumexp(x, -1, true).shape() == Shape{2, 1});
  CHECK(test::all_close(logsumexp(x, 0).value(),
                        make({std::log(2.0), std::log(3.0), std::log(6.0), std::log(2.0)}, {4}),
                        1e-15));
}

TEST_CASE("softmax family: stable on logits around 1e3, in double and float",
          "[ops][softmax][numerics]") {
  // Reference by hand: shifting by the maximum (1002) leaves exponents -2, -1, 0.
  const double z = std::exp(-2.0) + std::exp(-1.0) + 1.0;
  Tensor64 x(make({1000, 1001, 1002, -1000, -1001, -1002}, {2, 3}));
  const auto sm = softmax(x, 1).value();
  CHECK(all_finite(sm));
  CHECK(test::all_close(sm,
                        make({std::exp(-2.0) / z, std::exp(-1.0) / z, 1 / z, 1 / z,
                              std::exp(-1.0) / z, std::exp(-2.0) / z},
                             {2, 3}),
                        1e-15));
  const double lz = std::log(z);
  CHECK(test::all_close(log_softmax(x, 1).value(),
                        make({-2 - lz, -1 - lz, -lz, -lz, -1 - lz, -2 - lz}, {2, 3}), 1e-13));
  CHECK(test::all_close(logsumexp(x, 1).value(), make({1002 + lz, -1000 + lz}, {2}), 1e-12));

  Tensor xf(xt::xarray<float>{1000.f, 1001.f, 1002.f});
  const auto smf = softmax(xf, 0).value();
  CHECK(smf(2) == Approx(1 / z).epsilon(1e-6));
  CHECK(smf(0) == Approx(std::exp(-2.0) / z).epsilon(1e-6));
  CHECK(logsumexp(xf, 0).item() == Approx(1002 + lz).epsilon(1e-7));
  CHECK(log_softmax(xf, 0).value()(0) == Approx(-2 - lz).epsilon(1e-6));
}

TEST_CASE("softmax: invariant under adding a constant", "[ops][softmax][numerics]") {
  Generator gen(11);
  Tensor64 x(test::uniform_array({4, 6}, gen, -5, 5));
  for (double c : {1000.0, -1000.0, 37.5}) {
    Tensor64 xc(xt::xarray<double>(x.value() + c));
    for (std::int64_t axis : {0, 1}) {
      INFO("c = " << c << ", axis " << axis);
      CHECK(test::all_close(softmax(xc, axis).value(), softmax(x, axis).value(), 1e-12));
      CHECK(test::all_close(log_softmax(xc, axis).value(), log_softmax(x, axis).value(), 1e-12));
      CHECK(test::all_close(logsumexp(xc, axis).value(),
                            xt::xarray<double>(logsumexp(x, axis).value() + c), 1e-12));
    }
  }
}

TEST_CASE("logsumexp: an all -inf slice gives -inf with gradient 0, not nan",
          "[ops][softmax][numerics]") {
  Tensor64 x(make({-kInf, -kInf, 0, 0}, {2, 2}), true);
  auto y = logsumexp(x, 1);
  CHECK(y.value()(0) == -kInf);
  CHECK(y.value()(1) == Approx(std::log(2.0)).epsilon(1e-15));
  sum(y * 1.0).backward();
  CHECK(x.grad() == make({0, 0, 0.5, 0.5}, {2, 2}));
  // an -inf entry next to finite ones simply gets weight 0
  Tensor64 z(make({-kInf, 0}, {2}), true);
  logsumexp(z, 0).backward();
  CHECK(logsumexp(z, 0).item() == 0.0);
  CHECK(z.grad() == make({0, 1}, {2}));
  // float, and an empty axis (the sum of nothing is 0, its log -inf)
  Tensor xf(xt::xarray<float>{-std::numeric_limits<float>::infinity(),
                              -std::numeric_limits<float>::infinity()},
            true);
  logsumexp(xf, 0).backward();
  CHECK(xf.grad() == xt::xarray<float>{0.f, 0.f});
  Tensor64 e(xt::xarray<double>::from_shape({2, 0}), true);
  auto ye = logsumexp(e, 1);
  CHECK(ye.value() == make({-kInf, -kInf}, {2}));
  sum(ye).backward();
  CHECK(e.grad().shape() == Shape{2, 0});
  // +inf dominates; softmax of an all -inf slice is nan, as in PyTorch
  CHECK(logsumexp(Tensor64(make({kInf, 0}, {2})), 0).item() == kInf);
  CHECK(std::isnan(softmax(Tensor64(make({-kInf, -kInf}, {2})), 0).value()(0)));
}

TEST_CASE("softmax family: axis errors and zero-size inputs", "[ops][softmax]") {
  Tensor64 x(make({1, 2, 3, 4, 5, 6}, {2, 3}));
  CHECK_THROWS_AS(softmax(x, 2), std::invalid_argument);
  CHECK_THROWS_WITH(softmax(x, 2),
                    Catch::StartsWith("softmax: axis 2 is out of range for a tensor of rank 2"));
  CHECK_THROWS_WITH(log_softmax(x, -3), Catch::StartsWith("log_softmax: axis -3"));
  CHECK_THROWS_WITH(logsumexp(x, 5), Catch::StartsWith("logsumexp: axis 5"));
  CHECK_THROWS_WITH(softmax(Tensor64(make({1}, {})), 0), Catch::Contains("rank 0"));
  Tensor64 e(xt::xarray<double>::from_shape({0, 3}), true);
  CHECK(softmax(e, 1).shape() == Shape{0, 3});
  CHECK(log_softmax(e, 0).shape() == Shape{0, 3});
  sum(softmax(e, 1)).backward();
  CHECK(e.grad().shape() == Shape{0, 3});
}

// ---- elementwise activations --------------------------------------------------------------

TEST_CASE("leaky_relu: values and slopes (slope also at 0)", "[ops][activation]") {
  Tensor64 x(make({-2, 0, 3}, {3}), true);
  CHECK(test::all_close(leaky_relu(x).value(), make({-0.02, 0, 3}, {3}), 1e-16));
  auto y = leaky_relu(x, 0.1);
  CHECK(test::all_close(y.value(), make({-0.2, 0, 3}, {3}), 1e-16));
  sum(y).backward();
  CHECK(test::all_close(x.grad(), make({0.1, 0.1, 1}, {3}), 1e-16));
  Tensor xf(xt::xarray<float>{-1.f, 2.f});
  CHECK(leaky_relu(xf, 0.5).value() == xt::xarray<float>{-0.5f, 2.f});
}

TEST_CASE("clamp: values, edges pass the gradient, min > max, open sides", "[ops][activation]") {
  Tensor64 x(make({-2, -1, 0, 1, 2}, {5}), true);
  auto y = clamp(x, -1.0, 1.0);
  CHECK(y.value() == make({-1, -1, 0, 1, 1}, {5}));
  sum(y).backward();
  // strictly inside: 1, outside: 0, at x == min and x == max: 1 (as PyTorch)
  CHECK(x.grad() == make({0, 1, 1, 1, 0}, {5}));
  CHECK(clamp(x, 2.0, 1.0).value() == make({1, 1, 1, 1, 1}, {5}));
  CHECK(clamp(x, 0.0, kInf).value() == make({0, 0, 0, 1, 2}, {5}));
  CHECK(clamp(x, -kInf, -1.5).value() == make({-2, -1.5, -1.5, -1.5, -1.5}, {5}));
  CHECK(std::isnan(clamp(Tensor64(make({std::nan("")}, {1})), 0.0, 1.0).value()(0)));
}

TEST_CASE("softplus and log_sigmoid: values and gradients", "[ops][activation]") {
  const double e = std::exp(1.0);
  Tensor64 x(make({-1, 0, 1}, {3}), true);
  auto sp = softplus(x);
  CHECK(test::all_close(sp.value(),
                        make({std::log(1 + 1 / e), std::log(2.0), std::log(1 + e)}, {3}), 1e-15));
  sum(sp).backward();
  CHECK(test::all_close(x.grad(), make({1 / (1 + e), 0.5, e / (1 + e)}, {3}), 1e-15));
  x.zero_grad();
  auto ls = log_sigmoid(x);
  CHECK(test::all_close(
      ls.value(), make({-std::log(1 + e), -std::log(2.0), -std::log(1 + 1 / e)}, {3}), 1e-15));
  sum(ls).backward();
  CHECK(test::all_close(x.grad(), make({e / (1 + e), 0.5, 1 / (1 + e)}, {3}), 1e-15));
}

TEST_CASE("softplus and log_sigmoid: stable, with exactly-zero saturated gradients",
          "[ops][activation][numerics]") {
  Tensor64 x(make({-1000, -300, 300, 1000}, {4}), true);
  auto sp = softplus(x);
  CHECK(all_finite(sp.value()));
  CHECK(sp.value()(0) == 0.0);
  CHECK(sp.value()(1) == Approx(std::exp(-300.0)).epsilon(1e-12));
  CHECK(sp.value()(2) == 300.0);
  CHECK(sp.value()(3) == 1000.0);
  sum(sp).backward();
  CHECK(all_finite(x.grad()));
  CHECK(x.grad()(0) == 0.0);  // sigmoid(-1000) underflows to exactly 0
  CHECK(x.grad()(1) == Approx(std::exp(-300.0)).epsilon(1e-12));
  CHECK(x.grad()(2) == 1.0);
  CHECK(x.grad()(3) == 1.0);
  x.zero_grad();
  auto ls = log_sigmoid(x);
  CHECK(all_finite(ls.value()));
  CHECK(ls.value()(0) == -1000.0);
  CHECK(ls.value()(1) == -300.0);
  CHECK(ls.value()(2) == Approx(-std::exp(-300.0)).epsilon(1e-12));
  CHECK(ls.value()(3) == 0.0);
  sum(ls).backward();
  CHECK(all_finite(x.grad()));
  CHECK(x.grad()(0) == 1.0);
  CHECK(x.grad()(1) == 1.0);
  CHECK(x.grad()(2) == Approx(std::exp(-300.0)).epsilon(1e-12));
  CHECK(x.grad()(3) == 0.0);  // 1 - sigmoid(1000) is exactly 0

  Tensor xf(xt::xarray<float>{-100.f, 100.f}, true);
  auto spf = softplus(xf);
  CHECK(spf.value()(0) >= 0.f);
  CHECK(spf.value()(0) < 1e-40f);
  CHECK(spf.value()(1) == 100.f);
  sum(spf).backward();
  CHECK(xf.grad() == xt::xarray<float>{0.f, 1.f});
  xf.zero_grad();
  auto lsf = log_sigmoid(xf);
  CHECK(lsf.value()(0) == -100.f);
  CHECK(lsf.value()(1) <= 0.f);
  CHECK(lsf.value()(1) > -1e-40f);
  sum(lsf).backward();
  CHECK(xf.grad() == xt::xarray<float>{1.f, 0.f});
}

// ---- maximum / minimum / max / argmax -----------------------------------------------------

TEST_CASE("maximum and minimum: values, ties split the gradient half and half", "[ops][minmax]") {
  Tensor64 a(make({1, 5, 3}, {3}), true);
  Tensor64 b(make({4, 2, 3}, {3}), true);
  auto mx = maximum(a, b);
  CHECK(mx.value() == make({4, 5, 3}, {3}));
  sum(mx).backward();
  CHECK(a.grad() == make({0, 1, 0.5}, {3}));
  CHECK(b.grad() == make({1, 0, 0.5}, {3}));
  a.zero_grad();
  b.zero_grad();
  auto mn = minimum(a, b);
  CHECK(mn.value() == make({1, 2, 3}, {3}));
  sum(mn).backward();
  CHECK(a.grad() == make({1, 0, 0.5}, {3}));
  CHECK(b.grad() == make({0, 1, 0.5}, {3}));
}

TEST_CASE("maximum and minimum: broadcasting, nan, shape errors", "[ops][minmax]") {
  Tensor64 a(make({1, 5, 3, 0, 9, 3}, {2, 3}), true);
  Tensor64 b(make({4, 2, 3}, {3}), true);
  auto y = maximum(a, b);
  CHECK(y.value() == make({4, 5, 3, 4, 9, 3}, {2, 3}));
  sum(y).backward();
  CHECK(a.grad() == make({0, 1, 0.5, 0, 1, 0.5}, {2, 3}));
  CHECK(b.grad() == make({2, 0, 1}, {3}));
  CHECK(minimum(b, a).value() == make({1, 2, 3, 0, 2, 3}, {2, 3}));
  const double nan = std::nan("");
  Tensor64 n(make({nan, 1}, {2}));
  Tensor64 one(make({1, nan}, {2}));
  CHECK(std::isnan(maximum(n, one).value()(0)));
  CHECK(std::isnan(maximum(n, one).value()(1)));
  CHECK(std::isnan(minimum(one, n).value()(0)));
  CHECK(std::isnan(minimum(one, n).value()(1)));
  Tensor64 c(make({1, 2}, {2}));
  CHECK_THROWS_AS(maximum(a, c), std::invalid_argument);
  CHECK_THROWS_WITH(maximum(a, c),
                    Catch::StartsWith("maximum: shapes (2,3) and (2,) cannot be broadcast"));
  CHECK_THROWS_WITH(minimum(c, a), Catch::StartsWith("minimum: shapes (2,) and (2,3)"));
  Tensor fa(xt::xarray<float>{1.f, 5.f}), fb(xt::xarray<float>{2.f, 2.f});
  CHECK(maximum(fa, fb).value() == xt::xarray<float>{2.f, 5.f});
}

TEST_CASE("max along an axis: values, gradient to the first maximum, keepdims", "[ops][minmax]") {
  Tensor64 x(make({1, 3, 3, 7, 2, 7}, {2, 3}), true);
  auto m1 = max(x, 1);
  CHECK(m1.value() == make({3, 7}, {2}));
  backward_weighted(m1, make({10, 20}, {2}));
  // ties: the whole gradient goes to the first maximum (the index argmax returns)
  CHECK(x.grad() == make({0, 10, 0, 20, 0, 0}, {2, 3}));
  x.zero_grad();
  auto m0 = max(x, 0, true);
  CHECK(m0.value() == make({7, 3, 7}, {1, 3}));
  sum(m0).backward();
  CHECK(x.grad() == make({0, 1, 0, 1, 0, 1}, {2, 3}));
  CHECK(max(x, -1).value() == m1.value());
  Tensor64 x3(make({1, 8, 3, 4, 5, 6, 7, 2}, {2, 2, 2}));
  CHECK(max(x3, 1).value() == make({3, 8, 7, 6}, {2, 2}));
  Tensor xf(xt::xarray<float>{-1.f, -3.f});
  CHECK(max(xf, 0).item() == -1.f);
  // nan wins, and gets the gradient
  Tensor64 xn(make({1, std::nan(""), 5}, {3}), true);
  CHECK(std::isnan(max(xn, 0).item()));
  max(xn, 0).backward();
  CHECK(xn.grad() == make({0, 1, 0}, {3}));
}

TEST_CASE("max and argmax: an empty axis throws, other empty shapes are fine", "[ops][minmax]") {
  Tensor64 e(xt::xarray<double>::from_shape({2, 0}));
  CHECK_THROWS_AS(max(e, 1), std::invalid_argument);
  CHECK_THROWS_WITH(max(e, 1),
                    Catch::StartsWith("max: cannot reduce over the empty axis 1 of shape (2,0)"));
  CHECK_THROWS_WITH(argmax(e, -1),
                    Catch::StartsWith("argmax: cannot reduce over the empty axis 1"));
  CHECK(max(e, 0).shape() == Shape{0});
  CHECK(argmax(e, 0).shape() == Shape{0});
  CHECK_THROWS_WITH(max(e, 2), Catch::StartsWith("max: axis 2 is out of range"));
  CHECK_THROWS_WITH(argmax(e, -3), Catch::StartsWith("argmax: axis -3 is out of range"));
}

TEST_CASE("argmax: first maximum per row, an index array without gradient", "[ops][minmax]") {
  Tensor64 x(make({1, 3, 3, 7, 2, 7, 0, 0, 5}, {3, 3}), true);
  auto idx = argmax(x, 1);
  static_assert(std::is_same_v<decltype(idx), xgrad::Array<std::int64_t>>,
                "argmax returns plain indices, not a tensor");
  CHECK(idx.shape() == Shape{3});
  const bool rows_ok = idx == xt::xarray<std::int64_t>{1, 0, 2};
  CHECK(rows_ok);
  const bool cols_ok = argmax(x, 0) == xt::xarray<std::int64_t>{1, 0, 1};
  CHECK(cols_ok);
  CHECK(argmax(x, 1, true).shape() == Shape{3, 1});
  Tensor xf(xt::xarray<float>{0.f, -1.f, 4.f, 4.f});
  CHECK(argmax(xf, 0)() == 2);
  CHECK(argmax(Tensor64(make({1, std::nan(""), 5, std::nan("")}, {4})), 0)() == 1);
}

// ---- concat / index_select / slice --------------------------------------------------------

TEST_CASE("concat: values along each axis, gradient slabs", "[ops][indexing]") {
  Tensor64 a(make({1, 2, 3, 4, 5, 6}, {2, 3}), true);
  Tensor64 b(make({7, 8, 9}, {1, 3}), true);
  auto r = concat({a, b}, 0);
  CHECK(r.value() == make({1, 2, 3, 4, 5, 6, 7, 8, 9}, {3, 3}));
  backward_weighted(r, make({1, 2, 3, 4, 5, 6, 7, 8, 9}, {3, 3}));
  CHECK(a.grad() == make({1, 2, 3, 4, 5, 6}, {2, 3}));
  CHECK(b.grad() == make({7, 8, 9}, {1, 3}));

  Tensor64 c(make({10, 20}, {2, 1}), true);
  Tensor64 d(make({1, 2, 3, 4}, {2, 2}));  // no grad: gets none
  auto s = concat({c, d, a}, -1);
  CHECK(s.value() == make({10, 1, 2, 1, 2, 3, 20, 3, 4, 4, 5, 6}, {2, 6}));
  a.zero_grad();
  backward_weighted(s, make({1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, {2, 6}));
  CHECK(c.grad() == make({1, 7}, {2, 1}));
  CHECK(a.grad() == make({4, 5, 6, 10, 11, 12}, {2, 3}));
  CHECK_FALSE(d.has_grad());
  // the same tensor twice accumulates
  Tensor64 v(make({1, 2}, {2}), true);
  auto vv = concat({v, v}, 0);
  CHECK(vv.value() == make({1, 2, 1, 2}, {4}));
  backward_weighted(vv, make({1, 2, 3, 4}, {4}));
  CHECK(v.grad() == make({4, 6}, {2}));
  // middle axis of a 3-d tensor, float
  Tensor p(xt::xarray<float>::from_shape({2, 1, 2})), q(xt::xarray<float>::from_shape({2, 2, 2}));
  for (std::size_t i = 0; i < p.size(); ++i) p.mutable_value().data()[i] = static_cast<float>(i);
  for (std::size_t i = 0; i < q.size(); ++i)
    q.mutable_value().data()[i] = static_cast<float>(10 + i);
  auto pq = concat({p, q}, 1);
  CHECK(pq.shape() == Shape{2, 3, 2});
  xt::xarray<float> expect = {0.f, 1.f, 10.f, 11.f, 12.f, 13.f, 2.f, 3.f, 14.f, 15.f, 16.f, 17.f};
  expect.reshape({2, 3, 2});
  CHECK(pq.value() == expect);
  // a single tensor is copied; no input requires grad: nothing recorded
  CHECK(concat({d}, 0).value() == d.value());
  CHECK_FALSE(concat({d, d}, 1).requires_grad());
}

TEST_CASE("concat: errors name the shapes", "[ops][indexing]") {
  Tensor64 a(make({1, 2, 3, 4, 5, 6}, {2, 3}));
  Tensor64 b(make({1, 2, 3, 4, 5, 6, 7, 8}, {2, 4}));
  CHECK_THROWS_AS(concat({a, b}, 0), std::invalid_argument);
  CHECK_THROWS_WITH(
      concat({a, b}, 0),
      Catch::StartsWith("concat: shapes (2,3) and (2,4) differ outside axis 0 (tensors 0 and 1)"));
  CHECK(concat({a, b}, 1).shape() == Shape{2, 7});
  CHECK_THROWS_WITH(
      concat({a, a, Tensor64(make({1, 2, 3}, {3}))}, 0),
      Catch::StartsWith("concat: shapes (2,3) and (3,) have different ranks (tensors 0 and 2)"));
  CHECK_THROWS_WITH(concat(std::vector<Tensor64>{}, 0),
                    Catch::StartsWith("concat: expects at least one tensor"));
  CHECK_THROWS_WITH(concat({a}, 2), Catch::StartsWith("concat: axis 2 is out of range"));
}

TEST_CASE("index_select: rows in any order with repeats, and gradients accumulate",
          "[ops][indexing]") {
  Tensor64 x(make({1, 2, 3, 4, 5, 6}, {3, 2}), true);
  auto y = index_select(x, 0, {2, 0, 2});
  CHECK(y.value() == make({5, 6, 1, 2, 5, 6}, {3, 2}));
  backward_weighted(y, make({1, 2, 3, 4, 5, 6}, {3, 2}));
  CHECK(x.grad() == make({3, 4, 0, 0, 6, 8}, {3, 2}));
  CHECK(index_select(x, -1, {1}).value() == make({2, 4, 6}, {3, 1}));
  CHECK(index_select(x, 1, {1, 0}).value() == make({2, 1, 4, 3, 6, 5}, {3, 2}));
  CHECK(index_select(x, 0, {}).shape() == Shape{0, 2});
  Tensor xf(xt::xarray<float>{1.f, 2.f, 3.f});
  CHECK(index_select(xf, 0, {1}).value() == xt::xarray<float>{2.f});
  CHECK_THROWS_AS(index_select(x, 0, {0, 3}), std::out_of_range);
  CHECK_THROWS_WITH(
      index_select(x, 0, {0, 3}),
      Catch::StartsWith(
          "index_select: index 3 is out of range for axis 0 of size 3 (shape (3,2))"));
  CHECK_THROWS_WITH(index_select(x, 2, {0}),
                    Catch::StartsWith("index_select: axis 2 is out of range"));
}

TEST_CASE("slice: Python-style half-open ranges, clamped, and backward pads with zeros",
          "[ops][indexing]") {
  Tensor64 x(make({0, 1, 2, 3, 4}, {5}), true);
  auto y = slice(x, 0, 1, 3);
  CHECK(y.value() == make({1, 2}, {2}));
  sum(y).backward();
  CHECK(x.grad() == make({0, 1, 1, 0, 0}, {5}));
  CHECK(slice(x, 0, -2, 100).value() == make({3, 4}, {2}));
  CHECK(slice(x, 0, -100, 2).value() == make({0, 1}, {2}));
  CHECK(slice(x, 0, 1, -1).value() == make({1, 2, 3}, {3}));
  CHECK(slice(x, 0, 3, 1).shape() == Shape{0});
  CHECK(slice(x, 0, 7, 9).shape() == Shape{0});
  Tensor64 m(make({1, 2, 3, 4, 5, 6}, {2, 3}), true);
  auto c = slice(m, -1, 1, 3);
  CHECK(c.value() == make({2, 3, 5, 6}, {2, 2}));
  backward_weighted(c, make({1, 2, 3, 4}, {2, 2}));
  CHECK(m.grad() == make({0, 1, 2, 0, 3, 4}, {2, 3}));
  CHECK(slice(m, 0, 1, 2).value() == make({4, 5, 6}, {1, 3}));
  CHECK_THROWS_WITH(slice(m, 2, 0, 1), Catch::StartsWith("slice: axis 2 is out of range"));
}

// ---- losses -------------------------------------------------------------------------------

TEST_CASE("binary_cross_entropy: values, gradients, clamped logs", "[ops][loss]") {
  Tensor64 p(make({0.5, 0.9, 0.2}, {3}), true);
  Tensor64 y(make({1, 1, 0}, {3}), true);
  auto l = binary_cross_entropy(p, y);
  CHECK(l.dim() == 0);
  CHECK(l.item() == Approx(-(std::log(0.5) + std::log(0.9) + std::log(0.8)) / 3).epsilon(1e-14));
  l.backward();
  // y = 1: -1/p; y = 0: 1/(1-p); over n = 3
  CHECK(test::all_close(p.grad(), make({-2.0 / 3, -1 / 0.9 / 3, 1 / 0.8 / 3}, {3}), 1e-14));
  // d/dy = log(1-p) - log(p), over n
  CHECK(test::all_close(
      y.grad(),
      make({0, (std::log(0.1) - std::log(0.9)) / 3, (std::log(0.8) - std::log(0.2)) / 3}, {3}),
      1e-14));
  // p = 0 against y = 1 and p = 1 against y = 0: each log clamped at -100
  Tensor64 q(make({0, 1}, {2}), true);
  auto lq = binary_cross_entropy(q, Tensor64(make({1, 0}, {2})));
  CHECK(lq.item() == 100.0);
  lq.backward();
  CHECK(test::all_close(q.grad(), make({-0.5e12, 0.5e12}, {2}), 1e-3));
  Tensor pf(xt::xarray<float>{0.5f, 0.5f});
  CHECK(binary_cross_entropy(pf, Tensor(xt::xarray<float>{0.f, 1.f})).item() ==
        Approx(std::log(2.0)).epsilon(1e-6));
}

TEST_CASE("binary_cross_entropy: shape and domain errors", "[ops][loss]") {
  Tensor64 p(make({0.5, 0.5, 0.5, 0.5}, {4, 1}));
  Tensor64 flat(make({0, 1, 1, 0}, {4}));
  CHECK_THROWS_AS(binary_cross_entropy(p, flat), std::invalid_argument);
  CHECK_THROWS_WITH(
      binary_cross_entropy(p, flat),
      Catch::StartsWith(
          "binary_cross_entropy: input of shape (4,1) and target of shape (4,) differ"));
  CHECK_THROWS_WITH(binary_cross_entropy_with_logits(p, flat),
                    Catch::StartsWith("binary_cross_entropy_with_logits: input of shape (4,1)"));
  Tensor64 bad(make({0.5, 1.5}, {2}));
  CHECK_THROWS_WITH(
      binary_cross_entropy(bad, Tensor64(make({0, 1}, {2}))),
      Catch::StartsWith(
          "binary_cross_entropy: every element of probs must be in [0, 1], but element 1"));
  Tensor64 nan(make({std::nan(""), 0.5}, {2}));
  CHECK_THROWS_AS(binary_cross_entropy(nan, Tensor64(make({0, 1}, {2}))), std::invalid_argument);
  Tensor64 empty(xt::xarray<double>::from_shape({0}));
  CHECK(std::isnan(binary_cross_entropy(empty, empty).item()));
}

TEST_CASE("binary_cross_entropy_with_logits: values and gradients", "[ops][loss]") {
  Tensor64 x(make({0, 2, -1}, {3}), true);
  Tensor64 y(make({1, 0, 0.5}, {3}), true);
  auto l = binary_cross_entropy_with_logits(x, y);
  const double expect =
      (std::log(2.0) + std::log(1 + std::exp(2.0)) + (std::log(1 + std::exp(-1.0)) + 0.5)) / 3;
  CHECK(l.item() == Approx(expect).epsilon(1e-14));
  l.backward();
  auto sig = [](double v) { return 1 / (1 + std::exp(-v)); };
  CHECK(test::all_close(x.grad(), make({(0.5 - 1) / 3, sig(2) / 3, (sig(-1) - 0.5) / 3}, {3}),
                        1e-15));
  CHECK(test::all_close(y.grad(), make({0, -2.0 / 3, 1.0 / 3}, {3}), 1e-15));
  // agrees with binary_cross_entropy on sigmoid where both are accurate
  Tensor64 t(make({1, 0, 1}, {3}));
  CHECK(binary_cross_entropy_with_logits(x, t).item() ==
        Approx(binary_cross_entropy(sigmoid(x), t).item()).epsilon(1e-14));
}

TEST_CASE("binary_cross_entropy_with_logits: finite at +-100 and beyond", "[ops][loss][numerics]") {
  auto reference = [](const xt::xarray<double>& x, const xt::xarray<double>& y) {
    double s = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
      s += std::max(x(i), 0.0) - x(i) * y(i) + std::log1p(std::exp(-std::abs(x(i))));
    }
    return s / static_cast<double>(x.size());
  };
  Tensor64 x(make({100, -100, 1000, -1000, 300, -300}, {6}), true);
  Tensor64 y(make({1, 0, 0, 1, 1, 0}, {6}));
  auto l = binary_cross_entropy_with_logits(x, y);
  CHECK(std::isfinite(l.item()));
  CHECK(l.item() == Approx(reference(x.value(), y.value())).epsilon(1e-15));
  CHECK(l.item() == Approx(2000.0 / 6).epsilon(1e-15));
  l.backward();
  CHECK(all_finite(x.grad()));
  // (sigmoid(x) - y) / 6: exactly 0 where sigmoid saturates to the target
  CHECK(x.grad()(0) == 0.0);
  CHECK(x.grad()(1) == Approx(std::exp(-100.0) / 6).epsilon(1e-12));
  CHECK(x.grad()(2) == 1.0 / 6);
  CHECK(x.grad()(3) == -1.0 / 6);
  CHECK(x.grad()(4) == 0.0);

  Tensor xf(xt::xarray<float>{100.f, -100.f, 100.f, -100.f}, true);
  Tensor yf(xt::xarray<float>{0.f, 1.f, 1.f, 0.f});
  auto lf = binary_cross_entropy_with_logits(xf, yf);
  CHECK(std::isfinite(lf.item()));
  CHECK(lf.item() == Approx(50.0).epsilon(1e-6));
  lf.backward();
  CHECK(xf.grad() == xt::xarray<float>{0.25f, -0.25f, 0.f, 0.f});
}

TEST_CASE("nll_loss and cross_entropy: values and gradients", "[ops][loss]") {
  Tensor64 lp(make({-1, -2, -3, -0.5, -0.25, -4}, {2, 3}), true);
  auto nll = nll_loss(lp, {2, 1});
  CHECK(nll.item() == 1.625);
  nll.backward();
  CHECK(lp.grad() == make({0, 0, -0.5, 0, -0.5, 0}, {2, 3}));

  const double l3 = std::log(3.0);
  Tensor64 z(make({0, l3, 0, l3}, {2, 2}), true);
  auto ce = cross_entropy(z, {1, 0});
  CHECK(ce.item() == Approx(-(std::log(0.75) + std::log(0.25)) / 2).epsilon(1e-15));
  ce.backward();
  // (softmax - onehot) / N
  CHECK(test::all_close(z.grad(), make({0.125, -0.125, -0.375, 0.375}, {2, 2}), 1e-15));
  Tensor zf(xt::xarray<float>{{0.f, 0.f, 0.f, 0.f}});
  CHECK(cross_entropy(zf, {3}).item() == Approx(std::log(4.0)).epsilon(1e-6));
}

TEST_CASE("cross_entropy: finite at +-100 and equal to the reference formula",
          "[ops][loss][numerics]") {
  // reference: lse(row) - row[c], with lse computed by hand after subtracting the maximum
  auto reference = [](const xt::xarray<double>& x, const std::vector<std::size_t>& c) {
    double total = 0;
    for (std::size_t i = 0; i < x.shape()[0]; ++i) {
      double m = -kInf;
      for (std::size_t j = 0; j < x.shape()[1]; ++j) m = std::max(m, x(i, j));
      double s = 0;
      for (std::size_t j = 0; j < x.shape()[1]; ++j) s += std::exp(x(i, j) - m);
      total += m + std::log(s) - x(i, c[i]);
    }
    return total / static_cast<double>(x.shape()[0]);
  };
  Tensor64 x(make({100, -100, 0, -100, 100, 0, 1000, 999, -1000}, {3, 3}), true);
  const std::vector<std::size_t> c = {0, 0, 1};
  auto l = cross_entropy(x, c);
  CHECK(std::isfinite(l.item()));
  CHECK(l.item() == Approx(reference(x.value(), c)).epsilon(1e-14));
  CHECK(l.item() == Approx((0 + 200 + 1 + std::log1p(std::exp(-1.0))) / 3).epsilon(1e-14));
  l.backward();
  CHECK(all_finite(x.grad()));
  // row 1: softmax is (e^-200, 1, e^-100) against class 0: (-1, 1, ~0) / 3
  CHECK(x.grad()(1, 0) == Approx(-1.0 / 3).epsilon(1e-14));
  CHECK(x.grad()(1, 1) == Approx(1.0 / 3).epsilon(1e-14));
  CHECK(std::abs(x.grad()(0, 0)) < 1e-40);

  Tensor xf(xt::xarray<float>{{100.f, -100.f}, {-100.f, 100.f}}, true);
  auto lf = cross_entropy(xf, {1, 1});
  CHECK(std::isfinite(lf.item()));
  CHECK(lf.item() == Approx(100.0).epsilon(1e-6));
  lf.backward();
  CHECK(xf.grad() == xt::xarray<float>{{0.5f, -0.5f}, {0.f, 0.f}});
}

TEST_CASE("nll_loss and cross_entropy: shape and index errors", "[ops][loss]") {
  Tensor64 x(make({1, 2, 3, 4, 5, 6}, {2, 3}));
  CHECK_THROWS_AS(nll_loss(x, {0, 3}), std::out_of_range);
  CHECK_THROWS_WITH(
      nll_loss(x, {0, 3}),
      Catch::StartsWith(
          "nll_loss: class index 3 of row 1 is out of range for 3 classes (input shape (2,3))"));
  CHECK_THROWS_WITH(cross_entropy(x, {7, 0}),
                    Catch::StartsWith("cross_entropy: class index 7 of row 0"));
  CHECK_THROWS_AS(cross_entropy(x, {0}), std::invalid_argument);
  CHECK_THROWS_WITH(
      cross_entropy(x, {0}),
      Catch::StartsWith("cross_entropy: 1 class indices for an input of shape (2,3)"));
  CHECK_THROWS_WITH(nll_loss(Tensor64(make({1, 2, 3}, {3})), {0}),
                    Catch::StartsWith("nll_loss: expects an input of shape (N,C), got (3,)"));
  Tensor64 empty(xt::xarray<double>::from_shape({0, 3}));
  CHECK(std::isnan(cross_entropy(empty, {}).item()));
}

TEST_CASE("new ops record nothing under NoGradGuard", "[ops][autograd]") {
  Tensor64 x(make({1, 2, 3, 4}, {2, 2}), true);
  NoGradGuard guard;
  CHECK_FALSE(softmax(x, 1).requires_grad());
  CHECK_FALSE(max(x, 0).requires_grad());
  CHECK_FALSE(concat({x, x}, 0).requires_grad());
  CHECK_FALSE(cross_entropy(x, {0, 1}).requires_grad());
  CHECK_FALSE(maximum(x, x).requires_grad());
}
