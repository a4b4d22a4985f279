// SPDX-License-Identifier: MIT
#include <memory>

#include <xgrad/io/module_io.hpp>
#include <xgrad/nn/linear.hpp>

#include "io/io_test_util.hpp"
#include "support/helpers.hpp"

using namespace xgrad;

namespace {

/// fc1 = Linear(3, hidden), head = Linear(hidden, 1): the layout of the numpy fixture
/// tests/fixtures/model_savez.npz when hidden = 2.
struct Net : nn::Module {
  Net(std::uint64_t seed, std::int64_t hidden = 2) {
    Generator gen(seed);
    fc1 = register_module("fc1", std::make_shared<nn::Linear>(3, hidden, gen));
    head = register_module("head", std::make_shared<nn::Linear>(hidden, 1, gen));
  }
  Tensor forward(const Tensor& x) override { return head->forward(fc1->forward(x)); }
  std::shared_ptr<nn::Linear> fc1, head;
};

}  // namespace

TEST_CASE("module io: save then load restores every parameter", "[io][module]") {
  test::TempDir dir;
  Net a(1), b(2);
  REQUIRE_FALSE(a.fc1->weight().value() == b.fc1->weight().value());
  save(a, dir / "net.npz");
  load(b, dir / "net.npz");
  const auto pa = a.named_parameters(), pb = b.named_parameters();
  REQUIRE(pa.size() == 4);
  for (std::size_t i = 0; i < pa.size(); ++i) {
    CHECK(pb[i].first == pa[i].first);
    CHECK(pb[i].second.value() == pa[i].second.value());
  }
  // The archive's keys are the dotted parameter names.
  const io::NpzEntries e = io::load_npz(dir / "net.npz");
  REQUIRE(e.size() == 4);
  CHECK(e[0].first == "fc1.weight");
  CHECK(e[3].first == "head.bias");
}

TEST_CASE("module io: a numpy.savez file loads into a module", "[io][module][fixtures]") {
  Net net(5);
  load(net, test::fixture_dir() / "model_savez.npz");
  CHECK(net.fc1->weight().value() ==
        xt::xarray<float>(
            test::make({0.5, -1.25, 2.0, 3.5, -0.125, static_cast<float>(0.1)}, {2, 3})));
  CHECK(net.head->bias().value() == xt::xarray<float>{-2.0f});
}

TEST_CASE("module io: a mismatching architecture fails and keeps the old weights", "[io][module]") {
  test::TempDir dir;
  Net small(1, 2), wide(2, 5);
  save(small, dir / "net.npz");
  const auto before = wide.fc1->weight().value();
  try {
    load(wide, dir / "net.npz");
    FAIL("accepted");
  } catch (const IoError& e) {
    const std::string msg = e.what();
    CHECK_THAT(msg, Catch::Contains("(3 problems)"));
    CHECK_THAT(msg,
               Catch::Contains(
                   "shape mismatch for 'fc1.weight': the file has (2, 3), the tensor has (5, 3)"));
    CHECK_THAT(msg, Catch::Contains("shape mismatch for 'fc1.bias'"));
    CHECK_THAT(msg, Catch::Contains("shape mismatch for 'head.weight'"));
  }
  CHECK(wide.fc1->weight().value() == before);
}
