/* SPDX-License-Identifier: MIT
 * test_cli_template - placeholder substitution, the port base of an
 * instance, the rendered master.conf (synthetic and shipped templates) and
 * the instance block of petrel.conf, which must load with config_load_text.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_template.h"
#include "mail/config.h"
#include "mail/paths.h"
#include "mail/service_table.h"
#include "test.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/durable.h"

/* A master.conf template that uses every placeholder. */
static const char all_ports[] = "smtp inet @LISTEN@:@PORT_SMTP@ n - n - - smtpd\n"
                                "submission inet @LISTEN@:@PORT_SUBMISSION@ n - n - - smtpd\n"
                                "smtps inet @LISTEN@:@PORT_SMTPS@ n - n - - smtpd\n"
                                "pop3 inet @LISTEN@:@PORT_POP3@ n - n - - pop3d\n"
                                "pop3s inet @LISTEN@:@PORT_POP3S@ n - n - - pop3d\n"
                                "imap inet @LISTEN@:@PORT_IMAP@ n - n - - imapd\n"
                                "imaps inet @LISTEN@:@PORT_IMAPS@ n - n - - imapd\n";

/* test_render_tokens - placeholders replaced, other @ text kept */
static void test_render_tokens(void)
{
    static const struct cli_template_var vars[] = { { "A", "x" }, { "B_2", "yy" }, { NULL, NULL } };
    /* Only @UPPER@ is a placeholder: mail addresses and stray '@' stay. */
    static const char text[] = "a @A@ b@A@@B_2@ c\nuser@example.org @lower@ @ @@ @A @1X@ @A";
    struct buf *out = buf_create(0, 1024);
    const char *error = NULL;

    EXPECT_INT(cli_template_render("t", text, strlen(text), vars, out, &error), 0);
    EXPECT_STR(buf_str(out), "a x bxyy c\nuser@example.org @lower@ @ @@ @A @1X@ @A");
    buf_destroy(&out);
}

/* test_render_unknown - an unknown placeholder names file and line, out unchanged */
static void test_render_unknown(void)
{
    static const struct cli_template_var vars[] = { { "A", "x" }, { NULL, NULL } };
    static const char text[] = "first @A@\nsecond @NOPE@ line\n";
    struct buf *out = buf_create(0, 1024);
    const char *error = NULL;

    buf_append_str(out, "kept");
    EXPECT_INT(cli_template_render("t.conf", text, strlen(text), vars, out, &error), -1);
    EXPECT_CONTAINS(error, "t.conf line 2");
    EXPECT_CONTAINS(error, "@NOPE@");
    /* A failed render leaves out as it was. */
    EXPECT_STR(buf_str(out), "kept");
    /* No variables at all: every placeholder is unknown. */
    EXPECT_INT(cli_template_render("t.conf", "@A@", 3, NULL, out, &error), -1);
    EXPECT_CONTAINS(error, "@A@");
    buf_destroy(&out);
}

/* test_render_empty_value - an empty value drops one following colon */
static void test_render_empty_value(void)
{
    static const struct cli_template_var vars[] = { { "L", "" }, { "P", "25" }, { NULL, NULL } };
    static const char text[] = "@L@:@P@ @L@::x @L@x";
    struct buf *out = buf_create(0, 1024);
    const char *error = NULL;

    /* An empty value eats one ':' after it, and only one. */
    EXPECT_INT(cli_template_render("t", text, strlen(text), vars, out, &error), 0);
    EXPECT_STR(buf_str(out), "25 :x x");
    buf_destroy(&out);
}

/* test_render_limit - a result past the buffer maximum is an error */
static void test_render_limit(void)
{
    static const struct cli_template_var vars[] = { { "A", "0123456789" }, { NULL, NULL } };
    struct buf *out = buf_create(0, 8);
    const char *error = NULL;

    EXPECT_INT(cli_template_render("t", "@A@", 3, vars, out, &error), -1);
    EXPECT_CONTAINS(error, "too large");
    EXPECT_INT(out->len, 0);
    buf_destroy(&out);
}

