#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Runs xgrad, the C++ floors, NumPy and PyTorch side by side and writes one table.

Normally started by bench/compare/run.sh (which installs and builds first). Every
implementation runs in its own process; the implementations of a workload take turns, in an
order rotated each round, so that a slow phase of a shared machine hits all of them. Each
process reports several samples; the table shows the median of all samples of all rounds.

Workloads (docs/benchmarks.md): tutorial (1500 iterations, float64, fixed initial weights;
every implementation must print the same final predictions to 1e-9), mlp (one SGD step of a
784-512-256-10 ReLU MLP, batch 256, float32), op overhead and 1M-element chains (xgrad vs
plain loops), matmul forward + backward (xgrad vs cblas_sgemm).

Outputs in --out-dir: results.md (the table and the machine), results.json (every sample),
plot.dat (for plot.gnuplot). Exit status 1 if the predictions disagree or a run failed.
"""
import argparse
import datetime
import json
import os
import platform
import re
import shlex
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
PYTHON = "/usr/bin/python3"  # Debian's interpreter, which has python3-numpy and python3-torch
PREDICTION_TOLERANCE = 1e-9

IMPL_NAMES = {"xgrad": "xgrad", "floor": "C++ floor", "numpy": "NumPy", "torch": "PyTorch"}
TARGETS = {  # (workload, peer) -> the largest xgrad/peer time ratio the issue asks for
    ("tutorial", "floor"): (5.0, "5"),
    ("tutorial", "numpy"): (1 / 20, "1/20"),
    ("tutorial", "torch"): (1 / 70, "1/70"),
    ("mlp", "floor"): (1.05, "1.05"),
    ("mlp", "numpy"): (1.0, "1"),
    ("mlp", "torch"): (1.0, "1"),
}


def log(msg):
    print(msg, file=sys.stderr, flush=True)


class Runner:
    def __init__(self, args):
        self.args = args
        self.bench_dir = os.path.join(args.build_dir, "bench")
        self.results = []  # one dict per process
        self.failures = []

    # --- environment ----------------------------------------------------------------------
    def env(self, threads):
        env = dict(os.environ)
        if self.args.openblas_env == "unset":
            env.pop("OPENBLAS_CORETYPE", None)
            env.pop("OPENBLAS_L2_SIZE", None)
        env["OPENBLAS_NUM_THREADS"] = str(threads)
        env["OMP_NUM_THREADS"] = str(threads)
        env["OMP_WAIT_POLICY"] = "PASSIVE"
        env["PYTHONDONTWRITEBYTECODE"] = "1"  # no __pycache__ in the source tree
        return env

    # --- running one implementation -------------------------------------------------------
    def run_process(self, cmd, threads, timeout=300):
        log("  $ OPENBLAS_NUM_THREADS=%d %s" % (threads, " ".join(shlex.quote(c) for c in cmd)))
        try:
            p = subprocess.run(cmd, env=self.env(threads), capture_output=True, text=True,
                               timeout=timeout, check=False)
        except (OSError, subprocess.TimeoutExpired) as e:
            self.failures.append("%s: %s" % (" ".join(cmd), e))
            return None
        if p.returncode != 0:
            self.failures.append("%s: exit %d\n%s" % (" ".join(cmd), p.returncode,
                                                      p.stderr[-2000:]))
            log(p.stderr[-2000:])
            return None
        return p.stdout

    def gbench(self, binary, bfilter, threads, reps, min_time):
        """Runs a Google Benchmark binary; returns {run_name: [repetition dicts]}."""
        cmd = [os.path.join(self.bench_dir, binary), "--benchmark_filter=" + bfilter,
               "--benchmark_format=json", "--benchmark_repetitions=%d" % reps,
               "--benchmark_min_time=%g" % min_time]
        out = self.run_process(cmd, threads)
        if out is None:
            return {}
        if not out.strip():
            self.failures.append("%s: no benchmark matched %s" % (binary, bfilter))
            return {}
        runs = {}
        for b in json.loads(out)["benchmarks"]:
            if b.get("run_type") == "iteration":
                runs.setdefault(b["run_name"], []).append(b)
        return runs

    @staticmethod
    def to_ms(b):
        scale = {"ns": 1e-6, "us": 1e-3, "ms": 1.0, "s": 1e3}[b["time_unit"]]
        return b["real_time"] * scale

    def run_workload(self, workload, impl, threads, rnd):
        a = self.args
        rec = {"workload": workload, "impl": impl, "threads": threads, "round": rnd}
        if impl in ("xgrad", "floor"):
            binary, name = {
                ("tutorial", "xgrad"): ("bench_tutorial", "BM_TutorialTraining"),
                ("tutorial", "floor"): ("bench_floor_tutorial", "BM_FloorTutorialTraining"),
                ("mlp", "xgrad"): ("bench_mlp", "BM_MlpStep"),
                ("mlp", "floor"): ("bench_floor_mlp", "BM_FloorMlpStep"),
            }[(workload, impl)]
            runs = self.gbench(binary, "^%s(/|$)" % name, threads, a.gbench_reps,
                               a.min_time_tutorial if workload == "tutorial" else a.min_time_mlp)
            reps = next(iter(runs.values()), None)
            if not reps:
                return
            rec["samples"] = [self.to_ms(b) for b in reps]
            label = reps[-1].get("label", "")
            if label.startswith("pred="):
                rec["predictions"] = [float(v) for v in label[5:].split(",")]
            for key in ("peak_RSS_MiB", "held_MiB", "last_loss"):
                if key in reps[-1]:
                    rec.setdefault("info", {})[key] = reps[-1][key]
        else:
            script = os.path.join(HERE, "%s_%s.py" % (workload, impl))
            out = self.run_process([PYTHON, script, "--threads", str(threads)], threads)
            if out is None:
                return
            data = json.loads(out.strip().splitlines()[-1])
            rec["samples"] = data["samples"]
            if "predictions" in data:
                rec["predictions"] = data["predictions"]
            rec["info"] = data.get("info", {})
        self.results.append(rec)

    def run_micro(self, binary, side, threads, rnd):
        """ops / matmul benchmarks: one record per benchmark with its metric per repetition."""
        runs = self.gbench(binary, ".", threads, self.args.gbench_reps, self.args.min_time_micro)
        for name, reps in runs.items():
            if "GFLOPs" in reps[0]:
                metric, unit, values = "GFLOPs", "GFLOP/s", [b["GFLOPs"] for b in reps]
            elif "bytes_per_second" in reps[0]:
                metric, unit = "bytes_per_second", "GB/s"
                values = [b["bytes_per_second"] / 1e9 for b in reps]
            elif "ns_per_op" in reps[0]:
                metric, unit, values = "ns_per_op", "ns/op", [b["ns_per_op"] for b in reps]
            else:
                continue
            self.results.append({"workload": "micro", "impl": side, "bench": name,
                                 "threads": threads, "round": rnd, "metric": metric,
                                 "unit": unit, "samples": values})

    # --- the schedule ---------------------------------------------------------------------
    def run_all(self):
        a = self.args
        impls = [i for i in ("xgrad", "floor", "numpy", "torch") if i in a.impls]
        for rnd in range(a.rounds):
            log("round %d/%d" % (rnd + 1, a.rounds))
            for threads in a.threads:
                for workload in [w for w in ("tutorial", "mlp") if w in a.workloads]:
                    k = rnd % len(impls)
                    for impl in impls[k:] + impls[:k]:
                        self.run_workload(workload, impl, threads, rnd)
                if "micro" in a.workloads:
                    pairs = [("bench_matmul", "xgrad"), ("bench_floor_matmul", "floor")]
                    if threads == 1:
                        pairs += [("bench_ops", "xgrad"), ("bench_floor_ops", "floor")]
                    if rnd % 2:
                        pairs.reverse()
                    for binary, side in pairs:
                        self.run_micro(binary, side, threads, rnd)


# --- machine description --------------------------------------------------------------------
def sh(cmd, env=None):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, check=False, env=env,
                              timeout=60).stdout.strip()
    except OSError:
        return ""


def dpkg_version(pkg):
    return sh(["dpkg-query", "-W", "-f=${Version}", pkg]) or "?"


def cpu_model():
    fields, flags = {}, ""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if not line.strip():
                    break  # the first CPU is enough
                key, _, value = line.partition(":")
                fields[key.strip()] = value.strip()
    except OSError:
        pass
    flags = fields.get("flags", "").split()
    isa = [x for x in ("avx2", "fma", "avx512f") if x in flags]
    model = fields.get("model name", "?")
    if "cpu family" in fields and "model" in fields:
        model += " (family %s, model %s)" % (fields["cpu family"], fields["model"])
    return model, isa


def compile_info(build_dir):
    """Compiler and the flags bench_mlp.cpp was compiled with (from compile_commands.json)."""
    info = {"compiler": "?", "flags": "?", "march_native": False, "xsimd": False,
            "native_arch": ""}
    try:
        with open(os.path.join(build_dir, "compile_commands.json"), encoding="utf-8") as f:
            commands = json.load(f)
    except (OSError, ValueError):
        return info
    entry = next((c for c in commands if c["file"].endswith("bench/bench_mlp.cpp")), None)
    if entry is None:
        return info
    args = entry.get("arguments") or shlex.split(entry["command"])
    compiler = args[0]
    info["compiler"] = sh([compiler, "--version"]).splitlines()[0] if sh([compiler,
                                                                          "--version"]) else "?"
    keep = [x for x in args if re.match(r"-O\d|-march=|-mtune=|-std=|-DNDEBUG|-ffast-math|-f"
                                        r"(no-)?omit|-DXTENSOR", x)]
    info["flags"] = " ".join(keep)
    info["march_native"] = "-march=native" in args
    info["xsimd"] = "-DXTENSOR_USE_XSIMD" in args
    if info["march_native"]:
        out = sh([compiler, "-march=native", "-Q", "--help=target"])
        m = re.search(r"^\s*-march=\s*(\S+)", out, re.M)
        avx512 = re.search(r"^\s*-mavx512f\s+\[enabled\]", out, re.M)
        info["native_arch"] = (m.group(1) if m else "?") + (
            " with AVX-512" if avx512 else " without AVX-512")
    return info


def openblas_info(env):
    code = ("import ctypes\n"
            "lib = ctypes.CDLL('libopenblas.so.0')\n"
            "lib.openblas_get_config.restype = ctypes.c_char_p\n"
            "lib.openblas_get_corename.restype = ctypes.c_char_p\n"
            "print(lib.openblas_get_config().decode())\n"
            "print(lib.openblas_get_corename().decode())\n")
    out = sh([PYTHON, "-c", code], env=env).splitlines()
    return (out[0], out[1]) if len(out) >= 2 else ("?", "?")


def blas_of_numpy():
    path = os.path.realpath("/usr/lib/x86_64-linux-gnu/libblas.so.3")
    return "/".join(path.split("/")[-2:]) if os.path.exists(path) else "?"


def git_revision():
    rev = sh(["git", "-C", REPO, "rev-parse", "--short", "HEAD"]) or "?"
    dirty = sh(["git", "-C", REPO, "status", "--porcelain", "--untracked-files=no"])
    return rev + (" (with uncommitted changes)" if dirty else "")


def load_note(load_start, load_end):
    """A warning when other work shared the CPUs during the run."""
    try:
        peak = max(float(load_start.split()[0]), float(load_end.split()[0]))
    except (ValueError, IndexError):
        return "unknown"
    cpus = os.cpu_count() or 1
    if peak > cpus:
        return ("BUSY MACHINE: the 1-minute load average (%.1f) exceeded the %d CPUs, so other "
                "work ran during the measurements; absolute times are inflated (wall-clock), "
                "the ratios of implementations measured side by side less so" % (peak, cpus))
    return "the 1-minute load average stayed at or below the %d CPUs" % cpus


def loadavg():
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "?"


# --- the report -----------------------------------------------------------------------------
def med(values):
    return statistics.median(values) if values else float("nan")


def fmt(v, digits=3):
    if v != v:  # nan
        return "—"
    if v >= 100:
        return "%.0f" % v
    return "%.*g" % (digits, v)


def check_predictions(results):
    """Max |p - p_floor| over every process's final tutorial predictions."""
    preds = [(r["impl"], r["threads"], r["predictions"]) for r in results
             if r["workload"] == "tutorial" and "predictions" in r]
    if not preds:
        return None, [], []
    ref = next((p for i, _, p in preds if i == "floor"), preds[0][2])
    worst, bad = 0.0, []
    for impl, threads, p in preds:
        diff = max(abs(a - b) for a, b in zip(p, ref)) if len(p) == len(ref) else float("inf")
        worst = max(worst, diff)
        if not diff <= PREDICTION_TOLERANCE:
            bad.append("%s (%d thread(s)): %s" % (impl, threads, p))
    return worst, ref, bad


