// SPDX-License-Identifier: MIT
// Registry entries of the image ops (ops/conv.hpp): conv2d, the pooling ops and batch_norm.
// The references are direct loops over the definitions (a sum over each output's window),
// independent of xgrad's im2col and GEMM.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

#include <xgrad/ops/conv.hpp>

#include "op_registry.hpp"

namespace xgrad::test::registry {
namespace {

using ref::Array;
using ref::RefShape;

/// Direct convolution: y[n,o,i,j] = b[o] + sum over c, a, q of w[o,c,a,q] x[n, g cg + c,
/// i s - p + a d, ...] (zero outside the input).
Array conv_ref(const Array& x, const Array& w, const Array* b, Size2 s, Size2 p, Size2 d,
               std::size_t groups) {
  const std::size_t n = x.shape()[0], c = x.shape()[1], h = x.shape()[2], wd = x.shape()[3];
  const std::size_t o = w.shape()[0], cg = w.shape()[1], kh = w.shape()[2], kw = w.shape()[3];
  const std::size_t og = o / groups;
  const auto out = [](std::size_t in, std::int64_t pad, std::int64_t dil, std::size_t k,
                      std::int64_t st) {
    return static_cast<std::size_t>(
        (static_cast<std::int64_t>(in) + 2 * pad - dil * (static_cast<std::int64_t>(k) - 1) - 1) /
            st +
        1);
  };
  const std::size_t ho = out(h, p.h, d.h, kh, s.h), wo = out(wd, p.w, d.w, kw, s.w);
  Array y = ref::filled({n, o, ho, wo}, 0.0);
  for (std::size_t in = 0; in < n; ++in) {
    for (std::size_t oc = 0; oc < o; ++oc) {
      const std::size_t g = oc / og;
      for (std::size_t i = 0; i < ho; ++i) {
        for (std::size_t j = 0; j < wo; ++j) {
          double acc = b != nullptr ? b->flat(oc) : 0.0;
          for (std::size_t ci = 0; ci < cg; ++ci) {
            for (std::size_t a = 0; a < kh; ++a) {
              for (std::size_t q = 0; q < kw; ++q) {
                const std::int64_t r =
                    static_cast<std::int64_t>(i) * s.h - p.h + static_cast<std::int64_t>(a) * d.h;
                const std::int64_t t =
                    static_cast<std::int64_t>(j) * s.w - p.w + static_cast<std::int64_t>(q) * d.w;
                if (r < 0 || t < 0 || r >= static_cast<std::int64_t>(h) ||
                    t >= static_cast<std::int64_t>(wd)) {
                  continue;
                }
                const std::size_t xc = g * cg + ci;
                acc += w.flat(((oc * cg + ci) * kh + a) * kw + q) *
                       x.flat(((in * c + xc) * h + static_cast<std::size_t>(r)) * wd +
                              static_cast<std::size_t>(t));
              }
            }
          }
          y.flat(((in * o + oc) * ho + i) * wo + j) = acc;
        }
      }
    }
  }
  return y;
}

/// Pooling over the last two axes: each output reduces the inputs of its window, which
/// starts at i s - p and spans k (clipped to the input; ceil_mode keeps a last partial
/// window that starts before the right padding). `avg` divides by the window's size inside
/// the padded input (count_include_pad) or inside the input.
enum class Pool { kMax, kAvgPad, kAvgNoPad };
Array pool_ref(const Array& x, Size2 k, Size2 s, Size2 p, bool ceil_mode, Pool kind) {
  const std::size_t rank = x.dimension();
  const std::size_t h = x.shape()[rank - 2], w = x.shape()[rank - 1];
  std::size_t planes = 1;
  for (std::size_t d = 0; d + 2 < rank; ++d) planes *= x.shape()[d];
  const auto out = [&](std::int64_t in, std::int64_t kk, std::int64_t st, std::int64_t pd) {
    std::int64_t num = in + 2 * pd - kk + (ceil_mode ? st - 1 : 0);
    std::int64_t o = num / st + 1;
    if (ceil_mode && (o - 1) * st >= in + pd) --o;
    return o;
  };
  const std::int64_t ho = out(static_cast<std::int64_t>(h), k.h, s.h, p.h);
  const std::int64_t wo = out(static_cast<std::int64_t>(w), k.w, s.w, p.w);
  RefShape shape(x.shape());
  shape[rank - 2] = static_cast<std::size_t>(ho);
  shape[rank - 1] = static_cast<std::size_t>(wo);
  Array y = ref::filled(shape, 0.0);
  const auto H = static_cast<std::int64_t>(h), W = static_cast<std::int64_t>(w);
  for (std::size_t pl = 0; pl < planes; ++pl) {
    for (std::int64_t i = 0; i < ho; ++i) {
      for (std::int64_t j = 0; j < wo; ++j) {
        const std::int64_t r0 = i * s.h - p.h, c0 = j * s.w - p.w;
        const std::int64_t r1p = std::min(r0 + k.h, H + p.h), c1p = std::min(c0 + k.w, W + p.w);
        double best = -std::numeric_limits<double>::infinity(), sum = 0;
        std::int64_t count = 0;
        for (std::int64_t r = std::max<std::int64_t>(r0, 0); r < std::min(r1p, H); ++r) {
          for (std::int64_t c = std::max<std::int64_t>(c0, 0); c < std::min(c1p, W); ++c) {
            const double v = x.flat(pl * h * w + static_cast<std::size_t>(r * W + c));
            best = std::max(best, v);
            sum += v;
            ++count;
          }
        }
        const double div = kind == Pool::kAvgPad ? static_cast<double>((r1p - r0) * (c1p - c0))
                                                 : static_cast<double>(count);
        y.flat(pl * static_cast<std::size_t>(ho * wo) + static_cast<std::size_t>(i * wo + j)) =
            kind == Pool::kMax ? best : sum / div;
      }
    }
  }
  return y;
}

Array adaptive_ref(const Array& x, std::size_t oh, std::size_t ow) {
  const std::size_t rank = x.dimension();
  const std::size_t h = x.shape()[rank - 2], w = x.shape()[rank - 1];
  std::size_t planes = 1;
  for (std::size_t d = 0; d + 2 < rank; ++d) planes *= x.shape()[d];
  RefShape shape(x.shape());
  shape[rank - 2] = oh;
  shape[rank - 1] = ow;
  Array y = ref::filled(shape, 0.0);
  for (std::size_t pl = 0; pl < planes; ++pl) {
    for (std::size_t i = 0; i < oh; ++i) {
      for (std::size_t j = 0; j < ow; ++j) {
        const auto lo = [](std::size_t a, std::size_t in, std::size_t o) {
          return static_cast<std::size_t>(std::floor(static_cast<double>(a * in) / o));
        };
        const auto hi = [](std::size_t a, std::size_t in, std::size_t o) {
          return static_cast<std::size_t>(std::ceil(static_cast<double>((a + 1) * in) / o));
        };
        double sum = 0;
        std::size_t count = 0;
        for (std::size_t r = lo(i, h, oh); r < hi(i, h, oh); ++r) {
          for (std::size_t c = lo(j, w, ow); c < hi(j, w, ow); ++c) {
            sum += x.flat((pl * h + r) * w + c);
            ++count;
          }
        }
        y.flat((pl * oh + i) * ow + j) = sum / static_cast<double>(count);
      }
    }
  }
  return y;
}

/// Batch norm with given (or batch) statistics per channel of axis 1.
Array batch_norm_ref(const Array& x, const Array* w, const Array* b, bool training,
                     const std::vector<double>& rmean, const std::vector<double>& rvar) {
  const std::size_t n = x.shape()[0], c = x.shape()[1];
  const std::size_t s = x.size() / std::max<std::size_t>(n * c, 1);
  Array y = ref::filled(RefShape(x.shape()), 0.0);
  for (std::size_t ch = 0; ch < c; ++ch) {
    std::vector<double> v;
    for (std::size_t i = 0; i < n; ++i) {
      for (std::size_t q = 0; q < s; ++q) v.push_back(x.flat((i * c + ch) * s + q));
    }
    double mean = rmean[ch], var = rvar[ch];
    if (training) {
      mean = ref::mean_of(v);
      var = 0;
      for (double e : v) var += (e - mean) * (e - mean) / static_cast<double>(v.size());
    }
    const double scale = (w != nullptr ? w->flat(ch) : 1.0) / std::sqrt(var + 1e-5);
    const double shift = b != nullptr ? b->flat(ch) : 0.0;
    for (std::size_t i = 0; i < n; ++i) {
      for (std::size_t q = 0; q < s; ++q) {
        const std::size_t at = (i * c + ch) * s + q;
        y.flat(at) = (x.flat(at) - mean) * scale + shift;
      }
    }
  }
  return y;
}

/// No two inputs closer than 1e-4 (a max whose argmax would flip under gradcheck's step).
bool no_near_ties(const Arrays& x) {
  std::vector<double> v(x[0].begin(), x[0].end());
  std::sort(v.begin(), v.end());
  for (std::size_t i = 1; i < v.size(); ++i) {
    if (v[i] - v[i - 1] < 1e-4) return false;
  }
  return true;
}

constexpr const char* kConv = "conv2d(Tensor,Tensor,Tensor,Conv2dOptions)";

OpVariant conv_variant(std::string name, Conv2dOptions o, bool bias, ShapeSets samples) {
  auto v = variant(
      std::move(name), {kConv},
      [o, bias](const auto& in) {
        using Tn = std::decay_t<decltype(in[0])>;
        return xgrad::conv2d(in[0], in[1], bias ? in[2] : Tn(), o);
      },
      [o, bias](const Arrays& x) {
        return conv_ref(x[0], x[1], bias ? &x[2] : nullptr, o.stride(), o.padding(), o.dilation(),
                        static_cast<std::size_t>(o.groups()));
      });
  return v.on(std::move(samples)).tight();
}

std::vector<OpEntry> convolutions() {
  return {{"conv2d",
           {conv_variant("conv2d", Conv2dOptions(), true,
                         {{{2, 3, 5, 6}, {4, 3, 3, 2}, {4}},  // non-square kernel and input
                          {{1, 1, 4, 4}, {2, 1, 3, 3}, {2}},  // batch 1, one channel
                          {{2, 2, 3, 3}, {1, 2, 3, 3}, {1}}}),
            conv_variant("conv2d_no_bias", Conv2dOptions(), false, {{{2, 3, 5, 4}, {2, 3, 2, 2}}}),
            conv_variant("conv2d_stride2_padding", Conv2dOptions().stride(2).padding(1), true,
                         {{{2, 2, 6, 5}, {3, 2, 3, 3}, {3}},
                          // 6 wide, kernel 3, stride 2: the last column is in no window
                          {{1, 1, 6, 6}, {2, 1, 3, 3}, {2}}}),
            conv_variant("conv2d_uncovered_pixels", Conv2dOptions().stride(2), false,
                         {{{1, 1, 6, 6}, {2, 1, 3, 3}}}),
            conv_variant("conv2d_mixed_options",
                         Conv2dOptions().stride({2, 1}).padding({1, 2}).dilation({2, 1}), true,
                         {{{1, 2, 7, 6}, {3, 2, 3, 2}, {3}}}),
            conv_variant("conv2d_dilation2", Conv2dOptions().dilation(2), true,
                         {{{2, 2, 7, 7}, {2, 2, 3, 3}, {2}}}),
            conv_variant("conv2d_groups2", Conv2dOptions().groups(2).padding(1), true,
                         {{{2, 4, 5, 5}, {6, 2, 3, 3}, {6}}}),
            conv_variant("conv2d_depthwise", Conv2dOptions().groups(3).padding(1), false,
                         {{{2, 3, 4, 5}, {3, 1, 3, 3}}, {{1, 3, 4, 4}, {6, 1, 2, 2}}}),
            conv_variant("conv2d_pointwise", Conv2dOptions(), true,
                         {{{2, 3, 4, 5}, {5, 3, 1, 1}, {5}}, {{1, 4, 3, 3}, {2, 4, 1, 1}, {2}}})
                .empty({{{0, 3, 4, 5}, {5, 3, 1, 1}, {5}}}),
            conv_variant("conv2d_pointwise_groups", Conv2dOptions().groups(2), false,
                         {{{2, 4, 3, 3}, {6, 2, 1, 1}}}),
            conv_variant("conv2d_1x1_stride2", Conv2dOptions().stride(2), true,
                         {{{2, 3, 5, 5}, {4, 3, 1, 1}, {4}}})
                .empty({{{0, 2, 5, 5}, {4, 2, 1, 1}, {4}}})}}};
}

OpVariant pool_variant(std::string name, std::string covers, Pool2dOptions o, Pool kind,
                       ShapeSets samples) {
  OpVariant v;
  if (kind == Pool::kMax) {
    v = variant(
        std::move(name), {std::move(covers)},
        [o](const auto& in) { return xgrad::max_pool2d(in[0], o); },
        [o](const Arrays& x) {
          return pool_ref(x[0], o.kernel(), o.stride(), o.padding(), o.ceil_mode(), Pool::kMax);
        });
    v.when(no_near_ties);
  } else {
    v = variant(
        std::move(name), {std::move(covers)},
        [o](const auto& in) { return xgrad::avg_pool2d(in[0], o); },
        [o, kind](const Arrays& x) {
          return pool_ref(x[0], o.kernel(), o.stride(), o.padding(), o.ceil_mode(), kind);
        });
    v.tight();
  }
  return v.on(std::move(samples));
}

std::vector<OpEntry> poolings() {
  constexpr const char* kMaxOpt = "max_pool2d(Tensor,Pool2dOptions)";
  constexpr const char* kAvgOpt = "avg_pool2d(Tensor,Pool2dOptions)";
  return {{"max_pool2d",
           {pool_variant("max_pool2d", kMaxOpt, Pool2dOptions(2), Pool::kMax,
                         {{{2, 2, 4, 4}}, {{1, 3, 5, 4}}, {{2, 4, 3}}}),
            variant(
                "max_pool2d_kernel", {"max_pool2d(Tensor,Size2)"},
                [](const auto& in) {
                  return xgrad::max_pool2d(in[0], Size2{2, 3});
                },
                [](const Arrays& x) {
                  return pool_ref(x[0], {2, 3}, {2, 3}, 0, false, Pool::kMax);
                })
                .on({{{1, 2, 4, 6}}, {{2, 5, 7}}})
                .when(no_near_ties),
            pool_variant("max_pool2d_overlap_padding", kMaxOpt,
                         Pool2dOptions(3).stride(1).padding(1), Pool::kMax, {{{1, 2, 4, 5}}}),
            pool_variant("max_pool2d_ceil_mode", kMaxOpt,
                         Pool2dOptions(3).stride(2).padding(1).ceil_mode(true), Pool::kMax,
                         {{{1, 2, 6, 5}}, {{2, 1, 4, 4}}})
                .empty({{{0, 2, 4, 4}}})}},
          {"avg_pool2d",
           {pool_variant("avg_pool2d", kAvgOpt, Pool2dOptions(2), Pool::kAvgPad,
                         {{{2, 2, 4, 4}}, {{1, 3, 5, 4}}, {{2, 4, 3}}}),
            variant(
                "avg_pool2d_kernel", {"avg_pool2d(Tensor,Size2)"},
                [](const auto& in) {
                  return xgrad::avg_pool2d(in[0], Size2{3, 2});
                },
                [](const Arrays& x) {
                  return pool_ref(x[0], {3, 2}, {3, 2}, 0, false, Pool::kAvgPad);
                })
                .on({{{1, 2, 6, 4}}, {{2, 7, 5}}})
                .tight(),
            pool_variant("avg_pool2d_padding", kAvgOpt, Pool2dOptions(3).stride(2).padding(1),
                         Pool::kAvgPad, {{{2, 2, 5, 6}}}),
            pool_variant("avg_pool2d_no_pad_count", kAvgOpt,
                         Pool2dOptions(3).stride(2).padding(1).count_include_pad(false),
                         Pool::kAvgNoPad, {{{2, 2, 5, 6}}}),
            pool_variant("avg_pool2d_ceil_mode", kAvgOpt,
                         Pool2dOptions({3, 2}).stride(2).padding(1).ceil_mode(true), Pool::kAvgPad,
                         {{{1, 2, 6, 5}}})
                .empty({{{0, 1, 4, 4}}})}},
          {"adaptive_avg_pool2d",
           {variant(
                "adaptive_avg_pool2d", {"adaptive_avg_pool2d(Tensor,Size2)"},
                [](const auto& in) {
                  return xgrad::adaptive_avg_pool2d(in[0], {2, 3});
                },
                [](const Arrays& x) { return adaptive_ref(x[0], 2, 3); })
                .on({{{2, 2, 5, 7}}, {{1, 1, 2, 3}}, {{3, 4, 4}}})
                .tight(),
            variant(
                "adaptive_avg_pool2d_global", {"adaptive_avg_pool2d(Tensor,Size2)"},
                [](const auto& in) { return xgrad::adaptive_avg_pool2d(in[0], 1); },
                [](const Arrays& x) { return adaptive_ref(x[0], 1, 1); })
                .on({{{2, 3, 4, 5}}, {{1, 2, 1, 1}}})
                .empty({{{0, 3, 4, 4}}})
                .tight()}}};
}

constexpr const char* kBatchNorm =
    "batch_norm(Tensor,Tensor,Tensor,Tensor,Tensor,bool,double,double)";

// Running statistics of eval mode, fixed per channel.
double eval_mean(std::size_t c) { return 0.1 * static_cast<double>(c) - 0.2; }
double eval_var(std::size_t c) { return 0.5 + 0.25 * static_cast<double>(c); }

OpVariant batch_norm_variant(std::string name, bool training, bool affine, ShapeSets samples) {
  return variant(
             std::move(name), {kBatchNorm},
             [training, affine](const auto& in) {
               using Tn = std::decay_t<decltype(in[0])>;
               using T = value_t<decltype(in)>;
               Tn rm, rv;
               if (!training) {
                 const std::size_t c = in[0].shape()[1];
                 xgrad::Array<T> m = xt::zeros<T>({c}), v = xt::zeros<T>({c});
                 for (std::size_t i = 0; i < c; ++i) {
                   m(i) = static_cast<T>(eval_mean(i));
                   v(i) = static_cast<T>(eval_var(i));
                 }
                 rm = Tn(m);
                 rv = Tn(v);
               }
               return xgrad::batch_norm(in[0], rm, rv, affine ? in[1] : Tn(), affine ? in[2] : Tn(),
                                        training);
             },
             [training, affine](const Arrays& x) {
               std::vector<double> m, v;
               for (std::size_t i = 0; i < x[0].shape()[1]; ++i) {
                 m.push_back(eval_mean(i));
                 v.push_back(eval_var(i));
               }
               return batch_norm_ref(x[0], affine ? &x[1] : nullptr, affine ? &x[2] : nullptr,
                                     training, m, v);
             })
      .on(std::move(samples));
}

std::vector<OpEntry> normalisations() {
  return {{"batch_norm",
           {batch_norm_variant(
                "batch_norm_train", true, true,
                {{{4, 3}, {3}, {3}}, {{2, 3, 2, 3}, {3}, {3}}, {{1, 2, 3, 2}, {2}, {2}}}),
            batch_norm_variant("batch_norm_train_no_affine", true, false, {{{5, 2}}, {{2, 2, 3}}}),
            batch_norm_variant("batch_norm_eval", false, true,
                               {{{4, 3}, {3}, {3}}, {{2, 3, 2, 2}, {3}, {3}}, {{1, 2}, {2}, {2}}})
                .empty({{{0, 3}, {3}, {3}}})
                .tight()}}};
}

}  // namespace

std::vector<OpEntry> image_entries() {
  std::vector<OpEntry> all;
  for (auto* part : {&convolutions, &poolings, &normalisations}) {
    for (auto& e : part()) all.push_back(std::move(e));
  }
  return all;
}

}  // namespace xgrad::test::registry
