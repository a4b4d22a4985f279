#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Checks that a ctest run ran every Catch2 test case of xgrad_tests exactly once.

Usage: scripts/count_test_cases.py --preset NAME --junit FILE --binary PATH

catch_discover_tests turns each TEST_CASE into one ctest whose command is a test spec; a name
that the spec parser splits (a `;`, say) makes a ctest that matches no test case, and Catch2 v2
then exits 0 ("No test cases matched"). This script compares three lists:
  - the test cases the binary lists (--list-test-names-only),
  - the ctests labelled `unit` (ctest --show-only=json-v1),
  - what each of those ctests ran, read from Catch's summary line in its output in the JUnit
    file that `ctest --output-junit` wrote ("All tests passed (N assertions in 1 test case)"
    or "test cases: 1 | ...").
Every listed test case must have a ctest, and every unit ctest must have run exactly one test
case. Prints "test cases: L listed, R run by C ctests" and exits 1 on any difference.
"""
import argparse
import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

PASSED = re.compile(r"All tests passed \((\d+) assertions? in (\d+) test cases?\)")
FAILED = re.compile(r"^test cases:\s*(\d+) \|", re.MULTILINE)


def listed_names(binary):
    out = subprocess.run([binary, "--list-test-names-only"], check=False, capture_output=True,
                         text=True)
    names = [line.strip() for line in out.stdout.splitlines() if line.strip()]
    if not names:
        sys.exit(f"count_test_cases: {binary} lists no test cases")
    return names


def unit_ctests(preset):
    out = subprocess.run(["ctest", "--preset", preset, "-L", "unit", "--show-only=json-v1"],
                         check=True, capture_output=True, text=True)
    return [t["name"] for t in json.loads(out.stdout).get("tests", [])]


def ran_counts(junit):
    """ctest name -> number of test cases its output says were run (None: no summary)."""
    counts = {}
    for case in ET.parse(junit).getroot().iter("testcase"):
        out = "".join(e.text or "" for e in case.iter("system-out"))
        m = PASSED.search(out)
        if m:
            counts[case.get("name")] = int(m.group(2))
            continue
        m = FAILED.search(out)
        counts[case.get("name")] = int(m.group(1)) if m else None
    return counts


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--preset", required=True)
    ap.add_argument("--junit", required=True)
    ap.add_argument("--binary", required=True)
    args = ap.parse_args()

    listed = listed_names(args.binary)
    ctests = unit_ctests(args.preset)
    ran = ran_counts(args.junit)
    errors = []
    if len(set(listed)) != len(listed):
        errors.append("the binary lists a test case name twice")
    for name in listed:
        if ";" in name:
            errors.append(f"test case name with ';' (catch_discover_tests splits it): {name!r}")
    for name in sorted(set(listed) - set(ctests)):
        errors.append(f"test case without a ctest: {name!r}")
    for name in sorted(set(ctests) - set(listed)):
        errors.append(f"ctest that is no test case: {name!r}")
    total = 0
    for name in ctests:
        n = ran.get(name)
        if n is None:
            errors.append(f"ctest {name!r}: no Catch summary in its output (not run?)")
        elif n != 1:
            errors.append(f"ctest {name!r} ran {n} test cases, not 1")
        total += n or 0
    print(f"test cases: {len(listed)} listed, {total} run by {len(ctests)} ctests ({args.preset})")
    if total != len(listed):
        errors.append(f"{total} test cases run, {len(listed)} listed")
    for e in errors:
        print("count_test_cases: " + e, file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
