#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test.sh - THE test command: every test Petrel has, from a fresh clone.
#
# Usage: scripts/test.sh
#
#   1. scripts/deps.sh --test  (installs what is missing)
#   2. build/: the release build (-O2, _FORTIFY_SOURCE), compiled only
#   3. build-asan/: Debug build with AddressSanitizer, LeakSanitizer and
#      UBSan; its CTest runs the unit tests, the fuzz corpus regressions,
#      the source checks (layering, banned functions, format, parameter
#      docs) and the integration suites
#   4. build-fuzz/: clang build with libFuzzer; its CTest smoke-runs every
#      fuzz target for PETREL_FUZZ_SECONDS (default 15) seconds
#   5. a summary; the exit status is non-zero if any step or test failed.
#
# Root: the integration suites create a test user and check privilege
# drops, so the tests run as root. Run it as root (as CI does), or as a user
# with sudo: then the builds run as you and only the ctest runs use sudo,
# so the build trees stay yours. Without root or sudo it stops before
# building.
#
# Environment: PETREL_FUZZ_SECONDS, PETREL_CTEST_ARGS (extra ctest
# arguments, e.g. "-R unit/"), ASAN_OPTIONS/UBSAN_OPTIONS (appended to the
# defaults below, so they win).
set -euo pipefail

srcdir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$srcdir"

if [ "$(id -u)" -eq 0 ]; then
    as_root=()
elif command -v sudo >/dev/null 2>&1; then
    as_root=(sudo)
    echo "test.sh: not root; the ctest runs will use sudo"
    sudo -v
else
    echo "test.sh: the integration tests need root (they create a test user and check" >&2
    echo "test.sh: privilege drops): run this script as root, or install and configure sudo" >&2
    exit 1
fi

results=()  # "name|passed|failed|note" per step
total_passed=0
total_failed=0

# record NAME PASSED FAILED NOTE - remember the outcome of one step
record() {
    results+=("$1|$2|$3|$4")
    total_passed=$((total_passed + $2))
    total_failed=$((total_failed + $3))
}

# --- 1. dependencies ---------------------------------------------------
scripts/deps.sh --test

# --- sanitizer options -------------------------------------------------
# LeakSanitizer stops the process under ptrace-restricted sandboxes with
# "LeakSanitizer has encountered a fatal error"; probe it once, and turn leak
# detection off (loudly) only where it cannot work.
detect_leaks=1
probe_dir=$(mktemp -d)
trap 'rm -rf "$probe_dir"' EXIT
printf '#include <stdlib.h>\nint main(void) { free(malloc(1)); return 0; }\n' >"$probe_dir/probe.c"
if cc -fsanitize=address -o "$probe_dir/probe" "$probe_dir/probe.c" 2>"$probe_dir/cc.log"; then
    if ! ASAN_OPTIONS=detect_leaks=1 "$probe_dir/probe" >"$probe_dir/run.log" 2>&1; then
        detect_leaks=0
        echo "test.sh: WARNING: LeakSanitizer does not work here; leak detection is off:" >&2
        sed 's/^/    /' "$probe_dir/run.log" >&2
    fi
else
    echo "test.sh: WARNING: cannot build an AddressSanitizer program:" >&2
    sed 's/^/    /' "$probe_dir/cc.log" >&2
fi
export ASAN_OPTIONS="abort_on_error=1:detect_leaks=$detect_leaks:strict_string_checks=1:check_initialization_order=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
echo "test.sh: ASAN_OPTIONS=$ASAN_OPTIONS"
echo "test.sh: UBSAN_OPTIONS=$UBSAN_OPTIONS"

# run_ctest NAME BUILDDIR [ARGS...] - run ctest in BUILDDIR as root and
# record how many tests passed and failed
run_ctest() {
    local name=$1 dir=$2 log status summary tests failed
    shift 2
    log=$(mktemp)
    # shellcheck disable=SC2206 # splitting PETREL_CTEST_ARGS is the point
    local extra=(${PETREL_CTEST_ARGS:-})
    echo
    echo "=== ctest: $name ($dir) ==="
    set +e
    (cd "$dir" && "${as_root[@]}" env "ASAN_OPTIONS=$ASAN_OPTIONS" "UBSAN_OPTIONS=$UBSAN_OPTIONS" \
        "PATH=$PATH" ctest --output-on-failure --no-tests=ignore "$@" "${extra[@]}") 2>&1 | tee "$log"
    status=${PIPESTATUS[0]}
    set -e
    summary=$(grep -E '^[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -1 || true)
    rm -f "$log"
    if [ -n "$summary" ]; then
        failed=$(sed -E 's/.* ([0-9]+) tests? failed out of.*/\1/' <<<"$summary")
        tests=$(sed -E 's/.* out of ([0-9]+).*/\1/' <<<"$summary")
        if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
            failed=1 # ctest failed without counting a test: count the run
        fi
        record "$name" $((tests - failed)) "$failed" "ctest exit $status"
    elif [ "$status" -eq 0 ]; then
        record "$name" 0 0 "no tests registered"
    else
        record "$name" 0 1 "ctest failed (exit $status) before summarising"
    fi
}

# --- 2. the release tree --------------------------------------------------
# What scripts/demo.sh and packages build: -O2 with _FORTIFY_SOURCE finds
# warnings (hence errors) that the Debug sanitizer build does not.
if scripts/build.sh build; then
    record "release" 1 0 "-O2 build with -Werror"
else
    record "release" 0 1 "build failed"
fi

# --- 3. the sanitizer tree ----------------------------------------------
if scripts/build.sh --sanitize build-asan; then
    run_ctest "sanitizers" build-asan
else
    record "sanitizers" 0 1 "build failed"
fi

# --- 4. the libFuzzer tree ----------------------------------------------
fuzz_opts=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang -DPETREL_FUZZ=ON -DPETREL_TESTS=OFF)
if [ -n "${PETREL_FUZZ_SECONDS:-}" ]; then
    fuzz_opts+=("-DPETREL_FUZZ_SECONDS=$PETREL_FUZZ_SECONDS")
fi
if cmake -S . -B build-fuzz "${fuzz_opts[@]}" && cmake --build build-fuzz -j "$(nproc)"; then
    run_ctest "fuzz" build-fuzz -j "$(nproc)"
else
    record "fuzz" 0 1 "build failed"
fi

# --- 5. summary -------------------------------------------------------
echo
echo "=== summary ==="
for r in "${results[@]}"; do
    IFS='|' read -r name passed failed note <<<"$r"
    printf '  %-12s %4d passed, %4d failed  (%s)\n' "$name" "$passed" "$failed" "$note"
done
echo "tests: $total_passed passed, $total_failed failed"
[ "$total_failed" -eq 0 ]
