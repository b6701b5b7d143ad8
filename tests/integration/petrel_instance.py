# SPDX-License-Identifier: MIT
"""petrel_instance - drive a real Petrel instance from the integration tests.

An Instance is made with `petrel init`, run with the real `petrel` command
(as root, or as an unprivileged test user), and inspected through its log
file, `petrel status`, and /proc. Every process the tests start is found
and stopped by pid, never by name.
"""
import os
import pwd
import random
import re
import signal
import socket
import subprocess
import time

BUILD_DIR = os.environ.get("PETREL_BUILD_DIR", os.path.join(os.path.dirname(__file__), "../../build"))
PETREL = os.path.join(BUILD_DIR, "sbin", "petrel")
DAEMON_DIR = os.path.join(BUILD_DIR, "lib", "petrel")
TESTD = os.path.join(BUILD_DIR, "tests", "daemons", "testd")
TEST_USER = "petrel-test"
TEST_MAILBOX_USER = "petrel-vmail"


def ensure_test_user(name=TEST_USER):
    """An unprivileged account the tests use (created when missing; needs root):
    TEST_USER runs the daemons, TEST_MAILBOX_USER owns the mail store."""
    try:
        return pwd.getpwnam(name)
    except KeyError:
        pass
    # Suites run in parallel under ctest: another one may create it first.
    r = subprocess.run(["useradd", "--system", "--no-create-home", "--home-dir", "/nonexistent",
                        "--shell", "/usr/sbin/nologin", name], capture_output=True, text=True)
    try:
        return pwd.getpwnam(name)
    except KeyError:
        raise RuntimeError("cannot create the test user %s: %s" % (name, r.stderr.strip()))


PORT_OFFSETS = (25, 587, 465, 110, 995, 143, 993, 500, 501, 502)
PORT_CLAIMS = "/tmp/petrel-it-ports"


def _ports_free(base):
    """Every port of the base binds on 127.0.0.1 (with SO_REUSEADDR, as the
    master binds, so connections in TIME_WAIT do not count)."""
    for off in PORT_OFFSETS:
        with socket.socket() as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                s.bind(("127.0.0.1", base + off))
            except OSError:
                return False
    return True


def _claim(base):
    """Claim a base for this process: suites run in parallel under ctest.
    A claim whose owner died is taken over."""
    os.makedirs(PORT_CLAIMS, mode=0o755, exist_ok=True)
    path = os.path.join(PORT_CLAIMS, str(base))
    for _ in range(2):
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            os.write(fd, str(os.getpid()).encode())
            os.close(fd)
            return True
        except FileExistsError:
            try:
                owner = int(open(path).read() or 0)
            except (OSError, ValueError):
                owner = 0
            if owner == os.getpid():
                return False
            if owner and pid_alive(owner):
                return False
            try:
                os.unlink(path)
            except FileNotFoundError:
                pass
    return False


_claimed = []


def free_port_base():
    """A port base whose ports are all free, below the ephemeral port range
    (32768-60999) so that no client connection can take one meanwhile, and
    not claimed by another test process. Bases are reused by this process
    after the instance that had one is gone."""
    bases = list(range(11000, 32000, 1000))
    random.shuffle(bases)
    for base in _claimed + bases:
        if (base in _claimed or _claim(base)) and _ports_free(base):
            if base not in _claimed:
                _claimed.append(base)
            return base
    raise RuntimeError("no free port base among %s" % bases)


