# MAIL FROM: good paths (one with the null reverse-path, RFC 5321 4.5.5),
# bad address syntax 501 5.1.7 (RFC 3463), a missing path 501 5.5.4, SIZE
# over message_size_limit 552 5.3.4 (RFC 1870 6), unknown parameters 555
# 5.5.4 (RFC 5321 4.1.1.11), a bad parameter value 501 5.5.4, and a nested
# MAIL 503 5.5.1 (RFC 5321 4.1.4). Nothing is stored.
S: 220 mx.petrel.test ESMTP Petrel
C: EHLO client.test
S{8}: 250-*
S: 250 STARTTLS
C: MAIL FROM:<;sleep 66;>
S: 501 5.1.7 Bad sender address syntax
C: MAIL FROM:<s@>
S: 501 5.1.7 Bad sender address syntax
C: MAIL FROM:
S: 501 5.5.4 Error: syntax: MAIL FROM:<address>
C: MAIL TO:<s@remote.test>
S: 501 5.5.4 Error: syntax: MAIL FROM:<address>
C: MAIL FROM:<s@remote.test> SIZE=10240001
S: 552 5.3.4 Message size exceeds fixed limit
C: MAIL FROM:<s@remote.test> FROBNICATE=yes
S: 555 5.5.4 Unsupported option
C: MAIL FROM:<s@remote.test> BODY=9BIT
S: 501 5.5.4 Bad parameter syntax
C: MAIL FROM:<s@remote.test> SIZE=10240000 BODY=8BITMIME
S: 250 2.1.0 Ok
C: MAIL FROM:<other@remote.test>
S: 503 5.5.1 Error: nested MAIL command
C: RSET
S: 250 2.0.0 Ok
C: MAIL FROM:<>
S: 250 2.1.0 Ok
C: RSET
S: 250 2.0.0 Ok
C: mail from:<s@remote.test>
S: 250 2.1.0 Ok
C: QUIT
S: 221 2.0.0 Bye
S: <close>
L: NOQUEUE: reject: MAIL from unknown[127.0.0.1]: 501 5.1.7 Bad sender address syntax; from=<> proto=ESMTP helo=<client.test>
L: NOQUEUE: reject: MAIL from unknown[127.0.0.1]: 552 5.3.4 Message size exceeds fixed limit; *
M: * 0
Q: 0
