#!/usr/bin/env bash
# The one command: installs what is missing, then configures, builds and tests xgrad.
#
# Usage: scripts/check.sh [--asan] [--debug] [--tsan] [--valgrind] [--fuzz] [--format] [--tidy]
#                         [--mutate] [--help]
#   (default)   release preset: build everything (library, tests, examples, benchmarks)
#               and run ctest (unit tests, example smoke tests, package consumer)
#   --asan      also the asan preset (AddressSanitizer + UBSan, with the ASAN_OPTIONS and
#               UBSAN_OPTIONS below: leaks, stack-use-after-return, halt on first error)
#   --debug     also the debug preset (-O0, _GLIBCXX_ASSERTIONS, XTENSOR_ENABLE_ASSERT)
#   --tsan      also the tsan preset: ThreadSanitizer build of the library and the [threads]
#               tests (tests/threads) only, run with ctest
#   --valgrind  valgrind --leak-check=full on the debug test binary (built if needed), tags
#               [leak], [storage] and the .npy/.npz/save-load tests ([npy] [npz] [serialize] [fuzz])
#   --fuzz      the fuzz preset (clang-14, ASan+UBSan, libFuzzer; installs clang-14 and
#               libclang-rt-14-dev): corpus replay, then XGRAD_FUZZ_SECONDS (default 60) of
#               fuzzing the .npy/.npz loaders; any finding fails
#   --format    first check formatting with clang-format --dry-run -Werror
#   --tidy      after configuring the release preset (before building it), scripts/tidy.sh:
#               clang-tidy's naming and bug-prone checks (.clang-tidy) on lib/src/**/*.cpp
#               and xgrad's headers; any warning fails (installs clang-tidy)
#   --mutate    after the release tests, the CI subset of scripts/mutate.sh, in place (only
#               in a throwaway clone: it edits lib/ and restores it)
# Environment: XGRAD_JOBS (default 2) parallel build and test jobs.
# Prints the time of each phase and ends with one "N passed, N failed" line.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

usage() { sed -n '2,27s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; }

presets=(release)
format=0
mutate=0
valgrind=0
fuzz=0
tidy=0
for arg in "$@"; do
  case "$arg" in
    --asan) presets+=(asan) ;;
    --debug) presets+=(debug) ;;
    --tsan) presets+=(tsan) ;;
    --valgrind) valgrind=1 ;;
    --fuzz) fuzz=1 ;;
    --format) format=1 ;;
    --tidy) tidy=1 ;;
    --mutate) mutate=1 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "check: unknown option '$arg'" >&2; usage >&2; exit 2 ;;
  esac
done
jobs="${XGRAD_JOBS:-2}"

# Sanitizer run-time options for the asan preset (CMakePresets.json sets the same for ctest;
# exported here too because the build runs the test binary to list its test cases).
asan_options="detect_leaks=1:detect_stack_use_after_return=1:strict_string_checks=1:halt_on_error=1"
ubsan_options="halt_on_error=1:print_stacktrace=1:suppressions=$PWD/cmake/ubsan.supp"
tsan_options="halt_on_error=1:second_deadlock_stack=1"
fuzz_seconds="${XGRAD_FUZZ_SECONDS:-60}"

timings=()
extra_summary=()
total_passed=0
total_failed=0
ran_tests=0
script_start=$SECONDS

summary() {
  local status=$?
  echo
  echo "==== check.sh: timings ===="
  local line
  for line in "${timings[@]}"; do echo "  $line"; done
  echo "  total: $((SECONDS - script_start)) s"
  if ((status != 0)); then
    echo "check.sh: FAILED (exit status $status)"
  fi
  local extra
  for extra in "${extra_summary[@]}"; do echo "$extra"; done
  if ((ran_tests)); then
    echo "ctest: ${total_passed} passed, ${total_failed} failed"
  fi
}
trap summary EXIT

# phase <name> <command...>: runs a command, records how long it took. The command runs in
# an `||` list, where bash ignores errexit: functions below return their failures.
phase() {
  local name="$1"
  shift
  echo
  echo "==== ${name} ===="
  local start=$SECONDS
  local status=0
  "$@" || status=$?
  timings+=("$(printf '%-22s %5d s' "$name:" $((SECONDS - start)))")
  return "$status"
}

