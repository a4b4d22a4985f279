// SPDX-License-Identifier: MIT
// The registry's meta-test (docs/reliability.md, G2): the list of public ops is not written down
// here but read at test time from the headers in lib/include/xgrad/ and lib/include/xgrad/ops/
// (found from this file's path), and every tensor-returning function declared there, each
// overload and operator separately, must be covered by a registry variant, unless it is in the
// commented exclusion list below. Adding an op declaration without a registry entry fails.
#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "registry/header_scan.hpp"
#include "registry/op_registry.hpp"

namespace {

namespace fs = std::filesystem;
using namespace xgrad::test::registry;

/// Tensor-returning public functions that are not differentiable ops, by name (every overload).
const std::map<std::string, std::string> kExcluded = {
    // Factories (tensor.hpp): they make leaves from shapes and values; no tensor input.
    {"zeros", "factory"},
    {"ones", "factory"},
    {"full", "factory"},
    {"scalar", "factory"},
    {"rand", "factory"},
    {"randn", "factory"},
    // Returns integer indices (xt::xarray<int64_t>), which have no gradient. Listed in case
    // its return type ever becomes a tensor.
    {"argmax", "not differentiable: indices"},
};

struct Declared {
  std::string signature, header;
};

/// The signatures not covered by `covers` whose name is not excluded (in declaration order,
/// without repeats).
std::vector<Declared> uncovered(const std::vector<Declared>& declared,
                                const std::set<std::string>& covers,
                                const std::map<std::string, std::string>& excluded) {
  std::vector<Declared> out;
  std::set<std::string> seen;
  for (const auto& d : declared) {
    const std::string name = d.signature.substr(0, d.signature.find('('));
    if (excluded.count(name) || covers.count(d.signature) || !seen.insert(d.signature).second) {
      continue;
    }
    out.push_back(d);
  }
  return out;
}

/// lib/include/xgrad of this source tree: from __FILE__ (tests/registry/<this file>), else
/// from the working directory upwards (in case __FILE__ was made relative).
fs::path find_include_dir() {
  std::vector<fs::path> starts = {fs::path(__FILE__).parent_path(), fs::current_path()};
  for (fs::path p : starts) {
    for (int up = 0; up < 6 && !p.empty(); ++up, p = p.parent_path()) {
      const fs::path candidate = p / "lib" / "include" / "xgrad";
      if (fs::is_directory(candidate / "ops")) return candidate;
      if (p == p.parent_path()) break;
    }
  }
  return {};
}

std::vector<Declared> declared_ops(const fs::path& include_dir) {
  std::vector<fs::path> headers;
  for (const fs::path& dir : {include_dir, include_dir / "ops"}) {
    for (const auto& f : fs::directory_iterator(dir)) {
      if (f.is_regular_file() && f.path().extension() == ".hpp") headers.push_back(f.path());
    }
  }
  std::sort(headers.begin(), headers.end());
  std::vector<Declared> out;
  for (const auto& h : headers) {
    for (auto& sig : extract_op_signatures(read_text_file(h.string()))) {
      out.push_back({sig, h.filename().string()});
    }
  }
  return out;
}

std::set<std::string> registry_covers() {
  std::set<std::string> covers;
  for (const auto& e : all_entries()) {
    for (const auto& v : e.variants) covers.insert(v.covers.begin(), v.covers.end());
  }
  return covers;
}

}  // namespace

