/* SPDX-License-Identifier: MIT
 * test_cli_maps - what the admin commands (petrel domain, user, alias)
 * share: validation tables for domains, addresses and alias targets, the
 * Maildir path of a mailbox, argument splitting, password lines and
 * hashes (checked back with crypt(3)), and the four maps opened for a
 * configuration with their modes.
 */
#include <crypt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "cli.h"
#include "cli_maps.h"
#include "cli_password.h"
#include "test.h"
#include "util/alloc.h"

static char last_error[1024];

/* cli_error - petrel.c's is not linked into tests: keep the last error */
void cli_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    int n = snprintf(last_error, sizeof(last_error), "petrel %s: ", cmd);

    va_start(ap, fmt);
    vsnprintf(last_error + n, sizeof(last_error) - (size_t)n, fmt, ap);
    va_end(ap);
}

struct canon_case {
    const char *in;
    const char *want; /* canonical form, or NULL: refused */
    const char *why;  /* with want NULL: a part of the error */
};

static const struct canon_case domain_cases[] = {
    { "example.test", "example.test", NULL },
    { "Example.TEST.", "example.test", NULL },
    { "a-b.c0.example", "a-b.c0.example", NULL },
    { "xn--bcher-kva.example", "xn--bcher-kva.example", NULL },
    { "localhost", "localhost", NULL },
    { "", NULL, "is empty" },
    { ".", NULL, "empty label" },
    { "a..b", NULL, "empty label" },
    { ".a", NULL, "empty label" },
    { "a.b..", NULL, "empty label" },
    { "-a.test", NULL, "starts or ends with \"-\"" },
    { "a-.test", NULL, "starts or ends with \"-\"" },
    { "a_b.test", NULL, "contains \"_\"" },
    { "a b.test", NULL, "contains \" \"" },
    { "a\tb.test", NULL, "control character" },
    { "b\xc3\xbc"
      "cher.example",
      NULL, "xn--" },
    { "192.168.1.1", NULL, "IP address" },
    { "[192.168.1.1]", NULL, "address literal" },
    { "[ipv6:::1]", NULL, "address literal" },
    { "alice@example.test", NULL, "contains \"@\"" },
    { "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.test", NULL, "longer than 63" },
};

/* test_domains - the domain table */
static void test_domains(void)
{
    char out[MAP_KEY_MAX + 1];
    const char *error;
    size_t i;

    for (i = 0; i < sizeof(domain_cases) / sizeof(domain_cases[0]); i++) {
        const struct canon_case *c = &domain_cases[i];
        int ret = cli_maps_domain(c->in, out, &error);

        if (c->want != NULL) {
            EXPECT_INT(ret, 0);
            if (ret == 0)
                EXPECT_STR(out, c->want);
        } else if (EXPECT_INT(ret, -1)) {
            EXPECT_CONTAINS(error, "invalid domain \"");
            EXPECT_CONTAINS(error, c->why);
        }
    }
}

/* test_domain_lengths - 253 bytes pass, 254 do not */
static void test_domain_lengths(void)
{
    char name[300], out[MAP_KEY_MAX + 1];
    const char *error;

    /* 4 labels of 62 + 1 of 1 with 4 dots: 253 bytes */
    snprintf(name, sizeof(name), "%.62s.%.62s.%.62s.%.62s.a",
             "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
             "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc",
             "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd",
             "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee");
    EXPECT_INT(strlen(name), 253);
    EXPECT_INT(cli_maps_domain(name, out, &error), 0);
    name[252] = 'a';
    name[253] = 'a';
    name[254] = '\0';
    EXPECT_INT(cli_maps_domain(name, out, &error), -1);
    EXPECT_CONTAINS(error, "longer than 253 bytes");
}

