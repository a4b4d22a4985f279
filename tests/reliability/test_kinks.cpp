// SPDX-License-Identifier: MIT
// docs/reliability.md G6: the subgradient xgrad picks at every kink, stated and tested exactly, in
// float and double. The choices are PyTorch's:
//   relu'(0) = 0              (PyTorch threshold_backward: x <= 0 ? 0 : g)
//   abs'(0) = 0               (sign(0) = 0; also at -0.0)
//   leaky_relu'(0) = slope    (PyTorch: x > 0 ? g : g * slope)
//   clamp'(x) = 1 for min <= x <= max, edges included (PyTorch: (x >= min) & (x <= max));
//             with min == max the single point x == min passes 1; with min > max every
//             element is max and no element passes the gradient (0 everywhere)
//   maximum/minimum at a tie a == b: half to each input (PyTorch >= 1.7)
//   max(x, axis) with ties: the whole gradient to the first maximum, the index argmax returns
//             (torch.max(dim) also routes to the returned index). xgrad has no amax / full
//             max reduction, so PyTorch's "amax splits evenly" rule has no counterpart here.
#include <cmath>
#include <limits>

#include "support/helpers.hpp"

using namespace xgrad;

namespace {

template <class T>
xt::xarray<T> arr(std::initializer_list<double> values, const Shape& shape) {
  xt::xarray<T> a = xt::xarray<T>::from_shape(shape);
  auto it = values.begin();
  for (T& v : a) v = static_cast<T>(*it++);
  return a;
}

/// d sum(w * f(x)) / dx for a fixed upstream gradient w.
template <class T, class F>
xt::xarray<T> grad_of(F f, const xt::xarray<T>& x, const xt::xarray<T>& w) {
  BasicTensor<T> t(x, true);
  f(t).backward(w);
  return t.grad();
}

}  // namespace

TEMPLATE_TEST_CASE("kinks: relu abs and leaky_relu at 0 and -0", "[reliability][kinks]", float,
                   double) {
  using T = TestType;
  const auto x = arr<T>({-1, -0.0, 0.0, 1}, {4});
  const auto w = arr<T>({3, 5, 7, 11}, {4});
  // relu'(0) = relu'(-0) = 0; relu'(-1) = 0; relu'(1) = 1
  CHECK((grad_of<T>([](auto& t) { return relu(t); }, x, w) == arr<T>({0, 0, 0, 11}, {4})));
  // abs'(0) = abs'(-0) = 0 (sign(0)); abs'(-1) = -1
  CHECK((grad_of<T>([](auto& t) { return abs(t); }, x, w) == arr<T>({-3, 0, 0, 11}, {4})));
  // leaky_relu'(0) = negative_slope (0.25 is exact in binary)
  CHECK((grad_of<T>([](auto& t) { return leaky_relu(t, T(0.25)); }, x, w) ==
         arr<T>({0.75, 1.25, 1.75, 11}, {4})));
  // slope 0 makes it relu, including at 0
  CHECK((grad_of<T>([](auto& t) { return leaky_relu(t, T(0)); }, x, w) ==
         arr<T>({0, 0, 0, 11}, {4})));
  // forward at the kink: relu(-0) and abs(-0) are zeros (sign aside)
  BasicTensor<T> z(arr<T>({-0.0}, {1}));
  CHECK(relu(z).value()(0) == T(0));
  CHECK(abs(z).value()(0) == T(0));
  CHECK_FALSE(std::signbit(abs(z).value()(0)));
}

