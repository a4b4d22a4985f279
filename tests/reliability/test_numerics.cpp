// SPDX-License-Identifier: MIT
// docs/reliability.md N1-N5: numerics at the edges, filling the gaps left by
// tests/ops/test_forward*.cpp (which cover sigmoid/softplus/log_sigmoid saturation, the softmax
// family at 1e3 and its shift invariance, logsumexp of an all -inf row, BCE-with-logits and
// cross-entropy at +-100, max/argmax over an empty axis, and sum/mean of an empty tensor).
//
// Documented behaviour pinned here:
//   - saturation: wherever sigmoid/tanh/softplus/log_sigmoid output their asymptote exactly,
//     the gradient is exactly 0 (never nan); elsewhere it matches the analytic derivative.
//   - nan propagates through every op's forward (relu(nan) = nan, max picks nan, clamp(nan) =
//     nan). relu's backward passes g at a nan input (x <= 0 is false, as PyTorch's
//     threshold_backward); clamp's backward gives 0 there ((x >= min) & (x <= max) is false).
//   - IEEE division and domains: 1/0 = inf with gradients d/da = inf, d/db = -inf; 0/0 = nan;
//     sqrt(0) = 0 with gradient +inf; log(0) = -inf with gradient +inf; log(-1) = nan.
//   - xgrad has no norm and no where/select op, so the norm-at-0 and "double where" items of N4
//     do not apply.
//   - zero-size: every op accepts a (0,3) input; sum of nothing is 0, mean is nan, and the
//     mean-reduced losses of nothing are nan (as PyTorch); max/argmax over an empty axis throw.
#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "support/helpers.hpp"

using namespace xgrad;
using test::make;

namespace {

template <class T>
xt::xarray<T> arr(std::initializer_list<double> values, const Shape& shape) {
  xt::xarray<T> a = xt::xarray<T>::from_shape(shape);
  auto it = values.begin();
  for (T& v : a) v = static_cast<T>(*it++);
  return a;
}

struct SatCase {
  const char* name;
  std::function<Tensor64(const Tensor64&)> f64;
  std::function<Tensor(const Tensor&)> f32;
  long double (*ref)(long double);   // value
  long double (*dref)(long double);  // derivative
  std::vector<double> asymptotes;
};

long double ref_sigmoid(long double x) {
  return x >= 0 ? 1.0L / (1.0L + std::exp(-x)) : std::exp(x) / (1.0L + std::exp(x));
}

const std::vector<SatCase>& sat_cases() {
  static const std::vector<SatCase> cases = {
      {"sigmoid",
       [](const Tensor64& x) { return sigmoid(x); },
       [](const Tensor& x) { return sigmoid(x); },
       ref_sigmoid,
       [](long double x) { return ref_sigmoid(x) * ref_sigmoid(-x); },
       {0.0, 1.0}},
      {"tanh",
       [](const Tensor64& x) { return tanh(x); },
       [](const Tensor& x) { return tanh(x); },
       [](long double x) { return std::tanh(x); },
       [](long double x) {
         const long double c = std::cosh(x);
         return std::isinf(c) ? 0.0L : 1.0L / (c * c);
       },
       {-1.0, 1.0}},
      {"softplus",
       [](const Tensor64& x) { return softplus(x); },
       [](const Tensor& x) { return softplus(x); },
       [](long double x) { return std::max(x, 0.0L) + std::log1p(std::exp(-std::fabs(x))); },
       ref_sigmoid,
       {0.0}},
      {"log_sigmoid",
       [](const Tensor64& x) { return log_sigmoid(x); },
       [](const Tensor& x) { return log_sigmoid(x); },
       [](long double x) { return std::min(x, 0.0L) - std::log1p(std::exp(-std::fabs(x))); },
       [](long double x) { return ref_sigmoid(-x); },
       {0.0}}};
  return cases;
}

/// |got - ref| <= rel |ref| + abs_tol. The absolute part matters where y (1 - y) cancels (e.g.
/// sigmoid'(30) in double is exact only to about 1e-16 absolute, 1e-3 relative), as in PyTorch.
template <class T>
bool near(T got, long double ref, double rel, double abs_tol) {
  return std::fabs(static_cast<long double>(got) - ref) <= rel * std::fabs(ref) + abs_tol;
}

template <class T, class F>
void check_saturation(const SatCase& c, F f, std::initializer_list<double> points, double rel,
                      double abs_tol) {
  BasicTensor<T> x(arr<T>(points, {points.size()}), true);
  auto y = f(x);
  sum(y).backward();
  for (std::size_t i = 0; i < points.size(); ++i) {
    const T xi = x.value()(i), yi = y.value()(i), gi = x.grad()(i);
    INFO(c.name << "(" << xi << ") = " << yi << ", gradient " << gi);
    CHECK(std::isfinite(yi));
    CHECK(std::isfinite(gi));
    CHECK(near<T>(yi, c.ref(xi), rel, abs_tol));
    bool saturated = false;
    for (double a : c.asymptotes) saturated = saturated || yi == static_cast<T>(a);
    if (saturated) {
      CHECK(gi == T(0));  // exactly 0 on the saturated side
    } else {
      CHECK(near<T>(gi, c.dref(xi), rel, abs_tol));
    }
  }
}

bool all_finite(const xt::xarray<double>& a) {
  for (double v : a) {
    if (!std::isfinite(v)) return false;
  }
  return true;
}

}  // namespace

