// SPDX-License-Identifier: MIT
// Module: registration, recursive traversal, train/eval, zero_grad, summary.
#include <sstream>

#include <xgrad/nn/activation.hpp>
#include <xgrad/nn/dropout.hpp>
#include <xgrad/nn/linear.hpp>
#include <xgrad/nn/module.hpp>
#include <xgrad/nn/sequential.hpp>

#include "support/helpers.hpp"

using namespace xgrad;
using test::make;

namespace {

/// A user-defined module: two Linear layers registered by name, sigmoid in between.
struct Net : nn::Module64 {
  explicit Net(Generator& gen) {
    fc1 = register_module("fc1", std::make_shared<nn::Linear64>(3, 4, gen));
    fc2 = register_module("fc2", std::make_shared<nn::Linear64>(4, 1, false, gen));
  }
  Tensor64 forward(const Tensor64& x) override { return fc2->forward(sigmoid(fc1->forward(x))); }
  std::shared_ptr<nn::Linear64> fc1, fc2;
};

/// A module with its own parameter and a nested child.
struct Block : nn::Module64 {
  explicit Block(Generator& gen) {
    scale = register_parameter("scale", ones<double>({1}));
    net = register_module("net", std::make_shared<Net>(gen));
  }
  Tensor64 forward(const Tensor64& x) override { return net->forward(x) * scale; }
  Tensor64 scale;
  std::shared_ptr<Net> net;
};

struct NoForward : nn::Module64 {};

std::vector<std::string> names_of(const std::vector<std::pair<std::string, Tensor64>>& named) {
  std::vector<std::string> out;
  for (const auto& p : named) out.push_back(p.first);
  return out;
}

template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "no std::invalid_argument";
}

}  // namespace

TEST_CASE("Module: named_parameters lists dotted names in registration order", "[nn][module]") {
  Generator gen(1);
  Net net(gen);
  const auto named = net.named_parameters();
  REQUIRE(names_of(named) == std::vector<std::string>{"fc1.weight", "fc1.bias", "fc2.weight"});
  CHECK(named[0].second.shape() == Shape{4, 3});
  CHECK(named[1].second.shape() == Shape{4});
  CHECK(named[2].second.shape() == Shape{1, 4});
  // The handles share the layers' nodes.
  CHECK(named[0].second.node() == net.fc1->weight().node());
  const auto params = net.parameters();
  REQUIRE(params.size() == 3);
  CHECK(params[2].node() == net.fc2->weight().node());
  for (const auto& p : params) CHECK(p.requires_grad());
  CHECK(net.num_parameters() == 12 + 4 + 4);
  CHECK(net.parameters(/*recurse=*/false).empty());
}

TEST_CASE("Module: own parameters come before the children's, recursively", "[nn][module]") {
  Generator gen(2);
  Block block(gen);
  CHECK(names_of(block.named_parameters()) ==
        std::vector<std::string>{"scale", "net.fc1.weight", "net.fc1.bias", "net.fc2.weight"});
  CHECK(names_of(block.named_parameters(false)) == std::vector<std::string>{"scale"});
  const auto modules = block.named_modules();
  REQUIRE(modules.size() == 3);
  CHECK(modules[0].first == "net");
  CHECK(modules[1].first == "net.fc1");
  CHECK(modules[2].first == "net.fc2");
  CHECK(modules[1].second.get() == block.net->fc1.get());
  const auto children = block.named_children();
  REQUIRE(children.size() == 1);
  CHECK(children[0].first == "net");
  CHECK(block.children().at(0).get() == block.net.get());
  CHECK(block.num_parameters() == 1 + 20);
}

TEST_CASE("Module: parameter(name) finds dotted names and returns the registered handle",
          "[nn][module]") {
  Generator gen(3);
  Block block(gen);
  CHECK(block.parameter("scale").node() == block.scale.node());
  Tensor64& w = block.parameter("net.fc1.weight");
  CHECK(w.node() == block.net->fc1->weight().node());
  w.mutable_value().fill(0.5);
  CHECK(block.net->fc1->weight().value()(2, 1) == 0.5);
  const Block& cblock = block;
  CHECK(cblock.parameter("net.fc2.weight").shape() == Shape{1, 4});
  CHECK_THROWS_WITH(block.parameter("net.fc3.weight"),
                    Catch::Contains("net.fc3.weight") && Catch::Contains("fc3"));
  CHECK_THROWS_AS(block.parameter("net.fc1.wieght"), std::invalid_argument);
  CHECK_THROWS_AS(block.parameter(""), std::invalid_argument);
}

