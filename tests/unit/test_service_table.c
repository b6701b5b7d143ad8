/* SPDX-License-Identifier: MIT
 * test_service_table - master.conf: every column parsed and resolved, every
 * error message exactly (with file:line), inet listen addresses, rendering
 * (golden lines that parse back to the same entries), and editing in place
 * with refused edits leaving the file untouched.
 *
 * service_table_parse takes a whole text (no streaming path), so there is
 * no byte-at-a-time read to drive; test_every_prefix instead parses every
 * prefix of a realistic table: each parses or fails with a file:line error.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mail/service_table.h"
#include "test.h"
#include "util/alloc.h"
#include "util/buf.h"

static const char table[] =
    "# name type listen private user chroot wakeup maxproc command\n"
    "smtp       inet  127.0.0.1:10025   n       -       n       -       -       smtpd\n"
    "    -o max_use=10\n"
    "# a comment inside the entry\n"
    "\t-o syslog_name=petrel/smtp\n"
    "submission inet [::1]:10587 - petrel y 60 20 smtpd\n"
    "anvil unix - y - n - 1 anvil\n"
    "qmgr unix - n - n 300 1 qmgr -v\n"
    "local unix sockets/local.sock - vmail - 0 - local\n"
    "all inet 25 - - - - 10000 smtpd\n"
    "star inet *:2525 n - n 86400 1 smtpd\n"
    "anvil inet mail.example.org:4000 n - n - - anvil\n";

/* parse - service_table_parse on a C string, file "master.conf" */
static int parse(const char *text, struct service_table **t_r, const char **error_r)
{
    return service_table_parse("master.conf", text, strlen(text), t_r, error_r);
}

/* argv_str - the command and arguments joined with spaces (static) */
static const char *argv_str(const struct service_entry *e)
{
    static char s[1024];
    int i;

    s[0] = '\0';
    for (i = 0; i < e->argc; i++)
        snprintf(s + strlen(s), sizeof(s) - strlen(s), "%s%s", i ? " " : "", e->argv[i]);
    return s;
}

static void test_parse_columns(void)
{
    struct service_table *t = NULL;
    const struct service_entry *e;
    const char *error = NULL;

    if (!EXPECT_INT(parse(table, &t, &error), 0)) {
        EXPECT_STR(error, "");
        return;
    }
    EXPECT_INT(t->count, 8);
    e = service_table_find(t, "smtp", SERVICE_INET);
    if (EXPECT_TRUE(e != NULL)) {
        EXPECT_STR(e->listen, "127.0.0.1:10025");
        EXPECT_FALSE(e->private_socket);
        EXPECT_TRUE(e->user == NULL);
        EXPECT_FALSE(e->chroot);
        EXPECT_INT(e->wakeup, 0);
        EXPECT_INT(e->maxproc, 0);
        EXPECT_INT(e->argc, 5);
        EXPECT_STR(argv_str(e), "smtpd -o max_use=10 -o syslog_name=petrel/smtp");
        EXPECT_TRUE(e->argv[e->argc] == NULL);
        EXPECT_INT(e->line, 2);
    }
    e = service_table_find(t, "submission", SERVICE_INET);
    if (EXPECT_TRUE(e != NULL)) {
        EXPECT_STR(e->listen, "[::1]:10587");
        EXPECT_STR(e->user, "petrel");
        EXPECT_TRUE(e->chroot);
        EXPECT_INT(e->wakeup, 60);
        EXPECT_INT(e->maxproc, 20);
        EXPECT_INT(e->line, 6);
    }
    e = service_table_find(t, "anvil", SERVICE_UNIX);
    if (EXPECT_TRUE(e != NULL)) {
        EXPECT_STR(e->listen, "private/anvil");
        EXPECT_TRUE(e->private_socket);
        EXPECT_INT(e->maxproc, 1);
    }
    e = service_table_find(t, "qmgr", SERVICE_UNIX);
    if (EXPECT_TRUE(e != NULL)) {
        EXPECT_STR(e->listen, "public/qmgr");
        EXPECT_FALSE(e->private_socket);
        EXPECT_INT(e->wakeup, 300);
        EXPECT_STR(argv_str(e), "qmgr -v");
    }
    e = service_table_find(t, "local", SERVICE_UNIX);
    if (EXPECT_TRUE(e != NULL)) {
        EXPECT_STR(e->listen, "sockets/local.sock");
        EXPECT_TRUE(e->private_socket);
        EXPECT_STR(e->user, "vmail");
        EXPECT_INT(e->wakeup, 0);
    }
    EXPECT_TRUE(service_table_find(t, "anvil", SERVICE_INET) != NULL);
    EXPECT_TRUE(service_table_find(t, "nosuch", SERVICE_INET) == NULL);
    service_table_destroy(&t);
    EXPECT_TRUE(t == NULL);
    service_table_destroy(&t);
}

