// SPDX-License-Identifier: MIT
#pragma once

#include <stdexcept>
#include <string>

namespace xgrad {

/// Thrown for unreadable or malformed files (.npy, .npz, .csv), failed writes, and a saved
/// state that does not match the tensors it is loaded into. The message starts with the
/// function name and names the file (and the line, entry or key) concerned.
///
/// Derives from std::runtime_error, so `catch (const std::runtime_error&)` also catches it.
class IoError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace xgrad
