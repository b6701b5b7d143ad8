# Over-long command lines (RFC 5321 4.5.3.1.4: 512 octets at least; here
# smtpd_line_length_limit, 2048 by default; THREATS.md b.2 #8): 500 5.5.2
# "line too long", the rest of the line is dropped, the session goes on.
# A 600-octet line is within the limit. Nothing stored.
S: 220 mx.petrel.test ESMTP Petrel
C~ EHLO \{3000:A}\r\n
S: 500 5.5.2 Error: line too long
C: EHLO client.test
S{8}: 250-*
S: 250 STARTTLS
C~ MAIL FROM:<\{3000:a}@remote.test>\r\n
S: 500 5.5.2 Error: line too long
C: RCPT TO:<alice@example.test>
S: 503 5.5.1 Error: need MAIL command
C~ NOOP \{600:x}\r\n
S: 250 2.0.0 Ok
C: QUIT
S: 221 2.0.0 Bye
S: <close>
M: * 0
Q: 0
