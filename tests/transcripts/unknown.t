# Unknown commands: RFC 5321 4.2.4: "500 Syntax error, command
# unrecognized" for a command the server does not know (502 "Command not
# implemented" is for one it recognizes but does not implement, RFC 5321
# 4.2.2/4.2.4; Postfix answers 500 5.5.2 too). The session goes on.
# Nothing stored.
S: 220 mx.petrel.test ESMTP Petrel
C: EHLO client.test
S{8}: 250-*
S: 250 STARTTLS
C: XYZZY
S: 500 5.5.2 Error: command not recognized
C: EXPN staff
S: 500 5.5.2 Error: command not recognized
C: NOOP
S: 250 2.0.0 Ok
C: QUIT
S: 221 2.0.0 Bye
S: <close>
L: disconnect from unknown[127.0.0.1] ehlo=1 noop=1 quit=1 unknown=0/2 commands=5
M: * 0
Q: 0
