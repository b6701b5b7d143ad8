# SPDX-License-Identifier: MIT
"""test_admin - `petrel domain`, `petrel user`, `petrel alias` and `petrel map`
on a real `petrel init` instance, as root and as the unprivileged test user.

Checks exact outputs, refusals with precise messages that leave every map as
it was, the maps' contents read back with python3-lmdb (password hashes
verified with crypt(3)), and the maps' owners and modes.
"""
import os
import pty
import select
import stat
import subprocess
import termios
import time
import warnings

import lmdb
import pytest
from petrel_instance import PETREL, Instance

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import crypt

EX_USAGE, EX_DATAERR, EX_NOINPUT, EX_UNAVAILABLE = 64, 65, 66, 69


def maps_dir(inst):
    return os.path.join(inst.dir, "data", "maps")


def read_map(path):
    """Every entry of an LMDB map file as {key: value} (str)."""
    if not os.path.exists(path):
        return {}
    env = lmdb.open(path, subdir=False, readonly=True, lock=False)
    try:
        with env.begin() as txn:
            return {k.decode(): v.decode() for k, v in txn.cursor()}
    finally:
        env.close()


def read_maps(inst):
    return {name: read_map(os.path.join(maps_dir(inst), name))
            for name in ("domains", "mailboxes", "aliases", "passwords")}


def ok(inst, *args, input=None):
    r = inst.petrel(*args, input=input)
    assert r.returncode == 0, "petrel %s: %d\n%s" % (" ".join(args), r.returncode, r.stderr)
    assert r.stderr == ""
    return r.stdout


def populate(inst):
    inst.init()
    ok(inst, "domain", "add", "example.test")
    ok(inst, "user", "add", "alice@example.test", "--password-stdin", input="s3cret\n")
    ok(inst, "alias", "add", "postmaster@example.test", "alice@example.test")


def listing(inst):
    return [inst.petrel(*cmd).stdout for cmd in (("domain", "list"), ("user", "list"), ("alias", "list"))]


def test_add_and_list(instance):
    instance.init()
    base = os.path.join(instance.dir, "mail")
    assert ok(instance, "domain", "add", "Example.TEST.") == "added domain example.test\n"
    assert ok(instance, "domain", "add", "other.test") == "added domain other.test\n"
    assert ok(instance, "user", "add", "Alice@Example.test", "--password-stdin", input="s3cret\n") == \
        "added mailbox alice@example.test: %s/example.test/alice/\n" % base
    assert ok(instance, "user", "add", "--password-stdin", "bob@other.test", input="pw2\r\n") == \
        "added mailbox bob@other.test: %s/other.test/bob/\n" % base
    assert ok(instance, "alias", "add", "postmaster@example.test", "alice@example.test") == \
        "added alias postmaster@example.test: alice@example.test\n"
    assert ok(instance, "alias", "add", "@other.test", "bob@other.test,", "Carol@Elsewhere.example") == \
        "added alias @other.test: bob@other.test, carol@elsewhere.example\n"
    assert ok(instance, "domain", "list") == "example.test\nother.test\n"
    assert ok(instance, "user", "list") == \
        "alice@example.test example.test/alice/\nbob@other.test other.test/bob/\n"
    assert ok(instance, "user", "list", "other.test") == "bob@other.test other.test/bob/\n"
    # key order: a catch-all ("@...") sorts first
    assert ok(instance, "alias", "list") == \
        "@other.test bob@other.test, carol@elsewhere.example\npostmaster@example.test alice@example.test\n"
    assert ok(instance, "alias", "list", "example.test") == "postmaster@example.test alice@example.test\n"

    maps = read_maps(instance)
    assert maps["domains"] == {"example.test": "virtual", "other.test": "virtual"}
    assert maps["mailboxes"] == {"alice@example.test": "example.test/alice/", "bob@other.test": "other.test/bob/"}
    assert maps["aliases"] == {"postmaster@example.test": "alice@example.test",
                               "@other.test": "bob@other.test, carol@elsewhere.example"}
    hashes = maps["passwords"]
    assert sorted(hashes) == ["alice@example.test", "bob@other.test"]
    for addr, pw in (("alice@example.test", "s3cret"), ("bob@other.test", "pw2")):
        assert hashes[addr].startswith("$y$")
        assert crypt.crypt(pw, hashes[addr]) == hashes[addr]
        assert crypt.crypt(pw + "x", hashes[addr]) != hashes[addr]


