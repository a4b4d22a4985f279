// SPDX-License-Identifier: MIT
#pragma once

namespace xgrad::detail {

/// Blocks template argument deduction, so that `tensor * 2.0` works for float tensors too.
template <class T>
struct type_identity {
  using type = T;
};
template <class T>
using scalar_t = typename type_identity<T>::type;

}  // namespace xgrad::detail
