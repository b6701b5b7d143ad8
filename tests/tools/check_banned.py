#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""check_banned - refuse calls of unsafe or forbidden C library functions.

Usage: check_banned.py SRCDIR

Checks every .c and .h file of the project (lib/, the program directories,
tests/, bench/; build trees are skipped). Comments, string and character
literals are blanked out before matching, so prose and messages that name a
function do not count. Besides the functions below, starting a shell is
refused: an exec*() or posix_spawn*() call naming a shell, or a shell path
("/bin/sh", _PATH_BSHELL) anywhere in code. DESIGN.md invariant 2: no
system(), popen() or shell anywhere.

Test code (tests/, bench/) may use one where the line carries a comment
"/* banned-ok: reason */"; program and library code has no such way out.

Prints "FILE:LINE: banned function sprintf (use snprintf or buf_printf)" per
violation, then a summary line; exits 1 on any violation.
"""
import os
import re
import sys

# Function -> what to use instead.
BANNED = {
    "system": "fork and exec the program directly",
    "popen": "fork and exec the program directly, with a pipe",
    "gets": "fgets or a bounded read",
    "strcpy": "snprintf, memcpy with a checked length, or buf",
    "strcat": "buf_append_str or snprintf",
    "sprintf": "snprintf or buf_printf",
    "vsprintf": "vsnprintf or buf_vprintf",
    "strtok": "strtok_r or strsep",
    "tmpnam": "mkstemp or mkdtemp",
    "tempnam": "mkstemp or mkdtemp",
    "mktemp": "mkstemp or mkdtemp",
    "alloca": "a fixed-size array or xmalloc",
}

# Directories whose files may carry "/* banned-ok: reason */".
WAIVER_DIRS = ("tests/", "bench/")

SHELLS = ("/bin/sh", "/bin/bash", "/bin/dash", "/usr/bin/sh", "/usr/bin/bash", "/usr/bin/env")
EXEC_RE = re.compile(r"(?<![\w.>])(exec[lv]p?e?|execvpe|execveat|fexecve|posix_spawnp?)\s*\(")
CALL_RE = re.compile(r"(?<![\w.>])(%s)\s*\(" % "|".join(sorted(BANNED, key=len, reverse=True)))
WAIVER_RE = re.compile(r"/\*\s*banned-ok:\s*\S[^*]*\*/")


def is_build_tree(path):
    return os.path.exists(os.path.join(path, "CMakeCache.txt"))


def source_files(srcdir):
    found = []
    for root, dirs, files in os.walk(srcdir):
        dirs[:] = sorted(d for d in dirs
                         if not d.startswith(".") and not is_build_tree(os.path.join(root, d)))
        for name in sorted(files):
            if name.endswith((".c", ".h")):
                found.append(os.path.relpath(os.path.join(root, name), srcdir))
    return found


def strip_c(text):
    """Two copies of text with the same line structure: one with comments
    blanked (string literals kept), one with comments and literals blanked.
    Newlines are kept so that offsets map to the same line numbers."""
    code = []      # comments blanked
    bare = []      # comments and literals blanked
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        nxt = text[i + 1] if i + 1 < n else ""
        if c == "/" and nxt == "*":
            end = text.find("*/", i + 2)
            end = n if end < 0 else end + 2
            blank = "".join("\n" if ch == "\n" else " " for ch in text[i:end])
            code.append(blank)
            bare.append(blank)
            i = end
        elif c == "/" and nxt == "/":
            end = text.find("\n", i)
            end = n if end < 0 else end
            code.append(" " * (end - i))
            bare.append(" " * (end - i))
            i = end
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            j = min(j + 1, n)
            code.append(text[i:j])
            bare.append(c + "".join("\n" if ch == "\n" else " " for ch in text[i + 1:j - 1]) + c)
            i = j
        else:
            code.append(c)
            bare.append(c)
            i += 1
    return "".join(code), "".join(bare)


def call_args(text, start):
    """The text between the parenthesis at start and its match."""
    depth, i = 0, start
    while i < len(text):
        if text[i] == "(":
            depth += 1
        elif text[i] == ")":
            depth -= 1
            if depth == 0:
                return text[start + 1:i]
        i += 1
    return text[start + 1:]


def names_shell(code_text):
    return any('"%s"' % sh in code_text or '"%s ' % sh in code_text for sh in SHELLS) \
        or '"sh"' in code_text or "_PATH_BSHELL" in code_text


def check_file(srcdir, rel, out):
    with open(os.path.join(srcdir, rel), encoding="utf-8", errors="replace") as f:
        raw = f.read()
    code, bare = strip_c(raw)
    raw_lines = raw.split("\n")
    waivable = rel.startswith(WAIVER_DIRS)

    def line_of(pos):
        return bare.count("\n", 0, pos) + 1

    def report(pos, message):
        lineno = line_of(pos)
        if WAIVER_RE.search(raw_lines[lineno - 1]):
            if waivable:
                return
            message += " (banned-ok is honoured only under tests/ and bench/)"
        out.append("%s:%d: %s" % (rel, lineno, message))

    for m in CALL_RE.finditer(bare):
        report(m.start(1), "banned function %s (use %s)" % (m.group(1), BANNED[m.group(1)]))
    for m in EXEC_RE.finditer(bare):
        args = call_args(code, m.end() - 1)
        if names_shell(args):
            report(m.start(1), "%s of a shell (run the program directly, never through /bin/sh)"
                   % m.group(1))
    # A shell path anywhere else in code (an argv array built for a later
    # exec, a posix_spawn through a variable).
    for m in re.finditer(r'"(/bin/sh|/bin/bash|/bin/dash|/usr/bin/sh|/usr/bin/bash)\b[^"]*"|_PATH_BSHELL',
                         code):
        lineno = line_of(m.start())
        if any(r.startswith("%s:%d: " % (rel, lineno)) for r in out):
            continue  # already reported as an exec of a shell
        report(m.start(), "use of a shell %s (run the program directly)" % m.group(0))


def main(argv):
    if len(argv) != 2:
        print("usage: check_banned.py SRCDIR", file=sys.stderr)
        return 2
    srcdir = argv[1]
    if not os.path.isdir(os.path.join(srcdir, "lib")):
        print("check_banned.py: %s has no lib/ directory" % srcdir, file=sys.stderr)
        return 2
    violations = []
    files = source_files(srcdir)
    for rel in files:
        check_file(srcdir, rel, violations)
    def order(v):
        path, line, _ = v.split(":", 2)
        return path, int(line)

    for v in sorted(violations, key=order):
        print(v)
    print("banned functions: %d files checked, %d violations" % (len(files), len(violations)))
    return 1 if violations else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
