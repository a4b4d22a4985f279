// SPDX-License-Identifier: MIT
// The floor of the tutorial workload: the tutorial's network and hand-derived gradients as
// fixed-size loops over stack arrays in double precision. No framework, no allocation: what
// the arithmetic alone costs on this machine. Same initial weights and the same final
// predictions (in the label) as BM_TutorialTraining of bench_tutorial.
#include <benchmark/benchmark.h>

#include <array>
#include <cmath>

#include "bench_support.hpp"
#include "tutorial_weights.hpp"

namespace {

using xgrad_bench::kTutorialX;
using xgrad_bench::kTutorialY;

struct Net {
  double w1[3][4];
  double w2[4];
};

inline double sigmoid(double v) { return 1.0 / (1.0 + std::exp(-v)); }

/// Forward pass: hidden activations l1 (4x4) and outputs out (4).
inline void forward(const Net& n, double l1[4][4], double out[4]) {
  for (int r = 0; r < 4; ++r) {
    for (int j = 0; j < 4; ++j) {
      double s = 0;
      for (int k = 0; k < 3; ++k) s += kTutorialX[r][k] * n.w1[k][j];
      l1[r][j] = sigmoid(s);
    }
    double s = 0;
    for (int j = 0; j < 4; ++j) s += l1[r][j] * n.w2[j];
    out[r] = sigmoid(s);
  }
}

/// One iteration of the tutorial: feedforward, then backprop's
/// d_weights2 = l1^T (2 (y - out) out (1 - out)),
/// d_weights1 = X^T ((2 (y - out) out (1 - out)) w2^T * l1 (1 - l1)), and weights += d_weights.
inline void step(Net& n) {
  double l1[4][4];
  double out[4];
  forward(n, l1, out);
  double d_out[4];
  for (int r = 0; r < 4; ++r)
    d_out[r] = 2.0 * (kTutorialY[r] - out[r]) * out[r] * (1.0 - out[r]) * xgrad_bench::kTutorialLr;
  double d_l1[4][4];
  for (int r = 0; r < 4; ++r)
    for (int j = 0; j < 4; ++j) d_l1[r][j] = d_out[r] * n.w2[j] * l1[r][j] * (1.0 - l1[r][j]);
  for (int j = 0; j < 4; ++j) {
    double s = 0;
    for (int r = 0; r < 4; ++r) s += l1[r][j] * d_out[r];
    n.w2[j] += s;
  }
  for (int k = 0; k < 3; ++k)
    for (int j = 0; j < 4; ++j) {
      double s = 0;
      for (int r = 0; r < 4; ++r) s += kTutorialX[r][k] * d_l1[r][j];
      n.w1[k][j] += s;
    }
}

Net initial_net() {
  Net n{};
  for (int k = 0; k < 3; ++k)
    for (int j = 0; j < 4; ++j) n.w1[k][j] = xgrad_bench::kTutorialWeights[k * 4 + j];
  for (int j = 0; j < 4; ++j) n.w2[j] = xgrad_bench::kTutorialWeights[12 + j];
  return n;
}

void BM_FloorTutorialTraining(benchmark::State& state) {
  std::array<double, 4> predictions{};
  for (auto _ : state) {
    Net n = initial_net();
    benchmark::DoNotOptimize(&n);
    for (int i = 0; i < xgrad_bench::kTutorialIterations; ++i) step(n);
    double l1[4][4];
    forward(n, l1, predictions.data());
    benchmark::DoNotOptimize(predictions.data());
  }
  state.SetLabel(xgrad_bench::predictions_label(predictions.data(), predictions.size()));
  state.counters["us_per_iteration"] = benchmark::Counter(
      static_cast<double>(state.iterations()) * xgrad_bench::kTutorialIterations * 1e-6,
      benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_FloorTutorialTraining)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
