// SPDX-License-Identifier: MIT
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <xgrad/tensor.hpp>

/// \file
/// Image ops in NCHW layout: 2-D convolution, max and average pooling, global average pooling
/// and batch normalisation, with PyTorch's semantics (torch.nn.functional).

namespace xgrad {

/// A pair of extents (height, width), built from one int (both) or two.
struct Size2 {
  std::int64_t h = 0, w = 0;
  constexpr Size2() = default;
  constexpr Size2(std::int64_t both) : h(both), w(both) {}  // NOLINT: implicit on purpose
  constexpr Size2(std::int64_t height, std::int64_t width) : h(height), w(width) {}
  friend constexpr bool operator==(Size2 a, Size2 b) { return a.h == b.h && a.w == b.w; }
  friend constexpr bool operator!=(Size2 a, Size2 b) { return !(a == b); }
};

/// The options of conv2d, chainable: `Conv2dOptions().stride(2).padding(1)`.
struct Conv2dOptions {
  Conv2dOptions& stride(Size2 s) {
    stride_ = s;
    return *this;
  }
  Conv2dOptions& padding(Size2 p) {
    padding_ = p;
    return *this;
  }
  Conv2dOptions& dilation(Size2 d) {
    dilation_ = d;
    return *this;
  }
  Conv2dOptions& groups(std::int64_t g) {
    groups_ = g;
    return *this;
  }
  Size2 stride() const noexcept { return stride_; }
  Size2 padding() const noexcept { return padding_; }
  Size2 dilation() const noexcept { return dilation_; }
  std::int64_t groups() const noexcept { return groups_; }

 private:
  Size2 stride_{1}, padding_{0}, dilation_{1};
  std::int64_t groups_ = 1;
};

/// 2-D cross-correlation, as torch.nn.functional.conv2d: input (N,C,H,W), weight
/// (O, C/groups, kH, kW), bias (O,) or an undefined tensor; output (N,O,Ho,Wo) with
/// Ho = (H + 2 pad_h - dil_h (kH-1) - 1) / stride_h + 1 (likewise Wo). Forward and both
/// gradients are GEMMs over a column buffer of one sample at a time (none for a 1x1 stride-1
/// convolution without padding). Throws std::invalid_argument naming the shapes if the ranks,
/// channels and groups, or the kernel and the padded input do not fit, or an option is out of
/// range.
template <class T>
BasicTensor<T> conv2d(const BasicTensor<T>& input, const BasicTensor<T>& weight,
                      const BasicTensor<T>& bias = {}, const Conv2dOptions& options = {});

/// The options of the pooling ops; stride defaults to the kernel size.
struct Pool2dOptions {
  explicit Pool2dOptions(Size2 kernel) : kernel_(kernel), stride_(kernel) {}
  Pool2dOptions& stride(Size2 s) {
    stride_ = s;
    return *this;
  }
  Pool2dOptions& padding(Size2 p) {
    padding_ = p;
    return *this;
  }
  Pool2dOptions& ceil_mode(bool on) {
    ceil_mode_ = on;
    return *this;
  }
  /// avg_pool2d only: whether padded zeros count in the divisor (PyTorch's default: true).
  Pool2dOptions& count_include_pad(bool on) {
    count_include_pad_ = on;
    return *this;
  }
  Size2 kernel() const noexcept { return kernel_; }
  Size2 stride() const noexcept { return stride_; }
  Size2 padding() const noexcept { return padding_; }
  bool ceil_mode() const noexcept { return ceil_mode_; }
  bool count_include_pad() const noexcept { return count_include_pad_; }

 private:
  Size2 kernel_, stride_, padding_{0};
  bool ceil_mode_ = false;
  bool count_include_pad_ = true;
};

/// Max pooling over (kH,kW) windows of a (N,C,H,W) or (C,H,W) input, as
/// torch.nn.functional.max_pool2d: padding acts as -inf (at most half the kernel); with
/// ceil_mode a last partial window is kept if it starts inside the input or left padding. The
/// gradient of each window goes to its first maximum in row-major order (a NaN wins);
/// overlapping windows accumulate.
template <class T>
BasicTensor<T> max_pool2d(const BasicTensor<T>& x, const Pool2dOptions& options);
template <class T>
BasicTensor<T> max_pool2d(const BasicTensor<T>& x, Size2 kernel) {
  return max_pool2d(x, Pool2dOptions(kernel));
}

/// Average pooling, as torch.nn.functional.avg_pool2d (count_include_pad true by default;
/// windows clipped by ceil_mode divide by their size inside the padded input).
template <class T>
BasicTensor<T> avg_pool2d(const BasicTensor<T>& x, const Pool2dOptions& options);
template <class T>
BasicTensor<T> avg_pool2d(const BasicTensor<T>& x, Size2 kernel) {
  return avg_pool2d(x, Pool2dOptions(kernel));
}

/// Adaptive average pooling of a (N,C,H,W) or (C,H,W) input to (out_h, out_w), as
/// torch.nn.functional.adaptive_avg_pool2d: output cell (i,j) averages rows
/// floor(i H / out_h) .. ceil((i+1) H / out_h) - 1 (columns likewise). {1, 1} is the global
/// average pool.
template <class T>
BasicTensor<T> adaptive_avg_pool2d(const BasicTensor<T>& x, Size2 output_size);

/// Batch normalisation over the channel axis 1 of a (N,C) or (N,C,...) input, as
/// torch.nn.functional.batch_norm. In training (`training` true) it normalises with the batch
/// mean and the biased batch variance and, when running_mean / running_var are defined,
/// updates them in place (without gradient): r = (1 - momentum) r + momentum * s, with the
/// unbiased variance for running_var. In eval it normalises with the running statistics.
/// weight and bias (C,) are optional (undefined tensors). Throws std::invalid_argument naming
/// the shapes if a statistic or affine parameter is not (C,), or in training if there is only
/// one value per channel.
template <class T>
BasicTensor<T> batch_norm(const BasicTensor<T>& x, const BasicTensor<T>& running_mean,
                          const BasicTensor<T>& running_var, const BasicTensor<T>& weight,
                          const BasicTensor<T>& bias, bool training, double momentum = 0.1,
                          double eps = 1e-5);

}  // namespace xgrad
