# SPDX-License-Identifier: MIT
"""test_mail_in - mail in, end to end: real SMTP clients (Python's smtplib,
swaks) talk to a real instance; messages land in the right Maildirs exactly
once, byte for byte; unknown users and relay attempts are refused at RCPT;
smuggling variants leave at most one message; killing every process under
load loses no acknowledged message. Runs as root and as an unprivileged
user, like every suite."""
import os
import smtplib
import socket
import subprocess
import threading
import time

import pytest

from petrel_instance import maildir_messages, wait_maildir_messages

DOMAIN = "example.test"


def setup_mail(instance, conf=()):
    """example.test with alice and bob, postmaster -> alice, team -> alice, bob;
    conf: "name=value" settings made before the start."""
    instance.init()
    if conf:
        instance.petrel("conf", *conf, check=True)
    instance.petrel("domain", "add", DOMAIN, check=True)
    for user in ("alice", "bob"):
        instance.petrel("user", "add", "%s@%s" % (user, DOMAIN), "--password-stdin",
                        input="secret-%s\n" % user, check=True)
    instance.petrel("alias", "add", "postmaster@" + DOMAIN, "alice@" + DOMAIN, check=True)
    instance.petrel("alias", "add", "team@" + DOMAIN, "alice@%s,bob@%s" % (DOMAIN, DOMAIN), check=True)
    instance.start()
    return instance.port_base + 25


def maildir_new(instance, user):
    return os.path.join(instance.dir, "mail", DOMAIN, user, "new")


def delivered(instance, user):
    return maildir_messages(instance, DOMAIN, user)


def wait_delivered(instance, user, count, timeout=10.0):
    return wait_maildir_messages(instance, DOMAIN, user, count, timeout)


def queue_empty(instance):
    q = os.path.join(instance.dir, "spool", "queue")
    return all(not os.listdir(os.path.join(q, d)) for d in ("incoming", "deferred"))


def smtp(port):
    return smtplib.SMTP("127.0.0.1", port, local_hostname="client.test", timeout=20)


def test_smtplib_delivers_exactly_once_byte_for_byte(instance):
    port = setup_mail(instance)
    body = "Subject: hello\r\nFrom: sender@remote.test\r\n\r\nfirst line\r\n.dot line\r\nlast\r\n"
    with smtp(port) as c:
        refused = c.sendmail("sender@remote.test", ["alice@" + DOMAIN], body)
        assert refused == {}
    msgs = wait_delivered(instance, "alice", 1)
    time.sleep(0.3)
    assert len(delivered(instance, "alice")) == 1
    m = msgs[0]
    assert m.startswith(b"Return-Path: <sender@remote.test>\nDelivered-To: alice@example.test\nReceived: from client.test")
    assert b"\r" not in m                                  # Maildir files use LF
    assert m.endswith(b"Subject: hello\nFrom: sender@remote.test\n\nfirst line\n.dot line\nlast\n")
    name = sorted(os.listdir(maildir_new(instance, "alice")))[0]
    assert ",S=%d" % len(m) in name
    instance.wait_for(lambda: queue_empty(instance), what="queue empty")
    assert delivered(instance, "bob") == []


def test_aliases_plus_addressing_and_case(instance):
    port = setup_mail(instance)
    with smtp(port) as c:
        # team expands to alice and bob; alice also named directly: one copy each.
        c.sendmail("s@remote.test", ["team@" + DOMAIN, "ALICE@Example.Test"], "Subject: one\r\n\r\nx\r\n")
        c.sendmail("s@remote.test", ["alice+news@" + DOMAIN], "Subject: two\r\n\r\ny\r\n")
        c.sendmail("s@remote.test", ["postmaster@" + DOMAIN], "Subject: three\r\n\r\nz\r\n")
    wait_delivered(instance, "alice", 3)
    wait_delivered(instance, "bob", 1)
    time.sleep(0.3)
    subjects = sorted(m.split(b"Subject: ")[1].split(b"\n")[0] for m in delivered(instance, "alice"))
    assert subjects == [b"one", b"three", b"two"]
    assert len(delivered(instance, "bob")) == 1


def test_unknown_user_and_relay_refused_at_rcpt(instance):
    port = setup_mail(instance)
    with smtp(port) as c:
        c.ehlo()
        assert c.mail("s@remote.test")[0] == 250
        code, text = c.rcpt("nobody@" + DOMAIN)
        assert code == 550 and text.startswith(b"5.1.1"), (code, text)
        for target in ("victim@remote.test", "victim%remote.test@" + DOMAIN, "@relay.test:victim@remote.test",
                       '"victim@remote.test"@' + DOMAIN):
            code, text = c.rcpt(target)
            assert code in (550, 553, 554) and text[:2] == b"5.", (target, code, text)
        code, _ = c.rcpt("bob@" + DOMAIN)
        assert code == 250
        c.rset()
    log = instance.log()
    assert "NOQUEUE: reject: RCPT from" in log and "<nobody@example.test>" in log


