#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Helper of scripts/mutate.sh: exact-string mutations, tree sync, and a test run that names
the failing Catch2 test cases.

  mutate_helper.py check FILE ORIG                 exit 0 if ORIG occurs exactly once in FILE
  mutate_helper.py apply FILE ORIG REPL BACKUP     save FILE to BACKUP, replace ORIG by REPL
  mutate_helper.py restore FILE BACKUP             write BACKUP's bytes back (a new mtime)
  mutate_helper.py sync SRC DST                    mirror the files listed (NUL-separated) on
                                                   stdin from SRC into DST by content
  mutate_helper.py run BIN MAX_FAILED TIMEOUT [SPEC]
                                                   run a Catch2 v2 binary (on the test spec
                                                   SPEC if given), print one line (cmd_run)
"""

import html
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time


def die(msg):
    print(f"mutate_helper: {msg}", file=sys.stderr)
    sys.exit(2)


def read(path):
    with open(path, "rb") as f:
        return f.read()


def write(path, data):
    # Plain open/write (never a copy preserving times): the file gets a new mtime, so make
    # rebuilds what depends on it.
    with open(path, "wb") as f:
        f.write(data)


def count(path, orig):
    return read(path).count(orig.encode())


def cmd_check(path, orig):
    n = count(path, orig)
    if n != 1:
        print(f"occurs {n} times (must occur exactly once)")
        return 1
    return 0


def cmd_apply(path, orig, repl, backup):
    data = read(path)
    n = data.count(orig.encode())
    if n != 1:
        die(f"{path}: the original snippet occurs {n} times (must occur exactly once)")
    write(backup, data)
    write(path, data.replace(orig.encode(), repl.encode(), 1))
    return 0


def cmd_restore(path, backup):
    write(path, read(backup))
    os.remove(backup)
    return 0


def cmd_sync(src, dst):
    """Copies every listed file whose content differs (or is missing) in dst, with a fresh
    mtime, and deletes files of dst that are not listed: a file left mutated by an interrupted
    run is restored and rebuilt, unchanged files keep their times and are not rebuilt."""
    names = [n for n in sys.stdin.buffer.read().decode().split("\0") if n]
    listed = set()
    copied = 0
    for name in names:
        s = os.path.join(src, name)
        if not os.path.isfile(s) or os.path.islink(s):
            continue  # deleted from the work tree but still in the index
        listed.add(os.path.normpath(name))
        d = os.path.join(dst, name)
        data = read(s)
        if os.path.isfile(d) and read(d) == data:
            continue
        os.makedirs(os.path.dirname(d) or ".", exist_ok=True)
        write(d, data)
        shutil.copymode(s, d)
        copied += 1
        if copied <= 10:
            print(f"sync: {name}")
    removed = 0
    for root, _dirs, files in os.walk(dst):
        for f in files:
            rel = os.path.normpath(os.path.relpath(os.path.join(root, f), dst))
            if rel not in listed:
                os.remove(os.path.join(root, f))
                removed += 1
    print(f"sync: {len(listed)} files, {copied} copied, {removed} removed")
    return 0


TEST_CASE = re.compile(r'<TestCase name="([^"]*)"')
RESULT = re.compile(r'<OverallResult success="(true|false)"')


def cmd_run(binary, max_failed, timeout, spec=None):
    """Runs the test binary with the XML reporter (streamed: one <TestCase> element per test
    case) and prints one line: "ok", "failed: <name> | <name> ...", "timeout after N s in
    <name>" or "crashed (<signal or status>) in <name>". Stops the binary once max_failed test
    cases have failed. Exit status 0 when all passed, 1 otherwise."""
    max_failed = int(max_failed)
    timeout = float(timeout)
    proc = subprocess.Popen(
        [os.path.abspath(binary), "-r", "xml"] + ([spec] if spec else []),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        cwd=os.path.dirname(os.path.abspath(binary)),
        start_new_session=True,
    )
    timed_out = threading.Event()

    def on_timeout():
        timed_out.set()
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    timer = threading.Timer(timeout, on_timeout)
    timer.start()
    current = None
    failed = []
    stopped = False
    start = time.monotonic()
    try:
        for raw in proc.stdout:
            line = raw.decode(errors="replace")
            m = TEST_CASE.search(line)
            if m:
                current = html.unescape(m.group(1))
            m = RESULT.search(line)
            if m and current is not None:
                if m.group(1) == "false" and current not in failed:
                    failed.append(current)
                    if len(failed) >= max_failed > 0:
                        stopped = True
                        os.killpg(proc.pid, signal.SIGKILL)
                        break
                current = None
    except BaseException:  # Ctrl-C or SIGTERM: do not leave the test binary running
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        raise
    finally:
        proc.stdout.close()
        status = proc.wait()
        timer.cancel()
    elapsed = time.monotonic() - start
    if failed:
        more = " (stopped early)" if stopped else ""
        print("failed: " + " | ".join(failed) + more)
        return 1
    if timed_out.is_set():
        print(f"timeout after {timeout:.0f} s in {current or '?'}")
        return 1
    if status != 0:
        why = f"signal {-status}" if status < 0 else f"exit status {status}"
        print(f"crashed ({why}) in {current or '?'}")
        return 1
    print(f"ok ({elapsed:.1f} s)")
    return 0


def main(argv):
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # runs the cleanup of cmd_run
    if len(argv) < 2:
        die("usage: see the docstring")
    cmd, args = argv[1], argv[2:]
    table = {
        "check": (cmd_check, 2),
        "apply": (cmd_apply, 4),
        "restore": (cmd_restore, 2),
        "sync": (cmd_sync, 2),
        "run": (cmd_run, (3, 4)),
    }
    arity = table[cmd][1] if cmd in table else None
    if isinstance(arity, int):
        arity = (arity,)
    if cmd not in table or len(args) not in arity:
        die(f"bad command line: {' '.join(argv[1:])}")
    return table[cmd][0](*args)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
