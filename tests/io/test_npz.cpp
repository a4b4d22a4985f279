// SPDX-License-Identifier: MIT
#include <xgrad/io/npz.hpp>

#include "io/io_test_util.hpp"
#include "support/helpers.hpp"

using namespace xgrad;

namespace {

io::NpzEntries sample_entries() {
  io::NpzEntries e;
  e.emplace_back("fc1.weight",
                 io::to_npy(xt::xarray<float>(test::make({1, 2, 3, 4, 5, 6}, {2, 3}))));
  e.emplace_back("fc1.bias", io::to_npy(xt::xarray<float>{0.5f, -0.5f, 0.0f}));
  e.emplace_back("scale", io::to_npy(xt::xarray<double>(2.5)));
  return e;
}

void require_rejected(const std::string& bytes, const std::string& what,
                      const io::LoadLimits& limits = {}) {
  INFO("expected error: " << what);
  try {
    io::load_npz_from_memory(bytes, limits);
    FAIL("parse_npz accepted the input");
  } catch (const IoError& e) {
    const std::string msg = e.what();
    INFO("message: " << msg);
    CHECK(msg.rfind("parse_npz: ", 0) == 0);
    CHECK(msg.find(what) != std::string::npos);
  }
}

std::string small_npy() { return io::write_npy(xt::xarray<float>{1.f, 2.f}); }

}  // namespace

TEST_CASE("npz: write_npz then parse_npz gives the entries back in order", "[io][npz]") {
  const io::NpzEntries in = sample_entries();
  for (bool compress : {false, true}) {
    io::NpzOptions opt;
    opt.compress = compress;
    const std::string bytes = io::write_npz(in, opt);
    CHECK(bytes.substr(0, 4) == "PK\x03\x04");
    CHECK(bytes.find("fc1.weight.npy") != std::string::npos);
    const io::NpzEntries out = io::load_npz_from_memory(bytes);
    REQUIRE(out.size() == 3);
    for (std::size_t i = 0; i < 3; ++i) {
      CHECK(out[i].first == in[i].first);
      CHECK(out[i].second.dtype == in[i].second.dtype);
      CHECK(out[i].second.shape == in[i].second.shape);
      CHECK(out[i].second.bytes == in[i].second.bytes);
    }
    CHECK(io::to_xarray<double>(out[2].second)() == 2.5);
    // Fixed timestamps: the same entries give the same bytes.
    CHECK(io::write_npz(in, opt) == bytes);
  }
}

TEST_CASE("npz: an empty archive round trips", "[io][npz]") {
  const std::string bytes = io::write_npz({});
  CHECK(bytes.size() == 22);  // just the end-of-central-directory record, as numpy writes
  CHECK(io::load_npz_from_memory(bytes).empty());
}

TEST_CASE("npz: write_npz rejects bad keys", "[io][npz]") {
  io::NpzEntries e = sample_entries();
  e.push_back(e[0]);
  CHECK_THROWS_WITH(io::write_npz(e), Catch::Contains("write_npz: duplicate key 'fc1.weight'"));
  CHECK_THROWS_WITH(io::write_npz({{"", e[0].second}}), Catch::Contains("write_npz: empty key"));
  CHECK_THROWS_WITH(io::write_npz({{std::string("a\0b", 3), e[0].second}}), Catch::Contains("NUL"));
}

TEST_CASE("npz: hand-made archives: extra fields, names without .npy", "[io][npz]") {
  // Extra fields in the local and central headers (xtensor-io PR #181): skipped correctly.
  const std::string extra = std::string(
      "\xfe\xca\x04\x00"
      "abcd",
      8);
  auto out = io::load_npz_from_memory(test::make_zip({{"a.npy", small_npy(), extra}}));
  REQUIRE(out.size() == 1);
  CHECK(out[0].first == "a");
  CHECK((io::to_xarray<float>(out[0].second) == xt::xarray<float>{1.f, 2.f}));
  // A name without the suffix is kept whole, as numpy.load does.
  out = io::load_npz_from_memory(test::make_zip({{"weights", small_npy(), ""}}));
  CHECK(out[0].first == "weights");
}

