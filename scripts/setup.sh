#!/usr/bin/env bash
# Installs the Debian packages xgrad needs to build, test, benchmark and run its examples.
# Idempotent: does nothing (not even apt-get update) when everything is already installed.
#
# Usage: scripts/setup.sh [--fuzz] [--valgrind] [--tidy] [extra-package...]
#   --fuzz      also clang-14 and libclang-rt-14-dev (libFuzzer, for scripts/check.sh --fuzz)
#   --valgrind  also valgrind (for scripts/check.sh --valgrind)
#   --tidy      also clang-tidy (14; for scripts/tidy.sh and scripts/check.sh --tidy)
# The quick start needs neither: they are only installed when asked for.
# Runs apt-get as root, or through sudo when not root.
set -euo pipefail

optional=()
extra=()
for arg in "$@"; do
  case "$arg" in
    --fuzz) optional+=(clang-14 libclang-rt-14-dev) ;;
    --valgrind) optional+=(valgrind) ;;
    --tidy) optional+=(clang-tidy) ;;
    -*) echo "setup: unknown option '$arg'" >&2; exit 2 ;;
    *) extra+=("$arg") ;;
  esac
done

packages=(
  build-essential
  cmake
  pkg-config
  libxtensor-dev
  xtl-dev
  libxsimd-dev
  libxtensor-blas-dev
  libopenblas-dev
  liblapack-dev
  catch2
  libbenchmark-dev
  libcli11-dev
  libzip-dev
  python3-numpy  # the .npz interoperability test opens xgrad's files with numpy.load
  gnuplot-nox    # docs/plot_loss.gnuplot
  ${optional[@]+"${optional[@]}"}
  ${extra[@]+"${extra[@]}"}
)

missing=()
for pkg in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
  if [[ "$status" != "installed" ]]; then
    missing+=("$pkg")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "setup: all ${#packages[@]} packages already installed"
  exit 0
fi

if ((EUID == 0)); then
  sudo=()
elif command -v sudo >/dev/null 2>&1; then
  sudo=(sudo)
else
  echo "setup: missing packages: ${missing[*]}" >&2
  echo "setup: not root and no sudo: install them as root with apt-get install" >&2
  exit 1
fi

echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