TEST_CASE("op signature extractor: finds declarations and operators and overloads",
          "[registry][meta]") {
  const std::string header = R"(
#pragma once
namespace xgrad {
/// Not a declaration: BasicTensor<T> in_a_comment(const BasicTensor<T>& x);
/* nor this: BasicTensor<T> in_a_block(const BasicTensor<T>& x); */
template <class T>
BasicTensor<T> foo(const BasicTensor<T>& a, detail::scalar_t<T> s = T(0.5));
template <class T>
BasicTensor<T> cat(const std::vector<BasicTensor<T>>& tensors,
                   std::int64_t axis);
template <class T>
BasicTensor<T> operator-(const BasicTensor<T>& x) {
  return neg(x);
}
template <class T>
inline BasicTensor<T> operator*(detail::scalar_t<T> s, const BasicTensor<T>& x) { return x; }
Tensor64 fixed(const Tensor64&, bool keepdims = false);
template <class T>
xt::xarray<std::int64_t> argmax(const BasicTensor<T>& x, std::int64_t axis);
template <class T = float>
BasicTensor<T> zeros(const Shape& shape, bool requires_grad = false);
struct S { BasicTensor<T> not_free() const; };
}
)";
  const std::vector<std::string> expected = {"foo(Tensor,scalar)", "cat(vector<Tensor>,int64_t)",
                                             "operator-(Tensor)",  "operator*(scalar,Tensor)",
                                             "fixed(Tensor,bool)", "zeros(Shape,bool)"};
  // The member on the `struct S` line is not at the start of a line: not extracted.
  CHECK(extract_op_signatures(header) == expected);

  // The coverage rule: with "foo" covered and zeros excluded, the others are reported.
  std::vector<Declared> declared;
  for (const auto& s : extract_op_signatures(header)) declared.push_back({s, "test.hpp"});
  const auto missing =
      uncovered(declared, {"foo(Tensor,scalar)", "cat(vector<Tensor>,int64_t)"}, kExcluded);
  std::vector<std::string> names;
  for (const auto& m : missing) names.push_back(m.signature);
  CHECK(names == std::vector<std::string>{"operator-(Tensor)", "operator*(scalar,Tensor)",
                                          "fixed(Tensor,bool)"});

  // A new overload of a covered name is a new signature, so it needs its own coverage.
  const auto more = extract_op_signatures(
      "template <class T>\nBasicTensor<T> foo(const BasicTensor<T>& a, const BasicTensor<T>& "
      "b);\n");
  REQUIRE(more.size() == 1);
  CHECK(uncovered({{more[0], "x.hpp"}}, {"foo(Tensor,scalar)"}, kExcluded).size() == 1);
}

TEST_CASE("op registry: every public differentiable op in the headers has an entry",
          "[registry][meta]") {
  const fs::path include_dir = find_include_dir();
  INFO("source file: " << __FILE__);
  REQUIRE_FALSE(include_dir.empty());
  const auto declared = declared_ops(include_dir);
  const auto covers = registry_covers();

  // The scan must see the ops we know exist, or it would pass by finding nothing.
  std::set<std::string> all;
  for (const auto& d : declared) all.insert(d.signature);
  for (const char* known :
       {"add(Tensor,Tensor)", "operator-(Tensor)", "matmul(Tensor,Tensor)",
        "softmax(Tensor,int64_t)", "concat(vector<Tensor>,int64_t)", "zeros(Shape,bool)"}) {
    INFO(known);
    CHECK(all.count(known) == 1);
  }
  CHECK(all.size() >= 60);

  for (const auto& d : uncovered(declared, covers, kExcluded)) {
    FAIL_CHECK(d.header << " declares " << d.signature << ", which no registry entry covers "
                        << "(add a variant to tests/registry/op_registry_*.cpp, or an "
                        << "exclusion with a reason to test_op_coverage.cpp)");
  }
  // And no entry claims a signature that no header declares (a renamed or removed op).
  for (const auto& c : covers) {
    INFO("registry covers " << c);
    CHECK(all.count(c) == 1);
  }
  // Every excluded name still exists, or the exclusion is stale (argmax returns indices and
  // is matched by name in ops/minmax.hpp).
  for (const auto& [name, why] : kExcluded) {
    INFO(name << " (" << why << ")");
    bool found = false;
    for (const auto& d : declared) found = found || d.signature.rfind(name + "(", 0) == 0;
    if (name == "argmax") {
      found = read_text_file((include_dir / "ops" / "minmax.hpp").string()).find(" argmax(") !=
              std::string::npos;
    }
    CHECK(found);
  }
}
