// SPDX-License-Identifier: MIT
#include <xgrad/io/npz.hpp>

#include <zip.h>

#include <xgrad/detail/thresholds.hpp>

#include <algorithm>
#include <set>
#include <stdexcept>

#include "file_util.hpp"

namespace xgrad::io {
namespace {

constexpr std::string_view kSuffix = ".npy";
// DOS date 1980-01-01 (year-1980 << 9 | month << 5 | day), time 00:00:00: fixed timestamps
// make the archive's bytes depend on its content only.
constexpr zip_uint16_t kDosDate = (0u << 9) | (1u << 5) | 1u;
constexpr zip_uint16_t kDosTime = 0;
// An empty zip archive: just the end-of-central-directory record (libzip writes nothing for
// an archive without entries, and numpy.savez() writes exactly this).
constexpr char kEmptyZip[22] = {'P', 'K', 5, 6};

[[noreturn]] void fail(const std::string& what) { throw IoError("parse_npz: " + what); }

/// Releases a libzip archive that was not closed.
struct ArchiveGuard {
  zip_t* za;
  ~ArchiveGuard() {
    if (za != nullptr) zip_discard(za);
  }
};
/// Releases one reference to a libzip source.
struct SourceGuard {
  zip_source_t* src;
  ~SourceGuard() {
    if (src != nullptr) zip_source_free(src);
  }
};
struct FileGuard {
  zip_file_t* zf;
  ~FileGuard() {
    if (zf != nullptr) zip_fclose(zf);
  }
};

std::string key_of(const std::string& name) {
  if (name.size() >= kSuffix.size() &&
      name.compare(name.size() - kSuffix.size(), kSuffix.size(), kSuffix) == 0) {
    return name.substr(0, name.size() - kSuffix.size());
  }
  return name;
}

/// The first entry name that appears twice, found without libzip's consistency check (which
/// refuses such archives with a bare "File already exists").
std::string find_duplicate_name(const char* data, std::size_t size) {
  zip_error_t err;
  zip_error_init(&err);
  zip_source_t* src = zip_source_buffer_create(data, size, 0, &err);
  zip_error_fini(&err);
  if (src == nullptr) return "?";
  zip_error_init(&err);
  zip_t* za = zip_open_from_source(src, ZIP_RDONLY, &err);
  zip_error_fini(&err);
  if (za == nullptr) {
    zip_source_free(src);
    return "?";
  }
  ArchiveGuard guard{za};
  std::set<std::string> seen;
  const zip_int64_t n = zip_get_num_entries(za, 0);
  for (zip_int64_t i = 0; i < n; ++i) {
    const char* name = zip_get_name(za, static_cast<zip_uint64_t>(i), ZIP_FL_ENC_RAW);
    if (name != nullptr && !seen.insert(name).second) return name;
  }
  return "?";
}

/// Reads exactly `size` bytes of entry `index`, then checks that the entry ends there (which
/// is also when libzip verifies the CRC). The buffer grows with the data actually inflated,
/// not with the declared size, so a central directory that lies about a size costs nothing.
std::string read_entry(zip_t* za, zip_uint64_t index, std::size_t size, const std::string& name) {
  zip_file_t* zf = zip_fopen_index(za, index, 0);
  if (zf == nullptr) {
    fail("entry '" + name + "': cannot open: " + zip_strerror(za));
  }
  FileGuard guard{zf};
  std::string buf;
  buf.reserve(std::min<std::size_t>(size, std::size_t{1} << 20));
  char chunk[xgrad::detail::kReadChunkBytes];
  while (buf.size() < size) {
    const std::size_t want = std::min(sizeof chunk, size - buf.size());
    const zip_int64_t r = zip_fread(zf, chunk, want);
    if (r < 0) fail("entry '" + name + "': " + zip_file_strerror(zf));
    if (r == 0) {
      fail("entry '" + name + "': holds " + std::to_string(buf.size()) +
           " bytes, the archive declares " + std::to_string(size));
    }
    buf.append(chunk, static_cast<std::size_t>(r));
  }
  const zip_int64_t r = zip_fread(zf, chunk, 1);
  if (r < 0) fail("entry '" + name + "': " + zip_file_strerror(zf));
  if (r > 0) {
    fail("entry '" + name + "': holds more than the " + std::to_string(size) +
         " bytes the archive declares");
  }
  return buf;
}

}  // namespace

NpzEntries parse_npz(const char* data, std::size_t size, const LoadLimits& limits) {
  if (size == 0) fail("empty input (0 bytes), not a zip archive");
  if (data == nullptr) fail("null data pointer");
  zip_error_t err;
  zip_error_init(&err);
  zip_source_t* src = zip_source_buffer_create(data, size, 0, &err);
  if (src == nullptr) {
    const std::string msg = zip_error_strerror(&err);
    zip_error_fini(&err);
    fail("cannot read the data: " + msg);
  }
  zip_t* za = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &err);
  if (za == nullptr) {
    const int code = zip_error_code_zip(&err);
    const std::string msg = zip_error_strerror(&err);
    zip_error_fini(&err);
    zip_source_free(src);  // not taken over by a failed open
    if (code == ZIP_ER_NOZIP) fail("not a zip archive (" + msg + ")");
    if (code == ZIP_ER_EXISTS) {
      fail("duplicate entry name '" + find_duplicate_name(data, size) + "' in the archive");
    }
    fail("cannot open the zip archive: " + msg);
  }
  zip_error_fini(&err);
  ArchiveGuard guard{za};  // owns src from here

