// SPDX-License-Identifier: MIT
// The gradient-check table of composite graphs: node reuse (diamonds), the tutorial's network
// and a mini-batch classifier, against central differences in double precision. Every single
// op is checked by the op registry (tests/registry: reference forward, gradcheck over the G2
// shapes and the A2 broadcast pairs), which took over the per-op rows of this table and of the
// former nn-ops table; its meta-test fails when a public op has no entry.
#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "support/gradcheck_table.hpp"

namespace {

using xgrad::Tensor64;
using Inputs = std::vector<Tensor64>;
using Row = xgrad::test::GradcheckRow;

std::vector<Row> table() {
  using namespace xgrad;
  std::vector<Row> rows = {
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
      // One input used three times in a concatenation.
      {"concat_reuse",
       [](const Inputs& in) {
         return concat({in[0], in[0] * in[1], in[0]}, 0);
       },
       {{{3, 2}, {3, 2}}, {{4}, {4}}}},
      // A mini-batch through a softmax classifier: rows picked and sliced, linear layer,
      // leaky_relu, cross-entropy; inputs X (5,3), W (3,4), b (4,).
      {"classifier_batch",
       [](const Inputs& in) {
         Tensor64 batch = concat({index_select(in[0], 0, {4, 1}), slice(in[0], 0, 0, 2)}, 0);
         Tensor64 h = leaky_relu(matmul(batch, in[1]) + in[2], 0.1);
         return cross_entropy(h, {0, 3, 1, 1}) + mean(logsumexp(h, 1));
       },
       {{{5, 3}, {3, 4}, {4}}}},
  };
  return rows;
}

}  // namespace

TEST_CASE("gradcheck table: composite graphs match central differences", "[ops][gradcheck]") {
  const auto rows = table();
  const std::size_t cases = xgrad::test::run_gradcheck_table(rows, 1000);
  // Keeps the table from shrinking unnoticed; update when rows are added.
  CHECK(rows.size() == 4);
  CHECK(cases == 7);
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

TEST_CASE("gradcheck: only inputs requiring grad are perturbed and values are restored",
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

TEST_CASE("gradcheck: full_jacobian mode passes right gradients of small composite graphs",
          "[gradcheck]") {
  using namespace xgrad;
  Generator gen(5);
  Tensor64 a(test::uniform_array({2, 3}, gen, -1, 1), true);
  Tensor64 b(test::uniform_array({3}, gen, -1, 1), true);
  Tensor64 c(test::uniform_array({2, 3}, gen, -1, 1), false);  // no gradient, not perturbed
  GradcheckOptions full;
  full.full_jacobian = true;
  const auto vector_output = [](const Inputs& i) { return tanh(i[0] * i[1]) + exp(i[2]) * i[1]; };
  {
    const auto r = gradcheck(vector_output, {a, b, c}, full);
    INFO(r.report);
    CHECK(r.ok);
    CHECK_FALSE(c.has_grad());
  }
  const auto matrix_output = [](const Inputs& i) { return sigmoid(matmul(i[0], i[1])); };
  Tensor64 w(test::uniform_array({3, 4}, gen, -1, 1), true);
  {
    const auto r = gradcheck(matrix_output, {a, w}, full);  // a (2,3) w (3,4): J is (8,6), (8,12)
    INFO(r.report);
    CHECK(r.ok);
  }
  const auto scalar_output = [](const Inputs& i) { return sum(sigmoid(matmul(i[0], i[1]))); };
  {
    const auto r = gradcheck(scalar_output, {a, w}, full);
    INFO(r.report);
    CHECK(r.ok);
  }
}

TEST_CASE("gradcheck: full_jacobian mode catches a Jacobian error that one VJP cancels",
          "[gradcheck]") {
  using namespace xgrad;
  // y = x a + w x with the w x term computed under NoGradGuard, so backward misses it: the
  // analytical Jacobian (2,1) is a, the true one a + w. With w orthogonal to the upstream
  // gradient v of the default check, <v, error> = v.w = 0 and the VJP check cannot see it.
  // gradcheck draws v = randn(y.shape) from Generator(options.seed); drawn the same way here.
  GradcheckOptions options;
  Generator gen(options.seed);
  const xt::xarray<double> v = randn<double>({2}, gen).value();
  const Tensor64 a(test::make({0.5, -1.5}, {2}));
  const Tensor64 w(test::make({v(1), -v(0)}, {2}));
  REQUIRE(std::abs(v(0) * w.value()(0) + v(1) * w.value()(1)) < 1e-15);
  const auto f = [&](const Inputs& i) {
    Tensor64 hidden;
    {
      NoGradGuard no_grad;
      hidden = i[0] * w;
    }
    return i[0] * a + hidden;
  };
  Tensor64 x(test::make({0.7}, {1}), true);
  const auto vjp = gradcheck(f, {x}, options);
  CHECK(vjp.ok);  // the blind spot of one VJP
  options.full_jacobian = true;
  const auto full = gradcheck(f, {x}, options);
  INFO(full.report);
  CHECK_FALSE(full.ok);
  CHECK_THAT(full.report, Catch::Contains("input 0 element (0,), output element (0,)"));
  CHECK_THAT(full.report, Catch::Contains("input 0 element (0,), output element (1,)"));
  // Each entry is named with both values: numerical a_j + w_j, analytical a_j.
  CHECK_THAT(full.report, Catch::Contains("output element (1,): numerical "));
  CHECK_THAT(full.report, Catch::Contains(", analytical -1.5 (|diff| "));
  // And the relu kink of the test above, in full mode too.
  Tensor64 k(test::make({1.0, 0.0, -1.0}, {3}), true);
  const auto kink = gradcheck([](const Inputs& i) { return relu(i[0]); }, {k}, options);
  CHECK_FALSE(kink.ok);
  CHECK_THAT(kink.report, Catch::Contains("input 0 element (1,), output element (1,)"));
  CHECK_THAT(kink.report, !Catch::Contains("output element (0,)"));
}
