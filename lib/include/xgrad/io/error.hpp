// SPDX-License-Identifier: MIT
#pragma once

#include <stdexcept>
#include <string>

namespace xgrad {

/// Thrown for unreadable or malformed files (.npy, .npz, .csv), failed writes, and a saved
/// state that does not match the tensors it is loaded into. The message starts with the
/// function name and names the file (and the line, entry or key) concerned.
///
/// Named like the std exceptions it derives from, so `catch (const xgrad::io_error&)` reads
/// like `catch (const std::runtime_error&)`, which also catches it.
class io_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace xgrad
