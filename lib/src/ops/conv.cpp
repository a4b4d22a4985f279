// SPDX-License-Identifier: MIT
#include <xgrad/ops/conv.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>

#include <xtensor/xbuilder.hpp>

#include "../op.hpp"
#include "linalg_blas.hpp"

namespace xgrad {
namespace {

using detail::BackwardCtx;
using detail::shape_str;

[[noreturn, gnu::cold]] void fail(const char* op, const std::string& what) {
  throw std::invalid_argument(std::string(op) + ": " + what);
}

std::string pair_str(Size2 s) {
  return "(" + std::to_string(s.h) + "," + std::to_string(s.w) + ")";
}

// --- convolution geometry ------------------------------------------------------------------

/// The extents of one conv2d call. A sample's group g reads input channels [g cg, (g+1) cg)
/// and writes output channels [g og, (g+1) og); its columns are a (k, p) matrix, row
/// (c, i, j) holding the input pixel under kernel tap (i, j) of channel c for each of the p
/// output pixels.
struct ConvGeom {
  std::size_t n, c, h, w;      // input
  std::size_t o, kh, kw;       // weight (o, cg, kh, kw)
  std::size_t groups, cg, og;  // channels per group
  std::size_t ho, wo;          // output
  std::size_t sh, sw, ph, pw, dh, dw;
  std::size_t k() const noexcept { return cg * kh * kw; }
  std::size_t p() const noexcept { return ho * wo; }
  /// A 1x1 stride-1 unpadded convolution: a sample's group is its own column matrix.
  bool pointwise() const noexcept {
    return kh == 1 && kw == 1 && sh == 1 && sw == 1 && ph == 0 && pw == 0;
  }
};

/// The output extent of a sliding window (PyTorch's formula), or 0 if the window does not fit.
std::size_t window_count(std::size_t in, std::size_t pad, std::size_t dil, std::size_t kernel,
                         std::size_t stride) {
  const std::size_t span = dil * (kernel - 1) + 1;
  if (in + 2 * pad < span) return 0;
  return (in + 2 * pad - span) / stride + 1;
}

template <class T>
ConvGeom conv_geom(const Shape& sx, const Shape& sw, const BasicTensor<T>& bias,
                   const Conv2dOptions& opt) {
  const char* op = "conv2d";
  if (sx.size() != 4 || sw.size() != 4) {
    fail(op, "expects input (N,C,H,W) and weight (O,C/groups,kH,kW), got input of shape " +
                 shape_str(sx) + " and weight of shape " + shape_str(sw));
  }
  const auto st = opt.stride(), pd = opt.padding(), dl = opt.dilation();
  if (st.h <= 0 || st.w <= 0) fail(op, "stride " + pair_str(st) + " must be positive");
  if (pd.h < 0 || pd.w < 0) fail(op, "padding " + pair_str(pd) + " must be non-negative");
  if (dl.h <= 0 || dl.w <= 0) fail(op, "dilation " + pair_str(dl) + " must be positive");
  if (opt.groups() <= 0) fail(op, "groups " + std::to_string(opt.groups()) + " must be positive");
  ConvGeom g{};
  g.n = sx[0], g.c = sx[1], g.h = sx[2], g.w = sx[3];
  g.o = sw[0], g.kh = sw[2], g.kw = sw[3];
  g.groups = static_cast<std::size_t>(opt.groups());
  const std::string shapes =
      "input of shape " + shape_str(sx) + ", weight of shape " + shape_str(sw);
  if (g.c % g.groups != 0 || g.o % g.groups != 0) {
    fail(op, shapes + ": input channels " + std::to_string(g.c) + " and output channels " +
                 std::to_string(g.o) + " must be divisible by groups " + std::to_string(g.groups));
  }
  g.cg = g.c / g.groups;
  g.og = g.o / g.groups;
  if (sw[1] != g.cg) {
    fail(op, shapes + ", groups " + std::to_string(g.groups) + ": expected weight of " +
                 std::to_string(g.cg) + " input channels per group, got " + std::to_string(sw[1]));
  }
  if (g.kh == 0 || g.kw == 0) fail(op, shapes + ": the kernel is empty");
  if (bias.defined() && bias.shape() != Shape{g.o}) {
    fail(op, "bias of shape " + shape_str(bias.shape()) + " does not match weight of shape " +
                 shape_str(sw) + ": expected (" + std::to_string(g.o) + ",)");
  }
  g.sh = static_cast<std::size_t>(st.h), g.sw = static_cast<std::size_t>(st.w);
  g.ph = static_cast<std::size_t>(pd.h), g.pw = static_cast<std::size_t>(pd.w);
  g.dh = static_cast<std::size_t>(dl.h), g.dw = static_cast<std::size_t>(dl.w);
  g.ho = window_count(g.h, g.ph, g.dh, g.kh, g.sh);
  g.wo = window_count(g.w, g.pw, g.dw, g.kw, g.sw);
  if (g.ho == 0 || g.wo == 0) {
    fail(op, shapes + ": the kernel (dilated to " + std::to_string(g.dh * (g.kh - 1) + 1) + "x" +
                 std::to_string(g.dw * (g.kw - 1) + 1) + ") is larger than the padded input (" +
                 std::to_string(g.h + 2 * g.ph) + "x" + std::to_string(g.w + 2 * g.pw) + ")");
  }
  constexpr std::size_t kMax = std::numeric_limits<int>::max();
  if (g.k() > kMax || g.p() > kMax || g.og > kMax) {
    fail(op, shapes + ": a GEMM dimension exceeds the BLAS limit");
  }
  return g;
}

/// The output columns [lo, hi) whose tap at input offset `off + ow * stride` lies in
/// [0, extent).
struct Span {
  std::size_t lo, hi;
};
Span valid_span(std::ptrdiff_t off, std::size_t stride, std::size_t extent, std::size_t count) {
  const auto s = static_cast<std::ptrdiff_t>(stride);
  const auto e = static_cast<std::ptrdiff_t>(extent);
  const std::ptrdiff_t lo = off >= 0 ? 0 : (-off + s - 1) / s;
  const std::ptrdiff_t hi = off >= e ? 0 : (e - off - 1) / s + 1;
  const auto n = static_cast<std::ptrdiff_t>(count);
  const std::ptrdiff_t l = std::min(lo, n), h = std::clamp(hi, l, n);
  return {static_cast<std::size_t>(l), static_cast<std::size_t>(h)};
}

/// Calls f(row, ih, span, iw0) for each column row (c, i, j) and output row oh: `row` points at
/// the p() columns' oh-th segment of wo values, ih is the input row (or -1 in the padding),
/// columns [span.lo, span.hi) read input columns iw0 + ow * sw.
template <class F>
void for_each_tap(const ConvGeom& g, F f) {
  for (std::size_t c = 0; c < g.cg; ++c) {
    for (std::size_t i = 0; i < g.kh; ++i) {
      for (std::size_t j = 0; j < g.kw; ++j) {
        const std::size_t r = (c * g.kh + i) * g.kw + j;
        const auto off_w =
            static_cast<std::ptrdiff_t>(j * g.dw) - static_cast<std::ptrdiff_t>(g.pw);
        const Span span = valid_span(off_w, g.sw, g.w, g.wo);
        for (std::size_t oh = 0; oh < g.ho; ++oh) {
          const auto ih =
              static_cast<std::ptrdiff_t>(oh * g.sh + i * g.dh) - static_cast<std::ptrdiff_t>(g.ph);
          f(r * g.p() + oh * g.wo, c, ih, span, off_w);
        }
      }
    }
  }
}

/// cols (k, p) = the taps of x, one sample's group (cg, h, w); padding reads as zero.
template <class T>
void im2col(const ConvGeom& g, const T* x, T* cols) {
  for_each_tap(g,
               [&](std::size_t at, std::size_t c, std::ptrdiff_t ih, Span s, std::ptrdiff_t off) {
                 T* row = cols + at;
                 if (ih < 0 || ih >= static_cast<std::ptrdiff_t>(g.h)) {
                   std::fill(row, row + g.wo, T(0));
                   return;
                 }
                 const T* in = x + (c * g.h + static_cast<std::size_t>(ih)) * g.w;
                 std::fill(row, row + s.lo, T(0));
                 if (g.sw == 1) {
                   std::memcpy(row + s.lo, in + off + static_cast<std::ptrdiff_t>(s.lo),
                               (s.hi - s.lo) * sizeof(T));
                 } else {
                   for (std::size_t ow = s.lo; ow < s.hi; ++ow) {
                     row[ow] = in[off + static_cast<std::ptrdiff_t>(ow * g.sw)];
                   }
                 }
                 std::fill(row + s.hi, row + g.wo, T(0));
               });
}

/// dx (cg, h, w) += the adjoint of im2col applied to dcols (k, p): each tap's gradient goes
/// back to the pixel it read; pixels no window covers keep their zero.
template <class T>
void col2im(const ConvGeom& g, const T* cols, T* dx) {
  for_each_tap(g,
               [&](std::size_t at, std::size_t c, std::ptrdiff_t ih, Span s, std::ptrdiff_t off) {
                 if (ih < 0 || ih >= static_cast<std::ptrdiff_t>(g.h)) return;
                 const T* row = cols + at;
                 T* out = dx + (c * g.h + static_cast<std::size_t>(ih)) * g.w;
                 for (std::size_t ow = s.lo; ow < s.hi; ++ow) {
                   out[off + static_cast<std::ptrdiff_t>(ow * g.sw)] += row[ow];
                 }
               });
}

// Primitive for speed: per sample and group, the output is one GEMM of the weights with the
// column matrix (the input itself for a pointwise convolution), and so are both gradients. The
// column buffer holds one sample's group, (k, p), so memory does not grow with the batch.
template <class T>
struct Conv2dOp {  // y[n, o] = sum_c,i,j w[o, c, i, j] x[n, c, oh s + i d - p, ...] + b[o]
  static constexpr const char* name = "conv2d";
  ConvGeom g;

