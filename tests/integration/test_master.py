# SPDX-License-Identifier: MIT
"""test_master - the foundation end to end: `petrel init`, start, status,
a daemon killed with SIGKILL and restarted, reload adding, moving and
removing listeners, `petrel conf` edits, a broken configuration, crash-loop
throttling, stop (with SIGKILL escalation), and no process left behind.
Each test runs as root (daemons drop to the test user) and as that
unprivileged user, unless it is about root itself."""
import os
import pwd
import re
import signal
import socket
import stat
import time

import pytest

from petrel_instance import pid_alive, proc_ids, talk


def test_init_start_status_stop(instance):
    out = instance.init().stdout
    assert "petrel -c %s start" % instance.etc in out
    for name in ("petrel.conf", "master.conf", "tls/cert.pem", "tls/key.pem"):
        assert os.path.exists(os.path.join(instance.etc, name)), name
    key_mode = stat.S_IMODE(os.stat(os.path.join(instance.etc, "tls/key.pem")).st_mode)
    assert key_mode == 0o600
    mail = os.stat(os.path.join(instance.dir, "mail"))
    if instance.mode == "root":
        # Only the delivery agent's user may write the mail store.
        assert mail.st_uid == pwd.getpwnam("petrel-vmail").pw_uid != instance.user.pw_uid
    else:
        assert mail.st_uid == instance.user.pw_uid
    assert instance.petrel("status").returncode == 3          # LSB: not running

    r = instance.start()
    assert "started" in r.stdout
    rc, services = instance.status()
    assert rc == 0
    assert services["anvil/unix"]["state"] == "running"
    assert services["anvil/unix"]["procs"] == 1
    anvil_pid = services["anvil/unix"]["pids"][0]
    uids, gids, groups = proc_ids(anvil_pid)
    assert uids == [instance.user.pw_uid] * 4
    assert gids == [instance.user.pw_gid] * 4
    master_uids, _, _ = proc_ids(instance.master_pid())
    assert master_uids[0] == (0 if instance.mode == "root" else instance.user.pw_uid)
    log = instance.log()
    assert re.search(r"petrel/master\[%d\]: daemon started -- version \S+, configuration %s"
                     % (instance.master_pid(), re.escape(instance.etc)), log)
    if instance.mode == "user":
        assert "running as an unprivileged user" in log

    r = instance.petrel("stop")
    assert r.returncode == 0, r.stderr
    assert "stopped" in r.stdout
    assert instance.instance_pids() == set()
    assert instance.petrel("status").returncode == 3
    assert not os.path.exists(os.path.join(instance.dir, "spool/pid/master.ctl"))


def test_sigkill_daemon_is_restarted(instance):
    instance.init()
    instance.start()
    _, services = instance.status()
    old = services["anvil/unix"]["pids"][0]
    os.kill(old, signal.SIGKILL)
    killed_at = time.monotonic()

    def restarted():
        _, s = instance.status()
        a = s.get("anvil/unix")
        return a if a and a["pids"] and a["pids"][0] != old and a["state"] == "running" else None

    anvil = instance.wait_for(restarted, timeout=2.0, what="anvil restarted within 2 s")
    assert time.monotonic() - killed_at < 2.0
    assert anvil["restarts"] == 1
    assert "killed by signal 9" in anvil["last"]
    assert re.search(r"warning: service anvil/unix: process \S+/anvil pid %d killed by signal 9" % old,
                     instance.log())


def test_second_master_refused(instance):
    instance.init()
    instance.start()
    r = instance.petrel("start")
    assert r.returncode != 0
    assert "already running (master pid %d)" % instance.master_pid() in r.stderr


