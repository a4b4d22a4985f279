// SPDX-License-Identifier: MIT
#include <cmath>
#include <cstring>
#include <limits>

#include <xgrad/io/npy.hpp>

#include "io/io_test_util.hpp"
#include "support/helpers.hpp"

using namespace xgrad;
using io::NpyArray;

namespace {

constexpr const char* kF4x3 = "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }";

template <class A, class B, class T = typename A::value_type>
bool bitwise_equal(const A& a, const B& b) {
  return a.shape() == b.shape() &&
         (a.size() == 0 || std::memcmp(a.data(), b.data(), a.size() * sizeof(T)) == 0);
}

template <class T>
T from_bits(std::uint64_t bits) {
  T v;
  if constexpr (sizeof(T) == 4) {
    const auto b = static_cast<std::uint32_t>(bits);
    std::memcpy(&v, &b, 4);
  } else {
    std::memcpy(&v, &bits, 8);
  }
  return v;
}

/// Awkward values: NaN payloads (quiet and signalling), infinities, -0.0, subnormals, extremes.
template <class T>
std::vector<T> special_values() {
  using L = std::numeric_limits<T>;
  std::vector<T> v = {
      T(0),     T(-0.0),  L::infinity(), -L::infinity(), L::denorm_min(), -L::denorm_min(),
      L::min(), L::max(), L::lowest(),   T(1) / T(3)};
  if constexpr (sizeof(T) == 4) {
    v.push_back(from_bits<T>(0x7fc00001u));  // quiet NaN with a payload
    v.push_back(from_bits<T>(0x7f800001u));  // signalling NaN
    v.push_back(from_bits<T>(0xffc12345u));  // negative NaN
  } else {
    v.push_back(from_bits<T>(0x7ff8000000000001ull));
    v.push_back(from_bits<T>(0x7ff0000000000001ull));
    v.push_back(from_bits<T>(0xfff8dead0000beefull));
  }
  return v;
}

/// Checks that parsing `bytes` throws xgrad::IoError with a message containing `what`.
void require_rejected(const std::string& bytes, const std::string& what,
                      const io::LoadLimits& limits = {}) {
  INFO("expected error: " << what);
  try {
    io::parse_npy(bytes, limits);
    FAIL("parse_npy accepted the input");
  } catch (const IoError& e) {
    const std::string msg = e.what();
    INFO("message: " << msg);
    CHECK(msg.rfind("parse_npy: ", 0) == 0);
    CHECK(msg.find(what) != std::string::npos);
  }
}

}  // namespace

TEMPLATE_TEST_CASE("npy: write then parse is bitwise identical for every shape and value",
                   "[io][npy]", float, double) {
  using T = TestType;
  const std::vector<T> special = special_values<T>();
  xt::xarray<T> flat = xt::xarray<T>::from_shape({special.size()});
  std::copy(special.begin(), special.end(), flat.begin());

  std::vector<xt::xarray<T>> arrays;
  arrays.push_back(flat);
  arrays.push_back(xt::xarray<T>(T(-0.0)));  // shape ()
  arrays.push_back(xt::xarray<T>::from_shape({0}));
  arrays.push_back(xt::xarray<T>::from_shape({3, 0, 2}));
  xt::xarray<T> one = xt::xarray<T>::from_shape({1, 1, 1});
  one(0, 0, 0) = std::numeric_limits<T>::denorm_min();
  arrays.push_back(one);
  Generator gen(7);
  xt::xarray<T> big = xt::xarray<T>::from_shape({129, 67});
  for (T& x : big) x = static_cast<T>(gen.normal());
  arrays.push_back(big);

  for (const auto& a : arrays) {
    const std::string bytes = io::write_npy(a);
    // numpy's layout: the data starts at a multiple of 64 and the header ends with '\n'.
    const std::size_t data_start = bytes.size() - a.size() * sizeof(T);
    CHECK(data_start % 64 == 0);
    CHECK(bytes[data_start - 1] == '\n');
    const NpyArray npy = io::parse_npy(bytes);
    CHECK(npy.dtype == io::dtype_of<T>());
    CHECK_FALSE(npy.fortran_order);
    CHECK(npy.shape == std::vector<std::size_t>(a.shape().begin(), a.shape().end()));
    const xt::xarray<T> back = io::to_xarray<T>(npy);
    CHECK(back.dimension() == a.dimension());
    CHECK(bitwise_equal(back, a));
  }
}