static const struct canon_case address_cases[] = {
    { "alice@example.test", "alice@example.test", NULL },
    { "Alice.Smith@Example.Test.", "alice.smith@example.test", NULL },
    { "a+tag@example.test", "a+tag@example.test", NULL },
    { "o'hara@example.test", "o'hara@example.test", NULL },
    { "x", NULL, "has no \"@\"" },
    { "@example.test", NULL, "empty local part" },
    { "a/b@example.test", NULL, "\"/\"" },
    { ".a@example.test", NULL, "starts with \".\"" },
    { "a.@example.test", NULL, "ends with \".\"" },
    { "a..b@example.test", NULL, "\"..\"" },
    { "a\x01@example.test", NULL, "control character" },
    { "a b@example.test", NULL, "has \" \"" },
    { "a,b@example.test", NULL, "has \",\"" },
    { "\"a\"@example.test", NULL, "has \"\"\"" },
    { "a@b@example.test", NULL, "more than one \"@\"" },
    { "j\xc3\xb6@example.test", NULL, "non-ASCII" },
    { "alice@", NULL, "domain that is empty" },
    { "alice@[127.0.0.1]", NULL, "address literal" },
    { "alice@10.0.0.1", NULL, "IP address" },
    { "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@example.test", NULL,
      "longer than 64" },
};

/* test_addresses - the address table (catch-all refused) */
static void test_addresses(void)
{
    char out[MAP_KEY_MAX + 1];
    const char *error;
    size_t i;

    for (i = 0; i < sizeof(address_cases) / sizeof(address_cases[0]); i++) {
        const struct canon_case *c = &address_cases[i];
        int ret = cli_maps_address(c->in, false, out, &error);

        if (c->want != NULL) {
            EXPECT_INT(ret, 0);
            if (ret == 0)
                EXPECT_STR(out, c->want);
        } else if (EXPECT_INT(ret, -1)) {
            EXPECT_CONTAINS(error, "invalid address \"");
            EXPECT_CONTAINS(error, c->why);
        }
    }
    /* 64 bytes are fine */
    EXPECT_INT(cli_maps_address("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@x.test",
                                false, out, &error),
               0);
    /* a control byte is quoted, never printed raw */
    EXPECT_INT(cli_maps_address("a\nb@x.test", false, out, &error), -1);
    EXPECT_CONTAINS(error, "a\\x0ab@x.test");
}

/* test_catchall - "@domain" only where allowed */
static void test_catchall(void)
{
    char out[MAP_KEY_MAX + 1];
    const char *error;

    EXPECT_INT(cli_maps_address("@Example.Test", true, out, &error), 0);
    EXPECT_STR(out, "@example.test");
    EXPECT_STR(cli_maps_domain_of(out), "example.test");
    EXPECT_INT(cli_maps_address("@", true, out, &error), -1);
    EXPECT_CONTAINS(error, "domain that is empty");
}

/* test_mailbox_path - DOMAIN/LOCAL/ */
static void test_mailbox_path(void)
{
    char out[600];

    EXPECT_INT(cli_maps_mailbox_path("alice@example.test", out, sizeof(out)), 0);
    EXPECT_STR(out, "example.test/alice/");
    EXPECT_INT(cli_maps_mailbox_path("@example.test", out, sizeof(out)), -1);
    EXPECT_INT(cli_maps_mailbox_path("alice@example.test", out, 10), -1);
}

/* test_targets - lists, canonical output, duplicates and empties */
static void test_targets(void)
{
    char out[MAP_VALUE_MAX + 1];
    const char *error;
    const char *one[] = { "Alice@Example.test, bob@else.where,carol@x.test" };
    const char *two[] = { "alice@example.test,", "bob@else.where" };
    const char *dup[] = { "alice@example.test", "ALICE@example.test" };
    const char *empty[] = { "a@x.test,,b@x.test" };
    const char *trailing[] = { "a@x.test," };
    const char *bad[] = { "a@x.test, @x.test" };

    EXPECT_INT(cli_maps_targets(one, 1, out, sizeof(out), &error), 0);
    EXPECT_STR(out, "alice@example.test, bob@else.where, carol@x.test");
    EXPECT_INT(cli_maps_targets(two, 2, out, sizeof(out), &error), 0);
    EXPECT_STR(out, "alice@example.test, bob@else.where");
    EXPECT_INT(cli_maps_targets(dup, 2, out, sizeof(out), &error), -1);
    EXPECT_CONTAINS(error, "target alice@example.test is given twice");
    EXPECT_INT(cli_maps_targets(empty, 1, out, sizeof(out), &error), -1);
    EXPECT_CONTAINS(error, "empty target");
    EXPECT_INT(cli_maps_targets(trailing, 1, out, sizeof(out), &error), -1);
    EXPECT_CONTAINS(error, "empty target");
    EXPECT_INT(cli_maps_targets(bad, 1, out, sizeof(out), &error), -1);
    EXPECT_CONTAINS(error, "empty local part");
}

