// SPDX-License-Identifier: MIT
#pragma once
// Helpers of the io and data tests: a scratch directory, the committed fixtures, raw bytes.

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

namespace xgrad::test {

/// A fresh directory under the system temp dir, removed with its content at scope exit.
class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    const auto base = std::filesystem::temp_directory_path();
    for (int i = 0; i < 100; ++i) {
      auto p = base / ("xgrad-test-" + std::to_string(rd()) + std::to_string(rd()));
      if (std::filesystem::create_directory(p)) {
        path_ = p;
        return;
      }
    }
    throw std::runtime_error("TempDir: cannot create a directory under " + base.string());
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }
  /// Names of the files in the directory (to spot leftover temporaries).
  std::vector<std::string> files() const {
    std::vector<std::string> out;
    for (const auto& e : std::filesystem::directory_iterator(path_)) {
      out.push_back(e.path().filename().string());
    }
    return out;
  }

 private:
  std::filesystem::path path_;
};

/// tests/fixtures (committed files made by tests/fixtures/make_fixtures.py), found next to
/// this header; XGRAD_TEST_FIXTURES overrides it.
inline std::filesystem::path fixture_dir() {
  if (const char* env = std::getenv("XGRAD_TEST_FIXTURES")) return env;
  return std::filesystem::path(__FILE__).parent_path().parent_path() / "fixtures";
}

inline std::string read_bytes(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  if (!f) throw std::runtime_error("read_bytes: cannot open " + p.string());
  return std::string(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

inline void write_bytes(const std::filesystem::path& p, const std::string& bytes) {
  std::ofstream f(p, std::ios::binary | std::ios::trunc);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!f) throw std::runtime_error("write_bytes: cannot write " + p.string());
}

/// The raw little-endian bytes of `values`.
template <class T>
std::string raw_bytes(std::initializer_list<T> values) {
  std::string out(values.size() * sizeof(T), '\0');
  std::memcpy(out.data(), values.begin(), out.size());
  return out;
}

/// A .npy file with the header dict `dict`, padded as numpy pads it (spaces and '\n' up to a
/// multiple of 64 bytes), then `data`. `major` 1 writes a 2-byte header length, 2 and 3 four.
inline std::string npy_file(const std::string& dict, const std::string& data, int major = 1) {
  const std::size_t len_bytes = major == 1 ? 2 : 4;
  std::string header = dict;
  const std::size_t hlen = header.size() + 1;
  header += std::string(64 - ((6 + 2 + len_bytes + hlen) % 64), ' ') + "\n";
  std::string out = "\x93NUMPY";
  out += static_cast<char>(major);
  out += '\0';
  for (std::size_t i = 0; i < len_bytes; ++i) {
    out += static_cast<char>((header.size() >> (8 * i)) & 0xFF);
  }
  return out + header + data;
}

/// The standard CRC-32 (zip, zlib), bit by bit.
inline std::uint32_t crc32(const std::string& s) {
  std::uint32_t c = 0xFFFFFFFFu;
  for (unsigned char b : s) {
    c ^= b;
    for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
  }
  return ~c;
}

/// One member of a hand-made zip archive.
struct ZipMember {
  std::string name;
  std::string data;
  std::string extra;  ///< extra field bytes, in both the local and the central header
};

/// A zip archive of stored (uncompressed) members, written by hand so that the tests can
/// make archives libzip refuses to write (duplicate names) or rarely writes (extra fields).
inline std::string make_zip(const std::vector<ZipMember>& members) {
  const auto u16 = [](std::string& s, std::uint32_t v) {
    s += static_cast<char>(v & 0xFF);
    s += static_cast<char>((v >> 8) & 0xFF);
  };
  const auto u32 = [&](std::string& s, std::uint32_t v) {
    u16(s, v & 0xFFFF);
    u16(s, v >> 16);
  };
  std::string out, central;
  for (const auto& m : members) {
    const auto offset = static_cast<std::uint32_t>(out.size());
    const std::uint32_t crc = crc32(m.data);
    const auto size = static_cast<std::uint32_t>(m.data.size());
    out += "PK\x03\x04";
    u16(out, 20);    // version needed
    u16(out, 0);     // flags
    u16(out, 0);     // stored
    u16(out, 0);     // time
    u16(out, 0x21);  // date 1980-01-01
    u32(out, crc);
    u32(out, size);
    u32(out, size);
    u16(out, static_cast<std::uint32_t>(m.name.size()));
    u16(out, static_cast<std::uint32_t>(m.extra.size()));
    out += m.name + m.extra + m.data;

    central += "PK\x01\x02";
    u16(central, 20);  // version made by
    u16(central, 20);  // version needed
    u16(central, 0);
    u16(central, 0);
    u16(central, 0);
    u16(central, 0x21);
    u32(central, crc);
    u32(central, size);
    u32(central, size);
    u16(central, static_cast<std::uint32_t>(m.name.size()));
    u16(central, static_cast<std::uint32_t>(m.extra.size()));
    u16(central, 0);  // comment length
    u16(central, 0);  // disk
    u16(central, 0);  // internal attributes
    u32(central, 0);  // external attributes
    u32(central, offset);
    central += m.name + m.extra;
  }
  const auto cd_offset = static_cast<std::uint32_t>(out.size());
  out += central;
  out += "PK\x05\x06";
  u16(out, 0);
  u16(out, 0);
  u16(out, static_cast<std::uint32_t>(members.size()));
  u16(out, static_cast<std::uint32_t>(members.size()));
  u32(out, static_cast<std::uint32_t>(central.size()));
  u32(out, cd_offset);
  u16(out, 0);
  return out;
}

}  // namespace xgrad::test