def summarize(results, args):
    """{(workload, impl, threads): median ms} and {(bench, impl, threads): (median, unit)}."""
    main, micro = {}, {}
    for r in results:
        if r["workload"] == "micro":
            key = (r["bench"], r["impl"], r["threads"])
            micro.setdefault(key, ([], r["unit"]))[0].extend(r["samples"])
        else:
            main.setdefault((r["workload"], r["impl"], r["threads"]), []).extend(r["samples"])
    return ({k: med(v) for k, v in main.items()},
            {k: (med(v[0]), v[1]) for k, v in micro.items()})


def status(ratio, target):
    if ratio != ratio:
        return ""
    return " ✓" if ratio <= target else " ✗"


def main_table(main, args):
    impls = [i for i in ("xgrad", "floor", "numpy", "torch") if i in args.impls]
    peers = [i for i in impls if i != "xgrad"]
    head = ["workload", "threads"] + [IMPL_NAMES[i] for i in impls] + \
           ["xgrad / %s (target)" % IMPL_NAMES[p] for p in peers]
    rows = []
    for workload in [w for w in ("tutorial", "mlp") if w in args.workloads]:
        for t in args.threads:
            cells = [{"tutorial": "tutorial: ms per 1500 iterations (us per iteration)",
                      "mlp": "mlp: ms per step (GFLOP/s)"}[workload], str(t)]
            for i in impls:
                v = main.get((workload, i, t), float("nan"))
                if workload == "tutorial":
                    cells.append("%s (%s)" % (fmt(v), fmt(v * 1e3 / 1500)))
                else:
                    gf = 6.0 * 256 * (784 * 512 + 512 * 256 + 256 * 10) / (v * 1e-3) / 1e9
                    cells.append("%s (%s)" % (fmt(v), fmt(gf)))
            x = main.get((workload, "xgrad", t), float("nan"))
            for p in peers:
                ratio = x / main.get((workload, p, t), float("nan"))
                target, text = TARGETS[(workload, p)]
                cells.append("%s (≤ %s)%s" % (fmt(ratio), text, status(ratio, target)))
            rows.append(cells)
    return markdown(head, rows)


