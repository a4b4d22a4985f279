#!/usr/bin/env python3
"""A/B of xgrad's own benchmarks between two build trees (for example main and a branch).

    bench/compare/ab.py BASE_BUILD_DIR HEAD_BUILD_DIR [--rounds 5] [--reps 5] [--threads 1]

Runs the tutorial step (BM_TutorialTraining), the op overhead (BM_OpOverhead) and the mlp step
(BM_MlpStep) of both trees in alternating order, round after round, so that a slow phase of a
shared machine hits both; prints per workload the median of all samples of each tree and the
ratio head/base (< 1: head is faster), and the median of the per-round ratios (robust to a
machine that slows down for a while). OPENBLAS_NUM_THREADS is set to --threads.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

WORKLOADS = [  # (label, binary, benchmark filter, min time per repetition)
    ("tutorial ms/1500 it", "bench_tutorial", "^BM_TutorialTraining/real_time$", "0.5"),
    ("op overhead us/op-chain", "bench_ops", "^BM_OpOverhead/64/4/real_time$", "0.3"),
    ("mlp ms/step", "bench_mlp", "^BM_MlpStep/real_time$", "0.5"),
]


def run(build, binary, bfilter, reps, min_time, env):
    cmd = [os.path.join(build, "bench", binary), "--benchmark_filter=" + bfilter,
           "--benchmark_repetitions=%d" % reps, "--benchmark_min_time=" + min_time,
           "--benchmark_format=json", "--benchmark_report_aggregates_only=false"]
    out = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True).stdout
    rows = [b for b in json.loads(out)["benchmarks"] if b.get("run_type") == "iteration"]
    if not rows:
        sys.exit("ab: %s matched no benchmark with %s" % (binary, bfilter))
    return [b["real_time"] for b in rows]


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("base")
    p.add_argument("head")
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--reps", type=int, default=5)
    p.add_argument("--threads", default="1")
    p.add_argument("--only", default="", help="comma-separated workload prefixes (tutorial,op,mlp)")
    a = p.parse_args()
    env = dict(os.environ, OPENBLAS_NUM_THREADS=a.threads)
    global WORKLOADS
    if a.only:
        WORKLOADS = [w for w in WORKLOADS if any(w[0].startswith(o) for o in a.only.split(","))]
    samples = {(w[0], side): [] for w in WORKLOADS for side in ("base", "head")}
    paired = {w[0]: [] for w in WORKLOADS}  # per round: median head / median base
    for r in range(a.rounds):
        order = [("base", a.base), ("head", a.head)]
        if r % 2:
            order.reverse()
        for label, binary, bfilter, min_time in WORKLOADS:
            got = {}
            for side, build in order:
                got[side] = run(build, binary, bfilter, a.reps, min_time, env)
                samples[(label, side)] += got[side]
            paired[label].append(statistics.median(got["head"]) / statistics.median(got["base"]))
        print("round %d of %d done" % (r + 1, a.rounds), file=sys.stderr)
    print("| workload | base median | head median | head/base | paired ratio: median (min-max) |")
    print("|---|---|---|---|---|")
    for label, *_ in WORKLOADS:
        b = statistics.median(samples[(label, "base")])
        h = statistics.median(samples[(label, "head")])
        r = paired[label]
        print("| %s | %.4g | %.4g | %.3f | %.3f (%.3f-%.3f) |"
              % (label, b, h, h / b, statistics.median(r), min(r), max(r)))
    print("(%d rounds x %d repetitions per tree, OPENBLAS_NUM_THREADS=%s)"
          % (a.rounds, a.reps, a.threads))


if __name__ == "__main__":
    main()