TEST_CASE("npy: write_npy writes numpy's header byte for byte", "[io][npy]") {
  xt::xarray<float> a = xt::xarray<float>::from_shape({2, 3});
  const std::string bytes = io::write_npy(a);
  // numpy 1.24: the dict, 21 - len("2") = 20 spaces of growth room, then padding to 128.
  const std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
  REQUIRE(bytes.size() == 128 + 24);
  CHECK(bytes.substr(0, 8) == std::string("\x93NUMPY\x01\x00", 8));
  CHECK(static_cast<unsigned char>(bytes[8]) == 118);
  CHECK(bytes[9] == 0);
  CHECK(bytes.substr(10, dict.size()) == dict);
  CHECK(bytes.substr(10 + dict.size(), 117 - dict.size()) == std::string(117 - dict.size(), ' '));
  CHECK(bytes[127] == '\n');

  // A 0-d array has no growth room: {'descr': '<f8', 'fortran_order': False, 'shape': (), }
  const std::string s = io::write_npy(xt::xarray<double>(1.0));
  CHECK(s.size() == 128 + 8);
  CHECK(s.find("'shape': (), }") != std::string::npos);
}

TEST_CASE("npy: write_npy's growth room follows the first axis in C order, the last in Fortran",
          "[io][npy]") {
  // numpy.lib.format leaves 21 - len(str(n)) spaces for the axis that can grow (the first in C
  // order, the last in Fortran order) before padding the header to 64 bytes. For these shapes
  // the room decides between a 128- and a 192-byte header; numpy 1.24's np.save writes 192
  // (header length 182) for both, and counting the room on the other axis ("10" instead of "2",
  // one space less) would give 128.
  const std::string c_dict =
      "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 10, "
      "10), }";
  xt::xarray<float> c = xt::zeros<float>({2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 10, 10});
  const std::string cb = io::write_npy(c);
  REQUIRE(cb.size() == 192 + 200 * 4);
  CHECK(static_cast<unsigned char>(cb[8]) == 182);
  CHECK(cb[9] == 0);
  CHECK(cb.substr(10, c_dict.size()) == c_dict);
  CHECK(cb.substr(10 + c_dict.size(), 181 - c_dict.size()) ==
        std::string(181 - c_dict.size(), ' '));
  CHECK(cb[191] == '\n');

  NpyArray f;
  f.dtype = io::DType::float32;
  f.shape = {10, 10, 10, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2};
  f.fortran_order = true;
  f.bytes.assign(2000 * 4, '\0');
  const std::string f_dict =
      "{'descr': '<f4', 'fortran_order': True, 'shape': (10, 10, 10, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, "
      "2), }";
  const std::string fb = io::write_npy(f);
  REQUIRE(fb.size() == 192 + 2000 * 4);
  CHECK(static_cast<unsigned char>(fb[8]) == 182);
  CHECK(fb.substr(10, f_dict.size()) == f_dict);
  CHECK(fb[191] == '\n');
}

TEST_CASE("npy: a hand-made file parses to the expected array", "[io][npy]") {
  const auto bytes = test::npy_file(kF4x3, test::raw_bytes<float>({1.5f, -2.0f, 0.25f}));
  const NpyArray npy = io::parse_npy(bytes);
  CHECK(npy.dtype == io::DType::float32);
  CHECK(npy.shape == std::vector<std::size_t>{3});
  CHECK(npy.size() == 3);
  const auto a = io::to_xarray<float>(npy);
  CHECK(a == xt::xarray<float>{1.5f, -2.0f, 0.25f});
}

TEST_CASE("npy: header variants numpy accepts are accepted", "[io][npy]") {
  const std::string data = test::raw_bytes<double>({1.0, 2.0});
  for (const std::string dict :
       {"{'shape': (2,), 'fortran_order': False, 'descr': '<f8'}",  // reordered keys
        "{\"descr\": \"<f8\", \"fortran_order\": False, \"shape\": (2,)}",
        "{ 'descr' : '<f8' , 'fortran_order' : False , 'shape' : ( 2 , ) , }",
        "{'descr': '<f8', 'fortran_order': False, 'shape': (2,),}"}) {
    INFO(dict);
    const auto a = io::to_xarray<double>(io::parse_npy(test::npy_file(dict, data)));
    CHECK(a == xt::xarray<double>{1.0, 2.0});
  }
  // Versions 2.0 and 3.0 carry a 4-byte header length.
  for (int major : {2, 3}) {
    const auto a = io::to_xarray<double>(io::parse_npy(
        test::npy_file("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", data, major)));
    CHECK(a == xt::xarray<double>{1.0, 2.0});
  }
  // A header at the 10,000-byte limit is accepted, one byte more is not.
  const std::string header =
      "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }" + std::string(10000, ' ');
  const auto make = [&](const std::string& h) {  // version 2.0, header h + '\n'
    std::string out = std::string("\x93NUMPY\x02\x00", 8);
    const auto n = static_cast<std::uint32_t>(h.size() + 1);
    for (int i = 0; i < 4; ++i) out += static_cast<char>((n >> (8 * i)) & 0xFF);
    return out + h + "\n" + data;
  };
  CHECK(io::parse_npy(make(header.substr(0, 9999))).shape == std::vector<std::size_t>{2});
  require_rejected(make(header.substr(0, 10000)), "header length 10001 exceeds the limit");
}

