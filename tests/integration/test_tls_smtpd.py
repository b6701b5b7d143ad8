# SPDX-License-Identifier: MIT
"""TLS in smtpd, against a real instance with real clients: smtplib's
starttls(), openssl s_client (-starttls smtp and implicit TLS), swaks --tls,
and raw sockets for what well-behaved clients never send (THREATS.md b.3:
#22 STARTTLS injection, #27 old protocols, #28 SNI, #29 ALPN, #30 a stalled
handshake).

The certificate is the one `petrel init --hostname mx.petrel.test` made;
clients trust exactly it and check the name.
"""
import base64
import os
import socket
import ssl
import subprocess
import time

import pytest

from petrel_instance import wait_maildir_messages
from test_mail_in import DOMAIN, setup_mail

HOST = "mx.petrel.test"


def cert_path(instance):
    return os.path.join(instance.etc, "tls", "cert.pem")


def client_context(instance):
    ctx = ssl.create_default_context(cafile=cert_path(instance))
    return ctx


class Client:
    """A line-oriented SMTP client on a raw socket that can start TLS."""

    def __init__(self, port, implicit_ctx=None, server_hostname=HOST):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        if implicit_ctx is not None:
            self.sock = implicit_ctx.wrap_socket(self.sock, server_hostname=server_hostname)
        self.buf = b""

    def send(self, data):
        self.sock.sendall(data)

    def reply(self):
        """One whole reply (all its lines), as text lines."""
        lines = []
        while True:
            while b"\r\n" not in self.buf:
                chunk = self.sock.recv(4096)
                if not chunk:
                    raise EOFError("connection closed; got %r" % lines)
                self.buf += chunk
            line, self.buf = self.buf.split(b"\r\n", 1)
            lines.append(line.decode())
            if len(line) < 4 or line[3:4] != b"-":
                return lines

    def cmd(self, line):
        self.send((line + "\r\n").encode())
        return self.reply()

    def starttls(self, ctx):
        assert self.buf == b"", "unread input before the handshake: %r" % self.buf
        self.sock = ctx.wrap_socket(self.sock, server_hostname=HOST)

    def close(self):
        self.sock.close()


def auth_plain(user, password, authzid=""):
    """An AUTH PLAIN command with its initial response."""
    raw = ("%s\0%s\0%s" % (authzid, user, password)).encode()
    return "AUTH PLAIN " + base64.b64encode(raw).decode()


def message(subject):
    return ("From: sender@remote.test\r\nTo: alice@%s\r\nSubject: %s\r\n\r\nbody\r\n" % (DOMAIN, subject))


def newest_message(instance, user="alice"):
    d = os.path.join(instance.dir, "mail", DOMAIN, user, "new")
    names = sorted(os.listdir(d), key=lambda n: os.stat(os.path.join(d, n)).st_mtime)
    with open(os.path.join(d, names[-1]), "rb") as f:
        return f.read().decode()


def test_smtplib_starttls_delivers_with_tls_recorded(instance):
    import smtplib
    port = setup_mail(instance)
    with smtplib.SMTP("127.0.0.1", port, local_hostname="client.test", timeout=20) as s:
        s.ehlo()
        assert s.has_extn("starttls")
        code, text = s.starttls(context=client_context(instance))
        assert code == 220 and text == b"2.0.0 Ready to start TLS"
        s.ehlo()
        assert not s.has_extn("starttls"), "STARTTLS offered again inside TLS"
        assert s.sock.version() == "TLSv1.3"
        s.sendmail("sender@remote.test", ["alice@" + DOMAIN], message("over tls"))
    wait_maildir_messages(instance, DOMAIN, "alice", 1)
    msg = newest_message(instance)
    assert "(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits))" in msg
    assert "by %s (Petrel) with ESMTPS id" % HOST in msg
    log = instance.log()
    assert "TLS connection established from unknown[127.0.0.1]: TLSv1.3 with cipher" in log
    assert "starttls=1" in log


def test_openssl_s_client_starttls_verifies_and_talks(root_instance):
    port = setup_mail(root_instance)
    r = subprocess.run(["openssl", "s_client", "-starttls", "smtp", "-connect", "127.0.0.1:%d" % port,
                        "-CAfile", cert_path(root_instance), "-verify_hostname", HOST,
                        "-verify_return_error", "-brief", "-ign_eof"],
                       input="NOOP\r\nQUIT\r\n", capture_output=True, text=True, timeout=30)
    out = r.stdout + r.stderr
    assert r.returncode == 0, out
    assert "Verification: OK" in out
    assert "Protocol version: TLSv1.3" in out
    # s_client sent its EHLO before STARTTLS and none after: the session
    # starts over (NOOP works in any state), then QUIT
    assert "250 2.0.0 Ok" in out and "221 2.0.0" in out