// ---- N1 -----------------------------------------------------------------------------------

TEST_CASE("numerics: saturation of sigmoid tanh softplus log_sigmoid", "[reliability][numerics]") {
  for (const auto& c : sat_cases()) {
    check_saturation<double>(c, c.f64, {-1000, -300, -30, 0, 30, 300, 1000}, 1e-12, 1e-15);
    check_saturation<float>(c, c.f32, {-100, -30, -10, 0, 10, 30, 100}, 1e-5, 1e-7);
  }
  // the saturated sides named explicitly (docs/reliability.md N1)
  Tensor64 x(make({-1000, 1000}, {2}), true);
  sum(tanh(x)).backward();
  CHECK((x.grad() == make({0, 0}, {2})));
  x.zero_grad();
  sum(sigmoid(x)).backward();
  CHECK((x.grad() == make({0, 0}, {2})));
  Tensor64 p(make({300}, {1}), true);
  sum(sigmoid(p)).backward();
  CHECK(p.grad()(0) == 0.0);  // sigmoid(300) == 1 exactly, so y (1 - y) == 0
  Tensor xf(xt::xarray<float>{-100.f, 100.f}, true);
  sum(tanh(xf)).backward();
  CHECK((xf.grad() == xt::xarray<float>{0.f, 0.f}));
}

// ---- N2 -----------------------------------------------------------------------------------