/* test_port_base_parse - every port must stay in 1024..65535 */
static void test_port_base_parse(void)
{
    static const struct {
        const char *text;
        int ok;
        int want;
    } cases[] = {
        { "10000", 1, 10000 }, { "999", 1, 999 },  { "64540", 1, 64540 },
        { "20000", 1, 20000 }, { "998", 0, 0 },    { "0", 0, 0 },
        { "64541", 0, 0 },     { "65535", 0, 0 },  { "", 0, 0 },
        { "abc", 0, 0 },       { "10000x", 0, 0 }, { "-5", 0, 0 },
        { " 10000", 0, 0 },    { "+10000", 0, 0 }, { "99999999999999999999", 0, 0 },
    };
    const char *error;
    size_t i;
    int base;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        base = -1;
        error = NULL;
        if (!EXPECT_INT(cli_template_port_base_parse(cases[i].text, &base, &error), cases[i].ok ? 0 : -1))
            fprintf(stderr, "  case \"%s\"\n", cases[i].text);
        if (cases[i].ok)
            EXPECT_INT(base, cases[i].want);
        else
            EXPECT_TRUE(error != NULL && base == -1);
    }
    EXPECT_INT(cli_template_port_base_parse("998", &base, &error), -1);
    EXPECT_CONTAINS(error, "1024..65535");
    EXPECT_CONTAINS(error, "from 999 to 64540");
}

/* test_master_instance - loopback and base + standard port for every service */
static void test_master_instance(void)
{
    struct buf *out = buf_create(0, CLI_TEMPLATE_MAX);
    const char *error = NULL;

    EXPECT_INT(cli_template_master_conf("m", all_ports, strlen(all_ports), CLI_TEMPLATE_INSTANCE_LISTEN,
                                        CLI_TEMPLATE_PORT_BASE_DEFAULT, NULL, out, &error),
               0);
    EXPECT_CONTAINS(buf_str(out), "smtp inet 127.0.0.1:10025 ");
    EXPECT_CONTAINS(buf_str(out), "submission inet 127.0.0.1:10587 ");
    EXPECT_CONTAINS(buf_str(out), "smtps inet 127.0.0.1:10465 ");
    EXPECT_CONTAINS(buf_str(out), "pop3 inet 127.0.0.1:10110 ");
    EXPECT_CONTAINS(buf_str(out), "pop3s inet 127.0.0.1:10995 ");
    EXPECT_CONTAINS(buf_str(out), "imap inet 127.0.0.1:10143 ");
    EXPECT_CONTAINS(buf_str(out), "imaps inet 127.0.0.1:10993 ");
    EXPECT_TRUE(strchr(buf_str(out), '@') == NULL);
    buf_reset(out);
    EXPECT_INT(cli_template_master_conf("m", all_ports, strlen(all_ports), CLI_TEMPLATE_INSTANCE_LISTEN,
                                        20000, NULL, out, &error),
               0);
    EXPECT_CONTAINS(buf_str(out), "smtp inet 127.0.0.1:20025 ");
    EXPECT_CONTAINS(buf_str(out), "imaps inet 127.0.0.1:20993 ");
    buf_destroy(&out);
}

/* test_master_packaged - every address and standard ports; both parse */
static void test_master_packaged(void)
{
    struct buf *out = buf_create(0, CLI_TEMPLATE_MAX);
    struct service_table *t = NULL;
    const struct service_entry *e;
    const char *error = NULL;

    /* Packaged: every address, standard ports. */
    EXPECT_INT(cli_template_master_conf("m", all_ports, strlen(all_ports), NULL, 0, NULL, out, &error), 0);
    EXPECT_CONTAINS(buf_str(out), "smtp inet 25 ");
    EXPECT_CONTAINS(buf_str(out), "submission inet 587 ");
    EXPECT_CONTAINS(buf_str(out), "imaps inet 993 ");
    /* Both renderings are valid service tables. */
    if (EXPECT_INT(service_table_parse("m", out->data, out->len, &t, &error), 0)) {
        e = service_table_find(t, "smtp", SERVICE_INET);
        EXPECT_TRUE(e != NULL && strcmp(e->listen, "25") == 0);
        service_table_destroy(&t);
    }
    buf_reset(out);
    cli_template_master_conf("m", all_ports, strlen(all_ports), "127.0.0.1", 10000, NULL, out, &error);
    EXPECT_INT(service_table_parse("m", out->data, out->len, &t, &error), 0);
    service_table_destroy(&t);
    /* An unknown placeholder in a master template is an error. */
    buf_reset(out);
    EXPECT_INT(cli_template_master_conf("m", "x inet @LISTEN@:@PORT_FTP@", 26, NULL, 0, NULL, out, &error),
               -1);
    EXPECT_CONTAINS(error, "@PORT_FTP@");
    buf_destroy(&out);
}