/* test_list_has - whole items only */
static void test_list_has(void)
{
    EXPECT_TRUE(cli_maps_list_has("a@x.test", "a@x.test"));
    EXPECT_TRUE(cli_maps_list_has("b@x.test, a@x.test", "a@x.test"));
    EXPECT_TRUE(cli_maps_list_has("a@x.test, b@x.test", "a@x.test"));
    EXPECT_FALSE(cli_maps_list_has("ba@x.test, a@x.test.org", "a@x.test"));
    EXPECT_FALSE(cli_maps_list_has("", "a@x.test"));
    EXPECT_FALSE(cli_maps_list_has("a@x.test", ""));
}

/* test_args - action, flags anywhere, operands, "--" */
static void test_args(void)
{
    char w0[] = "user", w1[] = "add", w2[] = "--password-stdin", w3[] = "a@x.test", w4[] = "--", w5[] = "--b",
         w6[] = "--bogus";
    char *argv[] = { w0, w1, w2, w3, w4, w5, NULL };
    char *bad[] = { w0, w1, w6, NULL };
    const char *const names[] = { "--quota", "--password-stdin", NULL };
    struct cli_args a;

    EXPECT_INT(cli_maps_args("user", 6, argv, names, &a), EX_OK);
    EXPECT_STR(a.action, "add");
    EXPECT_INT(a.flags, 2);
    EXPECT_INT(a.count, 2);
    EXPECT_STR(a.operands[0], "a@x.test");
    EXPECT_STR(a.operands[1], "--b");
    cli_args_free(&a);
    EXPECT_INT(cli_maps_args("user", 3, bad, names, &a), EX_USAGE);
    EXPECT_STR(last_error, "petrel user: unknown option \"--bogus\" (see petrel user --help)");
    cli_args_free(&a);
}

/* write_pipe - a pipe whose read end holds text */
static int write_pipe(const char *text)
{
    int fds[2];

    if (pipe(fds) < 0)
        return -1;
    if (write(fds[1], text, strlen(text) + (text[0] == 'N')) < 0) /* "N...": send the NUL too */
        return -1;
    close(fds[1]);
    return fds[0];
}

/* test_password_line - one line, nothing more consumed, limits */
static void test_password_line(void)
{
    char buf[16], rest[16];
    const char *error;
    int fd = write_pipe("secret\r\nnext");
    ssize_t n;

    EXPECT_INT(cli_password_read_line(fd, buf, sizeof(buf), &error), 0);
    EXPECT_STR(buf, "secret");
    n = read(fd, rest, sizeof(rest));
    EXPECT_MEM(rest, (size_t)(n > 0 ? n : 0), "next", 4);
    close(fd);
    fd = write_pipe("no newline");
    EXPECT_INT(cli_password_read_line(fd, buf, sizeof(buf), &error), 0);
    EXPECT_STR(buf, "no newline");
    close(fd);
    fd = write_pipe("\n");
    EXPECT_INT(cli_password_read_line(fd, buf, sizeof(buf), &error), -1);
    EXPECT_CONTAINS(error, "empty");
    close(fd);
    fd = write_pipe("0123456789abcdef\n");
    EXPECT_INT(cli_password_read_line(fd, buf, sizeof(buf), &error), -1);
    EXPECT_CONTAINS(error, "longer than 15 bytes");
    close(fd);
    fd = write_pipe("N");
    EXPECT_INT(cli_password_read_line(fd, buf, sizeof(buf), &error), -1);
    EXPECT_CONTAINS(error, "NUL");
    close(fd);
}

