// SPDX-License-Identifier: MIT
// The gradient-check table of the neural-network ops (activations, softmax family, min/max,
// indexing, classification losses), in the style of test_gradcheck_table.cpp: every op over
// 1-d, non-square 2-d, 3-d and (for binary ops) broadcasting shapes, against central
// differences in double precision.
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "support/helpers.hpp"

namespace {

using xgrad::Shape;
using xgrad::Tensor64;
using Inputs = std::vector<Tensor64>;
using Fn = std::function<Tensor64(const Inputs&)>;

/// Where an input is drawn from: [lo, hi), with values closer than `gap` to any of `kinks`
/// pushed `gap` away from it, so that finite differences never straddle a kink.
struct Domain {
  double lo = -2.0, hi = 2.0;
  std::vector<double> kinks = {};
  double gap = 0.0;
};
const Domain kAny{};
const Domain kNonZero{-2.0, 2.0, {0.0}, 0.2};      // leaky_relu's kink
const Domain kClamp{-2.0, 2.0, {-0.5, 0.8}, 0.2};  // clamp(x, -0.5, 0.8)
const Domain kWide{-30.0, 30.0};                   // saturating regions
const Domain kProb{0.05, 0.95};                    // probabilities, BCE targets
const Domain kUnit{0.0, 1.0};                      // BCE-with-logits targets

xt::xarray<double> draw(const Shape& shape, xgrad::Generator& gen, const Domain& d) {
  xt::xarray<double> a = xgrad::test::uniform_array(shape, gen, d.lo, d.hi);
  for (double& v : a) {
    for (double k : d.kinks) {
      if (v > k - d.gap && v < k + d.gap) v = v < k ? k - d.gap : k + d.gap;
    }
  }
  return a;
}

struct Row {
  std::string name;
  Fn f;
  std::vector<std::vector<Shape>> shape_sets;  // one entry per case: the input shapes
  std::vector<Domain> domains = {kAny};        // per input; the last one repeats
};

const std::vector<std::vector<Shape>> kUnary = {{{}}, {{1}}, {{5}}, {{3, 4}}, {{2, 3, 4}}};
// Axis ops: the axis must exist, so no 0-d case.
const std::vector<std::vector<Shape>> kAxisAny = {{{1}}, {{5}}, {{3, 4}}, {{2, 3, 4}}};
const std::vector<std::vector<Shape>> kAxis1 = {{{3, 4}}, {{4, 1}}, {{2, 3, 4}}};
// Same shapes, then row, column and scalar broadcasting (as the main table).
const std::vector<std::vector<Shape>> kBinary = {
    {{}, {}},      {{5}, {5}},       {{3, 4}, {3, 4}},    {{3, 4}, {4}},
    {{4}, {3, 4}}, {{3, 4}, {3, 1}}, {{3, 1}, {3, 4}},    {{3, 4}, {}},
    {{}, {3, 4}},  {{4, 1}, {1, 4}}, {{1, 3, 2}, {3, 2}}, {{3, 1, 2}, {1, 3, 2}}};
// Loss inputs: prediction and target of one shape.
const std::vector<std::vector<Shape>> kPair = {
    {{}, {}}, {{5}, {5}}, {{4, 1}, {4, 1}}, {{2, 3}, {2, 3}}};
// (N,C) logits; the class of row i is (7 i + 1) mod C.
const std::vector<std::vector<Shape>> kLogits = {{{4, 3}}, {{1, 5}}, {{3, 1}}, {{2, 6}}};

std::string shape_string(const Shape& shape) {
  std::string s = "(";
  for (std::size_t d = 0; d < shape.size(); ++d) s += (d ? "," : "") + std::to_string(shape[d]);
  return s + ")";
}

std::vector<std::size_t> classes_for(const Tensor64& logits) {
  std::vector<std::size_t> c(logits.shape()[0]);
  for (std::size_t i = 0; i < c.size(); ++i) c[i] = (7 * i + 1) % logits.shape()[1];
  return c;
}

std::vector<Row> table() {
  using namespace xgrad;
  const double inf = std::numeric_limits<double>::infinity();
  auto u = [](Tensor64 (*op)(const Tensor64&)) {
    return [op](const Inputs& in) { return op(in[0]); };
  };
  std::vector<Row> rows = {
      // softmax family, along the last, first and a middle axis
      {"softmax_last", [](const Inputs& in) { return softmax(in[0], -1); }, kAxisAny},
      {"softmax_axis0", [](const Inputs& in) { return softmax(in[0], 0); }, kAxisAny},
      {"softmax_axis1", [](const Inputs& in) { return softmax(in[0], 1); }, kAxis1},
      {"softmax_wide",
       [](const Inputs& in) { return softmax(in[0], -1); },
       {{{3, 4}}, {{6}}},
       {kWide}},
      {"log_softmax_last", [](const Inputs& in) { return log_softmax(in[0], -1); }, kAxisAny},
      {"log_softmax_axis0", [](const Inputs& in) { return log_softmax(in[0], 0); }, kAxisAny},
      {"log_softmax_axis1", [](const Inputs& in) { return log_softmax(in[0], 1); }, kAxis1},
      {"log_softmax_wide",
       [](const Inputs& in) { return log_softmax(in[0], 0); },
       {{{3, 4}}, {{6}}},
       {kWide}},
      {"logsumexp_last", [](const Inputs& in) { return logsumexp(in[0], -1); }, kAxisAny},
      {"logsumexp_axis0_keepdims", [](const Inputs& in) { return logsumexp(in[0], 0, true); },
       kAxisAny},
      {"logsumexp_axis1", [](const Inputs& in) { return logsumexp(in[0], 1); }, kAxis1},
      // elementwise activations
      {"leaky_relu", [](const Inputs& in) { return leaky_relu(in[0]); }, kUnary, {kNonZero}},
      {"leaky_relu_0.2",
       [](const Inputs& in) { return leaky_relu(in[0], 0.2); },
       kUnary,
       {kNonZero}},
      {"clamp", [](const Inputs& in) { return clamp(in[0], -0.5, 0.8); }, kUnary, {kClamp}},
      {"clamp_max_only",
       [inf](const Inputs& in) { return clamp(in[0], -inf, 0.8); },
       kUnary,
       {kClamp}},
      {"softplus", u(&xgrad::softplus<double>), kUnary},
      {"softplus_wide", u(&xgrad::softplus<double>), {{{3, 4}}}, {kWide}},
      {"log_sigmoid", u(&xgrad::log_sigmoid<double>), kUnary},
      {"log_sigmoid_wide", u(&xgrad::log_sigmoid<double>), {{{3, 4}}}, {kWide}},
      // elementwise maximum/minimum (broadcasting) and max along an axis
      {"maximum", [](const Inputs& in) { return maximum(in[0], in[1]); }, kBinary},
      {"minimum", [](const Inputs& in) { return minimum(in[0], in[1]); }, kBinary},
      {"max_last", [](const Inputs& in) { return max(in[0], -1); }, kAxisAny},
      {"max_axis0_keepdims", [](const Inputs& in) { return max(in[0], 0, true); }, kAxisAny},
      {"max_axis1", [](const Inputs& in) { return max(in[0], 1); }, kAxis1},
      // indexing: concat of 2 and 3 inputs, index_select with repeats, slices
      {"concat_axis0",
       [](const Inputs& in) { return concat(in, 0); },
       {{{2, 3}, {4, 3}}, {{1}, {5}}, {{2, 3}, {1, 3}, {3, 3}}, {{1, 2, 3}, {2, 2, 3}}}},
      {"concat_last",
       [](const Inputs& in) { return concat(in, -1); },
       {{{2, 3}, {2, 1}}, {{2, 1}, {2, 2}, {2, 3}}, {{3}, {2}}, {{2, 3, 1}, {2, 3, 2}}}},
      {"concat_axis1_3d",
       [](const Inputs& in) { return concat(in, 1); },
       {{{2, 1, 3}, {2, 2, 3}}, {{2, 2, 1}, {2, 1, 1}, {2, 3, 1}}}},
      {"concat_reuse",
       [](const Inputs& in) {
         return concat({in[0], in[0] * in[1], in[0]}, 0);
       },
       {{{3, 2}, {3, 2}}, {{4}, {4}}}},
      {"index_select_rows",
       [](const Inputs& in) {
         return index_select(in[0], 0, {2, 0, 2});
       },
       {{{3, 4}}, {{3}}, {{4, 2, 3}}}},
      {"index_select_last",
       [](const Inputs& in) {
         return index_select(in[0], -1, {1, 1, 0});
       },
       {{{3, 4}}, {{2}}, {{2, 3, 2}}}},
      {"slice_rows",
       [](const Inputs& in) { return slice(in[0], 0, 1, 3); },
       {{{5}}, {{3, 4}}, {{4, 2, 3}}}},
      {"slice_negative",
       [](const Inputs& in) { return slice(in[0], -1, -2, 100); },
       {{{5}}, {{3, 4}}, {{2, 3, 4}}}},
      {"slice_axis1",
       [](const Inputs& in) { return slice(in[0], 1, 0, 2); },
       {{{3, 4}}, {{2, 3, 4}}}},
      // losses (targets require grad too)
      {"binary_cross_entropy",
       [](const Inputs& in) { return binary_cross_entropy(in[0], in[1]); },
       kPair,
       {kProb}},
      {"binary_cross_entropy_with_logits",
       [](const Inputs& in) { return binary_cross_entropy_with_logits(in[0], in[1]); },
       kPair,
       {Domain{-4.0, 4.0}, kUnit}},
      {"bce_with_logits_wide",
       [](const Inputs& in) { return binary_cross_entropy_with_logits(in[0], in[1]); },
       {{{3, 4}, {3, 4}}},
       {kWide, kUnit}},
      {"cross_entropy", [](const Inputs& in) { return cross_entropy(in[0], classes_for(in[0])); },
       kLogits},
      {"nll_loss", [](const Inputs& in) { return nll_loss(in[0], classes_for(in[0])); }, kLogits},
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

TEST_CASE("gradcheck table (nn ops): every op matches central differences",
          "[ops][gradcheck][nn]") {
  const auto rows = table();
  std::size_t cases = 0;
  for (const Row& row : rows) {
    for (std::size_t s = 0; s < row.shape_sets.size(); ++s) {
      xgrad::Generator gen(2000 + s);
      Inputs inputs;
      const auto& shapes = row.shape_sets[s];
      for (std::size_t i = 0; i < shapes.size(); ++i) {
        const Domain& d = row.domains[std::min(i, row.domains.size() - 1)];
        inputs.emplace_back(draw(shapes[i], gen, d), true);
      }
      std::string desc;
      for (const auto& t : inputs) desc += " " + shape_string(t.shape());
      INFO(row.name << " case " << s << " (inputs:" << desc << ")");
      const auto r = xgrad::gradcheck(row.f, inputs);
      INFO(r.report);
      CHECK(r.ok);
      ++cases;
    }
  }
  // Keeps the table from shrinking unnoticed; update when rows are added.
  CHECK(rows.size() == 39);
  CHECK(cases == 148);
}

TEST_CASE("gradcheck (nn ops): smooth ops also pass the tight tolerance", "[ops][gradcheck][nn]") {
  using namespace xgrad;
  GradcheckOptions tight;
  tight.atol = 1e-6;
  tight.rtol = 1e-4;
  const std::vector<std::pair<std::string, Fn>> ops = {
      {"softmax", [](const Inputs& i) { return softmax(i[0], 1); }},
      {"log_softmax", [](const Inputs& i) { return log_softmax(i[0], 0); }},
      {"logsumexp", [](const Inputs& i) { return logsumexp(i[0], 1); }},
      {"softplus", [](const Inputs& i) { return softplus(i[0]); }},
      {"log_sigmoid", [](const Inputs& i) { return log_sigmoid(i[0]); }},
      {"cross_entropy",
       [](const Inputs& i) {
         return cross_entropy(i[0], {2, 0, 3});
       }},
  };
  for (const auto& [name, f] : ops) {
    Generator gen(7);
    Inputs in{Tensor64(test::uniform_array({3, 4}, gen, -2, 2), true)};
    const auto r = gradcheck(f, in, tight);
    INFO(name << ": " << r.report);
    CHECK(r.ok);
  }
}