  Array<T> forward(const Array<T>& x, const Array<T>& w) const { return forward(x, w, nullptr); }
  Array<T> forward(const Array<T>& x, const Array<T>& w, const Array<T>& b) const {
    return forward(x, w, &b);
  }
  Array<T> forward(const Array<T>& x, const Array<T>& w, const Array<T>* b) const {
    const std::size_t k = g.k(), p = g.p();
    Array<T> y = detail::empty<T>({g.n, g.o, g.ho, g.wo});
    Array<T> cols = detail::empty<T>({g.pointwise() ? 0 : k * p});
    for (std::size_t s = 0; s < g.n; ++s) {
      for (std::size_t gr = 0; gr < g.groups; ++gr) {
        const T* xs = x.data() + (s * g.c + gr * g.cg) * g.h * g.w;
        T* ys = y.data() + (s * g.o + gr * g.og) * p;
        for (std::size_t oc = 0; oc < g.og; ++oc) {
          std::fill(ys + oc * p, ys + (oc + 1) * p,
                    b != nullptr ? b->data()[gr * g.og + oc] : T(0));
        }
        if (g.og == 0 || k == 0) continue;
        const T* a = xs;
        if (!g.pointwise()) {
          im2col(g, xs, cols.data());
          a = cols.data();
        }
        detail::gemm(false, false, g.og, p, k, T(1), w.data() + gr * g.og * k, a, T(1), ys);
      }
    }
    return y;
  }

