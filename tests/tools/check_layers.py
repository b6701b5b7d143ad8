#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""check_layers - enforce the direction of #include edges and library links.

Usage: check_layers.py SRCDIR

Every `#include "..."` in the project's .c and .h files is resolved to the
directory it points into, and that directory must be one the including
file's layer may use (the tables below). Project headers are named relative
to lib/ ("util/buf.h", "mail/config.h") or, in the same directory, bare
("smtpd_proto.h"); a relative path ("../qmgr/qmgr.h") is resolved too.
System headers (<...>) are always allowed.

The CMake side is checked the same way: target_link_libraries() in
lib/*/CMakeLists.txt may only name the petrel_* libraries of allowed layers.

Prints one line per violation, "FILE:LINE: lib/util must not include
"mail/config.h"", then a summary line; exits 1 on any violation.
"""
import os
import re
import sys

# Libraries below the domain layer, bottom first. A layer may use itself and
# everything listed for it.
#   lib/util  generic building blocks; knows nothing of mail
#   lib/mail  Petrel's own shared code (parameters, queue ids, skeleton)
BASE_LIBS = {
    "util": {"util"},
    "mail": {"util", "mail"},
}

# Domain libraries (lib/<x>/ other than util and mail) and the other domain
# libraries each may use; every domain library may also use lib/util and
# lib/mail. A domain library not listed here may use only lib/util and
# lib/mail: add it here, with what it needs, when it needs another domain
# library. The table must stay acyclic (checked below).
DOMAIN_LIBS = {
    "tls": {"map"},                 # OpenSSL contexts, STARTTLS on a conn, the SNI map
    "sasl": set(),                  # SASL mechanisms (libsasl2)
    "map": set(),                   # lookup maps on LMDB
    "mime": set(),                  # MIME and header parsing
    "smtp": {"tls", "sasl", "mime"},  # SMTP protocol pieces shared by smtpd and smtp
    "maildir": {"map"},             # Maildir++ and the mailbox index
    "imap": {"mime", "maildir"},    # IMAP protocol parsing
    "milter": {"smtp", "mime"},     # the milter client
}

# Programs: each may use every library and its own directory, never another
# program's directory.
PROGRAMS = ["master", "anvil", "smtpd", "qmgr", "local", "pickup", "sendmail", "smtp", "authd", "pop3d", "imapd", "cli"]

# Directories whose files may include anything (test code, benchmarks).
ANYTHING = ["tests", "bench"]

C_SUFFIXES = (".c", ".h")


def fail_table(message):
    print("check_layers.py: " + message, file=sys.stderr)
    sys.exit(2)


def check_table():
    """The domain table must name known libraries and have no cycle."""
    for lib, deps in DOMAIN_LIBS.items():
        for dep in deps:
            if dep not in DOMAIN_LIBS:
                fail_table("DOMAIN_LIBS: %s uses unknown library %s" % (lib, dep))
    state = {}

    def visit(lib, path):
        if state.get(lib) == "done":
            return
        if state.get(lib) == "active":
            fail_table("DOMAIN_LIBS has a cycle: " + " -> ".join(path + [lib]))
        state[lib] = "active"
        for dep in sorted(DOMAIN_LIBS[lib]):
            visit(dep, path + [lib])
        state[lib] = "done"

    for lib in sorted(DOMAIN_LIBS):
        visit(lib, [])


def layer_of(relpath):
    """The layer a source path belongs to: "lib/util", "smtpd", "tests", or None."""
    parts = relpath.split("/")
    if parts[0] == "lib" and len(parts) >= 3:
        return "lib/" + parts[1]
    if parts[0] in PROGRAMS or parts[0] in ANYTHING:
        return parts[0]
    return None


def allowed(layer, target):
    """May a file of layer include (or link) something of layer target?"""
    if layer == target or layer in ANYTHING:
        return True
    if target in ANYTHING or target is None:
        return False
    if layer in PROGRAMS:
        return target.startswith("lib/")
    if not (layer.startswith("lib/") and target.startswith("lib/")):
        return False
    lib, dep = layer[4:], target[4:]
    if lib in BASE_LIBS:
        return dep in BASE_LIBS[lib]
    if dep in BASE_LIBS:
        return True
    return dep in DOMAIN_LIBS.get(lib, set())


def is_build_tree(path):
    return os.path.exists(os.path.join(path, "CMakeCache.txt"))


def source_files(srcdir):
    """Project .c/.h files, relative to srcdir, skipping build trees and dot dirs."""
    found = []
    for root, dirs, files in os.walk(srcdir):
        dirs[:] = sorted(d for d in dirs
                         if not d.startswith(".") and not is_build_tree(os.path.join(root, d)))
        for name in sorted(files):
            if name.endswith(C_SUFFIXES):
                found.append(os.path.relpath(os.path.join(root, name), srcdir))
    return found


INCLUDE_RE = re.compile(r'^\s*#\s*include\s*"([^"]+)"')


def resolve(srcdir, relpath, inc):
    """The source-relative path an include names, or None if it cannot be found.

    Follows the compiler's order for quoted includes: the including file's
    directory first, then lib/ (the project's include directory), then the
    top of the tree (in case a target adds it)."""
    here = os.path.dirname(relpath)
    candidates = [os.path.normpath(os.path.join(here, inc)), os.path.normpath(os.path.join("lib", inc)),
                  os.path.normpath(inc)]
    for cand in candidates:
        if not cand.startswith("..") and os.path.isfile(os.path.join(srcdir, cand)):
            return cand
    return None


def target_layer(srcdir, relpath, inc):
    """The layer an include points into; a missing header is judged by its name."""
    path = resolve(srcdir, relpath, inc)
    if path is not None:
        return layer_of(path), path
    first = inc.split("/")[0]
    if "/" in inc and first not in BASE_LIBS and first not in DOMAIN_LIBS \
            and (first in PROGRAMS or first in ANYTHING):
        # "qmgr/qmgr.h" names a program's directory ("smtp/" is taken to be
        # lib/smtp, the way project headers are named).
        return first, inc
    if "/" in inc and first not in (".", ".."):
        # "mail/generated.h": a header under lib/ (perhaps generated).
        return "lib/" + first, "lib/" + inc
    if "/" not in inc:
        # A bare name that is not there yet: the compiler would look in the
        # including file's own directory first.
        return layer_of(relpath), inc
    return None, inc


def check_includes(srcdir, files, out):
    for rel in files:
        layer = layer_of(rel)
        if layer is None:
            out.append("%s:1: file is in no layer (add its directory to check_layers.py)" % rel)
            continue
        with open(os.path.join(srcdir, rel), encoding="utf-8", errors="replace") as f:
            for lineno, line in enumerate(f, 1):
                m = INCLUDE_RE.match(line)
                if not m:
                    continue
                inc = m.group(1)
                target, _ = target_layer(srcdir, rel, inc)
                if target is None:
                    out.append('%s:%d: cannot resolve "%s" to a project directory' % (rel, lineno, inc))
                elif not allowed(layer, target):
                    out.append('%s:%d: %s must not include "%s"' % (rel, lineno, layer, inc))


def cmake_commands(text, name):
    """(line, arguments) of every call of the CMake command name."""
    # Drop comments (a "#" outside a quoted argument up to the end of line).
    clean = []
    for line in text.split("\n"):
        out, quoted = [], False
        for ch in line:
            if ch == '"':
                quoted = not quoted
            if ch == "#" and not quoted:
                break
            out.append(ch)
        clean.append("".join(out))
    text = "\n".join(clean)
    for m in re.finditer(r"\b%s\s*\(" % re.escape(name), text, re.IGNORECASE):
        depth, i = 1, m.end()
        while i < len(text) and depth:
            depth += {"(": 1, ")": -1}.get(text[i], 0)
            i += 1
        args = text[m.end():i - 1].split()
        yield text.count("\n", 0, m.start()) + 1, [a.strip('"') for a in args]


def check_links(srcdir, out):
    """target_link_libraries in lib/*/CMakeLists.txt must follow the layers."""
    libdir = os.path.join(srcdir, "lib")
    if not os.path.isdir(libdir):
        return 0
    lists, targets = {}, {}
    for sub in sorted(os.listdir(libdir)):
        path = os.path.join(libdir, sub, "CMakeLists.txt")
        if os.path.isfile(path):
            with open(path, encoding="utf-8", errors="replace") as f:
                lists[sub] = f.read()
            # Every target a library directory defines belongs to its layer;
            # the convention is petrel_<dir>.
            targets["petrel_" + sub] = "lib/" + sub
            for _, args in cmake_commands(lists[sub], "add_library"):
                if args:
                    targets[args[0]] = "lib/" + sub
    keywords = {"PUBLIC", "PRIVATE", "INTERFACE", "LINK_PUBLIC", "LINK_PRIVATE", "LINK_INTERFACE_LIBRARIES"}
    for sub, text in lists.items():
        rel = "lib/%s/CMakeLists.txt" % sub
        for lineno, args in cmake_commands(text, "target_link_libraries"):
            for item in args[1:]:
                if item in keywords or item not in targets:
                    continue  # system libraries, imported targets, variables
                if not allowed("lib/" + sub, targets[item]):
                    out.append("%s:%d: lib/%s must not link %s" % (rel, lineno, sub, item))
    return len(lists)


def main(argv):
    if len(argv) != 2:
        print("usage: check_layers.py SRCDIR", file=sys.stderr)
        return 2
    srcdir = argv[1]
    if not os.path.isdir(os.path.join(srcdir, "lib")):
        print("check_layers.py: %s has no lib/ directory" % srcdir, file=sys.stderr)
        return 2
    check_table()
    violations = []
    files = source_files(srcdir)
    check_includes(srcdir, files, violations)
    nlists = check_links(srcdir, violations)
    for v in violations:
        print(v)
    print("layering: %d files checked, %d CMake lists checked, %d violations"
          % (len(files), nlists, len(violations)))
    return 1 if violations else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
