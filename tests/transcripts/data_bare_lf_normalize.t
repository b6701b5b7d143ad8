# smtpd_bare_newline=normalize (the default): a bare LF or bare CR in DATA
# becomes a line break, never an end of data (THREATS.md b.1 #1, RFC 5321
# 2.3.8: bare CR and LF must not be treated as line ends by the protocol).
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
C~ Subject: bare\r\n\r\nline one\nline two\rline three\r\n.\r\n
S: 250 2.0.0 Ok: queued as *
C: QUIT
S: 221 2.0.0 Bye
S: <close>
M: alice@example.test 1
B: alice@example.test line one
B: alice@example.test line two
B: alice@example.test line three
Q: 0