struct error_case {
    const char *text;
    const char *error;
};

static const struct error_case error_cases[] = {
    { "smtp inet 25 n - n - -\n", "master.conf:1: too few columns (want name type listen private user chroot "
                                  "wakeup maxproc command, got 8)" },
    { "# x\nsm/tp inet 25 n - n - - smtpd\n",
      "master.conf:2: invalid service name \"sm/tp\" (use letters, digits, '_', '.' and '-')" },
    { ".. unix - - - n - - anvil\n",
      "master.conf:1: invalid service name \"..\" (use letters, digits, '_', '.' "
      "and '-')" },
    { "smtp udp 25 n - n - - smtpd\n", "master.conf:1: unknown service type \"udp\" (use inet or unix)" },
    { "smtp inet 25 y - n - - smtpd\n", "master.conf:1: inet service smtp cannot be private (use n or -)" },
    { "smtp inet 25 yes - n - - smtpd\n", "master.conf:1: invalid private value \"yes\" (use y, n or -)" },
    { "smtp inet 0 n - n - - smtpd\n",
      "master.conf:1: invalid port \"0\" in listen address \"0\" (use 1 to 65535)" },
    { "smtp inet 127.0.0.1:65536 n - n - - smtpd\n",
      "master.conf:1: invalid port \"65536\" in listen address \"127.0.0.1:65536\" (use 1 to 65535)" },
    { "smtp inet 127.0.0.1 n - n - - smtpd\n",
      "master.conf:1: invalid port \"127.0.0.1\" in listen address \"127.0.0.1\" (use 1 to 65535)" },
    { "smtp inet smtp n - n - - smtpd\n",
      "master.conf:1: invalid port \"smtp\" in listen address \"smtp\" (use 1 to 65535)" },
    { "smtp inet ::1:25 n - n - - smtpd\n",
      "master.conf:1: invalid listen address \"::1:25\" (write an IPv6 address in brackets: [IPV6]:PORT)" },
    { "smtp inet [::1]25 n - n - - smtpd\n",
      "master.conf:1: invalid listen address \"[::1]25\" (use [IPV6]:PORT)" },
    { "smtp inet [zz::1]:25 n - n - - smtpd\n",
      "master.conf:1: invalid IPv6 address \"zz::1\" in listen address \"[zz::1]:25\"" },
    { "smtp inet 999.1.1.1:25 n - n - - smtpd\n",
      "master.conf:1: invalid IPv4 address \"999.1.1.1\" in listen address \"999.1.1.1:25\"" },
    { "smtp inet host_name:25 n - n - - smtpd\n",
      "master.conf:1: invalid host in listen address \"host_name:25\" "
      "(use an IPv4 address, [IPV6], * or a host name)" },
    { "smtp inet :25 n - n - - smtpd\n", "master.conf:1: invalid host in listen address \":25\" (use an IPv4 "
                                         "address, [IPV6], * or a host name)" },
    { "smtp inet 25 n root n - - smtpd\n", "master.conf:1: inet service smtp must not run as root (network "
                                           "input is never parsed with privileges)" },
    { "smtp inet 25 n 0 n - - smtpd\n", "master.conf:1: inet service smtp must not run as root (network "
                                        "input is never parsed with privileges)" },
    { "smtp inet 25 n us/er n - - smtpd\n", "master.conf:1: invalid user name \"us/er\"" },
    { "smtp inet 25 n - q - - smtpd\n", "master.conf:1: invalid chroot value \"q\" (use y, n or -)" },
    { "smtp inet 25 n - n x - smtpd\n", "master.conf:1: invalid wakeup time \"x\" (use 0 to 86400, or -)" },
    { "smtp inet 25 n - n 86401 - smtpd\n",
      "master.conf:1: invalid wakeup time \"86401\" (use 0 to 86400, or -)" },
    { "smtp inet 25 n - n -1 - smtpd\n", "master.conf:1: invalid wakeup time \"-1\" (use 0 to 86400, or -)" },
    { "smtp inet 25 n - n - 0 smtpd\n", "master.conf:1: invalid maxproc \"0\" (use 1 to 10000, or -)" },
    { "smtp inet 25 n - n - ten smtpd\n", "master.conf:1: invalid maxproc \"ten\" (use 1 to 10000, or -)" },
    { "smtp inet 25 n - n - 10001 smtpd\n",
      "master.conf:1: invalid maxproc \"10001\" (use 1 to 10000, or -)" },
    { "smtp inet 25 n - n - - /usr/sbin/smtpd\n",
      "master.conf:1: invalid command \"/usr/sbin/smtpd\" (a program "
      "name in daemon_directory: letters, digits, '_', '.' and '-', "
      "no '/')" },
    { "smtp inet 25 n - n - - ..\n",
      "master.conf:1: invalid command \"..\" (a program name in daemon_directory: "
      "letters, digits, '_', '.' and '-', no '/')" },
    { "smtp inet 25 n - n - - smtpd -o\n", "master.conf:1: -o needs name=value" },
    { "smtp inet 25 n - n - - smtpd -o max_use\n", "master.conf:1: -o needs name=value" },
    { "smtp inet 25 n - n - - smtpd -o =1\n", "master.conf:1: -o needs name=value" },
    { "smtp inet 25 n - n - - smtpd\n  -o max_uses=1\n",
      "master.conf:1: unknown parameter \"max_uses\" in -o max_uses=1 (did you mean \"max_use\"?)" },
    { "smtp inet 25 n - n - - smtpd\n#\nsmtp inet 26 n - n - - smtpd\n",
      "master.conf:3: duplicate service smtp/inet (first at line 1)" },
    { "a inet 25 n - n - - smtpd\nb inet 25 n - n - - smtpd\n",
      "master.conf:2: listen address 25 is already used by a/inet (line 1)" },
    { "a unix s/x - - n - - anvil\nb unix s/x - - n - - anvil\n",
      "master.conf:2: socket s/x is already used by a/unix (line 1)" },
    { "a unix private/b - - n - - anvil\nb unix - - - n - - anvil\n",
      "master.conf:2: socket private/b is already used by a/unix (line 1)" },
    { "a unix "
      "/0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789"
      "0123456 - - n - - anvil\n",
      "master.conf:1: socket path longer than 107 bytes" },
    { "  smtp inet 25 n - n - - smtpd\n", "master.conf:1: continuation line without an entry before it (an "
                                          "entry must not start with white space)" },
    { "smtp inet 25 n - n - - smtpd\001\n", "master.conf:1: control character 0x01 in line" },
};