TEST_CASE("npy: Fortran-order data is transposed into row-major order", "[io][npy]") {
  // [[1,2,3],[4,5,6]] stored column by column.
  const auto f2 = test::npy_file("{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3), }",
                                 test::raw_bytes<double>({1, 4, 2, 5, 3, 6}));
  const NpyArray npy = io::parse_npy(f2);
  CHECK(npy.fortran_order);
  const auto a = io::to_xarray<double>(npy);
  CHECK(a == test::make({1, 2, 3, 4, 5, 6}, {2, 3}));

  // Shape (2,3,2): element (i,j,k) = 100i + 10j + k, stored with i fastest.
  std::string data;
  for (int k = 0; k < 2; ++k)
    for (int j = 0; j < 3; ++j)
      for (int i = 0; i < 2; ++i) data += test::raw_bytes<float>({100.f * i + 10.f * j + k});
  const auto b = io::to_xarray<float>(io::parse_npy(
      test::npy_file("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3, 2), }", data)));
  REQUIRE(b.shape() == Shape{2, 3, 2});
  for (std::size_t i = 0; i < 2; ++i)
    for (std::size_t j = 0; j < 3; ++j)
      for (std::size_t k = 0; k < 2; ++k) CHECK(b(i, j, k) == 100.f * i + 10.f * j + k);
}

TEST_CASE("npy: integer dtypes are read for labels and images", "[io][npy]") {
  const auto a = io::to_xarray<std::int64_t>(
      io::parse_npy(test::npy_file("{'descr': '<i8', 'fortran_order': False, 'shape': (3,), }",
                                   test::raw_bytes<std::int64_t>({0, 7, -1}))));
  CHECK(a == xt::xarray<std::int64_t>{0, 7, -1});
  const auto b = io::to_xarray<std::uint8_t>(io::parse_npy(test::npy_file(
      "{'descr': '|u1', 'fortran_order': False, 'shape': (2,), }", std::string("\x00\xff", 2))));
  CHECK(b == xt::xarray<std::uint8_t>{0, 255});
  // to_xarray never converts.
  CHECK_THROWS_WITH(io::to_xarray<double>(io::parse_npy(
                        test::npy_file("{'descr': '<i8', 'fortran_order': False, 'shape': (1,), }",
                                       test::raw_bytes<std::int64_t>({1})))),
                    Catch::Contains("expected float64 ('<f8'), the data is int64 ('<i8')"));
}

