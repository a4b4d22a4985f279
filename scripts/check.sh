#!/usr/bin/env bash
# The one command: installs what is missing, then configures, builds and tests xgrad.
#
# Usage: scripts/check.sh [--asan] [--debug] [--format] [--help]
#   (default)  release preset: build everything (library, tests, examples, benchmarks)
#              and run ctest (unit tests, example smoke tests, package consumer)
#   --asan     also the asan preset (AddressSanitizer + UBSan, with the ASAN_OPTIONS and
#              UBSAN_OPTIONS below: leaks, stack-use-after-return, halt on first error)
#   --debug    also the debug preset (-O0, _GLIBCXX_ASSERTIONS, XTENSOR_ENABLE_ASSERT)
#   --format   first check formatting with clang-format --dry-run -Werror
# Environment: XGRAD_JOBS (default 2) parallel build and test jobs.
# Prints the time of each phase and ends with one "N passed, N failed" line.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

usage() { sed -n '2,12s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; }

presets=(release)
format=0
for arg in "$@"; do
  case "$arg" in
    --asan) presets+=(asan) ;;
    --debug) presets+=(debug) ;;
    --format) format=1 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "check: unknown option '$arg'" >&2; usage >&2; exit 2 ;;
  esac
done
jobs="${XGRAD_JOBS:-2}"

# Sanitizer run-time options for the asan preset (CMakePresets.json sets the same for ctest;
# exported here too because the build runs the test binary to list its test cases).
asan_options="detect_leaks=1:detect_stack_use_after_return=1:strict_string_checks=1:halt_on_error=1"
ubsan_options="halt_on_error=1:print_stacktrace=1:suppressions=$PWD/cmake/ubsan.supp"

timings=()
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

# run_ctest <preset>: ctest with its output kept, to add its counts to the summary.
run_ctest() {
  local preset="$1" log
  log="build/${preset}/check-ctest.log"
  local status=0
  ctest --preset "$preset" --output-on-failure -j "$jobs" 2>&1 | tee "$log" || status=$?
  local counts
  counts=$(sed -n 's/.*tests passed, \([0-9][0-9]*\) tests\{0,1\} failed out of \([0-9][0-9]*\).*/\1 \2/p' "$log" | tail -n 1)
  if [[ -n "$counts" ]]; then
    local failed=${counts% *} total=${counts#* }
    total_failed=$((total_failed + failed))
    total_passed=$((total_passed + total - failed))
    ran_tests=1
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

extra_packages=()
if ((format)) && ! command -v clang-format >/dev/null 2>&1; then
  extra_packages+=(clang-format)
fi
phase "setup" scripts/setup.sh "${extra_packages[@]}"

if ((format)); then
  phase "format" check_format
fi

for preset in "${presets[@]}"; do
  if [[ "$preset" == asan ]]; then
    export ASAN_OPTIONS="$asan_options" UBSAN_OPTIONS="$ubsan_options"
  fi
  phase "${preset}: configure" cmake --preset "$preset"
  phase "${preset}: build" cmake --build --preset "$preset" -j "$jobs"
  phase "${preset}: test" run_ctest "$preset"
done
