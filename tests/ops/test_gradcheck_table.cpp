// SPDX-License-Identifier: MIT
// The gradient-check table of composite graphs: node reuse (diamonds), the tutorial's network
// and a mini-batch classifier, against central differences in double precision. Every single
// op is checked by the op registry (tests/registry: reference forward, gradcheck over the G2
// shapes and the A2 broadcast pairs), which took over the per-op rows of this table and of the
// former nn-ops table; its meta-test fails when a public op has no entry.
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
