// SPDX-License-Identifier: MIT
// xgrad matmul, forward + backward, on n x n float32 matrices (n = 64, 256, 1024): c = a b,
// then c.backward(g), which computes da = g b^T and db = a^T g. Three GEMMs, 6 n^3 flops,
// reported as the GFLOPs counter (real time: OpenBLAS may run OPENBLAS_NUM_THREADS threads).
// BM_FloorSgemm in bench_floor_matmul makes the same three cblas_sgemm calls into
// preallocated buffers: the practical limit of this machine.
#include <benchmark/benchmark.h>

#include <xgrad/xgrad.hpp>

namespace {

void BM_MatmulFwdBwd(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  xgrad::Generator gen(7);
  xgrad::Tensor a = xgrad::rand<float>({n, n}, gen, true);
  xgrad::Tensor b = xgrad::rand<float>({n, n}, gen, true);
  const xgrad::Tensor::Array g = xgrad::rand<float>({n, n}, gen).value();
  for (auto _ : state) {
    const xgrad::Tensor c = xgrad::matmul(a, b);
    c.backward(g);
    benchmark::DoNotOptimize(a.grad().data());
    benchmark::DoNotOptimize(b.grad().data());
    a.zero_grad();
    b.zero_grad();
  }
  const double nn = static_cast<double>(n);
  state.counters["GFLOPs"] =
      benchmark::Counter(static_cast<double>(state.iterations()) * 6.0 * nn * nn * nn * 1e-9,
                         benchmark::Counter::kIsRate);
}
BENCHMARK(BM_MatmulFwdBwd)
    ->Arg(64)
    ->Arg(256)
    ->Arg(1024)
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();

}  // namespace
