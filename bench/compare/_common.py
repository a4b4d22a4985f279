# SPDX-License-Identifier: MIT
"""Shared by the Python implementations in bench/compare/: arguments, timing, output.

Each script prints one JSON object on stdout:
  {"impl": ..., "workload": ..., "threads": T, "unit": "ms", "samples": [...],
   "predictions": [...] (tutorial only), "info": {...}}
Each sample is the mean wall-clock time (time.perf_counter) of `inner` runs of the work, after
`warmup` untimed runs. The runner (compare.py) sets OPENBLAS_NUM_THREADS, OMP_NUM_THREADS and
OMP_WAIT_POLICY in the environment before the interpreter starts; --threads is also passed to
torch.set_num_threads by the PyTorch scripts.
"""
import argparse
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_WEIGHTS = os.path.join(HERE, "tutorial_weights.txt")

# The tutorial workload (shared/seed): X, y, 1500 iterations, learning rate 1, float64.
TUTORIAL_X = [[0.0, 0.0, 1.0], [0.0, 1.0, 1.0], [1.0, 0.0, 1.0], [1.0, 1.0, 1.0]]
TUTORIAL_Y = [[0.0], [1.0], [1.0], [0.0]]
TUTORIAL_ITERATIONS = 1500
TUTORIAL_LR = 1.0

# The mlp workload: 784-512-256-10 ReLU MLP, softmax cross-entropy, batch 256, float32, SGD.
MLP_SIZES = (784, 512, 256, 10)
MLP_BATCH = 256
MLP_LR = 0.01


def mlp_flops_per_step():
    """6 * batch * sum(in * out): the three GEMMs of each layer."""
    return 6.0 * MLP_BATCH * sum(MLP_SIZES[i] * MLP_SIZES[i + 1] for i in range(3))


def parse_args(description, reps=7, inner=1, warmup=1):
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--threads", type=int, default=1, help="thread count (torch.set_num_threads)")
    p.add_argument("--reps", type=int, default=reps, help="timed samples")
    p.add_argument("--inner", type=int, default=inner, help="runs averaged in each sample")
    p.add_argument("--warmup", type=int, default=warmup, help="untimed runs first")
    p.add_argument("--weights", default=DEFAULT_WEIGHTS,
                   help="the tutorial's initial weights (16 numbers: weights1 3x4, weights2 4x1)")
    return p.parse_args()


def read_weights(path):
    """weights1 (3x4, row-major) and weights2 (4x1) as nested lists of floats."""
    values = []
    with open(path, encoding="ascii") as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            values.extend(float(v) for v in line.split())
    if len(values) != 16:
        sys.exit(f"{path}: expected 16 numbers, found {len(values)}")
    w1 = [values[r * 4:(r + 1) * 4] for r in range(3)]
    w2 = [[v] for v in values[12:16]]
    return w1, w2


def measure(run, reps, inner, warmup):
    """Calls run() warmup times, then reps samples of the mean time of `inner` calls, in ms.
    Returns (samples, result of the last call)."""
    result = None
    for _ in range(warmup):
        result = run()
    samples = []
    for _ in range(reps):
        start = time.perf_counter()
        for _ in range(inner):
            result = run()
        samples.append((time.perf_counter() - start) * 1e3 / inner)
    return samples, result


def emit(impl, workload, threads, samples, predictions=None, info=None):
    out = {"impl": impl, "workload": workload, "threads": threads, "unit": "ms",
           "samples": samples}
    if predictions is not None:
        out["predictions"] = [float(p) for p in predictions]
    out["info"] = info or {}
    print(json.dumps(out))
