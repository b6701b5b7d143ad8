#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# demo.sh - THE quick start: build Petrel and run a private instance of it.
#
# Usage: scripts/demo.sh
#
# Installs missing build packages (scripts/deps.sh), builds into build/,
# creates a self-contained instance with "petrel init" in
# ${PETREL_DEMO_DIR:-/tmp/petrel-demo} (loopback only, unprivileged ports
# from PETREL_DEMO_PORT_BASE when set), starts it and shows its status and
# log. A previous demo instance in that directory is stopped and removed
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
show_log

cat <<EOF

Petrel is running from $demo_dir (configuration in $demo_dir/etc).
  status:  $petrel -c $demo_dir/etc status
  log:     tail -f $demo_dir/log/petrel.log
  stop:    $petrel -c $demo_dir/etc stop
Running scripts/demo.sh again replaces this instance with a fresh one.
EOF