MICRO_ROWS = [  # (xgrad benchmark, reference benchmark, label, higher is better, target)
    ("BM_OpOverhead/64/4/real_time", None,
     "op overhead: 64 tiny elementwise ops (4 float64), fwd+bwd", False, "< 100 ns/op"),
    ("BM_Elementwise1M_Mul/real_time", "BM_FloorElementwise1M_Mul/real_time",
     "1M float32 chain, 8 x (y * s), fwd+bwd", True, ""),
    ("BM_Elementwise1M_Sigmoid/real_time", "BM_FloorElementwise1M_Sigmoid/real_time",
     "1M float32 chain, 8 x sigmoid, fwd+bwd", True, ""),
    ("BM_MatmulFwdBwd/64/real_time", "BM_FloorSgemm/64/real_time",
     "matmul 64 fwd+bwd vs cblas_sgemm", True, "≥ 0.85"),
    ("BM_MatmulFwdBwd/256/real_time", "BM_FloorSgemm/256/real_time",
     "matmul 256 fwd+bwd vs cblas_sgemm", True, "≥ 0.85"),
    ("BM_MatmulFwdBwd/1024/real_time", "BM_FloorSgemm/1024/real_time",
     "matmul 1024 fwd+bwd vs cblas_sgemm", True, "≥ 0.85"),
]


