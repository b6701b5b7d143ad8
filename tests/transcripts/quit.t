# QUIT (RFC 5321 4.1.1.10): 221 and close, in the middle of a transaction
# too (which is then aborted: nothing stored); an argument is a syntax
# error.
S: 220 mx.petrel.test ESMTP Petrel
C: EHLO client.test
S{8}: 250-*
S: 250 STARTTLS
C: QUIT now
S: 501 5.5.4 Error: syntax: QUIT takes no argument
C: MAIL FROM:<s@remote.test>
S: 250 2.1.0 Ok
C: RCPT TO:<alice@example.test>
S: 250 2.1.5 Ok
C: QUIT
S: 221 2.0.0 Bye
S: <close>
L: disconnect from unknown[127.0.0.1] ehlo=1 mail=1 rcpt=1 quit=1 commands=5
M: * 0
Q: 0
