// SPDX-License-Identifier: MIT
#pragma once
// Extracts the public op signatures from xgrad's headers, for the registry's meta-test: every
// free function whose return type is a tensor (BasicTensor<...>, Tensor, Tensor64), including
// operator overloads, as a canonical signature such as "add(Tensor,scalar)" or
// "concat(vector<Tensor>,int64_t)". Canonical form: parameter names, default arguments,
// `const`, `&`, `std::` and `detail::` removed; BasicTensor<T> (or <float>/<double>, Tensor,
// Tensor64) written "Tensor" and detail::scalar_t<T> written "scalar".

#include <cctype>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

namespace xgrad::test::registry {

/// `text` without // and /* */ comments (string literals do not occur in the declarations).
inline std::string strip_comments(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text.compare(i, 2, "//") == 0) {
      while (i < text.size() && text[i] != '\n') ++i;
      out += '\n';
    } else if (text.compare(i, 2, "/*") == 0) {
      const std::size_t end = text.find("*/", i + 2);
      i = end == std::string::npos ? text.size() : end + 1;
      out += ' ';
    } else {
      out += text[i];
    }
  }
  return out;
}

inline std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (std::size_t p = s.find(from); p != std::string::npos; p = s.find(from, p + to.size())) {
    s.replace(p, from.size(), to);
  }
  return s;
}

/// One parameter declaration in canonical form: "const BasicTensor<T>& a" -> "Tensor",
/// "std::int64_t axis = 0" -> "int64_t", "detail::scalar_t<T> s" -> "scalar".
inline std::string canonical_param(std::string p) {
  // Drop a default argument (a top-level '=').
  int depth = 0;
  for (std::size_t i = 0; i < p.size(); ++i) {
    const char c = p[i];
    if (c == '<' || c == '(' || c == '{' || c == '[') ++depth;
    if (c == '>' || c == ')' || c == '}' || c == ']') --depth;
    if (c == '=' && depth == 0) {
      p.resize(i);
      break;
    }
  }
  p = std::regex_replace(p, std::regex(R"(\bconst\b|&)"), " ");
  // Drop the parameter name: a trailing identifier preceded by more of the type.
  p = std::regex_replace(p, std::regex(R"(^\s+|\s+$)"), "");
  const std::smatch m = [&p] {
    std::smatch r;
    std::regex_search(p, r, std::regex(R"(^(.*[\w>*])\s+([A-Za-z_]\w*)$)"));
    return r;
  }();
  if (!m.empty()) p = m[1].str();
  p = std::regex_replace(p, std::regex(R"(\s+)"), "");
  p = replace_all(p, "std::", "");
  p = replace_all(p, "detail::", "");
  p = replace_all(p, "xgrad::", "");
  p = std::regex_replace(p, std::regex(R"(BasicTensor<\w+>|\bTensor64\b)"), "Tensor");
  p = std::regex_replace(p, std::regex(R"(scalar_t<\w+>)"), "scalar");
  return p;
}

/// The canonical signatures of the tensor-returning free functions declared or defined in
/// `header_text`, in order of appearance (an overload declared twice appears twice).
inline std::vector<std::string> extract_op_signatures(const std::string& header_text) {
  const std::string text = strip_comments(header_text);
  // A return type at the start of a line (after `template <...>` lines, `inline` or
  // `static`), then a name or an operator, then '('.
  static const std::regex decl(R"((?:^|\n)[ \t]*(?:(?:inline|static|constexpr)\s+)*(?:xgrad::)?)"
                               R"((?:BasicTensor\s*<\s*\w+\s*>|Tensor64|Tensor)\s+)"
                               R"((operator\s*[^\s(]+|[A-Za-z_]\w*)\s*\()");
  std::vector<std::string> out;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), decl); it != std::sregex_iterator();
       ++it) {
    const std::string name = std::regex_replace((*it)[1].str(), std::regex(R"(\s+)"), "");
    // The parameter list: from the '(' that ends the match to its matching ')'.
    std::size_t pos = static_cast<std::size_t>(it->position(0) + it->length(0));
    int depth = 1;
    std::vector<std::string> params(1);
    for (; pos < text.size() && depth > 0; ++pos) {
      const char c = text[pos];
      if (c == '(' || c == '<' || c == '{') ++depth;
      if (c == ')' || c == '>' || c == '}') --depth;
      if (depth == 0) break;
      if (c == ',' && depth == 1) {
        params.emplace_back();
      } else {
        params.back() += c;
      }
    }
    std::string sig = name + "(";
    bool first = true;
    for (const auto& p : params) {
      const std::string cp = canonical_param(p);
      if (cp.empty() || cp == "void") continue;
      sig += (first ? "" : ",") + cp;
      first = false;
    }
    out.push_back(sig + ")");
  }
  return out;
}

inline std::string read_text_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace xgrad::test::registry
