// SPDX-License-Identifier: MIT
#pragma once

/// Umbrella header: includes the public headers of xgrad, nothing else.

#include <xgrad/autograd.hpp>
#include <xgrad/data/csv.hpp>
#include <xgrad/data/dataloader.hpp>
#include <xgrad/generator.hpp>
#include <xgrad/gradcheck.hpp>
#include <xgrad/io/error.hpp>
#include <xgrad/io/module_io.hpp>
#include <xgrad/io/npy.hpp>
#include <xgrad/io/npz.hpp>
#include <xgrad/io/serialize.hpp>
#include <xgrad/memory.hpp>
#include <xgrad/nn/activation.hpp>
#include <xgrad/nn/dropout.hpp>
#include <xgrad/nn/init.hpp>
#include <xgrad/nn/linear.hpp>
#include <xgrad/nn/module.hpp>
#include <xgrad/nn/sequential.hpp>
#include <xgrad/node.hpp>
#include <xgrad/ops/activation.hpp>
#include <xgrad/ops/binary.hpp>
#include <xgrad/ops/conv.hpp>
#include <xgrad/ops/elementwise.hpp>
#include <xgrad/ops/indexing.hpp>
#include <xgrad/ops/linalg.hpp>
#include <xgrad/ops/loss.hpp>
#include <xgrad/ops/minmax.hpp>
#include <xgrad/ops/reduce.hpp>
#include <xgrad/ops/shape.hpp>
#include <xgrad/optim/adam.hpp>
#include <xgrad/optim/lr_scheduler.hpp>
#include <xgrad/optim/optimizer.hpp>
#include <xgrad/optim/sgd.hpp>
#include <xgrad/tensor.hpp>
