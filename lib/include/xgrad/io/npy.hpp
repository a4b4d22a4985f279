// SPDX-License-Identifier: MIT
#pragma once

#include <xgrad/array.hpp>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <xgrad/io/error.hpp>
#include <xtensor/xarray.hpp>

/// \file
/// NumPy's .npy format (https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html),
/// read and written in memory by our own code: xtensor 0.24.3's xt::load_npy mis-reads valid
/// headers longer than 127 bytes and accepts truncated and malformed files (the hand-made
/// inputs of tests/fuzz/make_crashes.py; docs/reliability.md, "Files").
///
/// A .npy file is: the magic "\x93NUMPY", a version byte pair (1.0, 2.0 or 3.0), the header
/// length (uint16 LE for 1.0, uint32 LE otherwise), the header (a Python dict literal such as
/// `{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }` padded with spaces and a
/// final '\n'), then the raw little-endian data.
///
/// The reader is strict: every malformed input throws xgrad::IoError, never crashes, and
/// nothing is allocated beyond the input's own size (the declared data size is checked
/// against the bytes present and against LoadLimits first).

namespace xgrad::io {

/// The element types xgrad reads and writes. Floats are what tensors hold; the integer types
/// are accepted for reading data (labels, images).
enum class DType { float32, float64, int32, int64, uint8 };

/// NumPy's descr string of `d`: "<f4", "<f8", "<i4", "<i8", "|u1".
const char* dtype_descr(DType d) noexcept;
/// NumPy's name of `d`: "float32", "float64", "int32", "int64", "uint8".
const char* dtype_name(DType d) noexcept;
/// Bytes per element of `d`.
std::size_t dtype_size(DType d) noexcept;

/// The DType of a C++ element type (float, double, std::int32_t, std::int64_t, std::uint8_t).
template <class T>
constexpr DType dtype_of() noexcept;
template <>
constexpr DType dtype_of<float>() noexcept {
  return DType::float32;
}
template <>
constexpr DType dtype_of<double>() noexcept {
  return DType::float64;
}
template <>
constexpr DType dtype_of<std::int32_t>() noexcept {
  return DType::int32;
}
template <>
constexpr DType dtype_of<std::int64_t>() noexcept {
  return DType::int64;
}
template <>
constexpr DType dtype_of<std::uint8_t>() noexcept {
  return DType::uint8;
}

/// Caps applied while reading, before anything is allocated.
struct LoadLimits {
  /// Longest accepted header (the dict and its padding). NumPy's own reader refuses headers
  /// over 10,000 bytes (max_header_size, numpy PR #22393); a float array needs < 1 KiB.
  std::size_t max_header_bytes = 10000;
  /// Largest accepted data block of one array, in bytes (default 1 GiB).
  std::uint64_t max_array_bytes = std::uint64_t{1} << 30;
  /// Largest accepted file, or sum of the uncompressed entries of a .npz (default 4 GiB).
  std::uint64_t max_total_bytes = std::uint64_t{1} << 32;
  /// Most entries accepted in a .npz archive.
  std::size_t max_entries = 100000;
};

/// One array as stored in a .npy file.
struct NpyArray {
  DType dtype = DType::float32;
  std::vector<std::size_t> shape;  ///< () for a 0-d array
  bool fortran_order = false;      ///< true: `bytes` is in column-major (Fortran) order
  std::string bytes;               ///< the raw little-endian data, prod(shape) * itemsize bytes

  /// Number of elements, prod(shape) (1 for a 0-d array).
  std::size_t size() const noexcept;
};

/// Parses a whole .npy file held in memory (`size` bytes at `data`).
///
/// Checks: the magic; version 1.0, 2.0 or 3.0; the header length against the buffer and
/// `limits.max_header_bytes`; a dict with exactly the keys 'descr', 'fortran_order' and
/// 'shape' (in any order, as NumPy accepts); descr one of '<f4' '<f8' '<i4' '<i8' '|u1'
/// ('<u1' too; big-endian, structured, object and all other dtypes are rejected); shape a
/// tuple of non-negative integers whose element and byte counts do not overflow and stay within
/// `limits.max_array_bytes`; and exactly that many data bytes after the header (fewer: truncated;
/// more: trailing bytes). Throws xgrad::IoError
/// ("parse_npy: ...") on any violation.
NpyArray parse_npy(const char* data, std::size_t size, const LoadLimits& limits = {});
/// parse_npy over the bytes of a std::string.
NpyArray parse_npy(const std::string& bytes, const LoadLimits& limits = {});

/// Serialises `array` as a version 1.0 .npy file (2.0 only if the header exceeds 65535 bytes),
/// byte for byte as numpy.save writes it: sorted keys, the growth padding of the first axis,
/// and spaces plus '\n' so that the data starts at a multiple of 64 bytes.
/// Throws std::invalid_argument if `array.bytes` does not hold prod(shape) elements.
std::string write_npy(const NpyArray& array);

/// A C-order NpyArray holding a copy of `a` (T: float, double, int32, int64 or uint8).
template <class T>
NpyArray to_npy(const Array<T>& a);
/// to_npy of any xtensor expression (a plain `xt::xarray<T>`, a view, ...), evaluated first.
template <class E>
NpyArray to_npy(const xt::xexpression<E>& e) {
  using T = typename E::value_type;
  return to_npy<T>(Array<T>(e));
}

/// write_npy(to_npy(a)).
template <class T>
std::string write_npy(const Array<T>& a);
/// write_npy of any xtensor expression, evaluated first.
template <class E>
std::string write_npy(const xt::xexpression<E>& e) {
  using T = typename E::value_type;
  return write_npy<T>(Array<T>(e));
}

/// The array held by `npy` as an Array<T> in row-major order (a Fortran-order array is
/// transposed into row-major layout, keeping its shape). No conversion: throws
/// xgrad::IoError if npy.dtype is not dtype_of<T>() (e.g. "expected float32 ('<f4'), the
/// data is float64 ('<f8')").
template <class T>
Array<T> to_xarray(const NpyArray& npy);

/// Loads the .npy file at `path` raw: the array as stored, tagged with its dtype (see
/// parse_npy), for a caller that does not know the element type in advance; load_npy<T>
/// loads it as an xt::xarray<T>. Throws xgrad::IoError naming the file if it cannot be read,
/// is larger than the limits allow, or is malformed.
NpyArray load_npy_raw(const std::filesystem::path& path, const LoadLimits& limits = {});

/// to_xarray<T>(load_npy_raw(path, limits)).
template <class T>
Array<T> load_npy(const std::filesystem::path& path, const LoadLimits& limits = {});

/// Writes `a` to `path` as .npy, atomically: into a temporary file next to it, flushed to
/// disk, then renamed over `path`, so a failed save leaves any previous file intact.
/// Throws xgrad::IoError naming the file on failure.
template <class T>
void save_npy(const std::filesystem::path& path, const Array<T>& a);
/// save_npy of any xtensor expression (a plain `xt::xarray<T>`, a view, ...), evaluated first.
template <class E>
void save_npy(const std::filesystem::path& path, const xt::xexpression<E>& e) {
  using T = typename E::value_type;
  save_npy<T>(path, Array<T>(e));
}

}  // namespace xgrad::io