TEMPLATE_TEST_CASE("numerics: softmax family gradients at logits near 1e3 and with -inf entries",
                   "[reliability][numerics]", float, double) {
  using T = TestType;
  // burn#315: log_softmax gave -inf for |x| about 1e3
  BasicTensor<T> x(arr<T>({1000, 1001, 1002, -1000, -1001, -1002}, {2, 3}), true);
  const auto w = arr<T>({1, 0, 0, 0, 0, 1}, {2, 3});
  auto ls = log_softmax(x, 1);
  for (T v : ls.value()) CHECK(std::isfinite(v));
  ls.backward(w);
  // d = w - softmax * sum(w): row 0 softmax (e^-2, e^-1, 1)/z, sum w = 1
  const double z = std::exp(-2.0) + std::exp(-1.0) + 1.0;
  const double tol = std::is_same_v<T, float> ? 1e-6 : 1e-14;
  const std::vector<double> sm0 = {std::exp(-2.0) / z, std::exp(-1.0) / z, 1 / z};
  const std::vector<double> sm1 = {1 / z, std::exp(-1.0) / z, std::exp(-2.0) / z};
  for (std::size_t j = 0; j < 3; ++j) {
    CHECK(x.grad()(0, j) == Approx((j == 0 ? 1 : 0) - sm0[j]).margin(tol));
    CHECK(x.grad()(1, j) == Approx((j == 2 ? 1 : 0) - sm1[j]).margin(tol));
  }
  // -inf entries (a mask): softmax 0 there, log_softmax -inf there, every gradient finite
  const T inf = std::numeric_limits<T>::infinity();
  BasicTensor<T> m(arr<T>({0, -inf, 0, -inf}, {1, 4}), true);
  auto sm = softmax(m, 1);
  CHECK((sm.value() == arr<T>({0.5, 0, 0.5, 0}, {1, 4})));
  sm.backward(arr<T>({1, 2, 3, 4}, {1, 4}));
  // y (w - sum(w y)) = (0.5 (1 - 2), 0, 0.5 (3 - 2), 0)
  CHECK((m.grad() == arr<T>({-0.5, 0, 0.5, 0}, {1, 4})));
  m.zero_grad();
  auto lsm = log_softmax(m, 1);
  CHECK(lsm.value()(0, 1) == -inf);
  CHECK(lsm.value()(0, 0) == Approx(-std::log(2.0)));
  lsm.backward(arr<T>({1, 1, 1, 1}, {1, 4}));
  // w - exp(y) sum(w) = 1 - 0.5 * 4 at the finite entries, 1 - 0 at the masked ones
  CHECK((m.grad() == arr<T>({-1, 1, -1, 1}, {1, 4})));
}

TEST_CASE("numerics: softmax of x + c equals softmax of x exactly for representable shifts",
          "[reliability][numerics]") {
  // with integer logits and an integer shift, x + c - max(x + c) == x - max(x) bit for bit
  Tensor64 x(make({1, 5, -3, 2, 0, 0}, {2, 3}));
  for (double c : {1024.0, -4096.0, 1e6}) {
    Tensor64 xc(xt::xarray<double>(x.value() + c));
    CHECK((softmax(xc, 1).value() == softmax(x, 1).value()));
    CHECK((log_softmax(xc, 1).value() == log_softmax(x, 1).value()));
  }
  Tensor xf(xt::xarray<float>{{1.f, 5.f, -3.f}});
  Tensor xfc(xt::xarray<float>{{1025.f, 1029.f, 1021.f}});
  CHECK((softmax(xfc, 1).value() == softmax(xf, 1).value()));
}

// ---- N3 -----------------------------------------------------------------------------------

TEMPLATE_TEST_CASE("numerics: 2-class cross_entropy at +-100 and +-1000 equals the BCE formula",
                   "[reliability][numerics]", float, double) {
  // cross_entropy of logits (0, x) against class y in {0, 1} is
  // -log softmax(0, x)[y] = max(x, 0) - x y + log1p(exp(-|x|)), with gradient
  // d/dx = (sigmoid(x) - y) / N and d/d(logit 0) = -(sigmoid(x) - y) / N.
  using T = TestType;
  const std::vector<double> xs = {100, -100, 1000, -1000, 100, -100, 0.5};
  const std::vector<std::size_t> ys = {1, 1, 0, 0, 0, 1, 1};
  const std::size_t n = xs.size();
  xt::xarray<T> logits = xt::zeros<T>({n, std::size_t(2)});
  xt::xarray<T> bl = xt::zeros<T>({n}), by = xt::zeros<T>({n});
  for (std::size_t i = 0; i < n; ++i) {
    logits(i, 1) = static_cast<T>(xs[i]);
    bl(i) = static_cast<T>(xs[i]);
    by(i) = static_cast<T>(ys[i]);
  }
  long double ref = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const long double x = xs[i];
    ref += std::max(x, 0.0L) - x * static_cast<long double>(ys[i]) +
           std::log1p(std::exp(-std::fabs(x)));
  }
  ref /= static_cast<long double>(n);
  BasicTensor<T> z(logits, true);
  auto ce = cross_entropy(z, ys);
  BasicTensor<T> b(bl, true);
  auto bce = binary_cross_entropy_with_logits(b, BasicTensor<T>(by));
  const double rel = std::is_same_v<T, float> ? 1e-6 : 1e-14;
  CHECK(std::isfinite(ce.item()));
  CHECK(std::isfinite(bce.item()));
  CHECK(ce.item() == Approx(static_cast<double>(ref)).epsilon(rel));
  CHECK(bce.item() == Approx(static_cast<double>(ref)).epsilon(rel));
  ce.backward();
  bce.backward();
  for (std::size_t i = 0; i < n; ++i) {
    const long double s = ref_sigmoid(xs[i]);
    const double g =
        static_cast<double>((s - static_cast<long double>(ys[i])) / static_cast<long double>(n));
    INFO("x = " << xs[i] << ", y = " << ys[i]);
    CHECK(std::isfinite(z.grad()(i, 1)));
    CHECK(z.grad()(i, 1) == Approx(g).epsilon(rel).margin(1e-30));
    CHECK(z.grad()(i, 0) == Approx(-g).epsilon(rel).margin(1e-30));
    CHECK(b.grad()(i) == Approx(g).epsilon(rel).margin(1e-30));
  }
}