class Instance:
    """One `petrel init` instance, run as root ("root" mode) or as TEST_USER ("user" mode)."""

    def __init__(self, base, mode):
        self.mode = mode
        self.user = ensure_test_user()
        self.dir = os.path.join(base, "instance")
        self.etc = os.path.join(self.dir, "etc")
        self.port_base = free_port_base()
        if mode == "user":
            os.chown(base, self.user.pw_uid, self.user.pw_gid)
        self.daemon_dir = os.path.join(base, "daemons")
        os.mkdir(self.daemon_dir)
        os.chmod(self.daemon_dir, 0o755)
        for name in os.listdir(DAEMON_DIR):
            os.symlink(os.path.join(DAEMON_DIR, name), os.path.join(self.daemon_dir, name))
        os.symlink(TESTD, os.path.join(self.daemon_dir, "testd"))
        self.known_pids = set()

    # -- running commands -------------------------------------------------
    def _preexec(self):
        if self.mode == "user":
            return dict(user=self.user.pw_uid, group=self.user.pw_gid, extra_groups=[])
        return {}

    def run(self, *args, check=False, timeout=60, input=None):
        """Run `petrel ARGS` for this instance; returns CompletedProcess (text)."""
        cmd = [PETREL] + list(args)
        env = dict(os.environ)
        env.pop("PETREL_CONFIG_DIR", None)
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env,
                           input=input, **self._preexec())
        if check and r.returncode != 0:
            raise AssertionError("%s failed (%d):\nstdout:\n%s\nstderr:\n%s"
                                 % (" ".join(cmd), r.returncode, r.stdout, r.stderr))
        return r

    def petrel(self, *args, **kw):
        return self.run("-c", self.etc, *args, **kw)

    def init(self):
        args = ["init", self.dir, "--port-base", str(self.port_base), "--hostname", "mx.petrel.test"]
        if self.mode == "root":
            ensure_test_user(TEST_MAILBOX_USER)
            args += ["--owner", TEST_USER, "--mailbox-owner", TEST_MAILBOX_USER]
        r = self.run(*args, check=True)
        # Tests run the build tree's daemons plus testd from one directory.
        self.petrel("conf", "daemon_directory=" + self.daemon_dir, "master_stop_timeout=3s", check=True)
        return r

    def start(self):
        r = self.petrel("start", check=True)
        self.known_pids.add(self.master_pid())
        return r

    # -- inspecting -------------------------------------------------------
    def log(self):
        path = os.path.join(self.dir, "log", "petrel.log")
        if not os.path.exists(path):
            return ""
        with open(path, errors="replace") as f:
            return f.read()

    def master_pid(self):
        with open(os.path.join(self.dir, "spool", "pid", "master.pid")) as f:
            return int(f.read().strip())

    def status(self):
        """{service: {"state", "procs", "pids": [..], "restarts", "last"}} from `petrel status`."""
        r = self.petrel("status")
        services = {}
        for line in r.stdout.splitlines():
            m = re.match(r"^(\S+/(?:inet|unix))\s+(\S+)\s+(\S+)\s+(\d+)/(\d+)\s+(\S+)\s+(\d+)\s+(.*)$", line)
            if m:
                pids = [] if m.group(6) == "-" else [int(p) for p in m.group(6).split()]
                self.known_pids.update(pids)
                services[m.group(1)] = dict(listen=m.group(2), state=m.group(3), procs=int(m.group(4)),
                                            pids=pids, restarts=int(m.group(7)), last=m.group(8))
        return r.returncode, services

    def wait_for(self, predicate, timeout=5.0, what="condition"):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = predicate()
            if value:
                return value
            time.sleep(0.05)
        raise AssertionError("timed out after %.1fs waiting for %s\nlog:\n%s" % (timeout, what, self.log()[-4000:]))

    def instance_pids(self):
        """Every live process that belongs to this instance: its environment names our
        configuration directory, or it is a pid we saw in status / the pid file."""
        found = set()
        marker = ("PETREL_CONFIG_DIR=" + self.etc).encode()
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open("/proc/%s/environ" % entry, "rb") as f:
                    env = f.read().split(b"\0")
                with open("/proc/%s/stat" % entry) as f:
                    state = f.read().rsplit(")", 1)[1].split()[0]
            except OSError:
                continue
            if marker in env and state != "Z":
                found.add(int(entry))
        for pid in self.known_pids:
            if pid_alive(pid):
                found.add(pid)
        return found

    def cleanup(self):
        """Stop everything this instance started, by pid."""
        try:
            if os.path.exists(os.path.join(self.etc, "petrel.conf")):
                self.petrel("stop", timeout=30)
        except Exception:
            pass
        self.kill_all()

    def kill_all(self, timeout=10.0):
        """SIGKILL every process of this instance, again and again until none is left:
        a master killed mid-fork leaves a child that was not there when we looked, and
        that child holds the listening sockets until it notices its parent is gone.
        Returns every pid killed."""
        killed = set()
        deadline = time.monotonic() + timeout
        while True:
            pids = self.instance_pids()
            if not pids:
                return killed
            if time.monotonic() > deadline:
                raise AssertionError("instance processes survive SIGKILL: %s" % sorted(pids))
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            killed |= pids
            time.sleep(0.05)


def maildir_messages(instance, domain, user):
    """The contents of every file in USER@DOMAIN's new/, oldest name first."""
    d = os.path.join(instance.dir, "mail", domain, user, "new")
    if not os.path.isdir(d):
        return []
    out = []
    for name in sorted(os.listdir(d)):
        with open(os.path.join(d, name), "rb") as f:
            out.append(f.read())
    return out


def wait_maildir_messages(instance, domain, user, count, timeout=10.0):
    """Wait until USER@DOMAIN has at least COUNT messages; returns them."""
    return instance.wait_for(lambda: len(maildir_messages(instance, domain, user)) >= count
                             and maildir_messages(instance, domain, user),
                             timeout=timeout, what="%d message(s) for %s@%s" % (count, user, domain))


def pid_alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def proc_ids(pid):
    """(uids, gids, groups) of a process from /proc/PID/status."""
    uids = gids = groups = None
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("Uid:"):
                uids = [int(x) for x in line.split()[1:]]
            elif line.startswith("Gid:"):
                gids = [int(x) for x in line.split()[1:]]
            elif line.startswith("Groups:"):
                groups = [int(x) for x in line.split()[1:]]
    return uids, gids, groups


def talk(port, *lines, timeout=5.0):
    """Connect to testd on 127.0.0.1:port, send lines, return the reply lines (greeting first)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        f = s.makefile("rwb")
        replies = [f.readline().decode().rstrip("\r\n")]
        for line in lines:
            f.write((line + "\r\n").encode())
            f.flush()
            replies.append(f.readline().decode().rstrip("\r\n"))
        return replies
