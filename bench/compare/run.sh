#!/usr/bin/env bash
# The comparison of docs/benchmarks.md in one command: installs what it needs, builds the
# release preset's benchmarks, runs xgrad, the C++ floors, NumPy and PyTorch side by side
# (alternating, at 1 and 2 threads), prints one table and writes build/compare/results.md,
# results.json, plot.dat and benchmarks_plot.png.
#
# Usage: bench/compare/run.sh [--update-docs] [--quick] [compare.py options...]
#   --update-docs  also put the table into docs/benchmarks.md (between its RESULTS markers)
#                  and the plot into docs/benchmarks_plot.png
#   --quick        1 round, fewer repetitions (a smoke test, not for the docs)
#   --build-dir D  configure and build the release preset in D instead of build/release
#   other options go to bench/compare/compare.py (see its --help), e.g. --rounds 5,
#   --threads 1, --openblas-env inherit
# Installing needs root (or sudo): scripts/setup.sh, then python3-torch if missing.
set -euo pipefail

export PYTHONDONTWRITEBYTECODE=1  # no __pycache__ in the source tree
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo"

update_docs=0
build_dir="build/release"
extra=()
while (($#)); do
  case "$1" in
    --update-docs) update_docs=1 ;;
    --quick) extra+=(--rounds 1 --gbench-reps 3) ;;
    --build-dir)
      build_dir="$2"
      shift
      ;;
    *) extra+=("$1") ;;
  esac
  shift
done

echo "== install (scripts/setup.sh python3-torch)" >&2
scripts/setup.sh python3-torch >&2

echo "== build (release preset, benchmark targets)" >&2
targets=()
for src in bench/bench_*.cpp; do
  targets+=("$(basename "$src" .cpp)")
done
cmake --preset release -B "$build_dir" >/dev/null
cmake --build "$build_dir" -j2 --target "${targets[@]}" >&2

out_dir="build/compare"
mkdir -p "$out_dir"
echo "== run (build/compare/results.md)" >&2
status=0
/usr/bin/python3 bench/compare/compare.py --build-dir "$build_dir" --out-dir "$out_dir" \
  ${extra[@]+"${extra[@]}"} || status=$?

if [[ -s "$out_dir/plot.dat" ]] && command -v gnuplot >/dev/null 2>&1; then
  gnuplot -e "datafile='$out_dir/plot.dat'; outfile='$out_dir/benchmarks_plot.png'" \
    bench/compare/plot.gnuplot || echo "run.sh: gnuplot failed" >&2
  echo "plot: $out_dir/benchmarks_plot.png" >&2
fi

if ((update_docs)); then
  if ((status != 0)); then
    echo "run.sh: not updating docs: the comparison reported failures (exit $status)" >&2
    exit "$status"
  fi
  /usr/bin/python3 bench/compare/update_docs.py "$out_dir/results.md" docs/benchmarks.md
  cp "$out_dir/benchmarks_plot.png" docs/benchmarks_plot.png
  echo "updated docs/benchmarks.md and docs/benchmarks_plot.png" >&2
fi
exit "$status"