def micro_table(micro, main, args):
    head = ["benchmark", "threads", "xgrad", "reference", "xgrad / reference", "target"]
    rows = []
    for xb, rb, label, higher, target in MICRO_ROWS:
        for t in args.threads:
            if (xb, "xgrad", t) not in micro:
                continue
            xv, unit = micro[(xb, "xgrad", t)]
            if rb is None:
                ok = ""
                if target.startswith("<"):
                    ok = " ✓" if xv < float(target.split()[1]) else " ✗"
                rows.append([label, str(t), "%s %s" % (fmt(xv), unit), "—", "—", target + ok])
                continue
            rv, _ = micro.get((rb, "floor", t), (float("nan"), unit))
            ratio = xv / rv
            ok = ""
            if target.startswith("≥"):
                ok = " ✓" if ratio >= float(target.split()[1]) else " ✗"
            rows.append([label, str(t), "%s %s" % (fmt(xv), unit), "%s %s" % (fmt(rv), unit),
                         fmt(ratio), target + ok])
    for t in args.threads:  # the mlp as matmul-equivalent throughput
        x = main.get(("mlp", "xgrad", t))
        rv, _ = micro.get(("BM_FloorSgemm/256/real_time", "floor", t), (float("nan"), ""))
        if x:
            ratio = mlp_gflops(x) / rv
            rows.append(["mlp step, 6·batch·Σ in·out / time, vs cblas_sgemm 256", str(t),
                         "%s GFLOP/s" % fmt(mlp_gflops(x)), "%s GFLOP/s" % fmt(rv), fmt(ratio),
                         "≥ 0.85" + ("" if ratio != ratio else
                                     " ✓" if ratio >= 0.85 else " ✗")])
    return markdown(head, rows)


