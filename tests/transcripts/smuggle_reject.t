# SMTP smuggling with smtpd_bare_newline=reject (THREATS.md b.1 #1): the
# message holding LF.LF (and one holding CR.CR) is refused whole with
# 550 5.5.2 at the real CRLF.CRLF; no second transaction is started from
# the bytes inside; nothing is stored.
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
C~ Subject: outer\r\n\r\nouter\n.\nMAIL FROM:<ceo@remote.test>\r\nRCPT TO:<bob@example.test>\r\nDATA\r\nSubject: smuggled\r\n\r\nsmuggled\r\n.\r\n
S: 550 5.5.2 Error: bare <CR> or <LF> received
C: MAIL FROM:<s@remote.test>
S: 250 2.1.0 Ok
C: RCPT TO:<alice@example.test>
S: 250 2.1.5 Ok
C: DATA
S: 354 End data with <CR><LF>.<CR><LF>
C~ Subject: outer\r\n\r\nouter\r.\rMAIL FROM:<ceo@remote.test>\r\nRCPT TO:<bob@example.test>\r\nDATA\r\nSubject: smuggled\r\n\r\nsmuggled\r\n.\r\n
S: 550 5.5.2 Error: bare <CR> or <LF> received
C: QUIT
S: 221 2.0.0 Bye
S: <close>
M: * 0
Q: 0
