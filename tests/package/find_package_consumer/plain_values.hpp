// SPDX-License-Identifier: MIT
// A library built with plain xtensor and without xgrad (it does not link xgrad and never sees
// its headers): its functions take and return the user's own xt::xarray<double>.
#pragma once

#include <xtensor/xarray.hpp>

namespace plain {
/// The sum of all elements.
double total(const xt::xarray<double>& a);
/// {{1, 2, 3}, {4, 5, 6}}.
xt::xarray<double> make_values();
}  // namespace plain
