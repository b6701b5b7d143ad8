# BDAT with a size that does not parse or cannot be skipped (THREATS.md
# b.1 #7): 501 5.5.4 or 552 5.3.4, and the connection is closed (the
# chunk's end cannot be found). Nothing is stored.
S: 220 mx.petrel.test ESMTP Petrel
C: EHLO client.test
S{8}: 250-*
S: 250 STARTTLS
C: MAIL FROM:<s@remote.test>
S: 250 2.1.0 Ok
C: RCPT TO:<alice@example.test>
S: 250 2.1.5 Ok
C: BDAT -1
S: 501 5.5.4 Syntax: BDAT count [LAST]
S: <close>
connect
S: 220 mx.petrel.test ESMTP Petrel
C: EHLO client.test
S{8}: 250-*
S: 250 STARTTLS
C: MAIL FROM:<s@remote.test>
S: 250 2.1.0 Ok
C: RCPT TO:<alice@example.test>
S: 250 2.1.5 Ok
C: BDAT 18446744073709551616 LAST
S: 501 5.5.4 Syntax: BDAT count [LAST]
S: <close>
connect
S: 220 mx.petrel.test ESMTP Petrel
C: EHLO client.test
S{8}: 250-*
S: 250 STARTTLS
C: MAIL FROM:<s@remote.test>
S: 250 2.1.0 Ok
C: RCPT TO:<alice@example.test>
S: 250 2.1.5 Ok
C: BDAT 18446744073709551615 LAST
S: 552 5.3.4 Error: message file too big
S: <close>
connect
S: 220 mx.petrel.test ESMTP Petrel
C: EHLO client.test
S{8}: 250-*
S: 250 STARTTLS
C: BDAT 1e9999
S: 501 5.5.4 Syntax: BDAT count [LAST]
S: <close>
M: * 0
Q: 0