static void test_errors(void)
{
    size_t i;

    for (i = 0; i < sizeof(error_cases) / sizeof(error_cases[0]); i++) {
        struct service_table *t = NULL;
        const char *error = NULL;

        if (!EXPECT_INT(parse(error_cases[i].text, &t, &error), -1))
            service_table_destroy(&t);
        EXPECT_STR(error, error_cases[i].error);
    }
}

static void test_limits(void)
{
    struct buf *b = buf_create(0, 1024 * 1024);
    struct service_table *t = NULL;
    const char *error = NULL;
    int i;

    for (i = 0; i <= 1000; i++)
        buf_printf(b, "s%d unix - - - n - - anvil\n", i);
    EXPECT_INT(service_table_parse("master.conf", b->data, b->len, &t, &error), -1);
    EXPECT_STR(error, "master.conf:1001: more than 1000 services");
    buf_reset(b);
    buf_append_str(b, "s unix - - - n - - anvil");
    for (i = 0; i < 256; i++)
        buf_append_str(b, " x");
    EXPECT_INT(service_table_parse("master.conf", b->data, b->len, &t, &error), -1);
    EXPECT_STR(error, "master.conf:1: more than 256 command words");
    buf_destroy(&b);
}

static void test_inet_split(void)
{
    static const struct {
        const char *listen, *host, *port, *error;
    } cases[] = {
        { "25", NULL, "25", NULL },
        { "*:25", NULL, "25", NULL },
        { "127.0.0.1:10025", "127.0.0.1", "10025", NULL },
        { "[::1]:587", "::1", "587", NULL },
        { "[2001:db8::25]:65535", "2001:db8::25", "65535", NULL },
        { "mail.example.org:1", "mail.example.org", "1", NULL },
        { "localhost:0025", "localhost", "25", NULL },
        { "", NULL, NULL, "invalid port \"\" in listen address \"\" (use 1 to 65535)" },
        { "127.0.0.1:", NULL, NULL, "invalid port \"\" in listen address \"127.0.0.1:\" (use 1 to 65535)" },
        { "[::1]:", NULL, NULL, "invalid port \"\" in listen address \"[::1]:\" (use 1 to 65535)" },
        { "[::1", NULL, NULL, "invalid listen address \"[::1\" (use [IPV6]:PORT)" },
        { "[127.0.0.1]:25", NULL, NULL,
          "invalid IPv6 address \"127.0.0.1\" in listen address \"[127.0.0.1]:25\"" },
        { "1.2.3:25", NULL, NULL, "invalid IPv4 address \"1.2.3\" in listen address \"1.2.3:25\"" },
        { "+25", NULL, NULL, "invalid port \"+25\" in listen address \"+25\" (use 1 to 65535)" },
        { "100000", NULL, NULL, "invalid port \"100000\" in listen address \"100000\" (use 1 to 65535)" },
    };
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *host = NULL, *port = NULL;
        const char *error = NULL;
        int rc = service_inet_split(cases[i].listen, &host, &port, &error);

        if (cases[i].error == NULL) {
            if (EXPECT_INT(rc, 0)) {
                EXPECT_STR(host, cases[i].host);
                EXPECT_STR(port, cases[i].port);
            } else {
                EXPECT_STR(error, "");
            }
        } else {
            EXPECT_INT(rc, -1);
            EXPECT_STR(error, cases[i].error);
        }
        xfree(host);
        xfree(port);
    }
}