def test_map_modes(instance):
    populate(instance)
    uid = 0 if instance.mode == "root" else instance.user.pw_uid
    for name, mode in (("domains", 0o644), ("mailboxes", 0o644), ("aliases", 0o644), ("passwords", 0o600)):
        st = os.lstat(os.path.join(maps_dir(instance), name))
        assert stat.S_ISREG(st.st_mode)
        assert (name, stat.S_IMODE(st.st_mode)) == (name, mode)
        assert (name, st.st_uid) == (name, uid)
    assert sorted(os.listdir(maps_dir(instance))) == ["aliases", "domains", "mailboxes", "passwords"]


def test_wrong_mode_is_put_right(root_instance):
    populate(root_instance)
    path = os.path.join(maps_dir(root_instance), "passwords")
    os.chmod(path, 0o644)
    os.chown(path, root_instance.user.pw_uid, root_instance.user.pw_gid)
    r = root_instance.petrel("user", "passwd", "alice@example.test", "--password-stdin", input="new\n")
    assert r.returncode == 0
    assert r.stderr == ("petrel user: warning: map %s had owner %d:%d and mode 0644; now 0:0, mode 0600\n"
                        % (path, root_instance.user.pw_uid, root_instance.user.pw_gid))
    st = os.lstat(path)
    assert (stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid) == (0o600, 0, 0)


def test_symlinked_map_is_refused(root_instance):
    populate(root_instance)
    path = os.path.join(maps_dir(root_instance), "aliases")
    target = os.path.join(root_instance.dir, "elsewhere")
    os.rename(path, target)
    os.symlink(target, path)
    r = root_instance.petrel("domain", "add", "x.test")
    assert r.returncode == 74
    assert r.stderr.startswith("petrel domain: open map %s: " % path)
    assert read_map(target) == {"postmaster@example.test": "alice@example.test"}


def test_passwd_changes_hash(instance):
    populate(instance)
    before = read_maps(instance)["passwords"]["alice@example.test"]
    assert ok(instance, "user", "passwd", "alice@example.test", "--password-stdin", input="n3w\n") == \
        "changed the password of alice@example.test\n"
    after = read_maps(instance)["passwords"]["alice@example.test"]
    assert after != before and after.startswith("$y$")
    assert crypt.crypt("n3w", after) == after
    assert crypt.crypt("s3cret", after) != after


def test_password_needs_terminal_or_flag(instance):
    populate(instance)
    before = read_maps(instance)
    for args in (("user", "add", "carol@example.test"), ("user", "passwd", "alice@example.test")):
        r = instance.petrel(*args, input="pw\n")
        assert r.returncode == EX_DATAERR
        assert r.stderr == ("petrel user: standard input is not a terminal; give --password-stdin to read "
                            "the password from its first line\n")
    r = instance.petrel("user", "add", "carol@example.test", "--password-stdin", input="\n")
    assert (r.returncode, r.stderr) == (EX_DATAERR, "petrel user: the password is empty\n")
    r = instance.petrel("user", "add", "carol@example.test", "--password-stdin", input="")
    assert (r.returncode, r.stderr) == (EX_DATAERR, "petrel user: the password is empty\n")
    assert read_maps(instance) == before


