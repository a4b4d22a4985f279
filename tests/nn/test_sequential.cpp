// SPDX-License-Identifier: MIT
// Sequential: naming, chaining, gradients, and the tutorial's network rebuilt from modules.
#include <xtensor/xmanipulation.hpp>

#include <xgrad/nn/activation.hpp>
#include <xgrad/nn/init.hpp>
#include <xgrad/nn/linear.hpp>
#include <xgrad/nn/sequential.hpp>
#include <xgrad/optim/sgd.hpp>

#include "support/helpers.hpp"

using namespace xgrad;
using test::make;

TEST_CASE("Sequential: children are named 0, 1, ... and forward chains them", "[nn][sequential]") {
  Generator gen(1);
  auto fc1 = std::make_shared<nn::Linear64>(3, 4, gen);
  auto fc2 = std::make_shared<nn::Linear64>(4, 2, gen);
  nn::Sequential64 seq{fc1, std::make_shared<nn::Tanh64>()};
  auto back = seq.push_back(fc2);  // returns the typed handle
  CHECK(back.get() == fc2.get());
  CHECK(back->out_features() == 2);
  REQUIRE(seq.size() == 3);
  CHECK_FALSE(seq.empty());
  CHECK(seq[0].get() == fc1.get());
  CHECK(seq[2].get() == fc2.get());
  CHECK_THROWS_AS(seq[3], std::out_of_range);

  std::vector<std::string> names;
  for (const auto& p : seq.named_parameters()) names.push_back(p.first);
  CHECK(names == std::vector<std::string>{"0.weight", "0.bias", "2.weight", "2.bias"});
  CHECK(seq.num_parameters() == 16 + 10);

  Tensor64 x(test::uniform_array({5, 3}, gen, -1, 1));
  const Tensor64 y = seq.forward(x);
  REQUIRE(y.shape() == Shape{5, 2});
  CHECK(test::all_close(y.value(), fc2->forward(tanh(fc1->forward(x))).value(), 0.0));
}

TEST_CASE("Sequential: variadic construction works through make_shared", "[nn][sequential]") {
  Generator gen(2);
  auto seq = std::make_shared<nn::Sequential>(std::make_shared<nn::Linear>(2, 3, gen),
                                              std::make_shared<nn::ReLU>());
  CHECK(seq->size() == 2);
  CHECK(seq->forward(ones<float>({4, 2})).shape() == Shape{4, 3});
  // Nesting: a Sequential inside a Sequential gets dotted names.
  nn::Sequential outer{seq, std::make_shared<nn::Linear>(3, 1, gen)};
  std::vector<std::string> names;
  for (const auto& p : outer.named_parameters()) names.push_back(p.first);
  CHECK(names == std::vector<std::string>{"0.0.weight", "0.0.bias", "1.weight", "1.bias"});
  CHECK(outer.forward(ones<float>({4, 2})).shape() == Shape{4, 1});
}

TEST_CASE("Sequential: empty is the identity, and null modules throw", "[nn][sequential]") {
  nn::Sequential64 empty;
  CHECK(empty.empty());
  Tensor64 x(make({1, 2}, {2}));
  CHECK(empty.forward(x).node() == x.node());
  CHECK_THROWS_AS(empty.push_back(std::shared_ptr<nn::Module64>()), std::invalid_argument);
  CHECK_THROWS_AS((nn::Sequential64{std::make_shared<nn::Tanh64>(), nullptr}),
                  std::invalid_argument);
}

TEST_CASE("Sequential: MLP gradients over input and all parameters match finite differences",
          "[nn][sequential][gradcheck]") {
  Generator gen(3);
  nn::Sequential64 mlp{std::make_shared<nn::Linear64>(3, 5, gen), std::make_shared<nn::Tanh64>(),
                       std::make_shared<nn::Linear64>(5, 2, gen),
                       std::make_shared<nn::Sigmoid64>()};
  std::vector<Tensor64> inputs{Tensor64(test::uniform_array({4, 3}, gen, -1, 1), true)};
  for (const auto& p : mlp.parameters()) inputs.push_back(p);
  REQUIRE(inputs.size() == 5);
  const auto r =
      gradcheck([&](const std::vector<Tensor64>& in) { return mlp.forward(in[0]); }, inputs);
  INFO(r.report);
  CHECK(r.ok);
}

TEST_CASE("Sequential: Linear layers without bias reproduce the tutorial's training",
          "[nn][sequential][tutorial]") {
  const Tensor64 x(make({0, 0, 1, 0, 1, 1, 1, 0, 1, 1, 1, 1}, {4, 3}));
  const Tensor64 y(make({0, 1, 1, 0}, {4, 1}));
  // The tutorial's weights, drawn as examples/tutorial.cpp does.
  Generator gen(3);
  const xt::xarray<double> w1 = rand<double>({3, 4}, gen).value();
  const xt::xarray<double> w2 = rand<double>({4, 1}, gen).value();

  Generator unused(0);
  auto fc1 = std::make_shared<nn::Linear64>(3, 4, /*with_bias=*/false, unused);
  auto fc2 = std::make_shared<nn::Linear64>(4, 1, /*with_bias=*/false, unused);
  // The tutorial multiplies x (4,3) by weights (in, out); Linear stores (out, in).
  nn::init::copy_(fc1->weight(), xt::xarray<double>(xt::transpose(w1)));
  nn::init::copy_(fc2->weight(), xt::xarray<double>(xt::transpose(w2)));
  nn::Sequential64 model{fc1, std::make_shared<nn::Sigmoid64>(), fc2,
                         std::make_shared<nn::Sigmoid64>()};
  optim::SGD64 opt(model.parameters(), optim::SGDOptions(1.0));

  // The reference: the tutorial's loop on plain tensors.
  Tensor64 r1(w1, true), r2(w2, true);
  Tensor64 out, ref_out;
  for (int i = 0; i < 1500; ++i) {
    opt.zero_grad();
    out = model.forward(x);
    const Tensor64 loss = sse_loss(out, y);
    loss.backward();
    opt.step();

    ref_out = sigmoid(matmul(sigmoid(matmul(x, r1)), r2));
    const Tensor64 ref_loss = sse_loss(ref_out, y);
    ref_loss.backward();
    r1.mutable_value() -= r1.grad();
    r2.mutable_value() -= r2.grad();
    r1.zero_grad();
    r2.zero_grad();
    if (i % 100 == 0) REQUIRE(loss.item() == Approx(ref_loss.item()).epsilon(1e-12));
  }
  CHECK(test::all_close(out.value(), ref_out.value(), 1e-12));
  CHECK(
      test::all_close(fc1->weight().value(), xt::xarray<double>(xt::transpose(r1.value())), 1e-10));
  const auto& p = out.value();
  CHECK(p(0, 0) < 0.1);
  CHECK(p(1, 0) > 0.9);
  CHECK(p(2, 0) > 0.9);
  CHECK(p(3, 0) < 0.1);
}
