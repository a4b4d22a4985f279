// SPDX-License-Identifier: MIT
// The floor of the mlp workload: one SGD step of the 784-512-256-10 ReLU MLP with softmax
// cross-entropy (batch 256, float32) written by hand: direct cblas_sgemm calls for the eight
// GEMMs (the first layer's input gradient is not needed, as in every framework), plain loops
// for bias, ReLU, softmax, cross-entropy and the update, and every buffer allocated once.
// Weights are (out, in) row-major like nn::Linear. What the arithmetic alone costs here.
#include <benchmark/benchmark.h>
#include <cblas.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <random>
#include <vector>

#include "bench_support.hpp"

namespace {

using xgrad_bench::kMlpBatch;
using xgrad_bench::kMlpSizes;

constexpr int kLayers = 3;

int to_int(std::size_t v) { return static_cast<int>(v); }

struct Layer {
  std::size_t in = 0, out = 0;
  std::vector<float> w, b, dw, db;
  std::vector<float> y;   // output of the layer (after ReLU for the hidden layers: ReLU in place)
  std::vector<float> dy;  // gradient of the loss with respect to y
};

struct Mlp {
  Layer layers[kLayers];
  std::vector<float> x;
  std::vector<int> labels;

  Mlp() {
    std::mt19937 rng(2024);
    for (int l = 0; l < kLayers; ++l) {
      Layer& L = layers[l];
      L.in = kMlpSizes[l];
      L.out = kMlpSizes[l + 1];
      const float k = 1.0f / std::sqrt(static_cast<float>(L.in));
      std::uniform_real_distribution<float> init(-k, k);
      L.w.resize(L.out * L.in);
      L.b.resize(L.out);
      for (float& v : L.w) v = init(rng);
      for (float& v : L.b) v = init(rng);
      L.dw.assign(L.w.size(), 0.0f);
      L.db.assign(L.b.size(), 0.0f);
      L.y.assign(kMlpBatch * L.out, 0.0f);
      L.dy.assign(kMlpBatch * L.out, 0.0f);
    }
    std::uniform_real_distribution<float> unit(0.0f, 1.0f);
    x.resize(kMlpBatch * kMlpSizes[0]);
    for (float& v : x) v = unit(rng);
    std::uniform_int_distribution<int> cls(0, to_int(kMlpSizes[kLayers]) - 1);
    labels.resize(kMlpBatch);
    for (int& c : labels) c = cls(rng);
  }

  /// Forward, loss, backward and SGD update; returns the loss (mean cross-entropy).
  float step(float lr) {
    const int B = to_int(kMlpBatch);
    // Forward: y = act(x W^T + b).
    const float* input = x.data();
    for (int l = 0; l < kLayers; ++l) {
      Layer& L = layers[l];
      const int in = to_int(L.in), out = to_int(L.out);
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, B, out, in, 1.0f, input, in, L.w.data(),
                  in, 0.0f, L.y.data(), out);
      const bool relu = l + 1 < kLayers;
      for (std::size_t r = 0; r < kMlpBatch; ++r) {
        float* row = L.y.data() + r * L.out;
        for (std::size_t j = 0; j < L.out; ++j) {
          const float v = row[j] + L.b[j];
          row[j] = relu ? std::max(v, 0.0f) : v;
        }
      }
      input = L.y.data();
    }
    // Softmax cross-entropy and its gradient (softmax - onehot) / B.
    Layer& last = layers[kLayers - 1];
    double loss = 0;
    for (std::size_t r = 0; r < kMlpBatch; ++r) {
      const float* z = last.y.data() + r * last.out;
      float* dz = last.dy.data() + r * last.out;
      float m = z[0];
      for (std::size_t j = 1; j < last.out; ++j) m = std::max(m, z[j]);
      float s = 0;
      for (std::size_t j = 0; j < last.out; ++j) {
        dz[j] = std::exp(z[j] - m);
        s += dz[j];
      }
      const auto c = static_cast<std::size_t>(labels[r]);
      loss += static_cast<double>(std::log(s) + m - z[c]);
      const float scale = 1.0f / (s * static_cast<float>(B));
      for (std::size_t j = 0; j < last.out; ++j) dz[j] *= scale;
      dz[c] -= 1.0f / static_cast<float>(B);
    }
    // Backward: dW = dy^T x_in, db = column sums of dy, dx_in = dy W (masked by ReLU').
    for (int l = kLayers - 1; l >= 0; --l) {
      Layer& L = layers[l];
      const int in = to_int(L.in), out = to_int(L.out);
      const float* x_in = l > 0 ? layers[l - 1].y.data() : x.data();
      cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, out, in, B, 1.0f, L.dy.data(), out, x_in,
                  in, 0.0f, L.dw.data(), in);
      std::fill(L.db.begin(), L.db.end(), 0.0f);
      for (std::size_t r = 0; r < kMlpBatch; ++r) {
        const float* row = L.dy.data() + r * L.out;
        for (std::size_t j = 0; j < L.out; ++j) L.db[j] += row[j];
      }
      if (l > 0) {
        Layer& P = layers[l - 1];
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, B, in, out, 1.0f, L.dy.data(), out,
                    L.w.data(), in, 0.0f, P.dy.data(), in);
        for (std::size_t i = 0; i < P.dy.size(); ++i)
          if (!(P.y[i] > 0.0f)) P.dy[i] = 0.0f;
      }
    }
    // SGD update.
    for (Layer& L : layers) {
      for (std::size_t i = 0; i < L.w.size(); ++i) L.w[i] -= lr * L.dw[i];
      for (std::size_t i = 0; i < L.b.size(); ++i) L.b[i] -= lr * L.db[i];
    }
    return static_cast<float>(loss / B);
  }
};

void BM_FloorMlpStep(benchmark::State& state) {
  const double start_rss = xgrad_bench::current_rss_mib();
  Mlp mlp;
  float loss = 0;
  for (auto _ : state) {
    loss = mlp.step(xgrad_bench::kMlpLr);
    benchmark::DoNotOptimize(loss);
  }
  state.counters["GFLOPs"] = benchmark::Counter(
      static_cast<double>(state.iterations()) * xgrad_bench::mlp_flops_per_step() * 1e-9,
      benchmark::Counter::kIsRate);
  state.counters["start_RSS_MiB"] = start_rss;
  state.counters["peak_RSS_MiB"] = xgrad_bench::peak_rss_mib();
  state.counters["last_loss"] = static_cast<double>(loss);
}
BENCHMARK(BM_FloorMlpStep)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