def test_refusals_change_nothing(instance):
    populate(instance)
    before_maps, before_lists = read_maps(instance), listing(instance)
    cases = [
        (("domain", "add", "example.test"), EX_UNAVAILABLE,
         "petrel domain: domain example.test already exists"),
        (("domain", "del", "example.test"), EX_UNAVAILABLE,
         "petrel domain: domain example.test still has 1 mailbox and 1 alias; delete them first, "
         "or give --force to delete them too"),
        (("domain", "del", "nope.test"), EX_UNAVAILABLE, "petrel domain: no domain nope.test"),
        (("domain", "add", "192.0.2.1"), EX_DATAERR,
         'petrel domain: invalid domain "192.0.2.1": is an IP address, or ends in a numeric label '
         "(give a domain name)"),
        (("domain", "add", "[192.0.2.1]"), EX_DATAERR,
         'petrel domain: invalid domain "[192.0.2.1]": is an address literal (give a domain name)'),
        (("domain", "add", "bad_name.test"), EX_DATAERR,
         'petrel domain: invalid domain "bad_name.test": contains "_" (a domain name has only letters, '
         "digits, hyphens and dots)"),
        (("domain", "add", "a..test"), EX_DATAERR,
         'petrel domain: invalid domain "a..test": has an empty label ("..", or a dot at the start)'),
        (("domain", "add"), EX_USAGE, "petrel domain: add: give exactly one DOMAIN (see petrel domain --help)"),
        (("domain", "add", "--force", "x.test"), EX_USAGE,
         "petrel domain: add: --force is only for del (see petrel domain --help)"),
        (("domain", "rename", "x.test"), EX_USAGE,
         "petrel domain: rename: unknown action (want add, del or list) (see petrel domain --help)"),
        (("user", "add", "alice@example.test", "--password-stdin"), EX_UNAVAILABLE,
         "petrel user: mailbox alice@example.test already exists (petrel user passwd changes its password)"),
        (("user", "add", "postmaster@example.test", "--password-stdin"), EX_UNAVAILABLE,
         "petrel user: postmaster@example.test is an alias; delete it first "
         "(petrel alias del postmaster@example.test)"),
        (("user", "add", "bob@nowhere.test", "--password-stdin"), EX_UNAVAILABLE,
         "petrel user: no domain nowhere.test (add it first: petrel domain add nowhere.test)"),
        (("user", "add", "a/b@example.test", "--password-stdin"), EX_DATAERR,
         'petrel user: invalid address "a/b@example.test": has "/" in its local part'),
        (("user", "add", ".bob@example.test", "--password-stdin"), EX_DATAERR,
         'petrel user: invalid address ".bob@example.test": has a local part that starts with "."'),
        (("user", "add", "b\x01b@example.test", "--password-stdin"), EX_DATAERR,
         'petrel user: invalid address "b\\x01b@example.test": has a control character in its local part'),
        (("user", "add", "x" * 65 + "@example.test", "--password-stdin"), EX_DATAERR,
         'petrel user: invalid address "%s@example.test": has a local part longer than 64 bytes' % ("x" * 65)),
        (("user", "add", "@example.test", "--password-stdin"), EX_DATAERR,
         'petrel user: invalid address "@example.test": has an empty local part ("@DOMAIN", a catch-all, '
         "is only for aliases)"),
        (("user", "del", "nobody@example.test"), EX_UNAVAILABLE, "petrel user: no mailbox nobody@example.test"),
        (("user", "passwd", "nobody@example.test", "--password-stdin"), EX_UNAVAILABLE,
         "petrel user: no mailbox nobody@example.test"),
        (("user", "del", "alice@example.test", "--password-stdin"), EX_USAGE,
         "petrel user: del: --password-stdin is only for add and passwd (see petrel user --help)"),
        (("user", "add", "x@example.test", "--frobnicate"), EX_USAGE,
         'petrel user: unknown option "--frobnicate" (see petrel user --help)'),
        (("user", "list", "nope.test"), EX_UNAVAILABLE, "petrel user: no domain nope.test"),
        (("alias", "add", "postmaster@example.test", "bob@example.test"), EX_UNAVAILABLE,
         "petrel alias: alias postmaster@example.test already exists (give --replace to replace its targets)"),
        (("alias", "add", "alice@example.test", "bob@example.test"), EX_UNAVAILABLE,
         "petrel alias: alice@example.test is a mailbox; an address is either a mailbox or an alias"),
        (("alias", "add", "loop@example.test", "a@example.test,LOOP@example.test"), EX_DATAERR,
         "petrel alias: alias loop@example.test names itself as a target (a mail loop)"),
        (("alias", "add", "x@example.test", "a@example.test,,b@example.test"), EX_DATAERR,
         'petrel alias: empty target in "a@example.test,,b@example.test" (two commas, or a comma at an end)'),
        (("alias", "add", "x@example.test", "a@example.test", "A@example.test"), EX_DATAERR,
         "petrel alias: target a@example.test is given twice"),
        (("alias", "add", "x@example.test", "nobody"), EX_DATAERR,
         'petrel alias: invalid address "nobody": has no "@" (want LOCAL@DOMAIN)'),
        (("alias", "add", "x@nowhere.test", "a@example.test"), EX_UNAVAILABLE,
         "petrel alias: no domain nowhere.test (add it first: petrel domain add nowhere.test)"),
        (("alias", "add", "x@example.test"), EX_USAGE,
         "petrel alias: add: give an ADDRESS and at least one TARGET (see petrel alias --help)"),
        (("alias", "del", "x@example.test"), EX_UNAVAILABLE, "petrel alias: no alias x@example.test"),
        (("alias", "add", "@example.test", "alice@example.test,nobody@example.test"), EX_DATAERR,
         "petrel alias: catch-all @example.test sends to nobody@example.test, which has no mailbox or alias "
         "of its own: a mail loop"),
        (("domain",), EX_USAGE, "petrel domain: give an action: add, del or list (see petrel domain --help)"),
    ]
    for args, rc, err in cases:
        r = instance.petrel(*args, input="pw\n")
        assert (args, r.returncode, r.stderr, r.stdout) == (args, rc, err + "\n", "")
    assert read_maps(instance) == before_maps
    assert listing(instance) == before_lists


