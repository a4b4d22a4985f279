// SPDX-License-Identifier: MIT
// Fit y = sin(x) on [-pi, pi] with a small Tanh MLP built as an nn::Sequential, the mean-squared
// error, Adam and a StepLR schedule, from noiseless samples at random x; then report the MSE on an
// evenly spaced held-out grid. Exits non-zero if that MSE is above --max-mse.
//
//   regression                          # 256 training points, 32 tanh units, 400 epochs
//   regression --hidden 64 --loss-csv regression_loss.csv
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <xgrad/xgrad.hpp>

#include "progress.hpp"

namespace {

constexpr double kPi = 3.141592653589793;

/// Column vectors x (n,1) and sin(x) (n,1).
struct Samples {
  xt::xarray<float> x;
  xt::xarray<float> y;
};

Samples make_samples(const std::vector<double>& xs) {
  Samples s{xt::xarray<float>::from_shape({xs.size(), 1}),
            xt::xarray<float>::from_shape({xs.size(), 1})};
  for (std::size_t i = 0; i < xs.size(); ++i) {
    s.x(i, 0) = static_cast<float>(xs[i]);
    s.y(i, 0) = static_cast<float>(std::sin(xs[i]));
  }
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Fit sin(x) on [-pi, pi] with a Tanh MLP (nn::Sequential, mse_loss, Adam)"};
  std::uint64_t seed = 7;
  std::size_t train_points = 256;
  std::size_t test_points = 201;
  std::int64_t hidden = 32;
  int epochs = 400;
  std::size_t batch_size = 32;
  double lr = 0.01;
  std::int64_t lr_step = 100;
  double max_mse = 1e-3;
  std::string loss_csv;
  int print_every = 50;
  app.add_option("--seed", seed, "seed of the training x, the initial weights and the shuffling")
      ->capture_default_str();
  app.add_option("--train-points", train_points, "training samples, x uniform in [-pi, pi]")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, std::size_t{1000000000}));
  app.add_option("--test-points", test_points, "held-out grid points, evenly spaced")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{2}, std::size_t{10000000}));
  app.add_option("--hidden", hidden, "units in each of the two hidden layers")
      ->capture_default_str()
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{1000000000}));
  app.add_option("--epochs", epochs, "passes over the training set")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000000000));
  app.add_option("--batch-size", batch_size, "samples per mini-batch")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, std::size_t{1000000000}));
  app.add_option("--lr", lr, "Adam learning rate")->capture_default_str();
  app.add_option("--lr-step", lr_step, "halve the learning rate every N epochs (StepLR)")
      ->capture_default_str()
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{1000000000}));
  app.add_option("--max-mse", max_mse, "exit with 1 if the held-out MSE is larger")
      ->capture_default_str();
  app.add_option("--loss-csv", loss_csv, "write the mean training loss per epoch (epoch,loss)");
  app.add_option("--print-every", print_every,
                 "when stdout is not a terminal, print a line every N epochs (0: last only)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  CLI11_PARSE(app, argc, argv);

  namespace nn = xgrad::nn;
  xgrad::Generator gen(seed);
  std::vector<double> xs(train_points);
  for (double& x : xs) x = -kPi + 2.0 * kPi * gen.uniform();
  const Samples train = make_samples(xs);
  std::vector<double> grid(test_points);
  for (std::size_t i = 0; i < test_points; ++i)
    grid[i] = -kPi + 2.0 * kPi * static_cast<double>(i) / static_cast<double>(test_points - 1);
  const Samples test = make_samples(grid);

  // 1 -> hidden -> hidden -> 1; the layers are named "0", "2", "4" (Tanh has no parameters).
  nn::Sequential model(std::make_shared<nn::Linear>(1, hidden, gen), std::make_shared<nn::Tanh>(),
                       std::make_shared<nn::Linear>(hidden, hidden, gen),
                       std::make_shared<nn::Tanh>(), std::make_shared<nn::Linear>(hidden, 1, gen));
  std::printf("%s\n", model.summary().c_str());

  xgrad::optim::Adam optimizer(model.parameters(), xgrad::optim::AdamOptions(lr));
  xgrad::optim::StepLR scheduler(optimizer, lr_step, /*gamma=*/0.5);
  xgrad::data::LoaderOptions loader_options;
  loader_options.batch_size = batch_size;
  loader_options.shuffle = true;
  xgrad::data::DataLoader<float> loader(train.x, train.y, loader_options, &gen);

  std::vector<double> history;
  examples::Progress progress("epoch", epochs, print_every);
  for (int epoch = 0; epoch < epochs; ++epoch) {
    double loss_sum = 0.0;
    for (const auto& [inputs, targets] : loader) {
      const xgrad::Tensor loss = xgrad::mse_loss(model(inputs), targets);
      optimizer.zero_grad();
      loss.backward();
      optimizer.step();
      loss_sum += loss.item() * static_cast<double>(inputs.shape()[0]);
    }
    history.push_back(loss_sum / static_cast<double>(loader.num_samples()));
    progress.step(epoch, examples::format("loss %.3e  lr %.2e", history.back(), optimizer.lr()));
    scheduler.step();
  }
  progress.done();
  const double seconds = progress.seconds();

  xgrad::NoGradGuard no_grad;
  const xgrad::Tensor prediction = model(xgrad::Tensor(test.x));
  const double test_mse = xgrad::mse_loss(prediction, xgrad::Tensor(test.y)).item();
  std::printf("trained %d epochs in %.2f s; held-out MSE %.3e on %zu grid points\n\n", epochs,
              seconds, test_mse, test_points);
  std::printf("%8s %10s %10s\n", "x", "sin(x)", "model");
  for (std::size_t k = 0; k <= 8; ++k) {
    const std::size_t i = k * (test_points - 1) / 8;
    std::printf("%8.4f %10.6f %10.6f\n", static_cast<double>(test.x(i, 0)),
                static_cast<double>(test.y(i, 0)), static_cast<double>(prediction.value()(i, 0)));
  }

  if (!examples::write_loss_csv(loss_csv, "epoch", history)) return 1;
  if (!(test_mse <= max_mse)) {
    std::fprintf(stderr, "error: held-out MSE %.3e is above %.3e\n", test_mse, max_mse);
    return 1;
  }
  return 0;
}
