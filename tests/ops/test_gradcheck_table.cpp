// SPDX-License-Identifier: MIT
// The gradient-check table: every differentiable op, over 0-d, 1-d, non-square 2-d, 3-d and
// broadcasting shapes, checked against central differences in double precision.
#include <functional>
#include <string>
#include <vector>

#include "support/helpers.hpp"

namespace {

using xgrad::Shape;
using xgrad::Tensor64;
using Inputs = std::vector<Tensor64>;
using Fn = std::function<Tensor64(const Inputs&)>;

/// Where an op's inputs are drawn from: [lo, hi) with values pushed `gap` away from 0.
struct Domain {
  double lo = -2.0, hi = 2.0, gap = 0.0;
};
const Domain kAny{};
const Domain kPositive{0.2, 3.0, 0.0};  // log, sqrt, pow with fractional exponents
const Domain kNonZero{-2.0, 2.0, 0.2};  // denominators and the kinks of abs and relu

struct Row {
  std::string name;
  Fn f;
  std::vector<std::vector<Shape>> shape_sets;  // one entry per case: the input shapes
  Domain domain = kAny;
};

const std::vector<std::vector<Shape>> kUnary = {{{}}, {{1}}, {{5}}, {{3, 4}}, {{2, 3, 4}}};
// Same shapes, then row, column and scalar broadcasting, then pairs from PyTorch's OpInfo.
const std::vector<std::vector<Shape>> kBinary = {{{}, {}},
                                                 {{5}, {5}},
                                                 {{3, 4}, {3, 4}},
                                                 {{3, 4}, {4}},
                                                 {{4}, {3, 4}},
                                                 {{3, 4}, {3, 1}},
                                                 {{3, 1}, {3, 4}},
                                                 {{3, 4}, {}},
                                                 {{}, {3, 4}},
                                                 {{4, 1}, {1, 4}},
                                                 {{1}, {5, 4}},
                                                 {{1}, {}},
                                                 {{2}, {}},
                                                 {{1}, {2}},
                                                 {{2, 1}, {2}},
                                                 {{1, 2}, {2}},
                                                 {{3, 2}, {2}},
                                                 {{1, 3, 2}, {2}},
                                                 {{1, 3, 2}, {3, 2}},
                                                 {{3, 1, 2}, {3, 2}},
                                                 {{2, 3, 2}, {}},
                                                 {{3, 1, 2}, {1, 3, 2}},
                                                 {{2, 1, 3, 4}, {2, 1, 3, 1}}};

std::vector<Row> table() {
  using namespace xgrad;
  auto u = [](Tensor64 (*op)(const Tensor64&)) {
    return [op](const Inputs& in) { return op(in[0]); };
  };
  std::vector<Row> rows = {
      {"add", [](const Inputs& in) { return in[0] + in[1]; }, kBinary},
      {"sub", [](const Inputs& in) { return in[0] - in[1]; }, kBinary},
      {"mul", [](const Inputs& in) { return in[0] * in[1]; }, kBinary},
      {"div", [](const Inputs& in) { return in[0] / in[1]; }, kBinary, kNonZero},
      {"add_scalar", [](const Inputs& in) { return in[0] + 2.5; }, kUnary},
      {"scalar_add", [](const Inputs& in) { return 2.5 + in[0]; }, kUnary},
      {"sub_scalar", [](const Inputs& in) { return in[0] - 1.5; }, kUnary},
      {"rsub_scalar", [](const Inputs& in) { return 1.5 - in[0]; }, kUnary},
      {"mul_scalar", [](const Inputs& in) { return in[0] * -3.0; }, kUnary},
      {"scalar_mul", [](const Inputs& in) { return -3.0 * in[0]; }, kUnary},
      {"div_scalar", [](const Inputs& in) { return in[0] / 4.0; }, kUnary},
      {"rdiv_scalar", [](const Inputs& in) { return 4.0 / in[0]; }, kUnary, kNonZero},
      {"neg", [](const Inputs& in) { return -in[0]; }, kUnary},
      {"exp", u(&xgrad::exp<double>), kUnary},
      {"log", u(&xgrad::log<double>), kUnary, kPositive},
      {"sqrt", u(&xgrad::sqrt<double>), kUnary, kPositive},
      {"pow2", [](const Inputs& in) { return pow(in[0], 2.0); }, kUnary},
      {"pow3", [](const Inputs& in) { return pow(in[0], 3.0); }, kUnary},
      {"pow_frac", [](const Inputs& in) { return pow(in[0], 1.5); }, kUnary, kPositive},
      {"pow_neg", [](const Inputs& in) { return pow(in[0], -0.5); }, kUnary, kPositive},
      {"abs", u(&xgrad::abs<double>), kUnary, kNonZero},
      {"sigmoid", u(&xgrad::sigmoid<double>), kUnary},
      {"tanh", u(&xgrad::tanh<double>), kUnary},
      {"relu", u(&xgrad::relu<double>), kUnary, kNonZero},
      {"matmul",
       [](const Inputs& in) { return matmul(in[0], in[1]); },
       {{{4, 3}, {3, 2}}, {{1, 5}, {5, 1}}, {{3, 1}, {1, 4}}, {{2, 6}, {6, 3}}}},
      {"transpose",
       [](const Inputs& in) { return transpose(in[0]); },
       {{{3, 4}}, {{1, 5}}, {{2, 1}}}},
      {"reshape",
       [](const Inputs& in) { return reshape(in[0], {-1}); },
       {{{}}, {{5}}, {{3, 4}}, {{2, 3, 4}}}},
      {"reshape_2d",
       [](const Inputs& in) {
         return reshape(in[0], {2, -1, 3});
       },
       {{{3, 4}}, {{12}}, {{2, 3, 2}}}},
      {"sum", [](const Inputs& in) { return sum(in[0]); }, kUnary},
      {"sum_axis0", [](const Inputs& in) { return sum(in[0], 0); }, {{{5}}, {{3, 4}}, {{2, 3, 4}}}},
      {"sum_axis_last_keepdims",
       [](const Inputs& in) { return sum(in[0], -1, true); },
       {{{5}}, {{3, 4}}, {{2, 3, 4}}}},
      {"sum_axis1", [](const Inputs& in) { return sum(in[0], 1); }, {{{3, 4}}, {{2, 3, 4}}}},
      {"mean", [](const Inputs& in) { return mean(in[0]); }, kUnary},
      {"mean_axis0",
       [](const Inputs& in) { return mean(in[0], 0); },
       {{{5}}, {{3, 4}}, {{2, 3, 4}}}},
      {"mean_axis1_keepdims",
       [](const Inputs& in) { return mean(in[0], 1, true); },
       {{{3, 4}}, {{2, 3, 4}}}},
      {"sse_loss",
       [](const Inputs& in) { return sse_loss(in[0], in[1]); },
       {{{4, 1}, {4, 1}}, {{5}, {5}}, {{}, {}}}},
      {"mse_loss",
       [](const Inputs& in) { return mse_loss(in[0], in[1]); },
       {{{4, 1}, {4, 1}}, {{5}, {5}}, {{2, 3}, {2, 3}}}},
      // A diamond that reuses nodes: x feeds two branches that meet again.
      {"diamond",
       [](const Inputs& in) {
         Tensor64 a = in[0] * in[1];
         Tensor64 b = exp(a) + a * in[0];
         return sigmoid(b) * a + tanh(in[1]) * a;
       },
       {{{3, 4}, {3, 4}}, {{3, 4}, {4}}, {{}, {2, 2}}}},
      // The tutorial's network as one function of its weights.
      {"tutorial_net",
       [](const Inputs& in) {
         Tensor64 x(test::make({0, 0, 1, 0, 1, 1, 1, 0, 1, 1, 1, 1}, {4, 3}));
         Tensor64 y(test::make({0, 1, 1, 0}, {4, 1}));
         return sse_loss(sigmoid(matmul(sigmoid(matmul(x, in[0])), in[1])), y);
       },
       {{{3, 4}, {4, 1}}}},
  };
  return rows;
}

}  // namespace

