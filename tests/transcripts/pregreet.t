# Talk before the greeting (THREATS.md b.1 #6, RFC 5321 4.3.1: the client
# waits for the 220): with smtpd_pre_greet_wait a client that speaks first
# is refused (554 5.5.1) and disconnected, its command never processed; a
# patient client gets the greeting after the wait. Nothing stored.
conf smtpd_pre_greet_wait=1s
C: EHLO early.test
S: 554 5.5.1 Error: talking before the greeting
S: <close>
L: PREGREET from unknown[127.0.0.1]
connect
C~ MAIL FROM:<s@remote.test>\r\nRCPT TO:<alice@example.test>\r\nDATA\r\n
S: 554 5.5.1 Error: talking before the greeting
S: <close>
connect
S: 220 mx.petrel.test ESMTP Petrel
C: EHLO client.test
S{8}: 250-*
S: 250 STARTTLS
C: QUIT
S: 221 2.0.0 Bye
S: <close>
M: * 0
Q: 0
