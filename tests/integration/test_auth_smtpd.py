# SPDX-License-Identifier: MIT
"""AUTH (RFC 4954) through authd and libsasl2, against a real instance:
smtplib's login(), swaks --auth, and raw sockets for THREATS.md b.4 (#31-37),
the submission rules (AUTH only over TLS, AUTH before MAIL on 587 and 465,
MAIL FROM owned by the login, no relaying without it), the lockout and the
growing delay, and `petrel user passwd` taking effect at once.

setup_mail gives alice@example.test (password secret-alice) and bob
(secret-bob), and the aliases postmaster -> alice, team -> alice, bob.
"""
import base64
import smtplib
import subprocess
import time

import pytest

from petrel_instance import wait_maildir_messages
from test_mail_in import DOMAIN, setup_mail
from test_tls_smtpd import Client, auth_plain, cert_path, client_context, newest_message

ALICE = "alice@" + DOMAIN
BOB = "bob@" + DOMAIN
# fast penalties, so the suite does not wait Dovecot-like seconds
FAST = ("auth_failure_delay=0s",)

CREDENTIALS_FAILED = ["535 5.7.8 Error: authentication failed: authentication failure"]
LOCKED = ["454 4.7.0 Error: too many failed logins, try again later"]


def b64(text):
    return base64.b64encode(text.encode() if isinstance(text, str) else text).decode()


def submission(instance):
    """A client on the submission port, inside TLS, after EHLO."""
    c = Client(instance.port_base + 587)
    c.reply()
    c.cmd("EHLO client.test")
    assert c.cmd("STARTTLS")[0].startswith("220")
    c.starttls(client_context(instance))
    ehlo = c.cmd("EHLO client.test")
    assert ehlo[-1] == "250 AUTH PLAIN LOGIN"
    return c


def test_smtplib_submission_login_delivers(instance):
    setup_mail(instance, FAST)
    with smtplib.SMTP("127.0.0.1", instance.port_base + 587, local_hostname="client.test", timeout=20) as s:
        s.starttls(context=client_context(instance))
        s.login(ALICE, "secret-alice")
        s.sendmail(ALICE, [BOB], "From: %s\r\nSubject: submitted\r\n\r\nhi\r\n" % ALICE)
    wait_maildir_messages(instance, DOMAIN, "bob", 1)
    msg = newest_message(instance, "bob")
    assert "with ESMTPSA id" in msg
    log = instance.log()
    assert "auth ok: service=smtp mechanism=PLAIN user=<%s> client=127.0.0.1" % ALICE in log
    assert "sasl_method=PLAIN, sasl_username=%s" % ALICE in log


def test_smtps_auth_login_mechanism(instance):
    setup_mail(instance, FAST)
    with smtplib.SMTP_SSL("127.0.0.1", instance.port_base + 465, local_hostname="client.test", timeout=20,
                          context=client_context(instance)) as s:
        s.ehlo()
        assert s.esmtp_features["auth"].split() == ["PLAIN", "LOGIN"]
        s.user, s.password = ALICE, "secret-alice"
        code, _ = s.auth("LOGIN", s.auth_login, initial_response_ok=False)
        assert code == 235
        s.sendmail(ALICE, [BOB], "Subject: via 465\r\n\r\nhi\r\n")
    wait_maildir_messages(instance, DOMAIN, "bob", 1)
    assert "auth ok: service=smtp mechanism=LOGIN" in instance.log()


