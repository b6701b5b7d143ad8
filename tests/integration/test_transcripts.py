# SPDX-License-Identifier: MIT
"""test_transcripts - every SMTP protocol transcript in tests/transcripts/
played against a real instance, each its own test case, in both modes (as
root with daemons dropping to the test user, and as that unprivileged
user). One instance per mode serves every transcript: transcripts are run
grouped by their `conf` lines, and the runner applies a group's
configuration with `petrel conf` + `petrel reload` (and puts back what the
previous group changed). The format: tests/transcripts/README.md; the
runner: tests/tools/transcript.py.

The instance: domain example.test with users alice and bob, hostname
mx.petrel.test, and smtpd_error_sleep_time=0 so error-heavy transcripts do
not pause."""
import glob
import os
import shutil
import sys
import tempfile

import pytest

from petrel_instance import Instance

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tools"))
import transcript  # noqa: E402

TRANSCRIPT_DIR = os.path.join(HERE, "..", "transcripts")
DOMAIN = "example.test"
BASE_CONF = ["smtpd_error_sleep_time=0"]


def _load():
    ts = [transcript.Transcript(p) for p in sorted(glob.glob(os.path.join(TRANSCRIPT_DIR, "*.t")))]
    # default configuration first, then one group per distinct conf set
    return sorted(ts, key=lambda t: (sorted(t.conf.items()) != [], sorted(t.conf.items()), t.name))


TRANSCRIPTS = _load()


@pytest.fixture(scope="module", params=["root", "user"])
def runner(request):
    scratch = tempfile.mkdtemp(prefix="petrel-it-", dir="/tmp")
    os.chmod(scratch, 0o755)
    inst = Instance(scratch, request.param)
    try:
        inst.init()
        inst.petrel("domain", "add", DOMAIN, check=True)
        for user in ("alice", "bob"):
            inst.petrel("user", "add", "%s@%s" % (user, DOMAIN), "--password-stdin",
                        input="secret-%s\n" % user, check=True)
        inst.petrel("conf", *BASE_CONF, check=True)
        inst.start()
        target = transcript.Target(inst.port_base + 25, dir=inst.dir, petrel=inst.petrel)
        yield transcript.Runner(target)
    finally:
        inst.cleanup()
        shutil.rmtree(scratch, ignore_errors=True)


@pytest.mark.parametrize("t", TRANSCRIPTS, ids=[t.name for t in TRANSCRIPTS])
def test_transcript(runner, t):
    r = runner.run(t)
    if not r.ok:
        pytest.fail(r.report, pytrace=False)
