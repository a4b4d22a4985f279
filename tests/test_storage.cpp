// SPDX-License-Identifier: MIT
// xgrad/array.hpp: the allocator (BufferAllocator) and shape container (mem::Dims) of
// xgrad::Array, the container tensors hold; xtensor's own xt::xarray is left alone. The buffer
// cache and the retention of large blocks, absent from sanitizer builds, are tested in
// test_storage_nosan.cpp.
#include <xgrad/xgrad.hpp>

#include <catch2/catch.hpp>

#include <xtensor/xbroadcast.hpp>
#include <xtensor/xmath.hpp>
#include <xtensor/xview.hpp>

#include <cstdint>
#include <set>
#include <thread>
#include <type_traits>
#include <vector>

namespace {

using xgrad::mem::Dims;

bool aligned64(const void* p) { return reinterpret_cast<std::uintptr_t>(p) % 64 == 0; }

}  // namespace

TEST_CASE(
    "storage: xgrad::Array uses xgrad's allocator and shape container, xt::xarray is xtensor's own",
    "[storage]") {
  STATIC_REQUIRE(
      std::is_same_v<xgrad::Array<double>::allocator_type, xgrad::mem::BufferAllocator<double>>);
  STATIC_REQUIRE(std::is_same_v<xgrad::Array<float>::shape_type, Dims<std::size_t>>);
  STATIC_REQUIRE(std::is_same_v<xgrad::Array<float>::strides_type, Dims<std::ptrdiff_t>>);
  STATIC_REQUIRE(std::is_same_v<xgrad::Shape, Dims<std::size_t>>);
  STATIC_REQUIRE(std::is_same_v<xgrad::Tensor::Array, xgrad::Array<float>>);
  // Linking xgrad changes nothing about the user's xtensor types.
  STATIC_REQUIRE(
      !std::is_same_v<xt::xarray<double>::allocator_type, xgrad::mem::BufferAllocator<double>>);
  STATIC_REQUIRE(!std::is_same_v<xt::xarray<float>::shape_type, Dims<std::size_t>>);
}

TEST_CASE("storage: every buffer is 64-byte aligned, whatever its size", "[storage]") {
  std::vector<xgrad::Array<double>> keep;
  for (std::size_t n : {1, 2, 3, 7, 8, 9, 63, 64, 65, 1000, 8191, 8192, 8193, 100000}) {
    keep.push_back(xgrad::Array<double>::from_shape({n}));
    CHECK(aligned64(keep.back().data()));
    keep.push_back(xgrad::Array<double>::from_shape({n, 3}));
    CHECK(aligned64(keep.back().data()));
  }
  keep.clear();
  // Recycled blocks too.
  for (int i = 0; i < 100; ++i) {
    xgrad::Array<float> a = xgrad::Array<float>::from_shape({static_cast<std::size_t>(i + 1)});
    CHECK(aligned64(a.data()));
  }
}

TEST_CASE("storage: buffers freed by another thread, and threads that end, are safe", "[storage]") {
  // Made here, freed in 4 threads that then end (their caches are emptied at thread exit);
  // made in threads, freed here. ASan/TSan/valgrind jobs check the memory side.
  std::vector<xgrad::Array<double>> made(64);
  for (std::size_t i = 0; i < made.size(); ++i) made[i] = xt::ones<double>({i + 1});
  std::vector<std::thread> threads;
  std::vector<std::vector<xgrad::Array<double>>> from_threads(4);
  std::vector<double> grads(4, 0.0);  // asserted here: Catch2 assertions are not thread-safe
  for (std::size_t t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (std::size_t i = t; i < made.size(); i += 4) made[i] = xgrad::Array<double>();
      for (std::size_t i = 0; i < 16; ++i) from_threads[t].push_back(xt::zeros<double>({i + 1}));
      // A training step in the thread: blocks cycle through its cache.
      xgrad::Tensor64 w = xgrad::full<double>({3, 2}, 0.5, true);
      for (int s = 0; s < 10; ++s) xgrad::sum(xgrad::sigmoid(w * 2.0)).backward();
      grads[t] = w.grad()(0, 0);
    });
  }
  for (auto& th : threads) th.join();
  for (std::size_t t = 0; t < 4; ++t) {
    CAPTURE(t);
    CHECK(grads[t] == Approx(10 * 2 * 0.7310585786300049 * (1 - 0.7310585786300049)));
  }
  double total = 0;
  for (auto& v : from_threads) {
    for (auto& a : v) total += a.size();
    v.clear();
  }
  CHECK(total == 4 * (16 * 17 / 2));
}