TEST_CASE("Module: bad or duplicate names throw naming them", "[nn][module]") {
  Generator gen(4);
  Net net(gen);
  CHECK_THAT(error_of([&] { net.register_parameter("fc1", zeros<double>({2})); }),
             Catch::Contains("register_parameter") && Catch::Contains("'fc1'"));
  CHECK_THAT(error_of([&] { net.register_module("fc2", std::make_shared<nn::Sigmoid64>()); }),
             Catch::Contains("register_module") && Catch::Contains("'fc2'"));
  net.register_parameter("extra", zeros<double>({2}));
  CHECK_THAT(error_of([&] { net.register_parameter("extra", zeros<double>({2})); }),
             Catch::Contains("'extra' is already a parameter"));
  CHECK_THAT(error_of([&] { net.register_parameter("a.b", zeros<double>({2})); }),
             Catch::Contains("'a.b'") && Catch::Contains("'.'"));
  CHECK_THAT(error_of([&] { net.register_module("x.y", std::make_shared<nn::Tanh64>()); }),
             Catch::Contains("'x.y'"));
  CHECK_THAT(error_of([&] { net.register_parameter("", zeros<double>({2})); }),
             Catch::Contains("empty"));
  CHECK_THAT(error_of([&] { net.register_module("null", std::shared_ptr<nn::Tanh64>()); }),
             Catch::Contains("'null'") && Catch::Contains("null"));
  CHECK_THAT(error_of([&] { net.register_parameter("undef", Tensor64()); }),
             Catch::Contains("'undef'") && Catch::Contains("undefined"));
  // A parameter must be a leaf.
  Tensor64 a(make({1, 2}, {2}), true);
  CHECK_THAT(error_of([&] { net.register_parameter("sum", a + a); }),
             Catch::Contains("'sum'") && Catch::Contains("not a leaf") && Catch::Contains("add"));
  // The failed registrations left nothing behind.
  CHECK(net.named_parameters().size() == 4);
}

TEST_CASE("Module: registering a module inside itself or its descendants throws", "[nn][module]") {
  auto outer = std::make_shared<nn::Sequential64>();
  auto inner = std::make_shared<nn::Sequential64>();
  outer->push_back(inner);
  CHECK_THROWS_WITH(inner->register_module("loop", outer), Catch::Contains("own descendant"));
  CHECK_THROWS_AS(outer->register_module("self", outer), std::invalid_argument);
}

TEST_CASE("Module: register_parameter sets requires_grad and returns the handle", "[nn][module]") {
  nn::Module64 m;
  Tensor64 t = zeros<double>({2, 2});
  Tensor64 p = m.register_parameter("w", t);
  CHECK(p.node() == t.node());
  CHECK(t.requires_grad());
  Tensor64 frozen = m.register_parameter("frozen", zeros<double>({3}), /*requires_grad=*/false);
  CHECK_FALSE(frozen.requires_grad());
  CHECK(m.parameters().size() == 2);
  CHECK(m.num_parameters() == 7);
}

TEST_CASE("Module: a layer registered twice is listed and counted once", "[nn][module]") {
  Generator gen(5);
  auto shared = std::make_shared<nn::Linear64>(2, 2, gen);
  nn::Sequential64 seq{shared, std::make_shared<nn::Tanh64>(), shared};
  CHECK(names_of(seq.named_parameters()) == std::vector<std::string>{"0.weight", "0.bias"});
  CHECK(seq.num_parameters() == 6);
  CHECK(seq.named_modules().size() == 2);  // "0" and "1"; "2" is the same module as "0"
}

