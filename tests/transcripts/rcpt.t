# RCPT TO: a local user 250 2.1.5, an extension and case (RFC 5321 2.4:
# the domain is case-insensitive), <postmaster> (RFC 5321 4.5.1),
# an unknown user 550 5.1.1, relaying refused 554 5.7.1 (RFC 5321 3.6.2,
# THREATS.md b.2 #17), and the routing tricks of b.2 #18: %-hack, bang
# path, source route (RFC 5321 3.6.1, C.), quoted @. Then RSET: nothing
# stored.
S: 220 mx.petrel.test ESMTP Petrel
C: EHLO client.test
S{8}: 250-*
S: 250 STARTTLS
C: RCPT TO:<alice@example.test>
S: 503 5.5.1 Error: need MAIL command
C: MAIL FROM:<s@remote.test>
S: 250 2.1.0 Ok
C: RCPT TO:<alice@example.test>
S: 250 2.1.5 Ok
C: RCPT TO:<Bob+news@EXAMPLE.test>
S: 250 2.1.5 Ok
C: RCPT TO:<postmaster>
S: 250 2.1.5 Ok
C: RCPT TO:<nobody@example.test>
S: 550 5.1.1 <nobody@example.test>: Recipient address rejected: User unknown
C: RCPT TO:<x@external.example>
S: 554 5.7.1 <x@external.example>: Relay access denied
C: RCPT TO:<victim%ext.org@example.test>
S: 554 5.7.1 <victim%ext.org@example.test>: Relay access denied
C: RCPT TO:<ext.org!victim@example.test>
S: 554 5.7.1 <ext.org!victim@example.test>: Relay access denied
C: RCPT TO:<@example.test:victim@ext.org>
S: 554 5.7.1 <victim@ext.org>: Relay access denied
C: RCPT TO:<"victim@ext.org"@example.test>
S: 554 5.7.1 <"victim@ext.org"@example.test>: Relay access denied
C: RCPT TO:<alice@example.test> FROBNICATE=1
S: 555 5.5.4 Unsupported option
C: RCPT TO:
S: 501 5.5.4 Error: syntax: RCPT TO:<address>
C: RCPT TO:<a b@example.test>
S: 501 5.1.3 Bad recipient address syntax
C: RSET
S: 250 2.0.0 Ok
C: QUIT
S: 221 2.0.0 Bye
S: <close>
L: NOQUEUE: reject: RCPT from unknown[127.0.0.1]: 550 5.1.1 <nobody@example.test>: Recipient address rejected: User unknown; from=<s@remote.test> to=<nobody@example.test> proto=ESMTP helo=<client.test>
L: NOQUEUE: reject: RCPT from unknown[127.0.0.1]: 554 5.7.1 <x@external.example>: Relay access denied; *
M: * 0
Q: 0
