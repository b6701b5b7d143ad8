# VRFY with smtpd_vrfy_enable=yes (RFC 5321 3.5.3, 4.1.1.6): a local user
# 250 with the mailbox, an unknown one 550 5.1.1, a foreign domain 554
# 5.7.1, bad syntax 501. Nothing stored.
conf smtpd_vrfy_enable=yes
S: 220 mx.petrel.test ESMTP Petrel
C: EHLO client.test
S{8}: 250-*
S: 250 STARTTLS
C: VRFY alice@example.test
S: 250 2.0.0 <alice@example.test>
C: VRFY Bob@Example.Test
S: 250 2.0.0 <Bob@example.test>
C: VRFY nobody@example.test
S: 550 5.1.1 Recipient address rejected: User unknown
C: VRFY x@external.example
S: 554 5.7.1 Relay access denied
C: VRFY ((((
S: 501 5.1.3 Bad address syntax
C: QUIT
S: 221 2.0.0 Bye
S: <close>
M: * 0
Q: 0
