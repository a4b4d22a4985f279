// SPDX-License-Identifier: MIT
// The machine's own cblas_sgemm doing the work of xgrad's matmul forward + backward on n x n
// float32 matrices: c = a b, da = g b^T, db = a^T g, into buffers allocated once. 6 n^3
// flops, reported as the GFLOPs counter (real time; threads from OPENBLAS_NUM_THREADS).
#include <benchmark/benchmark.h>
#include <cblas.h>

#include <cstddef>
#include <random>
#include <vector>

namespace {

void BM_FloorSgemm(benchmark::State& state) {
  const auto n = static_cast<int>(state.range(0));
  const auto count = static_cast<std::size_t>(n) * static_cast<std::size_t>(n);
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> unit(0.0f, 1.0f);
  std::vector<float> a(count), b(count), g(count), c(count), da(count), db(count);
  for (auto* v : {&a, &b, &g})
    for (float& e : *v) e = unit(rng);
  for (auto _ : state) {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a.data(), n, b.data(), n,
                0.0f, c.data(), n);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, n, n, 1.0f, g.data(), n, b.data(), n,
                0.0f, da.data(), n);
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, n, n, n, 1.0f, a.data(), n, g.data(), n,
                0.0f, db.data(), n);
    benchmark::DoNotOptimize(c.data());
    benchmark::DoNotOptimize(da.data());
    benchmark::DoNotOptimize(db.data());
    benchmark::ClobberMemory();
  }
  const double nn = static_cast<double>(n);
  state.counters["GFLOPs"] =
      benchmark::Counter(static_cast<double>(state.iterations()) * 6.0 * nn * nn * nn * 1e-9,
                         benchmark::Counter::kIsRate);
}
BENCHMARK(BM_FloorSgemm)
    ->Arg(64)
    ->Arg(256)
    ->Arg(1024)
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();

}  // namespace
