// SPDX-License-Identifier: MIT
// Files written by NumPy 1.24 (tests/fixtures/make_fixtures.py), checked against the values
// that script writes.
#include <cmath>

#include <xgrad/io/npy.hpp>
#include <xgrad/io/npz.hpp>
#include <xgrad/io/serialize.hpp>

#include "io/io_test_util.hpp"
#include "support/helpers.hpp"

using namespace xgrad;

namespace {

std::filesystem::path fixture(const std::string& name) {
  const auto p = test::fixture_dir() / name;
  INFO("fixture " << p.string() << " (set XGRAD_TEST_FIXTURES to the tests/fixtures directory)");
  REQUIRE(std::filesystem::exists(p));
  return p;
}

// The values of make_fixtures.py: float32(0.1) and float32(1e-3) are the doubles rounded to
// float, as NumPy converts them.
const xt::xarray<float> kWeight =
    test::make({0.5, -1.25, 2.0, 3.5, -0.125, static_cast<float>(0.1)}, {2, 3});
const xt::xarray<float> kBias{0.25f, static_cast<float>(1e-3)};
const xt::xarray<float> kHead = test::make({1.0, -1.0}, {1, 2});
const xt::xarray<float> kHeadBias{-2.0f};

}  // namespace

TEST_CASE("fixtures: numpy.savez and savez_compressed archives load exactly", "[io][fixtures]") {
  for (const char* name : {"model_savez.npz", "model_savez_compressed.npz"}) {
    INFO(name);
    const io::NpzEntries e = io::load_npz(fixture(name));
    REQUIRE(e.size() == 4);
    CHECK(e[0].first == "fc1.weight");
    CHECK(e[1].first == "fc1.bias");
    CHECK(e[2].first == "head.weight");
    CHECK(e[3].first == "head.bias");
    CHECK((io::to_xarray<float>(e[0].second) == kWeight));
    CHECK((io::to_xarray<float>(e[1].second) == kBias));
    CHECK((io::to_xarray<float>(e[2].second) == kHead));
    CHECK((io::to_xarray<float>(e[3].second) == kHeadBias));

    // Into tensors, in another order.
    Tensor w = zeros({2, 3}), b = zeros({2}), h = zeros({1, 2}), hb = zeros({1});
    io::load(
        io::NamedTensors<float>{
            {"head.weight", h}, {"fc1.bias", b}, {"head.bias", hb}, {"fc1.weight", w}},
        fixture(name));
    CHECK(w.value() == kWeight);
    CHECK(b.value() == kBias);
    CHECK(h.value() == kHead);
    CHECK(hb.value() == kHeadBias);
  }
}

TEST_CASE("fixtures: a float64 archive is a dtype mismatch for float tensors", "[io][fixtures]") {
  Tensor w = zeros({2, 3}), b = zeros({2}), h = zeros({1, 2}), hb = zeros({1});
  const io::NamedTensors<float> model = {
      {"fc1.weight", w}, {"fc1.bias", b}, {"head.weight", h}, {"head.bias", hb}};
  try {
    io::load(model, fixture("model_f64.npz"));
    FAIL("accepted");
  } catch (const IoError& e) {
    const std::string msg = e.what();
    CHECK_THAT(msg, Catch::Contains("(4 problems)"));
    CHECK_THAT(msg, Catch::Contains("dtype mismatch for 'fc1.weight': the file has float64 "
                                    "('<f8'), the tensor has float32 ('<f4')"));
  }
  CHECK(w.value() == xt::zeros<float>({2, 3}));
  // The same file loads into double tensors.
  Tensor64 w64 = zeros<double>({2, 3}), b64 = zeros<double>({2}), h64 = zeros<double>({1, 2}),
           hb64 = zeros<double>({1});
  io::load(
      io::NamedTensors<double>{
          {"fc1.weight", w64}, {"fc1.bias", b64}, {"head.weight", h64}, {"head.bias", hb64}},
      fixture("model_f64.npz"));
  CHECK(w64.value() == xt::xarray<double>(kWeight));
  CHECK(b64.value()(1) == static_cast<double>(static_cast<float>(1e-3)));
  CHECK(hb64.value()(0) == -2.0);
}

