// SPDX-License-Identifier: MIT
#include <cmath>
#include <limits>

#include <xgrad/data/csv.hpp>

#include "io/io_test_util.hpp"
#include "support/helpers.hpp"

using namespace xgrad;
using data::CsvOptions;

namespace {

void require_error(const std::string& text, const std::string& what, CsvOptions opt = {}) {
  INFO("text: " << text << "\nexpected: " << what);
  try {
    data::parse_csv<double>(text, opt);
    FAIL("parse_csv accepted the text");
  } catch (const IoError& e) {
    INFO("message: " << e.what());
    CHECK_THAT(e.what(), Catch::StartsWith("parse_csv: '<memory>'") && Catch::Contains(what));
  }
}

}  // namespace

TEST_CASE("csv: numbers in rows and columns", "[data][csv]") {
  const auto a = data::parse_csv<double>("1,2,3\n4.5,-5e-1,+6\n");
  CHECK(a == test::make({1, 2, 3, 4.5, -0.5, 6}, {2, 3}));

  // Header, CRLF, blank lines, spaces, a byte order mark, a missing final newline.
  CsvOptions opt;
  opt.has_header = true;
  const auto b = data::parse_csv<float>("\xEF\xBB\xBFx, y\r\n\r\n 1 , 2\r\n\n\t3\t,4 ", opt);
  CHECK(b == xt::xarray<float>(test::make({1, 2, 3, 4}, {2, 2})));

  opt = {};
  opt.delimiter = ';';
  CHECK((data::parse_csv<double>("1;2\n3;4\n", opt) == test::make({1, 2, 3, 4}, {2, 2})));
  opt.delimiter = '\t';
  CHECK((data::parse_csv<double>("1\t2\n", opt) == test::make({1, 2}, {1, 2})));

  // A single column is still 2-D.
  CHECK(data::parse_csv<double>("7\n8\n").shape() == Shape{2, 1});
}

TEST_CASE("csv: a byte order mark before the first data row is skipped", "[data][csv]") {
  // Without a header the mark sits in front of the first number (the header case above skips
  // the whole first line anyway): "utf-8-sig" decoding, as in NumPy and pandas.
  CHECK((data::parse_csv<double>("\xEF\xBB\xBF"
                                 "1,2\n3,4\n") == test::make({1, 2, 3, 4}, {2, 2})));
  CHECK((data::parse_csv<float>("\xEF\xBB\xBF"
                                "-0.5\n") == xt::xarray<float>(test::make({-0.5}, {1, 1}))));
  // Only at the very start: elsewhere the mark is text, and not a number.
  require_error(
      "1,2\n\xEF\xBB\xBF"
      "3,4\n",
      "line 2, column 1:");
}

TEST_CASE("csv: special values and range", "[data][csv]") {
  const auto a = data::parse_csv<double>("inf,-inf,nan,1e308,4.9e-324,1e-400");
  CHECK(std::isinf(a(0, 0)));
  CHECK(a(0, 1) == -std::numeric_limits<double>::infinity());
  CHECK(std::isnan(a(0, 2)));
  CHECK(a(0, 3) == 1e308);
  CHECK(a(0, 4) == std::numeric_limits<double>::denorm_min());
  CHECK(a(0, 5) == 0.0);  // below the range: 0, as NumPy gives

  const auto f = data::parse_csv<float>("1e-50,-1e-50,1e-45,0.1");
  CHECK(f(0, 0) == 0.0f);
  CHECK(std::signbit(f(0, 1)));
  CHECK(f(0, 2) == std::numeric_limits<float>::denorm_min());
  CHECK(f(0, 3) == 0.1f);  // correctly rounded from the text, not through double

  CHECK_THROWS_WITH(data::parse_csv<float>("1,1e39"),
                    Catch::Contains("line 1, column 2: '1e39' is out of range for float32"));
  require_error("1e400", "line 1, column 1: '1e400' is out of range for float64");
}

TEST_CASE("csv: errors name the source, the line and the column", "[data][csv]") {
  require_error("1,2,3\n4,5\n", "line 2 has 2 fields, expected 3");
  require_error("1,2\n3,4,5\n", "line 2 has 3 fields, expected 2");
  require_error("1,2,3\n4,abc,6\n", "line 2, column 2: 'abc' is not a number");
  require_error("1,2\n\n3,1.5x\n", "line 3, column 2: '1.5x' is not a number");
  require_error("1,,3\n", "line 1, column 2: empty field");
  require_error("1,2,\n", "line 1, column 3: empty field");
  require_error("0x10\n", "'0x10' is not a number");
  require_error("\"1\",2\n", "'\"1\"' is not a number");
  require_error("", "has no data rows (empty file)");
  require_error("\n  \n", "has no data rows");
  CsvOptions opt;
  opt.has_header = true;
  require_error("a,b\n", "has no data rows after the header", opt);
  // Line numbers count the header and blank lines.
  require_error("a,b\n\n1,2\nx,4\n", "line 4, column 1: 'x' is not a number", opt);
  // Without has_header, a header row is a non-numeric cell.
  require_error("a,b\n1,2\n", "line 1, column 1: 'a' is not a number");
}

TEST_CASE("csv: load_csv reads files and names them in errors", "[data][csv]") {
  test::TempDir dir;
  test::write_bytes(dir / "d.csv", "a,b,c\n1,2,3\n4,5,6\n");
  CsvOptions opt;
  opt.has_header = true;
  CHECK((data::load_csv<double>(dir / "d.csv", opt) == test::make({1, 2, 3, 4, 5, 6}, {2, 3})));

  const auto missing = dir / "missing.csv";
  CHECK_THROWS_WITH(data::load_csv<float>(missing),
                    Catch::Contains("load_csv: cannot open '" + missing.string() +
                                    "': No such file or directory"));
  test::write_bytes(dir / "ragged.csv", "1,2\n3\n");
  CHECK_THROWS_WITH(data::load_csv<float>(dir / "ragged.csv"),
                    Catch::Contains("load_csv: '" + (dir / "ragged.csv").string() +
                                    "' line 2 has 1 field, expected 2"));
  test::write_bytes(dir / "empty.csv", "");
  CHECK_THROWS_WITH(data::load_csv<float>(dir / "empty.csv"),
                    Catch::Contains("has no data rows (empty file)"));
  CHECK_THROWS_AS(data::load_csv<float>(dir / "empty.csv"), std::runtime_error);
}
