// SPDX-License-Identifier: MIT
#pragma once

#include <filesystem>

#include <xgrad/io/serialize.hpp>
#include <xgrad/nn/module.hpp>

/// \file
/// Saving and loading a module's parameters, keyed by their dotted names:
///
///     Net net;
///     xgrad::save(net, "net.npz");   // numpy.load("net.npz")["fc1.weight"]
///     Net other;
///     xgrad::load(other, "net.npz"); // strict: every parameter, nothing else, same shapes

namespace xgrad {

/// io::save(m.named_parameters(), path, options): one "<dotted name>.npy" entry per parameter
/// (a parameter shared between submodules is saved once, under its first name). Atomic; see
/// io::save for the errors.
template <class T>
void save(const nn::BasicModule<T>& m, const std::filesystem::path& path,
          const io::SaveOptions& options = {});

/// io::load(m.named_parameters(), path, limits): strict and all-or-nothing. Throws
/// xgrad::IoError listing every missing key, unexpected key, shape mismatch and dtype
/// mismatch at once; on any error the module keeps its old weights.
template <class T>
void load(nn::BasicModule<T>& m, const std::filesystem::path& path,
          const io::LoadLimits& limits = {});

}  // namespace xgrad
