// SPDX-License-Identifier: MIT
// xgrad::mem::Dims: the shape and stride container of xgrad::Array (xgrad/array.hpp).
//
// xtensor's default, svector, moves by swapping element by element through resize(), and an
// xarray holds three of them (shape, strides, backstrides): building, moving and destroying
// the small arrays of a training step was a quarter of its time. Dims keeps up to kInline
// extents in place and copies them as one block; larger ranks live on the heap.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <initializer_list>
#include <iterator>
#include <memory>
#include <stdexcept>
#include <type_traits>

#include <xgrad/detail/thresholds.hpp>

namespace xgrad::mem {

template <class T, class A = std::allocator<T>>
class Dims {
  static_assert(std::is_trivially_copyable_v<T>, "Dims holds sizes and strides");

 public:
  using value_type = T;
  using allocator_type = A;
  using size_type = std::size_t;
  using difference_type = std::ptrdiff_t;
  using reference = T&;
  using const_reference = const T&;
  using pointer = T*;
  using const_pointer = const T*;
  using iterator = T*;
  using const_iterator = const T*;
  using reverse_iterator = std::reverse_iterator<iterator>;
  using const_reverse_iterator = std::reverse_iterator<const_iterator>;

  static constexpr size_type kInline = detail::kInlineRank;

  Dims() noexcept = default;
  explicit Dims(size_type n) { resize(n); }
  Dims(size_type n, const T& v) { assign(n, v); }
  Dims(std::initializer_list<T> il) { assign(il.begin(), il.end()); }
  template <class It, class = typename std::iterator_traits<It>::iterator_category>
  Dims(It first, It last) {
    assign(first, last);
  }
  /// From any other sequence of extents, such as the shape of a plain `xt::xarray` or a
  /// std::vector: implicit, so that xgrad's functions taking a Shape take those too.
  template <class C,
            class = std::enable_if_t<!std::is_same_v<std::decay_t<C>, Dims> &&
                                     !std::is_integral_v<std::decay_t<C>>>,
            class = decltype(std::begin(std::declval<const C&>()),
                             std::end(std::declval<const C&>()))>
  Dims(const C& c) {  // NOLINT(google-explicit-constructor)
    assign(std::begin(c), std::end(c));
  }
  Dims(const Dims& o) { copy_from(o); }
  Dims(Dims&& o) noexcept { steal(o); }
  Dims& operator=(const Dims& o) {
    if (this != &o) copy_from(o);
    return *this;
  }
  Dims& operator=(Dims&& o) noexcept {
    if (this != &o) {
      release();
      steal(o);
    }
    return *this;
  }
  Dims& operator=(std::initializer_list<T> il) {
    assign(il.begin(), il.end());
    return *this;
  }
  ~Dims() { release(); }

  allocator_type get_allocator() const noexcept { return {}; }

  size_type size() const noexcept { return size_; }
  size_type max_size() const noexcept { return std::allocator_traits<A>::max_size(A()); }
  bool empty() const noexcept { return size_ == 0; }
  size_type capacity() const noexcept { return heap_ != nullptr ? cap_ : kInline; }

  T* data() noexcept { return heap_ != nullptr ? heap_ : inline_; }
  const T* data() const noexcept { return heap_ != nullptr ? heap_ : inline_; }

  iterator begin() noexcept { return data(); }
  iterator end() noexcept { return data() + size_; }
  const_iterator begin() const noexcept { return data(); }
  const_iterator end() const noexcept { return data() + size_; }
  const_iterator cbegin() const noexcept { return begin(); }
  const_iterator cend() const noexcept { return end(); }
  reverse_iterator rbegin() noexcept { return reverse_iterator(end()); }
  reverse_iterator rend() noexcept { return reverse_iterator(begin()); }
  const_reverse_iterator rbegin() const noexcept { return const_reverse_iterator(end()); }
  const_reverse_iterator rend() const noexcept { return const_reverse_iterator(begin()); }
  const_reverse_iterator crbegin() const noexcept { return rbegin(); }
  const_reverse_iterator crend() const noexcept { return rend(); }

  T& operator[](size_type i) noexcept { return data()[i]; }
  const T& operator[](size_type i) const noexcept { return data()[i]; }
  T& at(size_type i) {
    if (i >= size_) throw std::out_of_range("xgrad::mem::Dims::at: index out of range");
    return data()[i];
  }
  const T& at(size_type i) const {
    if (i >= size_) throw std::out_of_range("xgrad::mem::Dims::at: index out of range");
    return data()[i];
  }
  T& front() noexcept { return data()[0]; }
  const T& front() const noexcept { return data()[0]; }
  T& back() noexcept { return data()[size_ - 1]; }
  const T& back() const noexcept { return data()[size_ - 1]; }

