// SPDX-License-Identifier: MIT
#pragma once

/// Umbrella header: includes the public headers of xgrad, nothing else.

#include <xgrad/autograd.hpp>
#include <xgrad/generator.hpp>
#include <xgrad/gradcheck.hpp>
#include <xgrad/node.hpp>
#include <xgrad/ops/binary.hpp>
#include <xgrad/ops/elementwise.hpp>
#include <xgrad/ops/linalg.hpp>
#include <xgrad/ops/loss.hpp>
#include <xgrad/ops/reduce.hpp>
#include <xgrad/ops/shape.hpp>
#include <xgrad/tensor.hpp>