TEST_CASE("gradcheck table: every op matches central differences", "[ops][gradcheck]") {
  const auto rows = table();
  std::size_t cases = 0;
  for (const Row& row : rows) {
    for (std::size_t s = 0; s < row.shape_sets.size(); ++s) {
      xgrad::Generator gen(1000 + s);
      Inputs inputs;
      for (const Shape& shape : row.shape_sets[s]) {
        inputs.emplace_back(
            xgrad::test::uniform_array(shape, gen, row.domain.lo, row.domain.hi, row.domain.gap),
            true);
      }
      std::string shapes;
      for (const auto& t : inputs) shapes += " " + std::to_string(t.dim()) + "-d";
      INFO(row.name << " case " << s << " (inputs:" << shapes << ")");
      const auto r = xgrad::gradcheck(row.f, inputs);
      INFO(r.report);
      CHECK(r.ok);
      ++cases;
    }
  }
  // Keeps the table from shrinking unnoticed; update when rows are added.
  CHECK(rows.size() == 39);
  CHECK(cases == 239);
}

TEST_CASE("gradcheck: smooth ops also pass the tight tolerance", "[ops][gradcheck]") {
  using namespace xgrad;
  xgrad::GradcheckOptions tight;
  tight.atol = 1e-6;
  tight.rtol = 1e-4;
  for (auto op : {&xgrad::exp<double>, &xgrad::tanh<double>, &xgrad::sigmoid<double>}) {
    Generator gen(7);
    Inputs in{Tensor64(test::uniform_array({3, 4}, gen, -2, 2), true)};
    const auto r = gradcheck([op](const Inputs& i) { return op(i[0]); }, in, tight);
    INFO(r.report);
    CHECK(r.ok);
  }
}

TEST_CASE("gradcheck: catches a wrong gradient and names input and element", "[gradcheck]") {
  using namespace xgrad;
  // relu evaluated exactly at its kink: the subgradient 0 disagrees with the one-sided
  // difference 0.5, so gradcheck must fail and say where.
  Tensor64 x(test::make({1.0, 0.0, -1.0}, {3}), true);
  const auto r = gradcheck([](const Inputs& i) { return relu(i[0]); }, {x});
  CHECK_FALSE(r.ok);
  CHECK_THAT(r.report, Catch::Contains("input 0 element (1,)"));
}

TEST_CASE("gradcheck: only inputs requiring grad are perturbed, values are restored",
          "[gradcheck]") {
  using namespace xgrad;
  Tensor64 a(test::make({1, 2, 3}, {3}), true);
  Tensor64 b(test::make({4, 5, 6}, {3}), false);
  const auto before_a = a.value();
  const auto r = gradcheck([](const Inputs& i) { return i[0] * i[1]; }, {a, b});
  CHECK(r.ok);
  CHECK(a.value() == before_a);
  CHECK_FALSE(b.has_grad());
  CHECK_FALSE(gradcheck([](const Inputs& i) { return i[0] * 2.0; }, {b}).ok);  // nothing to check
}
