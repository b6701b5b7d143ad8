# DATA: 354, dot-unstuffing (RFC 5321 4.5.2), and only CRLF.CRLF ends the
# data (RFC 5321 4.1.1.4): ". " and ".x" and a command-looking line are
# content. DATA with an argument is a syntax error, DATA before RCPT is out
# of sequence.
S: 220 mx.petrel.test ESMTP Petrel
C: EHLO client.test
S{8}: 250-*
S: 250 STARTTLS
C: MAIL FROM:<s@remote.test>
S: 250 2.1.0 Ok
C: DATA
S: 554 5.5.1 Error: no valid recipients
C: RCPT TO:<alice@example.test>
S: 250 2.1.5 Ok
C: DATA now
S: 501 5.5.4 Error: syntax: DATA takes no argument
C: DATA
S: 354 End data with <CR><LF>.<CR><LF>
C: Subject: dots
C:
C: ..leading dot
C: ...
C: .x
C~ . \r\n
C: QUIT
C: x.
C: .
S: 250 2.0.0 Ok: queued as *
C: QUIT
S: 221 2.0.0 Bye
S: <close>
L: *: from=<s@remote.test>, size=*, nrcpt=1 (queued as *)
M: alice@example.test 1
M: * 1
B: alice@example.test .leading dot
B! alice@example.test ..leading dot
B: alice@example.test ..
B: alice@example.test x
B: alice@example.test QUIT
B: alice@example.test x.
B! alice@example.test .
Q: 0
