// SPDX-License-Identifier: MIT
#pragma once

/// Forward declarations of xgrad's public types (no includes, no definitions).
namespace xgrad {

template <class T>
class Node;
template <class T>
class BasicTensor;
class Generator;
class NoGradGuard;

using Tensor = BasicTensor<float>;
using Tensor64 = BasicTensor<double>;

}  // namespace xgrad
