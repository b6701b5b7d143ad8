# smtpd_bare_newline=reject: a message with a bare LF or bare CR is
# refused after its end (550 5.5.2, as Postfix's smtpd_forbid_bare_newline;
# THREATS.md b.1 #1); the session goes on and a clean message is accepted.
conf smtpd_bare_newline=reject
S: 220 mx.petrel.test ESMTP Petrel
C: EHLO client.test
S{8}: 250-*
S: 250 STARTTLS
C: MAIL FROM:<s@remote.test>
S: 250 2.1.0 Ok
C: RCPT TO:<alice@example.test>
S: 250 2.1.5 Ok
C: DATA
S: 354 End data with <CR><LF>.<CR><LF>
C~ Subject: bare\r\n\r\nline one\nline two\r\n.\r\n
S: 550 5.5.2 Error: bare <CR> or <LF> received
L: *: reject: DATA from unknown[127.0.0.1]: 550 5.5.2 Error: bare <CR> or <LF> received; *
C: MAIL FROM:<s@remote.test>
S: 250 2.1.0 Ok
C: RCPT TO:<alice@example.test>
S: 250 2.1.5 Ok
C: DATA
S: 354 End data with <CR><LF>.<CR><LF>
C~ Subject: bare cr\r\n\r\nline one\rline two\r\n.\r\n
S: 550 5.5.2 Error: bare <CR> or <LF> received
M: * 0
Q: 0
C: MAIL FROM:<s@remote.test>
S: 250 2.1.0 Ok
C: RCPT TO:<alice@example.test>
S: 250 2.1.5 Ok
C: DATA
S: 354 End data with <CR><LF>.<CR><LF>
C: Subject: clean
C:
C: fine
C: .
S: 250 2.0.0 Ok: queued as *
C: QUIT
S: 221 2.0.0 Bye
S: <close>
M: alice@example.test 1
M: * 1
Q: 0
