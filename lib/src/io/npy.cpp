// SPDX-License-Identifier: MIT
#include <xgrad/io/npy.hpp>

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <cstring>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string_view>

#include "file_util.hpp"

// The data bytes are copied to and from memory as they are: .npy data is little-endian.
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
              "xgrad's .npy reader and writer assume a little-endian machine");

namespace xgrad::io {
namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr std::size_t kMagicLen = 6;
constexpr std::size_t kArrayAlign = 64;           // numpy.lib.format.ARRAY_ALIGN
constexpr std::size_t kGrowthAxisMaxDigits = 21;  // numpy.lib.format.GROWTH_AXIS_MAX_DIGITS

[[noreturn]] void fail(const std::string& what) { throw IoError("parse_npy: " + what); }

/// Shows untrusted text in a message: at most 40 characters, non-printables as \xNN.
std::string printable(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  const std::size_t n = std::min<std::size_t>(s.size(), 40);
  for (std::size_t i = 0; i < n; ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  if (s.size() > n) out += "...";
  return out;
}

std::string shape_repr(const std::vector<std::size_t>& shape) {
  // Python's tuple repr: (), (3,), (2, 3)
  std::string s = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) s += ", ";
    s += std::to_string(shape[i]);
  }
  if (shape.size() == 1) s += ",";
  return s + ")";
}

std::optional<DType> dtype_from_descr(std::string_view d) {
  if (d == "<f4") return DType::float32;
  if (d == "<f8") return DType::float64;
  if (d == "<i4") return DType::int32;
  if (d == "<i8") return DType::int64;
  if (d == "|u1" || d == "<u1") return DType::uint8;
  return std::nullopt;
}

/// A recursive-descent reader of the header dict. It accepts exactly the Python literal
/// syntax numpy and other writers produce for the three keys, and nothing else.
class HeaderParser {
 public:
  explicit HeaderParser(std::string_view s) : s_(s) {}

  NpyArray parse() {
    NpyArray out;
    bool has_descr = false, has_order = false, has_shape = false;
    skip_ws();
    expect('{', "the header does not start with '{'");
    skip_ws();
    while (!at('}')) {
      const std::string key = parse_string("a key");
      skip_ws();
      expect(':', "expected ':' after key '" + printable(key) + "'");
      skip_ws();
      if (key == "descr") {
        if (has_descr) fail("duplicate key 'descr' in the header");
        has_descr = true;
        if (at('[')) {
          fail(
              "unsupported dtype: structured arrays (descr is a list) are not supported; "
              "expected '<f4' or '<f8'");
        }
        if (!at('\'') && !at('"')) fail("descr is not a string: " + context());
        const std::string descr = parse_string("descr");
        const auto dt = dtype_from_descr(descr);
        if (!dt) {
          std::string why;
          if (descr.find('O') != std::string::npos) {
            why = " (object arrays need pickle, which xgrad never loads)";
          } else if (!descr.empty() && descr[0] == '>') {
            why = " (big-endian data is not supported)";
          }
          fail("unsupported dtype '" + printable(descr) + "'" + why +
               "; expected one of '<f4' (float32), '<f8' (float64), '<i4', '<i8', '|u1'");
        }
        out.dtype = *dt;
      } else if (key == "fortran_order") {
        if (has_order) fail("duplicate key 'fortran_order' in the header");
        has_order = true;
        if (consume_word("True")) {
          out.fortran_order = true;
        } else if (consume_word("False")) {
          out.fortran_order = false;
        } else {
          fail("fortran_order is not True or False: " + context());
        }
      } else if (key == "shape") {
        if (has_shape) fail("duplicate key 'shape' in the header");
        has_shape = true;
        out.shape = parse_shape();
      } else {
        fail("unexpected key '" + printable(key) +
             "' in the header (expected 'descr', 'fortran_order', 'shape')");
      }
      skip_ws();
      if (at(',')) {
        ++pos_;
        skip_ws();
      } else if (!at('}')) {
        fail("expected ',' or '}' in the header dict: " + context());
      }
    }
    ++pos_;  // '}'
    skip_ws();
    if (pos_ != s_.size()) {
      fail("unexpected text after the header dict: " + context());
    }
    std::string missing;
    if (!has_descr) missing += " 'descr'";
    if (!has_order) missing += " 'fortran_order'";
    if (!has_shape) missing += " 'shape'";
    if (!missing.empty()) fail("the header lacks the key(s)" + missing);
    return out;
  }

