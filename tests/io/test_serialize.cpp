// SPDX-License-Identifier: MIT
#include <sys/resource.h>
#include <sys/stat.h>

#include <csignal>
#include <cstring>
#include <limits>

#include <xgrad/io/serialize.hpp>

#include "io/io_test_util.hpp"
#include "support/helpers.hpp"

using namespace xgrad;

namespace {

template <class A, class B, class T = typename A::value_type>
bool bitwise_equal(const A& a, const B& b) {
  return a.shape() == b.shape() &&
         (a.size() == 0 || std::memcmp(a.data(), b.data(), a.size() * sizeof(T)) == 0);
}

template <class T>
T nan_with_payload() {
  T v;
  if constexpr (sizeof(T) == 4) {
    const std::uint32_t bits = 0x7fc0beefu;
    std::memcpy(&v, &bits, 4);
  } else {
    const std::uint64_t bits = 0xfff800000000beefull;
    std::memcpy(&v, &bits, 8);
  }
  return v;
}

/// A small "model": tensors of every awkward shape, holding awkward values.
template <class T>
io::NamedTensors<T> make_model(Generator& gen) {
  using L = std::numeric_limits<T>;
  xt::xarray<T> special = xt::xarray<T>::from_shape({2, 4});
  const T values[] = {nan_with_payload<T>(), L::infinity(), -L::infinity(), T(-0.0),
                      L::denorm_min(),       -L::min() / 4, L::max(),       T(0.1)};
  std::copy(std::begin(values), std::end(values), special.begin());
  xt::xarray<T> big = xt::xarray<T>::from_shape({257, 129});
  for (T& x : big) x = static_cast<T>(gen.normal());
  io::NamedTensors<T> m;
  m.emplace_back("layer.special", BasicTensor<T>(special, true));
  m.emplace_back("layer.scalar", BasicTensor<T>(xt::xarray<T>(T(-1.5)), true));
  m.emplace_back("empty", BasicTensor<T>(xt::xarray<T>::from_shape({0})));
  m.emplace_back("a.b.c.one", BasicTensor<T>(xt::xarray<T>::from_shape({1, 1, 1})));
  m.back().second.mutable_value()(0, 0, 0) = L::denorm_min();
  m.emplace_back("big", BasicTensor<T>(big, true));
  return m;
}

/// Tensors with the same names and shapes as `m`, all zero.
template <class T>
io::NamedTensors<T> zeros_like(const io::NamedTensors<T>& m) {
  io::NamedTensors<T> out;
  for (const auto& [name, t] : m) out.emplace_back(name, zeros<T>(t.shape(), true));
  return out;
}

template <class T>
std::vector<xt::xarray<T>> snapshot(const io::NamedTensors<T>& m) {
  std::vector<xt::xarray<T>> out;
  for (const auto& entry : m) out.push_back(entry.second.value());
  return out;
}

}  // namespace

TEMPLATE_TEST_CASE("save/load: round trip is bitwise, for every shape and special value",
                   "[io][serialize]", float, double) {
  using T = TestType;
  test::TempDir dir;
  Generator gen(3);
  const io::NamedTensors<T> model = make_model<T>(gen);
  for (bool compress : {false, true}) {
    io::SaveOptions opt;
    opt.compress = compress;
    io::save(model, dir / "model.npz", opt);
    io::NamedTensors<T> fresh = zeros_like(model);
    io::load(fresh, dir / "model.npz");
    for (std::size_t i = 0; i < model.size(); ++i) {
      INFO(model[i].first);
      CHECK(bitwise_equal(fresh[i].second.value(), model[i].second.value()));
    }
  }
  // Loading does not depend on the order of the names.
  io::NamedTensors<T> reversed = zeros_like(model);
  std::reverse(reversed.begin(), reversed.end());
  io::load(reversed, dir / "model.npz");
  CHECK(bitwise_equal(reversed.back().second.value(), model.front().second.value()));
  CHECK(dir.files() == std::vector<std::string>{"model.npz"});
}

TEST_CASE("save/load: loading bumps the version of each tensor", "[io][serialize]") {
  test::TempDir dir;
  Tensor w(xt::xarray<float>{1.f, 2.f}, true);
  io::save(io::NamedTensors<float>{{"w", w}}, dir / "w.npz");
  Tensor w2 = zeros({2}, true);
  const auto v0 = w2.node()->version();
  io::load(io::NamedTensors<float>{{"w", w2}}, dir / "w.npz");
  CHECK(w2.value() == xt::xarray<float>{1.f, 2.f});
  CHECK(w2.node()->version() == v0 + 1);
}

