// SPDX-License-Identifier: MIT
// Elementwise unary ops: each is its struct (forward, then backward with its derivative) and
// its public function right below it (see lib/src/op.hpp).
#include <xgrad/ops/elementwise.hpp>

#include <cmath>
#include <cstddef>

#include <xsimd/xsimd.hpp>
#include <xtensor/xmath.hpp>
#include <xtensor/xoperation.hpp>

#include "../op.hpp"

namespace xgrad {
namespace {

using detail::BackwardCtx;

/// y = f(x) elementwise, `f` written once for scalars and xsimd batches (`[](auto v) { return
/// xsimd::exp(v); }`; xsimd's scalar overloads are the C library's). Arrays of at least one
/// batch go through xsimd's kernels, the last partial batch as a whole batch overlapping the
/// previous one, so no element takes a scalar path; smaller arrays are a scalar loop, as fast
/// there and with no vector load of values just stored one by one. (The width is the
/// "simd_width" row of detail::size_thresholds().)
template <class T, class F>
Array<T> transcendental(const Array<T>& x, F f) {
  using Batch = xsimd::batch<T>;
  constexpr std::size_t kWidth = Batch::size;
  const std::size_t n = x.size();
  if (n < kWidth) return detail::map(x, f);
  Array<T> y = detail::empty<T>(x.shape());
  const T* in = x.data();
  T* out = y.data();
  for (std::size_t i = 0;; i += kWidth) {
    if (i + kWidth > n) i = n - kWidth;  // the last batch ends at n
    f(Batch::load_unaligned(in + i)).store_unaligned(out + i);
    if (i + kWidth == n) break;
  }
  return y;
}

}  // namespace

namespace {
template <class T>
struct NegOp {  // y = -x
  static constexpr const char* name = "neg";
  Array<T> forward(const Array<T>& x) const {
    return detail::map(x, [](T v) { return -v; });
  }
  void backward(BackwardCtx<T>& c) const {  // d(-x) = -dx
    c.add_map(0, [](auto g) { return -g; });
  }
};
}  // namespace
template <class T>
BasicTensor<T> neg(const BasicTensor<T>& x) {
  return apply(NegOp<T>{}, x);
}

namespace {
template <class T>
struct ExpOp {  // y = e^x
  static constexpr const char* name = "exp";
  Array<T> forward(const Array<T>& x) const {
    return transcendental(x, [](auto v) { return xsimd::exp(v); });
  }
  void backward(BackwardCtx<T>& c) const {  // d e^x = e^x dx = y dx
    c.add_map(
        0, [](auto g, auto y) { return g * y; }, c.y());
  }
};
}  // namespace
template <class T>
BasicTensor<T> exp(const BasicTensor<T>& x) {
  return apply(ExpOp<T>{}, x);
}

namespace {
template <class T>
struct LogOp {  // y = log x
  static constexpr const char* name = "log";
  Array<T> forward(const Array<T>& x) const {
    return transcendental(x, [](auto v) { return xsimd::log(v); });
  }
  void backward(BackwardCtx<T>& c) const {  // d log x = dx / x
    c.add_map(
        0, [](auto g, auto x) { return g / x; }, c.x(0));
  }
};
}  // namespace
template <class T>
BasicTensor<T> log(const BasicTensor<T>& x) {
  return apply(LogOp<T>{}, x);
}

namespace {
template <class T>
struct SqrtOp {  // y = sqrt(x)
  static constexpr const char* name = "sqrt";
  Array<T> forward(const Array<T>& x) const {
    return transcendental(x, [](auto v) { return xsimd::sqrt(v); });
  }
  void backward(BackwardCtx<T>& c) const {  // d sqrt(x) = dx / (2 sqrt(x)) = dx / (2y)
    c.add_map(
        0, [](auto g, auto y) { return g / (T(2) * y); }, c.y());
  }
};
}  // namespace
template <class T>
BasicTensor<T> sqrt(const BasicTensor<T>& x) {
  return apply(SqrtOp<T>{}, x);
}

namespace {
template <class T>
struct PowOp {  // y = x^p
  static constexpr const char* name = "pow";
  T p;
  // x^2 is the common case (squared errors): a multiply is exact and much faster than pow.
  // Other exponents: glibc's pow on small arrays; xsimd's on large ones is exp(p log x), whose
  // error grows with |p log x|, but a scalar loop there would be several times slower.
  Array<T> forward(const Array<T>& x) const {
    if (p == T(2)) return detail::map(x, [](T v) { return v * v; });
    if (x.size() <= detail::kSmallMap) {
      return detail::map(x, [p = p](T v) { return std::pow(v, p); });
    }
    return xt::pow(x, p);
  }
  void backward(BackwardCtx<T>& c) const {  // d x^p = p x^(p-1) dx
    if (p == T(2)) {
      c.add_map(
          0, [](auto g, auto x) { return g * (T(2) * x); }, c.x(0));
    } else {
      c.add_map(
          0, [p = p](T g, T x) { return g * (p * std::pow(x, p - T(1))); }, c.x(0));
    }
  }
};
}  // namespace
template <class T>
BasicTensor<T> pow(const BasicTensor<T>& x, detail::scalar_t<T> p) {
  return apply(PowOp<T>{p}, x);
}

namespace {
template <class T>
struct AbsOp {  // y = |x|
  static constexpr const char* name = "abs";
  Array<T> forward(const Array<T>& x) const {
    return detail::map(x, [](T v) { return std::abs(v); });
  }
  void backward(BackwardCtx<T>& c) const {  // d|x| = sign(x) dx, sign(0) = 0, nan for nan
    c.add_map(
        0, [](T g, T x) { return g * static_cast<T>((x > T(0)) - (x < T(0))); }, c.x(0));
  }
};
}  // namespace
template <class T>
BasicTensor<T> abs(const BasicTensor<T>& x) {
  return apply(AbsOp<T>{}, x);
}

namespace {
template <class T>
struct SigmoidOp {  // y = 1 / (1 + e^-x)
  static constexpr const char* name = "sigmoid";
  // Stable in IEEE arithmetic: for very negative x, e^-x overflows to +inf and the quotient is
  // exactly 0; for very positive x, e^-x underflows to 0 and y = 1. No inf/inf or 0*inf can
  // arise, so no nan; and it vectorizes (xsimd), unlike a branch.
  Array<T> forward(const Array<T>& x) const {
    return transcendental(x, [](auto v) { return T(1) / (T(1) + xsimd::exp(-v)); });
  }
  void backward(BackwardCtx<T>& c) const {  // d s(x) = s(x) (1 - s(x)) dx = y (1 - y) dx
    c.add_map(
        0, [](auto g, auto y) { return g * y * (T(1) - y); }, c.y());
  }
};
}  // namespace
template <class T>
BasicTensor<T> sigmoid(const BasicTensor<T>& x) {
  return apply(SigmoidOp<T>{}, x);
}

namespace {
template <class T>
struct TanhOp {  // y = tanh(x)
  static constexpr const char* name = "tanh";
  Array<T> forward(const Array<T>& x) const {
    return transcendental(x, [](auto v) { return xsimd::tanh(v); });
  }
  void backward(BackwardCtx<T>& c) const {  // d tanh(x) = (1 - tanh^2 x) dx = (1 - y^2) dx
    c.add_map(
        0, [](auto g, auto y) { return g * (T(1) - y * y); }, c.y());
  }
};
}  // namespace
template <class T>
BasicTensor<T> tanh(const BasicTensor<T>& x) {
  return apply(TanhOp<T>{}, x);
}

namespace {
template <class T>
struct ReluOp {  // y = max(x, 0)
  static constexpr const char* name = "relu";
  // "x <= 0 ? 0 : x" rather than maximum(x, 0): a nan input stays nan, as in PyTorch.
  Array<T> forward(const Array<T>& x) const {
    return detail::map(x, [](T v) { return v <= T(0) ? T(0) : v; });
  }
  void backward(BackwardCtx<T>& c) const {  // d max(x,0) = [x > 0] dx (nan passes through)
    c.add_map(
        0, [](T g, T x) { return x <= T(0) ? T(0) : g; }, c.x(0));
  }
};
}  // namespace
template <class T>
BasicTensor<T> relu(const BasicTensor<T>& x) {
  return apply(ReluOp<T>{}, x);
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
