// SPDX-License-Identifier: MIT
// The floor of bench_ops' 1M-element chains: the same forward and backward arithmetic and
// memory traffic with plain loops over buffers allocated once (each forward output is kept,
// as a framework must keep it for backward). Bytes are counted as in bench_ops.
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace {

constexpr std::size_t kBig = std::size_t{1} << 20;
constexpr int kBigChain = 8;

struct Buffers {
  std::vector<std::vector<float>> y;  // y[0] = x, y[i] = op(y[i-1])
  std::vector<float> g0, g1;          // ping-pong gradients
  Buffers() : y(kBigChain + 1, std::vector<float>(kBig, 0.5f)), g0(kBig), g1(kBig) {}
};

void set_bytes(benchmark::State& state, int arrays_per_op) {
  const auto arrays = static_cast<std::int64_t>(kBigChain * arrays_per_op + 2);
  state.SetBytesProcessed(state.iterations() * arrays *
                          static_cast<std::int64_t>(kBig * sizeof(float)));
}

double sum(const std::vector<float>& v) {
  double s = 0;
  for (float e : v) s += static_cast<double>(e);
  return s;
}

void BM_FloorElementwise1M_Mul(benchmark::State& state) {
  Buffers b;
  const float c = 1.0001f;
  for (auto _ : state) {
    for (int i = 1; i <= kBigChain; ++i) {
      const float* in = b.y[static_cast<std::size_t>(i - 1)].data();
      float* out = b.y[static_cast<std::size_t>(i)].data();
      for (std::size_t k = 0; k < kBig; ++k) out[k] = in[k] * c;
    }
    benchmark::DoNotOptimize(sum(b.y[kBigChain]));
    float* g = b.g0.data();
    float* h = b.g1.data();
    for (std::size_t k = 0; k < kBig; ++k) g[k] = 1.0f;
    for (int i = kBigChain; i >= 1; --i) {
      for (std::size_t k = 0; k < kBig; ++k) h[k] = g[k] * c;
      std::swap(g, h);
    }
    benchmark::DoNotOptimize(g);
    benchmark::ClobberMemory();
  }
  set_bytes(state, 4);
}
BENCHMARK(BM_FloorElementwise1M_Mul)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_FloorElementwise1M_Sigmoid(benchmark::State& state) {
  Buffers b;
  for (auto _ : state) {
    for (int i = 1; i <= kBigChain; ++i) {
      const float* in = b.y[static_cast<std::size_t>(i - 1)].data();
      float* out = b.y[static_cast<std::size_t>(i)].data();
      for (std::size_t k = 0; k < kBig; ++k) out[k] = 1.0f / (1.0f + std::exp(-in[k]));
    }
    benchmark::DoNotOptimize(sum(b.y[kBigChain]));
    float* g = b.g0.data();
    float* h = b.g1.data();
    for (std::size_t k = 0; k < kBig; ++k) g[k] = 1.0f;
    for (int i = kBigChain; i >= 1; --i) {
      const float* y = b.y[static_cast<std::size_t>(i)].data();
      for (std::size_t k = 0; k < kBig; ++k) h[k] = g[k] * y[k] * (1.0f - y[k]);
      std::swap(g, h);
    }
    benchmark::DoNotOptimize(g);
    benchmark::ClobberMemory();
  }
  set_bytes(state, 5);
}
BENCHMARK(BM_FloorElementwise1M_Sigmoid)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
