// SPDX-License-Identifier: MIT
// The fuzz corpus replay (docs/reliability.md, S5): every input in tests/fuzz/crashes/ (hand-made
// hostile files and anything the fuzzer ever found) and every .npy/.npz seed in
// tests/fixtures/ goes through the fuzzer's own entry function, in the ordinary test run.

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "fuzz/fuzz_target.hpp"
#include "support/helpers.hpp"

namespace {

namespace fs = std::filesystem;

/// tests/fuzz, found next to this file; XGRAD_FUZZ_DIR overrides it.
fs::path fuzz_dir() {
  if (const char* env = std::getenv("XGRAD_FUZZ_DIR")) return env;
  return fs::path(__FILE__).parent_path();
}

std::vector<fs::path> files_in(const fs::path& dir, bool npy_npz_only) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    const std::string ext = e.path().extension().string();
    if (npy_npz_only && ext != ".npy" && ext != ".npz") continue;
    out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string read_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  REQUIRE(in);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

bool starts_with(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

enum class Outcome { loaded, rejected, other_exception };

struct Result {
  Outcome outcome;
  std::string message;
};

Result replay(const fs::path& p) {
  const std::string bytes = read_bytes(p);
  try {
    xgrad::fuzz::load_any(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
    return {Outcome::loaded, ""};
  } catch (const xgrad::IoError& e) {
    return {Outcome::rejected, e.what()};
  } catch (const std::exception& e) {
    return {Outcome::other_exception, e.what()};
  }
}

}  // namespace

TEST_CASE("fuzz corpus: every crash input and seed loads or throws IoError", "[io][fuzz]") {
  std::vector<fs::path> files = files_in(fuzz_dir() / "crashes", false);
  const std::size_t n_crashes = files.size();
  const std::vector<fs::path> seeds = files_in(fuzz_dir().parent_path() / "fixtures", true);
  files.insert(files.end(), seeds.begin(), seeds.end());
  REQUIRE(n_crashes >= 40);
  REQUIRE(seeds.size() >= 10);
  std::size_t loaded = 0, rejected = 0;
  for (const fs::path& p : files) {
    const Result r = replay(p);
    INFO(p.filename().string() << ": " << r.message);
    CHECK(r.outcome != Outcome::other_exception);
    if (r.outcome == Outcome::loaded) ++loaded;
    if (r.outcome == Outcome::rejected) ++rejected;
  }
  CHECK(loaded > 0);
  CHECK(rejected > 0);
}

TEST_CASE("fuzz corpus: the hostile inputs are rejected and the valid ones load", "[io][fuzz]") {
  std::size_t n_reject = 0, n_valid = 0;
  for (const fs::path& p : files_in(fuzz_dir() / "crashes", false)) {
    const std::string name = p.filename().string();
    const Result r = replay(p);
    INFO(name << ": " << r.message);
    if (starts_with(name, "reject-")) {
      ++n_reject;
      CHECK(r.outcome == Outcome::rejected);
      // The message says which loader refused the input.
      CHECK((starts_with(r.message, "parse_npy") || starts_with(r.message, "parse_npz")));
    } else if (starts_with(name, "valid-")) {
      ++n_valid;
      CHECK(r.outcome == Outcome::loaded);
    }
  }
  CHECK(n_reject >= 30);
  CHECK(n_valid >= 5);
}

TEST_CASE("fuzz corpus: the valid regression inputs hold the expected values", "[io][fuzz]") {
  // A spot check that the replay actually reads data: the valid files hold 1.0, -2.5, 4.0.
  const fs::path dir = fuzz_dir() / "crashes";
  for (const char* name : {"valid-header-len-246.npy", "valid-version-2.npy"}) {
    INFO(name);
    const std::string bytes = read_bytes(dir / name);
    const auto a = xgrad::io::to_xarray<double>(xgrad::io::parse_npy(bytes));
    CHECK((a == xt::xarray<double>{1.0, -2.5, 4.0}));
  }
  const std::string bytes = read_bytes(dir / "valid-fortran-order.npy");
  const auto f = xgrad::io::to_xarray<double>(xgrad::io::parse_npy(bytes));
  CHECK((f == xgrad::test::make({1.0, -2.5, 4.0}, {3, 1})));
  const auto npz = xgrad::io::load_npz_from_memory(read_bytes(dir / "valid-npz-extra-field.npz"));
  REQUIRE(npz.size() == 1);
  CHECK(npz[0].first == "w");
  CHECK((xgrad::io::to_xarray<double>(npz[0].second) == xt::xarray<double>{1.0, -2.5, 4.0}));
}
