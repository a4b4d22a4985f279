#!/usr/bin/env bash
# Runs clang-tidy (the repository's .clang-tidy: naming rules and a few bug-prone checks) over
# every lib/src/**/*.cpp, with the flags of the build directory's compile_commands.json.
#
# Usage: scripts/tidy.sh [build-dir]
#   build-dir   a configured build directory (default build/release; `cmake --preset release`
#               makes it, CMAKE_EXPORT_COMPILE_COMMANDS is on in every preset)
# Environment: XGRAD_JOBS (default 2) clang-tidy processes in parallel;
#              CLANG_TIDY (default clang-tidy) the binary.
# Warnings in xgrad's own headers (lib/include/xgrad, lib/src) are reported once, however
# many sources include them. Prints each file with warnings and its count, then the total;
# exits 1 on any warning or clang-tidy failure.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

usage() { sed -n '2,12s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; }

build_dir=build/release
case "${1:-}" in
  -h | --help) usage; exit 0 ;;
  -*) echo "tidy: unknown option '$1'" >&2; usage >&2; exit 2 ;;
  "") ;;
  *) build_dir="${1%/}" ;;
esac
if (($# > 1)); then
  usage >&2
  exit 2
fi
jobs="${XGRAD_JOBS:-2}"
clang_tidy="${CLANG_TIDY:-clang-tidy}"

if ! command -v "$clang_tidy" >/dev/null 2>&1; then
  echo "tidy: $clang_tidy not found (scripts/setup.sh --tidy installs it)" >&2
  exit 1
fi
db="$build_dir/compile_commands.json"
if [[ ! -f "$db" ]]; then
  echo "tidy: no $db: configure with a preset first (cmake --preset release), or with" \
    "-DCMAKE_EXPORT_COMPILE_COMMANDS=ON" >&2
  exit 1
fi

mapfile -t sources < <(find lib/src -name '*.cpp' -type f | LC_ALL=C sort)
if ((${#sources[@]} == 0)); then
  echo "tidy: no sources under lib/src" >&2
  exit 1
fi
# Every source must have its own entry: for a file missing from the database clang-tidy would
# guess the flags (no include directories), and report errors that are not the code's.
root="$PWD"
missing=()
for src in "${sources[@]}"; do
  grep -qF "\"file\": \"$root/$src\"" "$db" || missing+=("$src")
done
if ((${#missing[@]} > 0)); then
  echo "tidy: not in $db (re-run cmake on it): ${missing[*]}" >&2
  exit 1
fi

out=$(mktemp -d "${TMPDIR:-/tmp}/xgrad-tidy.XXXXXX")
trap 'rm -rf "$out"' EXIT

# Each source's output goes to a file of its own (the parallel runs do not interleave), with
# its exit status beside it. The extra arguments are for the compile commands, which are
# GCC's: clang does not know some of GCC's warning options, and compiler warnings are not
# this check's business (-Wno-error: the build's -Werror must not make them errors here).
# The flags come from the database as they are: whatever it force-includes (-include), or not.
start=$SECONDS
export clang_tidy build_dir out
printf '%s\n' "${sources[@]}" | xargs -P "$jobs" -I{} bash -c '
  src="$1"
  log="$out/$(printf "%s" "$src" | tr "/" "_").log"
  status=0
  "$clang_tidy" -p "$build_dir" --quiet \
    --extra-arg=-Wno-unknown-warning-option --extra-arg=-Wno-error \
    "$src" >"$log" 2>&1 || status=$?
  echo "$status" >"$log.status"
' _ {}
elapsed=$((SECONDS - start))

# Diagnostics: "<path>:<line>:<col>: warning|error: <message> [<check>]", the same header
# location counted once. Paths are shown relative to the repository.
diags="$out/diagnostics.txt"
cat "$out"/*.log |
  sed -nE "s#^($root/)?([^ :][^:]*):([0-9]+):([0-9]+): (warning|error): #\\2:\\3:\\4: \\5: #p" |
  sed -E 's#/[^/.][^/]*/\.\./#/#g' | LC_ALL=C sort -u | LC_ALL=C sort -t: -k1,1 -k2,2n -k3,3n >"$diags"

failed=()
for src in "${sources[@]}"; do
  log="$out/$(printf '%s' "$src" | tr '/' '_').log"
  status=$(cat "$log.status")
  # clang-tidy exits non-zero for warnings-as-errors too; a failure without any diagnostic
  # line (a crash, a bad flag) is shown in full.
  if [[ "$status" != 0 ]] && ! grep -qE ': (warning|error): ' "$log"; then
    failed+=("$src")
    echo "tidy: clang-tidy failed on $src (exit status $status):" >&2
    cat "$log" >&2
  fi
done

count=$(wc -l <"$diags")
if ((count > 0)); then
  cat "$diags"
  echo
  echo "tidy: warnings per file:"
  cut -d: -f1 "$diags" | uniq -c | awk '{ printf "  %-45s %d\n", $2, $1 }'
fi
echo "tidy: ${#sources[@]} sources, ${count} warnings, ${#failed[@]} clang-tidy failures (${elapsed} s, ${jobs} jobs)"
if ((count > 0 || ${#failed[@]} > 0)); then
  exit 1
fi