def test_replace_and_delete(instance):
    populate(instance)
    r = instance.petrel("alias", "add", "--replace", "postmaster@example.test", "a@example.test, b@x.example")
    assert r.returncode == 0
    assert r.stdout == "replaced alias postmaster@example.test: a@example.test, b@x.example\n"
    assert r.stderr == ("petrel alias: warning: a@example.test has no mailbox or alias (and its domain no "
                        "catch-all)\n")
    assert ok(instance, "alias", "list") == "postmaster@example.test a@example.test, b@x.example\n"
    assert ok(instance, "alias", "del", "postmaster@example.test") == "deleted alias postmaster@example.test\n"
    assert ok(instance, "alias", "list") == ""
    assert ok(instance, "user", "del", "Alice@example.test") == \
        "deleted mailbox alice@example.test; mail is kept at %s/mail/example.test/alice/\n" % instance.dir
    maps = read_maps(instance)
    assert maps["mailboxes"] == {} and maps["passwords"] == {}
    assert ok(instance, "domain", "del", "example.test") == "deleted domain example.test\n"
    assert ok(instance, "domain", "list") == ""


def test_domain_del_force(instance):
    populate(instance)
    ok(instance, "domain", "add", "keep.test")
    ok(instance, "user", "add", "k@keep.test", "--password-stdin", input="k\n")
    ok(instance, "alias", "add", "@example.test", "k@keep.test")
    assert ok(instance, "domain", "del", "--force", "example.test") == \
        ("deleted domain example.test with 1 mailbox and 2 aliases; mail is kept in %s/mail/example.test/\n"
         % instance.dir)
    maps = read_maps(instance)
    assert maps["domains"] == {"keep.test": "virtual"}
    assert maps["mailboxes"] == {"k@keep.test": "keep.test/k/"}
    assert maps["aliases"] == {}
    assert list(maps["passwords"]) == ["k@keep.test"]


