// SPDX-License-Identifier: MIT
// Registry entries of the core ops: arithmetic (tensor-tensor with broadcasting, and
// tensor-scalar overloads and operators), elementwise math, reductions, shape ops, matmul and
// the regression losses. Each reference is written with plain loops (support/reference.hpp).
#include <cmath>

#include "registry/op_registry.hpp"

namespace xgrad::test::registry {

const ShapeSets kUnaryShapes = {{{}},        {{1}},    {{5}},    {{3, 4}},
                                {{2, 3, 4}}, {{1, 4}}, {{3, 1}}, {{2, 1, 3}}};
const ShapeSets kUnaryEmpty = {{{0, 3}}, {{0}}};
const ShapeSets kA2Pairs = {{{1}, {}},
                            {{2}, {}},
                            {{1}, {2}},
                            {{2, 1}, {2}},
                            {{1, 2}, {2}},
                            {{3, 2}, {2}},
                            {{1, 3, 2}, {2}},
                            {{1, 3, 2}, {3, 2}},
                            {{3, 1, 2}, {3, 2}},
                            {{2, 3, 2}, {}},
                            {{3, 1, 2}, {1, 3, 2}}};
const ShapeSets kBinaryShapes = [] {
  // Same shapes; row, column and scalar broadcasting; the regression pairs (1)*(5,4),
  // (4,1)*(1,4) and (B,1,T,H)*(B,1,T,1); then the A2 pairs.
  ShapeSets s = {{{}, {}},         {{5}, {5}},
                 {{3, 4}, {3, 4}}, {{2, 3, 4}, {2, 3, 4}},
                 {{1, 4}, {1, 4}}, {{3, 4}, {4}},
                 {{4}, {3, 4}},    {{3, 4}, {3, 1}},
                 {{3, 1}, {3, 4}}, {{3, 4}, {}},
                 {{}, {3, 4}},     {{4, 1}, {1, 4}},
                 {{1}, {5, 4}},    {{2, 1, 3, 4}, {2, 1, 3, 1}}};
  for (const auto& p : kA2Pairs) s.push_back(p);
  return s;
}();
const ShapeSets kBinaryEmpty = {{{0, 3}, {0, 3}}, {{0, 3}, {3}}, {{0, 3}, {}}, {{0, 1}, {1, 3}}};
const ShapeSets kLargeBinary = {{{33, 65}, {65}}, {{33, 1}, {1, 65}}};

namespace {

using ref::Array;

const Domain kNonZero = kNonZeroDomain;  // |x| >= 0.2: denominators (|d| > 0.1) and abs/relu kinks
const Domain kPositive = kPositiveDomain;  // log, sqrt, fractional and negative powers
/// abs and relu near their kink: |x| >= 0.01 (>= 1e-3, far beyond gradcheck's eps of 1e-6).
const Domain kNearKink{-2.0, 2.0, {0.0}, 0.01};

template <class F>
RefFn ref_unary(F f) {
  return [f](const Arrays& x) { return ref::unary(x[0], f); };
}
template <class F>
RefFn ref_binary(F f) {
  return [f](const Arrays& x) { return ref::binary(x[0], x[1], f); };
}

std::vector<OpEntry> arithmetic() {
  const auto add = [](double a, double b) { return a + b; };
  const auto div = [](double a, double b) { return a / b; };
  const std::vector<Domain> kDivDomains = {kAnyDomain, kNonZero};
  return {
      {"add",
       {variant(
            "add", {"add(Tensor,Tensor)"}, [](const auto& in) { return xgrad::add(in[0], in[1]); },
            ref_binary(add))
            .on(kBinaryShapes)
            .empty(kBinaryEmpty)
            .sizes(test::rank_samples_2in())
            .sizes(kLargeBinary)
            .tight(),
        variant(
            "operator+", {"operator+(Tensor,Tensor)"}, [](const auto& in) { return in[0] + in[1]; },
            ref_binary(add))
            .on(kBinaryShapes),
        variant(
            "add_scalar", {"add(Tensor,scalar)", "operator+(Tensor,scalar)"},
            [](const auto& in) { return xgrad::add(in[0], 2.5) + in[0] + 0.5; },
            ref_unary([](double x) { return 2 * x + 3.0; }))
            .on(kUnaryShapes)
            .empty(kUnaryEmpty),
        variant(
            "scalar_add", {"operator+(scalar,Tensor)"}, [](const auto& in) { return 2.5 + in[0]; },
            ref_unary([](double x) { return 2.5 + x; }))
            .on(kUnaryShapes)
            .empty(kUnaryEmpty)}},
      {"sub",
       {variant(
            "sub", {"sub(Tensor,Tensor)", "operator-(Tensor,Tensor)"},
            [](const auto& in) { return xgrad::sub(in[0], in[1]) + (in[1] - in[0]) * 0.5; },
            ref_binary([](double a, double b) { return 0.5 * (a - b); }))
            .on(kBinaryShapes)
            .empty(kBinaryEmpty)
            .tight(),
        variant(
            "sub_scalar", {"operator-(Tensor,scalar)"}, [](const auto& in) { return in[0] - 1.5; },
            ref_unary([](double x) { return x - 1.5; }))
            .on(kUnaryShapes)
            .empty(kUnaryEmpty)}},
      {"rsub",
       {variant(
            "rsub", {"rsub(Tensor,scalar)", "operator-(scalar,Tensor)"},
            [](const auto& in) { return xgrad::rsub(in[0], 1.5) + (0.5 - in[0]); },
            ref_unary([](double x) { return 2.0 - 2 * x; }))
            .on(kUnaryShapes)
            .empty(kUnaryEmpty)}},
      {"mul",
       {variant(
            "mul", {"mul(Tensor,Tensor)", "operator*(Tensor,Tensor)"},
            [](const auto& in) { return xgrad::mul(in[0], in[1]) + in[0] * in[1]; },
            ref_binary([](double a, double b) { return 2 * a * b; }))
            .on(kBinaryShapes)
            .empty(kBinaryEmpty)
            .sizes(kLargeBinary)
            .tight(),
        variant(
            "mul_scalar", {"mul(Tensor,scalar)", "operator*(Tensor,scalar)"},
            [](const auto& in) { return xgrad::mul(in[0], -3.0) + in[0] * 0.5; },
            ref_unary([](double x) { return -2.5 * x; }))
            .on(kUnaryShapes)
            .empty(kUnaryEmpty),
        variant(
            "scalar_mul", {"operator*(scalar,Tensor)"}, [](const auto& in) { return -3.0 * in[0]; },
            ref_unary([](double x) { return -3.0 * x; }))
            .on(kUnaryShapes)
            .empty(kUnaryEmpty)}},
      {"div",
       {variant(
            "div", {"div(Tensor,Tensor)"}, [](const auto& in) { return xgrad::div(in[0], in[1]); },
            ref_binary(div))
            .on(kBinaryShapes)
            .empty(kBinaryEmpty)
            .sizes(kLargeBinary)
            .in(kDivDomains)
            .tight(),
        variant(
            "operator/", {"operator/(Tensor,Tensor)"}, [](const auto& in) { return in[0] / in[1]; },
            ref_binary(div))
            .on(kBinaryShapes)
            .in(kDivDomains),
        variant(
            "div_scalar", {"div(Tensor,scalar)", "operator/(Tensor,scalar)"},
            [](const auto& in) { return xgrad::div(in[0], 4.0) + in[0] / -0.5; },
            ref_unary([](double x) { return x / 4.0 - 2 * x; }))
            .on(kUnaryShapes)
            .empty(kUnaryEmpty)}},
      {"rdiv",
       {variant(
            "rdiv", {"rdiv(Tensor,scalar)", "operator/(scalar,Tensor)"},
            [](const auto& in) { return xgrad::rdiv(in[0], 4.0) + 2.0 / in[0]; },
            ref_unary([](double x) { return 6.0 / x; }))
            .on(kUnaryShapes)
            .empty(kUnaryEmpty)
            .in({kNonZero})
            .tight()}},
  };
}

std::vector<OpEntry> elementwise() {
  return {
      {"neg",
       {variant(
            "neg", {"neg(Tensor)", "operator-(Tensor)"},
            [](const auto& in) { return xgrad::neg(in[0]) + -in[0] * 2.0; },
            ref_unary([](double x) { return -3 * x; }))
            .on(kUnaryShapes)
            .empty(kUnaryEmpty)
            .sizes(threshold_samples("neg"))
            .tight()}},
      {"exp",
       {variant(
            "exp", {"exp(Tensor)"}, [](const auto& in) { return xgrad::exp(in[0]); },
            ref_unary([](double x) { return std::exp(x); }))
            .on(kUnaryShapes)
            .empty(kUnaryEmpty)
            .sizes(threshold_samples("exp"))
            .sizes(test::rank_samples_1in())
            .tight()}},
      {"log",
       {variant(
            "log", {"log(Tensor)"}, [](const auto& in) { return xgrad::log(in[0]); },
            ref_unary([](double x) { return std::log(x); }))
            .on(kUnaryShapes)
            .empty(kUnaryEmpty)
            .sizes(threshold_samples("log"))
            .in({kPositive})
            .tight()}},
      {"sqrt",
       {variant(
            "sqrt", {"sqrt(Tensor)"}, [](const auto& in) { return xgrad::sqrt(in[0]); },
            ref_unary([](double x) { return std::sqrt(x); }))
            .on(kUnaryShapes)
            .empty(kUnaryEmpty)
            .sizes(threshold_samples("sqrt"))
            .in({kPositive})
            .tight()}},
      {"pow",
       {variant(
            "pow2", {"pow(Tensor,scalar)"}, [](const auto& in) { return xgrad::pow(in[0], 2.0); },
            ref_unary([](double x) { return x * x; }))
            .on(kUnaryShapes)
            .empty(kUnaryEmpty)
            .tight(),
        variant(
            "pow3", {"pow(Tensor,scalar)"}, [](const auto& in) { return xgrad::pow(in[0], 3.0); },
            ref_unary([](double x) { return x * x * x; }))
            .on(kUnaryShapes)
            .sizes(threshold_samples("pow"))
            .tight(),
        variant(
            "pow_frac", {"pow(Tensor,scalar)"},
            [](const auto& in) { return xgrad::pow(in[0], 1.5); },
            ref_unary([](double x) { return x * std::sqrt(x); }))
            .on(kUnaryShapes)
            .sizes(threshold_samples("pow"))
            .in({kPositive})
            .tight(),
        variant(
            "pow_neg_half", {"pow(Tensor,scalar)"},
            [](const auto& in) { return xgrad::pow(in[0], -0.5); },
            ref_unary([](double x) { return 1.0 / std::sqrt(x); }))
            .on(kUnaryShapes)
            .sizes(threshold_samples("pow"))
            .in({kPositive})
            .tight(),
        variant(
            "pow_minus1", {"pow(Tensor,scalar)"},
            [](const auto& in) { return xgrad::pow(in[0], -1.0); },
            ref_unary([](double x) { return 1.0 / x; }))
            .on(kUnaryShapes)
            .sizes(threshold_samples("pow"))
            .in({kNonZero})}},
      {"abs",
       {variant(
            "abs", {"abs(Tensor)"}, [](const auto& in) { return xgrad::abs(in[0]); },
            ref_unary([](double x) { return x < 0 ? -x : x; }))
            .on(kUnaryShapes)
            .empty(kUnaryEmpty)
            .in({kNearKink})}},
      {"sigmoid",
       {variant(
            "sigmoid", {"sigmoid(Tensor)"}, [](const auto& in) { return xgrad::sigmoid(in[0]); },
            ref_unary([](double x) { return ref::sigmoid(x); }))
            .on(kUnaryShapes)
            .empty(kUnaryEmpty)
            .sizes(threshold_samples("sigmoid"))
            .tight()}},
      {"tanh",
       {variant(
            "tanh", {"tanh(Tensor)"}, [](const auto& in) { return xgrad::tanh(in[0]); },
            ref_unary([](double x) {
              const double e = std::exp(-2 * x);
              return (1 - e) / (1 + e);
            }))
            .on(kUnaryShapes)
            .empty(kUnaryEmpty)
            .sizes(threshold_samples("tanh"))
            .tight()}},
      {"relu",
       {variant(
            "relu", {"relu(Tensor)"}, [](const auto& in) { return xgrad::relu(in[0]); },
            ref_unary([](double x) { return x > 0 ? x : 0.0; }))
            .on(kUnaryShapes)
            .empty(kUnaryEmpty)
            .in({kNearKink})}},
  };
}

std::vector<OpEntry> reductions_shape_linalg() {
  const ShapeSets kAxisAny = {{{1}}, {{5}}, {{3, 4}}, {{2, 3, 4}}, {{4, 1}}, {{1, 3, 1}}};
  const ShapeSets kAxis1 = {{{3, 4}}, {{4, 1}}, {{2, 3, 4}}, {{1, 1}}};
  const ShapeSets kEmpty2d = {{{0, 3}}, {{3, 0}}};
  return {
      {"sum",
       {variant(
            "sum", {"sum(Tensor)"}, [](const auto& in) { return xgrad::sum(in[0]); },
            [](const Arrays& x) { return ref::sum_all(x[0]); })
            .on(kUnaryShapes)
            .empty(kUnaryEmpty)
            .sizes(test::rank_samples_1in())
            .sizes({{{33, 65}}})
            .tight(),
        variant(
            "sum_axis0", {"sum(Tensor,int64_t,bool)"},
            [](const auto& in) { return xgrad::sum(in[0], 0); },
            [](const Arrays& x) { return ref::reduce_axis(x[0], 0, false, ref::sum_of); })
            .on(kAxisAny)
            .empty(kEmpty2d)
            .sizes(test::rank_samples_1in())
            .sizes({{{33, 65}}}),
        variant(
            "sum_last_keepdims", {"sum(Tensor,int64_t,bool)"},
            [](const auto& in) { return xgrad::sum(in[0], -1, true); },
            [](const Arrays& x) { return ref::reduce_axis(x[0], -1, true, ref::sum_of); })
            .on(kAxisAny)
            .empty(kEmpty2d),
        variant(
            "sum_axis1", {"sum(Tensor,int64_t,bool)"},
            [](const auto& in) { return xgrad::sum(in[0], 1); },
            [](const Arrays& x) { return ref::reduce_axis(x[0], 1, false, ref::sum_of); })
            .on(kAxis1)
            .empty(kEmpty2d)}},
      {"mean",
       {variant(
            "mean", {"mean(Tensor)"}, [](const auto& in) { return xgrad::mean(in[0]); },
            [](const Arrays& x) { return ref::mean_all(x[0]); })
            .on(kUnaryShapes)
            .empty(kUnaryEmpty)
            .tight(),
        variant(
            "mean_axis0", {"mean(Tensor,int64_t,bool)"},
            [](const auto& in) { return xgrad::mean(in[0], 0); },
            [](const Arrays& x) { return ref::reduce_axis(x[0], 0, false, ref::mean_of); })
            .on(kAxisAny)
            .empty(kEmpty2d),
        variant(
            "mean_axis1_keepdims", {"mean(Tensor,int64_t,bool)"},
            [](const auto& in) { return xgrad::mean(in[0], 1, true); },
            [](const Arrays& x) { return ref::reduce_axis(x[0], 1, true, ref::mean_of); })
            .on(kAxis1)
            .empty(kEmpty2d)
            .sizes({{{33, 65}}, {{65, 33}}})}},
      {"transpose",
       {variant(
            "transpose", {"transpose(Tensor)"},
            [](const auto& in) { return xgrad::transpose(in[0]); },
            [](const Arrays& x) { return ref::transpose(x[0]); })
            .on({{{3, 4}}, {{1, 5}}, {{2, 1}}, {{1, 1}}})
            .empty(kEmpty2d)}},
      {"reshape",
       {variant(
            "reshape_flat", {"reshape(Tensor,vector<int64_t>)"},
            [](const auto& in) { return xgrad::reshape(in[0], {-1}); },
            [](const Arrays& x) { return ref::reshape(x[0], {x[0].size()}); })
            .on(kUnaryShapes)
            .empty(kUnaryEmpty),
        variant(
            "reshape_3d", {"reshape(Tensor,vector<int64_t>)"},
            [](const auto& in) {
              return xgrad::reshape(in[0], {2, -1, 3});
            },
            [](const Arrays& x) {
              return ref::reshape(x[0], {2, x[0].size() / 6, 3});
            })
            .on({{{3, 4}}, {{12}}, {{2, 3, 2}}, {{6}}})
            .empty({{{0, 3}}}),
        variant(
            "reshape_to_0d", {"reshape(Tensor,vector<int64_t>)"},
            [](const auto& in) { return xgrad::reshape(in[0], {}); },
            [](const Arrays& x) { return ref::reshape(x[0], {}); })
            .on({{{1}}, {{1, 1}}, {{}}})}},
      {"flatten",
       {variant(
            "flatten", {"flatten(Tensor,int64_t,int64_t)"},
            [](const auto& in) { return xgrad::flatten(in[0]); },
            [](const Arrays& x) {  // (N, rest...) -> (N, prod(rest))
              const auto& s = x[0].shape();
              std::size_t rest = 1;
              for (std::size_t d = 1; d < s.size(); ++d) rest *= s[d];
              return ref::reshape(x[0], {s[0], rest});
            })
            .on({{{2, 3, 4}}, {{3, 4}}, {{2, 1, 3, 2}}, {{4, 1}}})
            .empty({{{0, 3, 2}}}),
        variant(
            "flatten_all", {"flatten(Tensor,int64_t,int64_t)"},
            [](const auto& in) { return xgrad::flatten(in[0], 0); },
            [](const Arrays& x) { return ref::reshape(x[0], {x[0].size()}); })
            .on({{{2, 3, 4}}, {{5}}, {{}}, {{3, 1}}}),
        variant(
            "flatten_middle", {"flatten(Tensor,int64_t,int64_t)"},
            [](const auto& in) { return xgrad::flatten(in[0], 1, -2); },
            [](const Arrays& x) {  // (a, b, c, d) -> (a, b*c, d)
              const auto& s = x[0].shape();
              return ref::reshape(x[0], {s[0], s[1] * s[2], s[3]});
            })
            .on({{{2, 3, 4, 2}}, {{1, 2, 2, 3}}})}},
      {"matmul",
       {variant(
            "matmul", {"matmul(Tensor,Tensor)"},
            [](const auto& in) { return xgrad::matmul(in[0], in[1]); },
            [](const Arrays& x) { return ref::matmul(x[0], x[1]); })
            .on({{{4, 3}, {3, 2}},
                 {{1, 5}, {5, 1}},
                 {{3, 1}, {1, 4}},
                 {{2, 6}, {6, 3}},
                 {{1, 1}, {1, 1}}})
            .empty({{{0, 3}, {3, 2}}, {{2, 3}, {3, 0}}, {{2, 0}, {0, 3}}})
            .sizes(product_samples("matmul", false))
            .tight()}},
      {"linear",
       {variant(
            "linear", {"linear(Tensor,Tensor,Tensor)"},
            [](const auto& in) { return xgrad::linear(in[0], in[1], in[2]); },
            [](const Arrays& x) {
              return ref::binary(ref::matmul(x[0], ref::transpose(x[1])), x[2],
                                 [](double a, double b) { return a + b; });
            })
            .on({{{4, 3}, {5, 3}, {5}}, {{1, 2}, {1, 2}, {1}}, {{3, 1}, {2, 1}, {2}}})
            .empty({{{0, 3}, {2, 3}, {2}}, {{2, 0}, {3, 0}, {3}}, {{2, 3}, {0, 3}, {0}}})
            .sizes(product_samples("linear", true))
            .tight(),
        variant(
            "linear_no_bias", {"linear(Tensor,Tensor,Tensor)"},
            [](const auto& in) { return xgrad::linear(in[0], in[1]); },
            [](const Arrays& x) { return ref::matmul(x[0], ref::transpose(x[1])); })
            .on({{{4, 3}, {5, 3}}, {{1, 1}, {1, 1}}, {{2, 4}, {1, 4}}})
            .empty({{{0, 3}, {2, 3}}, {{2, 0}, {3, 0}}})
            .sizes(product_samples("linear", false))}},
      {"sse_loss",
       {variant(
            "sse_loss", {"sse_loss(Tensor,Tensor)"},
            [](const auto& in) { return xgrad::sse_loss(in[0], in[1]); },
            [](const Arrays& x) {
              return ref::sum_all(
                  ref::binary(x[0], x[1], [](double p, double t) { return (t - p) * (t - p); }));
            })
            .on({{{}, {}}, {{1}, {1}}, {{5}, {5}}, {{4, 1}, {4, 1}}, {{2, 3, 4}, {2, 3, 4}}})
            .empty({{{0, 3}, {0, 3}}})
            .tight()}},
      {"mse_loss",
       {variant(
            "mse_loss", {"mse_loss(Tensor,Tensor)"},
            [](const auto& in) { return xgrad::mse_loss(in[0], in[1]); },
            [](const Arrays& x) {
              return ref::mean_all(
                  ref::binary(x[0], x[1], [](double p, double t) { return (p - t) * (p - t); }));
            })
            .on({{{}, {}},
                 {{1}, {1}},
                 {{5}, {5}},
                 {{4, 1}, {4, 1}},
                 {{2, 3}, {2, 3}},
                 {{2, 3, 4}, {2, 3, 4}}})
            .empty({{{0, 3}, {0, 3}}})
            .tight()}},
  };
}

}  // namespace

std::vector<OpEntry> core_entries() {
  std::vector<OpEntry> all;
  for (auto* part : {&arithmetic, &elementwise, &reductions_shape_linalg}) {
    for (auto& e : part()) all.push_back(std::move(e));
  }
  return all;
}

}  // namespace xgrad::test::registry