static void test_type_names(void)
{
    enum service_type type;

    EXPECT_STR(service_type_name(SERVICE_INET), "inet");
    EXPECT_STR(service_type_name(SERVICE_UNIX), "unix");
    EXPECT_INT(service_type_parse("unix", &type), 0);
    EXPECT_INT(type, SERVICE_UNIX);
    EXPECT_INT(service_type_parse("inet", &type), 0);
    EXPECT_INT(type, SERVICE_INET);
    EXPECT_INT(service_type_parse("INET", &type), -1);
}

static void test_render(void)
{
    static const char *const want[] = {
        "smtp       inet  127.0.0.1:10025   n       -       n       -       -       smtpd -o max_use=10 "
        "-o syslog_name=petrel/smtp",
        "submission inet  [::1]:10587       n       petrel  y       60      20      smtpd",
        "anvil      unix  -                 y       -       n       -       1       anvil",
        "qmgr       unix  -                 n       -       n       300     1       qmgr -v",
        "local      unix  sockets/local.sock y       vmail   n       -       -       local",
        "all        inet  25                n       -       n       -       10000   smtpd",
        "star       inet  *:2525            n       -       n       86400   1       smtpd",
        "anvil      inet  mail.example.org:4000 n       -       n       -       -       anvil",
    };
    struct service_table *t = NULL, *again = NULL;
    struct buf *b = buf_create(256, 65536);
    size_t i;

    if (!EXPECT_INT(parse(table, &t, NULL), 0))
        return;
    for (i = 0; i < t->count; i++) {
        buf_reset(b);
        service_entry_render(&t->entries[i], b);
        EXPECT_STR(buf_str(b), want[i]);
        buf_append_char(b, '\n');
    }
    /* all rendered lines together parse back to the same table */
    buf_reset(b);
    for (i = 0; i < t->count; i++) {
        service_entry_render(&t->entries[i], b);
        buf_append_char(b, '\n');
    }
    if (EXPECT_INT(service_table_parse("rendered", b->data, b->len, &again, NULL), 0)) {
        EXPECT_INT(again->count, t->count);
        for (i = 0; i < t->count && i < again->count; i++) {
            EXPECT_STR(again->entries[i].listen, t->entries[i].listen);
            EXPECT_STR(argv_str(&again->entries[i]), argv_str(&t->entries[i]));
        }
        service_table_destroy(&again);
    }
    service_table_destroy(&t);
    buf_destroy(&b);
}