def test_list_on_fresh_instance(instance):
    """init creates the four maps empty, root-owned where root made them:
    the daemons only read them, and find them from the first start."""
    instance.init()
    for what in ("domain", "user", "alias"):
        assert ok(instance, what, "list") == ""
    assert sorted(os.listdir(maps_dir(instance))) == ["aliases", "domains", "mailboxes", "passwords"]
    owner = 0 if instance.mode == "root" else instance.user.pw_uid
    for name, mode in (("domains", 0o644), ("mailboxes", 0o644), ("aliases", 0o644), ("passwords", 0o600)):
        st = os.stat(os.path.join(maps_dir(instance), name))
        assert (st.st_uid, stat.S_IMODE(st.st_mode)) == (owner, mode), name
    st = os.stat(maps_dir(instance))
    assert (st.st_uid, stat.S_IMODE(st.st_mode)) == (owner, 0o755)


def test_help(instance):
    instance.init()
    for what in ("domain", "user", "alias", "map"):
        r = instance.petrel(what, "--help")
        assert r.returncode == 0 and r.stdout.startswith("Usage: petrel [-c DIR] %s " % what)
    r = instance.petrel("--help")
    for what in ("domain", "user", "alias", "map FILE"):
        assert "\n  %s " % what in r.stdout


def write_as(inst, path, text):
    with open(path, "w") as f:
        f.write(text)
    if inst.mode == "user":
        os.chown(path, inst.user.pw_uid, inst.user.pw_gid)


def test_map_compile(instance):
    instance.init()
    src = os.path.join(instance.dir, "virtual")
    write_as(instance, src, "# comment\nInfo@Example.test  alice@example.test,\n  bob@example.test\n"
                            "@other.test carol@example.test\n")
    assert ok(instance, "map", src) == "wrote %s.lmdb: 2 entries\n" % src
    good = {"info@example.test": "alice@example.test, bob@example.test", "@other.test": "carol@example.test"}
    assert read_map(src + ".lmdb") == good
    st = os.lstat(src + ".lmdb")
    assert stat.S_IMODE(st.st_mode) == 0o644
    assert st.st_uid == (0 if instance.mode == "root" else instance.user.pw_uid)

    write_as(instance, src, "a@example.test x@y.test\nbad key@example.test z@y.test\na@example.test q@y.test\n")
    r = instance.petrel("map", src)
    assert r.returncode == EX_DATAERR
    assert r.stderr.startswith("petrel map: %s:" % src)
    assert r.stderr.endswith("; %s.lmdb was not changed\n" % src)
    assert read_map(src + ".lmdb") == good
    assert sorted(os.listdir(instance.dir)).count("virtual.lmdb") == 1
    assert not [n for n in os.listdir(instance.dir) if ".tmp." in n]

    aliases = os.path.join(instance.dir, "aliases")
    write_as(instance, aliases, "postmaster: root, \"a,b\"@example.test\n")
    assert ok(instance, "map", "--type", "aliases", aliases) == "wrote %s.lmdb: 1 entry\n" % aliases
    assert list(read_map(aliases + ".lmdb")) == ["postmaster"]

    r = instance.petrel("map", os.path.join(instance.dir, "missing"))
    assert r.returncode == EX_NOINPUT
    assert r.stderr == "petrel map: %s/missing: No such file or directory\n" % instance.dir
    r = instance.petrel("map", "--type", "hash", src)
    assert (r.returncode, r.stderr) == (EX_USAGE, 'petrel map: unknown type "hash" (want aliases or virtual)\n')


def read_until(fd, want, timeout=10.0):
    """Read from the pty master until want appears; returns everything read."""
    out, deadline = b"", time.monotonic() + timeout
    while want.encode() not in out and time.monotonic() < deadline:
        if select.select([fd], [], [], 0.1)[0]:
            try:
                out += os.read(fd, 4096)
            except OSError:
                break
    return out.decode(errors="replace")