TEST_CASE("npy: malformed files throw IoError naming the problem", "[io][npy]") {
  const std::string valid = test::npy_file(kF4x3, test::raw_bytes<float>({1, 2, 3}));
  const auto with_dict = [](const std::string& dict, const std::string& data = "") {
    return test::npy_file(dict, data);
  };

  SECTION("framing") {
    require_rejected("", "empty input");
    require_rejected("hello world, this is not numpy", "bad magic");
    require_rejected(std::string("\x93NUMPX\x01\x00\x10\x00", 10), "bad magic");
    require_rejected("\x93NUMPY", "ends inside the version");
    require_rejected(std::string("\x93NUMPY\x01", 7), "ends inside the version");
    require_rejected(std::string("\x93NUMPY\x04\x00\x10\x00", 10),
                     "unsupported format version 4.0");
    require_rejected(std::string("\x93NUMPY\x01\x01\x10\x00", 10),
                     "unsupported format version 1.1");
    require_rejected(std::string("\x93NUMPY\x01\x00\x10", 9), "ends inside the header length");
    require_rejected(std::string("\x93NUMPY\x02\x00\x10\x00\x00", 11),
                     "ends inside the header length");
  }
  SECTION("header length against the file and the limit") {
    // Header cut short: the length field promises 118 bytes, the file ends after 40.
    require_rejected(valid.substr(0, 50), "header length 118 is larger than the 40 bytes");
    // A length beyond the end of an otherwise complete file.
    std::string longer = valid;
    longer[8] = '\xF0';
    require_rejected(longer, "is larger than the");
    // 12 bytes claiming a 4 GiB header (llohse/libnpy#44): refused before any allocation,
    // with the default limit and with no limit at all.
    const std::string huge = std::string("\x93NUMPY\x02\x00\xF0\xFF\xFF\xFF", 12);
    require_rejected(huge, "header length 4294967280 exceeds the limit of 10000");
    io::LoadLimits no_limit;
    no_limit.max_header_bytes = std::numeric_limits<std::size_t>::max();
    require_rejected(huge, "header length 4294967280 is larger than the 0 bytes", no_limit);
    // A header over 64 KiB (version 2.0).
    std::string big_dict = std::string(kF4x3) + std::string(70000, ' ');
    require_rejected(test::npy_file(big_dict, test::raw_bytes<float>({1, 2, 3}), 2),
                     "exceeds the limit of 10000");
    // A header that does not end in '\n' was cut or corrupted.
    std::string no_newline = valid;
    no_newline[127] = ' ';
    require_rejected(no_newline, "does not end with '\\n'");
  }
  SECTION("header dict") {
    require_rejected(with_dict("['descr', '<f4']"), "does not start with '{'");
    require_rejected(with_dict("{'descr': '<f4', 'shape': (3,), }"),
                     "lacks the key(s) 'fortran_order'");
    require_rejected(with_dict("{}"), "lacks the key(s) 'descr' 'fortran_order' 'shape'");
    require_rejected(with_dict("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), "
                               "'extra': 1, }"),
                     "unexpected key 'extra'");
    require_rejected(with_dict("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, "
                               "'shape': (0,), }"),
                     "duplicate key 'descr'");
    require_rejected(with_dict("{'descr': '<f4' 'fortran_order': False, 'shape': (3,), }"),
                     "expected ',' or '}'");
    require_rejected(with_dict("{'descr' '<f4', 'fortran_order': False, 'shape': (3,), }"),
                     "expected ':' after key 'descr'");
    require_rejected(with_dict("{'descr': 5, 'fortran_order': False, 'shape': (3,), }"),
                     "descr is not a string");
    require_rejected(with_dict("{'descr': '<f4', 'fortran_order': Maybe, 'shape': (3,), }"),
                     "fortran_order is not True or False");
    require_rejected(with_dict("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), } x"),
                     "unexpected text after the header dict");
    require_rejected(with_dict("{'descr': '<f\\x34', 'fortran_order': False, 'shape': (3,)}"),
                     "escape sequences are not supported");
    require_rejected(with_dict("{'descr': '<f4', 'fortran_order': False, 'shape': (3,"),
                     "unterminated shape tuple");
  }
  SECTION("shape") {
    const auto shape = [](const std::string& s) {
      return test::npy_file("{'descr': '<f8', 'fortran_order': False, 'shape': " + s + ", }", "");
    };
    require_rejected(shape("(abc,)"), "shape entries must be non-negative integers");
    require_rejected(shape("(-1,)"), "negative dimension");
    require_rejected(shape("(2, -3)"), "negative dimension");
    require_rejected(shape("(1.5,)"), "expected ',' or ')' in shape");
    require_rejected(shape("(3)"), "is not a tuple");
    require_rejected(shape("[3]"), "shape is not a tuple");
    require_rejected(shape("(99999999999999999999999,)"), "shape dimension too large");
    // 2^62 x 4 elements fit in 64 bits, but not their 8-byte size (xt::load_npy gave a
    // (2^62, 4) array of size 0 here).
    require_rejected(shape("(4611686018427387904, 4)"), "overflows the addressable size");
    require_rejected(shape("(4294967296, 4294967296, 2)"), "overflows the addressable size");
    // Fits in memory arithmetic, but not under the limit: refused before reading data.
    require_rejected(shape("(1073741824,)"), "over the limit of 1073741824");
    // A zero dimension makes the array empty, but the other dimensions must still fit (as in
    // NumPy, "array is too big"): xtensor computes their strides as signed longs, and the
    // fuzzer found (0, 2^32, 2^32) overflowing them (tests/fuzz/crashes).
    require_rejected(shape("(0, 4611686018427387904)"), "overflows the addressable size");
    require_rejected(shape("(0, 4294967296, 4294967296)"), "overflows the addressable size");
    CHECK(io::parse_npy(shape("(0, 1099511627776)")).size() == 0);  // 2^40 x 8 bytes fits
  }
  SECTION("dtype") {
    const auto descr = [](const std::string& d) {
      return test::npy_file("{'descr': '" + d + "', 'fortran_order': False, 'shape': (1,), }",
                            std::string(8, '\0'));
    };
    require_rejected(descr("<f7"), "unsupported dtype '<f7'");
    require_rejected(descr("|O"), "object arrays need pickle");
    require_rejected(descr(">f8"), "big-endian data is not supported");
    require_rejected(descr("<c16"), "unsupported dtype '<c16'");
    require_rejected(descr("<f2"), "unsupported dtype '<f2'");
    require_rejected(descr(""), "unsupported dtype ''");
    require_rejected(
        test::npy_file("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }", ""),
        "structured arrays");
  }
  SECTION("data size") {
    require_rejected(test::npy_file("{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }",
                                    test::raw_bytes<double>({1.0})),
                     "truncated data: shape (3,) of float64 needs 24 bytes, only 8 present");
    require_rejected(valid + "garbage", "7 trailing bytes after the data of shape (3,)");
    io::LoadLimits small;
    small.max_array_bytes = 8;
    require_rejected(valid, "needs 12 bytes, over the limit of 8", small);
  }
}

