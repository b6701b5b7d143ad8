#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# check_format.sh - every C file of the tree is laid out as .clang-format says.
#
# Usage: check_format.sh SRCDIR
#
# Runs "clang-format --dry-run --Werror" (version 14, as on Debian 12; other
# versions lay some constructs out differently) over the .c and .h files git
# knows of: tracked files, plus new files not yet added that .gitignore does
# not exclude, so a file is checked before it is committed. Build trees
# (directories with a CMakeCache.txt) are skipped. Outside a git checkout it
# falls back to find. Lists each file that differs with the start of its
# diff, and exits 1; fix with "clang-format -i FILE".
set -euo pipefail

if [ $# -ne 1 ]; then
    echo "usage: check_format.sh SRCDIR" >&2
    exit 2
fi
srcdir=$1
cd "$srcdir"

clang_format=
for c in clang-format-14 clang-format; do
    if command -v "$c" >/dev/null 2>&1; then
        clang_format=$c
        break
    fi
done
if [ -z "$clang_format" ]; then
    echo "FAILURE: clang-format is not installed (scripts/deps.sh --test installs it)" >&2
    exit 1
fi
if [ ! -f .clang-format ]; then
    echo "FAILURE: $srcdir/.clang-format is missing" >&2
    exit 1
fi

# is_build_file PATH - is PATH inside a CMake build tree within the source?
is_build_file() {
    local dir
    dir=$(dirname "$1")
    while [ "$dir" != "." ] && [ "$dir" != "/" ]; do
        [ -f "$dir/CMakeCache.txt" ] && return 0
        dir=$(dirname "$dir")
    done
    return 1
}

files=()
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    while IFS= read -r -d '' f; do
        # Deleted but still tracked files are gone from the work tree.
        [ -f "$f" ] || continue
        is_build_file "$f" && continue
        files+=("$f")
    done < <(git ls-files -z --cached --others --exclude-standard -- '*.c' '*.h' | sort -zu)
else
    while IFS= read -r -d '' f; do
        f=${f#./}
        is_build_file "$f" && continue
        files+=("$f")
    done < <(find . -mindepth 1 -name '.*' -prune -o -type f \( -name '*.c' -o -name '*.h' \) -print0 | sort -z)
fi

bad=()
for f in "${files[@]}"; do
    if ! "$clang_format" --dry-run --Werror "$f" >/dev/null 2>&1; then
        bad+=("$f")
    fi
done

for f in "${bad[@]}"; do
    echo "$f: not formatted as .clang-format says; run: $clang_format -i $f"
    "$clang_format" "$f" | diff -u --label "$f" --label "$f (formatted)" "$f" - | sed -n '3,22p' || true
done
echo "clang-format: ${#files[@]} files checked, ${#bad[@]} need formatting ($("$clang_format" --version | sed 's/.*version //'))"
[ ${#bad[@]} -eq 0 ]
