// SPDX-License-Identifier: MIT
#pragma once

// Shared by the examples (header-only, not part of the library): a progress display for
// training loops and a writer for the loss history CSV files that docs/plot_loss.gnuplot plots.

#include <chrono>
#include <cstdarg>
#include <cstddef>
#include <cstdio>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include <unistd.h>  // isatty, fileno

namespace examples {

/// printf-style formatting into a std::string (at most 511 characters).
[[gnu::format(printf, 1, 2)]] inline std::string format(const char* fmt, ...) {
  char buffer[512];
  va_list args;
  va_start(args, fmt);
  const int n = std::vsnprintf(buffer, sizeof buffer, fmt, args);
  va_end(args);
  if (n < 0) return {};
  return std::string(buffer, static_cast<std::size_t>(n) < sizeof buffer
                                 ? static_cast<std::size_t>(n)
                                 : sizeof buffer - 1);
}

/// Progress of a loop of `total` steps ("epoch 12/200  loss 0.1234  acc 0.950  1.2 s").
///
/// On a terminal (isatty(fileno(stdout))) the status is ONE line rewritten in place with '\r',
/// at most every 0.1 s and at the last step; otherwise (a pipe, a file, ctest) it prints plain
/// lines: the first step, every `print_every` steps and the last (print_every 0: only the last).
class Progress {
 public:
  using Clock = std::chrono::steady_clock;

  Progress(std::string unit, int total, int print_every)
      : unit_(std::move(unit)),
        total_(total),
        print_every_(print_every),
        tty_(isatty(fileno(stdout)) != 0),
        start_(Clock::now()),
        last_draw_(start_) {}

  /// Reports step `i` (0-based) with a status text such as "loss 0.1234".
  void step(int i, const std::string& status) {
    const bool last = i + 1 >= total_;
    const int width = static_cast<int>(std::to_string(total_).size());
    const std::string line = format("%s %*d/%d  %s  %.2f s", unit_.c_str(), width, i + 1, total_,
                                    status.c_str(), seconds());
    if (tty_) {
      const auto now = Clock::now();
      if (!last && i != 0 && now - last_draw_ < std::chrono::milliseconds(100)) return;
      last_draw_ = now;
      // Pad with spaces so that a shorter line fully covers the previous one.
      const std::size_t pad = line.size() < drawn_ ? drawn_ - line.size() : 0;
      std::printf("\r%s%s", line.c_str(), std::string(pad, ' ').c_str());
      std::fflush(stdout);
      drawn_ = line.size();
    } else if (last || i == 0 || (print_every_ > 0 && (i + 1) % print_every_ == 0)) {
      std::printf("%s\n", line.c_str());
    }
  }

  /// Ends the updating line (call once after the loop).
  void done() {
    if (tty_ && drawn_ > 0) std::printf("\n");
    drawn_ = 0;
  }

  /// Seconds since construction.
  double seconds() const { return std::chrono::duration<double>(Clock::now() - start_).count(); }
  bool is_terminal() const noexcept { return tty_; }

 private:
  std::string unit_;
  int total_;
  int print_every_;
  bool tty_;
  Clock::time_point start_;
  Clock::time_point last_draw_;
  std::size_t drawn_ = 0;
};

/// Writes a loss history as CSV: the header "<index_name>,loss", then one "i,loss" line per
/// entry, i counting from `first_index`. Returns false (after printing the reason to stderr)
/// if the file cannot be written. Does nothing and returns true if `path` is empty.
inline bool write_loss_csv(const std::string& path, const std::string& index_name,
                           const std::vector<double>& losses, std::size_t first_index = 0) {
  if (path.empty()) return true;
  std::ofstream csv(path);
  csv << index_name << ",loss\n";
  csv.precision(17);
  for (std::size_t i = 0; i < losses.size(); ++i)
    csv << first_index + i << "," << losses[i] << "\n";
  csv.close();
  if (!csv) {
    std::fprintf(stderr, "error: cannot write %s\n", path.c_str());
    return false;
  }
  return true;
}

}  // namespace examples