def mlp_gflops(ms):
    return 6.0 * 256 * (784 * 512 + 512 * 256 + 256 * 10) / (ms * 1e-3) / 1e9


def markdown(head, rows):
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def machine_block(args, runner, started, finished, load_start, load_end):
    env1 = runner.env(1)
    model, isa = cpu_model()
    ci = compile_info(args.build_dir)
    config, core = openblas_info(env1)
    infos = {}
    for r in runner.results:
        infos.update({k: v for k, v in r.get("info", {}).items() if k in ("numpy", "torch")})
    orig = {k: os.environ.get(k) for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}
    used = {k: env1.get(k) for k in orig}
    malloc_env = {k: v for k, v in os.environ.items()
                  if k.startswith("MALLOC_") or k == "GLIBC_TUNABLES"}
    lines = [
        "- run: %s UTC, %.0f s, commit %s; load average (1/5/15 min) %s at start, %s at end"
        % (started, finished, git_revision(), load_start, load_end),
        "- CPU: %s, %d logical CPUs (%s), %s" % (model, os.cpu_count() or 0,
                                                   ", ".join(isa) or "no AVX2",
                                                   platform.machine()),
        "- threads: %s; every process gets OPENBLAS_NUM_THREADS=OMP_NUM_THREADS=T, "
        "OMP_WAIT_POLICY=PASSIVE, PyTorch torch.set_num_threads(T)"
        % ", ".join(str(t) for t in args.threads),
        "- compiler: %s; flags of the benchmarks: `%s`; -march=native: %s%s; "
        "XTENSOR_USE_XSIMD: %s" % (ci["compiler"], ci["flags"],
                                   "yes" if ci["march_native"] else "no",
                                   " (%s)" % ci["native_arch"] if ci["native_arch"] else "",
                                   "yes" if ci["xsimd"] else "no"),
        "- BLAS: %s; core in use: %s; NumPy and PyTorch load the same library through %s"
        % (config, core, blas_of_numpy()),
        "- OPENBLAS_CORETYPE=%s, OPENBLAS_L2_SIZE=%s in the caller's environment; the runs used "
        "OPENBLAS_CORETYPE=%s, OPENBLAS_L2_SIZE=%s for every implementation (--openblas-env %s)"
        % (orig["OPENBLAS_CORETYPE"] or "(unset)", orig["OPENBLAS_L2_SIZE"] or "(unset)",
           used["OPENBLAS_CORETYPE"] or "(unset)", used["OPENBLAS_L2_SIZE"] or "(unset)",
           args.openblas_env),
        "- malloc settings: %s" % (", ".join("%s=%s" % kv for kv in sorted(malloc_env.items()))
                                   or "glibc defaults (no MALLOC_* / GLIBC_TUNABLES)"),
        "- versions: Python %s, NumPy %s, PyTorch %s, xtensor %s, xsimd %s, OpenBLAS %s, "
        "Google Benchmark %s" % (platform.python_version(), infos.get("numpy", "?"),
                                 infos.get("torch", "?"), dpkg_version("libxtensor-dev"),
                                 dpkg_version("libxsimd-dev"), dpkg_version("libopenblas0-pthread"),
                                 dpkg_version("libbenchmark-dev")),
        "- load: %s" % load_note(load_start, load_end),
        "- protocol: %d round(s); each round runs every implementation of a workload in its own "
        "process, in an order rotated each round; Google Benchmark binaries: %d repetitions; "
        "Python scripts: warm-up runs, then 5-9 timed samples; the table shows the median of "
        "all samples (wall-clock time)" % (args.rounds, args.gbench_reps),
    ]
    return "\n".join(lines)