  const zip_int64_t n = zip_get_num_entries(za, 0);
  if (n < 0) fail("cannot count the entries: " + std::string(zip_strerror(za)));
  if (static_cast<std::uint64_t>(n) > limits.max_entries) {
    fail("the archive has " + std::to_string(n) + " entries, over the limit of " +
         std::to_string(limits.max_entries) + " (LoadLimits::max_entries)");
  }
  // Largest entry a valid array can need: magic, version, length, header, data.
  const std::uint64_t max_entry = limits.max_array_bytes + limits.max_header_bytes + 16;
  std::uint64_t total = 0;
  std::set<std::string> names, keys;
  NpzEntries out;
  out.reserve(static_cast<std::size_t>(n));
  for (zip_int64_t i = 0; i < n; ++i) {
    const auto index = static_cast<zip_uint64_t>(i);
    const char* cname = zip_get_name(za, index, ZIP_FL_ENC_RAW);
    if (cname == nullptr) fail("entry " + std::to_string(i) + " has no name");
    const std::string name = cname;
    if (!names.insert(name).second) fail("duplicate entry name '" + name + "' in the archive");
    std::string key = key_of(name);
    if (!keys.insert(key).second) fail("duplicate key '" + key + "' (entry '" + name + "')");

    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_stat_index(za, index, 0, &st) != 0) {
      fail("entry '" + name + "': " + std::string(zip_strerror(za)));
    }
    if ((st.valid & ZIP_STAT_SIZE) == 0) fail("entry '" + name + "' has no size");
    if ((st.valid & ZIP_STAT_ENCRYPTION_METHOD) != 0 && st.encryption_method != ZIP_EM_NONE) {
      fail("entry '" + name + "' is encrypted");
    }
    if ((st.valid & ZIP_STAT_COMP_SIZE) != 0 && st.comp_size > size) {
      fail("entry '" + name + "' declares " + std::to_string(st.comp_size) +
           " compressed bytes, more than the whole archive");
    }
    if (st.size > max_entry) {
      fail("entry '" + name + "' declares " + std::to_string(st.size) +
           " bytes, over the limit of " + std::to_string(max_entry) +
           " (LoadLimits::max_array_bytes)");
    }
    total += st.size;
    if (total > limits.max_total_bytes) {
      fail("the entries hold more than the limit of " + std::to_string(limits.max_total_bytes) +
           " bytes (LoadLimits::max_total_bytes)");
    }
    const std::string bytes = read_entry(za, index, static_cast<std::size_t>(st.size), name);
    try {
      out.emplace_back(std::move(key), parse_npy(bytes, limits));
    } catch (const IoError& e) {
      fail("entry '" + name + "': " + e.what());
    }
  }
  return out;
}

NpzEntries load_npz_from_memory(const std::string& bytes, const LoadLimits& limits) {
  return parse_npz(bytes.data(), bytes.size(), limits);
}

