// SPDX-License-Identifier: MIT
#include "shape_util.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

#include <xgrad/autograd.hpp>

namespace xgrad::detail {

std::string shape_str(const Shape& shape) {
  std::string s = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) s += ",";
    s += std::to_string(shape[i]);
  }
  if (shape.size() == 1) s += ",";
  return s + ")";
}

Shape broadcast_shapes(const char* op, const Shape& a, const Shape& b) {
  if (a == b) return a;
  const std::size_t rank = std::max(a.size(), b.size());
  Shape out(rank);
  for (std::size_t i = 0; i < rank; ++i) {
    // Align on the right: i counts dimensions of the output from the left.
    const std::size_t off_a = rank - a.size(), off_b = rank - b.size();
    const std::size_t da = i < off_a ? 1 : a[i - off_a];
    const std::size_t db = i < off_b ? 1 : b[i - off_b];
    if (da != db && da != 1 && db != 1) {
      throw std::invalid_argument(std::string(op) + ": shapes " + shape_str(a) + " and " +
                                  shape_str(b) + " cannot be broadcast: size " +
                                  std::to_string(da) + " vs " + std::to_string(db) +
                                  " at dimension " + std::to_string(i) + " of the result");
    }
    out[i] = da == 1 ? db : da;
  }
  return out;
}

template <class T>
Array<T> sum_axis(const Array<T>& x, std::size_t axis) {
  const Shape& in = x.shape();
  std::size_t outer = 1, inner = 1;
  for (std::size_t d = 0; d < axis; ++d) outer *= in[d];
  for (std::size_t d = axis + 1; d < in.size(); ++d) inner *= in[d];
  const std::size_t n = in[axis];
  Shape out_shape(in.size() - 1);
  for (std::size_t d = 0, j = 0; d < in.size(); ++d) {
    if (d != axis) out_shape[j++] = in[d];
  }
  Array<T> out = detail::empty<T>(out_shape);
  T* dst = out.data();
  std::fill(dst, dst + out.size(), T(0));
  if (x.size() == 0) return out;
  const T* src = x.data();
  for (std::size_t o = 0; o < outer; ++o) {
    T* row_out = dst + o * inner;
    for (std::size_t k = 0; k < n; ++k) {
      const T* row_in = src + (o * n + k) * inner;
      for (std::size_t i = 0; i < inner; ++i) row_out[i] += row_in[i];
    }
  }
  return out;
}

template <class T>
Array<T> sum_to_shape(Array<T>&& g, const Shape& shape) {
  if (g.shape() == shape) return std::move(g);
  // Sum away the leading axes the input did not have, then the axes where it had size 1.
  Array<T> r = std::move(g);
  while (r.dimension() > shape.size()) r = sum_axis(r, 0);
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == 1 && r.shape()[i] != 1) {
      Shape kept = r.shape();
      kept[i] = 1;
      r = sum_axis(r, i);
      r.reshape(kept);
    }
  }
  return r;
}

std::size_t normalize_axis(const char* op, std::int64_t axis, std::size_t rank) {
  const auto r = static_cast<std::int64_t>(rank);
  if (axis < -r || axis >= r) {
    throw std::invalid_argument(std::string(op) + ": axis " + std::to_string(axis) +
                                " is out of range for a tensor of rank " + std::to_string(rank));
  }
  return static_cast<std::size_t>(axis < 0 ? axis + r : axis);
}

std::size_t shape_size(const Shape& shape) noexcept {
  std::size_t n = 1;
  for (auto d : shape) n *= d;
  return n;
}

template <class T>
void check_anomaly(const char* op, std::size_t input, const T* g, std::size_t n,
                   const Shape& shape) {
  for (std::size_t k = 0; k < n; ++k) {
    if (std::isfinite(g[k])) continue;
    throw AnomalyError(std::string("anomaly: backward of '") + op + "' produced " +
                       (std::isnan(g[k]) ? "NaN" : "Inf") + " in the gradient of input " +
                       std::to_string(input) + " (shape " + shape_str(shape) + ", element " +
                       std::to_string(k) + "); the '" + op +
                       "' op of the forward pass is where the non-finite gradient starts");
  }
}

template void check_anomaly(const char*, std::size_t, const float*, std::size_t, const Shape&);
template void check_anomaly(const char*, std::size_t, const double*, std::size_t, const Shape&);
template Array<float> sum_to_shape(Array<float>&&, const Shape&);
template Array<float> sum_axis(const Array<float>&, std::size_t);
template Array<double> sum_axis(const Array<double>&, std::size_t);
template Array<double> sum_to_shape(Array<double>&&, const Shape&);

}  // namespace xgrad::detail
