// SPDX-License-Identifier: MIT
// The tutorial network (4x3 input, 3-4-1 sigmoid, SSE, lr 1, float64): time per training
// iteration (forward + backward + update), and the chain of small ops that per-op overhead
// is made of.
#include <benchmark/benchmark.h>

#include <xgrad/xgrad.hpp>

namespace {

using xgrad::Tensor64;

xt::xarray<double> column(std::initializer_list<double> v) {
  xt::xarray<double> a = v;
  a.reshape({v.size(), 1});
  return a;
}

void BM_TutorialIteration(benchmark::State& state) {
  const Tensor64 x(
      xt::xarray<double>{{0.0, 0.0, 1.0}, {0.0, 1.0, 1.0}, {1.0, 0.0, 1.0}, {1.0, 1.0, 1.0}});
  const Tensor64 y(column({0.0, 1.0, 1.0, 0.0}));
  xgrad::Generator gen(3);
  Tensor64 w1 = xgrad::rand<double>({3, 4}, gen, true);
  Tensor64 w2 = xgrad::rand<double>({4, 1}, gen, true);
  for (auto _ : state) {
    auto out = xgrad::sigmoid(xgrad::matmul(xgrad::sigmoid(xgrad::matmul(x, w1)), w2));
    auto loss = xgrad::sse_loss(out, y);
    loss.backward();
    w1.mutable_value() -= w1.grad();
    w2.mutable_value() -= w2.grad();
    w1.zero_grad();
    w2.zero_grad();
    benchmark::DoNotOptimize(loss.item());
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
BENCHMARK(BM_OpChain)->Args({64, 4})->Args({64, 1 << 20})->Unit(benchmark::kMicrosecond);

}  // namespace
