# SPDX-License-Identifier: MIT
"""Writes the PyTorch golden values that tests/golden/test_golden.cpp compares xgrad against
(docs/reliability.md, G5).

Run from anywhere with Debian's PyTorch and NumPy (python3-torch 1.13, python3-numpy 1.24):
    /usr/bin/python3 tests/golden/make_golden.py
The inputs come from a seeded torch.Generator and the zip timestamps are pinned, so re-running
it must leave `git status` clean. The tests do not need torch: they read the files written here.

fixtures/ops_f32.npz, fixtures/ops_f64.npz -- one group of entries per op case NAME:
    NAME.x0, NAME.x1, ...  the inputs (float; in float32 the float64 values rounded)
    NAME.idx               integer arguments (class indices, selected rows), int64, if any
    NAME.y                 torch's forward value
    NAME.g                 the upstream gradient fed to backward (shape of NAME.y)
    NAME.dx0, NAME.dx1 ... torch's gradient of each input that requires grad
  The op each NAME stands for (and its non-tensor arguments) is written out both here (OPS) and
  in test_golden.cpp; the test checks that the two lists agree.

fixtures/optim_f32.npz, fixtures/optim_f64.npz -- 10 steps of torch.optim on a tiny linear
regression, loss = mse_loss(linear(X, W, b), Y):
    problem.X, problem.Y, problem.W0, problem.b0   the data and the initial parameters
    CFG.hp  [kind (0 SGD, 1 Adam, 2 AdamW), lr, momentum, dampening, nesterov, weight_decay,
             beta1, beta2, eps, amsgrad]  (float64 in both files)
    CFG.W   (10, 2, 3) and CFG.b (10, 2): the parameters after each step
"""
import os
import pathlib
import time

import numpy as np
import torch
import torch.nn.functional as F

OUT = pathlib.Path(__file__).resolve().parent / "fixtures"

# numpy.savez stamps zip entries with the current local time: pin it to 2000-01-01 00:00 UTC.
os.environ["TZ"] = "UTC"
time.tzset()
time.time = lambda: 946684800.0

GEN = torch.Generator().manual_seed(20261129)


def randn(*shape):
    return torch.randn(*shape, generator=GEN, dtype=torch.float64)


def uniform(lo, hi, *shape):
    return lo + (hi - lo) * torch.rand(*shape, generator=GEN, dtype=torch.float64)


def away_from(x, points, gap=1e-2):
    """x with every element within `gap` of one of `points` pushed `gap` away (kinks, ties)."""
    for p in points:
        near = (x - p).abs() < gap
        x = torch.where(near, p + gap * torch.where(x >= p, 1.0, -1.0), x)
    return x


