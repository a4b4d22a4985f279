// SPDX-License-Identifier: MIT
#include <algorithm>
#include <numeric>

#include <xgrad/data/dataloader.hpp>

#include "support/helpers.hpp"

using namespace xgrad;
using data::DataLoader;
using data::LabeledDataLoader;
using data::LoaderOptions;

namespace {

/// Inputs (n, 2) with row i = (i, 10 i); targets (n,) with entry i = 100 i: each batch row
/// tells which sample it is, and that inputs and targets stay paired.
xt::xarray<double> rows(std::size_t n) {
  xt::xarray<double> a = xt::xarray<double>::from_shape({n, 2});
  for (std::size_t i = 0; i < n; ++i) {
    a(i, 0) = static_cast<double>(i);
    a(i, 1) = 10.0 * static_cast<double>(i);
  }
  return a;
}
xt::xarray<double> targets(std::size_t n) {
  xt::xarray<double> t = xt::xarray<double>::from_shape({n});
  for (std::size_t i = 0; i < n; ++i) t(i) = 100.0 * static_cast<double>(i);
  return t;
}

/// The sample indices visited by one epoch (a range-for), checking each batch's pairing.
std::vector<std::size_t> epoch(DataLoader<double>& loader,
                               std::vector<std::size_t>* sizes = nullptr) {
  std::vector<std::size_t> seen;
  for (auto [x, y] : loader) {
    REQUIRE(x.dim() == 2);
    REQUIRE(x.shape()[0] == y.shape()[0]);
    CHECK_FALSE(x.requires_grad());
    if (sizes != nullptr) sizes->push_back(x.shape()[0]);
    for (std::size_t r = 0; r < x.shape()[0]; ++r) {
      const double i = x.value()(r, 0);
      CHECK(x.value()(r, 1) == 10.0 * i);
      CHECK(y.value()(r) == 100.0 * i);
      seen.push_back(static_cast<std::size_t>(i));
    }
  }
  return seen;
}

bool is_permutation_of_n(std::vector<std::size_t> v, std::size_t n) {
  std::sort(v.begin(), v.end());
  std::vector<std::size_t> id(n);
  std::iota(id.begin(), id.end(), std::size_t{0});
  return v == id;
}

}  // namespace

TEST_CASE("DataLoader: batches in order, the last one smaller", "[data][dataloader]") {
  LoaderOptions opt;
  opt.batch_size = 2;
  DataLoader<double> loader(rows(5), targets(5), opt);
  CHECK(loader.size() == 3);
  CHECK(loader.num_samples() == 5);
  std::vector<std::size_t> sizes;
  CHECK(epoch(loader, &sizes) == std::vector<std::size_t>{0, 1, 2, 3, 4});
  CHECK(sizes == std::vector<std::size_t>{2, 2, 1});

  // Exact contents of one batch.
  const auto b = loader.batch(1);
  CHECK(b.inputs.value() == test::make({2, 20, 3, 30}, {2, 2}));
  CHECK(b.targets.value() == xt::xarray<double>{200, 300});
  CHECK_THROWS_AS(loader.batch(3), std::out_of_range);

  // drop_last skips the short batch.
  opt.drop_last = true;
  DataLoader<double> dropping(rows(5), targets(5), opt);
  CHECK(dropping.size() == 2);
  sizes.clear();
  CHECK(epoch(dropping, &sizes) == std::vector<std::size_t>{0, 1, 2, 3});
  CHECK(sizes == std::vector<std::size_t>{2, 2});
}

TEST_CASE("DataLoader: higher-rank inputs and targets keep their trailing axes",
          "[data][dataloader]") {
  xt::xarray<float> x = xt::xarray<float>::from_shape({4, 2, 3});
  std::iota(x.begin(), x.end(), 0.f);
  xt::xarray<float> y = xt::xarray<float>::from_shape({4, 1});
  std::iota(y.begin(), y.end(), 0.f);
  LoaderOptions opt;
  opt.batch_size = 3;
  DataLoader<float> loader(x, y, opt);
  auto it = loader.begin();
  const auto first = *it;
  CHECK(first.inputs.shape() == Shape{3, 2, 3});
  CHECK(first.targets.shape() == Shape{3, 1});
  ++it;
  const auto second = *it;
  CHECK(second.inputs.shape() == Shape{1, 2, 3});
  CHECK(second.inputs.value()(0, 1, 2) == 23.f);  // sample 3 starts at 18
  CHECK(second.targets.value()(0, 0) == 3.f);
  ++it;
  CHECK(it == loader.end());
}

