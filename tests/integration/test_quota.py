# SPDX-License-Identifier: MIT
"""test_quota - per-user Maildir++ quota, end to end: a mailbox with a
small quota (petrel user add --quota) receives until it is full; the next
message stays queued, deferred with 4.2.2 and "mailbox full" in the log,
while another user still receives; petrel user quota shows the quota and
the usage; raising the quota lets the retry (after minimal_backoff_time)
deliver it. Runs as root and as an unprivileged user, like every suite."""
import os
import smtplib

DOMAIN = "example.test"
BODY = "Subject: q\r\nFrom: sender@remote.test\r\n\r\n" + ("x" * 70 + "\r\n") * 40


def maildir_new(instance, user):
    return os.path.join(instance.dir, "mail", DOMAIN, user, "new")


def count(instance, user):
    d = maildir_new(instance, user)
    return len(os.listdir(d)) if os.path.isdir(d) else 0


def send(port, rcpt):
    with smtplib.SMTP("127.0.0.1", port, local_hostname="client.test", timeout=20) as c:
        assert c.sendmail("sender@remote.test", [rcpt], BODY) == {}


def deferred(instance):
    d = os.path.join(instance.dir, "spool", "queue", "deferred")
    return sum(len(files) for _, _, files in os.walk(d))


def setup_quota(instance):
    """alice with a quota of 8k (two messages of ~3k fit), bob without."""
    instance.init()
    instance.petrel("conf", "minimal_backoff_time=1s", "maximal_backoff_time=2s", check=True)
    instance.petrel("domain", "add", DOMAIN, check=True)
    instance.petrel("user", "add", "alice@" + DOMAIN, "--quota", "8k", "--password-stdin",
                    input="secret-alice\n", check=True)
    instance.petrel("user", "add", "bob@" + DOMAIN, "--password-stdin", input="secret-bob\n", check=True)
    instance.start()
    return instance.port_base + 25


def test_quota_full_defers_then_raise_delivers(instance):
    """Full: deferred 4.2.2 and kept; others still receive; raised: delivered."""
    port = setup_quota(instance)
    for _ in range(2):
        send(port, "alice@" + DOMAIN)
    instance.wait_for(lambda: count(instance, "alice") == 2, timeout=10, what="two messages for alice")
    send(port, "alice@" + DOMAIN)
    send(port, "bob@" + DOMAIN)
    instance.wait_for(lambda: count(instance, "bob") == 1, timeout=10, what="bob's message")
    instance.wait_for(lambda: "4.2.2" in instance.log(), timeout=10, what="a 4.2.2 deferral")
    log = instance.log()
    assert "status=deferred (mailbox full: quota 8192 bytes)" in log
    assert count(instance, "alice") == 2
    assert deferred(instance) >= 1
    r = instance.petrel("user", "quota", "alice@" + DOMAIN, check=True)
    assert "quota 8192\n" in r.stdout
    usage = [line for line in r.stdout.splitlines() if line.startswith("usage ")]
    assert usage and usage[0].endswith(",2") and int(usage[0].split()[1].split(",")[0]) > 6000
    instance.petrel("user", "quota", "alice@" + DOMAIN, "1m", check=True)
    instance.wait_for(lambda: count(instance, "alice") == 3, timeout=15, what="the retry after the raise")
    instance.wait_for(lambda: deferred(instance) == 0, timeout=5, what="an empty deferred queue")


def test_quota_command_checks(root_instance):
    """Sizes are checked; the map is created at the first quota (0644);
    user del removes the quota with the mailbox."""
    inst = root_instance
    inst.init()
    inst.petrel("domain", "add", DOMAIN, check=True)
    inst.petrel("user", "add", "carol@" + DOMAIN, "--password-stdin", input="pw-carol\n", check=True)
    r = inst.petrel("user", "quota", "carol@" + DOMAIN)
    assert r.returncode == 0 and "quota 0 (mailbox_quota_default)" in r.stdout and "usage 0,0" in r.stdout
    for bad in ("", "12x", "1k,", "1k,x", "2000g", "-1"):
        r = inst.petrel("user", "quota", "carol@" + DOMAIN, bad)
        assert r.returncode in (64, 65), (bad, r.returncode, r.stderr)
    inst.petrel("user", "quota", "carol@" + DOMAIN, "2m,100", check=True)
    assert "quota 2097152,100\n" in inst.petrel("user", "quota", "carol@" + DOMAIN, check=True).stdout
    assert os.stat(os.path.join(inst.dir, "data", "maps", "quotas")).st_mode & 0o777 == 0o644
    r = inst.petrel("user", "quota", "nobody@" + DOMAIN, "1m")
    assert r.returncode == 69
    inst.petrel("user", "del", "carol@" + DOMAIN, check=True)
    inst.petrel("user", "add", "carol@" + DOMAIN, "--password-stdin", input="pw-carol\n", check=True)
    assert "(mailbox_quota_default)" in inst.petrel("user", "quota", "carol@" + DOMAIN, check=True).stdout
