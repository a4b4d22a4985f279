// SPDX-License-Identifier: MIT
// The tutorial network (4x3 input, 3-4-1 sigmoid, SSE, lr 1, float64) in xgrad:
//   BM_TutorialTraining   one whole training (1500 iterations) from the fixed initial weights
//                         of bench/compare/tutorial_weights.txt; its label carries the final
//                         predictions, which bench/compare/ checks against every other
//                         implementation (the floor, NumPy, PyTorch);
//   BM_TutorialIteration  one training iteration (forward, backward, optim::SGD step);
//   BM_OpChain            the chain of small ops that per-op overhead is made of (bench_ops
//                         has the op-overhead benchmarks the comparison reports).
#include <benchmark/benchmark.h>

#include <array>

#include <xgrad/xgrad.hpp>

#include "bench_support.hpp"
#include "tutorial_weights.hpp"

namespace {

using xgrad::Tensor64;
using xgrad_bench::kTutorialWeights;

xt::xarray<double> tutorial_x() {
  xt::xarray<double> x = xt::xarray<double>::from_shape({4, 3});
  for (std::size_t r = 0; r < 4; ++r)
    for (std::size_t c = 0; c < 3; ++c) x(r, c) = xgrad_bench::kTutorialX[r][c];
  return x;
}

xt::xarray<double> tutorial_y() {
  xt::xarray<double> y = xt::xarray<double>::from_shape({4, 1});
  for (std::size_t r = 0; r < 4; ++r) y(r, 0) = xgrad_bench::kTutorialY[r];
  return y;
}

/// The fixed initial weights: weights1 (3x4) and weights2 (4x1), as leaves that require grad.
std::array<Tensor64, 2> tutorial_weights() {
  xt::xarray<double> w1 = xt::xarray<double>::from_shape({3, 4});
  xt::xarray<double> w2 = xt::xarray<double>::from_shape({4, 1});
  for (std::size_t i = 0; i < 12; ++i) w1.flat(i) = kTutorialWeights[i];
  for (std::size_t i = 0; i < 4; ++i) w2.flat(i) = kTutorialWeights[12 + i];
  return {Tensor64(w1, true), Tensor64(w2, true)};
}

/// One iteration: the tutorial's `weights += d_weights` is `w -= lr * dL/dw` with L the sum
/// of squared errors, which is plain SGD with learning rate 1 (one in-place pass per weight).
void tutorial_step(const Tensor64& x, const Tensor64& y, xgrad::optim::SGD64& opt) {
  const auto& w = opt.parameters();
  const Tensor64 out = xgrad::sigmoid(xgrad::matmul(xgrad::sigmoid(xgrad::matmul(x, w[0])), w[1]));
  const Tensor64 loss = xgrad::sse_loss(out, y);
  opt.zero_grad();
  loss.backward();
  opt.step();
}

xgrad::optim::SGD64 tutorial_optimizer(const std::array<Tensor64, 2>& weights) {
  return xgrad::optim::SGD64({weights[0], weights[1]},
                             xgrad::optim::SGDOptions(xgrad_bench::kTutorialLr));
}

void BM_TutorialTraining(benchmark::State& state) {
  const Tensor64 x(tutorial_x());
  const Tensor64 y(tutorial_y());
  std::array<double, 4> predictions{};
  for (auto _ : state) {
    const auto [w1, w2] = tutorial_weights();
    auto opt = tutorial_optimizer({w1, w2});
    for (int i = 0; i < xgrad_bench::kTutorialIterations; ++i) tutorial_step(x, y, opt);
    xgrad::NoGradGuard no_grad;
    const Tensor64 out = xgrad::sigmoid(xgrad::matmul(xgrad::sigmoid(xgrad::matmul(x, w1)), w2));
    for (std::size_t r = 0; r < 4; ++r) predictions[r] = out.value()(r, 0);
    benchmark::DoNotOptimize(predictions.data());
  }
  state.SetLabel(xgrad_bench::predictions_label(predictions.data(), predictions.size()));
  state.counters["us_per_iteration"] = benchmark::Counter(
      static_cast<double>(state.iterations()) * xgrad_bench::kTutorialIterations * 1e-6,
      benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_TutorialTraining)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_TutorialIteration(benchmark::State& state) {
  const Tensor64 x(tutorial_x());
  const Tensor64 y(tutorial_y());
  const auto weights = tutorial_weights();
  auto opt = tutorial_optimizer(weights);
  for (auto _ : state) {
    tutorial_step(x, y, opt);
    benchmark::DoNotOptimize(weights[1].value().data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_TutorialIteration);

/// N elementwise ops (alternating mul-by-scalar and sigmoid) on a tensor of `size` elements,
/// forward and backward: reports time per op.
void BM_OpChain(benchmark::State& state) {
  const auto n = static_cast<int>(state.range(0));
  const auto size = static_cast<std::size_t>(state.range(1));
  Tensor64 x = xgrad::full<double>({size}, 0.5, true);
  for (auto _ : state) {
    Tensor64 y = x;
    for (int i = 0; i < n; i += 2) y = xgrad::sigmoid(y * 1.0001);
    xgrad::sum(y).backward();
    x.zero_grad();
  }
  state.counters["ns_per_op"] =
      benchmark::Counter(static_cast<double>(state.iterations()) * n,
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
// Tiny tensors only: 64 live 8 MiB arrays of a 1M-element chain exceed the heap's trim
// threshold, so every iteration would measure page faults (bench_ops has the 1M-element runs).
BENCHMARK(BM_OpChain)->Args({64, 4})->Unit(benchmark::kMicrosecond);

}  // namespace
