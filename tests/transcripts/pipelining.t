# PIPELINING (RFC 2920): a batch of MAIL, RCPTs and DATA in one write gets
# its replies in order (one refused recipient does not stop the batch);
# the content after the 354, then RSET/MAIL/RCPT/NOOP/QUIT batched.
S: 220 mx.petrel.test ESMTP Petrel
C: EHLO client.test
S{8}: 250-*
S: 250 STARTTLS
C~ MAIL FROM:<s@remote.test>\r\nRCPT TO:<alice@example.test>\r\nRCPT TO:<nobody@example.test>\r\nRCPT TO:<bob@example.test>\r\nDATA\r\n
S: 250 2.1.0 Ok
S: 250 2.1.5 Ok
S: 550 5.1.1 <nobody@example.test>: Recipient address rejected: User unknown
S: 250 2.1.5 Ok
S: 354 End data with <CR><LF>.<CR><LF>
C~ Subject: pipelined\r\n\r\nbody\r\n.\r\nRSET\r\nMAIL FROM:<s@remote.test>\r\nRCPT TO:<alice@example.test>\r\nNOOP\r\nQUIT\r\n
S: 250 2.0.0 Ok: queued as *
S: 250 2.0.0 Ok
S: 250 2.1.0 Ok
S: 250 2.1.5 Ok
S: 250 2.0.0 Ok
S: 221 2.0.0 Bye
S: <close>
L: *: from=<s@remote.test>, size=*, nrcpt=2 (queued as *)
M: alice@example.test 1
M: bob@example.test 1
M: * 2
Q: 0