def test_swaks_auth_on_submission(root_instance):
    setup_mail(root_instance, FAST)
    r = subprocess.run(["swaks", "--server", "127.0.0.1:%d" % (root_instance.port_base + 587), "--tls",
                        "--tls-verify", "--tls-ca-path", cert_path(root_instance), "--tls-sni", "mx.petrel.test",
                        "--auth", "LOGIN", "--auth-user", BOB, "--auth-password", "secret-bob",
                        "--from", BOB, "--to", ALICE, "--helo", "client.test"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "235 2.7.0 Authentication successful" in r.stdout
    wait_maildir_messages(root_instance, DOMAIN, "alice", 1)


def test_no_auth_before_tls(instance):
    """THREATS.md #26: AUTH is neither offered nor taken in the clear."""
    port = setup_mail(instance, FAST)
    c = Client(port)
    c.reply()
    assert not any("AUTH" in line for line in c.cmd("EHLO client.test"))
    assert c.cmd(auth_plain(ALICE, "secret-alice")) == [
        "538 5.7.11 Encryption required for requested authentication mechanism"]
    c.close()
    assert "auth ok" not in instance.log()


def test_submission_ports_require_auth(instance):
    setup_mail(instance, FAST)
    c = submission(instance)
    assert c.cmd("MAIL FROM:<%s>" % ALICE) == ["530 5.7.0 Authentication required"]
    c.close()
    c = Client(instance.port_base + 465, implicit_ctx=client_context(instance))
    c.reply()
    c.cmd("EHLO client.test")
    assert c.cmd("MAIL FROM:<%s>" % ALICE) == ["530 5.7.0 Authentication required"]
    c.close()


def test_relay_refused_without_auth_on_every_listener(instance):
    """With the client outside mynetworks: port 25 refuses the recipient,
    587 and 465 refuse MAIL before AUTH."""
    port = setup_mail(instance, FAST + ("mynetworks=192.0.2.0/24",))
    c = Client(port)
    c.reply()
    c.cmd("EHLO client.test")
    assert c.cmd("MAIL FROM:<someone@remote.test>")[0].startswith("250")
    assert c.cmd("RCPT TO:<victim@elsewhere.test>") == [
        "554 5.7.1 <victim@elsewhere.test>: Relay access denied"]
    c.close()
    c = submission(instance)
    assert c.cmd("MAIL FROM:<someone@remote.test>") == ["530 5.7.0 Authentication required"]
    c.close()
    c = Client(instance.port_base + 465, implicit_ctx=client_context(instance))
    c.reply()
    c.cmd("EHLO client.test")
    assert c.cmd("MAIL FROM:<someone@remote.test>") == ["530 5.7.0 Authentication required"]
    c.close()


def test_wrong_password_and_unknown_user_look_the_same(instance):
    """THREATS.md #36: one reply for both; only the log tells them apart."""
    setup_mail(instance, FAST)
    c = submission(instance)
    assert c.cmd(auth_plain(ALICE, "wrong")) == CREDENTIALS_FAILED
    assert c.cmd(auth_plain("nobody@" + DOMAIN, "wrong")) == CREDENTIALS_FAILED
    c.close()
    log = instance.log()
    assert "reason=password mismatch" in log and "reason=unknown user" in log
    # the smtpd line fail2ban's postfix filter matches, once per failure
    assert log.count("]: SASL PLAIN authentication failed: authentication failure") == 2


def test_malformed_base64(instance):
    """THREATS.md #32: bad base64 is 501 5.5.2, anywhere in the exchange."""
    setup_mail(instance, FAST + ("smtpd_hard_error_limit=100", "smtpd_error_sleep_time=0"))
    c = submission(instance)
    for bad in ["AAA=A===", "QUFBQ", "QQ=", "QR==", "Q===", "QUFB QUFB", "====", "@@@@"]:
        assert c.cmd("AUTH PLAIN " + bad) in (["501 5.5.2 Invalid base64 data"],
                                              ["501 5.5.4 Syntax: AUTH mechanism [initial-response]"]), bad
    # in a continuation
    assert c.cmd("AUTH LOGIN") == ["334 VXNlcm5hbWU6"]
    assert c.cmd("QUFB=A==") == ["501 5.5.2 Invalid base64 data"]
    # a continuation line over the line limit
    assert c.cmd("AUTH PLAIN") == ["334 "]
    assert c.cmd("A" * 4000) == ["500 5.5.6 Authentication exchange line is too long"]
    # a 1 MB initial response: a command line that is too long
    assert c.cmd("AUTH PLAIN " + "QUFB" * 262144)[0].startswith("500 5.5.2")
    # the session still works
    assert c.cmd(auth_plain(ALICE, "secret-alice"))[0].startswith("235")
    c.close()
    assert "auth ok" in instance.log()


def test_oversized_response(root_instance):
    """More than authd takes (12 KiB decoded) is refused in smtpd, precisely,
    even when smtpd_line_length_limit lets such a line in."""
    setup_mail(root_instance, FAST + ("smtpd_line_length_limit=20000",))
    c = submission(root_instance)
    big = b64("x" * 12289)
    too_long = ["500 5.5.6 Authentication exchange line is too long"]
    assert c.cmd("AUTH PLAIN " + big) == too_long
    assert c.cmd("AUTH PLAIN") == ["334 "]
    assert c.cmd(big) == too_long
    assert c.cmd(auth_plain(ALICE, "secret-alice"))[0].startswith("235")
    c.close()


def test_aborted_exchanges(instance):
    """THREATS.md #31 and #35: "*" aborts (501 5.7.0), the next attempt
    starts afresh, and endless aborts end the session."""
    setup_mail(instance, FAST + ("smtpd_error_sleep_time=0",))
    c = submission(instance)
    assert c.cmd("AUTH LOGIN") == ["334 VXNlcm5hbWU6"]
    assert c.cmd("*") == ["501 5.7.0 Authentication aborted"]
    assert c.cmd("AUTH LOGIN") == ["334 VXNlcm5hbWU6"]
    assert c.cmd(b64(ALICE)) == ["334 UGFzc3dvcmQ6"]
    assert c.cmd("*") == ["501 5.7.0 Authentication aborted"]
    assert c.cmd("AUTH PLAIN") == ["334 "]
    assert c.cmd(b64("\0%s\0secret-alice" % ALICE)) == ["235 2.7.0 Authentication successful"]
    c.close()
    c = submission(instance)
    replies = []
    try:
        for _ in range(30):
            replies.append(c.cmd("AUTH LOGIN")[0])
            replies.append(c.cmd("*")[0])
    except EOFError:
        pass
    assert replies[-1].startswith("421 4.7.0") and "too many errors" in replies[-1]
    c.close()


def test_authzid_only_for_itself(instance):
    """THREATS.md #33."""
    setup_mail(instance, FAST)
    c = submission(instance)
    assert c.cmd(auth_plain(ALICE, "secret-alice", authzid=BOB)) == CREDENTIALS_FAILED
    assert c.cmd(auth_plain(ALICE, "secret-alice", authzid=ALICE))[0].startswith("235")
    c.close()
    assert "reason=authzid <%s> not allowed" % BOB in instance.log()


def test_authzid_for_proxy_users(instance):
    setup_mail(instance, FAST + ("auth_proxy_users=" + ALICE,))
    c = submission(instance)
    assert c.cmd(auth_plain(ALICE, "secret-alice", authzid=BOB))[0].startswith("235")
    # logged in as bob: bob's address is the one it may send as
    assert c.cmd("MAIL FROM:<%s>" % BOB)[0].startswith("250")
    c.close()


@pytest.mark.parametrize("mech", ["CRAM-MD5", "DIGEST-MD5", "NTLM", "EXTERNAL", "ANONYMOUS", "GSSAPI",
                                  "SCRAM-SHA-256", "OTP"])
def test_other_mechanisms_not_offered(root_instance, mech):
    """THREATS.md #34."""
    setup_mail(root_instance, FAST)
    c = submission(root_instance)
    assert c.cmd("AUTH " + mech) == ["504 5.5.4 Unsupported authentication mechanism"]
    c.close()


@pytest.mark.parametrize("name", ["x' OR '1'='1", "*)(uid=*", "%{home}", "../../etc/passwd",
                                  "alice@example.test\0admin", "ALICE@EXAMPLE.TEST.evil", "a" * 10000])
def test_hostile_user_names(root_instance, name):
    """THREATS.md #37: nothing but a failed login."""
    setup_mail(root_instance, FAST)
    c = submission(root_instance)
    reply = c.cmd(auth_plain(name, "secret-alice"))
    assert reply in (CREDENTIALS_FAILED, ["500 5.5.2 Error: line too long"])
    assert c.cmd(auth_plain(ALICE, "secret-alice"))[0].startswith("235")
    c.close()


def test_user_names_are_case_insensitive(instance):
    setup_mail(instance, FAST)
    c = submission(instance)
    assert c.cmd(auth_plain("Alice@Example.TEST", "secret-alice"))[0].startswith("235")
    assert c.cmd("MAIL FROM:<alice@example.test>")[0].startswith("250")
    c.close()


def test_sender_must_be_owned_by_the_login(instance):
    setup_mail(instance, FAST)
    c = submission(instance)
    assert c.cmd(auth_plain(ALICE, "secret-alice"))[0].startswith("235")
    assert c.cmd("MAIL FROM:<%s>" % BOB) == [
        "553 5.7.1 <%s>: Sender address rejected: not owned by user %s" % (BOB, ALICE)]
    for owned in ["<%s>" % ALICE, "<alice+lists@%s>" % DOMAIN, "<team@%s>" % DOMAIN,
                  "<postmaster@%s>" % DOMAIN, "<>"]:
        assert c.cmd("MAIL FROM:" + owned)[0].startswith("250"), owned
        assert c.cmd("RSET")[0].startswith("250")
    c.close()


def test_lockout_engages_and_expires(instance):
    """Ten wrong passwords in a row lock the account and the address for
    auth_lockout_time; the right password is refused meanwhile."""
    setup_mail(instance, FAST + ("auth_lockout_time=3s", "smtpd_hard_error_limit=100",
                                 "smtpd_error_sleep_time=0"))
    c = submission(instance)
    for _ in range(10):
        assert c.cmd(auth_plain(ALICE, "guess")) == CREDENTIALS_FAILED
    locked_at = time.monotonic()
    assert c.cmd(auth_plain(ALICE, "secret-alice")) == LOCKED
    # the address is locked too: another account from it
    assert c.cmd(auth_plain(BOB, "secret-bob")) == LOCKED
    c.close()
    log = instance.log()
    assert "auth lockout: account <%s> locked for 3 s after 10 failures" % ALICE in log
    assert "auth lockout: client 127.0.0.1 locked for 3 s after 10 failures" in log
    time.sleep(max(0, 3.2 - (time.monotonic() - locked_at)))
    c = submission(instance)
    assert c.cmd(auth_plain(ALICE, "secret-alice"))[0].startswith("235")
    c.close()


def test_failure_delay_grows(instance):
    setup_mail(instance, ("auth_failure_delay=200ms", "auth_failure_delay_max=800ms",
                          "smtpd_error_sleep_time=0"))
    c = submission(instance)
    took = []
    for _ in range(4):
        start = time.monotonic()
        assert c.cmd(auth_plain(ALICE, "guess")) == CREDENTIALS_FAILED
        took.append(time.monotonic() - start)
    c.close()
    for got, want in zip(took, [0.2, 0.4, 0.8, 0.8]):
        assert got >= want * 0.9, took
    assert "delay=800ms" in instance.log()


def test_passwd_takes_effect_at_once(instance):
    setup_mail(instance, FAST)
    instance.petrel("user", "passwd", "--password-stdin", ALICE, input="new-secret\n", check=True)
    c = submission(instance)
    assert c.cmd(auth_plain(ALICE, "secret-alice")) == CREDENTIALS_FAILED
    assert c.cmd(auth_plain(ALICE, "new-secret"))[0].startswith("235")
    c.close()


def test_deleted_user_cannot_log_in(instance):
    setup_mail(instance, FAST)
    instance.petrel("user", "del", BOB, check=True)
    c = submission(instance)
    assert c.cmd(auth_plain(BOB, "secret-bob")) == CREDENTIALS_FAILED
    c.close()


def test_empty_login_name_then_password(instance):
    """AUTH LOGIN with an empty name: a failure like any other (and, in
    authd, no leak: libsasl2's LOGIN plugin leaks the password when the
    name is refused, so authd refuses bad names later, in checkpass)."""
    setup_mail(instance, FAST)
    c = submission(instance)
    assert c.cmd("AUTH LOGIN") == ["334 VXNlcm5hbWU6"]
    assert c.cmd("") == ["334 UGFzc3dvcmQ6"]
    assert c.cmd(b64("secret-alice")) == CREDENTIALS_FAILED
    c.close()
    assert "reason=not an account name" in instance.log()


def test_cyrus_backend_with_sasldb(root_instance, scratch):
    """auth_backend = cyrus: an existing Cyrus SASL setup (sasldb, as
    saslpasswd2 writes it) answers instead of the passwords map."""
    import os
    import pwd
    sasldb = os.path.join(scratch, "sasldb2")
    r = subprocess.run(["saslpasswd2", "-f", sasldb, "-c", "-p", "-u", "mx.petrel.test", "carol"],
                       input="carol-pw", capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    conf_dir = os.path.join(scratch, "sasl2")
    os.mkdir(conf_dir)
    with open(os.path.join(conf_dir, "petrel.conf"), "w") as f:
        f.write("pwcheck_method: auxprop\nauxprop_plugin: sasldb\nsasldb_path: %s\nmech_list: PLAIN LOGIN\n"
                % sasldb)
    setup_mail(root_instance, FAST + ("auth_backend=cyrus", "auth_cyrus_config_directory=" + conf_dir))
    # authd reads the sasldb as the mail owner, after dropping privileges
    owner = root_instance.petrel("conf", "-h", "mail_owner", check=True).stdout.strip()
    os.chown(sasldb, 0, pwd.getpwnam(owner).pw_gid)
    os.chmod(sasldb, 0o640)
    c = submission(root_instance)
    assert c.cmd(auth_plain("carol", "wrong")) == CREDENTIALS_FAILED
    assert c.cmd(auth_plain(ALICE, "secret-alice")) == CREDENTIALS_FAILED  # the map is not asked
    assert c.cmd(auth_plain("carol", "carol-pw"))[0].startswith("235")
    c.close()
    assert "auth ok: service=smtp mechanism=PLAIN user=<carol>" in root_instance.log()
