# SPDX-License-Identifier: MIT
"""test_threats_smtp - the hostile SMTP inputs of THREATS.md (b.1 framing and
smuggling, b.2 commands and envelope, b.6 local delivery and paths), each sent
byte for byte over a raw socket to a real instance (as root and as an
unprivileged user). Every test checks the reply (code and enhanced code), the
log line, and that the mail store and the queue hold exactly what they should:
nothing new after a refusal, exactly the expected message after an acceptance.

Tests that make many errors set smtpd_error_sleep_time=0 (no pause per error)
and smtpd_timeout=5s before start, so they finish quickly.
docs/security.md maps every catalogue row to its test."""
import os
import socket
import time

import pytest

from petrel_instance import maildir_messages

DOMAIN = "example.test"
FAST = {"smtpd_error_sleep_time": "0", "smtpd_timeout": "5s"}


# -- instance, store and queue ----------------------------------------------

def start_mail(instance, **conf):
    """example.test with alice and bob; CONF set before start. Returns the SMTP port."""
    instance.init()
    instance.petrel("domain", "add", DOMAIN, check=True)
    for user in ("alice", "bob"):
        instance.petrel("user", "add", "%s@%s" % (user, DOMAIN), "--password-stdin",
                        input="secret-%s\n" % user, check=True)
    settings = ["%s=%s" % kv for kv in conf.items()]
    if settings:
        instance.petrel("conf", *settings, check=True)
    instance.start()
    return instance.port_base + 25


def snapshot(instance):
    """{relative path: bytes or 'dir'} of mail/ and spool/queue/{incoming,deferred}."""
    out = {}
    for top in ("mail", "spool/queue/incoming", "spool/queue/deferred"):
        root = os.path.join(instance.dir, top)
        for dirpath, dirs, files in os.walk(root):
            for d in dirs:
                out[os.path.relpath(os.path.join(dirpath, d), instance.dir)] = "dir"
            for f in files:
                path = os.path.join(dirpath, f)
                try:
                    with open(path, "rb") as fh:
                        out[os.path.relpath(path, instance.dir)] = fh.read()
                except OSError:
                    out[os.path.relpath(path, instance.dir)] = "gone"
    return out


def delivered(instance, user):
    return maildir_messages(instance, DOMAIN, user)


def queue_empty(instance):
    q = os.path.join(instance.dir, "spool", "queue")
    return all(not os.listdir(os.path.join(q, d)) for d in ("incoming", "deferred"))


def settle(instance):
    """Whatever was queued is delivered (or nothing was): queue empty, then a short pause."""
    instance.wait_for(lambda: queue_empty(instance), timeout=10, what="queue empty")
    time.sleep(0.3)


def assert_unchanged(instance, before):
    settle(instance)
    after = snapshot(instance)
    diff = sorted(set(after) ^ set(before)) + [k for k in after if k in before and after[k] != before[k]]
    assert after == before, "mail store or queue changed: %s" % diff


def assert_only_new(instance, before, user, count):
    """Exactly COUNT new files, all in USER's new/, nothing else changed; returns their contents."""
    wait = lambda: len(delivered(instance, user)) >= count  # noqa: E731
    if count:
        instance.wait_for(wait, timeout=10, what="%d message(s) for %s" % (count, user))
    settle(instance)
    after = snapshot(instance)
    prefix = os.path.join("mail", DOMAIN, user, "new") + "/"
    added = {k: v for k, v in after.items() if k not in before}
    changed = [k for k in before if after.get(k) != before[k]]
    assert changed == [], "changed: %s" % changed
    assert all(k.startswith(prefix) for k in added if added[k] != "dir"), sorted(added)
    msgs = [v for k, v in sorted(added.items()) if k.startswith(prefix)]
    assert len(msgs) == count, (count, sorted(added))
    return msgs


def log_has(instance, text, timeout=5.0):
    return instance.wait_for(lambda: text in instance.log(), timeout=timeout, what="log line %r" % text)


# -- a raw SMTP client ------------------------------------------------------

class Raw:
    def __init__(self, port, greet=True):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=15)
        self.f = self.s.makefile("rb")
        if greet:
            g = self.reply()
            assert g[0].startswith(b"220 "), g

    def send(self, data):
        self.s.sendall(data)

    def reply(self):
        """One reply: its lines (CRLF stripped); [] at EOF."""
        lines = []
        while True:
            line = self.f.readline()
            if not line:
                return lines
            assert line.endswith(b"\r\n"), line
            lines.append(line[:-2])
            if line[3:4] != b"-":
                return lines

    def cmd(self, line):
        self.send(line + b"\r\n")
        return self.reply()

    def last(self, line):
        """The final line of the reply to LINE."""
        r = self.cmd(line)
        assert r, "connection closed after %r" % line
        return r[-1]

    def eof(self):
        try:
            return self.s.recv(1) == b""
        except ConnectionResetError:
            return True

    def close(self):
        try:
            self.f.close()
            self.s.close()
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *a):
        self.close()


def code(line, c, ecode=None):
    assert line[:4] == b"%d " % c or line[:4] == b"%d-" % c, (line, c)
    if ecode is not None:
        assert line[4:4 + len(ecode) + 1] == ecode.encode() + b" ", (line, ecode)


