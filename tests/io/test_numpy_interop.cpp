// SPDX-License-Identifier: MIT
// Files written by xgrad, read by NumPy: runs tests/fixtures/describe_npz.py with Debian's
// python3 (python3-numpy) and compares what NumPy sees with what was saved, bit for bit.
// Fails when python3 or NumPy is missing (scripts/setup.sh installs python3-numpy). XGRAD_PYTHON
// overrides the interpreter (default /usr/bin/python3, where Debian's python3-numpy lives).
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <limits>
#include <sstream>

#include <xgrad/io/npy.hpp>
#include <xgrad/io/serialize.hpp>

#include "io/io_test_util.hpp"
#include "support/helpers.hpp"

using namespace xgrad;

namespace {

std::string python() {
  const char* env = std::getenv("XGRAD_PYTHON");
  return env != nullptr ? env : "/usr/bin/python3";
}

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

bool numpy_available() {
  if (::access(python().c_str(), X_OK) != 0) return false;
  const std::string cmd = shell_quote(python()) + " -c 'import numpy' >/dev/null 2>&1";
  return std::system(cmd.c_str()) == 0;
}

/// Runs describe_npz.py on `path`; returns its stdout, or fails the test if it exits non-zero.
std::string describe(const std::filesystem::path& path) {
  const auto script = test::fixture_dir() / "describe_npz.py";
  REQUIRE(std::filesystem::exists(script));
  const std::string cmd =
      shell_quote(python()) + " " + shell_quote(script.string()) + " " + shell_quote(path.string());
  FILE* pipe = ::popen(cmd.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string out;
  char buf[4096];
  std::size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
  const int status = ::pclose(pipe);
  INFO(cmd << "\n" << out);
  REQUIRE(status == 0);
  return out;
}

/// The line describe_npz.py prints for an array: key, dtype, Python shape tuple, hex bytes.
template <class E>
std::string line(const std::string& key, const xt::xexpression<E>& e) {
  using T = typename E::value_type;
  const auto& a = e.derived_cast();
  std::ostringstream os;
  os << key << ' ' << io::dtype_descr(io::dtype_of<T>()) << " (";
  for (std::size_t i = 0; i < a.dimension(); ++i) os << (i ? ", " : "") << a.shape()[i];
  os << (a.dimension() == 1 ? ",)" : ")") << ' ';
  const auto* p = reinterpret_cast<const unsigned char*>(a.data());
  static constexpr char kHex[] = "0123456789abcdef";
  for (std::size_t i = 0; i < a.size() * sizeof(T); ++i) os << kHex[p[i] >> 4] << kHex[p[i] & 15];
  os << '\n';
  return os.str();
}

template <class T>
io::NamedTensors<T> interop_model() {
  using L = std::numeric_limits<T>;
  xt::xarray<T> special = xt::xarray<T>::from_shape({2, 3});
  T nan = L::quiet_NaN();
  if constexpr (sizeof(T) == 4) {
    const std::uint32_t bits = 0x7fc0abcdu;
    std::memcpy(&nan, &bits, 4);
  } else {
    const std::uint64_t bits = 0x7ff80000abcd0001ull;
    std::memcpy(&nan, &bits, 8);
  }
  const T values[] = {nan, L::infinity(), -L::infinity(), T(-0.0), L::denorm_min(), T(0.1)};
  std::copy(std::begin(values), std::end(values), special.begin());
  xt::xarray<T> one = xt::xarray<T>::from_shape({1, 1, 1});
  one(0, 0, 0) = T(-2.5);
  return {{"fc1.weight", BasicTensor<T>(special)},
          {"fc1.bias", BasicTensor<T>(xt::xarray<T>{T(1), T(-1), T(0.5)})},
          {"scalar", BasicTensor<T>(xt::xarray<T>(T(7)))},
          {"empty", BasicTensor<T>(xt::xarray<T>::from_shape({0}))},
          {"deep.a.b", BasicTensor<T>(one)}};
}

}  // namespace

TEMPLATE_TEST_CASE("interop: numpy.load reads xgrad's .npz and .npy files bit for bit",
                   "[io][interop]", float, double) {
  using T = TestType;
  {
    INFO(python() << " cannot import numpy: install it (apt-get install python3-numpy, as "
                     "scripts/setup.sh does) or set XGRAD_PYTHON to an interpreter that has it");
    REQUIRE(numpy_available());
  }
  test::TempDir dir;
  const io::NamedTensors<T> model = interop_model<T>();
  std::string expected;
  for (const auto& [name, t] : model) expected += line(name, t.value());

  for (bool compress : {false, true}) {
    INFO("compress=" << compress);
    io::SaveOptions opt;
    opt.compress = compress;
    io::save(model, dir / "model.npz", opt);
    CHECK(describe(dir / "model.npz") == expected);
  }
  io::save_npy(dir / "a.npy", model[0].second.value());
  CHECK(describe(dir / "a.npy") == line("-", model[0].second.value()));
}