// ---- N4 -----------------------------------------------------------------------------------

TEST_CASE("numerics: nan propagates through every op's forward", "[reliability][numerics]") {
  const double nan = std::nan("");
  // row 0 holds a nan, row 1 is finite
  const xt::xarray<double> xv = make({1.0, nan, 0.5, 0.25, -0.75, 2.0}, {2, 3});
  using F = std::function<Tensor64(const Tensor64&)>;
  // elementwise: nan exactly at (0,1), finite elsewhere
  const std::vector<std::pair<const char*, F>> elementwise = {
      {"neg", [](const Tensor64& x) { return -x; }},
      {"exp", [](const Tensor64& x) { return exp(x); }},
      {"log", [](const Tensor64& x) { return log(abs(x)); }},
      {"sqrt", [](const Tensor64& x) { return sqrt(abs(x)); }},
      {"pow", [](const Tensor64& x) { return pow(x, 3.0); }},
      {"abs", [](const Tensor64& x) { return abs(x); }},
      {"sigmoid", [](const Tensor64& x) { return sigmoid(x); }},
      {"tanh", [](const Tensor64& x) { return tanh(x); }},
      {"relu", [](const Tensor64& x) { return relu(x); }},
      {"leaky_relu", [](const Tensor64& x) { return leaky_relu(x); }},
      {"clamp", [](const Tensor64& x) { return clamp(x, -0.5, 0.5); }},
      {"softplus", [](const Tensor64& x) { return softplus(x); }},
      {"log_sigmoid", [](const Tensor64& x) { return log_sigmoid(x); }},
      {"add", [](const Tensor64& x) { return x + x; }},
      {"sub", [](const Tensor64& x) { return x - 1.0; }},
      {"mul", [](const Tensor64& x) { return x * x; }},
      {"div", [](const Tensor64& x) { return x / 3.0; }},
      {"rdiv", [](const Tensor64& x) { return 3.0 / x; }},
      {"maximum", [](const Tensor64& x) { return maximum(x, Tensor64(make({100.0}, {}))); }},
      {"minimum", [](const Tensor64& x) { return minimum(x, Tensor64(make({-100.0}, {}))); }},
      {"maximum (nan on the right)",
       [](const Tensor64& x) { return maximum(Tensor64(make({100.0}, {})), x); }},
      {"reshape",
       [](const Tensor64& x) {
         return reshape(reshape(x, {3, 2}), {2, 3});
       }},
      {"transpose", [](const Tensor64& x) { return transpose(transpose(x)); }},
      {"slice", [](const Tensor64& x) { return slice(x, 1, 0, 3); }},
      {"index_select", [](const Tensor64& x) {
         return index_select(x, 0, {0, 1});
       }}};
  for (const auto& [name, f] : elementwise) {
    INFO(name);
    Tensor64 x(xv, true);
    auto y = f(x);
    REQUIRE(y.shape() == Shape{2, 3});
    for (std::size_t i = 0; i < 2; ++i) {
      for (std::size_t j = 0; j < 3; ++j) {
        INFO("(" << i << "," << j << ") = " << y.value()(i, j));
        CHECK(std::isnan(y.value()(i, j)) == (i == 0 && j == 1));
      }
    }
    sum(y).backward();  // backward never throws or crashes on nan
    CHECK(x.grad().shape() == Shape{2, 3});
  }
  // reductions along axis 1: row 0 is nan, row 1 finite
  const std::vector<std::pair<const char*, F>> rowwise = {
      {"sum", [](const Tensor64& x) { return sum(x, 1); }},
      {"mean", [](const Tensor64& x) { return mean(x, 1); }},
      {"max", [](const Tensor64& x) { return max(x, 1); }},
      {"logsumexp", [](const Tensor64& x) { return logsumexp(x, 1); }},
      {"softmax", [](const Tensor64& x) { return sum(softmax(x, 1), 1); }},
      {"log_softmax", [](const Tensor64& x) { return sum(log_softmax(x, 1), 1); }},
      {"matmul", [](const Tensor64& x) {
         return sum(matmul(x, Tensor64(make({1, 2, 3, 4, 5, 6}, {3, 2}))), 1);
       }}};
  for (const auto& [name, f] : rowwise) {
    INFO(name);
    Tensor64 x(xv, true);
    auto y = f(x);
    REQUIRE(y.shape() == Shape{2});
    CHECK(std::isnan(y.value()(0)));
    CHECK(std::isfinite(y.value()(1)));
    sum(y).backward();
    CHECK(x.grad().shape() == Shape{2, 3});
  }
  // whole-tensor reductions and losses
  Tensor64 x(xv, true);
  Tensor64 t(make({0, 1, 0, 1, 0, 1}, {2, 3}));
  CHECK(std::isnan(sum(x).item()));
  CHECK(std::isnan(mean(x).item()));
  CHECK(std::isnan(mse_loss(x, t).item()));
  CHECK(std::isnan(sse_loss(x, t).item()));
  CHECK(std::isnan(binary_cross_entropy_with_logits(x, t).item()));
  CHECK(std::isnan(cross_entropy(x, {0, 1}).item()));
  CHECK(std::isnan(nll_loss(x, {1, 0}).item()));
  CHECK(std::isnan(concat({x, x}, 0).value()(2, 1)));
  CHECK(argmax(x, 1)(0) == 1);  // argmax picks the nan (as PyTorch)
  // binary_cross_entropy rejects a nan probability (documented domain check)
  Tensor64 p(make({0.5, nan}, {2})), pt(make({1, 0}, {2}));
  CHECK_THROWS_AS(binary_cross_entropy(p, pt), std::invalid_argument);
}