def envelope(r, rcpt=b"alice@example.test"):
    assert r.last(b"EHLO client.test").startswith(b"250 ")
    code(r.last(b"MAIL FROM:<s@remote.test>"), 250, "2.1.0")
    code(r.last(b"RCPT TO:<" + rcpt + b">"), 250, "2.1.5")


def alive(r):
    code(r.last(b"NOOP"), 250, "2.0.0")


# == b.1 SMTP framing and smuggling =========================================

SMUGGLED = (b"MAIL FROM:<ceo@victim.example>\r\nRCPT TO:<x@victim.example>\r\nDATA\r\n"
            b"From: ceo@victim.example\r\n\r\nsmuggled\r\n.\r\n")
# 1: LF.LF; 2: the other seven.
TERMINATORS = [b"\n.\n", b"\r.\r", b"\r.\n", b"\n.\r", b"\n.\r\n", b"\r\n.\n", b"\r.\r\n", b"\r\n.\r"]


@pytest.mark.parametrize("term", TERMINATORS, ids=[repr(t)[2:-1] for t in TERMINATORS])
def test_b1_01_02_smuggling_normalize(instance, term):
    """#1/#2: only CRLF.CRLF ends DATA: one message for alice holding the
    smuggled commands as text; no second transaction is started."""
    port = start_mail(instance)
    before = snapshot(instance)
    with Raw(port) as r:
        envelope(r)
        code(r.last(b"DATA"), 354)
        r.send(b"Subject: hi\r\n\r\nbody" + term + SMUGGLED)
        code(r.reply()[-1], 250, "2.0.0")
        code(r.last(b"QUIT"), 221)
    msgs = assert_only_new(instance, before, "alice", 1)
    assert b"MAIL FROM:<ceo@victim.example>\nRCPT TO:<x@victim.example>\nDATA\nFrom: ceo@victim.example\n\nsmuggled\n" \
        in msgs[0], msgs[0]
    log = instance.log()
    assert log.count("queued as") == 1, log
    assert "victim.example" not in log.split("queued as")[1].split("\n", 1)[1], log


@pytest.mark.parametrize("term", TERMINATORS, ids=[repr(t)[2:-1] for t in TERMINATORS])
def test_b1_01_02_smuggling_reject_mode(instance, term):
    """#1/#2 strict mode (smtpd_bare_newline=reject): the whole message is
    refused 550 5.5.2 and nothing is stored; the session goes on."""
    port = start_mail(instance, smtpd_bare_newline="reject")
    before = snapshot(instance)
    with Raw(port) as r:
        envelope(r)
        code(r.last(b"DATA"), 354)
        r.send(b"Subject: hi\r\n\r\nbody" + term + SMUGGLED)
        code(r.reply()[-1], 550, "5.5.2")
        alive(r)
        code(r.last(b"QUIT"), 221)
    assert_unchanged(instance, before)
    assert "victim.example" not in instance.log() or "RCPT from" not in instance.log()


@pytest.mark.parametrize("nul", [b"\r\n\0.\r\n", b"\r\n.\0\r\n"], ids=["nullbefore", "nullafter"])
def test_b1_03_nul_dot_is_not_end_of_data(instance, nul):
    """#3: a NUL next to the dot is not an end of data: either the message is
    refused as a whole, or kept without truncation; never a C-string cut."""
    port = start_mail(instance)
    before = snapshot(instance)
    with Raw(port) as r:
        envelope(r)
        code(r.last(b"DATA"), 354)
        r.send(b"Subject: hi\r\n\r\nbody" + nul + b"after-the-nul\r\n.\r\n")
        final = r.reply()[-1]
        # Exactly one reply for the message: the NOOP's reply comes next.
        alive(r)
        code(r.last(b"QUIT"), 221)
    if final.startswith(b"250 "):
        code(final, 250, "2.0.0")
        msg = assert_only_new(instance, before, "alice", 1)[0]
        assert b"after-the-nul" in msg and b"\0" in msg, msg
    else:
        assert final[:1] == b"5", final
        assert_unchanged(instance, before)


def test_b1_04_pipelined_transaction_without_waiting(instance):
    """#4, exact input: the whole transaction in one write, before the EHLO
    reply: 554 5.5.0 synchronization error and disconnect, peek logged."""
    port = start_mail(instance)
    before = snapshot(instance)
    with Raw(port) as r:
        r.send(b"EHLO a\r\nMAIL FROM:<a@a>\r\nRCPT TO:<b@b>\r\nDATA\r\nbody\r\n.\r\nQUIT\r\n")
        replies = []
        while True:
            rep = r.reply()
            if not rep:
                break
            replies.append(rep[-1])
    assert any(x.startswith(b"554 5.5.0") for x in replies), replies
    assert not any(x.startswith(b"250 2.0.0 Ok: queued") for x in replies), replies
    log_has(instance, "improper command pipelining")
    assert_unchanged(instance, before)


