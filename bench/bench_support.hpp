// SPDX-License-Identifier: MIT
// Helpers shared by the benchmarks (xgrad's and the floors'): no xgrad, no xtensor here.
#pragma once

#include <sys/resource.h>
#include <unistd.h>

#include <cstddef>
#include <cstdio>
#include <string>

namespace xgrad_bench {

/// The tutorial workload: X (4x3), y (4x1), 1500 iterations, learning rate 1, float64.
inline constexpr double kTutorialX[4][3] = {{0, 0, 1}, {0, 1, 1}, {1, 0, 1}, {1, 1, 1}};
inline constexpr double kTutorialY[4] = {0, 1, 1, 0};
inline constexpr int kTutorialIterations = 1500;
inline constexpr double kTutorialLr = 1.0;

/// The mlp workload: 784-512-256-10 ReLU MLP, softmax cross-entropy, batch 256, float32, SGD.
inline constexpr std::size_t kMlpBatch = 256;
inline constexpr std::size_t kMlpSizes[4] = {784, 512, 256, 10};
inline constexpr float kMlpLr = 0.01f;

/// FLOPs of one mlp step as the issue counts them: three GEMMs per layer (forward, the
/// gradient of the input and of the weight), 2 flops per multiply-add.
inline constexpr double mlp_flops_per_step() {
  double macs = 0;
  for (int i = 0; i < 3; ++i) macs += static_cast<double>(kMlpSizes[i] * kMlpSizes[i + 1]);
  return 6.0 * static_cast<double>(kMlpBatch) * macs;
}

/// "pred=p0,p1,p2,p3" with 17 significant digits: bench/compare/ reads the final predictions
/// from the benchmark's label and checks that every implementation agrees.
inline std::string predictions_label(const double* p, std::size_t n) {
  std::string s = "pred=";
  char buf[40];
  for (std::size_t i = 0; i < n; ++i) {
    std::snprintf(buf, sizeof buf, "%s%.17g", i ? "," : "", p[i]);
    s += buf;
  }
  return s;
}

/// Peak resident set size of this process so far, in MiB.
inline double peak_rss_mib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

/// Current resident set size of this process, in MiB (0 if /proc/self/statm is unreadable).
inline double current_rss_mib() {
  long pages_total = 0, pages_resident = 0;
  std::FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr) return 0.0;
  const int n = std::fscanf(f, "%ld %ld", &pages_total, &pages_resident);
  std::fclose(f);
  if (n != 2) return 0.0;
  return static_cast<double>(pages_resident) * static_cast<double>(sysconf(_SC_PAGESIZE)) /
         (1024.0 * 1024.0);
}

}  // namespace xgrad_bench