TEST_CASE("Module: train() and eval() are recursive", "[nn][module]") {
  Generator gen(6);
  Block block(gen);
  CHECK(block.is_training());
  CHECK(block.net->fc1->is_training());
  block.eval();
  CHECK_FALSE(block.is_training());
  CHECK_FALSE(block.net->is_training());
  CHECK_FALSE(block.net->fc2->is_training());
  block.net->train();
  CHECK_FALSE(block.is_training());
  CHECK(block.net->fc1->is_training());
  block.train(true);
  CHECK(block.net->fc2->is_training());
}

TEST_CASE("Module: zero_grad drops every parameter's gradient", "[nn][module]") {
  Generator gen(7);
  Block block(gen);
  Tensor64 x(make({1, 2, 3, 4, 5, 6}, {2, 3}));
  sum(block.forward(x)).backward();
  for (const auto& p : block.parameters()) CHECK(p.has_grad());
  block.zero_grad();
  for (const auto& p : block.parameters()) CHECK_FALSE(p.has_grad());
}

TEST_CASE("Module: forward without an override throws naming the type", "[nn][module]") {
  NoForward m;
  CHECK_THROWS_AS(m.forward(zeros<double>({1})), std::logic_error);
  CHECK_THROWS_WITH(m(zeros<double>({1})),
                    Catch::Contains("NoForward") && Catch::Contains("forward"));
}

TEST_CASE("Module: summary has one line per module and the parameter count", "[nn][module]") {
  Generator gen(8);
  Net net(gen);
  const std::string expected =
      "Net\n"
      "  fc1: Linear(in_features=3, out_features=4, bias=true)  weight (4,3)  bias (4,)\n"
      "  fc2: Linear(in_features=4, out_features=1, bias=false)  weight (1,4)\n"
      "Total parameters: 20\n";
  CHECK(net.summary() == expected);
  std::ostringstream os;
  os << net;
  CHECK(os.str() == expected);

  Block block(gen);
  CHECK(block.summary() ==
        "Block  scale (1,)\n"
        "  net: Net\n"
        "    fc1: Linear(in_features=3, out_features=4, bias=true)  weight (4,3)  bias (4,)\n"
        "    fc2: Linear(in_features=4, out_features=1, bias=false)  weight (1,4)\n"
        "Total parameters: 21\n");

  nn::Sequential seq{std::make_shared<nn::Linear>(3, 4, gen), std::make_shared<nn::Sigmoid>(),
                     std::make_shared<nn::Dropout>(0.25, 1), std::make_shared<nn::LeakyReLU>(0.2),
                     std::make_shared<nn::Softmax>(-1)};
  CHECK(seq.summary() ==
        "Sequential\n"
        "  0: Linear(in_features=3, out_features=4, bias=true)  weight (4,3)  bias (4,)\n"
        "  1: Sigmoid\n"
        "  2: Dropout(p=0.25)\n"
        "  3: LeakyReLU(negative_slope=0.2)\n"
        "  4: Softmax(axis=-1)\n"
        "Total parameters: 16\n");
}

TEST_CASE("Module: a user-defined module works inside a Sequential", "[nn][module][sequential]") {
  Generator gen(9);
  auto net = std::make_shared<Net>(gen);
  nn::Sequential64 seq{net, std::make_shared<nn::Sigmoid64>()};
  CHECK(names_of(seq.named_parameters()) ==
        std::vector<std::string>{"0.fc1.weight", "0.fc1.bias", "0.fc2.weight"});
  const auto params = seq.parameters();
  REQUIRE(params.size() == 3);
  CHECK(params[0].node() == net->fc1->weight().node());
  CHECK(params[1].node() == net->fc1->bias().node());
  CHECK(params[2].node() == net->fc2->weight().node());

  Tensor64 x(make({0, 0, 1, 0, 1, 1}, {2, 3}));
  const Tensor64 y = seq.forward(x);
  const Tensor64 expected = sigmoid(net->forward(x));
  REQUIRE(y.shape() == Shape{2, 1});
  CHECK(test::all_close(y.value(), expected.value(), 0.0));

  // Gradients reach the user module's layers through the Sequential.
  sum(y).backward();
  for (const auto& p : seq.parameters()) CHECK(p.has_grad());
}