TEST_CASE("npz: malformed archives throw IoError naming the problem", "[io][npz]") {
  const std::string valid = io::write_npz(sample_entries());

  SECTION("not an archive") {
    require_rejected("", "empty input");
    require_rejected("hello, this is not a zip archive at all", "not a zip archive");
    require_rejected(small_npy(), "not a zip archive");
    require_rejected(std::string(100, '\0'), "not a zip archive");
  }
  SECTION("CRC mismatch") {
    // Flip the first data byte of the first (stored) entry.
    std::string bad = valid;
    const std::size_t npy = bad.find("\x93NUMPY");
    REQUIRE(npy != std::string::npos);
    bad[npy + 128] = static_cast<char>(bad[npy + 128] ^ 0x01);
    require_rejected(bad, "entry 'fc1.weight.npy': CRC error");
  }
  SECTION("duplicate names") {
    require_rejected(test::make_zip({{"a.npy", small_npy(), ""}, {"a.npy", small_npy(), ""}}),
                     "duplicate entry name 'a.npy'");
    require_rejected(test::make_zip({{"a", small_npy(), ""}, {"a.npy", small_npy(), ""}}),
                     "duplicate key 'a' (entry 'a.npy')");
  }
  SECTION("an entry that is not a valid .npy names the entry") {
    std::string npy = small_npy();
    require_rejected(test::make_zip({{"w.npy", npy.substr(0, npy.size() - 1), ""}}),
                     "entry 'w.npy': parse_npy: truncated data");
    require_rejected(test::make_zip({{"w.npy", "PK not numpy", ""}}),
                     "entry 'w.npy': parse_npy: bad magic");
  }
  SECTION("limits are checked before reading an entry") {
    io::LoadLimits limits;
    limits.max_entries = 2;
    require_rejected(valid, "the archive has 3 entries, over the limit of 2", limits);
    limits = {};
    limits.max_array_bytes = 10;
    limits.max_header_bytes = 100;
    require_rejected(valid, "entry 'fc1.weight.npy' declares 152 bytes, over the limit of 126",
                     limits);
    limits = {};
    limits.max_total_bytes = 200;
    require_rejected(valid, "more than the limit of 200 bytes", limits);
  }
  SECTION("a declared size larger than the data (a lying central directory)") {
    // Patch the uncompressed size in the central directory to 2^31: libzip's consistency
    // check or our size limit refuses it; nothing of that size is allocated.
    std::string bad = test::make_zip({{"a.npy", small_npy(), ""}});
    const std::size_t cd = bad.find("PK\x01\x02");
    REQUIRE(cd != std::string::npos);
    bad[cd + 24 + 3] = '\x40';  // uncompressed size, high byte (offset 24, little-endian)
    try {
      io::load_npz_from_memory(bad);
      FAIL("accepted");
    } catch (const IoError& e) {
      CHECK(std::string(e.what()).rfind("parse_npz: ", 0) == 0);
    }
  }
}

TEST_CASE("npz: every truncation and many corruptions are an IoError or a valid parse",
          "[io][npz]") {
  const std::string valid = io::write_npz(sample_entries());
  for (std::size_t n = 0; n < valid.size(); ++n) {
    CHECK_THROWS_AS(io::load_npz_from_memory(valid.substr(0, n)), IoError);
  }
  std::size_t parsed = 0, rejected = 0;
  for (std::size_t i = 0; i < valid.size(); ++i) {
    for (unsigned char v : {0x00, 0x7f, 0xff}) {
      std::string b = valid;
      if (static_cast<unsigned char>(b[i]) == v) continue;
      b[i] = static_cast<char>(v);
      try {
        io::load_npz_from_memory(b);
        ++parsed;
      } catch (const IoError&) {
        ++rejected;
      }
    }
  }
  CHECK(rejected > 0);
  CHECK(parsed > 0);  // e.g. the (unchecked) version-made-by bytes
}

TEST_CASE("npz: files: save_npz and load_npz, missing file", "[io][npz]") {
  test::TempDir dir;
  io::save_npz(dir / "e.npz", sample_entries());
  CHECK(io::load_npz(dir / "e.npz").size() == 3);
  const auto missing = dir / "missing.npz";
  CHECK_THROWS_WITH(io::load_npz(missing),
                    Catch::Contains("load_npz: cannot open '" + missing.string() +
                                    "': No such file or directory"));
  test::write_bytes(dir / "junk.npz", "junk");
  CHECK_THROWS_WITH(io::load_npz(dir / "junk.npz"),
                    Catch::Contains("load_npz: '" + (dir / "junk.npz").string() +
                                    "': parse_npz: not a zip archive"));
}
