// SPDX-License-Identifier: MIT
#pragma once

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include <xgrad/io/npz.hpp>
#include <xgrad/tensor.hpp>

/// \file
/// Saving and loading named tensors (a model's parameters) as a .npz archive that NumPy
/// reads and writes: `numpy.load("model.npz")["fc1.weight"]`.
///
///     xgrad::io::NamedTensors<float> params = {{"fc1.weight", w}, {"fc1.bias", b}};
///     xgrad::io::save(params, "model.npz");   // atomic: the old file survives a failure
///     xgrad::io::load(params, "model.npz");   // strict: all or nothing

namespace xgrad::io {

/// Ordered (dotted name, tensor) pairs, like nn::Module::named_parameters(). The tensors are
/// handles, so load() updates the tensors the caller (or a module) holds.
template <class T>
using NamedTensors = std::vector<std::pair<std::string, BasicTensor<T>>>;

/// Options of save().
struct SaveOptions {
  /// false: stored entries, like numpy.savez; true: deflated, like numpy.savez_compressed.
  bool compress = false;
};

/// Writes each tensor's value as entry "<name>.npy" (dtype '<f4' for float, '<f8' for
/// double) of a .npz archive at `path`, in the given order.
///
/// Atomic: the archive is built in memory, written to "<path>.tmp-XXXXXX" in the same
/// directory, fsynced and renamed over `path`; on any failure the temporary file is removed
/// and a previous `path` is unchanged. Values round-trip bit for bit (NaN payloads, -0.0,
/// subnormals, every shape including () and (0,)).
/// Throws std::invalid_argument ("save: ...") for an empty or repeated name or an undefined
/// tensor, and xgrad::IoError naming the file if it cannot be written.
template <class T>
void save(const NamedTensors<T>& named, const std::filesystem::path& path,
          const SaveOptions& options = {});

/// Loads the .npz archive at `path` into `named`, strictly and all-or-nothing.
///
/// Every entry is read and validated first (see parse_npz and `limits`). Then the file's
/// keys are matched with the names: every missing key, unexpected key, shape mismatch and
/// dtype mismatch (a float64 file for float tensors is one: no silent conversion) is
/// collected into one xgrad::IoError that lists them all, e.g.
///   load: 'model.npz' does not match the 2 tensors (2 problems):
///     missing key 'fc2.bias' (shape (3,), float32)
///     shape mismatch for 'fc1.weight': the file has (3, 2), the tensor has (2, 3)
/// Only when everything matches are the values copied in (through mutable_value(), which
/// bumps each tensor's version); on any error no tensor is modified.
/// Throws std::invalid_argument for an empty or repeated name or an undefined tensor, and
/// xgrad::IoError naming the file if it is missing, unreadable or malformed.
template <class T>
void load(const NamedTensors<T>& named, const std::filesystem::path& path,
          const LoadLimits& limits = {});

/// load() from .npz bytes already in memory; `source` names them in messages.
template <class T>
void load_from_memory(const NamedTensors<T>& named, const std::string& bytes,
                      const LoadLimits& limits = {}, const std::string& source = "<memory>");

}  // namespace xgrad::io