TEST_CASE("numerics: relu and clamp gradients at a nan input", "[reliability][numerics]") {
  const double nan = std::nan("");
  Tensor64 x(make({nan, 1.0, -1.0}, {3}), true);
  relu(x).backward(make({5, 5, 5}, {3}));
  CHECK(x.grad()(0) == 5.0);  // x <= 0 is false for nan: the gradient passes (PyTorch)
  CHECK(x.grad()(1) == 5.0);
  CHECK(x.grad()(2) == 0.0);
  x.zero_grad();
  clamp(x, -2.0, 2.0).backward(make({5, 5, 5}, {3}));
  CHECK((x.grad() == make({0, 5, 5}, {3})));  // (x >= min) & (x <= max) is false for nan
}

TEST_CASE("numerics: division by zero and sqrt and log at 0 follow IEEE with their gradients",
          "[reliability][numerics]") {
  const double inf = std::numeric_limits<double>::infinity();
  Tensor64 a(make({1.0, -1.0, 0.0}, {3}), true);
  Tensor64 b(make({0.0, 0.0, 0.0}, {3}), true);
  auto q = a / b;
  CHECK(q.value()(0) == inf);
  CHECK(q.value()(1) == -inf);
  CHECK(std::isnan(q.value()(2)));
  sum(q).backward();
  // d/da = 1/b = +inf (b = +0); d/db = -a/b^2: -inf, +inf, nan
  CHECK((a.grad() == make({inf, inf, inf}, {3})));
  CHECK(b.grad()(0) == -inf);
  CHECK(b.grad()(1) == inf);
  CHECK(std::isnan(b.grad()(2)));

  Tensor64 z(make({0.0}, {1}), true);
  auto s = sqrt(z);
  CHECK(s.value()(0) == 0.0);
  sum(s).backward();
  CHECK(z.grad()(0) == inf);  // 1 / (2 sqrt(0))
  z.zero_grad();
  auto l = log(z);
  CHECK(l.value()(0) == -inf);
  sum(l).backward();
  CHECK(z.grad()(0) == inf);  // 1 / 0
  z.zero_grad();
  auto r = 2.0 / z;
  CHECK(r.value()(0) == inf);
  sum(r).backward();
  CHECK(z.grad()(0) == -inf);  // -2 / 0^2
  CHECK(std::isnan(log(Tensor64(make({-1.0}, {1}))).value()(0)));
  CHECK(std::isnan(sqrt(Tensor64(make({-1.0}, {1}))).value()(0)));
  // float: the same IEEE results
  Tensor zf(xt::xarray<float>{0.f}, true);
  sum(sqrt(zf)).backward();
  CHECK(zf.grad()(0) == std::numeric_limits<float>::infinity());
}