# name -> (function of the float inputs (and idx), [float64 inputs], [requires grad], idx or None)
# Inputs are drawn once, in this order, so adding a case at the end keeps the others unchanged.
def build_cases():
    cases = {}

    def case(name, fn, inputs, grads=None, idx=None):
        cases[name] = (fn, inputs, grads if grads is not None else [True] * len(inputs), idx)

    x = away_from(randn(3, 4) * 2.0, [0.0])  # shared by the elementwise cases
    case("sigmoid", torch.sigmoid, [x])
    case("tanh", torch.tanh, [x])
    case("relu", torch.relu, [x])
    case("exp", torch.exp, [x])
    case("log", torch.log, [uniform(0.1, 3.0, 3, 4)])
    case("sqrt", torch.sqrt, [uniform(0.1, 3.0, 3, 4)])
    case("abs", torch.abs, [x])
    case("neg", torch.neg, [x])
    case("pow3", lambda a: torch.pow(a, 3.0), [x])
    case("softplus", F.softplus, [randn(3, 4) * 3.0])
    case("log_sigmoid", F.logsigmoid, [randn(3, 4) * 3.0])
    case("leaky_relu", lambda a: F.leaky_relu(a, 0.1), [x])
    case("clamp", lambda a: torch.clamp(a, -0.5, 0.75),
         [away_from(randn(3, 4), [-0.5, 0.75])])
    logits = randn(4, 5) * 2.0
    case("softmax1", lambda a: torch.softmax(a, 1), [logits])
    case("softmax0", lambda a: torch.softmax(a, 0), [logits])
    case("log_softmax1", lambda a: torch.log_softmax(a, 1), [logits])
    case("log_softmax_neg1", lambda a: torch.log_softmax(a, -1), [randn(2, 3, 4) * 3.0])
    case("logsumexp1", lambda a: torch.logsumexp(a, 1), [logits])
    case("logsumexp0_keepdims", lambda a: torch.logsumexp(a, 0, keepdim=True), [logits])
    case("add_broadcast", torch.add, [randn(3, 4), randn(4)])
    case("sub", torch.sub, [randn(3, 4), randn(3, 4)])
    case("mul_broadcast", torch.mul, [randn(3, 1), randn(1, 4)])
    case("div", torch.div, [randn(3, 4), away_from(randn(3, 4), [0.0], 0.3)])
    case("sum_all", torch.sum, [randn(3, 4)])
    case("sum1", lambda a: torch.sum(a, 1), [randn(3, 4)])
    case("mean_all", torch.mean, [randn(3, 4)])
    case("mean0_keepdims", lambda a: torch.mean(a, 0, keepdim=True), [randn(3, 4)])
    case("transpose", lambda a: a.t(), [randn(3, 4)])
    case("reshape", lambda a: a.reshape(2, 6), [randn(3, 4)])
    case("matmul", torch.matmul, [randn(3, 4), randn(4, 5)])
    case("linear", F.linear, [randn(6, 4), randn(3, 4), randn(3)])
    case("linear_nobias", F.linear, [randn(6, 4), randn(3, 4)])
    case("mse_loss", F.mse_loss, [randn(4, 3), randn(4, 3)])
    case("binary_cross_entropy", F.binary_cross_entropy,
         [uniform(0.05, 0.95, 4, 3), uniform(0.0, 1.0, 4, 3)])
    case("binary_cross_entropy_with_logits", F.binary_cross_entropy_with_logits,
         [randn(4, 3) * 3.0, uniform(0.0, 1.0, 4, 3)])
    case("cross_entropy", F.cross_entropy, [randn(5, 4) * 2.0], idx=[3, 0, 1, 3, 2])
    case("nll_loss", F.nll_loss, [torch.log_softmax(randn(5, 4), 1)], idx=[1, 1, 0, 3, 2])
    # Distinct values per row, so the argmax (where the gradient goes) is unambiguous.
    case("max1", lambda a: torch.max(a, 1).values, [randn(4, 5)])
    case("max0_keepdims", lambda a: torch.max(a, 0, keepdim=True).values, [randn(4, 5)])
    a, b = randn(3, 4), randn(3, 4)
    case("maximum", torch.maximum, [a, b])
    case("minimum", torch.minimum, [a, b])
    case("maximum_broadcast", torch.maximum, [randn(3, 4), randn(4)])
    case("concat1", lambda p, q: torch.cat([p, q], 1), [randn(3, 2), randn(3, 4)])
    case("concat0", lambda p, q, r: torch.cat([p, q, r], 0),
         [randn(1, 3), randn(2, 3), randn(4, 3)])
    case("index_select0", lambda p, i: torch.index_select(p, 0, i), [randn(4, 3)],
         idx=[2, 0, 2, 3])
    case("index_select1", lambda p, i: torch.index_select(p, 1, i), [randn(3, 5)],
         idx=[4, 1, 1])
    case("slice1", lambda p: p[:, 1:4], [randn(3, 5)])
    # A composite: a small MLP's loss, so a graph of several ops is checked end to end.
    case("mlp_cross_entropy",
         lambda xx, w1, b1, w2, b2, i:
         F.cross_entropy(F.linear(torch.tanh(F.linear(xx, w1, b1)), w2, b2), i),
         [randn(6, 4), randn(5, 4) * 0.5, randn(5) * 0.1, randn(3, 5) * 0.5, randn(3) * 0.1],
         idx=[0, 2, 1, 1, 0, 2])
    return cases


