// SPDX-License-Identifier: MIT
// Two interleaved spirals: a user-defined module (a ReLU MLP with three Linear layers), trained
// with mini-batches from a LabeledDataLoader, Adam and the cross-entropy loss; then the held-out
// accuracy, and a save/load round trip through an .npz file.
//
//   spirals                      # 1000 points, 80/20 split, prints the held-out accuracy
//   spirals --classes 3 --epochs 200 --loss-csv spirals_loss.csv
//
// Exits non-zero if the held-out accuracy is below --min-accuracy, or if the reloaded model
// does not predict exactly what the trained one does.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <xgrad/xgrad.hpp>

#include "progress.hpp"

namespace {

/// The classifier: 2 inputs -> hidden -> hidden -> classes scores (logits), ReLU in between.
/// Registering the layers gives them the names fc1, fc2, fc3: their parameters are saved as
/// "fc1.weight", "fc1.bias", ... and parameters() hands all six to the optimizer.
struct Net : xgrad::nn::Module {
  Net(std::int64_t hidden, std::int64_t classes, xgrad::Generator& gen) {
    fc1 = register_module("fc1", std::make_shared<xgrad::nn::Linear>(2, hidden, gen));
    fc2 = register_module("fc2", std::make_shared<xgrad::nn::Linear>(hidden, hidden, gen));
    fc3 = register_module("fc3", std::make_shared<xgrad::nn::Linear>(hidden, classes, gen));
  }

  xgrad::Tensor forward(const xgrad::Tensor& x) override {
    xgrad::Tensor h = xgrad::relu(fc1->forward(x));
    h = xgrad::relu(fc2->forward(h));
    return fc3->forward(h);
  }

  std::shared_ptr<xgrad::nn::Linear> fc1, fc2, fc3;
};

struct Dataset {
  xt::xarray<float> points;         // (n, 2)
  std::vector<std::size_t> labels;  // n class indices
};

/// `n` points on `classes` interleaved spiral arms of `turns` turns inside the unit disc, with
/// Gaussian noise of standard deviation `noise`; point i belongs to arm i % classes.
Dataset make_spirals(std::size_t n, std::size_t classes, double turns, double noise,
                     xgrad::Generator& gen) {
  constexpr double kTwoPi = 6.283185307179586;
  Dataset d{xt::xarray<float>::from_shape({n, 2}), std::vector<std::size_t>(n)};
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t c = i % classes;
    const double r = std::sqrt(gen.uniform());  // about uniform density along the arms
    const double angle =
        r * turns * kTwoPi + kTwoPi * static_cast<double>(c) / static_cast<double>(classes);
    d.points(i, 0) = static_cast<float>(r * std::cos(angle) + noise * gen.normal());
    d.points(i, 1) = static_cast<float>(r * std::sin(angle) + noise * gen.normal());
    d.labels[i] = c;
  }
  return d;
}

/// Rows [begin, end) of a dataset.
Dataset rows(const Dataset& d, std::size_t begin, std::size_t end) {
  Dataset out{xt::xarray<float>::from_shape({end - begin, 2}),
              std::vector<std::size_t>(d.labels.begin() + static_cast<std::ptrdiff_t>(begin),
                                       d.labels.begin() + static_cast<std::ptrdiff_t>(end))};
  for (std::size_t i = begin; i < end; ++i) {
    out.points(i - begin, 0) = d.points(i, 0);
    out.points(i - begin, 1) = d.points(i, 1);
  }
  return out;
}

/// How many rows of `logits` (n, classes) have their largest score at the label.
std::size_t count_correct(const xgrad::Tensor& logits, const std::vector<std::size_t>& labels) {
  const xt::xarray<std::int64_t> predicted = xgrad::argmax(logits, 1);
  std::size_t correct = 0;
  for (std::size_t i = 0; i < labels.size(); ++i)
    correct += static_cast<std::size_t>(predicted(i)) == labels[i] ? 1 : 0;
  return correct;
}

