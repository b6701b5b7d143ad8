# VRFY with smtpd_vrfy_enable=no (the default): RFC 5321 7.3 says a site
# that disables VRFY "MUST return a 252 response, rather than a code that
# could be confused with successful or unsuccessful verification": 252,
# the same for a user that exists and one that does not. No argument:
# 501. Nothing stored.
S: 220 mx.petrel.test ESMTP Petrel
C: EHLO client.test
S{8}: 250-*
S: 250 STARTTLS
C: VRFY alice@example.test
S: 252 2.0.0 Send some mail, I'll try my best
C: VRFY nobody@example.test
S: 252 2.0.0 Send some mail, I'll try my best
C: VRFY
S: 501 5.5.4 Error: syntax: VRFY needs an argument
C: QUIT
S: 221 2.0.0 Bye
S: <close>
M: * 0
Q: 0
