// SPDX-License-Identifier: MIT
#pragma once
// The backward engine (internal; users call BasicTensor::backward).

#include <xgrad/node.hpp>

namespace xgrad::detail {

template <class T>
struct Engine {
  /// Backpropagates `seed` (shape of root's value, already checked) from `root` into every
  /// leaf that requires grad. Without `retain_graph`, frees the graph's edges as it goes, so a
  /// second backward through the same graph throws.
  static void run(Node<T>& root, Array<T>&& seed, bool retain_graph);
};

extern template struct Engine<float>;
extern template struct Engine<double>;

}  // namespace xgrad::detail