TEMPLATE_TEST_CASE("kinks: clamp passes the gradient at both edges", "[reliability][kinks]", float,
                   double) {
  using T = TestType;
  const auto x = arr<T>({-2, -1, -0.5, 1, 2}, {5});
  const auto w = arr<T>({1, 2, 4, 8, 16}, {5});
  // [-1, 1]: x == -1 and x == 1 are edges (pass), -2 and 2 outside (0)
  CHECK((grad_of<T>([](auto& t) { return clamp(t, T(-1), T(1)); }, x, w) ==
         arr<T>({0, 2, 4, 8, 0}, {5})));
  // min == max == -1: only x == -1 passes
  CHECK((grad_of<T>([](auto& t) { return clamp(t, T(-1), T(-1)); }, x, w) ==
         arr<T>({0, 2, 0, 0, 0}, {5})));
  // min > max: every output is max, no element satisfies min <= x <= max, gradient 0
  BasicTensor<T> t(x, true);
  auto y = clamp(t, T(1), T(-1));
  CHECK((y.value() == arr<T>({-1, -1, -1, -1, -1}, {5})));
  y.backward(w);
  CHECK((t.grad() == arr<T>({0, 0, 0, 0, 0}, {5})));
  // one open side: the closed edge still passes
  const T inf = std::numeric_limits<T>::infinity();
  CHECK((grad_of<T>([inf](auto& s) { return clamp(s, T(-0.5), inf); }, x, w) ==
         arr<T>({0, 0, 4, 8, 16}, {5})));
}

TEMPLATE_TEST_CASE("kinks: maximum and minimum split ties half and half", "[reliability][kinks]",
                   float, double) {
  using T = TestType;
  BasicTensor<T> a(arr<T>({1, 2, 3, -0.0}, {4}), true);
  BasicTensor<T> b(arr<T>({1, 5, 0, 0.0}, {4}), true);  // ties at 0 and at -0 == +0
  const auto w = arr<T>({4, 8, 16, 32}, {4});
  maximum(a, b).backward(w);
  CHECK((a.grad() == arr<T>({2, 0, 16, 16}, {4})));
  CHECK((b.grad() == arr<T>({2, 8, 0, 16}, {4})));
  a.zero_grad();
  b.zero_grad();
  minimum(a, b).backward(w);
  CHECK((a.grad() == arr<T>({2, 8, 0, 16}, {4})));
  CHECK((b.grad() == arr<T>({2, 0, 16, 16}, {4})));
  // the same input on both sides: every element is a tie and the halves add up to 1
  a.zero_grad();
  maximum(a, a).backward(w);
  CHECK((a.grad() == w));
  // broadcast tie: the scalar side collects the halves of every tied element
  BasicTensor<T> s(arr<T>({2}, {}), true);
  BasicTensor<T> v(arr<T>({2, 2, 1}, {3}), true);
  maximum(s, v).backward(arr<T>({1, 1, 1}, {3}));
  CHECK(s.grad()() == T(2));  // 0.5 + 0.5 + 1
  CHECK((v.grad() == arr<T>({0.5, 0.5, 0}, {3})));
}

TEMPLATE_TEST_CASE("kinks: max along an axis routes a tie to the first maximum",
                   "[reliability][kinks]", float, double) {
  using T = TestType;
  // rows: all equal; max twice (positions 1 and 3); a single maximum
  BasicTensor<T> x(arr<T>({4, 4, 4, 4, 0, 9, 1, 9, 1, 2, 3, 0}, {3, 4}), true);
  auto m = max(x, 1);
  CHECK((m.value() == arr<T>({4, 9, 3}, {3})));
  const bool idx_ok = argmax(x, 1) == xt::xarray<std::int64_t>{0, 1, 2};
  CHECK(idx_ok);
  m.backward(arr<T>({10, 20, 30}, {3}));
  CHECK((x.grad() == arr<T>({10, 0, 0, 0, 0, 20, 0, 0, 0, 0, 30, 0}, {3, 4})));
  // along axis 0 with keepdims: column 0 ties (4, 0, 1 -> only 4), column 3 ties at 9 vs 4
  x.zero_grad();
  BasicTensor<T> c(arr<T>({5, 1, 5, 2, 5, 1}, {3, 2}), true);  // column 0 all 5
  max(c, 0, true).backward(arr<T>({1, 1}, {1, 2}));
  CHECK((c.grad() == arr<T>({1, 0, 0, 1, 0, 0}, {3, 2})));
}
