// SPDX-License-Identifier: MIT
#pragma once

namespace xgrad {

namespace detail {
/// Grad mode is per thread, as in PyTorch: no_grad in one thread never affects another.
inline thread_local bool grad_enabled = true;
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

}  // namespace xgrad