TEST_CASE("storage: Dims keeps up to 4 extents inline and any rank on the heap", "[storage]") {
  Dims<std::size_t> a{2, 3, 4};
  CHECK(a.size() == 3);
  CHECK(a.capacity() == 4);
  CHECK(a[1] == 3);
  Dims<std::size_t> b = a;
  CHECK(b == a);
  b.push_back(5);
  b.push_back(6);  // rank 5: moves to the heap
  CHECK(b.size() == 5);
  CHECK(b.capacity() >= 5);
  CHECK(b != a);
  CHECK(std::vector<std::size_t>(b.begin(), b.end()) == std::vector<std::size_t>{2, 3, 4, 5, 6});
  Dims<std::size_t> c = std::move(b);  // steals the heap block
  CHECK(c.size() == 5);
  CHECK(b.empty());  // NOLINT(bugprone-use-after-move): a moved-from Dims is empty
  c.erase(c.begin() + 1);
  CHECK(std::vector<std::size_t>(c.begin(), c.end()) == std::vector<std::size_t>{2, 4, 5, 6});
  c.insert(c.begin(), 9);
  CHECK(c.front() == 9);
  CHECK(c.back() == 6);
  a = c;  // inline <- heap
  CHECK(a == c);
  c = Dims<std::size_t>{1};  // heap <- inline
  CHECK(c.size() == 1);
  CHECK(c[0] == 1);
  c.resize(3);
  CHECK(c[2] == 0);  // value-initialized
  CHECK_THROWS_AS(c.at(3), std::out_of_range);
  Dims<std::size_t> d(3, 7);
  CHECK(d == Dims<std::size_t>{7, 7, 7});
  a.swap(d);
  CHECK(a == Dims<std::size_t>{7, 7, 7});
  CHECK(d.size() == 5);

  // Narrower element types (xtensor rebinds shape containers, e.g. to int).
  Dims<int> e{1, -2, 3};
  Dims<int> f = e;
  CHECK(f == e);
  Dims<int> g = std::move(f);
  CHECK(g == Dims<int>{1, -2, 3});
}

TEST_CASE("storage: xtensor works on arrays of rank above the inline capacity", "[storage]") {
  xgrad::Array<double> a = xt::arange<double>(2 * 3 * 1 * 2 * 2 * 2);
  a.reshape({2, 3, 1, 2, 2, 2});
  CHECK(a.dimension() == 6);
  CHECK(a.strides()[0] == 24);
  CHECK(a(1, 2, 0, 1, 1, 1) == 47);  // 24 + 2 * 8 + 4 + 2 + 1
  const xgrad::Array<double> s = xt::sum(a, {1, 3, 5});
  REQUIRE(s.shape() == xgrad::Shape{2, 1, 2});
  // s[i, 0, k] = sum over j, l, n of a[i, j, 0, l, k, n].
  double expect = 0;
  for (std::size_t j = 0; j < 3; ++j)
    for (std::size_t l = 0; l < 2; ++l)
      for (std::size_t n = 0; n < 2; ++n) expect += a(1, j, 0, l, 1, n);
  CHECK(s(1, 0, 1) == expect);
  const xgrad::Array<double> b = xt::broadcast(xt::view(a, 0), {4, 3, 1, 2, 2, 2});
  CHECK(b.shape()[0] == 4);
  CHECK(b(3, 2, 0, 1, 1, 1) == a(0, 2, 0, 1, 1, 1));

  // Autodiff through rank 6: d/dx sum(sigmoid(x) * 2).
  xgrad::Tensor64 x(a * 0.01, true);
  xgrad::sum(xgrad::sigmoid(x) * 2.0).backward();
  const double y = 1 / (1 + std::exp(-0.47));
  CHECK(x.grad()(1, 2, 0, 1, 1, 1) == Approx(2 * y * (1 - y)));
  CHECK(x.grad().shape() == a.shape());
}

TEST_CASE("storage: zero_grad frees the gradient buffer at once", "[storage]") {
  xgrad::Tensor64 w = xgrad::full<double>({200, 200}, 1.0, true);
  xgrad::sum(w * 3.0).backward();
  REQUIRE(w.has_grad());
  CHECK(w.grad()(199, 199) == 3.0);
  w.zero_grad();
  CHECK_FALSE(w.has_grad());
  CHECK_THROWS_AS(w.grad(), std::logic_error);
  xgrad::sum(w * 2.0).backward();  // a fresh gradient, not 3 + 2
  CHECK(w.grad()(0, 0) == 2.0);
  CHECK(w.grad().shape() == w.shape());
}