  void reserve(size_type n) {
    if (n > capacity()) grow(n);
  }
  /// New elements are value-initialized (zero).
  void resize(size_type n) { resize(n, T()); }
  void resize(size_type n, const T& v) {
    if (heap_ == nullptr && n <= kInline) {
      fill_inline(size_, n, v);
    } else {
      reserve(n);
      std::fill(data() + std::min(size_, n), data() + n, v);
    }
    size_ = n;
  }
  void assign(size_type n, const T& v) {
    if (heap_ == nullptr && n <= kInline) {
      fill_inline(0, n, v);
    } else {
      reserve(n);
      std::fill_n(data(), n, v);
    }
    size_ = n;
  }
  template <class It, class = typename std::iterator_traits<It>::iterator_category>
  void assign(It first, It last) {
    const auto n = static_cast<size_type>(std::distance(first, last));
    reserve(n);
    T* d = data();
    for (size_type i = 0; i < n; ++i, ++first) d[i] = static_cast<T>(*first);
    size_ = n;
  }
  void clear() noexcept { size_ = 0; }
  void push_back(const T& v) {
    if (size_ == capacity()) grow(2 * capacity());
    data()[size_++] = v;
  }
  void pop_back() noexcept { --size_; }
  iterator insert(const_iterator pos, const T& v) {
    const auto at = static_cast<size_type>(pos - begin());
    if (size_ == capacity()) grow(2 * capacity());
    T* d = data();
    for (size_type i = size_; i > at; --i) d[i] = d[i - 1];
    d[at] = v;
    ++size_;
    return d + at;
  }
  template <class It, class = typename std::iterator_traits<It>::iterator_category>
  iterator insert(const_iterator pos, It first, It last) {
    const auto at = static_cast<size_type>(pos - begin());
    const auto n = static_cast<size_type>(std::distance(first, last));
    reserve(size_ + n);
    T* d = data();
    for (size_type i = size_; i > at; --i) d[i - 1 + n] = d[i - 1];
    for (size_type i = 0; i < n; ++i, ++first) d[at + i] = static_cast<T>(*first);
    size_ += n;
    return d + at;
  }
  iterator erase(const_iterator first, const_iterator last) {
    const auto from = static_cast<size_type>(first - begin());
    const auto n = static_cast<size_type>(last - first);
    T* d = data();
    for (size_type i = from; i + n < size_; ++i) d[i] = d[i + n];
    size_ -= n;
    return d + from;
  }
  iterator erase(const_iterator pos) { return erase(pos, pos + 1); }
  void swap(Dims& o) noexcept {
    Dims tmp(std::move(o));
    o = std::move(*this);
    *this = std::move(tmp);
  }

  friend bool operator==(const Dims& a, const Dims& b) noexcept {
    // A loop, not std::equal: that becomes a memcmp call, dearer than comparing 1-4 extents.
    if (a.size_ != b.size_) return false;
    const T* x = a.data();
    const T* y = b.data();
    for (size_type i = 0; i < a.size_; ++i) {
      if (x[i] != y[i]) return false;
    }
    return true;
  }
  friend bool operator!=(const Dims& a, const Dims& b) noexcept { return !(a == b); }
  friend bool operator<(const Dims& a, const Dims& b) noexcept {
    return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end());
  }

 private:
  void grow(size_type n) {
    A alloc;
    T* p = std::allocator_traits<A>::allocate(alloc, n);
    if (size_ != 0) std::memcpy(p, data(), size_ * sizeof(T));
    release();
    heap_ = p;
    cap_ = n;
  }
  void release() noexcept {
    if (heap_ != nullptr) {
      A alloc;
      std::allocator_traits<A>::deallocate(alloc, heap_, cap_);
      heap_ = nullptr;
      cap_ = 0;
    }
  }
  void copy_from(const Dims& o) {
    reserve(o.size_);
    if (o.heap_ != nullptr) {
      std::memcpy(data(), o.data(), o.size_ * sizeof(T));
    } else {
      copy_inline(data(), o.inline_);
    }
    size_ = o.size_;
  }
  // The inline block in two 16-byte halves: extents are usually stored in pairs just before a
  // copy, and one 32-byte load of two pending 16-byte stores cannot be forwarded (it stalls).
  static void copy_inline(T* dst, const T* src) noexcept {
    constexpr std::size_t kBytes = kInline * sizeof(T);
    if constexpr (kBytes == 32) {  // sizes and strides: 4 x 8 bytes
      std::memcpy(dst, src, 16);
      std::memcpy(reinterpret_cast<char*>(dst) + 16, reinterpret_cast<const char*>(src) + 16, 16);
    } else {
      std::memcpy(dst, src, kBytes);
    }
  }
  // inline_[i] = v for from <= i < to, with a fixed trip count: a loop to a variable bound
  // becomes a memset, which GCC expands to `rep stos`, dear to start for 1-4 elements.
  void fill_inline(size_type from, size_type to, const T& v) noexcept {
    for (size_type i = 0; i < kInline; ++i) {
      if (i >= from && i < to) inline_[i] = v;
    }
  }
  // Precondition: this holds no heap block.
  void steal(Dims& o) noexcept {
    size_ = o.size_;
    if (o.heap_ != nullptr) {
      heap_ = o.heap_;
      cap_ = o.cap_;
      o.heap_ = nullptr;
      o.cap_ = 0;
    } else {
      copy_inline(inline_, o.inline_);
    }
    o.size_ = 0;
  }

  T* heap_ = nullptr;
  size_type size_ = 0;
  size_type cap_ = 0;
  T inline_[kInline] = {};
};

}  // namespace xgrad::mem