// ---- N5 -----------------------------------------------------------------------------------

TEST_CASE("numerics: every op accepts a zero-size 0x3 input",
          "[reliability][numerics][zero-size]") {
  using F = std::function<Tensor64(const Tensor64&)>;
  struct Case {
    const char* name;
    F f;
    Shape shape;
  };
  const Tensor64 v3(make({1, 2, 3}, {3}));
  const Tensor64 w32(make({1, 2, 3, 4, 5, 6}, {3, 2}));
  const Tensor64 full(make({1, 2, 3, 4, 5, 6}, {2, 3}));
  const std::vector<Case> cases = {
      {"neg", [](const Tensor64& x) { return -x; }, {0, 3}},
      {"exp", [](const Tensor64& x) { return exp(x); }, {0, 3}},
      {"log", [](const Tensor64& x) { return log(x); }, {0, 3}},
      {"sqrt", [](const Tensor64& x) { return sqrt(x); }, {0, 3}},
      {"pow", [](const Tensor64& x) { return pow(x, 2.0); }, {0, 3}},
      {"abs", [](const Tensor64& x) { return abs(x); }, {0, 3}},
      {"sigmoid", [](const Tensor64& x) { return sigmoid(x); }, {0, 3}},
      {"tanh", [](const Tensor64& x) { return tanh(x); }, {0, 3}},
      {"relu", [](const Tensor64& x) { return relu(x); }, {0, 3}},
      {"leaky_relu", [](const Tensor64& x) { return leaky_relu(x); }, {0, 3}},
      {"clamp", [](const Tensor64& x) { return clamp(x, 0.0, 1.0); }, {0, 3}},
      {"softplus", [](const Tensor64& x) { return softplus(x); }, {0, 3}},
      {"log_sigmoid", [](const Tensor64& x) { return log_sigmoid(x); }, {0, 3}},
      {"softmax", [](const Tensor64& x) { return softmax(x, 1); }, {0, 3}},
      {"log_softmax", [](const Tensor64& x) { return log_softmax(x, 0); }, {0, 3}},
      {"logsumexp axis 1", [](const Tensor64& x) { return logsumexp(x, 1); }, {0}},
      {"add scalar", [](const Tensor64& x) { return x + 1.0; }, {0, 3}},
      {"add broadcast", [&](const Tensor64& x) { return x + v3; }, {0, 3}},
      {"sub broadcast", [&](const Tensor64& x) { return v3 - x; }, {0, 3}},
      {"mul broadcast", [&](const Tensor64& x) { return x * v3; }, {0, 3}},
      {"div broadcast", [&](const Tensor64& x) { return x / v3; }, {0, 3}},
      {"rdiv", [](const Tensor64& x) { return 1.0 / x; }, {0, 3}},
      {"maximum", [&](const Tensor64& x) { return maximum(x, v3); }, {0, 3}},
      {"minimum", [&](const Tensor64& x) { return minimum(v3, x); }, {0, 3}},
      {"matmul", [&](const Tensor64& x) { return matmul(x, w32); }, {0, 2}},
      {"transpose", [](const Tensor64& x) { return transpose(x); }, {3, 0}},
      {"reshape",
       [](const Tensor64& x) {
         return reshape(x, {3, 0});
       },
       {3, 0}},
      {"concat with a non-empty",
       [&](const Tensor64& x) {
         return concat({x, full}, 0);
       },
       {2, 3}},
      {"index_select rows", [](const Tensor64& x) { return index_select(x, 0, {}); }, {0, 3}},
      {"index_select columns",
       [](const Tensor64& x) {
         return index_select(x, 1, {2, 0});
       },
       {0, 2}},
      {"slice", [](const Tensor64& x) { return slice(x, 1, 1, 3); }, {0, 2}},
      {"sum axis 1", [](const Tensor64& x) { return sum(x, 1); }, {0}},
      {"mean axis 1", [](const Tensor64& x) { return mean(x, 1); }, {0}},
      {"max axis 1", [](const Tensor64& x) { return max(x, 1); }, {0}}};
  for (const auto& c : cases) {
    INFO(c.name);
    Tensor64 x(xt::xarray<double>::from_shape({0, 3}), true);
    auto y = c.f(x);
    CHECK(y.shape() == c.shape);
    sum(y).backward();
    REQUIRE(x.has_grad());
    CHECK(x.grad().shape() == Shape{0, 3});
  }
}