TEST_CASE("DataLoader: shuffling is a permutation, new every epoch, reproducible per seed",
          "[data][dataloader]") {
  LoaderOptions opt;
  opt.batch_size = 3;
  opt.shuffle = true;
  Generator g1(42), g2(42), g3(43);
  DataLoader<double> a(rows(20), targets(20), opt, &g1);
  DataLoader<double> b(rows(20), targets(20), opt, &g2);
  DataLoader<double> c(rows(20), targets(20), opt, &g3);
  std::vector<std::vector<std::size_t>> epochs;
  for (int e = 0; e < 3; ++e) {
    const auto ea = epoch(a);
    CHECK(is_permutation_of_n(ea, 20));
    CHECK(epoch(b) == ea);  // same seed, same order
    CHECK(epoch(c) != ea);  // another seed, another order
    epochs.push_back(ea);
  }
  CHECK(epochs[0] != epochs[1]);
  CHECK(epochs[1] != epochs[2]);

  // Pinned: Fisher-Yates over Generator::uniform_int is the same on every platform.
  Generator g(7);
  LoaderOptions one;
  one.batch_size = 6;
  one.shuffle = true;
  DataLoader<double> pinned(rows(6), targets(6), one, &g);
  CHECK(epoch(pinned) == std::vector<std::size_t>{5, 1, 4, 2, 0, 3});
}

TEST_CASE("DataLoader: each epoch shuffles the identity with the generator's next draws",
          "[data][dataloader]") {
  LoaderOptions opt;
  opt.batch_size = 4;
  opt.shuffle = true;
  const std::size_t n = 10;
  Generator gen(11);
  Generator ref = gen;  // the same state: the reference draws the same numbers
  DataLoader<double> loader(rows(n), targets(n), opt, &gen);
  for (int e = 0; e < 3; ++e) {
    // Durstenfeld's Fisher-Yates over 0..n-1: for i = n..2, swap i-1 with uniform_int(i).
    std::vector<std::size_t> expected(n);
    std::iota(expected.begin(), expected.end(), std::size_t{0});
    for (std::size_t i = n; i > 1; --i) {
      std::swap(expected[i - 1], expected[static_cast<std::size_t>(ref.uniform_int(i))]);
    }
    INFO("epoch " << e);
    CHECK(epoch(loader) == expected);
  }

  // So an epoch depends only on the generator's state, not on the epochs before it: a fresh
  // loader on a copy of the generator taken between epochs repeats the next epoch.
  Generator g1(5);
  DataLoader<double> a(rows(n), targets(n), opt, &g1);
  epoch(a);
  Generator g2 = g1;
  DataLoader<double> b(rows(n), targets(n), opt, &g2);
  CHECK(epoch(b) == epoch(a));
}

TEST_CASE("DataLoader: bad arguments throw invalid_argument naming the shapes",
          "[data][dataloader]") {
  CHECK_THROWS_WITH(DataLoader<double>(rows(4), targets(5)),
                    Catch::Contains("DataLoader: inputs of shape (4,2) have 4 samples but "
                                    "targets of shape (5,) have 5"));
  CHECK_THROWS_WITH(DataLoader<double>(xt::xarray<double>(1.0), targets(1)),
                    Catch::Contains("DataLoader: inputs is 0-d"));
  CHECK_THROWS_WITH(DataLoader<double>(rows(1), xt::xarray<double>(1.0)),
                    Catch::Contains("DataLoader: targets is 0-d"));
  LoaderOptions opt;
  opt.batch_size = 0;
  CHECK_THROWS_WITH(DataLoader<double>(rows(4), targets(4), opt),
                    Catch::Contains("DataLoader: batch_size is 0"));
  opt.batch_size = 2;
  opt.shuffle = true;
  CHECK_THROWS_WITH(DataLoader<double>(rows(4), targets(4), opt),
                    Catch::Contains("DataLoader: shuffle needs a Generator"));
}

TEST_CASE("DataLoader: no samples means no batches", "[data][dataloader]") {
  DataLoader<double> loader(xt::xarray<double>::from_shape({0, 3}),
                            xt::xarray<double>::from_shape({0}));
  CHECK(loader.size() == 0);
  int count = 0;
  for (const auto& batch : loader) {
    (void)batch;
    ++count;
  }
  CHECK(count == 0);
}

TEST_CASE("LabeledDataLoader: class labels follow their samples", "[data][dataloader]") {
  std::vector<std::size_t> labels = {0, 1, 2, 0, 1, 2, 0};
  LoaderOptions opt;
  opt.batch_size = 4;
  opt.shuffle = true;
  Generator gen(1);
  LabeledDataLoader<double> loader(rows(7), labels, opt, &gen);
  CHECK(loader.size() == 2);
  for (int e = 0; e < 2; ++e) {
    std::vector<std::size_t> seen;
    for (auto [x, y] : loader) {
      REQUIRE(y.size() == x.shape()[0]);
      for (std::size_t r = 0; r < y.size(); ++r) {
        const auto i = static_cast<std::size_t>(x.value()(r, 0));
        CHECK(y[r] == labels[i]);
        seen.push_back(i);
      }
    }
    CHECK(is_permutation_of_n(seen, 7));
  }
  CHECK_THROWS_WITH(LabeledDataLoader<double>(rows(3), {0, 1}),
                    Catch::Contains("LabeledDataLoader: inputs of shape (3,2) have 3 samples "
                                    "but there are 2 labels"));
}
