# SPDX-License-Identifier: MIT
"""test_sendmail - local submission end to end: the real `sendmail` command,
run as an ordinary user (nobody), writes into the maildrop; the real pickup
daemon hands the message to qmgr; it lands in the right Maildirs exactly
once. Covers -t with To/Cc/Bcc (Bcc removed), -f and -F, the added From:,
Date: and Message-ID:, the -i rule for a lone dot, -bs, a message submitted
while Petrel is stopped (delivered after start), newaliases with a system
alias, mailq, unknown recipients, and the sysexits.h exit codes. Runs as
root and as an unprivileged instance owner, like every suite."""
import os
import pwd
import subprocess

from petrel_instance import BUILD_DIR, maildir_messages, wait_maildir_messages

DOMAIN = "example.test"
SENDMAIL = os.path.join(BUILD_DIR, "sbin", "sendmail")
MAILQ = os.path.join(BUILD_DIR, "bin", "mailq")
NEWALIASES = os.path.join(BUILD_DIR, "bin", "newaliases")
SUBMITTER = pwd.getpwnam("nobody")

EX_USAGE, EX_DATAERR = 64, 65


def setup_mail(instance, start=True):
    instance.init()
    instance.petrel("domain", "add", DOMAIN, check=True)
    for user in ("alice", "bob"):
        instance.petrel("user", "add", "%s@%s" % (user, DOMAIN), "--password-stdin",
                        input="secret-%s\n" % user, check=True)
    instance.petrel("alias", "add", "team@" + DOMAIN, "alice@%s,bob@%s" % (DOMAIN, DOMAIN), check=True)
    if start:
        instance.start()


def sendmail(instance, args, message, program=SENDMAIL, as_root=False):
    """Run sendmail ARGS as nobody (or root) with MESSAGE on stdin."""
    env = {"PATH": "/usr/bin:/bin", "PETREL_CONFIG_DIR": instance.etc}
    kw = {} if as_root else dict(user=SUBMITTER.pw_uid, group=SUBMITTER.pw_gid, extra_groups=[])
    return subprocess.run([program] + list(args), input=message, capture_output=True, timeout=30,
                          env=env, **kw)


def delivered(instance, user):
    return maildir_messages(instance, DOMAIN, user)


def wait_delivered(instance, user, count, timeout=10.0):
    return wait_maildir_messages(instance, DOMAIN, user, count, timeout)


def maildrop(instance):
    return os.listdir(os.path.join(instance.dir, "spool", "maildrop"))


def headers(msg):
    return msg.split(b"\n\n", 1)[0]


def test_sendmail_delivers_once_with_added_headers(instance):
    setup_mail(instance)
    r = sendmail(instance, ["alice@" + DOMAIN], b"Subject: plain\n\nline one\n.\nnot sent\n")
    assert r.returncode == 0, r.stderr
    m = wait_delivered(instance, "alice", 1)[0]
    h = headers(m)
    assert h.startswith(b"Return-Path: <nobody@mx.petrel.test>\nDelivered-To: alice@example.test\nReceived: by ")
    assert b"(Petrel, from userid %d)" % SUBMITTER.pw_uid in h
    for name in (b"\nFrom: ", b"\nDate: ", b"\nMessage-ID: <", b"\nSubject: plain"):
        assert name in h
    # without -i a lone dot ends the message
    assert m.endswith(b"\n\nline one\n")
    instance.wait_for(lambda: not maildrop(instance), what="an empty maildrop")
    assert len(delivered(instance, "alice")) == 1


def test_sendmail_t_f_F_i_and_bcc(instance):
    setup_mail(instance)
    msg = (b"To: Alice Example <alice@example.test>\n"
           b"Cc: \"Team, all\" <team@example.test>\n"
           b"Bcc: bob@example.test\n"
           b"Subject: extracted\n\nbody\n.\nafter the dot\n")
    r = sendmail(instance, ["-t", "-i", "-f", "owner@example.test", "-F", "The Owner"], msg)
    assert r.returncode == 0, r.stderr
    # alice is named twice (To: and through team); bob through team and Bcc: one copy each
    a = wait_delivered(instance, "alice", 1)[0]
    b = wait_delivered(instance, "bob", 1)[0]
    for m in (a, b):
        assert m.startswith(b"Return-Path: <owner@example.test>\n")
        assert b"\nBcc:" not in headers(m)
        assert b"\nFrom: The Owner <owner@example.test>\n" in headers(m)
        assert m.endswith(b"\n\nbody\n.\nafter the dot\n")
    instance.wait_for(lambda: not maildrop(instance), what="an empty maildrop")
    assert len(delivered(instance, "alice")) == 1 and len(delivered(instance, "bob")) == 1