TEST_CASE("npy: every truncation and single-byte corruption is an IoError or a valid parse",
          "[io][npy]") {
  const std::string valid =
      test::npy_file("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }",
                     test::raw_bytes<double>({1, 2, 3, 4}));
  for (std::size_t n = 0; n < valid.size(); ++n) {
    CHECK_THROWS_AS(io::parse_npy(valid.substr(0, n)), IoError);
  }
  // Flip every header byte to a few values: parse or throw IoError, nothing else.
  std::size_t parsed = 0, rejected = 0;
  for (std::size_t i = 0; i < 128; ++i) {
    for (unsigned char v : {0x00, 0x20, 0x27, 0x29, 0x2c, 0x31, 0x7f, 0x80, 0xff}) {
      std::string b = valid;
      b[i] = static_cast<char>(v);
      try {
        const NpyArray a = io::parse_npy(b);
        CHECK(a.bytes.size() == a.size() * io::dtype_size(a.dtype));
        ++parsed;
      } catch (const IoError&) {
        ++rejected;
      }
    }
  }
  CHECK(parsed > 0);
  CHECK(rejected > 0);
}

TEST_CASE("npy: write_npy rejects an inconsistent NpyArray", "[io][npy]") {
  NpyArray a;
  a.dtype = io::DType::float64;
  a.shape = {3};
  a.bytes = std::string(16, '\0');
  CHECK_THROWS_WITH(io::write_npy(a),
                    Catch::Contains("write_npy: 16 data bytes do not match shape (3,) of float64"));
}

TEST_CASE("npy: save_npy and load_npy round trip through a file", "[io][npy]") {
  test::TempDir dir;
  xt::xarray<double> a = test::make({1, -2, 3.5, 0.25, -0.0, 1e-310}, {3, 2});
  io::save_npy(dir / "a.npy", a);
  const auto b = io::load_npy<double>(dir / "a.npy");
  CHECK(bitwise_equal(a, b));
  CHECK(dir.files() == std::vector<std::string>{"a.npy"});  // no temporary left behind

  CHECK_THROWS_WITH(io::load_npy<float>(dir / "a.npy"),
                    Catch::Contains("load_npy: '" + (dir / "a.npy").string() +
                                    "': to_xarray: expected float32 ('<f4'), the data is "
                                    "float64 ('<f8')"));
}

TEST_CASE("npy: unreadable paths throw IoError naming the file", "[io][npy]") {
  test::TempDir dir;
  const auto missing = dir / "missing.npy";
  CHECK_THROWS_WITH(io::load_npy_raw(missing),
                    Catch::Contains("load_npy_raw: cannot open '" + missing.string() +
                                    "': No such file or directory"));
  CHECK_THROWS_WITH(io::load_npy_raw(dir.path()), Catch::Contains("is a directory"));
  test::write_bytes(dir / "bad.npy", "not numpy");
  CHECK_THROWS_WITH(
      io::load_npy_raw(dir / "bad.npy"),
      Catch::Contains("load_npy_raw: '" + (dir / "bad.npy").string() + "': parse_npy: bad magic"));
  // A file larger than any array the limits allow is refused before it is read.
  io::LoadLimits small;
  small.max_array_bytes = 4;
  small.max_header_bytes = 4;
  test::write_bytes(dir / "big.npy", std::string(100, 'x'));
  CHECK_THROWS_WITH(io::load_npy_raw(dir / "big.npy", small),
                    Catch::Contains("is larger than the limit of 24 bytes"));
}
