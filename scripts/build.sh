#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# build.sh - configure and build Petrel with CMake.
#
# Usage: scripts/build.sh [--sanitize] [BUILDDIR]
#
#   (default)    RelWithDebInfo into build/
#   --sanitize   Debug with AddressSanitizer and UBSan into build-asan/
#
# BUILDDIR is relative to the top of the source tree unless absolute. Extra
# CMake options can be passed in PETREL_CMAKE_ARGS (split on white space).
set -euo pipefail

srcdir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

sanitize=0
builddir=
for arg in "$@"; do
    case $arg in
    --sanitize) sanitize=1 ;;
    -h | --help)
        echo "usage: scripts/build.sh [--sanitize] [BUILDDIR]"
        exit 0
        ;;
    -*)
        echo "build.sh: unknown option $arg" >&2
        exit 2
        ;;
    *)
        if [ -n "$builddir" ]; then
            echo "build.sh: only one BUILDDIR may be given" >&2
            exit 2
        fi
        builddir=$arg
        ;;
    esac
done

if [ "$sanitize" = 1 ]; then
    builddir=${builddir:-build-asan}
    options=(-DCMAKE_BUILD_TYPE=Debug -DPETREL_SANITIZE=ON)
else
    builddir=${builddir:-build}
    options=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DPETREL_SANITIZE=OFF)
fi
case $builddir in
/*) ;;
*) builddir=$srcdir/$builddir ;;
esac

# shellcheck disable=SC2206 # splitting PETREL_CMAKE_ARGS is the point
extra=(${PETREL_CMAKE_ARGS:-})

cmake -S "$srcdir" -B "$builddir" "${options[@]}" "${extra[@]}"
cmake --build "$builddir" -j "$(nproc)"
echo "build.sh: built into $builddir"
