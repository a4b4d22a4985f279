// SPDX-License-Identifier: MIT
#include <xgrad/io/module_io.hpp>

namespace xgrad {

template <class T>
void save(const nn::BasicModule<T>& m, const std::filesystem::path& path,
          const io::SaveOptions& options) {
  io::save(m.named_parameters(), path, options);
}

template <class T>
void load(nn::BasicModule<T>& m, const std::filesystem::path& path, const io::LoadLimits& limits) {
  io::load(m.named_parameters(), path, limits);
}

template void save<float>(const nn::BasicModule<float>&, const std::filesystem::path&,
                          const io::SaveOptions&);
template void save<double>(const nn::BasicModule<double>&, const std::filesystem::path&,
                           const io::SaveOptions&);
template void load<float>(nn::BasicModule<float>&, const std::filesystem::path&,
                          const io::LoadLimits&);
template void load<double>(nn::BasicModule<double>&, const std::filesystem::path&,
                           const io::LoadLimits&);

}  // namespace xgrad