/* read_shipped - a template from the build tree's share/petrel */
static char *read_shipped(const char *name, size_t *len_r)
{
    char *path = xasprintf("%s/%s", paths_share_dir(), name), *text = NULL;
    const char *error = NULL;

    if (read_file(path, CLI_TEMPLATE_MAX, &text, len_r, &error) < 0)
        test_fail(__FILE__, __LINE__, "%s", error);
    xfree(path);
    return text;
}

/* test_master_shipped - the shipped master.conf renders and parses, with anvil */
static void test_master_shipped(void)
{
    struct buf *out = buf_create(0, CLI_TEMPLATE_MAX);
    struct service_table *t = NULL;
    const struct service_entry *e;
    const char *error = NULL;
    size_t len;
    char *text = read_shipped("master.conf", &len);

    if (text == NULL)
        return;
    EXPECT_INT(cli_template_master_conf("master.conf", text, len, CLI_TEMPLATE_INSTANCE_LISTEN, 10000, "mbox",
                                        out, &error),
               0);
    if (EXPECT_INT(service_table_parse("master.conf", out->data, out->len, &t, &error), 0)) {
        e = service_table_find(t, "anvil", SERVICE_UNIX);
        EXPECT_TRUE(e != NULL);
        if (e != NULL) {
            EXPECT_INT(e->maxproc, 1);
            EXPECT_TRUE(e->private_socket);
            EXPECT_STR(e->argv[0], "anvil");
        }
        /* qmgr holds the queue's state: one process, as the mail owner */
        e = service_table_find(t, "qmgr", SERVICE_UNIX);
        EXPECT_TRUE(e != NULL && e->maxproc == 1 && e->user == NULL && e->private_socket);
        /* local alone runs as the mailbox owner */
        e = service_table_find(t, "local", SERVICE_UNIX);
        EXPECT_TRUE(e != NULL && e->user != NULL && strcmp(e->user, "mbox") == 0);
        service_table_destroy(&t);
    }
    /* The packaged rendering works too, with "vmail" as the mailbox owner. */
    buf_reset(out);
    EXPECT_INT(cli_template_master_conf("master.conf", text, len, NULL, 0, NULL, out, &error), 0);
    if (EXPECT_INT(service_table_parse("master.conf", out->data, out->len, &t, &error), 0)) {
        e = service_table_find(t, "local", SERVICE_UNIX);
        EXPECT_TRUE(e != NULL && e->user != NULL && strcmp(e->user, "vmail") == 0);
        service_table_destroy(&t);
    }
    xfree(text);
    buf_destroy(&out);
}

/* test_petrel_conf_block - entries the block sets are commented out, then the block */
static void test_petrel_conf_block(void)
{
    static const struct cli_template_var settings[] = { { "queue_directory", "/tmp/a$b/spool" },
                                                        { "myhostname", "h.example" },
                                                        { NULL, NULL } };
    /* Entries the block sets are commented out, continuation lines too. */
    static const char text[] = "# comment\n"
                               "queue_directory = /x\n"
                               "  continued\n"
                               "\n"
                               "myhostname=foo\n"
                               "mydomain = example\n"
                               "  more";
    struct buf *out = buf_create(0, CLI_TEMPLATE_MAX);
    const char *error = NULL;

    EXPECT_INT(cli_template_petrel_conf("p", text, strlen(text), settings, "Heading\n\nSecond", out, &error),
               0);
    EXPECT_STR(buf_str(out), "# comment\n"
                             "#queue_directory = /x\n"
                             "#  continued\n"
                             "\n"
                             "#myhostname=foo\n"
                             "mydomain = example\n"
                             "  more\n"
                             "\n"
                             "# Heading\n"
                             "#\n"
                             "# Second\n"
                             "queue_directory = /tmp/a$$b/spool\n"
                             "myhostname = h.example\n");
    buf_destroy(&out);
}

