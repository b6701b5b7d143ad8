#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""gen_params_doc - render lib/mail/params.def as the Markdown parameter reference.

Usage: gen_params_doc.py SRCDIR > docs/parameters.md

Reads the PARAM(name, type, default, min, max, choices, users, flags,
description) entries of SRCDIR/lib/mail/params.def (an entry may span
lines; strings are C literals, adjacent literals are joined and escapes
decoded) and prints one section per parameter. check_params_doc.py imports
parse_params() and render() from here and fails when docs/parameters.md is
not exactly what render() gives.
"""
import os
import re
import sys

PARAMS_DEF = os.path.join("lib", "mail", "params.def")
FIELDS = ["name", "type", "default", "min", "max", "choices", "users", "flags", "description"]

TYPE_NAMES = {
    "PT_STR": "string",
    "PT_INT": "integer",
    "PT_BOOL": "boolean",
    "PT_TIME": "time",
    "PT_SIZE": "size",
    "PT_ENUM": "enum",
}

SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "a": "\a", "b": "\b", "f": "\f", "v": "\v",
                  "\\": "\\", "'": "'", '"': '"', "?": "?"}


class ParseError(Exception):
    pass


def decode_c_string(body, where):
    """The value of the inside of one C string literal."""
    out, i = [], 0
    while i < len(body):
        c = body[i]
        if c != "\\":
            out.append(c)
            i += 1
            continue
        i += 1
        if i >= len(body):
            raise ParseError("%s: backslash at the end of a string" % where)
        e = body[i]
        if e in SIMPLE_ESCAPES:
            out.append(SIMPLE_ESCAPES[e])
            i += 1
        elif e == "x":
            m = re.match(r"[0-9a-fA-F]+", body[i + 1:])
            if not m:
                raise ParseError("%s: \\x without hex digits" % where)
            out.append(chr(int(m.group(0), 16) & 0xFF))
            i += 1 + len(m.group(0))
        elif e in "01234567":
            m = re.match(r"[0-7]{1,3}", body[i:])
            out.append(chr(int(m.group(0), 8) & 0xFF))
            i += len(m.group(0))
        else:
            raise ParseError("%s: unknown escape \\%s" % (where, e))
    return "".join(out)


def strip_comments(text):
    """Blank /* */ and // comments outside string literals, keeping newlines."""
    out, i, n = [], 0, len(text)
    while i < n:
        if text.startswith("/*", i):
            end = text.find("*/", i + 2)
            end = n if end < 0 else end + 2
            out.append("".join("\n" if ch == "\n" else " " for ch in text[i:end]))
            i = end
        elif text.startswith("//", i):
            end = text.find("\n", i)
            end = n if end < 0 else end
            out.append(" " * (end - i))
            i = end
        elif text[i] in "\"'":
            q, j = text[i], i + 1
            while j < n and text[j] != q:
                if text[j] == "\n":
                    raise ParseError("line %d: string not closed" % (text.count("\n", 0, i) + 1))
                j += 2 if text[j] == "\\" else 1
            out.append(text[i:j + 1])
            i = j + 1
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def split_args(text, start, line):
    """The top-level arguments of the call whose "(" is at start, and the end offset."""
    args, cur, depth, i = [], [], 0, start
    while i < len(text):
        c = text[i]
        if c in "\"'":
            j = i + 1
            while text[j] != c:
                j += 2 if text[j] == "\\" else 1
            cur.append(text[i:j + 1])
            i = j + 1
            continue
        if c == "(":
            depth += 1
            if depth > 1:
                cur.append(c)
        elif c == ")":
            depth -= 1
            if depth == 0:
                args.append("".join(cur).strip())
                return args, i + 1
            cur.append(c)
        elif c == "," and depth == 1:
            args.append("".join(cur).strip())
            cur = []
        else:
            cur.append(c)
        i += 1
    raise ParseError("line %d: PARAM( not closed" % line)


STRING_SEQ_RE = re.compile(r'^(\s*"(?:[^"\\]|\\.)*"\s*)+$', re.S)


def arg_value(arg, where):
    """A string argument (adjacent literals joined) as str, anything else as
    its expression text with white space collapsed; NULL is None."""
    if STRING_SEQ_RE.match(arg):
        return "".join(decode_c_string(s, where) for s in re.findall(r'"((?:[^"\\]|\\.)*)"', arg))
    if arg == "NULL":
        return None
    return " ".join(arg.split())


def eval_int(expr, where):
    """A small integer constant expression: numbers, + - * / ( ) and suffixes."""
    clean = re.sub(r"\b(\d+)(?:[uU]?[lL]{0,2}|[lL]{1,2}[uU])\b", r"\1", expr)
    if not re.fullmatch(r"[\d\s+\-*/()]+", clean):
        raise ParseError("%s: bound %r is not an integer constant" % (where, expr))
    tokens = re.findall(r"\d+|[-+*/()]", clean)
    pos = [0]

    def peek():
        return tokens[pos[0]] if pos[0] < len(tokens) else None

    def take():
        pos[0] += 1
        return tokens[pos[0] - 1]

    def atom():
        t = take()
        if t == "(":
            v = expr_sum()
            if take() != ")":
                raise ParseError("%s: unbalanced bound %r" % (where, expr))
            return v
        if t == "-":
            return -atom()
        return int(t)

    def product():
        v = atom()
        while peek() in ("*", "/"):
            v = v * atom() if take() == "*" else v // atom()
        return v

    def expr_sum():
        v = product()
        while peek() in ("+", "-"):
            v = v + product() if take() == "+" else v - product()
        return v

    value = expr_sum()
    if pos[0] != len(tokens):
        raise ParseError("%s: cannot evaluate bound %r" % (where, expr))
    return value