 private:
  bool at(char c) const { return pos_ < s_.size() && s_[pos_] == c; }
  void expect(char c, const std::string& msg) {
    if (!at(c)) fail(msg + ": " + context());
    ++pos_;
  }
  void skip_ws() {
    while (pos_ < s_.size() &&
           (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r')) {
      ++pos_;
    }
  }
  std::string context() const {
    if (pos_ >= s_.size()) return "the header ends early";
    return "at '" + printable(s_.substr(pos_, 20)) + "'";
  }
  bool consume_word(std::string_view w) {
    if (s_.substr(pos_, w.size()) != w) return false;
    const std::size_t end = pos_ + w.size();
    if (end < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[end])) || s_[end] == '_')) {
      return false;
    }
    pos_ = end;
    return true;
  }
  /// A Python string literal without escapes ('...' or "...").
  std::string parse_string(const char* what) {
    if (!at('\'') && !at('"'))
      fail(std::string("expected a quoted string for ") + what + ": " + context());
    const char q = s_[pos_++];
    const std::size_t start = pos_;
    while (pos_ < s_.size() && s_[pos_] != q) {
      if (s_[pos_] == '\\') fail("escape sequences are not supported in the header");
      ++pos_;
    }
    if (pos_ >= s_.size()) fail(std::string("unterminated string in the header (") + what + ")");
    return std::string(s_.substr(start, pos_++ - start));
  }
  /// A tuple of non-negative integers: (), (3,), (2, 3) or (2, 3,).
  std::vector<std::size_t> parse_shape() {
    if (!at('(')) fail("shape is not a tuple: " + context());
    ++pos_;
    std::vector<std::size_t> shape;
    bool trailing_comma = false;
    skip_ws();
    while (!at(')')) {
      if (pos_ >= s_.size()) fail("unterminated shape tuple");
      if (at('-')) fail("negative dimension in shape: " + context());
      if (pos_ >= s_.size() || !std::isdigit(static_cast<unsigned char>(s_[pos_]))) {
        fail("shape entries must be non-negative integers: " + context());
      }
      std::uint64_t v = 0;
      while (pos_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[pos_]))) {
        const auto digit = static_cast<std::uint64_t>(s_[pos_] - '0');
        if (v > (std::numeric_limits<std::uint64_t>::max() - digit) / 10) {
          fail("shape dimension too large: " + context());
        }
        v = v * 10 + digit;
        ++pos_;
      }
      if constexpr (sizeof(std::size_t) < sizeof(std::uint64_t)) {
        if (v > std::numeric_limits<std::size_t>::max()) fail("shape dimension too large");
      }
      shape.push_back(static_cast<std::size_t>(v));
      skip_ws();
      trailing_comma = false;
      if (at(',')) {
        ++pos_;
        trailing_comma = true;
        skip_ws();
      } else if (!at(')')) {
        fail("expected ',' or ')' in shape: " + context());
      }
    }
    // Python: "(3)" is the integer 3, not a tuple.
    if (shape.size() == 1 && !trailing_comma) fail("shape '(n)' is not a tuple; expected '(n,)'");
    ++pos_;  // ')'
    return shape;
  }

  std::string_view s_;
  std::size_t pos_ = 0;
};

std::uint32_t read_le(const unsigned char* p, std::size_t n) {
  std::uint32_t v = 0;
  for (std::size_t i = 0; i < n; ++i) v |= static_cast<std::uint32_t>(p[i]) << (8 * i);
  return v;
}

