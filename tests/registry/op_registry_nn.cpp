// SPDX-License-Identifier: MIT
// Registry entries of the neural-network ops: softmax family, elementwise activations,
// maximum/minimum/max, concat/index_select/slice and the classification losses.
#include <algorithm>
#include <cmath>
#include <limits>

#include "registry/op_registry.hpp"

namespace xgrad::test::registry {

namespace {

using ref::Array;

const Domain kNearZero{-2.0, 2.0, {0.0}, 0.01};          // leaky_relu's kink, >= 1e-2 away
const Domain kClampEdges{-2.0, 2.0, {-0.5, 0.8}, 0.01};  // clamp(x, -0.5, 0.8)
const Domain kWide{-30.0, 30.0};                         // saturating regions
const Domain kProb{0.05, 0.95};                          // probabilities, BCE targets
const Domain kUnit{0.0, 1.0};                            // BCE-with-logits targets
constexpr double kTieGap = 0.01;                         // >= 1e-3 between competitors

const ShapeSets kAxisAny = {{{1}}, {{5}}, {{3, 4}}, {{2, 3, 4}}, {{4, 1}}, {{1, 3, 1}}};
const ShapeSets kAxis1 = {{{3, 4}}, {{4, 1}}, {{2, 3, 4}}, {{1, 1}}};
const ShapeSets kLogits = {{{4, 3}}, {{1, 5}}, {{3, 1}}, {{2, 6}}, {{1, 1}}};
const ShapeSets kPairs = {
    {{}, {}}, {{1}, {1}}, {{5}, {5}}, {{4, 1}, {4, 1}}, {{2, 3, 4}, {2, 3, 4}}};

/// The class of row i of (N,C) logits: (7 i + 1) mod C.
std::vector<std::size_t> classes_for(std::size_t rows, std::size_t cols) {
  std::vector<std::size_t> c(rows);
  for (std::size_t i = 0; i < rows; ++i) c[i] = (7 * i + 1) % cols;
  return c;
}
template <class T>
std::vector<std::size_t> classes_for(const BasicTensor<T>& logits) {
  return classes_for(logits.shape()[0], logits.shape()[1]);
}

template <class F>
RefFn ref_unary(F f) {
  return [f](const Arrays& x) { return ref::unary(x[0], f); };
}

/// Along `axis`, the largest element of every slice exceeds the second largest by kTieGap.
std::function<bool(const Arrays&)> no_ties_along(std::int64_t axis) {
  return [axis](const Arrays& x) {
    bool ok = true;
    ref::reduce_axis(x[0], axis, false, [&ok](const std::vector<double>& v) {
      std::vector<double> s = v;
      std::sort(s.rbegin(), s.rend());
      if (s.size() > 1 && s[0] - s[1] < kTieGap) ok = false;
      return 0.0;
    });
    return ok;
  };
}

/// mean over rows of -log_softmax(x)[i, c_i] (x is already log-probabilities if `lsm` is
/// false).
Array ref_nll(const Array& x, bool lsm) {
  const std::size_t n = x.shape()[0], c = x.shape()[1];
  const Array lp = lsm ? ref::map_axis(x, 1, ref::log_softmax_of) : x;
  const auto cls = classes_for(n, c);
  std::vector<double> terms(n);
  for (std::size_t i = 0; i < n; ++i) terms[i] = -lp.data()[i * c + cls[i]];
  return ref::scalar(ref::mean_of(terms));
}

std::vector<OpEntry> softmax_family() {
  auto softmax_ref = [](std::int64_t axis) {
    return [axis](const Arrays& x) { return ref::map_axis(x[0], axis, ref::softmax_of); };
  };
  auto log_softmax_ref = [](std::int64_t axis) {
    return [axis](const Arrays& x) { return ref::map_axis(x[0], axis, ref::log_softmax_of); };
  };
  auto lse_ref = [](std::int64_t axis, bool keep) {
    return [axis, keep](const Arrays& x) {
      return ref::reduce_axis(x[0], axis, keep, ref::logsumexp_of);
    };
  };
  return {
      {"softmax",
       {variant(
            "softmax_last", {"softmax(Tensor,int64_t)"},
            [](const auto& in) { return xgrad::softmax(in[0], -1); }, softmax_ref(-1))
            .on(kAxisAny)
            .empty({{{0, 3}}, {{3, 0}}})
            .tight(),
        variant(
            "softmax_axis0", {"softmax(Tensor,int64_t)"},
            [](const auto& in) { return xgrad::softmax(in[0], 0); }, softmax_ref(0))
            .on(kAxisAny)
            .empty({{{0, 3}}})
            .tight(),
        variant(
            "softmax_axis1", {"softmax(Tensor,int64_t)"},
            [](const auto& in) { return xgrad::softmax(in[0], 1); }, softmax_ref(1))
            .on(kAxis1)
            .tight(),
        variant(
            "softmax_wide", {"softmax(Tensor,int64_t)"},
            [](const auto& in) { return xgrad::softmax(in[0], -1); }, softmax_ref(-1))
            .on({{{3, 4}}, {{6}}})
            .in({kWide})}},
      {"log_softmax",
       {variant(
            "log_softmax_last", {"log_softmax(Tensor,int64_t)"},
            [](const auto& in) { return xgrad::log_softmax(in[0], -1); }, log_softmax_ref(-1))
            .on(kAxisAny)
            .empty({{{0, 3}}, {{3, 0}}})
            .tight(),
        variant(
            "log_softmax_axis0", {"log_softmax(Tensor,int64_t)"},
            [](const auto& in) { return xgrad::log_softmax(in[0], 0); }, log_softmax_ref(0))
            .on(kAxisAny)
            .tight(),
        variant(
            "log_softmax_axis1", {"log_softmax(Tensor,int64_t)"},
            [](const auto& in) { return xgrad::log_softmax(in[0], 1); }, log_softmax_ref(1))
            .on(kAxis1)
            .tight(),
        variant(
            "log_softmax_wide", {"log_softmax(Tensor,int64_t)"},
            [](const auto& in) { return xgrad::log_softmax(in[0], 0); }, log_softmax_ref(0))
            .on({{{3, 4}}, {{6}}})
            .in({kWide})}},
      {"logsumexp",
       {variant(
            "logsumexp_last", {"logsumexp(Tensor,int64_t,bool)"},
            [](const auto& in) { return xgrad::logsumexp(in[0], -1); }, lse_ref(-1, false))
            .on(kAxisAny)
            .empty({{{0, 3}}, {{3, 0}}})
            .tight(),
        variant(
            "logsumexp_axis0_keepdims", {"logsumexp(Tensor,int64_t,bool)"},
            [](const auto& in) { return xgrad::logsumexp(in[0], 0, true); }, lse_ref(0, true))
            .on(kAxisAny)
            .empty({{{0, 3}}})
            .tight(),
        variant(
            "logsumexp_axis1", {"logsumexp(Tensor,int64_t,bool)"},
            [](const auto& in) { return xgrad::logsumexp(in[0], 1); }, lse_ref(1, false))
            .on(kAxis1)
            .tight(),
        variant(
            "logsumexp_wide", {"logsumexp(Tensor,int64_t,bool)"},
            [](const auto& in) { return xgrad::logsumexp(in[0], -1); }, lse_ref(-1, false))
            .on({{{3, 4}}, {{6}}})
            .in({kWide})}},
  };
}

std::vector<OpEntry> activations() {
  return {
      {"leaky_relu",
       {variant(
            "leaky_relu", {"leaky_relu(Tensor,scalar)"},
            [](const auto& in) { return xgrad::leaky_relu(in[0]); },
            ref_unary([](double x) { return x > 0 ? x : 0.01 * x; }))
            .on(kUnaryShapes)
            .empty(kUnaryEmpty)
            .in({kNearZero}),
        variant(
            "leaky_relu_0.2", {"leaky_relu(Tensor,scalar)"},
            [](const auto& in) {
              using T = value_t<decltype(in)>;
              return xgrad::leaky_relu(in[0], T(0.2));
            },
            ref_unary([](double x) { return x > 0 ? x : 0.2 * x; }))
            .on(kUnaryShapes)
            .in({kNearZero})}},
      {"clamp",
       {variant(
            "clamp", {"clamp(Tensor,scalar,scalar)"},
            [](const auto& in) {
              using T = value_t<decltype(in)>;
              return xgrad::clamp(in[0], T(-0.5), T(0.8));
            },
            ref_unary([](double x) { return x < -0.5 ? -0.5 : (x > 0.8 ? 0.8 : x); }))
            .on(kUnaryShapes)
            .empty(kUnaryEmpty)
            .in({kClampEdges}),
        variant(
            "clamp_max_only", {"clamp(Tensor,scalar,scalar)"},
            [](const auto& in) {
              using T = value_t<decltype(in)>;
              return xgrad::clamp(in[0], -std::numeric_limits<T>::infinity(), T(0.8));
            },
            ref_unary([](double x) { return x > 0.8 ? 0.8 : x; }))
            .on(kUnaryShapes)
            .in({kClampEdges}),
        variant(
            "clamp_min_only", {"clamp(Tensor,scalar,scalar)"},
            [](const auto& in) {
              using T = value_t<decltype(in)>;
              return xgrad::clamp(in[0], T(-0.5), std::numeric_limits<T>::infinity());
            },
            ref_unary([](double x) { return x < -0.5 ? -0.5 : x; }))
            .on(kUnaryShapes)
            .in({kClampEdges})}},
      {"softplus",
       {variant(
            "softplus", {"softplus(Tensor)"}, [](const auto& in) { return xgrad::softplus(in[0]); },
            ref_unary([](double x) { return std::log1p(std::exp(x)); }))
            .on(kUnaryShapes)
            .empty(kUnaryEmpty)
            .tight(),
        variant(
            "softplus_wide", {"softplus(Tensor)"},
            [](const auto& in) { return xgrad::softplus(in[0]); },
            ref_unary([](double x) { return ref::softplus(x); }))
            .on({{{3, 4}}})
            .in({kWide})}},
      {"log_sigmoid",
       {variant(
            "log_sigmoid", {"log_sigmoid(Tensor)"},
            [](const auto& in) { return xgrad::log_sigmoid(in[0]); },
            ref_unary([](double x) { return std::log(ref::sigmoid(x)); }))
            .on(kUnaryShapes)
            .empty(kUnaryEmpty)
            .tight(),
        variant(
            "log_sigmoid_wide", {"log_sigmoid(Tensor)"},
            [](const auto& in) { return xgrad::log_sigmoid(in[0]); },
            ref_unary([](double x) { return -ref::softplus(-x); }))
            .on({{{3, 4}}})
            .in({kWide})}},
  };
}

std::vector<OpEntry> minmax() {
  auto apart = [](const Arrays& x) { return apart_broadcast(x[0], x[1], kTieGap); };
  auto max_ref = [](std::int64_t axis, bool keep) {
    return
        [axis, keep](const Arrays& x) { return ref::reduce_axis(x[0], axis, keep, ref::max_of); };
  };
  return {
      {"maximum",
       {variant(
            "maximum", {"maximum(Tensor,Tensor)"},
            [](const auto& in) { return xgrad::maximum(in[0], in[1]); },
            [](const Arrays& x) {
              return ref::binary(x[0], x[1], [](double a, double b) { return a > b ? a : b; });
            })
            .on(kBinaryShapes)
            .empty(kBinaryEmpty)
            .when(apart)}},
      {"minimum",
       {variant(
            "minimum", {"minimum(Tensor,Tensor)"},
            [](const auto& in) { return xgrad::minimum(in[0], in[1]); },
            [](const Arrays& x) {
              return ref::binary(x[0], x[1], [](double a, double b) { return a < b ? a : b; });
            })
            .on(kBinaryShapes)
            .empty(kBinaryEmpty)
            .when(apart)}},
      {"max",
       {variant(
            "max_last", {"max(Tensor,int64_t,bool)"},
            [](const auto& in) { return xgrad::max(in[0], -1); }, max_ref(-1, false))
            .on(kAxisAny)
            .empty({{{0, 3}}})
            .when(no_ties_along(-1)),
        variant(
            "max_axis0_keepdims", {"max(Tensor,int64_t,bool)"},
            [](const auto& in) { return xgrad::max(in[0], 0, true); }, max_ref(0, true))
            .on(kAxisAny)
            .empty({{{3, 0}}})
            .when(no_ties_along(0)),
        variant(
            "max_axis1", {"max(Tensor,int64_t,bool)"},
            [](const auto& in) { return xgrad::max(in[0], 1); }, max_ref(1, false))
            .on(kAxis1)
            .empty({{{0, 3}}})
            .when(no_ties_along(1))}},
  };
}

std::vector<OpEntry> indexing() {
  auto concat_ref = [](std::int64_t axis) {
    return [axis](const Arrays& x) { return ref::concat(x, axis); };
  };
  return {
      {"concat",
       {variant(
            "concat_axis0", {"concat(vector<Tensor>,int64_t)"},
            [](const auto& in) { return xgrad::concat(in, 0); }, concat_ref(0))
            .on({{{2, 3}, {4, 3}},
                 {{1}, {5}},
                 {{2, 3}, {1, 3}, {3, 3}},
                 {{1, 2, 3}, {2, 2, 3}},
                 {{3, 4}}})
            .empty({{{0, 3}, {2, 3}}, {{0, 3}, {0, 3}}})
            // Inputs on both sides of the node's inline edges: 2, 3 and 5.
            .sizes({{{2, 3}, {1, 3}},
                    {{2, 3}, {1, 3}, {3, 3}},
                    {{1, 3}, {2, 3}, {1, 3}, {3, 3}, {2, 3}}}),
        variant(
            "concat_last", {"concat(vector<Tensor>,int64_t)"},
            [](const auto& in) { return xgrad::concat(in, -1); }, concat_ref(-1))
            .on({{{2, 3}, {2, 1}}, {{2, 1}, {2, 2}, {2, 3}}, {{3}, {2}}, {{2, 3, 1}, {2, 3, 2}}})
            .empty({{{0, 3}, {0, 2}}, {{2, 0}, {2, 3}}}),
        variant(
            "concat_axis1_3d", {"concat(vector<Tensor>,int64_t)"},
            [](const auto& in) { return xgrad::concat(in, 1); }, concat_ref(1))
            .on({{{2, 1, 3}, {2, 2, 3}}, {{2, 2, 1}, {2, 1, 1}, {2, 3, 1}}}),
        variant(
            "concat_braced_list", {"concat(initializer_list<Tensor>,int64_t)"},
            [](const auto& in) {
              return xgrad::concat({in[0], in[1]}, 0);
            },
            concat_ref(0))
            .on({{{2, 3}, {1, 3}}, {{4}, {1}}})
            .empty({{{0, 3}, {1, 3}}})}},
      {"index_select",
       {variant(
            "index_select_rows", {"index_select(Tensor,int64_t,vector<size_t>)"},
            [](const auto& in) {
              return xgrad::index_select(in[0], 0, {2, 0, 2});
            },
            [](const Arrays& x) {
              return ref::index_select(x[0], 0, {2, 0, 2});
            })
            .on({{{3, 4}}, {{3}}, {{4, 2, 3}}, {{3, 1}}}),
        variant(
            "index_select_last", {"index_select(Tensor,int64_t,vector<size_t>)"},
            [](const auto& in) {
              return xgrad::index_select(in[0], -1, {1, 1, 0});
            },
            [](const Arrays& x) {
              return ref::index_select(x[0], -1, {1, 1, 0});
            })
            .on({{{3, 4}}, {{2}}, {{2, 3, 2}}})
            .empty({{{0, 3}}}),
        variant(
            "index_select_none", {"index_select(Tensor,int64_t,vector<size_t>)"},
            [](const auto& in) { return xgrad::index_select(in[0], 0, {}); },
            [](const Arrays& x) { return ref::index_select(x[0], 0, {}); })
            .empty({{{0, 3}}, {{3, 4}}})}},
      {"slice",
       {variant(
            "slice_rows", {"slice(Tensor,int64_t,int64_t,int64_t)"},
            [](const auto& in) { return xgrad::slice(in[0], 0, 1, 3); },
            [](const Arrays& x) { return ref::slice(x[0], 0, 1, 3); })
            .on({{{5}}, {{3, 4}}, {{4, 2, 3}}})
            .empty({{{0, 3}}, {{1, 3}}}),
        variant(
            "slice_negative", {"slice(Tensor,int64_t,int64_t,int64_t)"},
            [](const auto& in) { return xgrad::slice(in[0], -1, -2, 100); },
            [](const Arrays& x) { return ref::slice(x[0], -1, -2, 100); })
            .on({{{5}}, {{3, 4}}, {{2, 3, 4}}, {{1}}})
            .empty({{{0, 3}}}),
        variant(
            "slice_axis1", {"slice(Tensor,int64_t,int64_t,int64_t)"},
            [](const auto& in) { return xgrad::slice(in[0], 1, 0, 2); },
            [](const Arrays& x) { return ref::slice(x[0], 1, 0, 2); })
            .on({{{3, 4}}, {{2, 3, 4}}})
            .empty({{{0, 3}}}),
        variant(
            "slice_empty_range", {"slice(Tensor,int64_t,int64_t,int64_t)"},
            [](const auto& in) { return xgrad::slice(in[0], 0, 2, 1); },
            [](const Arrays& x) { return ref::slice(x[0], 0, 2, 1); })
            .empty({{{3, 4}}, {{0, 3}}})}},
  };
}

std::vector<OpEntry> losses() {
  return {
      {"binary_cross_entropy",
       {variant(
            "binary_cross_entropy", {"binary_cross_entropy(Tensor,Tensor)"},
            [](const auto& in) { return xgrad::binary_cross_entropy(in[0], in[1]); },
            [](const Arrays& x) {
              return ref::mean_all(ref::binary(x[0], x[1], [](double p, double y) {
                return -(y * std::max(std::log(p), -100.0) +
                         (1 - y) * std::max(std::log(1 - p), -100.0));
              }));
            })
            .on(kPairs)
            .empty({{{0, 3}, {0, 3}}})
            .in({kProb})}},
      {"binary_cross_entropy_with_logits",
       {variant(
            "bce_with_logits", {"binary_cross_entropy_with_logits(Tensor,Tensor)"},
            [](const auto& in) { return xgrad::binary_cross_entropy_with_logits(in[0], in[1]); },
            [](const Arrays& x) {
              return ref::mean_all(ref::binary(x[0], x[1], [](double z, double y) {
                return -(y * std::log(ref::sigmoid(z)) + (1 - y) * std::log(1 - ref::sigmoid(z)));
              }));
            })
            .on(kPairs)
            .empty({{{0, 3}, {0, 3}}})
            .in({Domain{-4.0, 4.0}, kUnit})
            .tight(),
        variant(
            "bce_with_logits_wide", {"binary_cross_entropy_with_logits(Tensor,Tensor)"},
            [](const auto& in) { return xgrad::binary_cross_entropy_with_logits(in[0], in[1]); },
            [](const Arrays& x) {
              return ref::mean_all(ref::binary(
                  x[0], x[1], [](double z, double y) { return ref::softplus(z) - z * y; }));
            })
            .on({{{3, 4}, {3, 4}}})
            .in({kWide, kUnit})}},
      {"cross_entropy",
       {variant(
            "cross_entropy", {"cross_entropy(Tensor,vector<size_t>)"},
            [](const auto& in) { return xgrad::cross_entropy(in[0], classes_for(in[0])); },
            [](const Arrays& x) { return ref_nll(x[0], true); })
            .on(kLogits)
            .empty({{{0, 3}}})
            .tight()}},
      {"nll_loss",
       {variant(
            "nll_loss", {"nll_loss(Tensor,vector<size_t>)"},
            [](const auto& in) { return xgrad::nll_loss(in[0], classes_for(in[0])); },
            [](const Arrays& x) { return ref_nll(x[0], false); })
            .on(kLogits)
            .empty({{{0, 3}}})
            .tight()}},
  };
}

}  // namespace

std::vector<OpEntry> nn_entries() {
  std::vector<OpEntry> all;
  for (auto* part : {&softmax_family, &activations, &minmax, &indexing, &losses}) {
    for (auto& e : part()) all.push_back(std::move(e));
  }
  return all;
}

}  // namespace xgrad::test::registry
