// SPDX-License-Identifier: MIT
#include <xgrad/data/dataloader.hpp>

#include <algorithm>
#include <cstring>
#include <numeric>
#include <stdexcept>
#include <string>

#include "../shape_util.hpp"

namespace xgrad::data {
namespace {

using detail::shape_str;

template <class T>
std::size_t samples_of(const Array<T>& a, const char* who, const char* what) {
  if (a.dimension() == 0) {
    throw std::invalid_argument(std::string(who) + ": " + what +
                                " is 0-d; the first axis must index the samples");
  }
  return a.shape()[0];
}

/// Rows idx[0..n) of `a` (along the first axis), as a new array of shape (n, a.shape[1:]...).
template <class T>
Array<T> gather_rows(const Array<T>& a, const std::size_t* idx, std::size_t n) {
  auto shape = a.shape();
  const std::size_t row = a.shape()[0] == 0 ? 0 : a.size() / a.shape()[0];
  shape[0] = n;
  Array<T> out = Array<T>::from_shape(shape);
  if (row == 0) return out;
  for (std::size_t i = 0; i < n; ++i) {
    std::memcpy(out.data() + i * row, a.data() + idx[i] * row, row * sizeof(T));
  }
  return out;
}

}  // namespace

BatchSampler::BatchSampler(std::size_t num_samples, const LoaderOptions& options, Generator* gen,
                           const char* who)
    : order_(num_samples), options_(options), gen_(gen), who_(who) {
  if (options.batch_size == 0) throw std::invalid_argument(std::string(who) + ": batch_size is 0");
  if (options.shuffle && gen == nullptr) {
    throw std::invalid_argument(std::string(who) +
                                ": shuffle needs a Generator (pass &gen as the last argument)");
  }
  std::iota(order_.begin(), order_.end(), std::size_t{0});
}

std::size_t BatchSampler::num_batches() const noexcept {
  const std::size_t n = order_.size(), b = options_.batch_size;
  return options_.drop_last ? n / b : (n + b - 1) / b;
}

void BatchSampler::start_epoch() {
  if (!options_.shuffle) return;
  // Each epoch's permutation depends only on the generator's state: start from the identity.
  std::iota(order_.begin(), order_.end(), std::size_t{0});
  for (std::size_t i = order_.size(); i > 1; --i) {
    const auto j = static_cast<std::size_t>(gen_->uniform_int(i));
    std::swap(order_[i - 1], order_[j]);
  }
}

std::pair<const std::size_t*, std::size_t> BatchSampler::batch(std::size_t b) const {
  if (b >= num_batches()) {
    throw std::out_of_range(std::string(who_) + ": batch " + std::to_string(b) +
                            " of an epoch of " + std::to_string(num_batches()) + " batches");
  }
  const std::size_t start = b * options_.batch_size;
  const std::size_t count = std::min(options_.batch_size, order_.size() - start);
  return {order_.data() + start, count};
}

template <class T>
DataLoader<T>::DataLoader(Array<T> inputs, Array<T> targets, const LoaderOptions& options,
                          Generator* gen)
    : inputs_(std::move(inputs)),
      targets_(std::move(targets)),
      sampler_(samples_of(inputs_, "DataLoader", "inputs"), options, gen, "DataLoader") {
  const std::size_t n = inputs_.shape()[0];
  const std::size_t m = samples_of(targets_, "DataLoader", "targets");
  if (n != m) {
    throw std::invalid_argument("DataLoader: inputs of shape " + shape_str(inputs_.shape()) +
                                " have " + std::to_string(n) + " samples but targets of shape " +
                                shape_str(targets_.shape()) + " have " + std::to_string(m) +
                                " (the first axes must match)");
  }
}

template <class T>
typename DataLoader<T>::iterator DataLoader<T>::begin() {
  sampler_.start_epoch();
  return iterator(this, 0);
}

template <class T>
typename DataLoader<T>::Batch DataLoader<T>::batch(std::size_t b) const {
  const auto [idx, n] = sampler_.batch(b);
  return Batch{BasicTensor<T>(gather_rows(inputs_, idx, n)),
               BasicTensor<T>(gather_rows(targets_, idx, n))};
}

template <class T>
LabeledDataLoader<T>::LabeledDataLoader(Array<T> inputs, std::vector<std::size_t> labels,
                                        const LoaderOptions& options, Generator* gen)
    : inputs_(std::move(inputs)),
      labels_(std::move(labels)),
      sampler_(samples_of(inputs_, "LabeledDataLoader", "inputs"), options, gen,
               "LabeledDataLoader") {
  if (labels_.size() != inputs_.shape()[0]) {
    throw std::invalid_argument("LabeledDataLoader: inputs of shape " + shape_str(inputs_.shape()) +
                                " have " + std::to_string(inputs_.shape()[0]) +
                                " samples but there are " + std::to_string(labels_.size()) +
                                " labels");
  }
}

template <class T>
typename LabeledDataLoader<T>::iterator LabeledDataLoader<T>::begin() {
  sampler_.start_epoch();
  return iterator(this, 0);
}

template <class T>
typename LabeledDataLoader<T>::Batch LabeledDataLoader<T>::batch(std::size_t b) const {
  const auto [idx, n] = sampler_.batch(b);
  std::vector<std::size_t> labels(n);
  for (std::size_t i = 0; i < n; ++i) labels[i] = labels_[idx[i]];
  return Batch{BasicTensor<T>(gather_rows(inputs_, idx, n)), std::move(labels)};
}

template class DataLoader<float>;
template class DataLoader<double>;
template class LabeledDataLoader<float>;
template class LabeledDataLoader<double>;

}  // namespace xgrad::data