TEST_CASE("fixtures: write_npy reproduces numpy.save byte for byte", "[io][fixtures]") {
  const auto same = [](const std::string& name, const auto& array) {
    INFO(name);
    CHECK(io::write_npy(array) == test::read_bytes(fixture(name)));
  };
  const auto f4 = io::load_npy<float>(fixture("exact_f4_2x3.npy"));
  CHECK(f4 == kWeight);
  same("exact_f4_2x3.npy", f4);

  const auto scalar = io::load_npy<double>(fixture("exact_f8_scalar.npy"));
  CHECK(scalar.dimension() == 0);
  CHECK(scalar() == 3.25);
  same("exact_f8_scalar.npy", scalar);

  const auto empty = io::load_npy<float>(fixture("exact_f4_empty.npy"));
  CHECK(empty.shape() == Shape{0});
  same("exact_f4_empty.npy", empty);

  const auto one = io::load_npy<double>(fixture("exact_f8_1x1x1.npy"));
  REQUIRE(one.shape() == Shape{1, 1, 1});
  CHECK(one(0, 0, 0) == 0.0);
  CHECK(std::signbit(one(0, 0, 0)));  // -0.0
  same("exact_f8_1x1x1.npy", one);

  const auto labels = io::load_npy<std::int64_t>(fixture("exact_i8_labels.npy"));
  CHECK(labels == xt::xarray<std::int64_t>{0, 2, 1, 2});
  same("exact_i8_labels.npy", labels);
}

TEST_CASE("fixtures: a valid file with a header longer than 127 bytes loads", "[io][fixtures]") {
  // xt::load_npy 0.24.3 rejects this file (header_len 182 = 0xB6: it mis-reads a length above 127).
  const std::string bytes = test::read_bytes(fixture("long_header_f8.npy"));
  const auto header_len =
      static_cast<unsigned char>(bytes[8]) + 256 * static_cast<unsigned char>(bytes[9]);
  CHECK(header_len == 182);
  const xt::xarray<double> a = io::to_xarray<double>(io::parse_npy(bytes));
  REQUIRE(a.dimension() == 20);
  CHECK(a.shape()[0] == 2);
  CHECK(a.shape()[19] == 3);
  CHECK(a.size() == 6);
  const double expected[] = {-1.0, -0.5, 0.0, 0.5, 1.0, 1.5};
  for (std::size_t i = 0; i < 6; ++i) CHECK(a.data()[i] == expected[i]);
  CHECK(io::write_npy(a) == bytes);
}

TEST_CASE("fixtures: Fortran order and format versions 2.0 and 3.0", "[io][fixtures]") {
  const io::NpyArray f = io::load_npy_raw(fixture("fortran_f8_2x3.npy"));
  CHECK(f.fortran_order);
  CHECK((io::to_xarray<double>(f) == test::make({1, 2, 3, 4, 5, 6}, {2, 3})));
  for (const char* name : {"v2_f4.npy", "v3_f4.npy"}) {
    INFO(name);
    CHECK((io::load_npy<float>(fixture(name)) == xt::xarray<float>{1.5f, -2.5f}));
  }
}

TEST_CASE("fixtures: numpy files with unsupported dtypes are rejected clearly", "[io][fixtures]") {
  CHECK_THROWS_WITH(io::load_npy_raw(fixture("bigendian_f8.npy")),
                    Catch::Contains("unsupported dtype '>f8' (big-endian data is not supported)"));
  CHECK_THROWS_WITH(io::load_npy_raw(fixture("structured.npy")),
                    Catch::Contains("structured arrays (descr is a list) are not supported"));
  CHECK_THROWS_WITH(io::load_npy_raw(fixture("object.npy")),
                    Catch::Contains("unsupported dtype '|O' (object arrays need pickle"));
}
