// SPDX-License-Identifier: MIT
#pragma once
// Reference forward kernels for the op registry (tests/registry): plain loops over row-major
// double arrays, written independently of xgrad (no xgrad op, and no xtensor broadcasting,
// reducers or views: only from_shape and flat element access), so that a registry entry
// compares xgrad with a second implementation rather than with itself.

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <xtensor/xarray.hpp>

#include <xgrad/array.hpp>

namespace xgrad::test::ref {

using Array = xt::xarray<double>;
/// Shapes as xgrad spells them (xgrad::Shape converts from and to any sequence of extents, so
/// the registry's shapes and the plain arrays' shapes both fit).
using RefShape = xgrad::Shape;

inline std::size_t numel(const RefShape& s) {
  std::size_t n = 1;
  for (std::size_t d : s) n *= d;
  return n;
}

inline Array filled(const RefShape& s, double v) {
  Array a = Array::from_shape(s);
  for (std::size_t i = 0; i < ref::numel(s); ++i) a.data()[i] = v;
  return a;
}

/// Row-major strides of `s` (in elements).
inline std::vector<std::size_t> strides_of(const RefShape& s) {
  std::vector<std::size_t> st(s.size(), 1);
  for (std::size_t d = s.size(); d-- > 1;) st[d - 1] = st[d] * s[d];
  return st;
}

/// NumPy's broadcast shape of a and b (aligned on the right; each pair equal or one of them 1).
inline RefShape broadcast_shape(const RefShape& a, const RefShape& b) {
  const std::size_t r = std::max(a.size(), b.size());
  RefShape out(r);
  for (std::size_t i = 0; i < r; ++i) {
    const std::size_t da = i < r - a.size() ? 1 : a[i - (r - a.size())];
    const std::size_t db = i < r - b.size() ? 1 : b[i - (r - b.size())];
    if (da != db && da != 1 && db != 1) throw std::invalid_argument("ref: not broadcastable");
    out[i] = da == 1 ? db : da;
  }
  return out;
}

/// Flat index into an array of shape `in` (right-aligned in `out`, broadcast along its size-1
/// axes) of the element at flat index `k` of the broadcast result of shape `out`.
inline std::size_t broadcast_source(std::size_t k, const RefShape& out, const RefShape& in) {
  const std::size_t off = out.size() - in.size();
  std::size_t src = 0, in_stride = 1;
  for (std::size_t d = out.size(); d-- > 0;) {
    const std::size_t idx = k % out[d];
    k /= out[d];
    if (d >= off) {
      const std::size_t size = in[d - off];
      if (size != 1) src += idx * in_stride;
      in_stride *= size;
    }
  }
  return src;
}

template <class F>
Array unary(const Array& a, F f) {
  Array out = Array::from_shape(a.shape());
  for (std::size_t i = 0; i < a.size(); ++i) out.data()[i] = f(a.data()[i]);
  return out;
}

template <class F>
Array binary(const Array& a, const Array& b, F f) {
  const RefShape s = ref::broadcast_shape(a.shape(), b.shape());
  Array out = Array::from_shape(s);
  for (std::size_t k = 0; k < ref::numel(s); ++k) {
    out.data()[k] = f(a.data()[ref::broadcast_source(k, s, a.shape())],
                      b.data()[ref::broadcast_source(k, s, b.shape())]);
  }
  return out;
}

/// `axis` counted from the end when negative.
inline std::size_t norm_axis(std::int64_t axis, std::size_t rank) {
  const std::int64_t r = static_cast<std::int64_t>(rank);
  const std::int64_t a = axis < 0 ? axis + r : axis;
  if (a < 0 || a >= r) throw std::invalid_argument("ref: axis out of range");
  return static_cast<std::size_t>(a);
}

/// A shape seen as (outer, n, inner) around one axis: element (o, k, i) sits at
/// (o * n + k) * inner + i.
struct AxisSplit {
  std::size_t outer = 1, n = 1, inner = 1;
  std::size_t at(std::size_t o, std::size_t k, std::size_t i) const {
    return (o * n + k) * inner + i;
  }
};

inline AxisSplit axis_split(const RefShape& s, std::size_t axis) {
  AxisSplit p;
  for (std::size_t d = 0; d < axis; ++d) p.outer *= s[d];
  p.n = s[axis];
  for (std::size_t d = axis + 1; d < s.size(); ++d) p.inner *= s[d];
  return p;
}

/// Reduces every slice along `axis` with f(slice values) (an empty slice when the axis has
/// size 0); the axis is removed, or kept with size 1.
inline Array reduce_axis(const Array& a, std::int64_t axis, bool keepdims,
                         const std::function<double(const std::vector<double>&)>& f) {
  const std::size_t ax = ref::norm_axis(axis, a.dimension());
  const AxisSplit p = ref::axis_split(a.shape(), ax);
  RefShape s;
  for (std::size_t d = 0; d < a.dimension(); ++d) {
    if (d != ax) {
      s.push_back(a.shape()[d]);
    } else if (keepdims) {
      s.push_back(1);
    }
  }
  Array out = Array::from_shape(s);
  std::vector<double> slice_values(p.n);
  for (std::size_t o = 0; o < p.outer; ++o) {
    for (std::size_t i = 0; i < p.inner; ++i) {
      for (std::size_t k = 0; k < p.n; ++k) slice_values[k] = a.data()[p.at(o, k, i)];
      out.data()[o * p.inner + i] = f(slice_values);
    }
  }
  return out;
}

/// Maps every slice along `axis` to a slice of the same length with f (shape unchanged).
inline Array map_axis(const Array& a, std::int64_t axis,
                      const std::function<std::vector<double>(const std::vector<double>&)>& f) {
  const std::size_t ax = ref::norm_axis(axis, a.dimension());
  const AxisSplit p = ref::axis_split(a.shape(), ax);
  Array out = Array::from_shape(a.shape());
  std::vector<double> slice_values(p.n);
  for (std::size_t o = 0; o < p.outer; ++o) {
    for (std::size_t i = 0; i < p.inner; ++i) {
      for (std::size_t k = 0; k < p.n; ++k) slice_values[k] = a.data()[p.at(o, k, i)];
      const std::vector<double> r = f(slice_values);
      for (std::size_t k = 0; k < p.n; ++k) out.data()[p.at(o, k, i)] = r[k];
    }
  }
  return out;
}

inline Array scalar(double v) {
  Array out = Array::from_shape(RefShape{});
  out.data()[0] = v;
  return out;
}

inline double sum_of(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return s;
}
inline double mean_of(const std::vector<double>& v) {
  return v.empty() ? std::numeric_limits<double>::quiet_NaN() : ref::sum_of(v) / double(v.size());
}
inline double max_of(const std::vector<double>& v) {
  double m = -std::numeric_limits<double>::infinity();
  for (double x : v) m = x > m ? x : m;
  return m;
}
inline double logsumexp_of(const std::vector<double>& v) {
  const double m = ref::max_of(v);
  if (std::isinf(m)) return m;  // all -inf (or empty): -inf
  double s = 0;
  for (double x : v) s += std::exp(x - m);
  return m + std::log(s);
}
inline std::vector<double> softmax_of(const std::vector<double>& v) {
  const double lse = ref::logsumexp_of(v);
  std::vector<double> r(v.size());
  for (std::size_t k = 0; k < v.size(); ++k) r[k] = std::exp(v[k] - lse);
  return r;
}
inline std::vector<double> log_softmax_of(const std::vector<double>& v) {
  const double lse = ref::logsumexp_of(v);
  std::vector<double> r(v.size());
  for (std::size_t k = 0; k < v.size(); ++k) r[k] = v[k] - lse;
  return r;
}

inline Array sum_all(const Array& a) {
  return ref::scalar(ref::sum_of(std::vector<double>(a.data(), a.data() + a.size())));
}
inline Array mean_all(const Array& a) {
  return ref::scalar(ref::mean_of(std::vector<double>(a.data(), a.data() + a.size())));
}

/// (m,k) . (k,n) by the textbook triple loop.
inline Array matmul(const Array& a, const Array& b) {
  if (a.dimension() != 2 || b.dimension() != 2 || a.shape()[1] != b.shape()[0]) {
    throw std::invalid_argument("ref: matmul shapes");
  }
  const std::size_t m = a.shape()[0], k = a.shape()[1], n = b.shape()[1];
  Array out = ref::filled({m, n}, 0.0);
  for (std::size_t i = 0; i < m; ++i) {
    for (std::size_t j = 0; j < n; ++j) {
      double s = 0;
      for (std::size_t t = 0; t < k; ++t) s += a.data()[i * k + t] * b.data()[t * n + j];
      out.data()[i * n + j] = s;
    }
  }
  return out;
}

inline Array transpose(const Array& a) {
  const std::size_t m = a.shape()[0], n = a.shape()[1];
  Array out = Array::from_shape({n, m});
  for (std::size_t i = 0; i < m; ++i) {
    for (std::size_t j = 0; j < n; ++j) out.data()[j * m + i] = a.data()[i * n + j];
  }
  return out;
}

/// The same row-major elements with shape `s`.
inline Array reshape(const Array& a, const RefShape& s) {
  if (ref::numel(s) != a.size()) throw std::invalid_argument("ref: reshape size");
  Array out = Array::from_shape(s);
  for (std::size_t i = 0; i < a.size(); ++i) out.data()[i] = a.data()[i];
  return out;
}

inline Array concat(const std::vector<Array>& parts, std::int64_t axis) {
  const std::size_t ax = ref::norm_axis(axis, parts.at(0).dimension());
  RefShape s = parts[0].shape();
  s[ax] = 0;
  for (const Array& p : parts) s[ax] += p.shape()[ax];
  Array out = Array::from_shape(s);
  const AxisSplit po = ref::axis_split(s, ax);
  std::size_t base = 0;
  for (const Array& p : parts) {
    const AxisSplit pp = ref::axis_split(p.shape(), ax);
    for (std::size_t o = 0; o < pp.outer; ++o) {
      for (std::size_t k = 0; k < pp.n; ++k) {
        for (std::size_t i = 0; i < pp.inner; ++i) {
          out.data()[po.at(o, base + k, i)] = p.data()[pp.at(o, k, i)];
        }
      }
    }
    base += pp.n;
  }
  return out;
}

inline Array index_select(const Array& a, std::int64_t axis,
                          const std::vector<std::size_t>& indices) {
  const std::size_t ax = ref::norm_axis(axis, a.dimension());
  RefShape s = a.shape();
  s[ax] = indices.size();
  Array out = Array::from_shape(s);
  const AxisSplit pi = ref::axis_split(a.shape(), ax), po = ref::axis_split(s, ax);
  for (std::size_t o = 0; o < po.outer; ++o) {
    for (std::size_t k = 0; k < po.n; ++k) {
      for (std::size_t i = 0; i < po.inner; ++i) {
        out.data()[po.at(o, k, i)] = a.data()[pi.at(o, indices[k], i)];
      }
    }
  }
  return out;
}

/// a[start:end] along `axis` with Python's rules (negative bounds from the end, clamped).
inline Array slice(const Array& a, std::int64_t axis, std::int64_t start, std::int64_t end) {
  const std::size_t ax = ref::norm_axis(axis, a.dimension());
  const std::int64_t n = static_cast<std::int64_t>(a.shape()[ax]);
  auto clampi = [n](std::int64_t v) {
    if (v < 0) v += n;
    return v < 0 ? std::int64_t{0} : (v > n ? n : v);
  };
  const std::int64_t b = clampi(start), e = std::max(clampi(end), clampi(start));
  std::vector<std::size_t> idx;
  for (std::int64_t k = b; k < e; ++k) idx.push_back(static_cast<std::size_t>(k));
  return ref::index_select(a, axis, idx);
}

inline double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }
/// log(1 + e^x) without overflow.
inline double softplus(double x) { return std::max(x, 0.0) + std::log1p(std::exp(-std::abs(x))); }

/// True if a and b have the same shape and every element satisfies
/// |a - b| <= atol + rtol |b|, or both are nan, or both are the same infinity.
inline bool close(const Array& a, const Array& b, double atol, double rtol, std::string* why) {
  if (a.shape() != b.shape()) {
    if (why) *why = "shapes differ";
    return false;
  }
  for (std::size_t i = 0; i < a.size(); ++i) {
    const double x = a.data()[i], y = b.data()[i];
    if (std::isnan(x) && std::isnan(y)) continue;
    if (std::isinf(y) && x == y) continue;
    if (!(std::abs(x - y) <= atol + rtol * std::abs(y))) {
      if (why) {
        std::ostringstream os;
        os.precision(17);
        os << "element " << i << ": got " << x << ", reference " << y;
        *why = os.str();
      }
      return false;
    }
  }
  return true;
}

}  // namespace xgrad::test::ref
