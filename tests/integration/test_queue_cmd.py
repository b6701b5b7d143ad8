# SPDX-License-Identifier: MIT
"""test_queue_cmd - petrel queue list|show|delete|hold|release|flush against a
real instance: with local removed from master.conf, mail stays in deferred/;
list shows it with its deferral reason, show prints its envelope and content,
hold/release/delete act through qmgr, and once local is back a flush delivers
what is left. Unknown and malformed ids are errors; with qmgr stopped the
command says so (EX_UNAVAILABLE). A flush with local_client_limit=1 is
delivered by several local processes. Runs as root and as the instance's user."""
import os
import re
import smtplib

from test_mail_in import DOMAIN, delivered, setup_mail, wait_delivered

EX_USAGE, EX_DATAERR, EX_UNAVAILABLE = 64, 65, 69


def send(port, rcpt, subject):
    with smtplib.SMTP("127.0.0.1", port, local_hostname="client.test", timeout=20) as c:
        c.sendmail("sender@remote.test", [rcpt], "Subject: %s\r\n\r\nbody of %s\r\n" % (subject, subject))


def queue_ids(instance):
    r = instance.petrel("queue", "list", check=True)
    return re.findall(r"^([0-9A-V]{12})[ !]", r.stdout, re.M), r.stdout


def stop_local(instance):
    """Remove local/unix (qmgr cannot deliver); returns its master.conf entry."""
    entry = instance.petrel("conf", "-M", "local/unix", check=True).stdout.strip()
    instance.petrel("conf", "-MX", "local/unix", check=True)
    instance.petrel("reload", check=True)
    return entry


def deferred_ids(instance, count):
    def ready():
        ids, out = queue_ids(instance)
        return ids if len(ids) >= count and out.count("(") >= count else None
    return instance.wait_for(ready, timeout=15, what="%d deferred message(s)" % count)


def test_queue_commands(instance):
    port = setup_mail(instance)
    r = instance.petrel("queue", "list", check=True)
    assert r.stdout.strip() == "Mail queue is empty"
    entry = stop_local(instance)
    assert " local" in entry
    for n in range(3):
        send(port, "alice@" + DOMAIN, "msg%d" % n)
    ids = sorted(deferred_ids(instance, 3))  # ids sort in arrival order: msg0, msg1, msg2
    _, out = queue_ids(instance)
    assert "sender@remote.test" in out and "alice@example.test" in out
    assert re.search(r"^-- \d+ Kbytes in 3 Requests\.$", out, re.M)

    show = instance.petrel("queue", "show", ids[0], check=True).stdout
    assert "sender: sender@remote.test" in show and "recipient: alice@example.test" in show
    assert "*** MESSAGE CONTENTS" in show and "Subject: msg" in show

    # hold: the file moves to hold/, list marks it with "!"
    instance.petrel("queue", "hold", ids[1], check=True)
    assert os.path.exists(os.path.join(instance.dir, "spool", "queue", "hold", ids[1]))
    _, out = queue_ids(instance)
    assert re.search(r"^%s!" % ids[1], out, re.M)
    assert instance.petrel("queue", "hold", ids[1]).returncode == EX_DATAERR

    # delete: gone from disk and from the list, logged
    instance.petrel("queue", "delete", ids[2], check=True)
    assert ids[2] not in queue_ids(instance)[0]
    assert "%s: removed (deleted by the administrator)" % ids[2] in instance.log()

    # errors: unknown id, malformed id, usage
    r = instance.petrel("queue", "delete", "00000000000V")
    assert r.returncode == EX_DATAERR and "no such message" in r.stderr
    assert instance.petrel("queue", "show", "00000000000V").returncode == EX_DATAERR
    assert instance.petrel("queue", "release", "../etc").returncode == EX_DATAERR
    assert instance.petrel("queue", "frobnicate").returncode == EX_USAGE

    # local back, flush: the deferred one is delivered, the held one stays
    instance.petrel("conf", "-M", "local/unix=" + " ".join(entry.split()), check=True)
    instance.petrel("reload", check=True)
    instance.petrel("queue", "flush", check=True)
    wait_delivered(instance, "alice", 1, timeout=15)
    assert instance.wait_for(lambda: queue_ids(instance)[0] == [ids[1]], timeout=10, what="only the held one")
    assert len(delivered(instance, "alice")) == 1

    # release: delivered at once
    instance.petrel("queue", "release", ids[1], check=True)
    wait_delivered(instance, "alice", 2, timeout=15)
    assert instance.wait_for(lambda: queue_ids(instance)[0] == [], timeout=10, what="an empty queue")
    assert b"msg2" not in b"".join(delivered(instance, "alice"))


def test_queue_without_qmgr(instance):
    instance.init()
    r = instance.petrel("queue", "list")
    assert r.returncode == EX_UNAVAILABLE and "qmgr is not running" in r.stderr


def test_flush_spreads_deliveries_over_local_processes(instance):
    """With local_client_limit=1 each local process takes one qmgr connection,
    so a flush of eight deferred messages (qmgr opens a connection per
    delivery in flight) is delivered by more than one local process."""
    port = setup_mail(instance)
    instance.petrel("conf", "local_client_limit=1", check=True)
    entry = stop_local(instance)
    for n in range(8):
        send(port, ("alice@" if n % 2 else "bob@") + DOMAIN, "spread%d" % n)
    deferred_ids(instance, 8)
    instance.petrel("conf", "-M", "local/unix=" + " ".join(entry.split()), check=True)
    instance.petrel("reload", check=True)
    instance.petrel("queue", "flush", check=True)
    wait_delivered(instance, "alice", 4, timeout=15)
    wait_delivered(instance, "bob", 4, timeout=15)
    pids = set(re.findall(r"petrel/local\[(\d+)\]: [0-9A-V]{12}: to=<", instance.log()))
    assert len(pids) >= 2, "every delivery went through one local process: %s" % pids
    assert len(delivered(instance, "alice")) == 4 and len(delivered(instance, "bob")) == 4
