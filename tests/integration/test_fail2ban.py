# SPDX-License-Identifier: MIT
"""fail2ban (Debian's fail2ban 1.0.2, unpacked by scripts/deps.sh --test)
reads Petrel's log with its stock postfix filter in auth mode: every failed
login is one matching line with the client address, and a successful one
matches nothing. The only setting an operator adds is the daemon name:
filter = postfix[mode=auth, _daemon=petrel/smtpd] (docs/security.md)."""
import os
import subprocess

from test_auth_smtpd import ALICE, CREDENTIALS_FAILED, FAST, submission
from test_mail_in import setup_mail
from test_tls_smtpd import auth_plain

F2B = "/var/cache/petrel-test/fail2ban"


def fail2ban_regex(log_path):
    env = dict(os.environ, PYTHONPATH=os.path.join(F2B, "usr/lib/python3/dist-packages"))
    r = subprocess.run(["/usr/bin/python3", os.path.join(F2B, "usr/bin/fail2ban-regex"), "--config",
                        os.path.join(F2B, "etc/fail2ban"), "--print-all-matched", log_path,
                        "postfix[mode=auth, _daemon=petrel/smtpd]"],
                       capture_output=True, text=True, timeout=120, env=env)
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stdout


def test_fail2ban_postfix_filter_matches_each_failure(root_instance):
    assert os.path.exists(os.path.join(F2B, "usr/bin/fail2ban-regex")), "run scripts/deps.sh --test"
    setup_mail(root_instance, FAST)
    c = submission(root_instance)
    for password in ("guess1", "guess2", "guess3"):
        assert c.cmd(auth_plain(ALICE, password)) == CREDENTIALS_FAILED
    assert c.cmd(auth_plain(ALICE, "secret-alice"))[0].startswith("235")
    c.close()
    out = fail2ban_regex(os.path.join(root_instance.dir, "log", "petrel.log"))
    assert "Failregex: 3 total" in out, out
    assert out.count("127.0.0.1") >= 3
