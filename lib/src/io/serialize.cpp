// SPDX-License-Identifier: MIT
#include <xgrad/io/serialize.hpp>

#include <algorithm>
#include <map>
#include <set>
#include <stdexcept>

#include "file_util.hpp"

namespace xgrad::io {
namespace {

template <class Seq>
std::string tuple_str(const Seq& shape) {  // Python's repr, as in .npy headers
  std::string s = "(";
  std::size_t i = 0;
  for (auto d : shape) {
    if (i++ > 0) s += ", ";
    s += std::to_string(d);
  }
  if (i == 1) s += ",";
  return s + ")";
}

template <class T>
void check_names(const NamedTensors<T>& named, const char* fn) {
  std::set<std::string> seen;
  for (const auto& [name, tensor] : named) {
    if (name.empty()) throw std::invalid_argument(std::string(fn) + ": empty tensor name");
    if (!seen.insert(name).second) {
      throw std::invalid_argument(std::string(fn) + ": duplicate tensor name '" + name + "'");
    }
    if (!tensor.defined()) {
      throw std::invalid_argument(std::string(fn) + ": tensor '" + name + "' is undefined");
    }
  }
}

template <class T>
void load_entries(const NamedTensors<T>& named, const NpzEntries& entries,
                  const std::string& source) {
  constexpr DType kWant = dtype_of<T>();
  std::map<std::string, const NpyArray*> by_key;
  for (const auto& [key, array] : entries) by_key.emplace(key, &array);

  std::vector<std::string> problems;
  std::set<std::string> used;
  for (const auto& [name, tensor] : named) {
    const auto it = by_key.find(name);
    if (it == by_key.end()) {
      problems.push_back("missing key '" + name + "' (shape " + tuple_str(tensor.shape()) + ", " +
                         dtype_name(kWant) + ")");
      continue;
    }
    used.insert(name);
    const NpyArray& a = *it->second;
    const bool same_shape = a.shape.size() == tensor.shape().size() &&
                            std::equal(a.shape.begin(), a.shape.end(), tensor.shape().begin());
    if (!same_shape) {
      problems.push_back("shape mismatch for '" + name + "': the file has " + tuple_str(a.shape) +
                         ", the tensor has " + tuple_str(tensor.shape()));
    }
    if (a.dtype != kWant) {
      problems.push_back("dtype mismatch for '" + name + "': the file has " + dtype_name(a.dtype) +
                         " ('" + dtype_descr(a.dtype) + "'), the tensor has " + dtype_name(kWant) +
                         " ('" + dtype_descr(kWant) + "')");
    }
  }
  for (const auto& [key, array] : entries) {
    if (used.count(key) == 0) {
      problems.push_back("unexpected key '" + key + "' (shape " + tuple_str(array.shape) + ", " +
                         dtype_name(array.dtype) + ")");
    }
  }
  if (!problems.empty()) {
    std::string msg = "load: " + source + " does not match the " + std::to_string(named.size()) +
                      " tensor" + (named.size() == 1 ? "" : "s") + " (" +
                      std::to_string(problems.size()) + " problem" +
                      (problems.size() == 1 ? "" : "s") + "):";
    for (const auto& p : problems) msg += "\n  " + p;
    throw IoError(msg);
  }

  // Everything matches: convert all first (the only step that allocates), then move the
  // arrays in, which cannot fail, so no tensor is left half-loaded.
  std::vector<Array<T>> values;
  values.reserve(named.size());
  for (const auto& entry : named) values.push_back(to_xarray<T>(*by_key.at(entry.first)));
  for (std::size_t i = 0; i < named.size(); ++i) {
    BasicTensor<T> t = named[i].second;  // a handle to the caller's node
    t.mutable_value() = std::move(values[i]);
  }
}

}  // namespace

template <class T>
void save(const NamedTensors<T>& named, const std::filesystem::path& path,
          const SaveOptions& options) {
  check_names(named, "save");
  NpzEntries entries;
  entries.reserve(named.size());
  for (const auto& [name, tensor] : named) entries.emplace_back(name, to_npy(tensor.value()));
  NpzOptions npz_options;
  npz_options.compress = options.compress;
  detail::write_file_atomic(path, write_npz(entries, npz_options), "save");
}

template <class T>
void load(const NamedTensors<T>& named, const std::filesystem::path& path,
          const LoadLimits& limits) {
  check_names(named, "load");
  const std::string bytes = detail::read_file(path, limits.max_total_bytes, "load");
  load_from_memory(named, bytes, limits, detail::quoted(path));
}

template <class T>
void load_from_memory(const NamedTensors<T>& named, const std::string& bytes,
                      const LoadLimits& limits, const std::string& source) {
  check_names(named, "load");
  NpzEntries entries;
  try {
    entries = parse_npz(bytes.data(), bytes.size(), limits);
  } catch (const IoError& e) {
    throw IoError("load: " + source + ": " + e.what());
  }
  load_entries(named, entries, source);
}

#define XGRAD_INSTANTIATE_SERIALIZE(T)                                                             \
  template void save<T>(const NamedTensors<T>&, const std::filesystem::path&, const SaveOptions&); \
  template void load<T>(const NamedTensors<T>&, const std::filesystem::path&, const LoadLimits&);  \
  template void load_from_memory<T>(const NamedTensors<T>&, const std::string&, const LoadLimits&, \
                                    const std::string&);

XGRAD_INSTANTIATE_SERIALIZE(float)
XGRAD_INSTANTIATE_SERIALIZE(double)

#undef XGRAD_INSTANTIATE_SERIALIZE

}  // namespace xgrad::io
