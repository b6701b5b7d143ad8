#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""check_params_doc - every parameter is described, documented and known to petrel.

Usage: check_params_doc.py SRCDIR PETREL_BINARY

Checks, for lib/mail/params.def (DESIGN.md invariant 6, one source of truth):
  1. every parameter has a non-empty description, and no name is declared twice;
  2. docs/parameters.md has a section for every parameter and is exactly what
     tests/tools/gen_params_doc.py renders from params.def today;
  3. "PETREL_BINARY conf -d" prints every parameter of params.def as
     "name = value", and none that params.def lacks.
A missing binary is a FAILURE, not a skip. Prints each problem, then a summary
line; exits 1 on any problem.
"""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_params_doc  # noqa: E402

DOC = os.path.join("docs", "parameters.md")
CONF_TIMEOUT = 60


def check_table(params, problems):
    seen = {}
    for p in params:
        where = "lib/mail/params.def:%d" % p["line"]
        if p["name"] in seen:
            problems.append("%s: %s is declared twice (first at line %d)" % (where, p["name"], seen[p["name"]]))
        seen.setdefault(p["name"], p["line"])
        if not p["description"].strip():
            problems.append("%s: %s has an empty description" % (where, p["name"]))


def check_doc(srcdir, params, problems):
    path = os.path.join(srcdir, DOC)
    try:
        with open(path, encoding="utf-8") as f:
            committed = f.read()
    except OSError as e:
        problems.append("%s: cannot read: %s; run tests/tools/gen_params_doc.py" % (DOC, e.strerror))
        return
    sections = set(re.findall(r"^## (\S+)\s*$", committed, re.M))
    for p in params:
        if p["name"] not in sections:
            problems.append("%s: no section for %s" % (DOC, p["name"]))
    if committed != gen_params_doc.render(params):
        problems.append("docs/parameters.md is stale: run tests/tools/gen_params_doc.py %s > %s"
                        % (srcdir, path))


def check_binary(binary, params, problems):
    if not (os.path.isfile(binary) and os.access(binary, os.X_OK)):
        problems.append("FAILURE: %s does not exist or is not executable, so \"petrel conf -d\" "
                        "was not checked (build the tree first)" % binary)
        return
    env = dict(os.environ)
    env.pop("PETREL_CONFIG_DIR", None)
    try:
        r = subprocess.run([binary, "conf", "-d"], stdin=subprocess.DEVNULL, capture_output=True,
                           text=True, timeout=CONF_TIMEOUT, env=env)
    except subprocess.TimeoutExpired:
        problems.append("FAILURE: %s conf -d did not finish within %ds" % (binary, CONF_TIMEOUT))
        return
    if r.returncode != 0:
        problems.append("FAILURE: %s conf -d exited with %d: %s"
                        % (binary, r.returncode, (r.stderr.strip() or r.stdout.strip())[:500]))
        return
    listed = set(re.findall(r"^([a-z][a-z0-9_]*)\s*=", r.stdout, re.M))
    declared = {p["name"] for p in params}
    for p in params:
        if p["name"] not in listed:
            problems.append("%s conf -d does not list %s (lib/mail/params.def:%d)"
                            % (binary, p["name"], p["line"]))
    for name in sorted(listed - declared):
        problems.append("%s conf -d lists %s, which lib/mail/params.def does not declare" % (binary, name))


def main(argv):
    if len(argv) != 3:
        print("usage: check_params_doc.py SRCDIR PETREL_BINARY", file=sys.stderr)
        return 2
    srcdir, binary = argv[1], argv[2]
    problems = []
    try:
        params = gen_params_doc.load(srcdir)
    except (OSError, gen_params_doc.ParseError) as e:
        print("lib/mail/params.def: %s" % e)
        print("parameters: 0 checked, 1 problems")
        return 1
    check_table(params, problems)
    check_doc(srcdir, params, problems)
    check_binary(binary, params, problems)
    for p in problems:
        print(p)
    print("parameters: %d checked, %d problems" % (len(params), len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
