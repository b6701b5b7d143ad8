# BDAT out of sequence (RFC 3030 2; THREATS.md b.1 #7): before MAIL 503,
# before a valid RCPT 554, each refused chunk still read and dropped (its
# bytes never run as commands); DATA after BDAT in one transaction 503
# 5.5.1; after RSET a clean transaction works. Nothing stored from the
# refused ones.
S: 220 mx.petrel.test ESMTP Petrel
C: EHLO client.test
S{8}: 250-*
S: 250 STARTTLS
C~ BDAT 6\r\nQUIT\r\n
S: 503 5.5.1 Error: need RCPT command
C: MAIL FROM:<s@remote.test>
S: 250 2.1.0 Ok
C~ BDAT 6 LAST\r\nRSET\r\n
S: 554 5.5.1 Error: no valid recipients
# a refused chunk ends the transaction (THREATS.md b.1 #7: state fully reset)
C: RCPT TO:<alice@example.test>
S: 503 5.5.1 Error: need MAIL command
C: MAIL FROM:<s@remote.test>
S: 250 2.1.0 Ok
C: RCPT TO:<alice@example.test>
S: 250 2.1.5 Ok
C~ BDAT 20\r\nSubject: chunked\r\n\r\n
S: 250 2.0.0 20 octets received
C: DATA
S: 503 5.5.1 Error: DATA after BDAT
C: RSET
S: 250 2.0.0 Ok
M: * 0
Q: 0
C: DATA
S: 503 5.5.1 Error: need RCPT command
C: MAIL FROM:<s@remote.test>
S: 250 2.1.0 Ok
C: RCPT TO:<alice@example.test>
S: 250 2.1.5 Ok
C: DATA
S: 354 End data with <CR><LF>.<CR><LF>
C: Subject: data after all
C:
C: x
C: .
S: 250 2.0.0 Ok: queued as *
C: BDAT 0 LAST
S: 503 5.5.1 Error: need RCPT command
C: QUIT
S: 221 2.0.0 Bye
S: <close>
M: alice@example.test 1
M: * 1
Q: 0