def test_b1_04_commands_after_data_before_354(instance):
    """#4: bytes after DATA before the 354: 554 5.5.0 and disconnect; the
    message is not queued; the escaped peek of the extra bytes is logged."""
    port = start_mail(instance)
    before = snapshot(instance)
    with Raw(port) as r:
        envelope(r)
        r.send(b"DATA\r\nFrom: ceo@victim.example\r\n\r\nbody\r\n.\r\nQUIT\r\n")
        rep = r.reply()
        code(rep[-1], 554, "5.5.0")
        assert r.eof()
    log_has(instance, "improper command pipelining after DATA from unknown[127.0.0.1]: "
                      "From:?ceo@victim.example")
    assert_unchanged(instance, before)


def test_b1_06_pregreet(instance):
    """#6: EHLO before the 220 (smtpd_pre_greet_wait=1s gives the bot time to talk):
    554 5.5.1 and close; the EHLO is never processed."""
    port = start_mail(instance, smtpd_pre_greet_wait="1s")
    before = snapshot(instance)
    with Raw(port, greet=False) as r:
        r.send(b"EHLO x\r\n")
        rep = r.reply()
        assert len(rep) == 1, rep
        code(rep[0], 554, "5.5.1")
        assert r.eof()
    log_has(instance, "PREGREET from")
    assert "ehlo=" not in instance.log().split("PREGREET from")[1]
    assert_unchanged(instance, before)


BDAT_BAD = [
    (b"BDAT 18446744073709551615 LAST", 552, "5.3.4"),
    (b"BDAT 18446744073709551616 LAST", 501, "5.5.4"),  # 2^64: overflow, not a number
    (b"BDAT -1", 501, "5.5.4"),
    (b"BDAT 1e9999", 501, "5.5.4"),
]


@pytest.mark.parametrize("line,c,ecode", BDAT_BAD, ids=[b[0].decode() for b in BDAT_BAD])
def test_b1_07_bdat_bad_sizes(instance, line, c, ecode):
    """#7: strict unsigned parse with overflow check; 552 5.3.4 past the size
    limit, 501 5.5.4 for garbage; nothing stored."""
    port = start_mail(instance, **FAST)
    before = snapshot(instance)
    with Raw(port) as r:
        envelope(r)
        rep = r.cmd(line)
        assert rep, "closed without a reply"
        code(rep[-1], c, ecode)
    log_has(instance, "disconnect from")
    assert_unchanged(instance, before)


def test_b1_07_bdat_zero_many_then_sequence(instance):
    """#7: 10,000 x BDAT 0 (10^6 in the catalogue; 10^4 keeps the test fast, the
    code path is the same), DATA after BDAT (503 5.5.1), then BDAT LAST: exactly
    the chunk's bytes arrive."""
    port = start_mail(instance, **FAST)
    before = snapshot(instance)
    n = 10000
    with Raw(port) as r:
        envelope(r)
        r.send(b"BDAT 0\r\n" * n)
        for i in range(n):
            code(r.reply()[-1], 250, "2.0.0")
        code(r.last(b"DATA"), 503, "5.5.1")
        r.send(b"BDAT 27 LAST\r\nSubject: chunk\r\n\r\nchunked\r\n")
        code(r.reply()[-1], 250, "2.0.0")
        # state reset: DATA now needs a new MAIL
        code(r.last(b"DATA"), 503, "5.5.1")
    msg = assert_only_new(instance, before, "alice", 1)[0]
    assert msg.endswith(b"\nSubject: chunk\n\nchunked\n"), msg


def test_b1_07_bdat_after_failed_bdat(instance):
    """#7: a BDAT refused for its state (no RCPT yet) leaves the session usable:
    the next transaction's BDAT is read as a fresh chunk."""
    port = start_mail(instance, **FAST)
    before = snapshot(instance)
    with Raw(port) as r:
        assert r.last(b"EHLO client.test").startswith(b"250 ")
        r.send(b"BDAT 5\r\nxxxxx")
        code(r.reply()[-1], 503, "5.5.1")
        code(r.last(b"MAIL FROM:<s@remote.test>"), 250)
        code(r.last(b"RCPT TO:<alice@example.test>"), 250)
        r.send(b"BDAT 19 LAST\r\nSubject: two\r\n\r\nok\r\n")
        code(r.reply()[-1], 250, "2.0.0")
    msg = assert_only_new(instance, before, "alice", 1)[0]
    assert msg.endswith(b"\nSubject: two\n\nok\n") and b"xxxxx" not in msg, msg


# == b.2 SMTP commands and envelope =========================================

LONG = [
    (b"EHLO " + b"A" * 100 * 1024),
    (b"MAIL FROM:<" + b"a" * 1024 * 1024 + b">"),
]