def test_swaks(instance):
    port = setup_mail(instance)
    r = subprocess.run(["swaks", "--server", "127.0.0.1:%d" % port, "--from", "s@remote.test",
                        "--to", "bob@" + DOMAIN, "--header", "Subject: via swaks", "--body", "hello from swaks"],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "250 2.0.0 Ok: queued as" in r.stdout
    m = wait_delivered(instance, "bob", 1)[0]
    assert b"Subject: via swaks" in m and b"hello from swaks" in m


SMUGGLING = [b"\n.\n", b"\n.\r\n", b"\r\n.\n", b"\r.\r", b"\r\n.\r", b"\r.\r\n", b"\n.\r"]


@pytest.mark.parametrize("terminator", SMUGGLING, ids=[repr(t) for t in SMUGGLING])
def test_smuggling_leaves_at_most_one_message(instance, terminator):
    port = setup_mail(instance)
    smuggled = (b"MAIL FROM:<ceo@remote.test>\r\nRCPT TO:<bob@example.test>\r\nDATA\r\n"
                b"Subject: smuggled\r\n\r\nsmuggled\r\n.\r\n")
    with socket.create_connection(("127.0.0.1", port), timeout=20) as s:
        f = s.makefile("rwb")
        assert f.readline().startswith(b"220")
        for cmd in (b"EHLO client.test", b"MAIL FROM:<s@remote.test>", b"RCPT TO:<alice@example.test>", b"DATA"):
            f.write(cmd + b"\r\n")
            f.flush()
            line = f.readline()
            while line[3:4] == b"-":
                line = f.readline()
            assert line[:1] in (b"2", b"3"), (cmd, line)
        f.write(b"Subject: outer\r\n\r\nouter" + terminator + smuggled + b"tail\r\n.\r\n")
        f.flush()
        final = f.readline()
        f.write(b"QUIT\r\n")
        f.flush()
    # The default policy (smtpd_bare_newline = normalize) accepts the outer
    # message, which ends at the only real CRLF.CRLF (the smuggled part's
    # own): exactly one message, for alice, holding the would-be commands as
    # text; they were never executed, so bob gets nothing; "tail" and "."
    # then arrive as (unknown) commands.
    assert final.startswith(b"250 2.0.0"), final
    msgs = wait_delivered(instance, "alice", 1)
    time.sleep(0.5)
    assert len(delivered(instance, "alice")) == 1
    assert b"MAIL FROM:<ceo@remote.test>\nRCPT TO:<bob@example.test>\nDATA\n" in msgs[0]
    assert b"tail" not in msgs[0]
    assert delivered(instance, "bob") == []


def test_kill_everything_under_load_loses_nothing(instance):
    """Several clients send; every Petrel process is killed with SIGKILL; after a
    restart every message that got a 250 is delivered (duplicates allowed)."""
    port = setup_mail(instance)
    acknowledged = []
    lock = threading.Lock()
    stop = threading.Event()

    def client(n):
        i = 0
        while not stop.is_set():
            subject = "load-%d-%d" % (n, i)
            try:
                with smtp(port) as c:
                    c.sendmail("s@remote.test", ["bob@" + DOMAIN], "Subject: %s\r\n\r\nbody\r\n" % subject)
                with lock:
                    acknowledged.append(subject)
            except (OSError, smtplib.SMTPException):
                pass
            i += 1

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(4)]
    for t in threads:
        t.start()
    time.sleep(2.0)
    instance.kill_all()
    stop.set()
    for t in threads:
        t.join(timeout=30)
    with lock:
        acked = list(acknowledged)
    assert len(acked) > 10, "the load did not get going"
    instance.start()

    def all_there():
        got = {m.split(b"Subject: ")[1].split(b"\n")[0].decode() for m in delivered(instance, "bob")}
        return set(acked) <= got

    instance.wait_for(all_there, timeout=60, what="every acknowledged message delivered")
    subjects = [m.split(b"Subject: ")[1].split(b"\n")[0].decode() for m in delivered(instance, "bob")]
    print("acknowledged %d, delivered %d (duplicates %d)" % (len(acked), len(subjects), len(subjects) - len(set(subjects))))