NpzEntries load_npz(const std::filesystem::path& path, const LoadLimits& limits) {
  const std::string bytes = detail::read_file(path, limits.max_total_bytes, "load_npz");
  try {
    return parse_npz(bytes.data(), bytes.size(), limits);
  } catch (const IoError& e) {
    throw IoError("load_npz: " + detail::quoted(path) + ": " + e.what());
  }
}

std::string write_npz(const NpzEntries& entries, const NpzOptions& options) {
  std::set<std::string> keys;
  for (const auto& [key, array] : entries) {
    if (key.empty()) throw std::invalid_argument("write_npz: empty key");
    if (key.find('\0') != std::string::npos) {
      throw std::invalid_argument("write_npz: key contains a NUL character");
    }
    if (!keys.insert(key).second) {
      throw std::invalid_argument("write_npz: duplicate key '" + key + "'");
    }
  }
  if (entries.empty()) return std::string(kEmptyZip, sizeof kEmptyZip);

  // The serialised arrays must outlive zip_close, which is when libzip reads them.
  std::vector<std::string> blobs;
  blobs.reserve(entries.size());
  for (const auto& entry : entries) blobs.push_back(write_npy(entry.second));

  const auto zfail = [](const std::string& what) { return IoError("write_npz: " + what); };
  zip_error_t err;
  zip_error_init(&err);
  zip_source_t* src = zip_source_buffer_create(nullptr, 0, 0, &err);
  if (src == nullptr) {
    const std::string msg = zip_error_strerror(&err);
    zip_error_fini(&err);
    throw zfail("cannot create a buffer: " + msg);
  }
  zip_t* za = zip_open_from_source(src, ZIP_CREATE | ZIP_TRUNCATE, &err);
  if (za == nullptr) {
    const std::string msg = zip_error_strerror(&err);
    zip_error_fini(&err);
    zip_source_free(src);
    throw zfail("cannot create an archive: " + msg);
  }
  zip_error_fini(&err);
  zip_source_keep(src);  // read back after zip_close, which drops the archive's reference
  SourceGuard src_guard{src};
  ArchiveGuard guard{za};

  for (std::size_t i = 0; i < entries.size(); ++i) {
    const std::string name = entries[i].first + std::string(kSuffix);
    zip_source_t* entry_src = zip_source_buffer(za, blobs[i].data(), blobs[i].size(), 0);
    if (entry_src == nullptr) throw zfail("entry '" + name + "': " + zip_strerror(za));
    const zip_int64_t idx = zip_file_add(za, name.c_str(), entry_src, ZIP_FL_ENC_UTF_8);
    if (idx < 0) {
      zip_source_free(entry_src);
      throw zfail("entry '" + name + "': " + zip_strerror(za));
    }
    const auto uidx = static_cast<zip_uint64_t>(idx);
    if (zip_set_file_compression(za, uidx, options.compress ? ZIP_CM_DEFLATE : ZIP_CM_STORE, 0) !=
            0 ||
        zip_file_set_dostime(za, uidx, kDosTime, kDosDate, 0) != 0) {
      throw zfail("entry '" + name + "': " + zip_strerror(za));
    }
  }
  if (zip_close(za) != 0) throw zfail(std::string("cannot write the archive: ") + zip_strerror(za));
  guard.za = nullptr;  // closed and freed by zip_close

  zip_stat_t st;
  zip_stat_init(&st);
  if (zip_source_stat(src, &st) != 0 || (st.valid & ZIP_STAT_SIZE) == 0 ||
      zip_source_open(src) != 0) {
    throw zfail(std::string("cannot read the archive back: ") +
                zip_error_strerror(zip_source_error(src)));
  }
  std::string out(static_cast<std::size_t>(st.size), '\0');
  std::size_t got = 0;
  while (got < out.size()) {
    const zip_int64_t r = zip_source_read(src, out.data() + got, out.size() - got);
    if (r <= 0) break;
    got += static_cast<std::size_t>(r);
  }
  zip_source_close(src);
  if (got != out.size()) {
    throw zfail("cannot read the archive back: " + std::to_string(got) + " of " +
                std::to_string(out.size()) + " bytes");
  }
  return out;
}

void save_npz(const std::filesystem::path& path, const NpzEntries& entries,
              const NpzOptions& options) {
  const std::string bytes = write_npz(entries, options);
  detail::write_file_atomic(path, bytes, "save_npz");
}

}  // namespace xgrad::io
