// SPDX-License-Identifier: MIT
#include <xgrad/ops/elementwise.hpp>

#include <cmath>
#include <cstddef>

#include <xsimd/xsimd.hpp>
#include <xtensor/xmath.hpp>
#include <xtensor/xoperation.hpp>

#include "../map.hpp"
#include "../op_node.hpp"

namespace xgrad {
namespace {

using detail::BackwardCtx;

struct NegOp {
  static constexpr const char* name = "neg";
  template <class T>
  void backward(BackwardCtx<T>& c) const {  // d(-x) = -dx
    c.add(0, detail::update(c.take_gy(), [](T g) { return -g; }));
  }
};

struct ExpOp {
  static constexpr const char* name = "exp";
  template <class T>
  void backward(BackwardCtx<T>& c) const {  // d e^x = e^x dx = y dx
    c.add(0, detail::update(c.take_gy(), c.y(), [](T g, T y) { return g * y; }));
  }
};

struct LogOp {
  static constexpr const char* name = "log";
  template <class T>
  void backward(BackwardCtx<T>& c) const {  // d log x = dx / x
    c.add(0, detail::update(c.take_gy(), c.x(0), [](T g, T x) { return g / x; }));
  }
};

struct SqrtOp {
  static constexpr const char* name = "sqrt";
  template <class T>
  void backward(BackwardCtx<T>& c) const {  // d sqrt(x) = dx / (2 sqrt(x)) = dx / (2y)
    c.add(0, detail::update(c.take_gy(), c.y(), [](T g, T y) { return g / (T(2) * y); }));
  }
};

struct PowOp {
  static constexpr const char* name = "pow";
  double p;
  template <class T>
  void backward(BackwardCtx<T>& c) const {  // d x^p = p x^(p-1) dx
    const T pt = static_cast<T>(p);
    if (p == 2.0) {
      c.add(0, detail::update(c.take_gy(), c.x(0), [](T g, T x) { return g * (T(2) * x); }));
    } else {
      c.add(0, detail::update(c.take_gy(), c.x(0),
                              [pt](T g, T x) { return g * (pt * std::pow(x, pt - T(1))); }));
    }
  }
};

struct AbsOp {
  static constexpr const char* name = "abs";
  template <class T>
  void backward(BackwardCtx<T>& c) const {  // d|x| = sign(x) dx, sign(0) = 0
    c.add(0, detail::update(c.take_gy(), c.x(0), [](T g, T x) {
            return g * static_cast<T>((x > T(0)) - (x < T(0)));  // sign, 0 at 0 and nan for nan
          }));
  }
};

struct SigmoidOp {
  static constexpr const char* name = "sigmoid";
  template <class T>
  void backward(BackwardCtx<T>& c) const {  // d s(x) = s(x) (1 - s(x)) dx = y (1 - y) dx
    c.add(0, detail::update(c.take_gy(), c.y(), [](T g, T y) { return g * y * (T(1) - y); }));
  }
};

struct TanhOp {
  static constexpr const char* name = "tanh";
  template <class T>
  void backward(BackwardCtx<T>& c) const {  // d tanh(x) = (1 - tanh^2 x) dx = (1 - y^2) dx
    c.add(0, detail::update(c.take_gy(), c.y(), [](T g, T y) { return g * (T(1) - y * y); }));
  }
};

struct ReluOp {
  static constexpr const char* name = "relu";
  template <class T>
  void backward(BackwardCtx<T>& c) const {  // d max(x,0) = [x > 0] dx (nan passes through)
    c.add(0, detail::update(c.take_gy(), c.x(0), [](T g, T x) { return x <= T(0) ? T(0) : g; }));
  }
};

/// y = f(x) elementwise, `f` written once for scalars and xsimd batches (`[](auto v) { return
/// xsimd::exp(v); }`; xsimd's scalar overloads are the C library's). Arrays of at least one
/// batch go through xsimd's kernels, the last partial batch as a whole batch overlapping the
/// previous one, so no element takes a scalar path; smaller arrays are a scalar loop, as fast
/// there and with no vector load of values just stored one by one. (The width is the
/// "simd_width" row of detail::size_thresholds().)
template <class T, class F>
xt::xarray<T> transcendental(const xt::xarray<T>& x, F f) {
  using Batch = xsimd::batch<T>;
  constexpr std::size_t kWidth = Batch::size;
  const std::size_t n = x.size();
  if (n < kWidth) return detail::map(x, f);
  xt::xarray<T> y = detail::empty<T>(x.shape());
  const T* in = x.data();
  T* out = y.data();
  for (std::size_t i = 0;; i += kWidth) {
    if (i + kWidth > n) i = n - kWidth;  // the last batch ends at n
    f(Batch::load_unaligned(in + i)).store_unaligned(out + i);
    if (i + kWidth == n) break;
  }
  return y;
}

/// The result of a unary op: `forward()` computes its value, inside the new node.
template <class T, class F, class Op>
BasicTensor<T> unary(const BasicTensor<T>& x, F&& forward, Op op) {
  return detail::make_result_in_place<T>(std::forward<F>(forward), std::move(op), x);
}

}  // namespace

template <class T>
BasicTensor<T> neg(const BasicTensor<T>& x) {
  detail::check_defined(NegOp::name, x);
  return unary(
      x, [&] { return detail::map(x.value(), [](T v) { return -v; }); }, NegOp{});
}

template <class T>
BasicTensor<T> exp(const BasicTensor<T>& x) {
  detail::check_defined(ExpOp::name, x);
  return unary(
      x, [&] { return transcendental(x.value(), [](auto v) { return xsimd::exp(v); }); }, ExpOp{});
}

template <class T>
BasicTensor<T> log(const BasicTensor<T>& x) {
  detail::check_defined(LogOp::name, x);
  return unary(
      x, [&] { return transcendental(x.value(), [](auto v) { return xsimd::log(v); }); }, LogOp{});
}

template <class T>
BasicTensor<T> sqrt(const BasicTensor<T>& x) {
  detail::check_defined(SqrtOp::name, x);
  return unary(
      x, [&] { return transcendental(x.value(), [](auto v) { return xsimd::sqrt(v); }); },
      SqrtOp{});
}

template <class T>
BasicTensor<T> pow(const BasicTensor<T>& x, detail::scalar_t<T> p) {
  detail::check_defined(PowOp::name, x);
  // x^2 is the common case (squared errors): a multiply is exact and much faster than pow.
  // Other exponents: glibc's pow on small arrays; xsimd's on large ones is exp(p log x), whose
  // error grows with |p log x|, but a scalar loop there would be several times slower.
  const auto forward = [&]() -> xt::xarray<T> {
    const auto& v = x.value();
    if (p == T(2)) return detail::map(v, [](T e) { return e * e; });
    if (v.size() <= detail::kSmallMap) return detail::map(v, [p](T e) { return std::pow(e, p); });
    return xt::pow(v, p);
  };
  return unary(x, forward, PowOp{static_cast<double>(p)});
}

template <class T>
BasicTensor<T> abs(const BasicTensor<T>& x) {
  detail::check_defined(AbsOp::name, x);
  return unary(
      x, [&] { return detail::map(x.value(), [](T v) { return std::abs(v); }); }, AbsOp{});
}

template <class T>
BasicTensor<T> sigmoid(const BasicTensor<T>& x) {
  detail::check_defined(SigmoidOp::name, x);
  // 1 / (1 + e^-x) is stable in IEEE arithmetic: for very negative x, e^-x overflows to +inf
  // and the quotient is exactly 0; for very positive x, e^-x underflows to 0 and y = 1.
  // No inf/inf or 0*inf can arise, so no nan; and it vectorizes (xsimd), unlike a branch.
  return unary(
      x,
      [&] {
        return transcendental(x.value(), [](auto v) { return T(1) / (T(1) + xsimd::exp(-v)); });
      },
      SigmoidOp{});
}

template <class T>
BasicTensor<T> tanh(const BasicTensor<T>& x) {
  detail::check_defined(TanhOp::name, x);
  return unary(
      x, [&] { return transcendental(x.value(), [](auto v) { return xsimd::tanh(v); }); },
      TanhOp{});
}

template <class T>
BasicTensor<T> relu(const BasicTensor<T>& x) {
  detail::check_defined(ReluOp::name, x);
  // "x <= 0 ? 0 : x" rather than maximum(x, 0): a nan input stays nan, as in PyTorch.
  return unary(
      x, [&] { return detail::map(x.value(), [](T v) { return v <= T(0) ? T(0) : v; }); },
      ReluOp{});
}

#define XGRAD_INSTANTIATE(T)                                               \
  template BasicTensor<T> neg(const BasicTensor<T>&);                      \
  template BasicTensor<T> exp(const BasicTensor<T>&);                      \
  template BasicTensor<T> log(const BasicTensor<T>&);                      \
  template BasicTensor<T> sqrt(const BasicTensor<T>&);                     \
  template BasicTensor<T> pow(const BasicTensor<T>&, detail::scalar_t<T>); \
  template BasicTensor<T> abs(const BasicTensor<T>&);                      \
  template BasicTensor<T> sigmoid(const BasicTensor<T>&);                  \
  template BasicTensor<T> tanh(const BasicTensor<T>&);                     \
  template BasicTensor<T> relu(const BasicTensor<T>&);
XGRAD_INSTANTIATE(float)
XGRAD_INSTANTIATE(double)
#undef XGRAD_INSTANTIATE

}  // namespace xgrad
