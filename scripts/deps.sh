#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# deps.sh - install what building (and, with --test, testing) Petrel needs
# on Debian 12, with apt-get. Installs only what is missing, so on a machine
# that has everything it returns at once without touching the network.
#
# Usage: scripts/deps.sh [--test]
#
# Runs as root, or through sudo when it is available; otherwise it stops
# with the list of missing packages.
set -euo pipefail

# Packages needed to build the programs.
BUILD_PACKAGES=(
    build-essential # gcc, make, libc headers
    cmake
    pkg-config
    libssl-dev      # TLS (OpenSSL 3)
    liblmdb-dev     # lookup maps and mailbox indexes
    libsasl2-dev    # SASL (authd)
    libsasl2-modules # the PLAIN and LOGIN mechanisms libsasl2 loads
    libcrypt-dev    # crypt(3) password hashes
    openssl         # the self-signed certificate of "petrel init"
)

# Packages needed, in addition, to run the whole test suite.
TEST_PACKAGES=(
    clang              # the libFuzzer build
    libclang-rt-14-dev # libFuzzer and the clang sanitizer runtimes
    clang-format       # tests/tools/check_format.sh
    python3            # source checks and integration suites (/usr/bin/python3)
    python3-pytest     # integration suites
    python3-lmdb       # reading maps in the admin integration suite
    swaks              # a real SMTP client in the mail-in integration suite
    sasl2-bin          # saslpasswd2: a Cyrus sasldb for the auth_backend=cyrus test
    testssl.sh         # the TLS scan of the smtpd listeners (test_testssl.py)
    util-linux         # setpriv, unshare, flock
    procps             # ps, pgrep for process checks
)

usage() {
    echo "usage: scripts/deps.sh [--test]" >&2
    exit 2
}

with_test=0
for arg in "$@"; do
    case $arg in
    --test) with_test=1 ;;
    -h | --help) usage ;;
    *) usage ;;
    esac
done

wanted=("${BUILD_PACKAGES[@]}")
if [ "$with_test" = 1 ]; then
    wanted+=("${TEST_PACKAGES[@]}")
fi

# is_installed PKG - is PKG fully installed according to dpkg?
is_installed() {
    local status
    status=$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null) || return 1
    [ "$status" = "install ok installed" ]
}

if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
    echo "deps.sh: this script needs Debian's dpkg-query and apt-get (Debian 12)" >&2
    exit 1
fi

missing=()
for pkg in "${wanted[@]}"; do
    is_installed "$pkg" || missing+=("$pkg")
done

if [ "$(id -u)" -eq 0 ]; then
    as_root=()
elif command -v sudo >/dev/null 2>&1; then
    as_root=(sudo)
else
    as_root=(false)
fi

# fail2ban's filters and fail2ban-regex for test_fail2ban.py, unpacked
# into F2B_DIR rather than installed: installing would start its daemon.
F2B_DIR=/var/cache/petrel-test/fail2ban
unpack_fail2ban() {
    local tmp
    [ "$with_test" = 1 ] || return 0
    [ -x "$F2B_DIR/usr/bin/fail2ban-regex" ] && return 0
    tmp=$(mktemp -d)
    chmod 755 "$tmp"
    if ! (cd "$tmp" && apt-get download fail2ban >/dev/null 2>&1); then
        "${as_root[@]}" apt-get update
        (cd "$tmp" && apt-get download fail2ban)
    fi
    "${as_root[@]}" mkdir -p "$F2B_DIR"
    "${as_root[@]}" dpkg-deb -x "$tmp"/fail2ban_*.deb "$F2B_DIR"
    rm -rf "$tmp"
    echo "deps.sh: unpacked fail2ban into $F2B_DIR"
}

if [ ${#missing[@]} -eq 0 ]; then
    echo "deps.sh: all ${#wanted[@]} packages are installed"
    unpack_fail2ban
    exit 0
fi

if [ "${as_root[0]:-}" = false ]; then
    echo "deps.sh: missing packages: ${missing[*]}" >&2
    echo "deps.sh: run this script as root, or install sudo, to install them" >&2
    exit 1
fi

echo "deps.sh: installing ${missing[*]}"
"${as_root[@]}" apt-get update
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"

for pkg in "${missing[@]}"; do
    if ! is_installed "$pkg"; then
        echo "deps.sh: $pkg is still not installed" >&2
        exit 1
    fi
done
unpack_fail2ban
echo "deps.sh: done"
