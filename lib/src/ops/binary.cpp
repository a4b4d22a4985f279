// SPDX-License-Identifier: MIT
// Arithmetic: tensor (op) tensor with NumPy broadcasting, tensor (op) scalar. Each op is its
// struct (forward, then backward) and its public function right below it (see lib/src/op.hpp).
//
// Broadcasting lives in two shared places: forward evaluates through detail::map_broadcast
// (a flat loop when the shapes are equal), and the backward rules give gradients of the
// output's shape to BackwardCtx::add_gy/add_map, which sum them over the broadcast axes.
#include <xgrad/ops/binary.hpp>

#include "../op.hpp"

namespace xgrad {

using detail::BackwardCtx;

namespace {
template <class T>
struct AddOp {  // y = a + b
  static constexpr const char* name = "add";
  Array<T> forward(const Array<T>& a, const Array<T>& b) const {
    return detail::map_broadcast(name, a, b, [](T u, T v) { return u + v; });
  }
  void backward(BackwardCtx<T>& c) const {  // d(a+b) = da + db
    c.add_gy(0);
    c.add_gy(1);
  }
};
}  // namespace
template <class T>
BasicTensor<T> add(const BasicTensor<T>& a, const BasicTensor<T>& b) {
  return apply(AddOp<T>{}, a, b);
}

namespace {
template <class T>
struct SubOp {  // y = a - b
  static constexpr const char* name = "sub";
  Array<T> forward(const Array<T>& a, const Array<T>& b) const {
    return detail::map_broadcast(name, a, b, [](T u, T v) { return u - v; });
  }
  void backward(BackwardCtx<T>& c) const {  // d(a-b) = da - db
    c.add_gy(0);
    c.add_map(1, [](auto g) { return -g; });
  }
};
}  // namespace
template <class T>
BasicTensor<T> sub(const BasicTensor<T>& a, const BasicTensor<T>& b) {
  return apply(SubOp<T>{}, a, b);
}

namespace {
template <class T>
struct MulOp {  // y = a b
  static constexpr const char* name = "mul";
  Array<T> forward(const Array<T>& a, const Array<T>& b) const {
    return detail::map_broadcast(name, a, b, [](T u, T v) { return u * v; });
  }
  void backward(BackwardCtx<T>& c) const {  // d(ab) = b da + a db
    c.add_map(
        0, [](auto g, auto b) { return g * b; }, c.x(1));
    c.add_map(
        1, [](auto g, auto a) { return g * a; }, c.x(0));
  }
};
}  // namespace
template <class T>
BasicTensor<T> mul(const BasicTensor<T>& a, const BasicTensor<T>& b) {
  return apply(MulOp<T>{}, a, b);
}

namespace {
template <class T>
struct DivOp {  // y = a / b
  static constexpr const char* name = "div";
  Array<T> forward(const Array<T>& a, const Array<T>& b) const {
    return detail::map_broadcast(name, a, b, [](T u, T v) { return u / v; });
  }
  void backward(BackwardCtx<T>& c) const {  // d(a/b) = da/b - (a/b) db/b = (da - y db)/b
    c.add_map(
        0, [](auto g, auto b) { return g / b; }, c.x(1));
    c.add_map(
        1, [](auto g, auto y, auto b) { return -g * y / b; }, c.y(), c.x(1));
  }
};
}  // namespace
template <class T>
BasicTensor<T> div(const BasicTensor<T>& a, const BasicTensor<T>& b) {
  return apply(DivOp<T>{}, a, b);
}

namespace {
template <class T>
struct AddScalarOp {  // y = x + s
  static constexpr const char* name = "add_scalar";
  T s;
  Array<T> forward(const Array<T>& x) const {
    return detail::map(x, [s = s](T v) { return v + s; });
  }
  void backward(BackwardCtx<T>& c) const { c.add_gy(0); }  // d(x+s)/dx = 1
};
}  // namespace
template <class T>
BasicTensor<T> add(const BasicTensor<T>& x, detail::scalar_t<T> s) {
  return apply(AddScalarOp<T>{s}, x);
}

namespace {
template <class T>
struct MulScalarOp {  // y = x s
  static constexpr const char* name = "mul_scalar";
  T s;
  Array<T> forward(const Array<T>& x) const {
    return detail::map(x, [s = s](T v) { return v * s; });
  }
  void backward(BackwardCtx<T>& c) const {  // d(xs)/dx = s
    c.add_map(0, [s = s](auto g) { return g * s; });
  }
};
}  // namespace
template <class T>
BasicTensor<T> mul(const BasicTensor<T>& x, detail::scalar_t<T> s) {
  return apply(MulScalarOp<T>{s}, x);
}

namespace {
template <class T>
struct RSubScalarOp {  // y = s - x
  static constexpr const char* name = "rsub_scalar";
  T s;
  Array<T> forward(const Array<T>& x) const {
    return detail::map(x, [s = s](T v) { return s - v; });
  }
  void backward(BackwardCtx<T>& c) const {  // d(s-x)/dx = -1
    c.add_map(0, [](auto g) { return -g; });
  }
};
}  // namespace
template <class T>
BasicTensor<T> rsub(const BasicTensor<T>& x, detail::scalar_t<T> s) {
  return apply(RSubScalarOp<T>{s}, x);
}

namespace {
template <class T>
struct DivScalarOp {  // y = x / s
  static constexpr const char* name = "div_scalar";
  T s;
  Array<T> forward(const Array<T>& x) const {
    return detail::map(x, [s = s](T v) { return v / s; });
  }
  void backward(BackwardCtx<T>& c) const {  // d(x/s)/dx = 1/s
    c.add_map(0, [s = s](auto g) { return g / s; });
  }
};
}  // namespace
template <class T>
BasicTensor<T> div(const BasicTensor<T>& x, detail::scalar_t<T> s) {
  return apply(DivScalarOp<T>{s}, x);
}

namespace {
template <class T>
struct RDivScalarOp {  // y = s / x
  static constexpr const char* name = "rdiv_scalar";
  T s;
  Array<T> forward(const Array<T>& x) const {
    return detail::map(x, [s = s](T v) { return s / v; });
  }
  void backward(BackwardCtx<T>& c) const {  // d(s/x)/dx = -s/x^2 = -y/x
    c.add_map(
        0, [](auto g, auto y, auto x) { return -g * y / x; }, c.y(), c.x(0));
  }
};
}  // namespace
template <class T>
BasicTensor<T> rdiv(const BasicTensor<T>& x, detail::scalar_t<T> s) {
  return apply(RDivScalarOp<T>{s}, x);
}

#define XGRAD_INSTANTIATE(T)                                                 \
  template BasicTensor<T> add(const BasicTensor<T>&, const BasicTensor<T>&); \
  template BasicTensor<T> sub(const BasicTensor<T>&, const BasicTensor<T>&); \
  template BasicTensor<T> mul(const BasicTensor<T>&, const BasicTensor<T>&); \
  template BasicTensor<T> div(const BasicTensor<T>&, const BasicTensor<T>&); \
  template BasicTensor<T> add(const BasicTensor<T>&, detail::scalar_t<T>);   \
  template BasicTensor<T> mul(const BasicTensor<T>&, detail::scalar_t<T>);   \
  template BasicTensor<T> rsub(const BasicTensor<T>&, detail::scalar_t<T>);  \
  template BasicTensor<T> div(const BasicTensor<T>&, detail::scalar_t<T>);   \
  template BasicTensor<T> rdiv(const BasicTensor<T>&, detail::scalar_t<T>);
XGRAD_INSTANTIATE(float)
XGRAD_INSTANTIATE(double)
#undef XGRAD_INSTANTIATE

}  // namespace xgrad
