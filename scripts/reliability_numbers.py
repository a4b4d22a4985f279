#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Regenerates the counts of docs/reliability.md ("Numbers") from a build directory.

    scripts/reliability_numbers.py [BUILD_DIR]          # rewrite the block in the doc
    scripts/reliability_numbers.py --check [BUILD_DIR]  # exit 1 if the doc is out of date

BUILD_DIR (default build/release) must hold a built tests/xgrad_tests; its ctest files give
the ctest counts. The block between <!-- numbers:begin --> and <!-- numbers:end --> is
replaced; everything else in the doc is left alone. What it runs: the test binary's listing
(test cases in all and per tag), one full run of the binary (the number of assertions; it
must pass), the hidden "[numbers]" test case (op registry counts), and `ctest --show-only`.
Nothing depends on time or on the CPU (the registry samples around the SIMD size thresholds
cover every x86-64 vector width, whatever -march=native picks), so two runs on the same tree
give the same block.
"""

import argparse
import difflib
import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "reliability.md"
BEGIN = "<!-- numbers:begin (scripts/reliability_numbers.py; do not edit by hand) -->"
END = "<!-- numbers:end -->"

# Checklist groups of the doc, each a list of (label, Catch2 test spec); a spec with commas
# matches test cases having any of the tags.
GROUPS = [
    ("G", [("op registry", "[registry]"), ("of which broadcast", "[broadcast]"),
           ("gradcheck", "[gradcheck]"), ("golden (PyTorch)", "[golden]"), ("vjp", "[vjp]"),
           ("kinks", "[kinks]")]),
    ("L", [("deep chains, DAG, leaks, steady state", "[lifecycle],[deep]")]),
    ("E", [("engine and autograd", "[engine],[autograd]"), ("anomaly", "[anomaly]")]),
    ("N", [("numerics", "[numerics]")]),
    ("X", [("xtensor rules", "[xtensor]")]),
    ("S", [("io", "[io]"), ("fuzz corpus replay", "[fuzz]")]),
    ("T", [("threads", "[threads]")]),
    ("storage", [("allocator, buffer cache, retention", "[storage]")]),
]


def run(cmd, **kw):
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1")
    return subprocess.run(cmd, capture_output=True, text=True, env=env, **kw)


def listed(binary, spec=None):
    cmd = [str(binary), "--list-test-names-only"] + ([spec] if spec else [])
    out = run(cmd).stdout  # the exit code is the number listed
    return [line for line in out.splitlines() if line.strip()]


def fmt(n):
    return f"{n:,}"


def numbers(build):
    binary = build / "tests" / "xgrad_tests"
    if not binary.is_file():
        sys.exit(f"reliability_numbers: {binary} not found (build the xgrad_tests target)")
    cases = len(listed(binary))

    full = run([str(binary)])
    summary = re.search(r"All tests passed \(([0-9]+) assertions? in ([0-9]+) test cases?\)",
                        full.stdout)
    if full.returncode != 0 or summary is None:
        tail = "\n".join(full.stdout.splitlines()[-20:])
        sys.exit(f"reliability_numbers: the full run of {binary} did not pass "
                 f"(exit {full.returncode}):\n{tail}")
    assertions, ran = int(summary.group(1)), int(summary.group(2))

    reg = run([str(binary), "[numbers]"])
    registry = re.search(r"numbers: registry entries (\d+) variants (\d+) samples (\d+) "
                         r"gradchecks (\d+) zero-size (\d+) sized (\d+)", reg.stdout)

    shown = run(["ctest", "--test-dir", str(build), "--show-only=json-v1"])
    if shown.returncode != 0:
        sys.exit(f"reliability_numbers: ctest --show-only failed:\n{shown.stderr}")
    labels = {}
    tests = json.loads(shown.stdout)["tests"]
    for t in tests:
        names = [l for p in t.get("properties", []) if p["name"] == "LABELS" for l in p["value"]]
        for label in names or ["(no label)"]:
            labels[label] = labels.get(label, 0) + 1

    cache = (build / "CMakeCache.txt").read_text() if (build / "CMakeCache.txt").is_file() else ""
    build_type = re.search(r"^CMAKE_BUILD_TYPE:\w+=(.*)$", cache, re.M)
    sanitize = re.search(r"^XGRAD_SANITIZE:\w+=(.+)$", cache, re.M)
    kind = (build_type.group(1) if build_type and build_type.group(1) else "default") + " build"
    if sanitize:
        kind += f" with sanitizers `{sanitize.group(1)}`"
    lines = [BEGIN,
             f"From `scripts/reliability_numbers.py` on a {kind}:",
             "",
             f"- The test binary lists {fmt(cases)} test cases; a full run passes {fmt(ran)} "
             f"test cases with {fmt(assertions)} assertions.",
             f"- ctest holds {fmt(len(tests))} tests: "
             + ", ".join(f"{fmt(n)} `{l}`" for l, n in sorted(labels.items()))
             + " (`unit`: one per test case; `example`: the examples and their checks; "
             "`package`: install and the find_package consumer)."]
    if registry:
        e, v, s, g, z, sized = (int(x) for x in registry.groups())
        lines.append(f"- The op registry: {fmt(e)} entries, {fmt(v)} variants, {fmt(s)} samples "
                     f"(each gradchecked in float64, {fmt(g)} gradchecks with the smooth ops' "
                     f"tight second one, and compared with the reference forward in float64 "
                     f"and float32), {fmt(sized)} samples on both sides of the size thresholds "
                     f"(checked the same way) and {fmt(z)} zero-size samples (forward only).")
    lines.append("- Test cases by checklist group (by tag):")
    for group, parts in GROUPS:
        text = ", ".join(f"{label} {fmt(len(listed(binary, spec)))} (`{spec}`)"
                         for label, spec in parts)
        lines.append(f"  - {group}: {text}.")
    crashes = ROOT / "tests" / "fuzz" / "crashes"
    if crashes.is_dir():
        n = sum(1 for p in crashes.iterdir() if p.is_file())
        lines.append(f"- The fuzz corpus replay runs the {fmt(n)} files of `tests/fuzz/crashes/`, "
                     "then the seed files of `tests/fixtures/`.")
    lines.append(END)
    # Wrapped at 100 columns like the rest of the doc; continuation lines indented under the
    # bullet's text.
    wrapped = []
    for line in lines:
        indent = len(line) - len(line.lstrip(" -"))
        wrapped.extend(textwrap.wrap(line, width=100, subsequent_indent=" " * indent,
                                     break_on_hyphens=False, break_long_words=False) or [""])
    return "\n".join(wrapped) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("build", nargs="?", default=str(ROOT / "build" / "release"))
    ap.add_argument("--check", action="store_true",
                    help="exit 1 if the doc's block differs from the regenerated one")
    ap.add_argument("--doc", default=str(DOC))
    args = ap.parse_args()
    doc = Path(args.doc)
    text = doc.read_text()
    pattern = re.compile(re.escape(BEGIN) + r".*?" + re.escape(END) + r"\n", re.S)
    if not pattern.search(text):
        sys.exit(f"reliability_numbers: {doc} has no {BEGIN} ... {END} block")
    block = numbers(Path(args.build).resolve())
    current = pattern.search(text).group(0)
    if args.check:
        if current != block:
            diff = difflib.unified_diff(current.splitlines(True), block.splitlines(True),
                                        f"{doc} (now)", "regenerated")
            print(f"{doc}: the Numbers block is out of date; run "
                  f"scripts/reliability_numbers.py {args.build}\n{''.join(diff)}",
                  file=sys.stderr)
            return 1
        print(f"{doc}: Numbers up to date")
        return 0
    doc.write_text(pattern.sub(lambda _: block, text, count=1))
    print(f"{doc}: Numbers {'unchanged' if current == block else 'updated'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
