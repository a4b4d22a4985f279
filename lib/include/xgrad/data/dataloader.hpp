// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <iterator>
#include <utility>
#include <vector>

#include <xgrad/generator.hpp>
#include <xgrad/tensor.hpp>

/// \file
/// Mini-batch iteration over in-memory arrays whose first axis indexes the samples.
///
///     xgrad::Generator gen(42);
///     xgrad::data::DataLoader<float> loader(x, y, {/*batch_size=*/32, /*shuffle=*/true}, &gen);
///     for (int epoch = 0; epoch < 10; ++epoch) {
///       for (auto [xb, yb] : loader) {   // each range-for is one epoch, freshly shuffled
///         auto loss = xgrad::mse_loss(model(xb), yb);
///         ...
///       }
///     }

namespace xgrad::data {

/// Options of DataLoader and LabeledDataLoader.
struct LoaderOptions {
  std::size_t batch_size = 32;  ///< samples per batch (> 0); the last batch may be smaller
  bool shuffle = false;         ///< a new random order every epoch (needs a Generator)
  bool drop_last = false;       ///< skip a last batch smaller than batch_size
};

/// The sample order and batch boundaries of an epoch; the part DataLoader and
/// LabeledDataLoader share.
class BatchSampler {
 public:
  /// Throws std::invalid_argument ("<who>: ...") if batch_size is 0, or if shuffle is set
  /// without a Generator.
  BatchSampler(std::size_t num_samples, const LoaderOptions& options, Generator* gen,
               const char* who);

  std::size_t num_samples() const noexcept { return order_.size(); }
  /// Batches per epoch: ceil(n / batch_size), or floor with drop_last.
  std::size_t num_batches() const noexcept;
  /// Starts an epoch: with shuffle, draws a new permutation of 0..n-1 from the generator
  /// (Fisher-Yates with Generator::uniform_int, so it is the same on every platform);
  /// without, the order stays 0..n-1.
  void start_epoch();
  /// The sample indices of batch `b` of the current epoch, as (pointer, count).
  /// Throws std::out_of_range if b >= num_batches().
  std::pair<const std::size_t*, std::size_t> batch(std::size_t b) const;
  /// The current epoch's sample order.
  const std::vector<std::size_t>& order() const noexcept { return order_; }

 private:
  std::vector<std::size_t> order_;
  LoaderOptions options_;
  Generator* gen_;
  const char* who_;
};

/// An input iterator over the batches of a loader's current epoch (dereferencing builds the
/// batch, by value).
template <class Loader>
class BatchIterator {
 public:
  using iterator_category = std::input_iterator_tag;
  using value_type = typename Loader::Batch;
  using difference_type = std::ptrdiff_t;
  using pointer = void;
  using reference = value_type;

  BatchIterator(const Loader* loader, std::size_t index) noexcept
      : loader_(loader), index_(index) {}
  value_type operator*() const { return loader_->batch(index_); }
  BatchIterator& operator++() noexcept {
    ++index_;
    return *this;
  }
  bool operator==(const BatchIterator& o) const noexcept {
    return loader_ == o.loader_ && index_ == o.index_;
  }
  bool operator!=(const BatchIterator& o) const noexcept { return !(*this == o); }

 private:
  const Loader* loader_;
  std::size_t index_;
};

/// Mini-batches (inputs, targets) of two arrays with the same number of samples (first axis).
///
/// A batch of b samples has inputs of shape (b, inputs.shape[1:]...) and targets of shape
/// (b, targets.shape[1:]...), copied from the samples of the current order; the tensors do
/// not require grad. Each begin() starts a new epoch (reshuffled when shuffle is set), so a
/// range-for is one epoch; the generator advances, so epochs differ and a run is reproducible
/// from the generator's seed. The generator must outlive the loader. Iterators of an epoch
/// are invalidated by the next begin().
template <class T>
class DataLoader {
 public:
  struct Batch {
    BasicTensor<T> inputs;
    BasicTensor<T> targets;
  };
  using iterator = BatchIterator<DataLoader>;

  /// Throws std::invalid_argument ("DataLoader: ...") if an array is 0-d, the first axes
  /// differ (naming both shapes), batch_size is 0, or shuffle is set without a generator.
  DataLoader(Array<T> inputs, Array<T> targets, const LoaderOptions& options = {},
             Generator* gen = nullptr);

  /// Starts a new epoch and returns its first batch.
  iterator begin();
  iterator end() const noexcept { return iterator(this, sampler_.num_batches()); }
  /// Batches per epoch.
  std::size_t size() const noexcept { return sampler_.num_batches(); }
  std::size_t num_samples() const noexcept { return sampler_.num_samples(); }
  /// Batch `b` of the current epoch (std::out_of_range if b >= size()).
  Batch batch(std::size_t b) const;
  const Array<T>& inputs() const noexcept { return inputs_; }
  const Array<T>& targets() const noexcept { return targets_; }

 private:
  Array<T> inputs_;
  Array<T> targets_;
  BatchSampler sampler_;
};

/// Mini-batches (inputs, class labels) for classification losses such as cross-entropy:
/// as DataLoader, with the targets given as one class index per sample.
template <class T>
class LabeledDataLoader {
 public:
  struct Batch {
    BasicTensor<T> inputs;
    std::vector<std::size_t> labels;
  };
  using iterator = BatchIterator<LabeledDataLoader>;

  /// Throws std::invalid_argument ("LabeledDataLoader: ...") if inputs is 0-d,
  /// labels.size() differs from inputs.shape(0), batch_size is 0, or shuffle is set without a
  /// generator.
  LabeledDataLoader(Array<T> inputs, std::vector<std::size_t> labels,
                    const LoaderOptions& options = {}, Generator* gen = nullptr);

  /// Starts a new epoch and returns its first batch.
  iterator begin();
  iterator end() const noexcept { return iterator(this, sampler_.num_batches()); }
  std::size_t size() const noexcept { return sampler_.num_batches(); }
  std::size_t num_samples() const noexcept { return sampler_.num_samples(); }
  /// Batch `b` of the current epoch (std::out_of_range if b >= size()).
  Batch batch(std::size_t b) const;
  const Array<T>& inputs() const noexcept { return inputs_; }
  const std::vector<std::size_t>& labels() const noexcept { return labels_; }

 private:
  Array<T> inputs_;
  std::vector<std::size_t> labels_;
  BatchSampler sampler_;
};

extern template class DataLoader<float>;
extern template class DataLoader<double>;
extern template class LabeledDataLoader<float>;
extern template class LabeledDataLoader<double>;

}  // namespace xgrad::data
