// SPDX-License-Identifier: MIT
#include <xgrad/ops/binary.hpp>

#include "../map.hpp"
#include "../op_node.hpp"

namespace xgrad {
namespace {

using detail::BackwardCtx;

/// Shape check shared by the broadcasting binary ops, done before xtensor sees the operands.
template <class T>
Shape check_binary(const char* op, const BasicTensor<T>& a, const BasicTensor<T>& b) {
  detail::check_defined(op, a);
  detail::check_defined(op, b);
  return detail::broadcast_shapes(op, a.shape(), b.shape());
}

/// True when neither input of a binary op was broadcast (both have the output's shape).
template <class T>
bool same_shapes(const BackwardCtx<T>& c) {
  return c.x_shape(0) == c.x_shape(1) && c.x_shape(0) == c.gy().shape();
}

struct AddOp {
  static constexpr const char* name = "add";
  template <class T>
  void backward(BackwardCtx<T>& c) const {  // d(a+b) = da + db
    if (c.needs(0) && c.needs(1)) {
      c.add_reduced(0, xt::xarray<T>(c.gy()));
      c.add_reduced(1, c.take_gy());
    } else {
      c.add_reduced(c.needs(0) ? 0 : 1, c.take_gy());
    }
  }
};

struct SubOp {
  static constexpr const char* name = "sub";
  template <class T>
  void backward(BackwardCtx<T>& c) const {  // d(a-b) = da - db
    const auto neg = [](T g) { return -g; };
    if (c.needs(0) && c.needs(1)) {
      c.add_reduced(1, detail::map(c.gy(), neg));
      c.add_reduced(0, c.take_gy());
    } else if (c.needs(1)) {
      c.add_reduced(1, detail::update(c.take_gy(), neg));
    } else {
      c.add_reduced(0, c.take_gy());
    }
  }
};

struct MulOp {
  static constexpr const char* name = "mul";
  template <class T>
  void backward(BackwardCtx<T>& c) const {  // d(ab) = b da + a db
    if (same_shapes(c)) {                   // no broadcasting: plain loops
      const auto mul = [](T g, T v) { return g * v; };
      if (c.needs(0)) {
        c.add(0, c.needs(1) ? detail::map(c.gy(), c.x(1), mul)
                            : detail::update(c.take_gy(), c.x(1), mul));
      }
      if (c.needs(1)) c.add(1, detail::update(c.take_gy(), c.x(0), mul));
      return;
    }
    if (c.needs(0)) c.add_reduced(0, xt::xarray<T>(c.gy() * c.x(1)));
    if (c.needs(1)) c.add_reduced(1, xt::xarray<T>(c.gy() * c.x(0)));
  }
};

struct DivOp {
  static constexpr const char* name = "div";
  template <class T>
  void backward(BackwardCtx<T>& c) const {  // d(a/b) = da/b - (a/b) db/b = (da - y db)/b
    if (same_shapes(c)) {
      if (c.needs(1)) {
        c.add(1, detail::map(c.gy(), c.y(), c.x(1), [](T g, T y, T b) { return -g * y / b; }));
      }
      if (c.needs(0)) {
        c.add(0, detail::update(c.take_gy(), c.x(1), [](T g, T b) { return g / b; }));
      }
      return;
    }
    if (c.needs(0)) c.add_reduced(0, xt::xarray<T>(c.gy() / c.x(1)));
    if (c.needs(1)) c.add_reduced(1, xt::xarray<T>(-c.gy() * c.y() / c.x(1)));
  }
};

template <class T>
struct ScalarOp {
  T s;
};

struct AddScalarOp : ScalarOp<double> {
  static constexpr const char* name = "add_scalar";
  template <class T>
  void backward(BackwardCtx<T>& c) const {  // d(x+s)/dx = 1
    c.add(0, c.take_gy());
  }
};

struct MulScalarOp : ScalarOp<double> {
  static constexpr const char* name = "mul_scalar";
  template <class T>
  void backward(BackwardCtx<T>& c) const {  // d(xs)/dx = s
    c.add(0, detail::update(c.take_gy(), [k = static_cast<T>(s)](T g) { return g * k; }));
  }
};

struct RSubScalarOp {
  static constexpr const char* name = "rsub_scalar";
  template <class T>
  void backward(BackwardCtx<T>& c) const {  // d(s-x)/dx = -1
    c.add(0, detail::update(c.take_gy(), [](T g) { return -g; }));
  }
};

struct DivScalarOp : ScalarOp<double> {
  static constexpr const char* name = "div_scalar";
  template <class T>
  void backward(BackwardCtx<T>& c) const {  // d(x/s)/dx = 1/s
    c.add(0, detail::update(c.take_gy(), [k = static_cast<T>(s)](T g) { return g / k; }));
  }
};

struct RDivScalarOp {
  static constexpr const char* name = "rdiv_scalar";
  template <class T>
  void backward(BackwardCtx<T>& c) const {  // d(s/x)/dx = -s/x^2 = -y/x
    c.add(0, detail::update(c.take_gy(), c.y(), c.x(0), [](T g, T y, T x) { return -g * y / x; }));
  }
};

/// a (op) b with NumPy broadcasting: `f` elementwise when the shapes are equal, the xtensor
/// expression `expr` otherwise. The value is built inside the result node.
template <class Op, class T, class F, class E>
BasicTensor<T> binary(const BasicTensor<T>& a, const BasicTensor<T>& b, F f, E expr) {
  const Shape shape = check_binary(Op::name, a, b);
  const auto forward = [&]() -> xt::xarray<T> {
    if (a.shape() == b.shape()) return detail::map(a.value(), b.value(), f);
    return detail::evaluate<T>(shape, [&] { return expr(a.value(), b.value()); });
  };
  return detail::make_result_in_place<T>(forward, Op{}, a, b);
}

/// x (op) s for a scalar s: `f` elementwise, built inside the result node.
template <class T, class Op, class F>
BasicTensor<T> with_scalar(const BasicTensor<T>& x, Op op, F f) {
  detail::check_defined(Op::name, x);
  return detail::make_result_in_place<T>([&] { return detail::map(x.value(), f); }, std::move(op),
                                         x);
}

}  // namespace

template <class T>
BasicTensor<T> add(const BasicTensor<T>& a, const BasicTensor<T>& b) {
  return binary<AddOp>(
      a, b, [](T u, T v) { return u + v; }, [](const auto& u, const auto& v) { return u + v; });
}

template <class T>
BasicTensor<T> sub(const BasicTensor<T>& a, const BasicTensor<T>& b) {
  return binary<SubOp>(
      a, b, [](T u, T v) { return u - v; }, [](const auto& u, const auto& v) { return u - v; });
}

template <class T>
BasicTensor<T> mul(const BasicTensor<T>& a, const BasicTensor<T>& b) {
  return binary<MulOp>(
      a, b, [](T u, T v) { return u * v; }, [](const auto& u, const auto& v) { return u * v; });
}

template <class T>
BasicTensor<T> div(const BasicTensor<T>& a, const BasicTensor<T>& b) {
  return binary<DivOp>(
      a, b, [](T u, T v) { return u / v; }, [](const auto& u, const auto& v) { return u / v; });
}

template <class T>
BasicTensor<T> add(const BasicTensor<T>& x, detail::scalar_t<T> s) {
  return with_scalar(x, AddScalarOp{{s}}, [k = static_cast<T>(s)](T v) { return v + k; });
}

template <class T>
BasicTensor<T> mul(const BasicTensor<T>& x, detail::scalar_t<T> s) {
  return with_scalar(x, MulScalarOp{{s}}, [k = static_cast<T>(s)](T v) { return v * k; });
}

template <class T>
BasicTensor<T> rsub(const BasicTensor<T>& x, detail::scalar_t<T> s) {
  return with_scalar(x, RSubScalarOp{}, [k = static_cast<T>(s)](T v) { return k - v; });
}

template <class T>
BasicTensor<T> div(const BasicTensor<T>& x, detail::scalar_t<T> s) {
  return with_scalar(x, DivScalarOp{{s}}, [k = static_cast<T>(s)](T v) { return v / k; });
}

template <class T>
BasicTensor<T> rdiv(const BasicTensor<T>& x, detail::scalar_t<T> s) {
  return with_scalar(x, RDivScalarOp{}, [k = static_cast<T>(s)](T v) { return k / v; });
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