def run_on_terminal(inst, args, answers):
    """Run petrel ARGS on a new pseudo-terminal, typing each answer after its prompt.
    Returns (exit status, everything the terminal showed, echo flag afterwards)."""
    master, slave = pty.openpty()
    kw = {}
    if inst.mode == "user":
        kw = dict(user=inst.user.pw_uid, group=inst.user.pw_gid, extra_groups=[])
    p = subprocess.Popen([PETREL, "-c", inst.etc] + list(args), stdin=slave, stdout=slave, stderr=slave,
                         start_new_session=True, **kw)
    shown = ""
    try:
        for prompt, answer in answers:
            shown += read_until(master, prompt)
            os.write(master, answer.encode())
        rc = p.wait(timeout=30)
        shown += read_until(master, "\n\n", timeout=0.5)
        echo = bool(termios.tcgetattr(slave)[3] & termios.ECHO)
    finally:
        os.close(slave)
        os.close(master)
    return rc, shown, echo


def test_password_from_terminal(instance):
    populate(instance)
    rc, shown, echo = run_on_terminal(instance, ["user", "add", "carol@example.test"],
                                      [("New password: ", "Tr1cky pw\n"), ("Retype new password: ", "Tr1cky pw\n")])
    assert rc == 0, shown
    assert "Tr1cky" not in shown
    assert "added mailbox carol@example.test: " in shown
    assert echo
    hash_ = read_maps(instance)["passwords"]["carol@example.test"]
    assert crypt.crypt("Tr1cky pw", hash_) == hash_

    before = read_maps(instance)
    rc, shown, echo = run_on_terminal(instance, ["user", "passwd", "carol@example.test"],
                                      [("New password: ", "one\n"), ("Retype new password: ", "two\n")])
    assert rc == EX_DATAERR
    assert "petrel user: the passwords do not match; nothing was changed" in shown
    assert "one" not in shown and "two" not in shown
    assert echo
    assert read_maps(instance) == before


def test_interrupted_prompt_restores_echo(root_instance):
    populate(root_instance)
    master, slave = pty.openpty()
    p = subprocess.Popen([PETREL, "-c", root_instance.etc, "user", "passwd", "alice@example.test"],
                         stdin=slave, stdout=slave, stderr=slave, start_new_session=True)
    try:
        assert "New password: " in read_until(master, "New password: ")
        assert not termios.tcgetattr(slave)[3] & termios.ECHO
        p.send_signal(2)
        assert p.wait(timeout=10) == -2
        assert termios.tcgetattr(slave)[3] & termios.ECHO
    finally:
        os.close(slave)
        os.close(master)


def test_user_del_names_aliases_left(instance):
    populate(instance)
    ok(instance, "alias", "add", "team@example.test", "bob@else.example, alice@example.test")
    r = instance.petrel("user", "del", "alice@example.test")
    assert r.returncode == 0
    assert r.stdout == "deleted mailbox alice@example.test; mail is kept at %s/mail/example.test/alice/\n" \
        % instance.dir
    assert r.stderr == ("petrel user: warning: aliases still name alice@example.test as a target: "
                        "postmaster@example.test team@example.test\n")
    assert read_maps(instance)["aliases"] == {"postmaster@example.test": "alice@example.test",
                                              "team@example.test": "bob@else.example, alice@example.test"}


def test_root_on_a_users_instance(scratch):
    """Root working on an instance a user made keeps the maps the user's:
    the user's daemons (authd too) must still read them."""
    inst = Instance(scratch, "user")
    try:
        inst.init()
        inst.mode = "root"  # run the commands below as root
        ok(inst, "domain", "add", "example.test")
        ok(inst, "user", "add", "alice@example.test", "--password-stdin", input="pw\n")
        for name in ("domains", "mailboxes", "aliases", "passwords"):
            st = os.lstat(os.path.join(maps_dir(inst), name))
            assert (name, st.st_uid) == (name, inst.user.pw_uid)
    finally:
        inst.mode = "user"
        inst.cleanup()
