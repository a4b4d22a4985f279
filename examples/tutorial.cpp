// SPDX-License-Identifier: MIT
// The network of "How to build your own neural network from scratch in Python": 3 inputs, a
// hidden layer of 4 sigmoid units, 1 sigmoid output, no biases, sum-of-squares loss, 1500
// steps of gradient descent with learning rate 1, in double precision. The tutorial derives
// the gradients by hand; here they come from backward() through generic ops.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <xgrad/xgrad.hpp>

#include "predictions.hpp"

int main(int argc, char** argv) {
  CLI::App app{"Train the tutorial's 2-layer sigmoid network with xgrad autodiff"};
  std::uint64_t seed = 3;  // predictions close to the tutorial's 0.023 / 0.979 / 0.975 / 0.025
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
  app.add_option("--print-every", print_every, "print the loss every N iterations (0: never)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app.add_option("--max-error", max_error,
                 "exit with 1 if a prediction is further than this from its target (0: no check)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  CLI11_PARSE(app, argc, argv);

  using xgrad::Tensor64;
  const Tensor64 x(
      xt::xarray<double>{{0.0, 0.0, 1.0}, {0.0, 1.0, 1.0}, {1.0, 0.0, 1.0}, {1.0, 1.0, 1.0}});
  xt::xarray<double> targets = {0.0, 1.0, 1.0, 0.0};
  targets.reshape({4, 1});  // a braced (4,1) literal is ambiguous for xtensor's constructors
  const Tensor64 y(targets);
  xgrad::Generator gen(seed);
  Tensor64 weights1 = xgrad::rand<double>({3, 4}, gen, /*requires_grad=*/true);
  Tensor64 weights2 = xgrad::rand<double>({4, 1}, gen, /*requires_grad=*/true);

  std::vector<double> history;
  history.reserve(static_cast<std::size_t>(iterations) + 1);
  Tensor64 output;
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < iterations; ++i) {
    const Tensor64 layer1 = xgrad::sigmoid(xgrad::matmul(x, weights1));
    output = xgrad::sigmoid(xgrad::matmul(layer1, weights2));
    const Tensor64 loss = xgrad::sse_loss(output, y);
    loss.backward();
    history.push_back(loss.item());
    if (print_every > 0 && i % print_every == 0) {
      std::printf("iteration %5d  loss %.6f\n", i, loss.item());
    }
    // The tutorial's `weights += d_weights`, where d_weights is minus the gradient.
    weights1.mutable_value() -= lr * weights1.grad();
    weights2.mutable_value() -= lr * weights2.grad();
    weights1.zero_grad();
    weights2.zero_grad();
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  // Final predictions with the trained weights.
  {
    xgrad::NoGradGuard no_grad;
    output = xgrad::sigmoid(xgrad::matmul(xgrad::sigmoid(xgrad::matmul(x, weights1)), weights2));
    const double final_loss = xgrad::sse_loss(output, y).item();
    history.push_back(final_loss);
    std::printf("iteration %5d  loss %.6f  (final)\n", iterations, final_loss);
  }
  bool monotone = true;
  for (std::size_t i = 1; i < history.size(); ++i)
    monotone = monotone && history[i] <= history[i - 1];
  std::printf("\ntrained %d iterations in %.2f ms (%.2f us per iteration); loss %s\n\n", iterations,
              seconds * 1e3, iterations > 0 ? seconds * 1e6 / iterations : 0.0,
              monotone ? "never rose" : "ROSE at some step");
  const int wrong = examples::report_predictions(output.value(), y.value(), max_error);

  if (!loss_csv.empty()) {
    std::ofstream csv(loss_csv);
    csv << "iteration,loss\n";
    csv.precision(17);
    for (std::size_t i = 0; i < history.size(); ++i) csv << i << "," << history[i] << "\n";
    if (!csv) {
      std::fprintf(stderr, "error: cannot write %s\n", loss_csv.c_str());
      return 1;
    }
  }
  return wrong == 0 ? 0 : 1;
}