def parse_params(text):
    """The list of parameters in params.def text, as dicts keyed by FIELDS."""
    text = strip_comments(text)
    params = []
    for m in re.finditer(r"\bPARAM\s*\(", text):
        line = text.count("\n", 0, m.start()) + 1
        args, _ = split_args(text, m.end() - 1, line)
        where = "params.def:%d" % line
        if len(args) != len(FIELDS):
            raise ParseError("%s: PARAM has %d arguments, want %d" % (where, len(args), len(FIELDS)))
        p = {f: arg_value(a, where) for f, a in zip(FIELDS, args)}
        p["line"] = line
        if not re.fullmatch(r"[a-z][a-z0-9_]*", p["name"] or ""):
            raise ParseError("%s: bad parameter name %r" % (where, p["name"]))
        if p["type"] not in TYPE_NAMES:
            raise ParseError("%s: %s has unknown type %r" % (where, p["name"], p["type"]))
        p["min"] = eval_int(p["min"], where)
        p["max"] = eval_int(p["max"], where)
        p["flags"] = set(f.strip() for f in (p["flags"] or "0").split("|")) - {"0"}
        for f in ("default", "users", "description"):
            if not isinstance(p[f], str):
                raise ParseError("%s: %s: %s is not a string" % (where, p["name"], f))
        params.append(p)
    return params


def load(srcdir):
    with open(os.path.join(srcdir, PARAMS_DEF), encoding="utf-8") as f:
        return parse_params(f.read())


def fmt_time(ms):
    for unit, size in (("d", 86400000), ("h", 3600000), ("m", 60000), ("s", 1000)):
        if ms != 0 and ms % size == 0:
            return "%d%s" % (ms // size, unit)
    return "%dms" % ms


def fmt_size(n):
    for unit, size in (("g", 1 << 30), ("m", 1 << 20), ("k", 1 << 10)):
        if n != 0 and n % size == 0:
            return "%d%s" % (n // size, unit)
    return "%d" % n


def code(s):
    """s as a Markdown code span."""
    if s == "":
        return "(empty)"
    fence = "``" if "`" in s else "`"
    pad = " " if s.startswith("`") or s.endswith("`") else ""
    return fence + pad + s + pad + fence


def prose(s):
    """Description text with the characters Markdown would act on escaped."""
    return re.sub(r"([\\*<])", r"\\\1", " ".join(s.split()))


def bounds(p):
    if p["min"] == 0 and p["max"] == 0:
        return None
    f = {"PT_TIME": fmt_time, "PT_SIZE": fmt_size}.get(p["type"], str)
    return "%s to %s" % (code(f(p["min"])), code(f(p["max"])))


def users(p):
    names = [u.strip() for u in p["users"].split(",") if u.strip()]
    if names == ["all"]:
        return "all programs"
    return ", ".join(code(u) for u in names)


def takes_effect(p):
    if "P_RELOAD" in p["flags"]:
        return "on `petrel reload`"
    if "P_RESTART" in p["flags"]:
        return "after `petrel stop` and `petrel start`"
    return "(not stated)"


def render(params):
    out = []
    w = out.append
    w("# Petrel parameters")
    w("")
    w("<!-- Generated from lib/mail/params.def by tests/tools/gen_params_doc.py; do not edit.")
    w("     Regenerate: tests/tools/gen_params_doc.py . > docs/parameters.md -->")
    w("")
    w("Every parameter of `petrel.conf`, in the order of the parameter table. `petrel conf -d`")
    w("prints the defaults, `petrel conf -n` the values set in the file, `petrel conf NAME=VALUE`")
    w("changes one.")
    w("")
    w("Value syntax by type:")
    w("")
    w("- **string**: the rest of the line; `$name` expands to another parameter's value.")
    w("- **integer**: a decimal number.")
    w("- **boolean**: `yes` or `no`.")
    w("- **time**: a number with an optional unit `ms`, `s`, `m`, `h` or `d`; a bare number is seconds.")
    w("- **size**: a number of bytes with an optional `k`, `m` or `g` (KiB, MiB, GiB).")
    w("- **enum**: one of the listed choices.")
    w("")
    w("| parameter | type | default |")
    w("| --- | --- | --- |")
    for p in params:
        default = "(computed)" if "P_COMPUTED" in p["flags"] else code(p["default"])
        w("| [%s](#%s) | %s | %s |" % (p["name"], p["name"], TYPE_NAMES[p["type"]],
                                      default.replace("|", "\\|")))
    for p in params:
        w("")
        w("## %s" % p["name"])
        w("")
        w(prose(p["description"]) or "(no description)")
        w("")
        w("- Type: %s" % TYPE_NAMES[p["type"]])
        if "P_COMPUTED" in p["flags"]:
            w("- Default: computed at load time: %s" % p["default"])
        else:
            w("- Default: %s" % code(p["default"]))
        if p["type"] == "PT_ENUM" and p["choices"]:
            w("- Choices: %s" % ", ".join(code(c) for c in p["choices"].split("|")))
        b = bounds(p)
        if b:
            w("- Range: %s" % b)
        w("- Used by: %s" % users(p))
        w("- Takes effect: %s" % takes_effect(p))
    return "\n".join(out) + "\n"


def main(argv):
    if len(argv) != 2:
        print("usage: gen_params_doc.py SRCDIR > docs/parameters.md", file=sys.stderr)
        return 2
    try:
        params = load(argv[1])
    except (OSError, ParseError) as e:
        print("gen_params_doc.py: %s" % e, file=sys.stderr)
        return 1
    sys.stdout.write(render(params))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
