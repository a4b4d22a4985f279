// SPDX-License-Identifier: MIT
// The mlp workload in xgrad: one training step (forward, backward, SGD update) of a
// 784-512-256-10 ReLU MLP (nn::Linear / nn::Sequential) with softmax cross-entropy, batch
// 256, float32, on fixed random data from xgrad::Generator. Reports ms per step (real time:
// OpenBLAS may run 2 threads, set OPENBLAS_NUM_THREADS) and the counters
//   GFLOPs        6 * batch * sum(in * out) per step / time (the three GEMMs of each layer);
//   start_RSS_MiB the resident set size before the model and data are made, after OpenBLAS's
//                 scratch buffers were touched by a warm-up (baseline_rss_mib);
//   peak_RSS_MiB  the process's peak resident set size;
//   peak_over_held (peak - start) / held, the memory target of issue 4 (<= 1.3);
//   held_MiB      what a step must hold: parameters and their gradients, the input batch,
//                 and each layer's output before and after its activation (logits and
//                 log-softmax for the last layer), in float32.
#include <benchmark/benchmark.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include <xgrad/xgrad.hpp>

#include "bench_support.hpp"

namespace {

using xgrad_bench::kMlpBatch;
using xgrad_bench::kMlpSizes;

struct MlpSetup {
  std::shared_ptr<xgrad::nn::Sequential> model;
  xgrad::Tensor x;
  std::vector<std::size_t> labels;
};

std::int64_t features(int layer) { return static_cast<std::int64_t>(kMlpSizes[layer]); }

MlpSetup make_mlp() {
  xgrad::Generator gen(2024);
  auto model = std::make_shared<xgrad::nn::Sequential>(
      std::make_shared<xgrad::nn::Linear>(features(0), features(1), gen),
      std::make_shared<xgrad::nn::ReLU>(),
      std::make_shared<xgrad::nn::Linear>(features(1), features(2), gen),
      std::make_shared<xgrad::nn::ReLU>(),
      std::make_shared<xgrad::nn::Linear>(features(2), features(3), gen));
  xgrad::Tensor x = xgrad::rand<float>({kMlpBatch, kMlpSizes[0]}, gen);
  std::vector<std::size_t> labels(kMlpBatch);
  for (auto& c : labels) c = static_cast<std::size_t>(gen.uniform_int(kMlpSizes[3]));
  return {std::move(model), std::move(x), std::move(labels)};
}

double held_mib() {
  double floats = static_cast<double>(kMlpBatch * kMlpSizes[0]);  // the input batch
  for (int i = 0; i < 3; ++i) {
    const auto in = static_cast<double>(kMlpSizes[i]);
    const auto out = static_cast<double>(kMlpSizes[i + 1]);
    floats += 2.0 * (in * out + out);                      // parameters + gradients
    floats += 2.0 * static_cast<double>(kMlpBatch) * out;  // output before/after activation
  }
  return floats * sizeof(float) / (1024.0 * 1024.0);
}

/// The process's RSS before any model exists, with OpenBLAS's scratch buffers already touched
/// (one product of each layer's size, forward and backward shapes) and the warm-up's own
/// arrays returned to the system: what is left for peak - baseline is xgrad's memory.
double baseline_rss_mib() {
  static const double baseline = [] {
    xgrad::set_retain_freed_memory(false);  // give the warm-up arrays back to the kernel
    {
      xgrad::Generator gen(1);
      for (int i = 0; i < 3; ++i) {
        const std::size_t in = kMlpSizes[i], out = kMlpSizes[i + 1];
        const auto x = xgrad::rand<float>({kMlpBatch, in}, gen, true);
        const auto w = xgrad::rand<float>({out, in}, gen, true);
        xgrad::sum(xgrad::linear(x, w)).backward();
      }
    }
    const double rss = xgrad_bench::current_rss_mib();
    xgrad::set_retain_freed_memory(true);
    return rss;
  }();
  return baseline;
}

void BM_MlpStep(benchmark::State& state) {
  const double start_rss = baseline_rss_mib();
  MlpSetup s = make_mlp();
  xgrad::optim::SGD opt(s.model->parameters(), xgrad::optim::SGDOptions(xgrad_bench::kMlpLr));
  float loss_value = 0;
  for (auto _ : state) {
    opt.zero_grad();
    const xgrad::Tensor loss = xgrad::cross_entropy(s.model->forward(s.x), s.labels);
    loss.backward();
    opt.step();
    loss_value = loss.item();
    benchmark::DoNotOptimize(loss_value);
  }
  state.counters["GFLOPs"] = benchmark::Counter(
      static_cast<double>(state.iterations()) * xgrad_bench::mlp_flops_per_step() * 1e-9,
      benchmark::Counter::kIsRate);
  state.counters["start_RSS_MiB"] = start_rss;
  state.counters["peak_RSS_MiB"] = xgrad_bench::peak_rss_mib();
  state.counters["held_MiB"] = held_mib();
  state.counters["peak_over_held"] = (xgrad_bench::peak_rss_mib() - start_rss) / held_mib();
  state.counters["last_loss"] = static_cast<double>(loss_value);
}
BENCHMARK(BM_MlpStep)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