def build_size_cases(cases):
    """Adds the size-threshold cases, drawn after everything else (so the earlier draws stay)."""

    def case(name, fn, inputs):
        cases[name] = (fn, inputs, [True] * len(inputs), None)

    # Both sides of the size thresholds of lib/ (xgrad/detail/thresholds.hpp): the SIMD forwards
    # of the transcendental ops below one batch (1 element, under every width; 7, under the 8
    # doubles and 16 floats of AVX-512) and over several with an odd tail (7 for the SSE2
    # widths of the debug builds, 37 for all); pow's scalar loop up to 64 elements and xtensor's
    # above; GEMMs at 512 and 4096 multiply-adds and above (plain loops, then OpenBLAS); large
    # broadcasts and reductions; ranks above the 4 kept inline.
    for n in (1, 7, 37):
        case(f"exp_{n}", torch.exp, [randn(n) * 2.0])
        case(f"log_{n}", torch.log, [uniform(0.1, 3.0, n)])
        case(f"sqrt_{n}", torch.sqrt, [uniform(0.1, 3.0, n)])
        case(f"sigmoid_{n}", torch.sigmoid, [randn(n) * 3.0])
        case(f"tanh_{n}", torch.tanh, [randn(n) * 2.0])
    for n in (64, 65, 131):
        case(f"pow1.5_{n}", lambda a: torch.pow(a, 1.5), [uniform(0.2, 3.0, n)])
        case(f"pow-0.5_{n}", lambda a: torch.pow(a, -0.5), [uniform(0.2, 3.0, n)])
        case(f"pow3_{n}", lambda a: torch.pow(a, 3.0), [randn(n)])
    for m, k, n in ((8, 8, 8), (8, 9, 8), (16, 16, 16), (16, 17, 16), (15, 19, 17)):
        case(f"matmul_{m}x{k}x{n}", torch.matmul, [randn(m, k) * 0.5, randn(k, n) * 0.5])
        case(f"linear_{m}x{k}x{n}", F.linear, [randn(m, k) * 0.5, randn(n, k) * 0.5, randn(n)])
    case("add_broadcast_17x33", torch.add, [randn(17, 33), randn(33)])
    case("mul_broadcast_17x33", torch.mul, [randn(17, 1), randn(1, 33)])
    case("sum1_17x33", lambda a: torch.sum(a, 1), [randn(17, 33)])
    case("mean0_17x33", lambda a: torch.mean(a, 0), [randn(17, 33)])
    case("add_rank5", torch.add, [randn(2, 1, 3, 1, 2), randn(3, 1, 2)])
    case("sum0_rank6", lambda a: torch.sum(a, 0), [randn(2, 2, 1, 3, 1, 2)])


def run_case(fn, inputs, grads, idx, dtype):
    ts = [t.to(dtype).clone().requires_grad_(g) for t, g in zip(inputs, grads)]
    args = list(ts)
    if idx is not None:
        args.append(torch.tensor(idx, dtype=torch.int64))
    y = fn(*args)
    g = torch.linspace(-1.0, 1.5, y.numel(), dtype=torch.float64).reshape(y.shape)
    g = torch.where(g.abs() < 1e-3, torch.full_like(g, 0.3), g).to(dtype)
    if y.dim() == 0:
        g = torch.tensor(0.7, dtype=dtype)
    y.backward(g)
    out = {"y": y.detach(), "g": g}
    for k, t in enumerate(ts):
        out[f"x{k}"] = t.detach()
        if grads[k]:
            out[f"dx{k}"] = t.grad
    return out


def ops_file(cases, dtype):
    entries = {}
    for name, (fn, inputs, grads, idx) in cases.items():
        for key, t in run_case(fn, inputs, grads, idx, dtype).items():
            entries[f"{name}.{key}"] = t.numpy()
        if idx is not None:
            entries[f"{name}.idx"] = np.array(idx, dtype=np.int64)
    return entries