  void backward(BackwardCtx<T>& c) const {
    const std::size_t k = g.k(), p = g.p();
    const Array<T>& gy = c.gy();
    const Array<T>& x = c.x(0);
    const Array<T>& w = c.x(1);
    const bool need_x = c.needs(0), need_w = c.needs(1);
    Array<T> dx = need_x ? Array<T>(xt::zeros<T>(x.shape())) : Array<T>();
    Array<T> dw = need_w ? Array<T>(xt::zeros<T>(w.shape())) : Array<T>();
    Array<T> cols = detail::empty<T>({g.pointwise() ? 0 : k * p});
    for (std::size_t s = 0; s < g.n && g.og > 0 && k > 0; ++s) {
      for (std::size_t gr = 0; gr < g.groups; ++gr) {
        const std::size_t xoff = (s * g.c + gr * g.cg) * g.h * g.w;
        const T* gys = gy.data() + (s * g.o + gr * g.og) * p;
        const T* wg = w.data() + gr * g.og * k;
        if (need_w) {  // dw (og, k) += gy (og, p) cols^T (p, k)
          const T* a = x.data() + xoff;
          if (!g.pointwise()) {
            im2col(g, a, cols.data());
            a = cols.data();
          }
          detail::gemm(false, true, g.og, k, p, T(1), gys, a, T(1), dw.data() + gr * g.og * k);
        }
        if (need_x) {  // dcols (k, p) = w^T (k, og) gy (og, p), scattered back to the pixels
          if (g.pointwise()) {
            detail::gemm(true, false, k, p, g.og, T(1), wg, gys, T(0), dx.data() + xoff);
          } else {
            detail::gemm(true, false, k, p, g.og, T(1), wg, gys, T(0), cols.data());
            col2im(g, cols.data(), dx.data() + xoff);
          }
        }
      }
    }
    if (need_x) c.add(0, std::move(dx));
    if (need_w) c.add(1, std::move(dw));
    if (c.num_inputs() == 3 && c.needs(2)) {  // db[o] = the sum of gy over samples and pixels
      Array<T> db = xt::zeros<T>({g.o});
      for (std::size_t s = 0; s < g.n; ++s) {
        for (std::size_t oc = 0; oc < g.o; ++oc) {
          const T* row = gy.data() + (s * g.o + oc) * p;
          T acc = T(0);
          for (std::size_t q = 0; q < p; ++q) acc += row[q];
          db.data()[oc] += acc;
        }
      }
      c.add(2, std::move(db));
    }
  }
};

}  // namespace

template <class T>
BasicTensor<T> conv2d(const BasicTensor<T>& input, const BasicTensor<T>& weight,
                      const BasicTensor<T>& bias, const Conv2dOptions& options) {
  detail::check_defined(Conv2dOp<T>::name, input);
  detail::check_defined(Conv2dOp<T>::name, weight);
  Conv2dOp<T> op{conv_geom(input.shape(), weight.shape(), bias, options)};
  if (!bias.defined()) return apply(std::move(op), input, weight);
  return apply(std::move(op), input, weight, bias);
}

namespace {

// --- pooling ------------------------------------------------------------------------------

/// One window along an axis: input positions [begin, end), and its extent inside the padded
/// input (the divisor of an average that counts the padding).
struct Window {
  std::size_t begin, end, padded;
};

/// The windows of a pooling op along one axis, PyTorch's rules: out = (in + 2 pad - kernel
/// [+ stride - 1 with ceil_mode]) / stride + 1, minus a last window that would start in the
/// right padding.
std::vector<Window> pool_windows(const char* op, const Shape& sx, const char* axis, std::size_t in,
                                 std::int64_t kernel, std::int64_t stride, std::int64_t pad,
                                 bool ceil_mode) {
  const auto k = static_cast<std::size_t>(kernel), s = static_cast<std::size_t>(stride),
             p = static_cast<std::size_t>(pad);
  if (in + 2 * p < k) {
    fail(op, "input of shape " + shape_str(sx) + ": the kernel's " + axis + " " +
                 std::to_string(k) + " is larger than the padded input's " +
                 std::to_string(in + 2 * p));
  }
  std::size_t out = (in + 2 * p - k + (ceil_mode ? s - 1 : 0)) / s + 1;
  if (ceil_mode && (out - 1) * s >= in + p) --out;
  std::vector<Window> ws(out);
  for (std::size_t o = 0; o < out; ++o) {
    const auto start = static_cast<std::ptrdiff_t>(o * s) - static_cast<std::ptrdiff_t>(p);
    const std::ptrdiff_t end_padded =
        std::min(start + static_cast<std::ptrdiff_t>(k), static_cast<std::ptrdiff_t>(in + p));
    const std::ptrdiff_t b = std::max<std::ptrdiff_t>(start, 0);
    const std::ptrdiff_t e = std::min(end_padded, static_cast<std::ptrdiff_t>(in));
    ws[o] = {static_cast<std::size_t>(b), static_cast<std::size_t>(std::max(b, e)),
             static_cast<std::size_t>(end_padded - start)};
  }
  return ws;
}

/// A pooling op's input as planes: (N,C,H,W) or (C,H,W), pooled over the last two axes.
struct Planes {
  std::size_t count, h, w;
  Shape out_shape;
};
Planes pool_planes(const Shape& sx, std::size_t oh, std::size_t ow) {
  Planes pl{1, sx[sx.size() - 2], sx[sx.size() - 1], sx};
  for (std::size_t d = 0; d + 2 < sx.size(); ++d) pl.count *= sx[d];
  pl.out_shape[sx.size() - 2] = oh;
  pl.out_shape[sx.size() - 1] = ow;
  return pl;
}

void check_pool_rank(const char* op, const Shape& sx) {
  if (sx.size() != 3 && sx.size() != 4) {
    fail(op, "expects a (N,C,H,W) or (C,H,W) input, got shape " + shape_str(sx));
  }
  if (sx[sx.size() - 2] == 0 || sx[sx.size() - 1] == 0) {
    fail(op, "input of shape " + shape_str(sx) + " has an empty image");
  }
}

struct PoolGeom {
  std::vector<Window> rows, cols;
  Planes planes;
};

PoolGeom pool_geom(const char* op, const Shape& sx, const Pool2dOptions& opt) {
  check_pool_rank(op, sx);
  const Size2 k = opt.kernel(), s = opt.stride(), p = opt.padding();
  if (k.h <= 0 || k.w <= 0) fail(op, "kernel " + pair_str(k) + " must be positive");
  if (s.h <= 0 || s.w <= 0) fail(op, "stride " + pair_str(s) + " must be positive");
  if (p.h < 0 || p.w < 0 || 2 * p.h > k.h || 2 * p.w > k.w) {
    fail(op, "padding " + pair_str(p) + " must be non-negative and at most half the kernel " +
                 pair_str(k));
  }
  const std::size_t h = sx[sx.size() - 2], w = sx[sx.size() - 1];
  PoolGeom g{pool_windows(op, sx, "height", h, k.h, s.h, p.h, opt.ceil_mode()),
             pool_windows(op, sx, "width", w, k.w, s.w, p.w, opt.ceil_mode()),
             {}};
  g.planes = pool_planes(sx, g.rows.size(), g.cols.size());
  return g;
}

// Primitive: the window's maximum, its position saved for backward.
template <class T>
struct MaxPool2dOp {  // y = the maximum of each window (padding is -inf)
  static constexpr const char* name = "max_pool2d";
  PoolGeom g;
  Array<std::int64_t> index;  // per output: the input position h * W + w of its maximum