def test_misspelled_parameter_fails_start_with_file_and_line(instance):
    instance.init()
    conf = os.path.join(instance.etc, "petrel.conf")
    with open(conf) as f:
        lines = f.read().count("\n")
    with open(conf, "a") as f:
        f.write("myhostnme = mx.example.test\n")
    r = instance.petrel("start")
    assert r.returncode != 0
    assert '%s/petrel.conf:%d: unknown parameter "myhostnme"' % (instance.etc, lines + 1) in r.stderr \
        or 'petrel.conf:%d: unknown parameter "myhostnme"' % (lines + 1) in r.stderr, r.stderr
    assert instance.instance_pids() == set()


def test_conf_edit_keeps_comments(instance):
    instance.init()
    conf = os.path.join(instance.etc, "petrel.conf")
    with open(conf) as f:
        before = f.read()
    r = instance.petrel("conf", "myhostname=mx.example.test", check=True)
    r = instance.petrel("conf", "-n", check=True)
    assert "myhostname = mx.example.test" in r.stdout.splitlines()
    with open(conf) as f:
        after = f.read()
    comments = [l for l in before.splitlines() if l.startswith("#")]
    assert comments and comments == [l for l in after.splitlines() if l.startswith("#")]
    assert instance.petrel("conf", "-h", "myhostname", check=True).stdout.strip() == "mx.example.test"

    bad = instance.petrel("conf", "max_use=lots")
    assert bad.returncode != 0
    assert "max_use" in bad.stderr
    with open(conf) as f:
        assert f.read() == after                            # untouched

    d = instance.petrel("conf", "-d", check=True).stdout
    names = {l.split(" = ")[0] for l in d.splitlines() if " = " in l}
    defs = open(os.path.join(os.environ.get("PETREL_SOURCE_DIR", "."), "lib/mail/params.def")).read()
    declared = set(re.findall(r"^PARAM\((\w+),", defs, re.M))
    assert declared and declared <= names


def add_testd(instance, port, name="testd", extra=""):
    entry = "%s inet 127.0.0.1:%d n - n - 4 testd%s" % (name, port, extra)
    instance.petrel("conf", "-M", "%s/inet=%s" % (name, entry), check=True)


def test_reload_adds_moves_and_removes_listeners(instance):
    instance.init()
    instance.start()
    port = instance.port_base + 500
    add_testd(instance, port)
    instance.petrel("reload", check=True)
    reply = instance.wait_for(lambda: _try_talk(port, "PING", "WHOAMI"), what="testd listening")
    assert reply[0] == "testd ready" and reply[1] == "PONG"
    assert "uid=%d gid=%d" % (instance.user.pw_uid, instance.user.pw_gid) in reply[2]
    assert "service=testd/inet" in reply[2]

    new_port = instance.port_base + 501
    add_testd(instance, new_port)
    instance.petrel("reload", check=True)
    instance.wait_for(lambda: _try_talk(new_port, "PING"), what="testd on the new port")
    instance.wait_for(lambda: _refused(port), what="old port closed")

    instance.petrel("conf", "-MX", "testd/inet", check=True)
    instance.petrel("reload", check=True)
    instance.wait_for(lambda: _refused(new_port), what="listener removed")
    instance.wait_for(lambda: "testd/inet" not in instance.status()[1], what="service gone from status")


def test_reload_with_broken_config_keeps_running(instance):
    instance.init()
    instance.start()
    with open(os.path.join(instance.etc, "master.conf"), "a") as f:
        f.write("broken inet 127.0.0.1:99999 n - n - - testd\n")
    r = instance.petrel("reload")
    assert r.returncode != 0
    assert "master.conf:" in r.stderr and "not reloaded" in r.stderr
    assert instance.status()[1]["anvil/unix"]["state"] == "running"