TEST_CASE("save/load: strict load lists every problem and changes nothing", "[io][serialize]") {
  test::TempDir dir;
  // The file: a (3,2) 'a', a float64 'b', an extra 'd'; no 'c'.
  io::NpzEntries file;
  file.emplace_back("a", io::to_npy(xt::xarray<float>(xt::zeros<float>({3, 2}))));
  file.emplace_back("b", io::to_npy(xt::xarray<double>{1.0, 2.0, 3.0}));
  file.emplace_back("d", io::to_npy(xt::xarray<float>{7.f}));
  file.emplace_back("ok", io::to_npy(xt::xarray<float>{42.f}));
  io::save_npz(dir / "m.npz", file);

  Tensor a(xt::xarray<float>(test::make({1, 2, 3, 4, 5, 6}, {2, 3})), true);
  Tensor b(xt::xarray<float>{9.f, 8.f, 7.f}, true);
  Tensor c(xt::xarray<float>{0.5f, 0.25f, 0.125f, 1.f}, true);
  Tensor ok(xt::xarray<float>{-1.f}, true);
  const io::NamedTensors<float> model = {{"a", a}, {"b", b}, {"c", c}, {"ok", ok}};
  const auto before = snapshot(model);
  std::vector<std::uint32_t> versions;
  for (const auto& e : model) versions.push_back(e.second.node()->version());

  const std::string path = (dir / "m.npz").string();
  try {
    io::load(model, dir / "m.npz");
    FAIL("load accepted a mismatching file");
  } catch (const IoError& e) {
    const std::string msg = e.what();
    INFO(msg);
    CHECK(msg.rfind("load: '" + path + "' does not match the 4 tensors (4 problems):", 0) == 0);
    CHECK_THAT(
        msg, Catch::Contains("shape mismatch for 'a': the file has (3, 2), the tensor has (2, 3)"));
    CHECK_THAT(msg, Catch::Contains("dtype mismatch for 'b': the file has float64 ('<f8'), the "
                                    "tensor has float32 ('<f4')"));
    CHECK_THAT(msg, Catch::Contains("missing key 'c' (shape (4,), float32)"));
    CHECK_THAT(msg, Catch::Contains("unexpected key 'd' (shape (1,), float32)"));
    CHECK_THAT(msg, !Catch::Contains("'ok'"));
  }
  // Nothing changed: not 'ok' either, although it matched; no version was bumped.
  const auto after = snapshot(model);
  for (std::size_t i = 0; i < model.size(); ++i) {
    CHECK(bitwise_equal(after[i], before[i]));
    CHECK(model[i].second.node()->version() == versions[i]);
  }
}

TEST_CASE("save/load: bad names and undefined tensors are invalid arguments", "[io][serialize]") {
  test::TempDir dir;
  Tensor w = ones({2});
  CHECK_THROWS_WITH(io::save(io::NamedTensors<float>{{"w", w}, {"w", w}}, dir / "x.npz"),
                    Catch::Contains("save: duplicate tensor name 'w'"));
  CHECK_THROWS_WITH(io::save(io::NamedTensors<float>{{"", w}}, dir / "x.npz"),
                    Catch::Contains("save: empty tensor name"));
  CHECK_THROWS_WITH(io::save(io::NamedTensors<float>{{"u", Tensor()}}, dir / "x.npz"),
                    Catch::Contains("save: tensor 'u' is undefined"));
  CHECK_THROWS_AS(io::load(io::NamedTensors<float>{{"w", w}, {"w", w}}, dir / "x.npz"),
                  std::invalid_argument);
  CHECK(dir.files().empty());
}

TEST_CASE("save/load: missing and corrupt files are IoErrors naming the file", "[io][serialize]") {
  test::TempDir dir;
  const io::NamedTensors<double> model = {{"w", zeros<double>({2})}};
  const auto missing = dir / "nope.npz";
  CHECK_THROWS_WITH(
      io::load(model, missing),
      Catch::Contains("load: cannot open '" + missing.string() + "': No such file or directory"));
  test::write_bytes(dir / "bad.npz", "PK\x03\x04 truncated");
  CHECK_THROWS_WITH(io::load(model, dir / "bad.npz"),
                    Catch::Contains("load: '" + (dir / "bad.npz").string() + "': parse_npz: "));
  CHECK(model[0].second.value() == xt::xarray<double>{0.0, 0.0});
}