/// prod(shape) * itemsize, or nullopt on overflow.
std::optional<std::size_t> byte_count(const std::vector<std::size_t>& shape, std::size_t item) {
  // The product with zero dimensions counted as 1 must fit in ptrdiff_t even when the array is
  // empty: xtensor computes the strides of (0, 2^32, 2^32) as signed longs and overflows
  // (NumPy rejects such shapes too: "array is too big").
  std::size_t n = item;
  bool zero = false;
  constexpr auto kMax = static_cast<std::size_t>(std::numeric_limits<std::ptrdiff_t>::max());
  for (std::size_t d : shape) {
    if (d == 0) {
      zero = true;
      continue;
    }
    if (n > kMax / d) return std::nullopt;
    n *= d;
  }
  return zero ? 0 : n;
}

}  // namespace

const char* dtype_descr(DType d) noexcept {
  switch (d) {
    case DType::float32:
      return "<f4";
    case DType::float64:
      return "<f8";
    case DType::int32:
      return "<i4";
    case DType::int64:
      return "<i8";
    case DType::uint8:
      return "|u1";
  }
  return "?";
}

const char* dtype_name(DType d) noexcept {
  switch (d) {
    case DType::float32:
      return "float32";
    case DType::float64:
      return "float64";
    case DType::int32:
      return "int32";
    case DType::int64:
      return "int64";
    case DType::uint8:
      return "uint8";
  }
  return "?";
}

std::size_t dtype_size(DType d) noexcept {
  switch (d) {
    case DType::float32:
      return 4;
    case DType::float64:
      return 8;
    case DType::int32:
      return 4;
    case DType::int64:
      return 8;
    case DType::uint8:
      return 1;
  }
  return 0;
}

std::size_t NpyArray::size() const noexcept {
  std::size_t n = 1;
  for (std::size_t d : shape) n *= d;
  return n;
}

NpyArray parse_npy(const char* data, std::size_t size, const LoadLimits& limits) {
  if (size == 0) fail("empty input (0 bytes), not a .npy file");
  if (data == nullptr) fail("null data pointer");
  const auto* u = reinterpret_cast<const unsigned char*>(data);
  if (size < kMagicLen || std::memcmp(data, kMagic, kMagicLen) != 0) {
    fail("bad magic: the data does not start with \"\\x93NUMPY\" (starts with '" +
         printable(std::string_view(data, std::min<std::size_t>(size, 8))) + "'), not a .npy file");
  }
  if (size < kMagicLen + 2)
    fail("the file ends inside the version field (" + std::to_string(size) + " bytes)");
  const unsigned major = u[6], minor = u[7];
  if ((major != 1 && major != 2 && major != 3) || minor != 0) {
    fail("unsupported format version " + std::to_string(major) + "." + std::to_string(minor) +
         " (supported: 1.0, 2.0, 3.0)");
  }
  const std::size_t len_bytes = major == 1 ? 2 : 4;
  const std::size_t prefix = kMagicLen + 2 + len_bytes;
  if (size < prefix) {
    fail("the file ends inside the header length field (" + std::to_string(size) + " bytes)");
  }
  const std::size_t header_len = read_le(u + kMagicLen + 2, len_bytes);
  // Compare with the limit and the buffer before looking at the header: a 12-byte file may
  // claim a 4 GiB header (llohse/libnpy#44).
  if (header_len > limits.max_header_bytes) {
    fail("header length " + std::to_string(header_len) + " exceeds the limit of " +
         std::to_string(limits.max_header_bytes) + " bytes");
  }
  if (header_len > size - prefix) {
    fail("header length " + std::to_string(header_len) + " is larger than the " +
         std::to_string(size - prefix) + " bytes after the header length field (truncated file)");
  }
  const std::string_view header(data + prefix, header_len);
  if (header.empty() || header.back() != '\n') {
    // numpy always ends the header with '\n'; its absence means a cut or corrupt header.
    fail("the header does not end with '\\n' (truncated or corrupt header)");
  }
  NpyArray out = HeaderParser(header).parse();

  const std::size_t item = dtype_size(out.dtype);
  const auto nbytes = byte_count(out.shape, item);
  if (!nbytes) {
    fail("shape " + shape_repr(out.shape) + " of " + dtype_name(out.dtype) +
         " overflows the addressable size");
  }
  if (*nbytes > limits.max_array_bytes) {
    fail("shape " + shape_repr(out.shape) + " of " + dtype_name(out.dtype) + " needs " +
         std::to_string(*nbytes) + " bytes, over the limit of " +
         std::to_string(limits.max_array_bytes) + " (LoadLimits::max_array_bytes)");
  }
  const std::size_t remaining = size - prefix - header_len;
  if (remaining < *nbytes) {
    fail("truncated data: shape " + shape_repr(out.shape) + " of " + dtype_name(out.dtype) +
         " needs " + std::to_string(*nbytes) + " bytes, only " + std::to_string(remaining) +
         " present");
  }
  if (remaining > *nbytes) {
    fail(std::to_string(remaining - *nbytes) + " trailing bytes after the data of shape " +
         shape_repr(out.shape) + " (" + std::to_string(*nbytes) + " bytes expected)");
  }
  out.bytes.assign(data + prefix + header_len, *nbytes);
  return out;
}