  Array<T> forward(const Array<T>& x) {
    const Planes& pl = g.planes;
    Array<T> y = detail::empty<T>(pl.out_shape);
    index = detail::empty<std::int64_t>(pl.out_shape);
    const std::size_t oh = g.rows.size(), ow = g.cols.size();
    for (std::size_t q = 0; q < pl.count; ++q) {
      const T* in = x.data() + q * pl.h * pl.w;
      T* out = y.data() + q * oh * ow;
      std::int64_t* at = index.data() + q * oh * ow;
      for (std::size_t i = 0; i < oh; ++i) {
        const Window& r = g.rows[i];
        for (std::size_t j = 0; j < ow; ++j) {
          const Window& cw = g.cols[j];
          // PyTorch's rule: the first maximum in row-major order; a NaN beats everything.
          T best = -std::numeric_limits<T>::infinity();
          std::size_t arg = r.begin * pl.w + cw.begin;
          for (std::size_t a = r.begin; a < r.end; ++a) {
            for (std::size_t b = cw.begin; b < cw.end; ++b) {
              const T v = in[a * pl.w + b];
              if (v > best || std::isnan(v)) {
                best = v;
                arg = a * pl.w + b;
              }
            }
          }
          out[i * ow + j] = best;
          at[i * ow + j] = static_cast<std::int64_t>(arg);
        }
      }
    }
    return y;
  }
  void backward(BackwardCtx<T>& c) const {  // each window's gradient to its maximum
    const Planes& pl = g.planes;
    const std::size_t n = g.rows.size() * g.cols.size();
    Array<T> dx = xt::zeros<T>(c.x_shape(0));
    const T* gy = c.gy().data();
    for (std::size_t q = 0; q < pl.count; ++q) {
      T* d = dx.data() + q * pl.h * pl.w;
      for (std::size_t t = 0; t < n; ++t) {
        d[index.data()[q * n + t]] += gy[q * n + t];
      }
    }
    c.add(0, std::move(dx));
  }
};

// Primitive: the window's mean (avg_pool2d, adaptive_avg_pool2d).
template <class T, bool Adaptive>
struct AvgPool2dOp {  // y = the sum of each window / its divisor
  static constexpr const char* name = Adaptive ? "adaptive_avg_pool2d" : "avg_pool2d";
  PoolGeom g;
  bool count_pad;  // divide by the window's extent in the padded input