def test_crash_loop_is_throttled(instance):
    instance.init()
    instance.start()
    port = instance.port_base + 502
    add_testd(instance, port, extra=" -Z")             # an option testd refuses: exits 1 at once
    instance.petrel("reload", check=True)
    time.sleep(3.0)
    _, services = instance.status()
    t = services["testd/inet"]
    # 100 ms doubling: failures at ~0, 0.1, 0.3, 0.7, 1.5, 3.1 s: never a spin.
    assert 2 <= t["restarts"] <= 6, t
    assert "exit status 1" in t["last"]
    assert re.search(r"service testd/inet: restarting in \d+ms \(failure \d+ in a row\)", instance.log())
    assert services["anvil/unix"]["state"] == "running"


def test_failing_service_makes_start_fail(instance):
    instance.init()
    add_testd(instance, instance.port_base + 502, extra=" -Z")
    r = instance.petrel("start")
    assert r.returncode != 0
    assert "service testd/inet: exit status 1 before it was ready" in r.stderr, r.stderr
    assert instance.instance_pids() == set()


def test_stop_escalates_to_sigkill(instance):
    instance.init()
    instance.start()
    port = instance.port_base + 500
    add_testd(instance, port)
    instance.petrel("reload", check=True)
    instance.wait_for(lambda: _try_talk(port, "IGNORETERM"), what="testd ignoring SIGTERM")
    started = time.monotonic()
    r = instance.petrel("stop")
    assert r.returncode == 0, r.stderr
    assert time.monotonic() - started < 10
    assert "sending SIGKILL" in instance.log()
    assert instance.instance_pids() == set()


def test_master_killed_children_exit(instance):
    instance.init()
    instance.start()
    _, services = instance.status()
    anvil = services["anvil/unix"]["pids"][0]
    os.kill(instance.master_pid(), signal.SIGKILL)
    instance.wait_for(lambda: not pid_alive(anvil), timeout=5, what="anvil exits after the master died")
    # A crash leaves a stale pid file and sockets: start must still work.
    instance.start()
    assert instance.status()[1]["anvil/unix"]["state"] == "running"


def test_network_daemon_never_runs_as_root(root_instance):
    inst = root_instance
    inst.init()
    master_conf = os.path.join(inst.etc, "master.conf")
    before = open(master_conf).read()
    line = "testd inet 127.0.0.1:%d n root n - 1 testd" % (inst.port_base + 500)
    r = inst.petrel("conf", "-M", "testd/inet=" + line)
    assert r.returncode != 0 and "root" in r.stderr
    assert open(master_conf).read() == before
    with open(master_conf, "a") as f:
        f.write(line + "\n")
    r = inst.petrel("start")
    assert r.returncode != 0
    assert "root" in r.stderr
    assert inst.instance_pids() == set()


def _try_talk(port, *lines):
    try:
        return talk(port, *lines)
    except OSError:
        return None


def _refused(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return False
    except ConnectionRefusedError:
        return True


def test_broken_config_still_stops(instance):
    """An operator who saved a typo can still see and stop the running instance."""
    instance.init()
    instance.start()
    master = instance.master_pid()
    with open(os.path.join(instance.etc, "petrel.conf"), "a") as f:
        f.write("myhostnme = oops\n")
    r = instance.petrel("status")
    assert r.returncode != 0
    assert 'unknown parameter "myhostnme" (did you mean "myhostname"?)' in r.stderr
    assert "running (master pid %d), but the configuration has errors" % master in r.stdout
    r = instance.petrel("stop")
    assert r.returncode == 0, r.stderr
    assert "stopping the running master anyway" in r.stderr
    assert instance.instance_pids() == set()
    r = instance.petrel("start")
    assert r.returncode != 0 and "myhostnme" in r.stderr
    assert instance.instance_pids() == set()


def test_mailbox_owner_must_differ_from_mail_owner(root_instance):
    inst = root_instance
    r = inst.run("init", inst.dir, "--port-base", str(inst.port_base), "--owner", "petrel-test",
                 "--mailbox-owner", "petrel-test")
    assert r.returncode != 0
    assert "the mailbox owner must be neither root nor the mail owner" in r.stderr
    assert not os.path.exists(os.path.join(inst.dir, "etc"))