/* test_petrel_conf_bad_settings - unknown names and unsafe values are refused */
static void test_petrel_conf_bad_settings(void)
{
    static const struct cli_template_var unknown[] = { { "queue_dir", "/x" }, { NULL, NULL } };
    static const struct cli_template_var newline[] = { { "myhostname", "a\nb = c" }, { NULL, NULL } };
    static const struct cli_template_var space[] = { { "myhostname", "a " }, { NULL, NULL } };
    struct buf *out = buf_create(0, CLI_TEMPLATE_MAX);
    const char *error = NULL;

    EXPECT_INT(cli_template_petrel_conf("p", "", 0, unknown, "", out, &error), -1);
    EXPECT_CONTAINS(error, "unknown parameter queue_dir");
    EXPECT_INT(cli_template_petrel_conf("p", "", 0, newline, "", out, &error), -1);
    EXPECT_CONTAINS(error, "control character");
    EXPECT_INT(cli_template_petrel_conf("p", "", 0, space, "", out, &error), -1);
    EXPECT_CONTAINS(error, "white space");
    EXPECT_INT(out->len, 0);
    buf_destroy(&out);
}

/* test_petrel_conf_shipped_loads - the shipped petrel.conf plus a block loads back exactly */
static void test_petrel_conf_shipped_loads(void)
{
    static const struct cli_template_var settings[] = {
        { "queue_directory", "/srv/i $x/spool" },
        { "data_directory", "/srv/i $x/data" },
        { "virtual_mailbox_base", "/srv/i $x/mail" },
        { "maillog_file", "/srv/i $x/log/petrel.log" },
        { "myhostname", "mail.example.org" },
        { "mail_owner", "nobody" },
        { "tls_cert_file", "/srv/i $x/etc/tls/cert.pem" },
        { "tls_key_file", "/srv/i $x/etc/tls/key.pem" },
        { NULL, NULL },
    };
    struct buf *out = buf_create(0, CLI_TEMPLATE_MAX);
    struct config *cfg = NULL;
    const char *error = NULL;
    size_t len, i;
    char *text = read_shipped("petrel.conf", &len);

    if (text == NULL)
        return;
    EXPECT_INT(cli_template_petrel_conf("petrel.conf", text, len, settings, "Instance", out, &error), 0);
    /* The result loads, and reads back exactly what was written. */
    test_log_capture_start();
    if (EXPECT_INT(config_load_text("/srv/i/etc", "petrel.conf", out->data, out->len, NULL, &cfg, &error),
                   0)) {
        for (i = 0; settings[i].name != NULL; i++) {
            EXPECT_TRUE(config_is_set(cfg, settings[i].name));
            EXPECT_STR(config_value(cfg, settings[i].name), settings[i].value);
        }
        config_destroy(&cfg);
    }
    test_log_capture_stop();
    /* Nothing was set twice (that would log a warning). */
    EXPECT_STR(test_log_text(), "");
    xfree(text);
    buf_destroy(&out);
}

/* main - run the cases */
/* test_master_mailbox_owner - the delivery agent's user column */
static void test_master_mailbox_owner(void)
{
    static const char line[] = "local unix - y @MAILBOX_OWNER@ n - - local\n";
    struct buf *out = buf_create(256, 4096);
    const char *error = NULL;

    EXPECT_INT(cli_template_master_conf("m", line, strlen(line), NULL, 0, "mbox", out, &error), 0);
    EXPECT_STR(buf_str(out), "local unix - y mbox n - - local\n");
    buf_reset(out);
    EXPECT_INT(cli_template_master_conf("m", line, strlen(line), NULL, 0, NULL, out, &error), 0);
    EXPECT_STR(buf_str(out), "local unix - y vmail n - - local\n");
    buf_destroy(&out);
}

int main(void)
{
    return test_run((const struct test_case[]){
        TEST_CASE(test_render_tokens),
        TEST_CASE(test_render_unknown),
        TEST_CASE(test_render_empty_value),
        TEST_CASE(test_render_limit),
        TEST_CASE(test_port_base_parse),
        TEST_CASE(test_master_instance),
        TEST_CASE(test_master_mailbox_owner),
        TEST_CASE(test_master_packaged),
        TEST_CASE(test_master_shipped),
        TEST_CASE(test_petrel_conf_block),
        TEST_CASE(test_petrel_conf_bad_settings),
        TEST_CASE(test_petrel_conf_shipped_loads),
        TEST_END,
    });
}
