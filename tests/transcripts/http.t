# Cross-protocol talk (THREATS.md b.2 #9, ALPACA b.3 #29): GET, POST,
# CONNECT and a header line sent as commands are answered 221 2.7.0 and
# the connection is closed at once, like Postfix; the peek is logged with
# every unprintable byte as "?". Nothing stored.
S: 220 mx.petrel.test ESMTP Petrel
C~ GET / HTTP/1.1\r\nHost: x\r\n\r\n
S: 221 2.7.0 Error: I can break rules, too. Goodbye.
S: <close>
L: warning: non-SMTP command from unknown[127.0.0.1]: GET?/?HTTP/1.1
connect
S: 220 mx.petrel.test ESMTP Petrel
C: EHLO client.test
S{8}: 250-*
S: 250 STARTTLS
C~ POST /cgi HTTP/1.1\r\nContent-Length: 0\r\n\r\n
S: 221 2.7.0 Error: I can break rules, too. Goodbye.
S: <close>
connect
S: 220 mx.petrel.test ESMTP Petrel
C: CONNECT mx.example:25 HTTP/1.0
S: 221 2.7.0 Error: I can break rules, too. Goodbye.
S: <close>
connect
S: 220 mx.petrel.test ESMTP Petrel
C: EHLO client.test
S{8}: 250-*
S: 250 STARTTLS
C: MAIL FROM:<s@remote.test>
S: 250 2.1.0 Ok
C: Subject: hi
S: 221 2.7.0 Error: I can break rules, too. Goodbye.
S: <close>
L: warning: non-SMTP command from unknown[127.0.0.1]: CONNECT?mx.example:25?HTTP/1.0
L: warning: non-SMTP command from unknown[127.0.0.1]: Subject:?hi
M: * 0
Q: 0