def test_sendmail_bs(instance):
    setup_mail(instance)
    dialogue = (b"EHLO client.test\r\nMAIL FROM:<bs@example.test>\r\nRCPT TO:<bob@example.test>\r\n"
                b"DATA\r\nSubject: via -bs\r\n\r\n..stuffed\r\n.\r\nQUIT\r\n")
    r = sendmail(instance, ["-bs"], dialogue)
    assert r.returncode == 0, r.stderr
    out = r.stdout.decode()
    assert out.startswith("220 ")
    assert "\r\n354 " in out and "250 2.0.0 Ok: queued as " in out and out.rstrip().endswith("221 2.0.0 Bye")
    m = wait_delivered(instance, "bob", 1)[0]
    assert m.startswith(b"Return-Path: <bs@example.test>\n")
    h = headers(m)
    # missing From:, Date:, Message-ID: are added, as for -bm
    for name in (b"\nSubject: via -bs", b"\nFrom: bs@example.test", b"\nDate: ", b"\nMessage-ID: <"):
        assert name in h
    assert m.endswith(b"\n\n.stuffed\n")


def test_sendmail_while_stopped_is_delivered_after_start(instance):
    setup_mail(instance, start=False)
    r = sendmail(instance, ["bob@" + DOMAIN], b"Subject: while stopped\n\nkept\n")
    assert r.returncode == 0, r.stderr
    assert len(maildrop(instance)) == 1
    assert delivered(instance, "bob") == []
    instance.start()
    m = wait_delivered(instance, "bob", 1)[0]
    assert b"Subject: while stopped" in m
    instance.wait_for(lambda: not maildrop(instance), what="an empty maildrop")


def test_newaliases_and_system_alias(instance):
    setup_mail(instance)
    with open(os.path.join(instance.etc, "aliases"), "a") as f:
        f.write("root: alice@example.test\npostmaster: root\n")
    r = instance.petrel("newaliases")
    assert r.returncode == 0, r.stderr
    # the newaliases name runs the same compiler
    env = {"PATH": "/usr/bin:/bin", "PETREL_CONFIG_DIR": instance.etc}
    r2 = subprocess.run([NEWALIASES], capture_output=True, text=True, env=env, timeout=30,
                        **instance._preexec())
    assert r2.returncode == 0, r2.stderr
    assert os.path.exists(os.path.join(instance.etc, "aliases.lmdb"))
    # a bare name is qualified with myorigin, a mydestination domain: root -> alice
    r = sendmail(instance, ["root"], b"Subject: to root\n\ncron output\n")
    assert r.returncode == 0, r.stderr
    m = wait_delivered(instance, "alice", 1)[0]
    assert b"Subject: to root" in m
    assert b"Delivered-To: alice@example.test\n" in m


def test_unknown_recipient_is_dropped_and_logged(instance):
    setup_mail(instance)
    r = sendmail(instance, ["nosuch@" + DOMAIN, "bob@" + DOMAIN], b"Subject: partly\n\nx\n")
    assert r.returncode == 0, r.stderr
    wait_delivered(instance, "bob", 1)
    instance.wait_for(lambda: "to=<nosuch@example.test>" in instance.log(), what="the bounce log line")
    assert "status=bounced" in [l for l in instance.log().splitlines() if "to=<nosuch@example.test>" in l][0]
    assert not os.path.exists(os.path.join(instance.dir, "mail", DOMAIN, "nosuch"))


def test_mailq_lists_the_queue(instance):
    setup_mail(instance)
    env = {"PATH": "/usr/bin:/bin", "PETREL_CONFIG_DIR": instance.etc}
    r = subprocess.run([MAILQ], capture_output=True, text=True, env=env, timeout=30, **instance._preexec())
    assert r.returncode == 0, r.stderr
    assert r.stdout == instance.petrel("queue", "list").stdout


def test_exit_codes_and_nothing_dropped(instance):
    setup_mail(instance)
    assert sendmail(instance, [], b"Subject: x\n\nx\n").returncode == EX_USAGE
    assert sendmail(instance, ["-Z"], b"Subject: x\n\nx\n").returncode == EX_USAGE
    assert sendmail(instance, ["bad address@@x"], b"Subject: x\n\nx\n").returncode == EX_DATAERR
    assert sendmail(instance, ["-t"], b"Subject: no recipients\n\nx\n").returncode == EX_DATAERR
    assert maildrop(instance) == []
