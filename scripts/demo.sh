#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# demo.sh - THE quick start: build Petrel and run a private instance of it.
#
# Usage: scripts/demo.sh
#
# Installs missing build packages (scripts/deps.sh), builds into build/,
# creates a self-contained instance with "petrel init" in
# ${PETREL_DEMO_DIR:-/tmp/petrel-demo} (loopback only, unprivileged ports
# from PETREL_DEMO_PORT_BASE when set), starts it, adds example.test and
# alice@example.test, sends her a message over SMTP and shows the Maildir
# file it became, then the status and the log. A previous demo instance in that directory is stopped and removed
# first; a directory that is not a demo instance is never touched.
#
# As root, the daemons run as the "petrel" system user and the mail store
# belongs to "vmail"; both are created when missing. As any other user the
# whole instance runs as that user.
set -euo pipefail

srcdir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$srcdir"

demo_dir=${PETREL_DEMO_DIR:-/tmp/petrel-demo}
marker=.petrel-demo # written into an instance this script created
petrel=$srcdir/build/sbin/petrel

scripts/deps.sh
scripts/build.sh build

if [ ! -x "$petrel" ]; then
    echo "demo.sh: $petrel was not built" >&2
    exit 1
fi

# A previous demo: stop it and start afresh.
if [ -e "$demo_dir" ]; then
    if [ ! -f "$demo_dir/$marker" ]; then
        echo "demo.sh: $demo_dir exists and is not a demo instance; remove it or set PETREL_DEMO_DIR" >&2
        exit 1
    fi
    echo "demo.sh: stopping and removing the previous demo in $demo_dir"
    "$petrel" -c "$demo_dir/etc" stop || true
    rm -rf -- "$demo_dir"
fi

# As root the daemons run as "petrel" and the mail store belongs to "vmail"
# (only the delivery agent runs as it): create both system users if missing.
if [ "$(id -u)" -eq 0 ]; then
    if ! getent passwd petrel >/dev/null; then
        echo "demo.sh: creating the petrel system user"
        useradd --system --home-dir /var/spool/petrel --no-create-home --shell /usr/sbin/nologin petrel
    fi
    if ! getent passwd vmail >/dev/null; then
        echo "demo.sh: creating the vmail system user"
        useradd --system --home-dir /var/mail/vhosts --no-create-home --shell /usr/sbin/nologin vmail
    fi
fi

init_args=("$demo_dir")
if [ -n "${PETREL_DEMO_PORT_BASE:-}" ]; then
    init_args+=(--port-base "$PETREL_DEMO_PORT_BASE")
fi
"$petrel" init "${init_args[@]}"
touch "$demo_dir/$marker"

show_log() {
    if [ -f "$demo_dir/log/petrel.log" ]; then
        echo
        echo "--- last lines of $demo_dir/log/petrel.log ---"
        tail -n 20 "$demo_dir/log/petrel.log"
    fi
}

if ! "$petrel" -c "$demo_dir/etc" start; then
    echo "demo.sh: petrel start failed" >&2
    show_log >&2
    exit 1
fi
echo
"$petrel" -c "$demo_dir/etc" status

# Mail flowing: a domain, a mailbox, one message over SMTP, and the file it
# became in the Maildir.
smtp_port=$((${PETREL_DEMO_PORT_BASE:-10000} + 25))
"$petrel" -c "$demo_dir/etc" domain add example.test
head -c 18 /dev/urandom | base64 | "$petrel" -c "$demo_dir/etc" user add alice@example.test --password-stdin

# expect_code CODE - read one SMTP reply from fd 3, echoing it; true if CODE
expect_code() {
    local reply
    while IFS= read -r -t 10 reply <&3; do
        reply=${reply%$'\r'}
        echo "  S: $reply"
        [ "${reply:3:1}" = "-" ] && continue
        [ "${reply:0:3}" = "$1" ] && return 0
        echo "demo.sh: expected $1" >&2
        return 1
    done
    echo "demo.sh: no reply from the SMTP server" >&2
    return 1
}

# send LINE - one command line to fd 3, echoed
send() {
    echo "  C: $1"
    printf '%s\r\n' "$1" >&3
}

# smtp_talk - one SMTP dialogue over bash's /dev/tcp (no client to install)
smtp_talk() {
    local rc
    exec 3<>"/dev/tcp/127.0.0.1/$smtp_port"
    expect_code 220 &&
        send "EHLO demo.example" && expect_code 250 &&
        send "MAIL FROM:<demo@example.org>" && expect_code 250 &&
        send "RCPT TO:<alice@example.test>" && expect_code 250 &&
        send "DATA" && expect_code 354 &&
        printf 'From: demo@example.org\r\nTo: alice@example.test\r\nSubject: Hello from Petrel\r\n\r\nIt works.\r\n.\r\n' >&3 &&
        expect_code 250 &&
        send "QUIT" && expect_code 221
    rc=$?
    exec 3<&-
    return $rc
}

echo
echo "Sending a message to alice@example.test over SMTP (127.0.0.1:$smtp_port):"
if ! smtp_talk; then
    show_log >&2
    exit 1
fi
maildir=$demo_dir/mail/example.test/alice/new
for _ in $(seq 1 50); do
    [ -n "$(ls -A "$maildir" 2>/dev/null)" ] && break
    sleep 0.1
done
file=$(ls -1 "$maildir" 2>/dev/null | head -n 1)
if [ -z "$file" ]; then
    echo "demo.sh: the message did not arrive in $maildir" >&2
    show_log >&2
    exit 1
fi
echo
echo "Delivered to $maildir/$file:"
sed 's/^/  /' "$maildir/$file"
show_log

cat <<EOF

Petrel is running from $demo_dir (configuration in $demo_dir/etc).
  status:  $petrel -c $demo_dir/etc status
  log:     tail -f $demo_dir/log/petrel.log
  stop:    $petrel -c $demo_dir/etc stop
Running scripts/demo.sh again replaces this instance with a fresh one.
EOF
