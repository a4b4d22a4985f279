// SPDX-License-Identifier: MIT
#pragma once

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include <xgrad/io/npy.hpp>

/// \file
/// NumPy's .npz format: a zip archive with one .npy file per array, named "<key>.npy"
/// (numpy.savez stores them uncompressed, numpy.savez_compressed deflates them). Read and
/// written with libzip; every entry is checked (CRC, sizes against LoadLimits before
/// allocating, unique names) and parsed with parse_npy.

namespace xgrad::io {

/// Named arrays in archive order; the names are the keys, without the ".npy" suffix.
using NpzEntries = std::vector<std::pair<std::string, NpyArray>>;

/// Options of write_npz / save_npz.
struct NpzOptions {
  /// false: entries are stored (numpy.savez); true: deflated (numpy.savez_compressed).
  bool compress = false;
};

/// Parses a whole .npz archive held in memory. Each entry "<key>.npy" becomes (key, array)
/// (an entry without the suffix keeps its full name, as numpy.load does).
///
/// Throws xgrad::IoError ("parse_npz: ...") if the data is empty or not a zip archive, the
/// archive is inconsistent, has more than `limits.max_entries` entries or two entries with the
/// same name, an entry is encrypted or uses an unsupported compression, its CRC does not
/// match, its declared size exceeds the limits (checked before allocating), or it is not a
/// valid .npy (the message then names the entry).
NpzEntries parse_npz(const char* data, std::size_t size, const LoadLimits& limits = {});

/// parse_npz over the bytes of a std::string: the in-memory entry point (e.g. for fuzzing).
NpzEntries load_npz_from_memory(const std::string& bytes, const LoadLimits& limits = {});

/// Reads and parses the .npz file at `path`. Throws xgrad::IoError naming the file.
NpzEntries load_npz(const std::filesystem::path& path, const LoadLimits& limits = {});

/// Serialises `entries` as a .npz archive (entry "<key>.npy" per array, written with
/// write_npy) that numpy.load reads. Entry timestamps are fixed (1980-01-01), so equal input
/// gives identical bytes. Throws std::invalid_argument if a key is empty, contains '\0', or
/// appears twice, and xgrad::IoError if libzip fails.
std::string write_npz(const NpzEntries& entries, const NpzOptions& options = {});

/// write_npz, written to `path` atomically (temporary file, fsync, rename): a failed save
/// leaves any previous file intact. Throws xgrad::IoError naming the file on failure.
void save_npz(const std::filesystem::path& path, const NpzEntries& entries,
              const NpzOptions& options = {});

}  // namespace xgrad::io
