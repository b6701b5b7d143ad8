# EHLO: the exact extension list (RFC 5321 4.1.1.1; SIZE RFC 1870,
# PIPELINING RFC 2920, 8BITMIME RFC 6152, SMTPUTF8 RFC 6531,
# ENHANCEDSTATUSCODES RFC 2034, DSN RFC 3461, CHUNKING RFC 3030, STARTTLS
# RFC 3207: the instance has its self-signed certificate), no
# enhanced code on the EHLO reply (RFC 2034), a missing argument refused,
# and a second EHLO resets the transaction (RFC 5321 4.1.4).
S: 220 mx.petrel.test ESMTP Petrel
C: EHLO client.test
S: 250-mx.petrel.test
S: 250-PIPELINING
S: 250-SIZE 10240000
S: 250-8BITMIME
S: 250-SMTPUTF8
S: 250-ENHANCEDSTATUSCODES
S: 250-DSN
S: 250-CHUNKING
S: 250 STARTTLS
C: EHLO
S: 501 5.5.4 Error: syntax: EHLO needs an argument
C: MAIL FROM:<s@remote.test>
S: 250 2.1.0 Ok
C: EHLO again.client.test
S: 250-mx.petrel.test
S: 250-PIPELINING
S: 250-SIZE 10240000
S: 250-8BITMIME
S: 250-SMTPUTF8
S: 250-ENHANCEDSTATUSCODES
S: 250-DSN
S: 250-CHUNKING
S: 250 STARTTLS
# the MAIL above is gone
C: RCPT TO:<alice@example.test>
S: 503 5.5.1 Error: need MAIL command
C: QUIT
S: 221 2.0.0 Bye
S: <close>
L: disconnect from unknown[127.0.0.1] ehlo=2 mail=1 rcpt=0/1 quit=1 commands=6
M: * 0
Q: 0