NpyArray parse_npy(const std::string& bytes, const LoadLimits& limits) {
  return parse_npy(bytes.data(), bytes.size(), limits);
}

std::string write_npy(const NpyArray& array) {
  const auto nbytes = byte_count(array.shape, dtype_size(array.dtype));
  if (!nbytes || *nbytes != array.bytes.size()) {
    throw std::invalid_argument("write_npy: " + std::to_string(array.bytes.size()) +
                                " data bytes do not match shape " + shape_repr(array.shape) +
                                " of " + dtype_name(array.dtype));
  }
  // numpy.lib.format._write_array_header: the dict with sorted keys, then room for the first
  // (for Fortran order: last) axis to grow to 21 digits, then _wrap_header's padding.
  std::string header = std::string("{'descr': '") + dtype_descr(array.dtype) +
                       "', 'fortran_order': " + (array.fortran_order ? "True" : "False") +
                       ", 'shape': " + shape_repr(array.shape) + ", }";
  if (!array.shape.empty()) {
    const std::size_t axis = array.fortran_order ? array.shape.size() - 1 : 0;
    const std::size_t digits = std::to_string(array.shape[axis]).size();
    header.append(kGrowthAxisMaxDigits - std::min(digits, kGrowthAxisMaxDigits), ' ');
  }
  const std::size_t hlen = header.size() + 1;  // + '\n'
  std::size_t len_bytes = 2;
  std::size_t padlen = kArrayAlign - ((kMagicLen + 2 + len_bytes + hlen) % kArrayAlign);
  unsigned char major = 1;
  if (hlen + padlen > 0xFFFF) {  // numpy switches to version 2.0 (4-byte length) then
    major = 2;
    len_bytes = 4;
    padlen = kArrayAlign - ((kMagicLen + 2 + len_bytes + hlen) % kArrayAlign);
  }
  const std::size_t total_header = hlen + padlen;
  std::string out;
  out.reserve(kMagicLen + 2 + len_bytes + total_header + array.bytes.size());
  out.append(kMagic, kMagicLen);
  out += static_cast<char>(major);
  out += '\0';
  for (std::size_t i = 0; i < len_bytes; ++i) {
    out += static_cast<char>((total_header >> (8 * i)) & 0xFF);
  }
  out += header;
  out.append(padlen, ' ');
  out += '\n';
  out += array.bytes;
  return out;
}

template <class T>
NpyArray to_npy(const Array<T>& a) {
  NpyArray out;
  out.dtype = dtype_of<T>();
  out.shape.assign(a.shape().begin(), a.shape().end());
  out.fortran_order = false;
  // Array<T> is row-major and contiguous.
  out.bytes.assign(reinterpret_cast<const char*>(a.data()), a.size() * sizeof(T));
  return out;
}

