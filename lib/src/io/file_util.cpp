// SPDX-License-Identifier: MIT
#include "file_util.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>

#include <xgrad/detail/thresholds.hpp>
#include <xgrad/io/error.hpp>

namespace xgrad::io::detail {
namespace {

std::string errno_str(int err) { return std::strerror(err); }

/// Closes a file descriptor at scope exit unless released.
class FdGuard {
 public:
  explicit FdGuard(int fd) noexcept : fd_(fd) {}
  FdGuard(const FdGuard&) = delete;
  FdGuard& operator=(const FdGuard&) = delete;
  ~FdGuard() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const noexcept { return fd_; }
  /// Closes now and returns close()'s errno (0 on success).
  int close_now() noexcept {
    const int fd = fd_;
    fd_ = -1;
    return ::close(fd) == 0 ? 0 : errno;
  }

 private:
  int fd_;
};

std::string random_suffix() {
  static constexpr char kChars[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::random_device rd;
  std::string s(6, 'x');
  for (char& c : s) c = kChars[rd() % (sizeof(kChars) - 1)];
  return s;
}

}  // namespace

std::string quoted(const std::filesystem::path& path) { return "'" + path.string() + "'"; }

std::string read_file(const std::filesystem::path& path, std::uint64_t max_bytes, const char* fn) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    throw IoError(std::string(fn) + ": cannot open " + quoted(path) + ": " + errno_str(errno));
  }
  FdGuard guard(fd);
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    throw IoError(std::string(fn) + ": cannot stat " + quoted(path) + ": " + errno_str(errno));
  }
  if (S_ISDIR(st.st_mode)) {
    throw IoError(std::string(fn) + ": cannot read " + quoted(path) + ": it is a directory");
  }
  const auto too_large = [&](std::uint64_t n) {
    return IoError(std::string(fn) + ": " + quoted(path) + " is larger than the limit of " +
                   std::to_string(max_bytes) + " bytes (" + std::to_string(n) +
                   (S_ISREG(st.st_mode) ? " bytes)" : "+ bytes read)") +
                   "; raise LoadLimits if this file is trusted");
  };
  std::string out;
  if (S_ISREG(st.st_mode)) {
    const auto n = static_cast<std::uint64_t>(st.st_size);
    if (n > max_bytes) throw too_large(n);
    out.reserve(static_cast<std::size_t>(n));
  }
  // Read until EOF (the size may change while reading, and pipes have none), never more than
  // max_bytes + 1 bytes.
  char buf[xgrad::detail::kReadChunkBytes];
  for (;;) {
    const ssize_t r = ::read(fd, buf, sizeof buf);
    if (r < 0) {
      if (errno == EINTR) continue;
      throw IoError(std::string(fn) + ": cannot read " + quoted(path) + ": " + errno_str(errno));
    }
    if (r == 0) break;
    out.append(buf, static_cast<std::size_t>(r));
    if (out.size() > max_bytes) throw too_large(out.size());
  }
  return out;
}

void write_file_atomic(const std::filesystem::path& path, std::string_view bytes, const char* fn) {
  const std::string target = path.string();
  const auto fail = [&](const std::string& what, const std::string& file, int err) {
    return IoError(std::string(fn) + ": cannot " + what + " '" + file + "': " + errno_str(err) +
                   (file == target ? "" : " (saving to '" + target + "')"));
  };
  if (target.empty()) throw IoError(std::string(fn) + ": empty file name");

  // Keep the permission bits of the file being replaced.
  mode_t mode = 0666;  // minus the umask, applied by open()
  bool keep_mode = false;
  struct stat old {};
  if (::stat(target.c_str(), &old) == 0) {
    if (S_ISDIR(old.st_mode)) {
      throw IoError(std::string(fn) + ": cannot write '" + target + "': it is a directory");
    }
    mode = old.st_mode & 07777;
    keep_mode = true;
  }

  // The temporary name: O_EXCL guarantees it is ours, retried on the (unlikely) collision.
  std::string tmp;
  int fd = -1;
  for (int attempt = 0; attempt < 100 && fd < 0; ++attempt) {
    tmp = target + ".tmp-" + random_suffix();
    fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0 && errno != EEXIST) throw fail("create", tmp, errno);
  }
  if (fd < 0) throw fail("create", tmp, EEXIST);
  FdGuard guard(fd);
  const auto fail_and_remove = [&](const std::string& what, int err) {
    ::unlink(tmp.c_str());
    return fail(what, tmp, err);
  };

  if (keep_mode && ::fchmod(fd, mode) != 0) throw fail_and_remove("set the mode of", errno);
  const char* p = bytes.data();
  std::size_t left = bytes.size();
  while (left > 0) {
    const ssize_t w = ::write(fd, p, left);
    if (w < 0) {
      if (errno == EINTR) continue;
      throw fail_and_remove("write", errno);
    }
    p += w;
    left -= static_cast<std::size_t>(w);
  }
  if (::fsync(fd) != 0) throw fail_and_remove("flush", errno);
  if (const int err = guard.close_now(); err != 0) throw fail_and_remove("close", err);
  if (::rename(tmp.c_str(), target.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    throw fail("rename '" + tmp + "' to", target, err);
  }
  // Make the rename itself durable. Errors are ignored: the new file is complete and in
  // place, and some file systems do not support fsync on directories.
  std::filesystem::path dir = path.parent_path();
  if (dir.empty()) dir = ".";
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

}  // namespace xgrad::io::detail