/// A coarse picture of the decision regions on [-1.2, 1.2]^2 (one digit per class).
void print_regions(Net& net, std::size_t size) {
  auto grid = xt::xarray<float>::from_shape({size * size, 2});
  for (std::size_t r = 0; r < size; ++r) {
    for (std::size_t c = 0; c < size; ++c) {
      grid(r * size + c, 0) = static_cast<float>(-1.2 + 2.4 * (static_cast<double>(c) + 0.5) /
                                                            static_cast<double>(size));
      grid(r * size + c, 1) = static_cast<float>(1.2 - 2.4 * (static_cast<double>(r) + 0.5) /
                                                           static_cast<double>(size));
    }
  }
  const xt::xarray<std::int64_t> cls = xgrad::argmax(net(xgrad::Tensor(grid)), 1);
  for (std::size_t r = 0; r < size; ++r) {
    std::string line;
    for (std::size_t c = 0; c < size; ++c) line += static_cast<char>('0' + cls(r * size + c));
    std::printf("  %s\n", line.c_str());
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Classify two (or more) interleaved spirals with a user-defined MLP module"};
  std::uint64_t seed = 1;
  std::size_t points = 1000;
  std::size_t classes = 2;
  double turns = 1.5;
  double noise = 0.03;
  double train_fraction = 0.8;
  std::int64_t hidden = 64;
  int epochs = 100;
  std::size_t batch_size = 32;
  double lr = 0.01;
  double min_accuracy = 0.97;
  std::string model_path = "spirals_model.npz";
  std::string loss_csv;
  int print_every = 20;
  bool show_regions = false;
  app.add_option("--seed", seed, "seed of the data, the initial weights and the shuffling")
      ->capture_default_str();
  app.add_option("--points", points, "number of points (all classes)")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{10}, std::size_t{10000000}));
  app.add_option("--classes", classes, "number of spiral arms (classes)")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{2}, std::size_t{9}));
  app.add_option("--turns", turns, "turns of each arm")->capture_default_str();
  app.add_option("--noise", noise, "standard deviation of the noise added to each coordinate")
      ->capture_default_str();
  app.add_option("--train-fraction", train_fraction, "fraction of the points used for training")
      ->capture_default_str()
      ->check(CLI::Range(0.1, 0.95));
  app.add_option("--hidden", hidden, "units in each hidden layer")
      ->capture_default_str()
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{1000000000}));
  app.add_option("--epochs", epochs, "passes over the training set")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000000000));
  app.add_option("--batch-size", batch_size, "samples per mini-batch")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, std::size_t{1000000000}));
  app.add_option("--lr", lr, "Adam learning rate")->capture_default_str();
  app.add_option("--min-accuracy", min_accuracy, "exit with 1 if the held-out accuracy is lower")
      ->capture_default_str();
  app.add_option("--model", model_path, "where to save the trained weights (.npz)")
      ->capture_default_str();
  app.add_option("--loss-csv", loss_csv, "write the mean training loss per epoch (epoch,loss)");
  app.add_option("--print-every", print_every,
                 "when stdout is not a terminal, print a line every N epochs (0: last only)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app.add_flag("--show-regions", show_regions, "draw the decision regions as text");
  CLI11_PARSE(app, argc, argv);

  xgrad::Generator gen(seed);
  const Dataset all = make_spirals(points, classes, turns, noise, gen);
  const auto n_train = static_cast<std::size_t>(train_fraction * static_cast<double>(points));
  const Dataset train = rows(all, 0, n_train);
  const Dataset test = rows(all, n_train, points);
  std::printf("%zu points on %zu spirals: %zu for training, %zu held out\n", points, classes,
              train.labels.size(), test.labels.size());

  Net net(hidden, static_cast<std::int64_t>(classes), gen);
  std::printf("%s\n", net.summary().c_str());
  xgrad::optim::Adam optimizer(net.parameters(), xgrad::optim::AdamOptions(lr));
  xgrad::data::LoaderOptions loader_options;
  loader_options.batch_size = batch_size;
  loader_options.shuffle = true;
  xgrad::data::LabeledDataLoader<float> loader(train.points, train.labels, loader_options, &gen);

  std::vector<double> history;
  examples::Progress progress("epoch", epochs, print_every);
  net.train();
  for (int epoch = 0; epoch < epochs; ++epoch) {
    double loss_sum = 0.0;
    std::size_t correct = 0;
    for (const auto& [inputs, labels] : loader) {
      const xgrad::Tensor logits = net(inputs);
      const xgrad::Tensor loss = xgrad::cross_entropy(logits, labels);
      optimizer.zero_grad();
      loss.backward();
      optimizer.step();
      loss_sum += loss.item() * static_cast<double>(labels.size());
      correct += count_correct(logits, labels);
    }
    const double n = static_cast<double>(loader.num_samples());
    history.push_back(loss_sum / n);
    progress.step(epoch, examples::format("loss %.4f  train accuracy %.3f", history.back(),
                                          static_cast<double>(correct) / n));
  }
  progress.done();
  const double seconds = progress.seconds();

  net.eval();
  xgrad::NoGradGuard no_grad;
  const xgrad::Tensor test_inputs(test.points);
  const xgrad::Tensor test_logits = net(test_inputs);
  const double accuracy = static_cast<double>(count_correct(test_logits, test.labels)) /
                          static_cast<double>(test.labels.size());
  std::printf("trained %d epochs in %.2f s; held-out accuracy %.4f (%zu points)\n", epochs, seconds,
              accuracy, test.labels.size());
  if (show_regions) print_regions(net, 40);

  // Save the weights, load them into a freshly initialised network, compare the outputs.
  bool identical = false;
  try {
    xgrad::save(net, model_path);
    xgrad::Generator other(seed + 1);
    Net reloaded(hidden, static_cast<std::int64_t>(classes), other);
    xgrad::load(reloaded, model_path);
    reloaded.eval();
    const xgrad::Tensor all_inputs(all.points);
    identical = net(all_inputs).value() == reloaded(all_inputs).value();
    std::printf("saved %s; reloaded model: %s predictions on %zu points\n", model_path.c_str(),
                identical ? "identical" : "DIFFERENT", all.labels.size());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }

  if (!examples::write_loss_csv(loss_csv, "epoch", history)) return 1;
  if (accuracy < min_accuracy) {
    std::fprintf(stderr, "error: held-out accuracy %.4f is below %.4f\n", accuracy, min_accuracy);
    return 1;
  }
  return identical ? 0 : 1;
}
