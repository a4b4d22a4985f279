// SPDX-License-Identifier: MIT
#include <xgrad/optim/lr_scheduler.hpp>

#include <algorithm>
#include <limits>
#include <sstream>
#include <stdexcept>

namespace xgrad::optim {

void LRScheduler::step() {
  ++last_epoch_;
  optimizer_.set_lr(optimizer_.lr() * factor(last_epoch_));
}

StepLR::StepLR(OptimizerBase& optimizer, std::int64_t step_size, double gamma)
    : LRScheduler(optimizer), step_size_(step_size), gamma_(gamma) {
  if (!(gamma >= 0.0))
    throw std::invalid_argument("StepLR: gamma must be >= 0, got " + std::to_string(gamma));
  if (step_size < 1) {
    throw std::invalid_argument("StepLR: step_size must be >= 1, got " + std::to_string(step_size));
  }
}

double StepLR::factor(std::int64_t epoch) const { return epoch % step_size_ == 0 ? gamma_ : 1.0; }

ExponentialLR::ExponentialLR(OptimizerBase& optimizer, double gamma)
    : LRScheduler(optimizer), gamma_(gamma) {
  if (!(gamma >= 0.0)) {
    throw std::invalid_argument("ExponentialLR: gamma must be >= 0, got " + std::to_string(gamma));
  }
}

double ExponentialLR::factor(std::int64_t /*epoch*/) const { return gamma_; }

ReduceLROnPlateau::ReduceLROnPlateau(OptimizerBase& optimizer,
                                     const ReduceLROnPlateauOptions& options)
    : optimizer_(optimizer),
      options_(options),
      best_(options.mode() == PlateauMode::minimize ? std::numeric_limits<double>::infinity()
                                                    : -std::numeric_limits<double>::infinity()) {
  auto fail = [](const char* what, double v, const char* rule) {
    std::ostringstream os;
    os << "ReduceLROnPlateau: invalid " << what << " " << v << " (" << rule << ")";
    throw std::invalid_argument(os.str());
  };
  if (!(options.factor() < 1.0)) fail("factor", options.factor(), "must be < 1");
  if (options.patience() < 0)
    fail("patience", static_cast<double>(options.patience()), "must be >= 0");
  if (options.cooldown() < 0)
    fail("cooldown", static_cast<double>(options.cooldown()), "must be >= 0");
  if (!(options.min_lr() >= 0.0)) fail("min_lr", options.min_lr(), "must be >= 0");
}

bool ReduceLROnPlateau::is_better(double metric) const {
  const double th = options_.threshold();
  const bool rel = options_.threshold_mode() == ThresholdMode::rel;
  if (options_.mode() == PlateauMode::minimize) {
    return metric < (rel ? best_ * (1.0 - th) : best_ - th);
  }
  return metric > (rel ? best_ * (1.0 + th) : best_ + th);
}

void ReduceLROnPlateau::step(double metric) {
  ++last_epoch_;
  if (is_better(metric)) {
    best_ = metric;
    num_bad_epochs_ = 0;
  } else {
    ++num_bad_epochs_;
  }
  if (cooldown_counter_ > 0) {  // in cooldown: bad epochs do not count
    --cooldown_counter_;
    num_bad_epochs_ = 0;
  }
  if (num_bad_epochs_ > options_.patience()) {
    const double old_lr = optimizer_.lr();
    const double new_lr = std::max(old_lr * options_.factor(), options_.min_lr());
    if (old_lr - new_lr > options_.eps()) optimizer_.set_lr(new_lr);
    cooldown_counter_ = options_.cooldown();
    num_bad_epochs_ = 0;
  }
}

}  // namespace xgrad::optim
