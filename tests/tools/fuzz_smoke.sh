#!/bin/sh
# SPDX-License-Identifier: MIT
# fuzz_smoke.sh - run one libFuzzer target for a bounded time from a scratch
# copy of its seed corpus (the checked-in seeds are never modified).
# Usage: fuzz_smoke.sh TARGET CORPUS_DIR SECONDS [-dict=FILE]
set -eu
target=$1 corpus=$2 seconds=$3
shift 3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$corpus"/. "$work"/ 2>/dev/null || true
"$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="${TMPDIR:-/tmp}/$(basename "$target")-" "$@" "$work"
