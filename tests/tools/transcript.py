#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""transcript - play SMTP protocol transcripts against a running Petrel.

A transcript (tests/transcripts/*.t, format in tests/transcripts/README.md)
is a plain-text dialogue: header directives (`conf`, `setup`, `timeout`),
then `C:` lines the client sends, `S:` replies the server must give, `L:`
log lines that must appear, and `M:`/`Q:`/`B:` checks of the mail store
and the queue. Every wait is bounded. A failure prints the whole
transcript with the failing line marked, what was expected and what came.

Used by tests/integration/test_transcripts.py, and from the command line
against any running instance:

    transcript.py --port P [--log FILE] [--dir INSTANCE] [--petrel BIN] FILES...

--dir (the `petrel init` directory) enables the M:/Q:/B: checks (without
it they are not run, and the output says how many) and, with --petrel, the
`conf` and `setup` directives (applied with `petrel conf` and `petrel
reload`); without those, transcripts that have conf/setup are skipped.
Exit status: 0 all passed, 1 a transcript failed, 2 usage error.
"""
import argparse
import os
import re
import socket
import subprocess
import sys
import time

DEFAULT_TIMEOUT = 5.0  # seconds for any single wait
SETTLE = 0.3  # pause before an exact store count, to catch late extras

PREFIXES = ("C:", "C~", "S:", "S~", "L:", "L~", "M:", "Q:", "B:", "B!")
HEADER_WORDS = ("conf", "setup", "timeout")
BODY_WORDS = ("connect", "close", "sleep")


class TranscriptError(Exception):
    """A transcript file that does not parse."""


class StepFailed(Exception):
    def __init__(self, expected, got):
        super().__init__(expected)
        self.expected = expected
        self.got = got


class Skipped(Exception):
    pass


# -- parsing ---------------------------------------------------------------

def unescape(text):
    r"""Bytes of a C~ line: \r \n \t \0 \\ \xHH, and \{N:TEXT} for TEXT
    (itself unescaped, no '}') repeated N times. Nothing else is added."""
    out = bytearray()
    i = 0
    while i < len(text):
        ch = text[i]
        if ch != "\\":
            out += ch.encode("utf-8")
            i += 1
            continue
        if i + 1 >= len(text):
            raise TranscriptError("dangling backslash")
        nxt = text[i + 1]
        simple = {"r": b"\r", "n": b"\n", "t": b"\t", "0": b"\0", "\\": b"\\"}
        if nxt in simple:
            out += simple[nxt]
            i += 2
        elif nxt == "x":
            try:
                out.append(int(text[i + 2:i + 4], 16))
            except ValueError:
                raise TranscriptError("bad \\x escape")
            i += 4
        elif nxt == "{":
            m = re.match(r"\\\{(\d+):([^}]*)\}", text[i:])
            if not m:
                raise TranscriptError("bad \\{N:TEXT} repetition")
            out += unescape(m.group(2)) * int(m.group(1))
            i += m.end()
        else:
            raise TranscriptError("unknown escape \\%s" % nxt)
    return bytes(out)


def glob_regex(pattern):
    r"""A glob (`*` any run of characters, `\*` a literal star) as a regex."""
    parts = re.split(r"(\\\*|\*)", pattern)
    return "".join(".*" if p == "*" else re.escape("*") if p == "\\*" else re.escape(p) for p in parts)


class Step:
    def __init__(self, lineno, kind, arg, count=1):
        self.lineno = lineno  # 1-based line in the file
        self.kind = kind  # prefix ("C:" ...) or body word
        self.arg = arg
        self.count = count  # S{N}: repetitions


class Transcript:
    def __init__(self, path):
        self.path = path
        self.name = os.path.splitext(os.path.basename(path))[0]
        with open(path, encoding="utf-8") as f:
            self.lines = f.read().splitlines()
        self.conf = {}  # name -> value
        self.setup = []  # argument lists for `petrel`
        self.timeout = DEFAULT_TIMEOUT
        self.steps = []
        self._parse()

    def _error(self, lineno, why):
        raise TranscriptError("%s:%d: %s" % (self.path, lineno, why))

    def _parse(self):
        for n, raw in enumerate(self.lines, 1):
            line = raw.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            m = re.match(r"^(S)\{(\d+)\}([:~]) ?(.*)$", line)
            if m:
                self.steps.append(Step(n, m.group(1) + m.group(3), m.group(4), int(m.group(2))))
                continue
            if line[:2] in PREFIXES:
                arg = line[2:]
                if arg.startswith(" "):
                    arg = arg[1:]
                self.steps.append(Step(n, line[:2], arg))
                self._check(n, line[:2], arg)
                continue
            word, _, rest = line.strip().partition(" ")
            rest = rest.strip()
            if word in HEADER_WORDS:
                if self.steps:
                    self._error(n, "%s must come before the first exchange" % word)
                if word == "conf":
                    for item in rest.split():
                        k, eq, v = item.partition("=")
                        if not eq:
                            self._error(n, "conf wants NAME=VALUE")
                        self.conf[k] = v
                elif word == "setup":
                    self.setup.append(rest.split())
                else:
                    self.timeout = float(rest)
            elif word in BODY_WORDS:
                if word == "sleep":
                    if float(rest) > 10:
                        self._error(n, "sleep is bounded to 10 seconds")
                self.steps.append(Step(n, word, rest))
            else:
                self._error(n, "unknown line %r" % line)
        if not self.steps:
            self._error(len(self.lines), "no exchange")

    def _check(self, n, kind, arg):
        try:
            if kind == "C~":
                unescape(arg)
            elif kind in ("S~", "L~"):
                re.compile(arg)
            elif kind == "M:":
                who, count = arg.split()
                int(count)
            elif kind == "Q:":
                int(arg)
            elif kind in ("B:", "B!"):
                if len(arg.split(None, 1)) != 2:
                    raise ValueError("B: wants USER@DOMAIN PATTERN")
        except (ValueError, re.error, TranscriptError) as e:
            self._error(n, "bad %s line: %s" % (kind, e))

    def needs_store(self):
        return any(s.kind in ("M:", "Q:", "B:", "B!") for s in self.steps)


# -- the instance under test -------------------------------------------------

class Target:
    """Where to connect and what to inspect. dir is the `petrel init`
    directory (mail/, spool/, log/, etc/); petrel runs `petrel ARGS` for it
    and returns a CompletedProcess (text)."""

    def __init__(self, port, host="127.0.0.1", log=None, dir=None, petrel=None):
        self.host = host
        self.port = port
        self.dir = dir
        self.log_path = log or (os.path.join(dir, "log", "petrel.log") if dir else None)
        self.petrel = petrel
        self.applied = {}  # conf name -> value set by a transcript
        self.original = None  # petrel conf -n before the first change
        self.done_setup = set()

    # log
    def log_size(self):
        try:
            return os.path.getsize(self.log_path) if self.log_path else 0
        except OSError:
            return 0

    def log_since(self, offset):
        if not self.log_path:
            return ""
        try:
            with open(self.log_path, "rb") as f:
                f.seek(offset)
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    # store
    def maildirs(self):
        """{user@domain: Maildir path} for every Maildir below mail/DOMAIN/USER."""
        out = {}
        root = os.path.join(self.dir, "mail")
        if not os.path.isdir(root):
            return out
        for domain in os.listdir(root):
            ddir = os.path.join(root, domain)
            if not os.path.isdir(ddir):
                continue
            for user in os.listdir(ddir):
                md = os.path.join(ddir, user)
                if os.path.isdir(os.path.join(md, "new")):
                    out["%s@%s" % (user, domain)] = md
        return out

    def messages(self):
        """{user@domain: {relative file name: path}} of new/ and cur/ files."""
        out = {}
        for who, md in self.maildirs().items():
            files = {}
            for sub in ("new", "cur"):
                d = os.path.join(md, sub)
                try:
                    names = os.listdir(d)
                except OSError:
                    continue
                for name in names:
                    files[sub + "/" + name.split(":")[0]] = os.path.join(d, name)
            out[who] = files
        return out

    def queue_count(self):
        n = 0
        for sub in ("incoming", "deferred", "hold"):
            try:
                n += len(os.listdir(os.path.join(self.dir, "spool", "queue", sub)))
            except OSError:
                pass
        return n

    # configuration
    def _petrel(self, *args):
        r = self.petrel(*args)
        if r.returncode != 0:
            raise RuntimeError("petrel %s failed (%d): %s%s" % (" ".join(args), r.returncode, r.stdout, r.stderr))
        return r

    def apply(self, transcript):
        """Make the running configuration what the transcript asks (conf it
        names; everything else as it was) and run its setup once."""
        if self.petrel is None or self.dir is None:
            if transcript.conf or transcript.setup:
                raise Skipped("conf/setup need --dir and --petrel")
            return
        for args in transcript.setup:
            key = " ".join(args)
            if key not in self.done_setup:
                self._petrel(*args)
                self.done_setup.add(key)
        if self.original is None:
            self.original = {}
            for line in self._petrel("conf", "-n").stdout.splitlines():
                k, _, v = line.partition(" = ")
                self.original[k.strip()] = v
        want = dict(transcript.conf)
        sets, removes = [], []
        for k, v in want.items():
            if self.applied.get(k, self.original.get(k)) != v:
                sets.append("%s=%s" % (k, v))
        for k in self.applied:
            if k not in want:
                if k in self.original:
                    sets.append("%s=%s" % (k, self.original[k]))
                else:
                    removes.append(k)
        if not sets and not removes:
            return
        if sets:
            self._petrel("conf", *sets)
        if removes:
            self._petrel("conf", "-X", *removes)
        self.applied = want
        self.reload()

    def reload(self):
        """petrel reload, then wait (bounded) until every smtpd that ran
        with the old configuration is gone and a new one answers."""
        offset = self.log_size()
        old = self._service_pids()
        self._petrel("reload")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if "reload -- version" in self.log_since(offset) and not any(_alive(p) for p in old):
                break
            time.sleep(0.05)
        else:
            raise RuntimeError("reload did not finish within 10 s")
        # a new smtpd accepts: the greeting comes
        with socket.create_connection((self.host, self.port), timeout=DEFAULT_TIMEOUT) as s:
            s.settimeout(DEFAULT_TIMEOUT)
            s.recv(512)

    def _service_pids(self):
        """Pids of the daemons (not the master) from `petrel status`."""
        r = self.petrel("status")
        pids = set()
        for line in r.stdout.splitlines():
            m = re.match(r"^(\S+/(?:inet|unix))\s+(\S+)\s+(\S+)\s+(\d+)/(\d+)\s+(\S+(?: \d+)*)\s+(\d+)\s", line)
            if m and m.group(6) != "-":
                pids.update(int(p) for p in m.group(6).split())
        return pids

    def wait_queue_empty(self, timeout=DEFAULT_TIMEOUT):
        if self.dir is None:
            return
        deadline = time.monotonic() + timeout
        while self.queue_count() and time.monotonic() < deadline:
            time.sleep(0.05)


def _alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


# -- running -----------------------------------------------------------------

class Session:
    """One client connection with a line reader."""

    def __init__(self, target, timeout):
        self.sock = socket.create_connection((target.host, target.port), timeout=timeout)
        self.sock.settimeout(timeout)
        self.buf = b""
        self.eof = False
        self.send_error = None

    def send(self, data):
        try:
            self.sock.sendall(data)
        except OSError as e:  # the server may have closed: the S: lines tell
            self.send_error = e

    def read_line(self):
        """One reply line without its CRLF; None at EOF; raises socket.timeout."""
        while b"\n" not in self.buf:
            if self.eof:
                if self.buf:
                    line, self.buf = self.buf, b""
                    return line
                return None
            try:
                chunk = self.sock.recv(65536)
            except (ConnectionResetError, BrokenPipeError):
                chunk = b""
            if not chunk:
                self.eof = True
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return line[:-1] if line.endswith(b"\r") else line + b" <bare LF>"

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


class Result:
    def __init__(self, transcript, ok, report="", skipped=False):
        self.transcript = transcript
        self.ok = ok
        self.report = report
        self.skipped = skipped


def show(b):
    return b.decode("utf-8", "backslashreplace") if isinstance(b, bytes) else str(b)


class Runner:
    def __init__(self, target):
        self.target = target

    def run(self, t):
        """Apply the transcript's configuration, play it; a Result."""
        try:
            self.target.apply(t)
        except Skipped as e:
            return Result(t, True, "skipped: %s" % e, skipped=True)
        self.target.wait_queue_empty()
        self.log_offset = self.target.log_size()
        self.before = self.target.messages() if self.target.dir else {}
        self.received = []  # every line the server sent, for the report
        self.unchecked = 0  # store checks not run (no instance directory)
        session = None
        step = None
        try:
            for step in t.steps:
                session = self._step(t, step, session)
            note = "%d store check(s) not run: no --dir" % self.unchecked if self.unchecked else ""
            return Result(t, True, note)
        except StepFailed as e:
            return Result(t, False, self._report(t, step, e.expected, e.got))
        except (OSError, socket.timeout) as e:
            return Result(t, False, self._report(t, step, "(I/O)", "%s: %s" % (type(e).__name__, e)))
        finally:
            if session is not None:
                session.close()

    # one line of the transcript
    def _step(self, t, step, session):
        kind = step.kind
        if kind == "connect" or (session is None and kind in ("C:", "C~", "S:", "S~")):
            if session is not None:
                session.close()
            session = Session(self.target, t.timeout)
            if kind == "connect":
                return session
        if kind == "close":
            if session is not None:
                session.close()
            return None
        if kind in ("M:", "Q:", "B:", "B!") and self.target.dir is None:
            self.unchecked += 1
        elif kind == "sleep":
            time.sleep(float(step.arg))
        elif kind == "C:":
            session.send(step.arg.encode("utf-8") + b"\r\n")
        elif kind == "C~":
            session.send(unescape(step.arg))
        elif kind in ("S:", "S~"):
            for i in range(step.count):
                self._expect_reply(session, step, i)
        elif kind in ("L:", "L~"):
            self._expect_log(t, step)
        elif kind == "M:":
            self._expect_store(t, step)
        elif kind == "Q:":
            self._expect_queue(t, step)
        elif kind in ("B:", "B!"):
            self._expect_body(t, step)
        return session

    def _expect_reply(self, session, step, i):
        which = "" if step.count == 1 else " (%d of %d)" % (i + 1, step.count)
        if session is None:
            raise StepFailed("a reply" + which, "no connection")
        try:
            line = session.read_line()
        except socket.timeout:
            raise StepFailed(step.arg + which, "nothing within %.1f s" % session.sock.gettimeout())
        self.received.append("<close>" if line is None else show(line))
        if step.kind == "S:" and step.arg == "<close>":
            if line is not None:
                raise StepFailed("<close>", show(line))
            return
        if line is None:
            raise StepFailed(step.arg + which, "<close> (connection closed by the server)")
        text = show(line)
        regex = glob_regex(step.arg) if step.kind == "S:" else step.arg
        if not re.fullmatch(regex, text, re.S):
            raise StepFailed(step.arg + which, text)

    def _expect_log(self, t, step):
        regex = glob_regex(step.arg) if step.kind == "L:" else step.arg
        deadline = time.monotonic() + t.timeout
        while True:
            log = self.target.log_since(self.log_offset)
            if any(re.search(regex, line) for line in log.splitlines()):
                return
            if time.monotonic() >= deadline:
                tail = "\n    ".join(log.splitlines()[-15:])
                raise StepFailed("a log line matching %r" % step.arg,
                                 "no such line within %.1f s; log since the start:\n    %s" % (t.timeout, tail))
            time.sleep(0.05)

    def _new_messages(self):
        """{user@domain: [paths]} delivered since the transcript started."""
        out = {}
        for who, files in self.target.messages().items():
            old = self.before.get(who, {})
            out[who] = [p for k, p in sorted(files.items()) if k not in old]
        return out

    def _count(self, who):
        new = self._new_messages()
        if who == "*":
            return sum(len(v) for v in new.values())
        return len(new.get(who.lower(), []))

    def _expect_store(self, t, step):
        who, want = step.arg.split()
        want = int(want)
        deadline = time.monotonic() + t.timeout
        while time.monotonic() < deadline:
            if self.target.queue_count() == 0 and self._count(who) >= want:
                break
            time.sleep(0.05)
        time.sleep(SETTLE)
        got = self._count(who)
        if got != want:
            detail = {k: len(v) for k, v in self._new_messages().items() if v}
            raise StepFailed("%d new message(s) for %s" % (want, who),
                             "%d (new per mailbox: %s; queue holds %d)" % (got, detail, self.target.queue_count()))

    def _expect_queue(self, t, step):
        want = int(step.arg)
        deadline = time.monotonic() + t.timeout
        while self.target.queue_count() != want and time.monotonic() < deadline:
            time.sleep(0.05)
        got = self.target.queue_count()
        if got != want:
            raise StepFailed("%d message(s) in the queue" % want, "%d" % got)

    def _expect_body(self, t, step):
        who, pattern = step.arg.split(None, 1)
        regex = glob_regex(pattern)
        deadline = time.monotonic() + t.timeout
        while True:
            paths = self._new_messages().get(who.lower(), [])
            if paths or time.monotonic() >= deadline:
                break
            time.sleep(0.05)
        if not paths:
            raise StepFailed("a new message for %s" % who, "none")
        with open(paths[-1], "rb") as f:
            content = f.read().decode("utf-8", "backslashreplace")
        found = any(re.fullmatch(regex, line) for line in content.split("\n"))
        if found != (step.kind == "B:"):
            raise StepFailed("%s line %s %r" % ("a" if step.kind == "B:" else "no", "matching", pattern),
                             "the message is:\n    " + "\n    ".join(content.split("\n")))

    def _report(self, t, step, expected, got):
        out = ["transcript %s FAILED at line %d" % (t.path, step.lineno if step else 0), ""]
        for n, line in enumerate(t.lines, 1):
            mark = ">>" if step is not None and n == step.lineno else "  "
            out.append("%s %3d  %s" % (mark, n, line))
        out += ["", "expected: %s" % expected, "got:      %s" % got, "",
                "server lines received so far:"] + ["    S: " + x for x in self.received]
        return "\n".join(out)


def main(argv=None):
    ap = argparse.ArgumentParser(description="Play SMTP transcripts against a running Petrel instance.")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True, help="smtpd's port")
    ap.add_argument("--log", help="the instance log file (default DIR/log/petrel.log)")
    ap.add_argument("--dir", help="the petrel init directory (for M:/Q:/B:, conf, setup)")
    ap.add_argument("--petrel", help="the petrel binary (for conf and setup; needs --dir)")
    ap.add_argument("files", nargs="+")
    args = ap.parse_args(argv)
    petrel = None
    if args.petrel and args.dir:
        etc = os.path.join(args.dir, "etc")

        def petrel(*a):
            return subprocess.run([args.petrel, "-c", etc] + list(a), capture_output=True, text=True, timeout=60)
    target = Target(args.port, host=args.host, log=args.log, dir=args.dir, petrel=petrel)
    runner = Runner(target)
    failed = 0
    for path in args.files:
        try:
            t = Transcript(path)
        except (TranscriptError, OSError) as e:
            print("ERROR %s" % e)
            failed += 1
            continue
        r = runner.run(t)
        if r.skipped:
            print("SKIP %s (%s)" % (t.name, r.report))
        elif r.ok:
            print("ok   %s%s" % (t.name, " (%s)" % r.report if r.report else ""))
        else:
            failed += 1
            print("FAIL %s\n%s\n" % (t.name, r.report))
    print("%d transcript(s), %d failed" % (len(args.files), failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
