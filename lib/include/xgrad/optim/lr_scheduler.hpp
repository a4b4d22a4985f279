// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>

#include <xgrad/optim/optimizer.hpp>

/// \file
/// Learning-rate schedulers with PyTorch's semantics (torch.optim.lr_scheduler). A scheduler
/// keeps a reference to an optimizer (which must outlive it) and changes its lr() when step()
/// is called, normally once per epoch after the optimizer's own steps. Like PyTorch's
/// "chainable" form, each step() multiplies the optimizer's current learning rate, so changes
/// made to it by other code are kept.

namespace xgrad::optim {

/// Base of the epoch-driven schedulers: counts epochs and asks the subclass for the factor.
class LRScheduler {
 public:
  virtual ~LRScheduler() = default;
  LRScheduler(const LRScheduler&) = delete;
  LRScheduler& operator=(const LRScheduler&) = delete;

  /// Advances one epoch and sets the optimizer's learning rate for it.
  void step();
  /// The epochs stepped so far (0 after construction).
  std::int64_t last_epoch() const noexcept { return last_epoch_; }
  /// The optimizer's learning rate when the scheduler was built.
  double base_lr() const noexcept { return base_lr_; }
  /// The optimizer's current learning rate (PyTorch's get_last_lr()).
  double lr() const noexcept { return optimizer_.lr(); }

 protected:
  explicit LRScheduler(OptimizerBase& optimizer)
      : optimizer_(optimizer), base_lr_(optimizer.lr()) {}
  /// The factor by which the learning rate changes on entering `epoch` (>= 1).
  virtual double factor(std::int64_t epoch) const = 0;

 private:
  OptimizerBase& optimizer_;
  double base_lr_;
  std::int64_t last_epoch_ = 0;
};

/// Multiplies the learning rate by gamma every step_size epochs: after k calls to step() it is
/// base_lr * gamma^floor(k / step_size). Throws std::invalid_argument if step_size < 1 or
/// gamma < 0.
class StepLR : public LRScheduler {
 public:
  StepLR(OptimizerBase& optimizer, std::int64_t step_size, double gamma = 0.1);
  std::int64_t step_size() const noexcept { return step_size_; }
  double gamma() const noexcept { return gamma_; }

 protected:
  double factor(std::int64_t epoch) const override;

 private:
  std::int64_t step_size_;
  double gamma_;
};

/// Multiplies the learning rate by gamma every epoch: after k calls to step() it is
/// base_lr * gamma^k. Throws std::invalid_argument if gamma < 0.
class ExponentialLR : public LRScheduler {
 public:
  ExponentialLR(OptimizerBase& optimizer, double gamma);
  double gamma() const noexcept { return gamma_; }

 protected:
  double factor(std::int64_t epoch) const override;

 private:
  double gamma_;
};

/// Whether a smaller or a larger metric is an improvement, for ReduceLROnPlateau.
enum class PlateauMode { minimize, maximize };
/// How ReduceLROnPlateau's threshold is measured: relative to the best value or absolute.
enum class ThresholdMode { rel, abs };

/// Options of ReduceLROnPlateau (PyTorch's defaults), with chainable setters:
///
///     ReduceLROnPlateau sched(opt, ReduceLROnPlateauOptions().factor(0.5).patience(3));
class ReduceLROnPlateauOptions {
 public:
  /// Minimize (default) or maximize the metric.
  ReduceLROnPlateauOptions& mode(PlateauMode v) {
    mode_ = v;
    return *this;
  }
  /// The learning rate is multiplied by factor on a plateau (default 0.1; must be < 1).
  ReduceLROnPlateauOptions& factor(double v) {
    factor_ = v;
    return *this;
  }
  /// Epochs without improvement tolerated before reducing (default 10).
  ReduceLROnPlateauOptions& patience(std::int64_t v) {
    patience_ = v;
    return *this;
  }
  /// Minimum change that counts as an improvement (default 1e-4).
  ReduceLROnPlateauOptions& threshold(double v) {
    threshold_ = v;
    return *this;
  }
  /// rel (default): better means below best * (1 - threshold) (minimize) or above
  /// best * (1 + threshold) (maximize); abs: below best - threshold or above best + threshold.
  ReduceLROnPlateauOptions& threshold_mode(ThresholdMode v) {
    threshold_mode_ = v;
    return *this;
  }
  /// Epochs to wait after a reduction before counting bad epochs again (default 0).
  ReduceLROnPlateauOptions& cooldown(std::int64_t v) {
    cooldown_ = v;
    return *this;
  }
  /// Lower bound of the learning rate (default 0).
  ReduceLROnPlateauOptions& min_lr(double v) {
    min_lr_ = v;
    return *this;
  }
  /// Reductions smaller than eps are skipped (default 1e-8).
  ReduceLROnPlateauOptions& eps(double v) {
    eps_ = v;
    return *this;
  }

  /// The values set above.
  PlateauMode mode() const noexcept { return mode_; }
  double factor() const noexcept { return factor_; }
  std::int64_t patience() const noexcept { return patience_; }
  double threshold() const noexcept { return threshold_; }
  ThresholdMode threshold_mode() const noexcept { return threshold_mode_; }
  std::int64_t cooldown() const noexcept { return cooldown_; }
  double min_lr() const noexcept { return min_lr_; }
  double eps() const noexcept { return eps_; }

 private:
  PlateauMode mode_ = PlateauMode::minimize;
  double factor_ = 0.1;
  std::int64_t patience_ = 10;
  double threshold_ = 1e-4;
  ThresholdMode threshold_mode_ = ThresholdMode::rel;
  std::int64_t cooldown_ = 0;
  double min_lr_ = 0.0;
  double eps_ = 1e-8;
};

/// Reduces the learning rate when a metric has stopped improving (PyTorch's
/// ReduceLROnPlateau). Each step(metric) compares the metric with the best so far; after more
/// than `patience` epochs in a row without improvement, lr = max(lr * factor, min_lr) (skipped
/// if that changes lr by less than eps), then `cooldown` epochs pass before bad epochs count
/// again. A nan metric never counts as an improvement.
/// Throws std::invalid_argument if factor >= 1, or patience, cooldown or min_lr < 0.
class ReduceLROnPlateau {
 public:
  explicit ReduceLROnPlateau(OptimizerBase& optimizer,
                             const ReduceLROnPlateauOptions& options = ReduceLROnPlateauOptions());
  ReduceLROnPlateau(const ReduceLROnPlateau&) = delete;
  ReduceLROnPlateau& operator=(const ReduceLROnPlateau&) = delete;

  /// Records the epoch's metric (e.g. the validation loss) and reduces lr on a plateau.
  void step(double metric);

  /// The optimizer's current learning rate.
  double lr() const noexcept { return optimizer_.lr(); }
  /// The best metric so far (+inf when minimizing, -inf when maximizing, before any step).
  double best() const noexcept { return best_; }
  /// Epochs in a row without improvement.
  std::int64_t num_bad_epochs() const noexcept { return num_bad_epochs_; }
  std::int64_t last_epoch() const noexcept { return last_epoch_; }
  const ReduceLROnPlateauOptions& options() const noexcept { return options_; }

 private:
  bool is_better(double metric) const;

  OptimizerBase& optimizer_;
  ReduceLROnPlateauOptions options_;
  double best_;
  std::int64_t num_bad_epochs_ = 0;
  std::int64_t cooldown_counter_ = 0;
  std::int64_t last_epoch_ = 0;
};

}  // namespace xgrad::optim
