// SPDX-License-Identifier: MIT
#pragma once
// Internal file helpers of the io and data modules (not installed).

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace xgrad::io::detail {

/// The whole content of `path`. Throws xgrad::IoError "<fn>: cannot open '<path>': <reason>"
/// if it cannot be opened or read, and "<fn>: '<path>' is larger than ..." if it holds more
/// than `max_bytes` bytes (checked before reading for regular files).
std::string read_file(const std::filesystem::path& path, std::uint64_t max_bytes, const char* fn);

/// Replaces `path` by `bytes` atomically: writes "<path>.tmp-XXXXXX" in the same directory,
/// fsyncs it, renames it over `path` and fsyncs the directory. On failure the temporary file
/// is removed, any previous `path` is left untouched, and xgrad::IoError
/// "<fn>: cannot write '<file>': <reason>" is thrown. A new file gets the mode 0666 minus the
/// umask; an existing file's permission bits are kept.
void write_file_atomic(const std::filesystem::path& path, std::string_view bytes, const char* fn);

/// "'<path>'" for messages.
std::string quoted(const std::filesystem::path& path);

}  // namespace xgrad::io::detail