  T divisor(const Window& r, const Window& cw) const {
    return count_pad ? static_cast<T>(r.padded * cw.padded)
                     : static_cast<T>((r.end - r.begin) * (cw.end - cw.begin));
  }
  Array<T> forward(const Array<T>& x) const {
    const Planes& pl = g.planes;
    Array<T> y = detail::empty<T>(pl.out_shape);
    const std::size_t oh = g.rows.size(), ow = g.cols.size();
    for (std::size_t q = 0; q < pl.count; ++q) {
      const T* in = x.data() + q * pl.h * pl.w;
      T* out = y.data() + q * oh * ow;
      for (std::size_t i = 0; i < oh; ++i) {
        for (std::size_t j = 0; j < ow; ++j) {
          const Window &r = g.rows[i], &cw = g.cols[j];
          T acc = T(0);
          for (std::size_t a = r.begin; a < r.end; ++a) {
            for (std::size_t b = cw.begin; b < cw.end; ++b) acc += in[a * pl.w + b];
          }
          out[i * ow + j] = acc / divisor(r, cw);
        }
      }
    }
    return y;
  }
  void backward(BackwardCtx<T>& c) const {  // each input of a window gets g / divisor
    const Planes& pl = g.planes;
    const std::size_t oh = g.rows.size(), ow = g.cols.size();
    Array<T> dx = xt::zeros<T>(c.x_shape(0));
    const T* gy = c.gy().data();
    for (std::size_t q = 0; q < pl.count; ++q) {
      T* d = dx.data() + q * pl.h * pl.w;
      for (std::size_t i = 0; i < oh; ++i) {
        for (std::size_t j = 0; j < ow; ++j) {
          const Window &r = g.rows[i], &cw = g.cols[j];
          const T share = gy[(q * oh + i) * ow + j] / divisor(r, cw);
          for (std::size_t a = r.begin; a < r.end; ++a) {
            for (std::size_t b = cw.begin; b < cw.end; ++b) d[a * pl.w + b] += share;
          }
        }
      }
    }
    c.add(0, std::move(dx));
  }
};

/// Adaptive windows: output i covers [floor(i in / out), ceil((i + 1) in / out)).
std::vector<Window> adaptive_windows(std::size_t in, std::size_t out) {
  std::vector<Window> ws(out);
  for (std::size_t i = 0; i < out; ++i) {
    const std::size_t b = i * in / out, e = ((i + 1) * in + out - 1) / out;
    ws[i] = {b, e, e - b};
  }
  return ws;
}

}  // namespace

template <class T>
BasicTensor<T> max_pool2d(const BasicTensor<T>& x, const Pool2dOptions& options) {
  detail::check_defined(MaxPool2dOp<T>::name, x);
  return apply(MaxPool2dOp<T>{pool_geom(MaxPool2dOp<T>::name, x.shape(), options), {}}, x);
}

template <class T>
BasicTensor<T> avg_pool2d(const BasicTensor<T>& x, const Pool2dOptions& options) {
  using Op = AvgPool2dOp<T, false>;
  detail::check_defined(Op::name, x);
  return apply(Op{pool_geom(Op::name, x.shape(), options), options.count_include_pad()}, x);
}

template <class T>
BasicTensor<T> adaptive_avg_pool2d(const BasicTensor<T>& x, Size2 output_size) {
  using Op = AvgPool2dOp<T, true>;
  detail::check_defined(Op::name, x);
  const Shape& sx = x.shape();
  check_pool_rank(Op::name, sx);
  if (output_size.h <= 0 || output_size.w <= 0) {
    fail(Op::name, "output size " + pair_str(output_size) + " must be positive");
  }
  const auto oh = static_cast<std::size_t>(output_size.h);
  const auto ow = static_cast<std::size_t>(output_size.w);
  const std::size_t h = sx[sx.size() - 2], w = sx[sx.size() - 1];
  PoolGeom g{adaptive_windows(h, oh), adaptive_windows(w, ow), pool_planes(sx, oh, ow)};
  return apply(Op{std::move(g), false}, x);
}

namespace {

// --- batch normalisation --------------------------------------------------------------------

/// x (N, C, ...) as channels of n * s values each: channel c of sample i is the s contiguous
/// values at (i c_count + c) s.
struct ChannelSplit {
  std::size_t n, c, s;
  std::size_t count() const noexcept { return n * s; }
  template <class F>
  void each(std::size_t ch, F f) const {  // f(offset) per sample's run of s values
    for (std::size_t i = 0; i < n; ++i) f((i * c + ch) * s);
  }
};

ChannelSplit channel_split(const Shape& sx) {
  ChannelSplit cs{sx[0], sx[1], 1};
  for (std::size_t d = 2; d < sx.size(); ++d) cs.s *= sx[d];
  return cs;
}

// Primitive: normalisation with given per-channel statistics (the batch's in training, the
// running ones in eval), then the affine map. In training the statistics depend on x, which
// the backward rule accounts for.
template <class T>
struct BatchNormOp {  // y = (x - mean) invstd w + b, per channel
  static constexpr const char* name = "batch_norm";
  std::vector<T> mean, invstd;
  bool training;

