// SPDX-License-Identifier: MIT
#include <xgrad/data/csv.hpp>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <system_error>
#include <vector>

#include "../io/file_util.hpp"

namespace xgrad::data {
namespace {

constexpr std::uint64_t kMaxCsvBytes = std::uint64_t{1} << 32;

/// Untrusted text for a message: at most 40 characters, control characters as '?'.
std::string shown(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size() && i < 40; ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    out += (c < 0x20 || c == 0x7f) ? '?' : static_cast<char>(c);
  }
  if (s.size() > 40) out += "...";
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

/// Parses a whole field as T; returns an error description or an empty string.
template <class T>
std::string parse_number(std::string_view field, T& out) {
  std::string_view s = field;
  if (s.size() > 1 && s[0] == '+' && s[1] != '-' && s[1] != '+') s.remove_prefix(1);
  const char* first = s.data();
  const char* last = s.data() + s.size();
  auto [ptr, ec] = std::from_chars(first, last, out);
  if (ec == std::errc::result_out_of_range && ptr == last) {
    // Out of T's range. Below it (underflow) NumPy gives 0; above it is an error. Tell them
    // apart with a wider type.
    long double wide = 0;
    const auto r = std::from_chars(first, last, wide);
    if (r.ec == std::errc() && std::fabs(wide) < 1.0L) {
      out = static_cast<T>(wide);  // 0 or a subnormal, with the sign
      return {};
    }
    return "'" + shown(field) + "' is out of range for " + (sizeof(T) == 4 ? "float32" : "float64");
  }
  if (ec != std::errc() || ptr != last) return "'" + shown(field) + "' is not a number";
  return {};
}

template <class T>
Array<T> parse_impl(std::string_view text, const CsvOptions& options, const std::string& source,
                    const char* fn) {
  const auto where = [&](std::size_t line) {
    return std::string(fn) + ": " + source + " line " + std::to_string(line);
  };
  if (text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  std::vector<T> values;
  std::size_t cols = 0, rows = 0, line_no = 0;
  bool header_pending = options.has_header;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(pos, nl - pos);
    pos = nl + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (trim(line).empty()) continue;
    if (header_pending) {
      header_pending = false;
      continue;
    }
    std::size_t count = 0, start = 0;
    for (;;) {
      std::size_t end = line.find(options.delimiter, start);
      if (end == std::string_view::npos) end = line.size();
      ++count;
      if (rows == 0 || count <= cols) {
        const std::string_view field = trim(line.substr(start, end - start));
        if (field.empty()) {
          throw IoError(where(line_no) + ", column " + std::to_string(count) + ": empty field");
        }
        T v{};
        if (const std::string err = parse_number(field, v); !err.empty()) {
          throw IoError(where(line_no) + ", column " + std::to_string(count) + ": " + err);
        }
        values.push_back(v);
      }
      if (end == line.size()) break;
      start = end + 1;
    }
    if (rows == 0) {
      cols = count;
    } else if (count != cols) {
      throw IoError(where(line_no) + " has " + std::to_string(count) + " field" +
                    (count == 1 ? "" : "s") + ", expected " + std::to_string(cols) +
                    " (as on the first data row)");
    }
    ++rows;
  }
  if (rows == 0) {
    throw IoError(std::string(fn) + ": " + source + " has no data rows" +
                  (options.has_header && !header_pending ? " after the header" : "") +
                  (text.empty() ? " (empty file)" : ""));
  }
  Array<T> out = Array<T>::from_shape({rows, cols});
  std::copy(values.begin(), values.end(), out.begin());
  return out;
}

}  // namespace

template <class T>
Array<T> load_csv(const std::filesystem::path& path, const CsvOptions& options) {
  const std::string text = io::detail::read_file(path, kMaxCsvBytes, "load_csv");
  return parse_impl<T>(text, options, io::detail::quoted(path), "load_csv");
}

template <class T>
Array<T> parse_csv(std::string_view text, const CsvOptions& options, const std::string& source) {
  return parse_impl<T>(text, options, source, "parse_csv");
}

template Array<float> load_csv<float>(const std::filesystem::path&, const CsvOptions&);
template Array<double> load_csv<double>(const std::filesystem::path&, const CsvOptions&);
template Array<float> parse_csv<float>(std::string_view, const CsvOptions&, const std::string&);
template Array<double> parse_csv<double>(std::string_view, const CsvOptions&, const std::string&);

}  // namespace xgrad::data
