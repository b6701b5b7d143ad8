# SMTP smuggling (THREATS.md b.1 #1/#2, CVE-2023-51764/51765/51766): the
# outer message's "end" is CR LF . LF, which is not CRLF.CRLF (RFC 5321
# 4.1.1.4), so it is content. With smtpd_bare_newline=normalize exactly
# one message is stored, for alice, holding the would-be commands as text;
# the smuggled transaction for bob never happens.
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
C~ Subject: outer\r\n\r\nouter\r\n.\nMAIL FROM:<ceo@remote.test>\r\nRCPT TO:<bob@example.test>\r\nDATA\r\nSubject: smuggled\r\n\r\nsmuggled\r\n.\r\n
S: 250 2.0.0 Ok: queued as *
C: QUIT
S: 221 2.0.0 Bye
S: <close>
M: alice@example.test 1
M: bob@example.test 0
M: * 1
B: alice@example.test RCPT TO:<bob@example.test>
B: alice@example.test smuggled
Q: 0