TEST_CASE("save/load: a failed save leaves the previous file intact", "[io][serialize]") {
  test::TempDir dir;
  const auto path = dir / "model.npz";
  io::save(io::NamedTensors<float>{{"w", full<float>({4}, 1.f)}}, path);
  const std::string old_bytes = test::read_bytes(path);
  ::chmod(path.c_str(), 0640);

  // A save that fails before writing (bad arguments) does not touch the file.
  CHECK_THROWS_AS(io::save(io::NamedTensors<float>{{"w", Tensor()}}, path), std::invalid_argument);
  CHECK(test::read_bytes(path) == old_bytes);

  SECTION("the write fails midway (file size limit)") {
    // RLIMIT_FSIZE makes write() fail with EFBIG once the temporary file reaches 4 KiB, even
    // for root (who can write into read-only directories). SIGXFSZ would kill the process.
    struct rlimit old_limit {};
    REQUIRE(::getrlimit(RLIMIT_FSIZE, &old_limit) == 0);
    const auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
    struct rlimit small = old_limit;
    small.rlim_cur = 4096;
    REQUIRE(::setrlimit(RLIMIT_FSIZE, &small) == 0);
    std::string msg;
    try {
      io::save(io::NamedTensors<float>{{"w", full<float>({100000}, 2.f)}}, path);
    } catch (const IoError& e) {
      msg = e.what();
    }
    ::setrlimit(RLIMIT_FSIZE, &old_limit);
    std::signal(SIGXFSZ, old_handler);
    INFO(msg);
    CHECK_THAT(msg, Catch::StartsWith("save: cannot write '" + path.string() + ".tmp-") &&
                        Catch::Contains("File too large") &&
                        Catch::Contains("(saving to '" + path.string() + "')"));
  }
  SECTION("the target cannot be replaced (it is a directory)") {
    std::filesystem::remove(path);
    std::filesystem::create_directory(path);
    CHECK_THROWS_WITH(
        io::save(io::NamedTensors<float>{{"w", ones({1})}}, path),
        Catch::Contains("save: cannot write '" + path.string() + "': it is a directory"));
    std::filesystem::remove(path);
    test::write_bytes(path, old_bytes);
  }
  SECTION("the directory does not exist") {
    const auto nowhere = dir / "no-such-dir" / "m.npz";
    CHECK_THROWS_WITH(io::save(io::NamedTensors<float>{{"w", ones({1})}}, nowhere),
                      Catch::Contains("save: cannot create '" + nowhere.string() + ".tmp-") &&
                          Catch::Contains("No such file or directory"));
  }
  // The previous file is intact, still loads, and no temporary file is left.
  CHECK(test::read_bytes(path) == old_bytes);
  Tensor w = zeros({4});
  io::load(io::NamedTensors<float>{{"w", w}}, path);
  CHECK(w.value() == xt::xarray<float>{1.f, 1.f, 1.f, 1.f});
  CHECK(dir.files() == std::vector<std::string>{"model.npz"});
}

TEST_CASE("save/load: a successful save keeps the permissions of the file it replaces",
          "[io][serialize]") {
  test::TempDir dir;
  const auto path = dir / "m.npz";
  io::save(io::NamedTensors<float>{{"w", ones({1})}}, path);
  ::chmod(path.c_str(), 0640);
  io::save(io::NamedTensors<float>{{"w", zeros({1})}}, path);
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0640);
}

TEST_CASE("save/load: load_from_memory reads the same bytes", "[io][serialize]") {
  test::TempDir dir;
  io::save(io::NamedTensors<double>{{"x", full<double>({2}, 0.5)}}, dir / "x.npz");
  Tensor64 x = zeros<double>({2});
  io::load_from_memory(io::NamedTensors<double>{{"x", x}}, test::read_bytes(dir / "x.npz"));
  CHECK(x.value() == xt::xarray<double>{0.5, 0.5});
  CHECK_THROWS_WITH(io::load_from_memory(io::NamedTensors<double>{{"x", x}}, "junk"),
                    Catch::StartsWith("load: <memory>: parse_npz: not a zip archive"));
}