TEST_CASE("numerics: reductions and losses over zero elements",
          "[reliability][numerics][zero-size]") {
  const double inf = std::numeric_limits<double>::infinity();
  Tensor64 x(xt::xarray<double>::from_shape({0, 3}), true);
  // over the empty axis 0: sum 0, mean nan, logsumexp -inf (log of an empty sum)
  CHECK((sum(x, 0).value() == make({0, 0, 0}, {3})));
  const Tensor64 m0 = mean(x, 0);  // named: .value() of a temporary would dangle
  REQUIRE(m0.shape() == Shape{3});
  for (double m : m0.value()) CHECK(std::isnan(m));
  CHECK((logsumexp(x, 0).value() == make({-inf, -inf, -inf}, {3})));
  sum(sum(x, 0) + logsumexp(x, 0)).backward();
  CHECK(x.grad().shape() == Shape{0, 3});
  CHECK(sum(x).item() == 0.0);
  CHECK(std::isnan(mean(x).item()));
  // max / argmax over the empty axis throw (NumPy and PyTorch raise; xtensor would return
  // the lowest double for an empty axis)
  CHECK_THROWS_AS(max(x, 0), std::invalid_argument);
  CHECK_THROWS_AS(argmax(x, 0), std::invalid_argument);
  CHECK_THROWS_AS(max(x, -2, true), std::invalid_argument);
  // mean-reduced losses of nothing are nan, the sum-reduced sse_loss is 0 (as PyTorch)
  Tensor64 t(xt::xarray<double>::from_shape({0, 3}));
  CHECK(std::isnan(mse_loss(x, t).item()));
  CHECK(sse_loss(x, t).item() == 0.0);
  CHECK(std::isnan(binary_cross_entropy(x, t).item()));
  CHECK(std::isnan(binary_cross_entropy_with_logits(x, t).item()));
  CHECK(std::isnan(nll_loss(x, {}).item()));
  x.zero_grad();
  sse_loss(x, t).backward();
  CHECK(x.grad().shape() == Shape{0, 3});
  // a Linear on an empty batch
  Generator gen(1);
  nn::Linear64 fc(3, 2, gen);
  auto y = fc.forward(x);
  CHECK(y.shape() == Shape{0, 2});
  sum(y).backward();
  CHECK((fc.bias().grad() == make({0, 0}, {2})));
  CHECK(fc.weight().grad().shape() == Shape{2, 3});
  CHECK(all_finite(fc.weight().grad()));
}