@pytest.mark.parametrize("line", LONG, ids=["ehlo-100k", "mail-1m"])
def test_b2_08_long_command_line(instance, line):
    """#8: 500 5.5.2 line too long (a bounded buffer: smtpd_line_length_limit),
    the session goes on; repeated offences close it (421 4.7.0)."""
    port = start_mail(instance, **FAST)
    before = snapshot(instance)
    with Raw(port) as r:
        if line.startswith(b"MAIL"):
            assert r.last(b"EHLO client.test").startswith(b"250 ")
        replies = []
        reset = False
        for _ in range(30):
            try:
                r.send(line + b"\r\nNOOP\r\n")
            except (ConnectionResetError, BrokenPipeError):
                # The hard error limit was reached in the middle of this line:
                # smtpd said 421 and lingered, discarding our input, but this
                # client goes on writing a megabyte without reading, past the
                # linger's cap (CONN_LINGER_MAX), so the kernel reset the
                # connection, which can swallow the 421. The log below still
                # proves the refusal.
                reset = True
                break
            while True:
                rep = r.reply()
                assert rep, "closed without 421: %r" % replies[-3:]
                replies.append(rep[-1])
                if rep[-1][:3] in (b"250", b"421"):
                    break
            if rep[-1].startswith(b"421"):
                break
        code(replies[0], 500, "5.5.2")
        assert b"line too long" in replies[0], replies[0]
        assert replies[1].startswith(b"250 2.0.0"), replies[:3]  # the NOOP after the first offence
        if not reset:
            assert all(x[:9] in (b"500 5.5.2", b"250 2.0.0") for x in replies[:-1]), set(replies)
            code(replies[-1], 421, "4.7.0")
            assert r.eof()
        else:
            assert all(x[:9] in (b"500 5.5.2", b"250 2.0.0", b"421 4.7.0") for x in replies), set(replies)
    log_has(instance, "too many errors from")
    assert_unchanged(instance, before)


