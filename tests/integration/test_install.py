# SPDX-License-Identifier: MIT
"""test_install - `cmake --install BUILD --prefix ANY` yields a working tree:
the installed petrel finds its daemons and templates relative to itself,
and an instance made by it starts, reports its services and stops."""
import os
import subprocess

from petrel_instance import BUILD_DIR, TEST_MAILBOX_USER, Instance, ensure_test_user


def test_installed_tree_runs_an_instance(scratch):
    prefix = os.path.join(scratch, "prefix")
    r = subprocess.run(["cmake", "--install", BUILD_DIR, "--prefix", prefix],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    for path in ("sbin/petrel", "lib/petrel/master", "lib/petrel/anvil",
                 "share/petrel/petrel.conf", "share/petrel/master.conf"):
        assert os.path.exists(os.path.join(prefix, path)), path
    assert not os.path.exists(os.path.join(prefix, "lib/petrel/testd"))

    inst = Instance(scratch, "root")
    ensure_test_user(TEST_MAILBOX_USER)
    petrel = os.path.join(prefix, "sbin", "petrel")
    try:
        r = subprocess.run([petrel, "init", inst.dir, "--port-base", str(inst.port_base),
                            "--owner", "petrel-test", "--mailbox-owner", TEST_MAILBOX_USER], capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, r.stderr
        assert "%s -c %s start" % (petrel, inst.etc) in r.stdout
        for cmd in (["start"], ["status"], ["stop"]):
            r = subprocess.run([petrel, "-c", inst.etc] + cmd, capture_output=True, text=True, timeout=60)
            assert r.returncode == 0, (cmd, r.stdout, r.stderr)
            if cmd == ["status"]:
                assert "anvil/unix" in r.stdout and "running" in r.stdout
        assert os.path.realpath(prefix) in inst.log() or "daemon started" in inst.log()
        assert inst.instance_pids() == set()
    finally:
        inst.cleanup()