static const char small[] = "# services\n"
                            "smtp inet 10025 n - n - - smtpd\n"
                            "  -o max_use=5\n"
                            "# inside smtp\n"
                            "  -o max_idle=10s\n"
                            "\n"
                            "anvil unix - y - n - 1 anvil\n"
                            "# end\n";

struct edit_case {
    const char *name, *type, *entry;
    const char *want; /* NULL: refused */
    const char *error;
};

static const struct edit_case edit_cases[] = {
    { "smtp", "inet", "smtp inet 127.0.0.1:10025 n - n - 4 smtpd",
      "# services\nsmtp inet 127.0.0.1:10025 n - n - 4 smtpd\n# inside smtp\n\nanvil unix - y - n - 1 anvil\n"
      "# end\n",
      NULL },
    { "anvil", "unix", NULL,
      "# services\nsmtp inet 10025 n - n - - smtpd\n  -o max_use=5\n# inside smtp\n  -o max_idle=10s\n\n"
      "# end\n",
      NULL },
    { "smtp", "inet", NULL, "# services\n# inside smtp\n\nanvil unix - y - n - 1 anvil\n# end\n", NULL },
    { "submission", "inet", "  submission   inet 10587 n - n - - smtpd  ",
      "# services\nsmtp inet 10025 n - n - - smtpd\n  -o max_use=5\n# inside smtp\n  -o max_idle=10s\n\n"
      "anvil unix - y - n - 1 anvil\n# end\nsubmission   inet 10587 n - n - - smtpd\n",
      NULL },
    /* same name, other type: a new entry */
    { "smtp", "unix", "smtp unix - - - n - - smtp",
      "# services\nsmtp inet 10025 n - n - - smtpd\n  -o max_use=5\n# inside smtp\n  -o max_idle=10s\n\n"
      "anvil unix - y - n - 1 anvil\n# end\nsmtp unix - - - n - - smtp\n",
      NULL },
    { "smtp", "inet", "submission inet 10587 n - n - - smtpd", NULL,
      "the entry for smtp/inet must start with \"smtp inet\"" },
    { "smtp", "inet", "smtp unix - - - n - - smtp", NULL,
      "the entry for smtp/inet must start with \"smtp inet\"" },
    { "smtp", "inet", "", NULL, "the entry for smtp/inet must start with \"smtp inet\"" },
    { "smtp", "inet", "smtp inet 25 n - n - - smtpd\nevil inet 26 n root n - - smtpd", NULL,
      "the entry for smtp/inet contains a line break" },
    { "smtp", "udp", "smtp udp 25 n - n - - smtpd", NULL, "unknown service type \"udp\" (use inet or unix)" },
    { "nosuch", "unix", NULL, NULL, "master.conf: no service nosuch/unix" },
    { "smtp", "inet", "smtp inet 10025 n root n - - smtpd", NULL,
      "master.conf:2: inet service smtp must not run as root (network input is never parsed with "
      "privileges)" },
    { "smtp", "inet", "smtp inet 10025 n - n - - smtpd extra -o", NULL,
      "master.conf:2: -o needs name=value" },
    { "x", "inet", "x inet 10025 n - n - - smtpd", NULL,
      "master.conf:9: listen address 10025 is already used by smtp/inet (line 2)" },
};

