# Commands Petrel knows but does not offer (STARTTLS with TLS off, AUTH
# with smtpd_sasl_auth_enable=no): 502 5.5.1 (RFC 5321 4.2.4); an empty
# line and a control character in a command: 500 5.5.2 (RFC 5321 4.2.2,
# THREATS.md b.2 #20). The session goes on. Nothing stored.
conf smtpd_tls_security_level=none smtpd_sasl_auth_enable=no
S: 220 mx.petrel.test ESMTP Petrel
C: EHLO client.test
S{7}: 250-*
S: 250 CHUNKING
C: STARTTLS
S: 502 5.5.1 Error: command not implemented
C: AUTH PLAIN
S: 502 5.5.1 Error: command not implemented
C:
S: 500 5.5.2 Error: empty command
C~ NO\x01OP\r\n
S: 500 5.5.2 Error: control character in command
C~ EHLO evil\rX-Injected: 1\r\n
S: 500 5.5.2 Error: control character in command
C: NOOP
S: 250 2.0.0 Ok
C: QUIT
S: 221 2.0.0 Bye
S: <close>
M: * 0
Q: 0
