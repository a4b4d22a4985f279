// SPDX-License-Identifier: MIT
// Binary ops when only one input requires grad: each backward has a separate path for that case
// (no work for the other input), checked here against hand-computed gradients, with equal shapes
// and with a broadcast second operand. The values are exact binary fractions, so the checks are
// exact.
#include "support/helpers.hpp"

using namespace xgrad;
using test::make;

namespace {

// a (2,3), b (2,3) or b_row (3,), and the upstream gradient g (2,3).
xt::xarray<double> a_values() { return make({1, 2, 3, 4, 5, 6}, {2, 3}); }
xt::xarray<double> b_values() { return make({2, 4, 8, 1, 2, 4}, {2, 3}); }
xt::xarray<double> b_row_values() { return make({2, 4, 8}, {3}); }
xt::xarray<double> seed() { return make({1, -1, 2, 3, 0.5, 1}, {2, 3}); }

enum class Op { add, sub, mul, div };

Tensor64 apply(Op op, const Tensor64& a, const Tensor64& b) {
  switch (op) {
    case Op::add:
      return a + b;
    case Op::sub:
      return a - b;
    case Op::mul:
      return a * b;
    case Op::div:
      return a / b;
  }
  return {};
}

/// The gradient of the one input that requires grad (a if `wrt_a`, else b) after backward with
/// the seed; the other input must get none.
xt::xarray<double> grad_of_one(Op op, bool wrt_a, const xt::xarray<double>& b_value) {
  Tensor64 a(a_values(), wrt_a);
  Tensor64 b(b_value, !wrt_a);
  apply(op, a, b).backward(seed());
  CHECK_FALSE((wrt_a ? b : a).has_grad());
  return (wrt_a ? a : b).grad();
}

}  // namespace

TEST_CASE("binary ops: only the first input requires grad, gradients are hand-computed",
          "[ops][binary][autograd]") {
  const auto b = b_values();
  const auto row = b_row_values();
  // add and sub: da = g, whatever b's shape.
  CHECK((grad_of_one(Op::add, true, b) == seed()));
  CHECK((grad_of_one(Op::sub, true, b) == seed()));
  CHECK((grad_of_one(Op::sub, true, row) == seed()));
  // mul: da = g b.
  CHECK((grad_of_one(Op::mul, true, b) == make({2, -4, 16, 3, 1, 4}, {2, 3})));
  CHECK((grad_of_one(Op::mul, true, row) == make({2, -4, 16, 6, 2, 8}, {2, 3})));
  // div: da = g / b.
  CHECK((grad_of_one(Op::div, true, b) == make({0.5, -0.25, 0.25, 3, 0.25, 0.25}, {2, 3})));
  CHECK((grad_of_one(Op::div, true, row) == make({0.5, -0.25, 0.25, 1.5, 0.125, 0.125}, {2, 3})));
}

TEST_CASE("binary ops: only the second input requires grad, gradients are hand-computed",
          "[ops][binary][autograd]") {
  const auto b = b_values();
  const auto row = b_row_values();
  // add: db = g; broadcast over the rows, the column sums of g (4, -0.5, 3).
  CHECK((grad_of_one(Op::add, false, b) == seed()));
  CHECK((grad_of_one(Op::add, false, row) == make({4, -0.5, 3}, {3})));
  // sub: db = -g; broadcast, minus the column sums.
  CHECK((grad_of_one(Op::sub, false, b) == make({-1, 1, -2, -3, -0.5, -1}, {2, 3})));
  CHECK((grad_of_one(Op::sub, false, row) == make({-4, 0.5, -3}, {3})));
  // mul: db = g a = (1, -2, 6, 12, 2.5, 6); broadcast, its column sums.
  CHECK((grad_of_one(Op::mul, false, b) == make({1, -2, 6, 12, 2.5, 6}, {2, 3})));
  CHECK((grad_of_one(Op::mul, false, row) == make({13, 0.5, 12}, {3})));
  // div: db = -g a / b^2. Same shapes: a / b^2 = (1/4, 1/8, 3/64, 4, 5/4, 3/8).
  CHECK((grad_of_one(Op::div, false, b) ==
         make({-0.25, 0.125, -0.09375, -12, -0.625, -0.375}, {2, 3})));
  // Broadcast: a / b^2 = (1/4, 1/8, 3/64, 1, 5/16, 3/32); -g a / b^2 summed over the rows.
  CHECK((grad_of_one(Op::div, false, row) == make({-3.25, -0.03125, -0.1875}, {3})));
}