template <class T>
std::string write_npy(const Array<T>& a) {
  return write_npy(to_npy(a));
}

template <class T>
Array<T> to_xarray(const NpyArray& npy) {
  if (npy.dtype != dtype_of<T>()) {
    throw IoError(std::string("to_xarray: expected ") + dtype_name(dtype_of<T>()) + " ('" +
                  dtype_descr(dtype_of<T>()) + "'), the data is " + dtype_name(npy.dtype) + " ('" +
                  dtype_descr(npy.dtype) + "')");
  }
  const std::size_t n = npy.size();
  if (npy.bytes.size() != n * sizeof(T)) {
    throw IoError("to_xarray: " + std::to_string(npy.bytes.size()) +
                  " data bytes do not match shape " + shape_repr(npy.shape));
  }
  typename Array<T>::shape_type shape(npy.shape.begin(), npy.shape.end());
  Array<T> out = Array<T>::from_shape(shape);
  if (n == 0) return out;
  const char* src = npy.bytes.data();
  const std::size_t rank = npy.shape.size();
  if (!npy.fortran_order || rank <= 1) {
    std::memcpy(out.data(), src, n * sizeof(T));
    return out;
  }
  // Column-major source: walk it in storage order (first index fastest) and place each
  // element at its row-major offset.
  std::vector<std::size_t> c_stride(rank, 1), idx(rank, 0);
  for (std::size_t k = rank - 1; k > 0; --k) c_stride[k - 1] = c_stride[k] * npy.shape[k];
  T* dst = out.data();
  std::size_t offset = 0;
  for (std::size_t j = 0; j < n; ++j) {
    std::memcpy(dst + offset, src + j * sizeof(T), sizeof(T));
    for (std::size_t k = 0; k < rank; ++k) {
      if (++idx[k] < npy.shape[k]) {
        offset += c_stride[k];
        break;
      }
      offset -= c_stride[k] * (npy.shape[k] - 1);
      idx[k] = 0;
    }
  }
  return out;
}

NpyArray load_npy_raw(const std::filesystem::path& path, const LoadLimits& limits) {
  // The largest valid file: magic + version + 4-byte length + header + data.
  const std::uint64_t max_file =
      std::min(limits.max_total_bytes, limits.max_array_bytes + limits.max_header_bytes + 16);
  const std::string bytes = detail::read_file(path, max_file, "load_npy_raw");
  try {
    return parse_npy(bytes, limits);
  } catch (const IoError& e) {
    throw IoError("load_npy_raw: " + detail::quoted(path) + ": " + e.what());
  }
}

template <class T>
Array<T> load_npy(const std::filesystem::path& path, const LoadLimits& limits) {
  const NpyArray npy = load_npy_raw(path, limits);
  try {
    return to_xarray<T>(npy);
  } catch (const IoError& e) {
    throw IoError("load_npy: " + detail::quoted(path) + ": " + e.what());
  }
}

template <class T>
void save_npy(const std::filesystem::path& path, const Array<T>& a) {
  detail::write_file_atomic(path, write_npy(a), "save_npy");
}

#define XGRAD_INSTANTIATE_NPY(T)                                                  \
  template NpyArray to_npy<T>(const Array<T>&);                                   \
  template std::string write_npy<T>(const Array<T>&);                             \
  template Array<T> to_xarray<T>(const NpyArray&);                                \
  template Array<T> load_npy<T>(const std::filesystem::path&, const LoadLimits&); \
  template void save_npy<T>(const std::filesystem::path&, const Array<T>&);

XGRAD_INSTANTIATE_NPY(float)
XGRAD_INSTANTIATE_NPY(double)
XGRAD_INSTANTIATE_NPY(std::int32_t)
XGRAD_INSTANTIATE_NPY(std::int64_t)
XGRAD_INSTANTIATE_NPY(std::uint8_t)

#undef XGRAD_INSTANTIATE_NPY

}  // namespace xgrad::io
