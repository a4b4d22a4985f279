// SPDX-License-Identifier: MIT
#pragma once

#include <stdexcept>

namespace xgrad {

/// Thrown by a backward pass in anomaly mode when an op's backward produced a NaN or Inf.
class AnomalyError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

namespace detail {
/// Grad mode is per thread, as in PyTorch: no_grad in one thread never affects another.
inline thread_local bool grad_enabled = true;
/// Anomaly detection is per thread too (the backward pass runs in the calling thread).
inline thread_local bool anomaly_enabled = false;
}  // namespace detail

/// True unless a NoGradGuard is alive in this thread.
inline bool is_grad_enabled() noexcept { return detail::grad_enabled; }

/// RAII guard under which ops record no graph (results never require grad).
/// Restores the previous mode on destruction, including when the scope exits by an exception.
///
///     {
///       xgrad::NoGradGuard no_grad;
///       auto y = model(x);   // no graph recorded
///     }
class NoGradGuard {
 public:
  NoGradGuard() noexcept : previous_(detail::grad_enabled) { detail::grad_enabled = false; }
  ~NoGradGuard() { detail::grad_enabled = previous_; }
  NoGradGuard(const NoGradGuard&) = delete;
  NoGradGuard& operator=(const NoGradGuard&) = delete;

 private:
  bool previous_;
};

/// True while an AnomalyGuard is alive in this thread (or after set_anomaly_enabled(true)).
inline bool is_anomaly_enabled() noexcept { return detail::anomaly_enabled; }
/// Turns anomaly detection on or off for this thread (off by default).
inline void set_anomaly_enabled(bool enabled) noexcept { detail::anomaly_enabled = enabled; }

/// RAII guard that turns on anomaly detection (PyTorch's `detect_anomaly`): while it is alive,
/// a backward pass in this thread checks every gradient an op's backward produces and throws
/// xgrad::AnomalyError, naming the forward op, the input and its shape, at the first NaN or
/// Inf. It costs a scan of each gradient, so it is meant for debugging.
///
///     {
///       xgrad::AnomalyGuard anomaly;
///       loss.backward();   // throws "anomaly: backward of 'log' produced NaN ..."
///     }
class AnomalyGuard {
 public:
  AnomalyGuard() noexcept : previous_(detail::anomaly_enabled) { detail::anomaly_enabled = true; }
  ~AnomalyGuard() { detail::anomaly_enabled = previous_; }
  AnomalyGuard(const AnomalyGuard&) = delete;
  AnomalyGuard& operator=(const AnomalyGuard&) = delete;

 private:
  bool previous_;
};

}  // namespace xgrad