  Array<T> forward(const Array<T>& x, const Array<T>& w, const Array<T>& b) const {
    const ChannelSplit cs = channel_split(x.shape());
    Array<T> y = detail::empty<T>(x.shape());
    for (std::size_t ch = 0; ch < cs.c; ++ch) {
      const T scale = invstd[ch] * w.data()[ch];
      const T shift = b.data()[ch] - mean[ch] * scale;
      cs.each(ch, [&](std::size_t at) {
        const T* in = x.data() + at;
        T* out = y.data() + at;
        for (std::size_t q = 0; q < cs.s; ++q) out[q] = in[q] * scale + shift;
      });
    }
    return y;
  }
  // With xh = (x - mean) invstd: dw = sum g xh, db = sum g; in eval dx = g w invstd; in
  // training, where mean and var are the batch's, dx = w invstd (g - db / M - xh dw / M).
  void backward(BackwardCtx<T>& c) const {
    const Array<T>& x = c.x(0);
    const Array<T>& w = c.x(1);
    const Array<T>& g = c.gy();
    const ChannelSplit cs = channel_split(x.shape());
    const auto m = static_cast<T>(cs.count());
    Array<T> dx = c.needs(0) ? detail::empty<T>(x.shape()) : Array<T>();
    Array<T> dw = xt::zeros<T>({cs.c});
    Array<T> db = xt::zeros<T>({cs.c});
    for (std::size_t ch = 0; ch < cs.c; ++ch) {
      T sg = T(0), sgx = T(0);
      cs.each(ch, [&](std::size_t at) {
        for (std::size_t q = 0; q < cs.s; ++q) {
          sg += g.data()[at + q];
          sgx += g.data()[at + q] * (x.data()[at + q] - mean[ch]);
        }
      });
      sgx *= invstd[ch];
      dw.data()[ch] = sgx;
      db.data()[ch] = sg;
      if (!c.needs(0)) continue;
      const T k = w.data()[ch] * invstd[ch];
      cs.each(ch, [&](std::size_t at) {
        for (std::size_t q = 0; q < cs.s; ++q) {
          const T gv = g.data()[at + q];
          if (training) {
            const T xh = (x.data()[at + q] - mean[ch]) * invstd[ch];
            dx.data()[at + q] = k * (gv - sg / m - xh * sgx / m);
          } else {
            dx.data()[at + q] = k * gv;
          }
        }
      });
    }
    if (c.needs(0)) c.add(0, std::move(dx));
    if (c.needs(1)) c.add(1, std::move(dw));
    if (c.needs(2)) c.add(2, std::move(db));
  }
};

template <class T>
void check_channel_vector(const char* what, const BasicTensor<T>& t, const Shape& sx,
                          std::size_t c) {
  if (t.defined() && t.shape() != Shape{c}) {
    fail("batch_norm", std::string(what) + " of shape " + shape_str(t.shape()) +
                           " does not match input of shape " + shape_str(sx) + ": expected (" +
                           std::to_string(c) + ",)");
  }
}

}  // namespace

template <class T>
BasicTensor<T> batch_norm(const BasicTensor<T>& x, const BasicTensor<T>& running_mean,
                          const BasicTensor<T>& running_var, const BasicTensor<T>& weight,
                          const BasicTensor<T>& bias, bool training, double momentum, double eps) {
  const char* op = BatchNormOp<T>::name;
  detail::check_defined(op, x);
  const Shape& sx = x.shape();
  if (sx.size() < 2) fail(op, "expects an input (N,C) or (N,C,...), got shape " + shape_str(sx));
  const ChannelSplit cs = channel_split(sx);
  check_channel_vector("running_mean", running_mean, sx, cs.c);
  check_channel_vector("running_var", running_var, sx, cs.c);
  check_channel_vector("weight", weight, sx, cs.c);
  check_channel_vector("bias", bias, sx, cs.c);
  if (!(eps > 0)) fail(op, "eps " + std::to_string(eps) + " must be positive");
  if (running_mean.defined() != running_var.defined()) {
    fail(op, "running_mean and running_var must be both given or both undefined");
  }
  std::vector<T> mean(cs.c), invstd(cs.c);
  if (training) {
    if (cs.count() <= 1) {
      fail(op, "expected more than 1 value per channel when training, got input of shape " +
                   shape_str(sx));
    }
    // Two passes per channel in double: the mean, then the squared deviations from it.
    const T* v = x.value().data();
    const auto m = static_cast<double>(cs.count());
    std::vector<double> var(cs.c);
    for (std::size_t ch = 0; ch < cs.c; ++ch) {
      double sum = 0;
      cs.each(ch, [&](std::size_t at) {
        for (std::size_t q = 0; q < cs.s; ++q) sum += v[at + q];
      });
      const double mu = sum / m;
      double sq = 0;
      cs.each(ch, [&](std::size_t at) {
        for (std::size_t q = 0; q < cs.s; ++q) sq += (v[at + q] - mu) * (v[at + q] - mu);
      });
      mean[ch] = static_cast<T>(mu);
      var[ch] = sq / m;
      invstd[ch] = static_cast<T>(1.0 / std::sqrt(var[ch] + eps));
    }
    if (running_mean.defined()) {  // no gradient: the buffers are updated in place
      BasicTensor<T> rm_handle = running_mean, rv_handle = running_var;  // the same nodes
      T* rm = rm_handle.mutable_value().data();
      T* rv = rv_handle.mutable_value().data();
      for (std::size_t ch = 0; ch < cs.c; ++ch) {
        rm[ch] = static_cast<T>((1 - momentum) * rm[ch] + momentum * static_cast<double>(mean[ch]));
        rv[ch] = static_cast<T>((1 - momentum) * rv[ch] + momentum * var[ch] * m / (m - 1));
      }
    }
  } else {
    if (!running_mean.defined()) {
      fail(op,
           "eval mode needs running_mean and running_var (input of shape " + shape_str(sx) + ")");
    }
    const T* rm = running_mean.value().data();
    const T* rv = running_var.value().data();
    for (std::size_t ch = 0; ch < cs.c; ++ch) {
      mean[ch] = rm[ch];
      invstd[ch] = static_cast<T>(1.0 / std::sqrt(static_cast<double>(rv[ch]) + eps));
    }
  }
  // Missing affine parameters are constants (no gradient).
  const BasicTensor<T> w = weight.defined() ? weight : BasicTensor<T>(xt::ones<T>({cs.c}));
  const BasicTensor<T> b = bias.defined() ? bias : BasicTensor<T>(xt::zeros<T>({cs.c}));
  return apply(BatchNormOp<T>{std::move(mean), std::move(invstd), training}, x, w, b);
}

#define XGRAD_INSTANTIATE(T)                                                       \
  template BasicTensor<T> conv2d(const BasicTensor<T>&, const BasicTensor<T>&,     \
                                 const BasicTensor<T>&, const Conv2dOptions&);     \
  template BasicTensor<T> max_pool2d(const BasicTensor<T>&, const Pool2dOptions&); \
  template BasicTensor<T> avg_pool2d(const BasicTensor<T>&, const Pool2dOptions&); \
  template BasicTensor<T> adaptive_avg_pool2d(const BasicTensor<T>&, Size2);       \
  template BasicTensor<T> batch_norm(const BasicTensor<T>&, const BasicTensor<T>&, \
                                     const BasicTensor<T>&, const BasicTensor<T>&, \
                                     const BasicTensor<T>&, bool, double, double);
XGRAD_INSTANTIATE(float)
XGRAD_INSTANTIATE(double)
#undef XGRAD_INSTANTIATE

}  // namespace xgrad