def write_plot_data(main, args, path):
    impls = [i for i in ("xgrad", "floor", "numpy", "torch") if i in args.impls]
    with open(path, "w", encoding="utf-8") as f:
        cols = []
        for w in ("tutorial", "mlp"):
            for t in (1, 2):  # plot.gnuplot's columns; NaN where not run
                cols.append("%s_%dT" % (w, t))
        f.write("# impl %s  (tutorial: us per iteration; mlp: ms per step)\n" % " ".join(cols))
        for i in impls:
            vals = []
            for w in ("tutorial", "mlp"):
                for t in (1, 2):  # plot.gnuplot's columns; NaN where not run
                    v = main.get((w, i, t), float("nan"))
                    v = v * 1e3 / 1500 if w == "tutorial" else v
                    vals.append("NaN" if v != v else "%.6g" % v)
            f.write('"%s" %s\n' % (IMPL_NAMES[i], " ".join(vals)))


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--build-dir", default=os.path.join(REPO, "build", "release"))
    p.add_argument("--out-dir", default=os.path.join(REPO, "build", "compare"))
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--threads", default="1,2", help="comma-separated thread counts")
    p.add_argument("--workloads", default="tutorial,mlp,micro")
    p.add_argument("--impls", default="xgrad,floor,numpy,torch")
    p.add_argument("--gbench-reps", type=int, default=5)
    p.add_argument("--min-time-tutorial", type=float, default=0.05)
    p.add_argument("--min-time-mlp", type=float, default=0.1)
    p.add_argument("--min-time-micro", type=float, default=0.05)
    p.add_argument("--openblas-env", choices=("unset", "inherit"), default="unset",
                   help="unset (default): remove OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE for every "
                        "implementation, so OpenBLAS picks its kernels for this CPU; inherit: "
                        "keep them as the caller set them, again for every implementation")
    args = p.parse_args()
    args.threads = [int(t) for t in args.threads.split(",")]
    args.workloads = args.workloads.split(",")
    args.impls = args.impls.split(",")
    args.build_dir = os.path.abspath(args.build_dir)
    os.makedirs(args.out_dir, exist_ok=True)

    runner = Runner(args)
    started = datetime.datetime.utcnow().strftime("%Y-%m-%d %H:%M")
    load_start = loadavg()
    t0 = time.time()
    runner.run_all()
    elapsed = time.time() - t0
    load_end = loadavg()

    main_medians, micro_medians = summarize(runner.results, args)
    worst, ref, bad = check_predictions(runner.results)
    parts = ["### Machine and settings", "", machine_block(args, runner, started, elapsed,
                                                          load_start, load_end), ""]
    if any(w in args.workloads for w in ("tutorial", "mlp")):
        parts += ["### Workloads: medians and ratios (xgrad time / peer time; < 1: xgrad is "
                  "faster; ✓/✗: the issue's target met or not)", "",
                  main_table(main_medians, args), ""]
    if "micro" in args.workloads:
        parts += ["### Ops and matmul (rates: higher is better; op overhead: lower is better)",
                  "", micro_table(micro_medians, main_medians, args), ""]
    if worst is not None:
        parts += ["Final tutorial predictions (C++ floor): %s; largest difference of any "
                  "implementation in any run: %.2g (tolerance %g)%s" % (
                      ", ".join("%.10f" % v for v in ref), worst, PREDICTION_TOLERANCE,
                      "" if not bad else " — MISMATCH: " + "; ".join(bad)), ""]
    if runner.failures:
        parts += ["FAILED RUNS:", ""] + ["    " + f.replace("\n", "\n    ")
                                         for f in runner.failures] + [""]
    report = "\n".join(parts)
    with open(os.path.join(args.out_dir, "results.md"), "w", encoding="utf-8") as f:
        f.write(report)
    with open(os.path.join(args.out_dir, "results.json"), "w", encoding="utf-8") as f:
        json.dump({"args": {k: v for k, v in vars(args).items()}, "results": runner.results}, f,
                  indent=1)
    write_plot_data(main_medians, args, os.path.join(args.out_dir, "plot.dat"))
    print(report)
    return 1 if (bad or runner.failures) else 0


if __name__ == "__main__":
    sys.exit(main())