/* test_password_hash - yescrypt by default, verifiable with crypt(3) */
static void test_password_hash(void)
{
    char hash[CLI_PASSWORD_HASH_MAX], hash2[CLI_PASSWORD_HASH_MAX];
    const char *error;

    EXPECT_INT(cli_password_hash("correct horse", NULL, hash, sizeof(hash), &error), 0);
    EXPECT_INT(strncmp(hash, "$y$", 3), 0);
    EXPECT_STR(crypt("correct horse", hash), hash);
    EXPECT_TRUE(strcmp(crypt("correct horsE", hash), hash) != 0);
    /* a fresh salt each time */
    EXPECT_INT(cli_password_hash("correct horse", NULL, hash2, sizeof(hash2), &error), 0);
    EXPECT_TRUE(strcmp(hash, hash2) != 0);
    EXPECT_INT(cli_password_hash("pw", "$6$", hash, sizeof(hash), &error), 0);
    EXPECT_INT(strncmp(hash, "$6$", 3), 0);
    EXPECT_STR(crypt("pw", hash), hash);
    EXPECT_INT(cli_password_hash("pw", "$y$", hash, 10, &error), -1);
    EXPECT_CONTAINS(error, "longer than 9 bytes");
    EXPECT_INT(cli_password_hash("pw", "$nope$", hash, sizeof(hash), &error), -1);
}

/* test_open_maps - the four maps, created with their modes */
static void test_open_maps(void)
{
    char *conf = xasprintf("data_directory = %s/data\n", test_tmpdir());
    char *etc, *path;
    struct cli_maps mm;
    struct cli_map_entries all;
    struct stat st;
    char *value;

    etc = xasprintf("%s/etc", test_tmpdir());
    EXPECT_INT(mkdir(etc, 0755), 0);
    test_write_file("etc/petrel.conf", conf);
    path = xasprintf("%s/data", test_tmpdir());
    EXPECT_INT(mkdir(path, 0700), 0);
    EXPECT_INT(cli_maps_open(&mm, "test", etc, false), EX_OK); /* nothing there yet: empty */
    EXPECT_INT(cli_maps_exists(&mm, CLI_MAP_DOMAINS, "example.test"), 0);
    cli_maps_close(&mm);
    EXPECT_INT(cli_maps_open(&mm, "test", etc, true), EX_OK);
    EXPECT_INT(cli_maps_put(&mm, CLI_MAP_MAILBOXES, "a@example.test", "example.test/a/"), 0);
    EXPECT_INT(cli_maps_put(&mm, CLI_MAP_MAILBOXES, "b@example.test", "example.test/b/"), 0);
    EXPECT_INT(cli_maps_put(&mm, CLI_MAP_MAILBOXES, "c@example.org", "example.org/c/"), 0);
    EXPECT_INT(cli_maps_lookup(&mm, CLI_MAP_MAILBOXES, "b@example.test", &value), 1);
    EXPECT_STR(value, "example.test/b/");
    xfree(value);
    EXPECT_INT(cli_maps_collect(&mm, CLI_MAP_MAILBOXES, "example.test", &all), 0);
    EXPECT_INT(all.count, 2);
    EXPECT_INT(cli_maps_delete_all(&mm, CLI_MAP_MAILBOXES, &all), 0);
    cli_map_entries_free(&all);
    EXPECT_INT(cli_maps_collect(&mm, CLI_MAP_MAILBOXES, NULL, &all), 0);
    EXPECT_INT(all.count, 1);
    if (all.count == 1)
        EXPECT_STR(all.e[0].key, "c@example.org");
    cli_map_entries_free(&all);
    cli_maps_close(&mm);
    xfree(path);
    path = xasprintf("%s/data/maps/passwords", test_tmpdir());
    EXPECT_INT(stat(path, &st), 0);
    EXPECT_INT(st.st_mode & 07777, 0600);
    xfree(path);
    path = xasprintf("%s/data/maps/domains", test_tmpdir());
    EXPECT_INT(stat(path, &st), 0);
    EXPECT_INT(st.st_mode & 07777, 0644);
    xfree(path);
    xfree(etc);
    xfree(conf);
}

/* main - run every case */
int main(void)
{
    return test_run((const struct test_case[]){
        TEST_CASE(test_domains),
        TEST_CASE(test_domain_lengths),
        TEST_CASE(test_addresses),
        TEST_CASE(test_catchall),
        TEST_CASE(test_mailbox_path),
        TEST_CASE(test_targets),
        TEST_CASE(test_list_has),
        TEST_CASE(test_args),
        TEST_CASE(test_password_line),
        TEST_CASE(test_password_hash),
        TEST_CASE(test_open_maps),
        TEST_END,
    });
}