# run_ctest <preset>: ctest with its output kept, to add its counts to the summary; then
# scripts/count_test_cases.py checks, from the JUnit file, that the ctests ran every test case
# the binary lists exactly once (no ctest that runs nothing), and the test cases a sanitizer
# build does not compile (tests/*_nosan.cpp) are reported.
run_ctest() {
  local preset="$1" log junit
  log="build/${preset}/check-ctest.log"
  junit="$PWD/build/${preset}/check-ctest-junit.xml"
  local status=0
  ctest --preset "$preset" --output-on-failure -j "$jobs" --output-junit "$junit" \
    --test-output-size-passed 65536 --test-output-size-failed 1048576 2>&1 | tee "$log" ||
    status=$?
  local counts
  counts=$(sed -n 's/.*tests passed, \([0-9][0-9]*\) tests\{0,1\} failed out of \([0-9][0-9]*\).*/\1 \2/p' "$log" | tail -n 1)
  if [[ -n "$counts" ]]; then
    local failed=${counts% *} total=${counts#* }
    total_failed=$((total_failed + failed))
    total_passed=$((total_passed + total - failed))
    ran_tests=1
  fi
  local bin="build/${preset}/tests/xgrad_tests"
  if [[ -x "$bin" ]]; then
    local counted
    counted=$(python3 scripts/count_test_cases.py --preset "$preset" --junit "$junit" \
      --binary "$bin") || status=1
    echo "$counted"
    extra_summary+=("${counted}")
  fi
  local not_built="build/${preset}/tests/not_built.txt"
  if [[ -f "$not_built" ]] && ! grep -q '^0 ' "$not_built"; then
    extra_summary+=("${preset}: $(head -n 1 "$not_built") ($(tail -n +2 "$not_built" | paste -sd ' '))")
  fi
  return "$status"
}

check_format() {
  local files
  mapfile -t files < <(git ls-files --cached --others --exclude-standard -- \
    '*.cpp' '*.hpp' '*.h' '*.cc' | while read -r f; do [[ -f "$f" ]] && echo "$f"; done)
  if ((${#files[@]} == 0)); then
    echo "no C++ files to check"
    return 0
  fi
  # (phase runs this with errexit off, so failures must be returned explicitly)
  clang-format --dry-run -Werror "${files[@]}" || return 1
  echo "clang-format: ${#files[@]} files OK"
}

# run_valgrind: memcheck on the debug preset's test binary (built without -march=native:
# valgrind 3.19 cannot decode AVX-512, which the release build may use), a small subset:
# the leak tests and the file tests (docs/reliability.md, C4: L2, S1, S3).
run_valgrind() {
  local bin=build/debug/tests/xgrad_tests
  local tags='[leak],[storage],[npy],[npz],[serialize],[fuzz]'
  local log=build/debug/check-valgrind.log
  # OPENBLAS_NUM_THREADS=1: no BLAS thread pool (its threads' TLS shows as "possibly lost").
  OPENBLAS_NUM_THREADS=1 valgrind --error-exitcode=1 --leak-check=full --num-callers=30 \
    "$bin" "$tags" 2>&1 | tee "$log"
  local status=${PIPESTATUS[0]}
  local errors
  errors=$(sed -n 's/.*ERROR SUMMARY: \([0-9][0-9]*\) errors.*/\1/p' "$log" | tail -n 1)
  local cases
  cases=$(sed -n 's/.*(\([0-9][0-9]*\) assertions\{0,1\} in \([0-9][0-9]*\) test cases\{0,1\}).*/\2 test cases, \1 assertions/p' "$log" | tail -n 1)
  extra_summary+=("valgrind: ${errors:-?} errors (${cases:-no test summary}), exit status ${status}")
  return "$status"
}

# run_fuzz_replay: the fuzzer binary runs every file of the crash corpus and the seed corpus
# once, with the same limits as the fuzz run (so an input over -malloc_limit_mb fails here).
fuzz_bin=build/fuzz/tests/fuzz/xgrad_fuzz_loaders
fuzz_flags=(-rss_limit_mb=2048 -malloc_limit_mb=512 -timeout=10)
fuzz_inputs() {
  find tests/fuzz/crashes -type f
  find tests/fixtures -type f \( -name '*.npy' -o -name '*.npz' \)
}
run_fuzz_replay() {
  local files
  mapfile -t files < <(fuzz_inputs | sort)
  "$fuzz_bin" "${fuzz_flags[@]}" "${files[@]}" || return 1
  echo "fuzz replay: ${#files[@]} inputs OK"
}

# run_fuzz: libFuzzer for fuzz_seconds on a fresh copy of the seeds and the crash corpus.
# A finding (crash, sanitizer report, leak, timeout, OOM) leaves its input under
# build/fuzz/fuzz-artifacts/ and fails the phase: add it to tests/fuzz/crashes/ once fixed.
run_fuzz() {
  local corpus=build/fuzz/fuzz-corpus artifacts=build/fuzz/fuzz-artifacts log=build/fuzz/check-fuzz.log
  rm -rf "$corpus" "$artifacts"
  mkdir -p "$corpus" "$artifacts"
  local f
  while read -r f; do cp "$f" "$corpus/"; done < <(fuzz_inputs)
  local status=0
  "$fuzz_bin" "${fuzz_flags[@]}" -max_total_time="$fuzz_seconds" -print_final_stats=1 \
    -artifact_prefix="$artifacts/" "$corpus" >"$log" 2>&1 || status=$?
  grep -v '^#[0-9]' "$log" | tail -n 40
  local execs findings
  execs=$(sed -n 's/^stat::number_of_executed_units: *\([0-9][0-9]*\).*/\1/p' "$log" | tail -n 1)
  findings=$(find "$artifacts" -type f | wc -l)
  extra_summary+=("fuzz: ${execs:-?} executions in ${fuzz_seconds} s, ${findings} findings")
  if ((status != 0 || findings != 0)); then
    echo "fuzz: FINDING (exit status $status); inputs:" >&2
    find "$artifacts" -type f >&2
    return 1
  fi
}

extra_packages=()
if ((format)) && ! command -v clang-format >/dev/null 2>&1; then
  extra_packages+=(clang-format)
fi
if ((valgrind)); then
  extra_packages+=(--valgrind)
fi
if ((fuzz)); then
  extra_packages+=(--fuzz)
fi
if ((tidy)); then
  extra_packages+=(--tidy)
fi
phase "setup" scripts/setup.sh "${extra_packages[@]}"

if ((format)); then
  phase "format" check_format
fi

# The valgrind job needs the debug build: add the preset unless --debug already did.
if ((valgrind)) && [[ " ${presets[*]} " != *" debug "* ]]; then
  presets+=(debug-for-valgrind)
fi

for preset in "${presets[@]}"; do
  case "$preset" in
    asan) export ASAN_OPTIONS="$asan_options" UBSAN_OPTIONS="$ubsan_options" ;;
    tsan) export TSAN_OPTIONS="$tsan_options" ;;
  esac
  if [[ "$preset" == debug-for-valgrind ]]; then
    # Only the test binary (not examples, benchmarks or ctest): valgrind runs it directly.
    phase "debug: configure" cmake --preset debug
    phase "debug: build" cmake --build --preset debug -j "$jobs" --target xgrad_tests
    continue
  fi
  phase "${preset}: configure" cmake --preset "$preset"
  # clang-tidy needs only the configured tree (compile_commands.json), not the build.
  if [[ "$preset" == release ]] && ((tidy)); then
    phase "release: tidy" scripts/tidy.sh build/release
  fi
  phase "${preset}: build" cmake --build --preset "$preset" -j "$jobs"
  phase "${preset}: test" run_ctest "$preset"
  if [[ "$preset" == release ]]; then
    # docs/reliability.md's Numbers section must be what the script makes of this tree.
    phase "release: numbers" scripts/reliability_numbers.py --check build/release
    # The CI subset of the mutation check (scripts/mutate.sh --list: all of them), in place:
    # this tree is a throwaway clone in CI; every file is restored and xgrad_tests rebuilt.
    if ((mutate)); then
      phase "release: mutations" scripts/mutate.sh --in-place --build build/release --subset ci
    fi
  fi
done

if ((valgrind)); then
  phase "valgrind" run_valgrind
fi

if ((fuzz)); then
  export ASAN_OPTIONS="$asan_options" UBSAN_OPTIONS="$ubsan_options"
  phase "fuzz: configure" cmake --preset fuzz
  phase "fuzz: build" cmake --build --preset fuzz -j "$jobs"
  phase "fuzz: test" run_ctest fuzz
  phase "fuzz: replay" run_fuzz_replay
  phase "fuzz: ${fuzz_seconds} s run" run_fuzz
fi
