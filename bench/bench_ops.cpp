// SPDX-License-Identifier: MIT
// Per-op costs of xgrad, forward + backward:
//   BM_OpOverhead/64/4       a chain of 64 elementwise ops (alternately y * c and sigmoid) on a
//                            4-element float64 tensor, then sum and backward: the counter
//                            ns_per_op is the time per op, i.e. the framework's overhead;
//   BM_Elementwise1M_Mul     8 ops y = y * 1.0001f on 1M float32 elements, sum, backward;
//   BM_Elementwise1M_Sigmoid 8 ops y = sigmoid(y) on 1M float32 elements, sum, backward.
// The 1M-element ones report bytes/s through SetBytesProcessed, counting the arrays each op
// must read and write: y * s: x, y forward and gy, gx backward (4 arrays); sigmoid: x, y
// forward and gy, y, gx backward (5); the final sum reads y and its backward writes the seed
// gradient (2). bench_floor_ops does the same work with plain loops over preallocated buffers.
#include <benchmark/benchmark.h>

#include <cstddef>
#include <cstdint>

#include <xgrad/xgrad.hpp>

namespace {

constexpr std::size_t kBig = std::size_t{1} << 20;
constexpr int kBigChain = 8;

void BM_OpOverhead(benchmark::State& state) {
  const auto n = static_cast<int>(state.range(0));
  const auto size = static_cast<std::size_t>(state.range(1));
  xgrad::Tensor64 x = xgrad::full<double>({size}, 0.5, true);
  const xgrad::Tensor64 c = xgrad::full<double>({size}, 1.0001);
  for (auto _ : state) {
    xgrad::Tensor64 y = x;
    for (int i = 0; i < n; i += 2) y = xgrad::sigmoid(y * c);
    xgrad::sum(y).backward();
    benchmark::DoNotOptimize(x.grad().data());
    x.zero_grad();
  }
  state.counters["ns_per_op"] =
      benchmark::Counter(static_cast<double>(state.iterations()) * n * 1e-9,
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_OpOverhead)->Args({64, 4})->Unit(benchmark::kMicrosecond)->UseRealTime();

void set_bytes(benchmark::State& state, int arrays_per_op) {
  const auto arrays = static_cast<std::int64_t>(kBigChain * arrays_per_op + 2);
  state.SetBytesProcessed(state.iterations() * arrays *
                          static_cast<std::int64_t>(kBig * sizeof(float)));
}

void BM_Elementwise1M_Mul(benchmark::State& state) {
  xgrad::Tensor x = xgrad::full<float>({kBig}, 0.5f, true);
  for (auto _ : state) {
    xgrad::Tensor y = x;
    for (int i = 0; i < kBigChain; ++i) y = y * 1.0001f;
    xgrad::sum(y).backward();
    benchmark::DoNotOptimize(x.grad().data());
    x.zero_grad();
  }
  set_bytes(state, 4);
}
BENCHMARK(BM_Elementwise1M_Mul)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_Elementwise1M_Sigmoid(benchmark::State& state) {
  xgrad::Tensor x = xgrad::full<float>({kBig}, 0.5f, true);
  for (auto _ : state) {
    xgrad::Tensor y = x;
    for (int i = 0; i < kBigChain; ++i) y = xgrad::sigmoid(y);
    xgrad::sum(y).backward();
    benchmark::DoNotOptimize(x.grad().data());
    x.zero_grad();
  }
  set_bytes(state, 5);
}
BENCHMARK(BM_Elementwise1M_Sigmoid)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
