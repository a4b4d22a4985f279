// SPDX-License-Identifier: MIT
#pragma once

#include <xgrad/array.hpp>

#include <filesystem>
#include <string>
#include <string_view>

#include <xgrad/io/error.hpp>
#include <xtensor/xarray.hpp>

namespace xgrad::data {

/// Options of load_csv / parse_csv.
struct CsvOptions {
  char delimiter = ',';     ///< field separator (e.g. ';' or '\t')
  bool has_header = false;  ///< skip the first non-blank line (column names)
};

/// Reads a numeric CSV file into a 2-D array of shape (rows, columns).
///
/// Our own parser (xtensor's xt::load_csv reports neither line nor column): one row per
/// line ('\n' or "\r\n"), fields split at `delimiter` and trimmed of spaces and tabs, a UTF-8
/// byte order mark and blank lines ignored. Each field must be a whole decimal number (an
/// optional sign, digits, '.', exponent) or inf / nan; a value below the type's range
/// becomes 0 (as in NumPy), one above it is an error. No quoting.
///
/// Throws xgrad::IoError whose message names the file and the line (1-based, counting every
/// physical line): for a missing or unreadable file ("load_csv: cannot open 'f.csv': No such
/// file or directory"), a file without data rows ("load_csv: 'f.csv' has no data rows"),
/// ragged rows ("load_csv: 'f.csv' line 4 has 2 fields, expected 3"), empty or non-numeric
/// cells ("load_csv: 'f.csv' line 3, column 2: 'abc' is not a number") and values out of
/// range.
template <class T>
Array<T> load_csv(const std::filesystem::path& path, const CsvOptions& options = {});

/// load_csv on text in memory; `source` names it in messages (e.g. "'<memory>'").
template <class T>
Array<T> parse_csv(std::string_view text, const CsvOptions& options = {},
                   const std::string& source = "'<memory>'");

}  // namespace xgrad::data