def test_b2_08_ten_megabytes_without_newline(instance):
    """#8: 10 MB with no newline: 500 5.5.2, then 421 4.7.0 after the hard
    error limit, and the connection is closed."""
    port = start_mail(instance, **FAST)
    before = snapshot(instance)
    with Raw(port) as r:
        sent = 0
        chunk = b"A" * 65536
        try:
            while sent < 10 * 1024 * 1024:
                r.send(chunk)
                sent += len(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass
        replies = []
        try:
            while True:
                rep = r.reply()
                if not rep:
                    break
                replies.append(rep[-1])
        except ConnectionResetError:
            pass
    # One offence (one endless line): 500 5.5.2 at once, the rest of the line
    # is discarded without buffering, and the session ends at smtpd_timeout.
    assert replies and replies[0].startswith(b"500 5.5.2"), replies[:3]
    assert len(replies) == 2 and replies[-1].startswith(b"421 4.4.2"), replies
    log_has(instance, "timeout after command from")
    assert_unchanged(instance, before)


FORBIDDEN = [b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", b"POST / HTTP/1.1\r\nHost: x\r\n\r\n",
             b"CONNECT host:25 HTTP/1.1\r\n\r\n", b"Subject: hi\r\n"]


@pytest.mark.parametrize("data", FORBIDDEN, ids=["GET", "POST", "CONNECT", "header"])
def test_b2_09_cross_protocol(instance, data):
    """#9: HTTP verbs and header lines as commands: immediate 221/421 and close."""
    port = start_mail(instance)
    before = snapshot(instance)
    with Raw(port) as r:
        r.send(data)
        rep = r.reply()
        assert rep and rep[-1][:3] in (b"221", b"421"), rep
        assert r.eof()
    # the peek is escaped: everything but printable ASCII (space included) is "?"
    log_has(instance, "non-SMTP command from unknown[127.0.0.1]: "
            + data.split(b"\r\n")[0].decode().replace(" ", "?"))
    assert_unchanged(instance, before)


JUNK = [(b"NOOP", "junk"), (b"RSET", "junk"), (b"VRFY x", "junk"), (b"XYZZY", "errors")]


@pytest.mark.parametrize("line,kind", JUNK, ids=[j[0].decode() for j in JUNK])
def test_b2_10_junk_and_error_limits(instance, line, kind):
    """#10: 10,000 NOOP/RSET/VRFY, 1,000 XYZZY: 421 4.7.0 and close after the
    junk limit (100) or the hard error limit (20)."""
    port = start_mail(instance, **FAST)
    before = snapshot(instance)
    n = 1000 if line == b"XYZZY" else 10000
    with Raw(port) as r:
        assert r.last(b"EHLO client.test").startswith(b"250 ")
        for i in range(n):
            rep = r.cmd(line)
            assert rep, "closed without 421 after %d" % i
            if rep[-1].startswith(b"421"):
                break
        else:
            pytest.fail("no 421 after %d x %r" % (n, line))
        code(rep[-1], 421, "4.7.0")
        assert r.eof()
    limit = 100 if kind == "junk" else 20
    assert i <= limit + 1, (i, limit)
    log_has(instance, "too many junk commands from" if i > 20 else "too many errors from")
    assert_unchanged(instance, before)


def test_b2_11_recipient_limit(instance):
    """#11: beyond smtpd_recipient_limit (1000): 452 4.5.3 too many recipients;
    the accepted 1000 stay valid (RSET, nothing stored)."""
    port = start_mail(instance, **FAST)
    before = snapshot(instance)
    with Raw(port) as r:
        assert r.last(b"EHLO client.test").startswith(b"250 ")
        code(r.last(b"MAIL FROM:<s@remote.test>"), 250)
        codes = []
        for start in range(0, 1010, 101):
            batch = range(start, min(start + 101, 1010))
            r.send(b"".join(b"RCPT TO:<alice+u%d@example.test>\r\n" % i for i in batch))
            for _ in batch:
                codes.append(r.reply()[-1])
        assert all(c.startswith(b"250 2.1.5") for c in codes[:1000]), [c for c in codes[:1000] if c[:3] != b"250"][:3]
        assert all(c.startswith(b"452 4.5.3 Error: too many recipients") for c in codes[1000:]), codes[1000:]
        code(r.last(b"RSET"), 250)
    assert_unchanged(instance, before)


def test_b2_11_many_unknown_recipients(instance):
    """#11 exact input: RCPT TO:<u$i@example.com> repeatedly (relay refused):
    554 5.7.1 each, and the session ends at the hard error limit."""
    port = start_mail(instance, **FAST)
    before = snapshot(instance)
    with Raw(port) as r:
        assert r.last(b"EHLO client.test").startswith(b"250 ")
        code(r.last(b"MAIL FROM:<s@remote.test>"), 250)
        for i in range(100000):
            rep = r.cmd(b"RCPT TO:<u%d@example.com>" % i)
            assert rep
            if rep[-1].startswith(b"421"):
                break
            code(rep[-1], 554, "5.7.1")
        code(rep[-1], 421, "4.7.0")
    assert i <= 21
    assert_unchanged(instance, before)


PARAMS = [
    b"MAIL FROM:<a@b> SIZE=99999999999999999999999",
    b"MAIL FROM:<a@b> BODY=9BIT",
    b"MAIL FROM:<a@b> RET=FULL RET=HDRS",
    b"MAIL FROM:<a@b> ENVID=a+0D+0Ab",
    b"MAIL FROM:<a@b> AUTH=<>+0A",
    b"RCPT TO:<alice@example.test> ORCPT=rfc822;x+0A+0DX-Spool:evil",
]


@pytest.mark.parametrize("line", PARAMS, ids=[p.split(b"> ")[1].decode()[:20] for p in PARAMS])
def test_b2_12_esmtp_parameters(instance, line):
    """#12: bad or duplicate ESMTP parameters: 501 5.5.4; decoded CR/LF/NUL never
    stored. (SIZE past the limit may be 552 5.3.4 only if it parsed.)"""
    port = start_mail(instance, **FAST)
    before = snapshot(instance)
    with Raw(port) as r:
        assert r.last(b"EHLO client.test").startswith(b"250 ")
        if line.startswith(b"RCPT"):
            code(r.last(b"MAIL FROM:<s@remote.test>"), 250)
        rep = r.last(line)
        code(rep, 501, "5.5.4")
        alive(r)
    log_has(instance, "NOQUEUE: reject: %s from" % line[:4].decode())
    assert_unchanged(instance, before)


def test_b2_13_sender_without_domain(instance):
    """#13: MAIL FROM:<;sleep 66;>: 501 5.1.7 bad sender address syntax."""
    port = start_mail(instance, **FAST)
    before = snapshot(instance)
    with Raw(port) as r:
        assert r.last(b"EHLO client.test").startswith(b"250 ")
        code(r.last(b"MAIL FROM:<;sleep 66;>"), 501, "5.1.7")
        code(r.last(b"RCPT TO:<alice@example.test>"), 503, "5.5.1")
    log_has(instance, "NOQUEUE: reject: MAIL from unknown[127.0.0.1]: 501 5.1.7")
    assert_unchanged(instance, before)


def test_b2_14_expansion_string(instance):
    """#14: an Exim expansion in the local part is an ordinary address (not ours: refused)."""
    port = start_mail(instance, **FAST)
    before = snapshot(instance)
    rcpt = b"${run{\\x2Fbin\\x2Fsh\\t-c\\t\\x22id\\x22}}@localhost"
    with Raw(port) as r:
        assert r.last(b"EHLO client.test").startswith(b"250 ")
        code(r.last(b"MAIL FROM:<s@remote.test>"), 250)
        rep = r.last(b"RCPT TO:<" + rcpt + b">")
        assert rep[:9] in (b"554 5.7.1", b"501 5.1.3"), rep
        # and in our own domain: an unknown user
        rep = r.last(b"RCPT TO:<${run{\\x2Fbin\\x2Fsh\\t-c\\t\\x22id\\x22}}@example.test>")
        assert rep[:9] in (b"550 5.1.1", b"501 5.1.3"), rep
    log_has(instance, "NOQUEUE: reject: RCPT from unknown[127.0.0.1]: %s" % rep[:9].decode())
    assert_unchanged(instance, before)


ODD_ADDR = [
    (b"RCPT", b'RCPT TO:<""@example.com>'),
    (b"RCPT", b'RCPT TO:<"\\"@example.com>'),
    (b"RCPT", b'RCPT TO:<""@example.test>'),
    (b"RCPT", b'RCPT TO:<"\\"@example.test>'),
    (b"MAIL", b"MAIL FROM:<@>"),
    (b"MAIL", b"MAIL FROM:< @bleh>"),
]


@pytest.mark.parametrize("verb,line", ODD_ADDR, ids=[o[1].decode() for o in ODD_ADDR])
def test_b2_15_odd_addresses(instance, verb, line):
    """#15: empty / broken quoted local parts, <@>: a well-defined 501/550, no crash."""
    port = start_mail(instance, **FAST)
    before = snapshot(instance)
    with Raw(port) as r:
        assert r.last(b"EHLO client.test").startswith(b"250 ")
        if verb == b"RCPT":
            code(r.last(b"MAIL FROM:<s@remote.test>"), 250)
        rep = r.last(line)
        assert rep[:4] in (b"501 ", b"550 ", b"553 ", b"554 "), rep
        assert rep[4:6] == b"5.", rep
        alive(r)
    log_has(instance, "NOQUEUE: reject: %s from" % verb.decode())
    assert_unchanged(instance, before)


@pytest.mark.parametrize("line", [b'NOOP "', b"NOOP ((((", b'VRFY "', b"VRFY ((((", b"VRFY <>", b"VRFY <",
                                  b"VRFY"], ids=lambda x: x.decode())
def test_b2_16_odd_noop_vrfy(instance, line):
    """#16: NOOP/VRFY with odd parameters: 250/252/501/502, the session lives on."""
    port = start_mail(instance, **FAST)
    before = snapshot(instance)
    with Raw(port) as r:
        rep = r.last(line)
        assert rep[:4] in (b"250 ", b"252 ", b"501 ", b"502 "), rep
        alive(r)
        code(r.last(b"QUIT"), 221)
    log_has(instance, "disconnect from")
    assert_unchanged(instance, before)


def test_b2_17_relay_denied(instance):
    """#17: RCPT to a foreign domain: 554 5.7.1 Relay access denied (IPv4, port 25;
    IPv6 and 465/587 listeners arrive later)."""
    port = start_mail(instance)
    before = snapshot(instance)
    with Raw(port) as r:
        assert r.last(b"EHLO client.test").startswith(b"250 ")
        code(r.last(b"MAIL FROM:<s@remote.test>"), 250)
        rep = r.last(b"RCPT TO:<x@external.example>")
        code(rep, 554, "5.7.1")
        assert b"Relay access denied" in rep
        code(r.last(b"DATA"), 554, "5.5.1")
    log_has(instance, "NOQUEUE: reject: RCPT from unknown[127.0.0.1]: 554 5.7.1 <x@external.example>: "
                      "Relay access denied; from=<s@remote.test> to=<x@external.example>")
    assert_unchanged(instance, before)


ROUTING = [b"<@example.test:victim@ext.org>", b"<victim%ext.org@example.test>", b"<victim@ext.org@example.test>",
           b"<ext.org!victim@example.test>", b'<"victim@ext.org"@example.test>']


@pytest.mark.parametrize("rcpt", ROUTING, ids=[x.decode() for x in ROUTING])
def test_b2_18_routing_tricks(instance, rcpt):
    """#18: source routes, %-hack, double @, bang path, quoted @: never relayed;
    refused with a 5xx (no such local user)."""
    port = start_mail(instance)
    before = snapshot(instance)
    with Raw(port) as r:
        assert r.last(b"EHLO client.test").startswith(b"250 ")
        code(r.last(b"MAIL FROM:<s@remote.test>"), 250)
        rep = r.last(b"RCPT TO:" + rcpt)
        assert rep[:1] == b"5" and rep[4:6] == b"5.", rep
        code(r.last(b"DATA"), 554, "5.5.1")
    log_has(instance, "NOQUEUE: reject: RCPT from")
    assert_unchanged(instance, before)


def received_of(msg):
    return msg.split(b"\nReceived: ", 1)[1].split(b"\n", 1)[0] if b"\nReceived: " in msg else msg[:400]


@pytest.mark.parametrize("line", [b"XCLIENT ADDR=1.2.3.4 NAME=evil.example", b"XCLIENT ADDR=127.0.0.1 NAME=localhost",
                                  b"XFORWARD ADDR=1.2.3.4 NAME=evil.example",
                                  b"PROXY TCP4 1.2.3.4 127.0.0.1 4444 25"], ids=["xclient", "xclient-local",
                                                                                 "xforward", "proxy"])
def test_b2_19_xclient_xforward_proxy(instance, line):
    """#19: XCLIENT/XFORWARD 550 5.7.0; a PROXY header is a 5xx unknown
    command; the client address stays 127.0.0.1 in the mail that follows."""
    port = start_mail(instance)
    before = snapshot(instance)
    with Raw(port) as r:
        assert r.last(b"EHLO client.test").startswith(b"250 ")
        rep = r.last(line)
        if line.startswith(b"X"):
            code(rep, 550, "5.7.0")
        else:
            code(rep, 500, "5.5.2")
        code(r.last(b"MAIL FROM:<s@remote.test>"), 250)
        code(r.last(b"RCPT TO:<alice@example.test>"), 250)
        code(r.last(b"DATA"), 354)
        code(r.last(b"Subject: x\r\n\r\nx\r\n."), 250, "2.0.0")
    msg = assert_only_new(instance, before, "alice", 1)[0]
    assert b"1.2.3.4" not in msg and b"evil" not in msg, msg
    assert b"[127.0.0.1]" in msg.split(b"\n\n")[0], msg
    assert "client=unknown[127.0.0.1]" in instance.log()


HELOS = [b"EHLO evil\rX-Injected: 1", b"EHLO evil\0X-Injected: 1",
         b"EHLO " + "\u00e9".encode() * 700]


@pytest.mark.parametrize("helo", HELOS, ids=["bare-CR", "NUL", "long-utf8"])
def test_b2_20_helo_injection(instance, helo):
    """#20: CR/LF/NUL inside HELO, or long UTF-8: either refused, or copied into
    Received: and the log with controls removed/escaped; header lines stay
    within 998 octets; no injected header."""
    port = start_mail(instance, **FAST)
    before = snapshot(instance)
    with Raw(port) as r:
        r.send(helo + b"\r\n")
        reps = [r.reply()[-1]]
        if not reps[0].startswith(b"250"):
            assert reps[0][:1] == b"5", reps
            assert r.last(b"EHLO client.test").startswith(b"250 ")
        code(r.last(b"MAIL FROM:<s@remote.test>"), 250)
        code(r.last(b"RCPT TO:<alice@example.test>"), 250)
        code(r.last(b"DATA"), 354)
        code(r.last(b"Subject: x\r\n\r\nx\r\n."), 250, "2.0.0")
    msg = assert_only_new(instance, before, "alice", 1)[0]
    head = msg.split(b"\n\n")[0]
    assert b"\nX-Injected:" not in head and b"\r" not in head and b"\0" not in head, head
    assert all(len(x) <= 998 for x in head.split(b"\n")), [len(x) for x in head.split(b"\n")]
    assert all(c >= 0x20 or c in (9, 10) for c in head), head
    log = instance.log()
    assert "\r" not in log and "\0" not in log and "\nX-Injected" not in log


UTF8 = [(b"EHLO \xff\xfe", None), (b"MAIL FROM:<\xc3@x> SMTPUTF8", "MAIL"),
        (b"MAIL FROM:<a@example.test\xc3>", "MAIL"), (b"MAIL FROM:<a\xe2\x82@remote.test> SMTPUTF8", "MAIL")]


@pytest.mark.parametrize("line,verb", UTF8, ids=["ehlo-ff-fe", "mail-c3-smtputf8", "mail-truncated",
                                                 "mail-truncated-smtputf8"])
def test_b2_21_invalid_utf8(instance, line, verb):
    """#21: invalid / truncated UTF-8: rejected (553 5.6.7 / 501) or sanitised;
    no crash; the log stays valid UTF-8."""
    port = start_mail(instance, **FAST)
    before = snapshot(instance)
    with Raw(port) as r:
        if verb == "MAIL":
            assert r.last(b"EHLO client.test").startswith(b"250 ")
        rep = r.last(line)
        if verb == "MAIL":
            assert rep[:4] in (b"501 ", b"553 "), rep
            assert rep[4:9] in (b"5.1.7", b"5.6.7", b"5.5.4", b"5.1.3"), rep
        else:
            assert rep[:4] in (b"250 ", b"501 "), rep
        alive(r)
    if verb:
        log_has(instance, "NOQUEUE: reject: MAIL from")
    with open(os.path.join(instance.dir, "log", "petrel.log"), "rb") as f:
        f.read().decode("utf-8")  # raises on invalid UTF-8
    assert_unchanged(instance, before)


# == b.6 Local delivery and paths ===========================================

PATHS = [b"<../../var/x@example.test>", b"<a/b@example.test>", b"<.@example.test>", b"<alice\0x@example.test>",
         b"<../alice@example.test>", b"<alice/../bob@example.test>"]


@pytest.mark.parametrize("rcpt", PATHS, ids=[p.decode().replace("\0", "NUL") for p in PATHS])
def test_b6_47_path_local_parts(instance, rcpt):
    """#47: path-like local parts: refused at RCPT (550 5.1.1 / 501 5.1.3 /
    550 5.1.3); nothing created anywhere."""
    port = start_mail(instance, **FAST)
    before = snapshot(instance)
    with Raw(port) as r:
        assert r.last(b"EHLO client.test").startswith(b"250 ")
        code(r.last(b"MAIL FROM:<s@remote.test>"), 250)
        rep = r.last(b"RCPT TO:" + rcpt)
        assert rep[:9] in (b"550 5.1.1", b"501 5.1.3", b"550 5.1.3"), rep
        code(r.last(b"DATA"), 554, "5.5.1")
    log_has(instance, "NOQUEUE: reject: RCPT from")
    assert not os.path.exists(os.path.join(instance.dir, "var"))
    assert_unchanged(instance, before)


EXT = [b"alice+../../etc", b"alice+a/b", b"alice+../../../../tmp/x", b"alice+.."]


@pytest.mark.parametrize("local", EXT, ids=[e.decode() for e in EXT])
def test_b6_48_extension_with_slash(instance, local):
    """#48: an extension holding / or .. is dropped or refused, never used as a
    path: either a 5xx at RCPT, or exactly one message in alice's INBOX."""
    port = start_mail(instance, **FAST)
    before = snapshot(instance)
    with Raw(port) as r:
        assert r.last(b"EHLO client.test").startswith(b"250 ")
        code(r.last(b"MAIL FROM:<s@remote.test>"), 250)
        rep = r.last(b"RCPT TO:<" + local + b"@example.test>")
        if rep.startswith(b"250"):
            code(r.last(b"DATA"), 354)
            code(r.last(b"Subject: ext\r\n\r\nx\r\n."), 250, "2.0.0")
    if rep.startswith(b"250"):
        msg = assert_only_new(instance, before, "alice", 1)[0]
        assert msg.endswith(b"Subject: ext\n\nx\n")
        log_has(instance, "status=sent")
    else:
        assert rep[:1] == b"5" and rep[4:6] == b"5.", rep
        assert_unchanged(instance, before)


SPECIAL = [b'"|/bin/sh -c id"', b'"/etc/passwd"', b'":include:/etc/passwd"', b"|id", b"`id`", b"$(id)",
           b'"a;id"', b'"a&id"']


@pytest.mark.parametrize("local", SPECIAL, ids=[s.decode() for s in SPECIAL])
def test_b6_49_50_program_file_include(instance, local):
    """#49 (#50 for the shell metacharacters): never a program, file or include:
    no such user, 550 5.1.1 (or a 5xx syntax refusal)."""
    port = start_mail(instance, **FAST)
    before = snapshot(instance)
    with Raw(port) as r:
        assert r.last(b"EHLO client.test").startswith(b"250 ")
        code(r.last(b"MAIL FROM:<s@remote.test>"), 250)
        rep = r.last(b"RCPT TO:<" + local + b"@example.test>")
        assert rep[:1] == b"5" and rep[4:6] == b"5.", rep
    log_has(instance, "NOQUEUE: reject: RCPT from")
    assert_unchanged(instance, before)


@pytest.mark.parametrize("ext", [b"`id`", b"$(id)", b";id", b"|id", b"&id"], ids=lambda e: e.decode())
def test_b6_50_metachar_extensions_are_text(instance, ext):
    """#50: shell metacharacters in the extension are data: the message lands in
    alice's INBOX, nothing runs (no pipe transport exists yet)."""
    port = start_mail(instance, **FAST)
    before = snapshot(instance)
    with Raw(port) as r:
        assert r.last(b"EHLO client.test").startswith(b"250 ")
        code(r.last(b"MAIL FROM:<s@remote.test>"), 250)
        rep = r.last(b"RCPT TO:<alice+" + ext + b"@example.test>")
        if rep.startswith(b"250"):
            code(r.last(b"DATA"), 354)
            code(r.last(b"Subject: meta\r\n\r\nx\r\n."), 250, "2.0.0")
    if rep.startswith(b"250"):
        assert_only_new(instance, before, "alice", 1)
    else:
        assert rep[:1] == b"5", rep
        assert_unchanged(instance, before)


@pytest.mark.parametrize("planted", ["tmp", "new"])
def test_b6_51_symlinked_maildir_dir(instance, scratch, planted):
    """#51: the recipient's Maildir tmp/ or new/ replaced by a symlink to a
    directory outside the mail store: nothing is ever written through it (the
    delivery is deferred and stays queued, or lands safely in the store)."""
    port = start_mail(instance, **FAST)
    with Raw(port) as r:  # a first delivery creates alice's Maildir
        envelope(r)
        code(r.last(b"DATA"), 354)
        code(r.last(b"Subject: first\r\n\r\nx\r\n."), 250, "2.0.0")
    instance.wait_for(lambda: len(delivered(instance, "alice")) == 1, timeout=10, what="first delivery")
    settle(instance)
    maildir = os.path.join(instance.dir, "mail", DOMAIN, "alice")
    outside = os.path.join(scratch, "outside")
    os.mkdir(outside)
    os.chmod(outside, 0o777)
    target = os.path.join(maildir, planted)
    st = os.stat(target)
    os.rename(target, target + ".orig")
    os.symlink(outside, target)
    os.lchown(target, st.st_uid, st.st_gid)
    with Raw(port) as r:
        envelope(r)
        code(r.last(b"DATA"), 354)
        code(r.last(b"Subject: second\r\n\r\nx\r\n."), 250, "2.0.0")
    time.sleep(2.0)
    assert os.listdir(outside) == [], os.listdir(outside)
    assert os.path.islink(target)
    # not lost either: still queued (deferred), or delivered inside the store
    q = os.path.join(instance.dir, "spool", "queue")
    queued = any(os.listdir(os.path.join(q, d)) for d in ("incoming", "deferred", "active"))
    stored = [n for d in ("new", "new.orig") if os.path.isdir(os.path.join(maildir, d))
              for n in os.listdir(os.path.join(maildir, d))]
    assert queued or len(stored) == 2, (queued, stored)
    log = instance.log()
    assert "status=deferred" in log or log.count("status=sent") == 2, log[-2000:]