# Optimizer configurations: name -> (kind, options). Kind 0 SGD, 1 Adam, 2 AdamW.
OPTIM = {
    "sgd": (0, dict(lr=0.1)),
    "sgd_momentum": (0, dict(lr=0.1, momentum=0.9)),
    "sgd_nesterov": (0, dict(lr=0.1, momentum=0.9, nesterov=True)),
    "sgd_weight_decay": (0, dict(lr=0.1, weight_decay=0.1)),
    "sgd_dampening": (0, dict(lr=0.1, momentum=0.9, dampening=0.5)),
    "sgd_all": (0, dict(lr=0.05, momentum=0.8, nesterov=True, weight_decay=0.05)),
    "adam": (1, dict(lr=0.1)),
    "adam_weight_decay": (1, dict(lr=0.1, weight_decay=0.1)),
    "adam_amsgrad": (1, dict(lr=0.1, amsgrad=True)),
    "adam_betas_eps": (1, dict(lr=0.05, betas=(0.8, 0.99), eps=1e-3)),
    "adamw": (2, dict(lr=0.1)),
    "adamw_amsgrad": (2, dict(lr=0.1, weight_decay=0.1, amsgrad=True)),
}
STEPS = 10


def hyperparameters(kind, opts):
    beta1, beta2 = opts.get("betas", (0.9, 0.999))
    return np.array([
        kind, opts["lr"], opts.get("momentum", 0.0), opts.get("dampening", 0.0),
        float(opts.get("nesterov", False)),
        opts.get("weight_decay", 0.01 if kind == 2 else 0.0), beta1, beta2, opts.get("eps", 1e-8),
        float(opts.get("amsgrad", False))], dtype=np.float64)


def optim_file(problem, dtype):
    X, Y, W0, b0 = (t.to(dtype) for t in problem)
    entries = {"problem.X": X.numpy(), "problem.Y": Y.numpy(), "problem.W0": W0.numpy(),
               "problem.b0": b0.numpy()}
    for name, (kind, opts) in OPTIM.items():
        W = W0.clone().requires_grad_(True)
        b = b0.clone().requires_grad_(True)
        cls = [torch.optim.SGD, torch.optim.Adam, torch.optim.AdamW][kind]
        opt = cls([W, b], **opts)
        Ws, bs = [], []
        for _ in range(STEPS):
            opt.zero_grad()
            F.mse_loss(F.linear(X, W, b), Y).backward()
            opt.step()
            Ws.append(W.detach().clone())
            bs.append(b.detach().clone())
        entries[f"{name}.hp"] = hyperparameters(kind, opts)
        entries[f"{name}.W"] = torch.stack(Ws).numpy()
        entries[f"{name}.b"] = torch.stack(bs).numpy()
    return entries


def main():
    OUT.mkdir(exist_ok=True)
    cases = build_cases()
    X = randn(8, 3)
    true_W = torch.tensor([[1.5, -2.0, 0.5], [-0.5, 1.0, 3.0]], dtype=torch.float64)
    Y = F.linear(X, true_W, torch.tensor([0.25, -1.0], dtype=torch.float64)) + 0.1 * randn(8, 2)
    problem = (X, Y, 0.5 * randn(2, 3), 0.1 * randn(2))
    build_size_cases(cases)
    for suffix, dtype in (("f32", torch.float32), ("f64", torch.float64)):
        np.savez_compressed(OUT / f"ops_{suffix}.npz", **ops_file(cases, dtype))
        np.savez_compressed(OUT / f"optim_{suffix}.npz", **optim_file(problem, dtype))
    print("ops:", len(cases), "optimizer configurations:", len(OPTIM))
    for f in sorted(OUT.iterdir()):
        print(f.name, f.stat().st_size, "bytes")


if __name__ == "__main__":
    main()
