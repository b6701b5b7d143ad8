# Improper pipelining (RFC 2920 3.1: EHLO and DATA end a command group;
# THREATS.md b.1 #4): commands sent after EHLO, or content sent after DATA
# before the 354, get 554 5.5.0 and the connection is closed; the extra
# bytes are logged escaped and never run. Nothing stored.
S: 220 mx.petrel.test ESMTP Petrel
C~ EHLO client.test\r\nMAIL FROM:<s@remote.test>\r\nRCPT TO:<alice@example.test>\r\n
S: 554 5.5.0 Error: SMTP protocol synchronization
S: <close>
L: improper command pipelining after EHLO from unknown[127.0.0.1]: MAIL?FROM:<s@remote.test>??RCPT?TO:<alice@example.test>??
connect
S: 220 mx.petrel.test ESMTP Petrel
C: EHLO client.test
S{8}: 250-*
S: 250 STARTTLS
C: MAIL FROM:<s@remote.test>
S: 250 2.1.0 Ok
C: RCPT TO:<alice@example.test>
S: 250 2.1.5 Ok
C~ DATA\r\nSubject: eager\r\n\r\nbody\r\n.\r\nQUIT\r\n
S: 554 5.5.0 Error: SMTP protocol synchronization
S: <close>
L: improper command pipelining after DATA from unknown[127.0.0.1]: Subject:?eager????body??.??QUIT??
M: * 0
Q: 0
