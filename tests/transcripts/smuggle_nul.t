# NUL next to the dot (THREATS.md b.1 #3, smtpsmug nullbefore/nullafter):
# CRLF NUL . CRLF and CRLF . NUL CRLF do not end the data; the message
# holding a NUL is refused by policy (550 5.6.0) at the real end, never
# truncated at the NUL. Nothing stored.
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
C~ Subject: nul\r\n\r\nouter\r\n\0.\r\nMAIL FROM:<ceo@remote.test>\r\nRCPT TO:<bob@example.test>\r\nDATA\r\nsmuggled\r\n.\r\n
S: 550 5.6.0 Error: message content contains a NUL byte
C: MAIL FROM:<s@remote.test>
S: 250 2.1.0 Ok
C: RCPT TO:<alice@example.test>
S: 250 2.1.5 Ok
C: DATA
S: 354 End data with <CR><LF>.<CR><LF>
C~ Subject: nul\r\n\r\nouter\r\n.\0\r\nMAIL FROM:<ceo@remote.test>\r\nRCPT TO:<bob@example.test>\r\nDATA\r\nsmuggled\r\n.\r\n
S: 550 5.6.0 Error: message content contains a NUL byte
C: QUIT
S: 221 2.0.0 Bye
S: <close>
M: * 0
Q: 0
