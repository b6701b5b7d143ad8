#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# smtp_compare.sh - mail in, measured: end-to-end messages per second (first
# connection until the last message is in the Maildirs) and server CPU per
# message, for Petrel and, when Postfix is installed, for Postfix set up as
# the virtual-mailbox host of ../shared/bench/BASELINES.md, side by side.
#
# Usage: bench/smtp_compare.sh [-q] [-o OUT.jsonl] [-b BUILDDIR]
#   -q   quick: one run per cell, fewer messages (a smoke test)
#   -o   also append the JSON lines of every run to OUT.jsonl
#   -b   the Petrel build to measure (default build/, the release build)
#
# Load: Postfix's smtp-source (Debian package postfix), 4 KiB messages, one
# recipient, sessions 1, 10 and 50, through ../shared/bench/smtp_bench.py.
# Cells alternate Petrel, Postfix, Petrel, ... because this shared 2-core
# machine drifts (BASELINES.md: "compare only within one time window").
# Everything runs on 127.0.0.1 and every run is bounded in time. Needs root:
# it creates the system users, and it configures and starts Postfix.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
srcdir=$(cd "$here/.." && pwd)
shared=$(cd "$srcdir/../shared/bench" 2>/dev/null && pwd) || {
    echo "smtp_compare.sh: ../shared/bench not found next to the source tree" >&2
    exit 1
}
builddir=$srcdir/build
quick=0
json=
while getopts "qo:b:" opt; do
    case $opt in
    q) quick=1 ;;
    o) json=$OPTARG ;;
    b) builddir=$OPTARG ;;
    *) sed -n '2,20p' "$0" >&2; exit 2 ;;
    esac
done
[ "$(id -u)" -eq 0 ] || { echo "smtp_compare.sh: run as root" >&2; exit 1; }
petrel=$builddir/sbin/petrel
[ -x "$petrel" ] || { echo "smtp_compare.sh: $petrel not built (scripts/build.sh build)" >&2; exit 1; }
command -v smtp-source >/dev/null || [ -x /usr/sbin/smtp-source ] || {
    echo "smtp_compare.sh: smtp-source missing: apt-get install postfix (debconf: No configuration)" >&2
    exit 1
}

bench_dir=/tmp/petrel-bench
petrel_port=20025
postfix_port=2525
out=$(mktemp)
trap 'rm -f "$out"' EXIT

# --- Petrel: an instance with bench.test and user, 2user .. 5user --------
setup_petrel() {
    for u in petrel vmail; do
        getent passwd $u >/dev/null ||
            useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin $u
    done
    if [ -d "$bench_dir" ]; then
        "$petrel" -c "$bench_dir/etc" stop >/dev/null 2>&1 || true
        rm -rf -- "$bench_dir"
    fi
    "$petrel" init "$bench_dir" --port-base 20000 --hostname mx.bench.test >/dev/null
    "$petrel" -c "$bench_dir/etc" domain add bench.test >/dev/null
    for u in user 2user 3user 4user 5user; do
        head -c 24 /dev/urandom | base64 | "$petrel" -c "$bench_dir/etc" user add "$u@bench.test" \
            --password-stdin >/dev/null
    done
    "$petrel" -c "$bench_dir/etc" start >/dev/null
}

# --- Postfix: exactly the setup of BASELINES.md -------------------------
have_postfix=0
setup_postfix() {
    [ -x /usr/sbin/postfix ] || return 0
    have_postfix=1
    getent group vmail >/dev/null || groupadd -g 5000 vmail
    id -u vmail >/dev/null 2>&1 || useradd -u 5000 -g 5000 -d /var/mail/vhosts -M -s /usr/sbin/nologin vmail
    local uid gid
    uid=$(id -u vmail)
    gid=$(id -g vmail)
    mkdir -p /var/mail/vhosts/bench.test && chown -R vmail:vmail /var/mail/vhosts/bench.test
    postfix stop >/dev/null 2>&1 || true
    cat >/etc/postfix/main.cf <<EOF
compatibility_level = 3.6
smtpd_banner = \$myhostname ESMTP \$mail_name (Debian/GNU)
biff = no
append_dot_mydomain = no
readme_directory = no
myhostname = mx.bench.test
mydomain = bench.test
myorigin = \$mydomain
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtp_dns_support_level = disabled
smtp_host_lookup = native
virtual_mailbox_domains = bench.test
virtual_mailbox_base = /var/mail/vhosts
virtual_mailbox_maps = hash:/etc/postfix/vmailbox
virtual_uid_maps = static:$uid
virtual_gid_maps = static:$gid
virtual_minimum_uid = 100
relayhost = [127.0.0.1]:2626
maillog_file = /var/log/postfix.log
alias_maps = hash:/etc/aliases
alias_database = hash:/etc/aliases
EOF
    if ! grep -q "^127.0.0.1:$postfix_port " /etc/postfix/master.cf; then
        sed -i "s/^smtp      inet  n       -       y       -       -       smtpd/127.0.0.1:$postfix_port inet n  -       y       -       -       smtpd/" \
            /etc/postfix/master.cf
    fi
    { echo "user@bench.test bench.test/user/"
      for i in 2 3 4 5; do echo "${i}user@bench.test bench.test/${i}user/"; done
    } >/etc/postfix/vmailbox
    postmap /etc/postfix/vmailbox
    [ -f /etc/aliases ] || echo "postmaster: root" >/etc/aliases
    newaliases
    /usr/lib/postfix/configure-instance.sh - >/dev/null 2>&1 || true
    postfix start >/dev/null 2>&1
}

# cell SERVER SESSIONS MESSAGES - one cell of smtp_bench.py against SERVER
cell() {
    local server=$1 sessions=$2 messages=$3 runs=3 port root pid
    [ "$quick" = 1 ] && runs=1 && messages=$((messages / 5))
    if [ "$server" = petrel ]; then
        port=$petrel_port root=$bench_dir/mail/bench.test pid=$bench_dir/spool/pid/master.pid
    else
        port=$postfix_port root=/var/mail/vhosts/bench.test pid=/var/spool/postfix/pid/master.pid
    fi
    /usr/bin/python3 "$shared/smtp_bench.py" --mode deliver --port "$port" --maildir-root "$root" --clean \
        -s "$sessions" -m "$messages" -l 4096 -r 1 --runs "$runs" --pause 2 --timeout 300 \
        --cpu-pid "$pid" --label "$server-s$sessions" --json "$out" | grep -E '^SUMMARY' || true
}

setup_petrel
setup_postfix
for s in 1 10 50; do
    m=$([ $s = 1 ] && echo 2000 || { [ $s = 10 ] && echo 5000 || echo 10000; })
    cell petrel $s "$m"
    [ $have_postfix = 1 ] && cell postfix $s "$m"
done
"$petrel" -c "$bench_dir/etc" stop >/dev/null
[ $have_postfix = 1 ] && postfix stop >/dev/null 2>&1
[ -n "$json" ] && cat "$out" >>"$json"
echo
/usr/bin/python3 "$shared/results_table.py" "$out"
