// SPDX-License-Identifier: MIT
// examples/tutorial.cpp again, written with the nn and optim modules instead of raw tensors:
// a Sequential of Linear(3,4) -> Sigmoid -> Linear(4,1) -> Sigmoid without biases, the
// sum-of-squares loss and plain SGD with learning rate 1, in double precision. The initial
// weights are drawn exactly as examples/tutorial draws them, so with the same --seed both print
// the same predictions.
#include <cmath>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <xgrad/xgrad.hpp>
#include <xtensor/xmanipulation.hpp>

#include "predictions.hpp"
#include "progress.hpp"

int main(int argc, char** argv) {
  CLI::App app{"Train the tutorial's 2-layer sigmoid network with nn::Sequential and optim::SGD"};
  std::uint64_t seed = 3;  // the same default as examples/tutorial
  int iterations = 1500;
  double lr = 1.0;
  std::string loss_csv;
  int print_every = 100;
  double max_error = 0.05;
  app.add_option("--seed", seed, "seed of the Generator that draws the initial weights")
      ->capture_default_str();
  app.add_option("--iterations", iterations, "gradient-descent steps")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app.add_option("--lr", lr, "learning rate")->capture_default_str();
  app.add_option("--loss-csv", loss_csv, "write the loss history (iteration,loss) to this file");
  app.add_option("--print-every", print_every,
                 "when stdout is not a terminal, print a line every N iterations (0: last only)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app.add_option("--max-error", max_error,
                 "exit with 1 if a prediction is further than this from its target (0: no check)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  CLI11_PARSE(app, argc, argv);

  namespace nn = xgrad::nn;
  using xgrad::Tensor64;

  const Tensor64 x(
      xt::xarray<double>{{0.0, 0.0, 1.0}, {0.0, 1.0, 1.0}, {1.0, 0.0, 1.0}, {1.0, 1.0, 1.0}});
  xt::xarray<double> targets = {0.0, 1.0, 1.0, 0.0};
  targets.reshape({4, 1});  // a braced (4,1) literal is ambiguous for xtensor's constructors
  const Tensor64 y(targets);

  auto fc1 = std::make_shared<nn::Linear64>(3, 4, /*with_bias=*/false);
  auto fc2 = std::make_shared<nn::Linear64>(4, 1, /*with_bias=*/false);
  nn::Sequential64 model(fc1, std::make_shared<nn::Sigmoid64>(), fc2,
                         std::make_shared<nn::Sigmoid64>());
  {
    // The tutorial's weights1 (3,4) and weights2 (4,1), drawn in the same order from the same
    // seed; a Linear stores W with shape (out, in) and computes x W^T, so copy them transposed.
    xgrad::Generator gen(seed);
    const xt::xarray<double> w1 = xgrad::rand<double>({3, 4}, gen).value();
    const xt::xarray<double> w2 = xgrad::rand<double>({4, 1}, gen).value();
    nn::init::copy_(fc1->weight(), xt::xarray<double>(xt::transpose(w1)));
    nn::init::copy_(fc2->weight(), xt::xarray<double>(xt::transpose(w2)));
  }
  std::printf("%s\n", model.summary().c_str());

  xgrad::optim::SGD64 optimizer(model.parameters(), xgrad::optim::SGDOptions(lr));
  std::vector<double> history;
  history.reserve(static_cast<std::size_t>(iterations) + 1);
  examples::Progress progress("iteration", iterations, print_every);
  for (int i = 0; i < iterations; ++i) {
    const Tensor64 loss = xgrad::sse_loss(model(x), y);
    optimizer.zero_grad();
    loss.backward();
    optimizer.step();
    history.push_back(loss.item());
    progress.step(i, examples::format("loss %.6f", loss.item()));
  }
  progress.done();
  const double seconds = progress.seconds();

  Tensor64 output;
  {
    xgrad::NoGradGuard no_grad;
    output = model(x);
    history.push_back(xgrad::sse_loss(output, y).item());
  }
  std::printf("final loss %.6f after %d iterations in %.2f ms (%.2f us per iteration)\n\n",
              history.back(), iterations, seconds * 1e3,
              iterations > 0 ? seconds * 1e6 / iterations : 0.0);
  const int wrong = examples::report_predictions(output.value(), y.value(), max_error);
  if (!examples::write_loss_csv(loss_csv, "iteration", history)) return 1;
  return wrong == 0 ? 0 : 1;
}
