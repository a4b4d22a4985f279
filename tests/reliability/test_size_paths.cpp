// SPDX-License-Identifier: MIT
// Both sides of the size thresholds of lib/ that are not op inputs (xgrad/detail/thresholds.hpp,
// the rows measured in graph_nodes and file_bytes): the backward walk's buffers, kept up to a
// size and released after a larger graph, and the chunked reads of files and .npz entries. The
// op thresholds are sampled by the registry (tests/registry/test_registry.cpp).
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include <xgrad/detail/thresholds.hpp>
#include <xgrad/io/npy.hpp>
#include <xgrad/io/npz.hpp>
#include <xgrad/io/serialize.hpp>

#include "io/io_test_util.hpp"
#include "support/helpers.hpp"

using namespace xgrad;

namespace {

/// The one threshold row measured in `m`.
const detail::SizeThreshold& row(detail::SizeMeasure m) {
  const detail::SizeThreshold* found = nullptr;
  for (const auto& t : detail::size_thresholds()) {
    if (t.measure == m) {
      REQUIRE(found == nullptr);
      found = &t;
    }
  }
  REQUIRE(found != nullptr);
  return *found;
}

template <class A, class B, class T = typename A::value_type>
bool bitwise_equal(const A& a, const B& b) {
  return a.shape() == b.shape() && std::memcmp(a.data(), b.data(), a.size() * sizeof(T)) == 0;
}

}  // namespace

TEST_CASE("size paths: backward on graphs on both sides of the walk buffers' size is exact",
          "[thresholds][engine]") {
  const std::size_t keep = row(detail::SizeMeasure::graph_nodes).max_small;
  REQUIRE(keep == detail::kWalkBufferKeep);
  // A chain of n ops y = x * c * c ... is a graph of n op nodes and a leaf: dy/dx = c^n. After
  // each walk a small graph must still be right (the buffers were kept, or released and grown
  // again).
  const double c = 1.0 + 1.0 / 65536;  // c^n stays near 1 and exact enough to compare
  for (std::size_t n : {keep - 1, keep, keep + 1, 2 * keep + 5}) {
    INFO("chain of " << n << " ops");
    Tensor64 x(xt::xarray<double>{0.5, -2.0}, true);
    Tensor64 y = x;
    for (std::size_t i = 0; i < n; ++i) y = y * c;
    sum(y).backward();
    const double expected = std::pow(c, static_cast<double>(n));
    CHECK(x.grad()(0) == Approx(expected).epsilon(1e-12));
    CHECK(x.grad()(1) == Approx(expected).epsilon(1e-12));

    Tensor64 w(xt::xarray<double>{3.0}, true);
    sum(w * w).backward();
    CHECK(w.grad()(0) == 6.0);
  }
}

TEMPLATE_TEST_CASE("size paths: .npy and .npz files on both sides of the read chunk round-trip",
                   "[thresholds][io]", float, double) {
  using T = TestType;
  const std::size_t chunk = row(detail::SizeMeasure::file_bytes).max_small;
  REQUIRE(chunk == detail::kReadChunkBytes);
  test::TempDir dir;
  Generator gen(17);
  // Arrays whose data alone is one element short of a chunk, exactly one, one element over,
  // and two chunks and an odd tail; with the header the file is on either side of a boundary.
  const std::size_t per_chunk = chunk / sizeof(T);
  for (std::size_t n :
       {std::size_t{5}, per_chunk - 1, per_chunk, per_chunk + 1, 2 * per_chunk + 7}) {
    INFO(n << " elements, " << n * sizeof(T) << " bytes of data");
    xt::xarray<T> a = xt::xarray<T>::from_shape({n});
    for (T& v : a) v = static_cast<T>(gen.normal());

    io::save_npy(dir / "a.npy", a);
    CHECK(bitwise_equal(io::load_npy<T>(dir / "a.npy"), a));

    for (bool compress : {false, true}) {
      INFO("compress=" << compress);
      io::SaveOptions opt;
      opt.compress = compress;
      const io::NamedTensors<T> saved = {{"a", BasicTensor<T>(a)}, {"b", BasicTensor<T>(a * T(2))}};
      io::save(saved, dir / "m.npz", opt);
      const io::NamedTensors<T> loaded = {{"a", zeros<T>({n})}, {"b", zeros<T>({n})}};
      io::load(loaded, dir / "m.npz");
      CHECK(bitwise_equal(loaded[0].second.value(), a));
      CHECK(bitwise_equal(loaded[1].second.value(), saved[1].second.value()));
    }
  }
}