def test_openssl_s_client_implicit_tls(root_instance):
    setup_mail(root_instance)
    p = subprocess.Popen(["openssl", "s_client", "-connect", "127.0.0.1:%d" % (root_instance.port_base + 465),
                          "-CAfile", cert_path(root_instance), "-verify_hostname", HOST, "-servername", HOST,
                          "-verify_return_error", "-brief", "-ign_eof"],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    time.sleep(1)  # the banner first: talking before it is refused
    out, _ = p.communicate("QUIT\r\n", timeout=30)
    assert "Verification: OK" in out and "Protocol version: TLSv1.3" in out, out
    # the banner and the reply came over TLS
    assert "220 %s ESMTP Petrel" % HOST in out and "221 2.0.0" in out, out


@pytest.mark.parametrize("version", ["-tls1", "-tls1_1"])
def test_old_tls_versions_refused(root_instance, version):
    port = setup_mail(root_instance)
    r = subprocess.run(["openssl", "s_client", "-starttls", "smtp", "-connect", "127.0.0.1:%d" % port,
                        version, "-cipher", "DEFAULT:@SECLEVEL=0", "-brief"],
                       input="QUIT\r\n", capture_output=True, text=True, timeout=30)
    assert r.returncode != 0
    assert "Protocol version" not in r.stdout + r.stderr
    root_instance.wait_for(lambda: "unsupported protocol" in root_instance.log(), what="the refusal logged")
    assert "TLS handshake failed from unknown[127.0.0.1]" in root_instance.log()


def test_tls12_still_served(root_instance):
    port = setup_mail(root_instance)
    ctx = client_context(root_instance)
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    c = Client(port)
    c.reply()
    c.cmd("EHLO client.test")
    assert c.cmd("STARTTLS") == ["220 2.0.0 Ready to start TLS"]
    c.starttls(ctx)
    assert c.sock.version() == "TLSv1.2"
    assert "ECDHE" in c.sock.cipher()[0] and "GCM" in c.sock.cipher()[0] or "CHACHA20" in c.sock.cipher()[0]
    assert c.cmd("QUIT")[0].startswith("221")
    c.close()


def test_swaks_tls_delivers(root_instance):
    port = setup_mail(root_instance)
    r = subprocess.run(["swaks", "--server", "127.0.0.1:%d" % port, "--tls", "--tls-verify",
                        "--tls-ca-path", cert_path(root_instance), "--tls-sni", HOST,
                        "--from", "sender@remote.test", "--to", "bob@" + DOMAIN, "--helo", "client.test",
                        "--header", "Subject: swaks over tls"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "TLS started" in r.stdout
    wait_maildir_messages(root_instance, DOMAIN, "bob", 1)
    assert "with ESMTPS id" in newest_message(root_instance, "bob")


def test_pipelined_plaintext_after_starttls_is_discarded(instance):
    """THREATS.md #22 (CVE-2011-0411): commands sent in the same segment as
    STARTTLS never run, and the session starts over after the handshake."""
    port = setup_mail(instance)
    c = Client(port)
    c.reply()
    c.cmd("EHLO client.test")
    injected = b"RSET\r\nMAIL FROM:<attacker@remote.test>\r\nRCPT TO:<alice@" + DOMAIN.encode() + b">\r\n"
    c.send(b"STARTTLS\r\n" + injected)
    assert c.reply() == ["220 2.0.0 Ready to start TLS"]
    c.starttls(client_context(instance))
    # no reply to the injected commands comes through the tunnel: the first
    # reply is to this command, and no HELO or envelope survived
    assert c.cmd("MAIL FROM:<sender@remote.test>") == ["503 5.5.1 Error: send HELO/EHLO first"]
    assert c.cmd("EHLO client.test")[0].startswith("250-")
    assert c.cmd("RCPT TO:<alice@%s>" % DOMAIN) == ["503 5.5.1 Error: need MAIL command"]
    assert c.cmd("QUIT")[0].startswith("221")
    c.close()
    instance.wait_for(lambda: "discarding %d bytes of input pipelined after STARTTLS" % len(injected)
                      in instance.log(), what="the discard logged")
    assert "attacker" not in instance.log()


def test_starttls_refusals(instance):
    port = setup_mail(instance)
    c = Client(port)
    c.reply()
    c.cmd("EHLO client.test")
    assert c.cmd("STARTTLS now") == ["501 5.5.4 Error: syntax: STARTTLS takes no argument"]
    assert c.cmd("MAIL FROM:<sender@remote.test>")[0].startswith("250")
    assert c.cmd("STARTTLS") == ["503 5.5.1 Error: MAIL transaction in progress"]
    assert c.cmd("RSET")[0].startswith("250")
    assert c.cmd("STARTTLS") == ["220 2.0.0 Ready to start TLS"]
    c.starttls(client_context(instance))
    c.cmd("EHLO client.test")
    assert c.cmd("STARTTLS") == ["554 5.5.1 Error: TLS already active"]
    c.close()


def test_encrypt_level_requires_starttls_before_mail(instance):
    """The submission listener of `petrel init` (smtpd_tls_security_level=encrypt)."""
    port = setup_mail(instance)
    secure = instance.port_base + 587
    c = Client(secure)
    c.reply()
    assert c.cmd("EHLO client.test")[-1] == "250 STARTTLS"
    assert c.cmd("MAIL FROM:<sender@remote.test>") == ["530 5.7.0 Must issue a STARTTLS command first"]
    assert c.cmd("STARTTLS") == ["220 2.0.0 Ready to start TLS"]
    c.starttls(client_context(instance))
    c.cmd("EHLO client.test")
    assert c.cmd(auth_plain("alice@" + DOMAIN, "secret-alice"))[0].startswith("235")
    assert c.cmd("MAIL FROM:<alice@%s>" % DOMAIN)[0].startswith("250")
    c.close()
    # port 25 still takes mail in the clear
    c = Client(port)
    c.reply()
    c.cmd("EHLO client.test")
    assert c.cmd("MAIL FROM:<sender@remote.test>")[0].startswith("250")
    c.close()


def test_implicit_tls_listener(instance):
    """The smtps listener of `petrel init` (smtpd_tls_wrappermode=yes)."""
    setup_mail(instance)
    smtps = instance.port_base + 465
    c = Client(smtps, implicit_ctx=client_context(instance))
    assert c.reply()[0].startswith("220 " + HOST)
    ehlo = c.cmd("EHLO client.test")
    assert "250-STARTTLS" not in ehlo and "250 STARTTLS" not in ehlo
    assert c.cmd(auth_plain("alice@" + DOMAIN, "secret-alice"))[0].startswith("235")
    assert c.cmd("MAIL FROM:<alice@%s>" % DOMAIN)[0].startswith("250")
    assert c.cmd("RCPT TO:<bob@%s>" % DOMAIN)[0].startswith("250")
    assert c.cmd("DATA")[0].startswith("354")
    c.send(message("implicit").encode() + b".\r\n")
    assert c.reply()[0].startswith("250 2.0.0 Ok: queued as")
    assert c.cmd("QUIT")[0].startswith("221")
    c.close()
    wait_maildir_messages(instance, DOMAIN, "bob", 1)
    assert "with ESMTPSA id" in newest_message(instance, "bob")

    # a plain-text client gets nothing it can read as SMTP, and is logged
    s = socket.create_connection(("127.0.0.1", smtps), timeout=10)
    s.sendall(b"EHLO client.test\r\n")
    s.settimeout(10)
    try:
        data = s.recv(100)
    except ConnectionResetError:
        data = b""
    assert not data.startswith(b"220") and not data.startswith(b"250")
    s.close()
    instance.wait_for(lambda: "TLS handshake failed from unknown[127.0.0.1]" in instance.log(),
                      what="the failed handshake logged")


def test_implicit_tls_refuses_foreign_alpn_and_bad_sni(instance):
    """THREATS.md #29 (ALPACA) and #28 (SNI checked as a DNS name)."""
    setup_mail(instance)
    smtps = instance.port_base + 465
    ctx = client_context(instance)
    ctx.set_alpn_protocols(["http/1.1"])
    with pytest.raises(ssl.SSLError, match="NO_APPLICATION_PROTOCOL|no application protocol"):
        Client(smtps, implicit_ctx=ctx)
    instance.wait_for(lambda: "ALPN offers none of this service's protocols" in instance.log(),
                      what="the ALPN refusal logged")
    ctx = ssl.create_default_context(cafile=cert_path(instance))
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    with pytest.raises((ssl.SSLError, ConnectionResetError)):
        Client(smtps, implicit_ctx=ctx, server_hostname="bad_name.example")
    instance.wait_for(lambda: "malformed SNI name" in instance.log(), what="the SNI refusal logged")


def test_stalled_handshake_times_out(instance):
    port = setup_mail(instance)
    instance.petrel("conf", "smtpd_tls_handshake_timeout=1s", check=True)
    instance.petrel("reload", check=True)
    time.sleep(0.5)
    c = Client(port)
    c.reply()
    c.cmd("EHLO client.test")
    assert c.cmd("STARTTLS") == ["220 2.0.0 Ready to start TLS"]
    c.send(b"\x16\x03\x01")  # the start of a ClientHello, and then nothing
    start = time.monotonic()
    c.sock.settimeout(10)
    assert c.sock.recv(100) == b""
    assert time.monotonic() - start < 5
    c.close()
    instance.wait_for(lambda: "timeout during TLS handshake from unknown[127.0.0.1]" in instance.log(),
                      what="the timeout logged")


def test_tls_off_and_broken(instance):
    port = setup_mail(instance)
    instance.petrel("conf", "smtpd_tls_security_level=none", check=True)
    instance.petrel("reload", check=True)
    time.sleep(0.5)
    c = Client(port)
    c.reply()
    assert not any("STARTTLS" in line for line in c.cmd("EHLO client.test"))
    assert c.cmd("STARTTLS") == ["502 5.5.1 Error: command not implemented"]
    c.close()

    instance.petrel("conf", "smtpd_tls_security_level=may",
                    "tls_cert_file=" + os.path.join(instance.dir, "missing.pem"), check=True)
    instance.petrel("reload", check=True)
    time.sleep(0.5)
    c = Client(port)
    c.reply()
    assert not any("STARTTLS" in line for line in c.cmd("EHLO client.test"))
    assert c.cmd("STARTTLS") == ["454 4.7.0 TLS not available due to local problem"]
    assert c.cmd("MAIL FROM:<sender@remote.test>")[0].startswith("250")
    c.close()
    assert "TLS is not available: cannot use the TLS certificate chain in" in instance.log()


def test_key_readable_by_others_is_refused(root_instance):
    port = setup_mail(root_instance)
    key = os.path.join(root_instance.etc, "tls", "key.pem")
    os.chmod(key, 0o644)
    root_instance.petrel("reload", check=True)
    time.sleep(0.5)
    c = Client(port)
    c.reply()
    c.cmd("EHLO client.test")
    assert c.cmd("STARTTLS") == ["454 4.7.0 TLS not available due to local problem"]
    c.close()
    assert "refusing TLS key file %s: it is readable by every user" % key in root_instance.log()


def make_cert(directory, name):
    """A self-signed EC certificate for name, made with the openssl command."""
    cert = os.path.join(directory, name + ".pem")
    key = os.path.join(directory, name + ".key")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                    "-keyout", key, "-out", cert, "-subj", "/CN=" + name, "-addext", "subjectAltName=DNS:" + name,
                    "-days", "2"], check=True, capture_output=True, timeout=60)
    os.chmod(key, 0o600)
    return cert, key


def der_of(path):
    with open(path) as f:
        return ssl.PEM_cert_to_DER_cert(f.read())


def presented(port, sni):
    """The certificate (DER) the implicit-TLS listener shows for sni."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
        with ctx.wrap_socket(raw, server_hostname=sni) as s:
            return s.getpeercert(binary_form=True)


def test_sni_map_chooses_the_certificate(root_instance, scratch):
    other_cert, other_key = make_cert(scratch, "other.example.test")
    wild_cert, wild_key = make_cert(scratch, "wild.example.test")
    table = os.path.join(scratch, "sni")
    with open(table, "w") as f:
        f.write("other.example.test %s %s\n*.wild.example.test %s %s\n" % (other_cert, other_key, wild_cert,
                                                                         wild_key))
    root_instance.run("map", table, check=True)
    setup_mail(root_instance, conf=("tls_server_sni_map=" + table + ".lmdb",))
    smtps = root_instance.port_base + 465
    assert presented(smtps, "other.example.test") == der_of(other_cert)
    assert presented(smtps, "a.b.wild.example.test") == der_of(wild_cert)
    assert presented(smtps, "wild.example.test") == der_of(cert_path(root_instance))
    assert presented(smtps, HOST) == der_of(cert_path(root_instance))
    # and a client that verifies the name gets what it can verify
    ctx = ssl.create_default_context(cafile=other_cert)
    c = Client(smtps, implicit_ctx=ctx, server_hostname="other.example.test")
    assert c.reply()[0].startswith("220")
    c.close()


def test_new_certificate_on_reload(root_instance, scratch):
    setup_mail(root_instance)
    smtps = root_instance.port_base + 465
    old = presented(smtps, HOST)
    new_cert, new_key = make_cert(scratch, HOST)
    os.replace(new_cert, cert_path(root_instance))
    os.replace(new_key, os.path.join(root_instance.etc, "tls", "key.pem"))
    root_instance.petrel("reload", check=True)
    root_instance.wait_for(lambda: presented(smtps, HOST) != old, timeout=10, what="the new certificate")
    assert presented(smtps, HOST) == der_of(cert_path(root_instance))