static void test_edit_text(void)
{
    size_t i;

    for (i = 0; i < sizeof(edit_cases) / sizeof(edit_cases[0]); i++) {
        const struct edit_case *c = &edit_cases[i];
        char *out = NULL;
        const char *error = NULL;
        int rc = service_table_edit_text("master.conf", small, strlen(small), c->name, c->type, c->entry,
                                         &out, &error);

        if (c->want != NULL) {
            if (EXPECT_INT(rc, 0))
                EXPECT_STR(out, c->want);
            else
                test_fail(__FILE__, __LINE__, "case %zu: %s", i, error);
        } else {
            EXPECT_INT(rc, -1);
            EXPECT_STR(error, c->error);
        }
        xfree(out);
    }
}

/* read_back - the file's contents (static buffer) */
static const char *read_back(const char *path)
{
    static char text[8192];
    FILE *fp = fopen(path, "r");
    size_t n = 0;

    if (fp != NULL) {
        n = fread(text, 1, sizeof(text) - 1, fp);
        fclose(fp);
    }
    text[n] = '\0';
    return text;
}

static void test_edit_file(void)
{
    char path[1024], want[2048];
    struct stat before, after;
    const char *error = NULL;

    snprintf(path, sizeof(path), "%s/master.conf", test_tmpdir());
    test_write_file("master.conf", small);
    chmod(path, 0640);
    EXPECT_INT(stat(path, &before), 0);
    /* refused: bytes, inode and mode stay */
    EXPECT_INT(
        service_table_edit_file(test_tmpdir(), "smtp", "inet", "smtp inet 10025 n root n - - smtpd", &error),
        -1);
    snprintf(want, sizeof(want),
             "%s:2: inet service smtp must not run as root (network input is never parsed "
             "with privileges)",
             path);
    EXPECT_STR(error, want);
    EXPECT_STR(read_back(path), small);
    EXPECT_INT(stat(path, &after), 0);
    EXPECT_INT(after.st_ino, before.st_ino);
    /* accepted: mode kept */
    EXPECT_INT(service_table_edit_file(test_tmpdir(), "anvil", "unix", NULL, &error), 0);
    EXPECT_STR(read_back(path), "# services\nsmtp inet 10025 n - n - - smtpd\n  -o max_use=5\n# inside smtp\n"
                                "  -o max_idle=10s\n\n# end\n");
    EXPECT_INT(stat(path, &after), 0);
    EXPECT_INT(after.st_mode & 07777, 0640);
    /* and loaded back */
    {
        struct service_table *t = NULL;

        if (EXPECT_INT(service_table_load(test_tmpdir(), &t, &error), 0)) {
            EXPECT_INT(t->count, 1);
            service_table_destroy(&t);
        }
    }
    EXPECT_INT(service_table_load("/nonexistent", NULL, &error), -1);
    EXPECT_STR(error, "open /nonexistent/master.conf: No such file or directory");
}

static void test_every_prefix(void)
{
    size_t n;

    for (n = 0; n <= sizeof(table) - 1; n++) {
        struct service_table *t = NULL;
        const char *error = NULL;

        if (service_table_parse("master.conf", table, n, &t, &error) == 0)
            service_table_destroy(&t);
        else if (strncmp(error, "master.conf:", 12) != 0)
            test_fail(__FILE__, __LINE__, "prefix %zu: unexpected error \"%s\"", n, error);
    }
}

int main(void)
{
    return test_run((const struct test_case[]){
        TEST_CASE(test_parse_columns),
        TEST_CASE(test_errors),
        TEST_CASE(test_limits),
        TEST_CASE(test_inet_split),
        TEST_CASE(test_type_names),
        TEST_CASE(test_render),
        TEST_CASE(test_edit_text),
        TEST_CASE(test_edit_file),
        TEST_CASE(test_every_prefix),
        TEST_END,
    });
}
