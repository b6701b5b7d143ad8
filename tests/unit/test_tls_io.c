/* SPDX-License-Identifier: MIT
 * test_tls_io - lib/tls with real OpenSSL on both ends: two conns over a
 * socketpair on one event loop, one a tls_server session, the other a
 * tls_client session. Certificates are made by cli_cert (as "petrel init"
 * makes them).
 *
 * Covered: handshake and data both ways, TLS 1.3 by default, protocol
 * floors (TLS 1.1 and, with tls_min_protocol TLSv1.3, TLS 1.2 refused),
 * host name verification passing and failing, SNI choosing a certificate
 * (exact and ".domain"), malformed SNI names and foreign ALPN refused,
 * the key guard, refused settings, close_notify, and the STARTTLS
 * response-injection check.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "cli_cert.h"
#include "test.h"
#include "tls/tls_client.h"
#include "tls/tls_io.h"
#include "tls/tls_name.h"
#include "tls/tls_server.h"
#include "util/buf.h"
#include "util/conn.h"
#include "util/event.h"

static const struct tls_policy policy = {
    "TLSv1.2",
    "ECDHE+AESGCM:ECDHE+CHACHA20:DHE+AESGCM:DHE+CHACHA20:!aNULL",
    "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256",
};

static char cert_mx[512], key_mx[512], cert_other[512], key_other[512];
static struct tls_server *test_server; /* test_starttls_refuses_injected_reply */

struct end {
    struct conn *c;
    struct tls_io *io;
    struct buf *in;
    bool closed;
    enum conn_close_reason why;
};

struct pair {
    struct event_loop *loop;
    struct end srv, cli;
};

/* on_input - keep every byte */
static void on_input(struct conn *c, void *ctx)
{
    struct end *e = ctx;
    const char *p;
    size_t n = conn_input(c, &p);

    buf_append(e->in, p, n);
    conn_input_consume(c, n);
}

static void on_close(struct conn *c, enum conn_close_reason why, void *ctx)
{
    struct end *e = ctx;

    (void)c;
    e->closed = true;
    e->why = why;
}

static const struct conn_callbacks callbacks = { on_input, NULL, on_close };

/* make_certs - two instances' certificates, once */
static void make_certs(void)
{
    const char *error;

    if (cert_mx[0] != '\0')
        return;
    snprintf(cert_mx, sizeof(cert_mx), "%s/mx.pem", test_tmpdir());
    snprintf(key_mx, sizeof(key_mx), "%s/mx.key", test_tmpdir());
    snprintf(cert_other, sizeof(cert_other), "%s/other.pem", test_tmpdir());
    snprintf(key_other, sizeof(key_other), "%s/other.key", test_tmpdir());
    if (cli_cert_generate("mx.example.test", cert_mx, key_mx, (uid_t)-1, (gid_t)-1, &error) < 0
        || cli_cert_generate("other.example.test", cert_other, key_other, (uid_t)-1, (gid_t)-1, &error) < 0) {
        fprintf(stderr, "cannot make certificates: %s\n", error);
        exit(1);
    }
}

/* server_config - the mx certificate, our policy, ALPN "smtp", no guard */
static struct tls_server_config server_config(void)
{
    static const char *const alpn[] = { "smtp", NULL };
    struct tls_server_config cfg = { cert_mx, key_mx, policy, alpn, { false, NULL, 0, 0 } };

    make_certs();
    return cfg;
}

/* pair_open - two plain conns on a socketpair */
static void pair_open(struct pair *p)
{
    struct conn_params cp;
    int fds[2];

    memset(p, 0, sizeof(*p));
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) < 0)
        abort();
    conn_params_default(&cp);
    p->loop = event_loop_create();
    p->srv.in = buf_create(256, 1 << 20);
    p->cli.in = buf_create(256, 1 << 20);
    p->srv.c = conn_create(p->loop, fds[0], &cp, &callbacks, &p->srv);
    p->cli.c = conn_create(p->loop, fds[1], &cp, &callbacks, &p->cli);
}

/* pair_start - TLS on both ends: the server's SSL from s, the client's given */
static void pair_start(struct pair *p, struct tls_server *s, SSL *client)
{
    const char *error;

    p->srv.io = tls_io_start(p->srv.c, tls_server_ssl(s, &error), &error);
    p->cli.io = tls_io_start(p->cli.c, client, &error);
    if (p->srv.io == NULL || p->cli.io == NULL)
        abort();
}

/* pair_run - loop until both ends have want bytes or one closed (bounded) */
static void pair_run(struct pair *p, size_t srv_want, size_t cli_want)
{
    int rounds;

    for (rounds = 0; rounds < 2000; rounds++) {
        if (p->srv.in->len >= srv_want && p->cli.in->len >= cli_want)
            return;
        if (p->srv.closed || p->cli.closed) {
            /* let the other end see the alert or the EOF */
            (void)event_loop_run_once(p->loop, 10);
            (void)event_loop_run_once(p->loop, 10);
            return;
        }
        (void)event_loop_run_once(p->loop, 10);
    }
}

static void pair_close(struct pair *p)
{
    conn_destroy(&p->srv.c);
    conn_destroy(&p->cli.c);
    tls_io_destroy(&p->srv.io);
    tls_io_destroy(&p->cli.io);
    buf_destroy(&p->srv.in);
    buf_destroy(&p->cli.in);
    event_loop_destroy(&p->loop);
}

/* client_for - a client context trusting ca and an SSL for host */
static SSL *client_for(struct tls_client **client_r, const char *ca, const char *host, bool verify)
{
    struct tls_client_config cfg = { policy, ca };
    const char *error;
    SSL *ssl;

    *client_r = tls_client_create(&cfg, &error);
    if (*client_r == NULL || (ssl = tls_client_ssl(*client_r, host, verify, &error)) == NULL) {
        fprintf(stderr, "client: %s\n", error);
        abort();
    }
    return ssl;
}

/* peer_cn - the common name of the certificate the client got */
static const char *peer_cn(const struct pair *p, char *out, size_t size)
{
    X509 *x = SSL_get0_peer_certificate(tls_io_ssl(p->cli.io));

    out[0] = '\0';
    if (x != NULL)
        X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_commonName, out, (int)size);
    return out;
}

static void test_handshake_and_data_both_ways(void)
{
    struct tls_server_config cfg = server_config();
    struct tls_server *s;
    struct tls_client *client;
    const char *error;
    char desc[160];
    struct pair p;

    EXPECT_TRUE((s = tls_server_create(&cfg, &error)) != NULL);
    pair_open(&p);
    pair_start(&p, s, client_for(&client, cert_mx, "mx.example.test", true));
    /* queued before the handshake: goes out once it is done */
    EXPECT_INT(conn_write(p.cli.c, "EHLO client\r\n", 13), 0);
    EXPECT_INT(conn_write(p.srv.c, "220 ready\r\n", 11), 0);
    pair_run(&p, 13, 11);
    EXPECT_MEM(p.srv.in->data, p.srv.in->len, "EHLO client\r\n", (size_t)13);
    EXPECT_MEM(p.cli.in->data, p.cli.in->len, "220 ready\r\n", (size_t)11);
    EXPECT_TRUE(tls_io_done(p.srv.io));
    EXPECT_STR(tls_io_version(p.srv.io), "TLSv1.3");
    EXPECT_TRUE(tls_client_verified(tls_io_ssl(p.cli.io)));
    tls_io_describe(p.srv.io, desc, sizeof(desc));
    EXPECT_STR(desc, "TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)");
    pair_close(&p);
    tls_client_destroy(&client);
    tls_server_destroy(&s);
}

static void test_close_notify_is_eof(void)
{
    struct tls_server_config cfg = server_config();
    struct tls_server *s = tls_server_create(&cfg, NULL);
    struct tls_client *client;
    struct pair p;

    pair_open(&p);
    pair_start(&p, s, client_for(&client, cert_mx, "mx.example.test", true));
    EXPECT_INT(conn_write(p.srv.c, "221 bye\r\n", 9), 0);
    conn_close_after_flush(p.srv.c);
    pair_run(&p, 0, 9);
    pair_run(&p, 0, 100); /* until the client saw the end */
    EXPECT_MEM(p.cli.in->data, p.cli.in->len, "221 bye\r\n", (size_t)9);
    EXPECT_TRUE(p.cli.closed);
    EXPECT_INT(p.cli.why, CONN_CLOSE_EOF);
    EXPECT_STR(tls_io_error(p.cli.io), "");
    pair_close(&p);
    tls_client_destroy(&client);
    tls_server_destroy(&s);
}

static void test_wrong_host_fails_verification(void)
{
    struct tls_server_config cfg = server_config();
    struct tls_server *s = tls_server_create(&cfg, NULL);
    struct tls_client *client;
    struct pair p;

    pair_open(&p);
    pair_start(&p, s, client_for(&client, cert_mx, "wrong.example.test", true));
    EXPECT_INT(conn_write(p.cli.c, "EHLO x\r\n", 8), 0);
    pair_run(&p, 8, 0);
    EXPECT_TRUE(p.cli.closed);
    EXPECT_INT(p.cli.why, CONN_CLOSE_ERROR);
    EXPECT_CONTAINS(tls_io_error(p.cli.io), "certificate verify failed");
    EXPECT_INT(p.srv.in->len, 0);
    pair_close(&p);
    tls_client_destroy(&client);

    /* opportunistic: the same peer is spoken to, and known unverified */
    pair_open(&p);
    pair_start(&p, s, client_for(&client, cert_mx, "wrong.example.test", false));
    EXPECT_INT(conn_write(p.cli.c, "EHLO x\r\n", 8), 0);
    pair_run(&p, 8, 0);
    EXPECT_INT(p.srv.in->len, 8);
    EXPECT_FALSE(tls_client_verified(tls_io_ssl(p.cli.io)));
    pair_close(&p);
    tls_client_destroy(&client);

    /* an untrusted CA fails even with the right name */
    pair_open(&p);
    pair_start(&p, s, client_for(&client, cert_other, "mx.example.test", true));
    EXPECT_INT(conn_write(p.cli.c, "EHLO x\r\n", 8), 0);
    pair_run(&p, 8, 0);
    EXPECT_TRUE(p.cli.closed);
    EXPECT_CONTAINS(tls_io_error(p.cli.io), "certificate verify failed");
    pair_close(&p);
    tls_client_destroy(&client);
    tls_server_destroy(&s);
}

/* old_client - an SSL that offers at most version (with a cipher list
 * old enough to allow it) */
static SSL *old_client(struct tls_client **client_r, int version)
{
    SSL *ssl = client_for(client_r, cert_mx, "mx.example.test", false);

    SSL_set_min_proto_version(ssl, TLS1_VERSION);
    SSL_set_max_proto_version(ssl, version);
    SSL_set_security_level(ssl, 0);
    SSL_set_cipher_list(ssl, "DEFAULT:@SECLEVEL=0");
    return ssl;
}

static void test_old_protocols_refused(void)
{
    struct tls_server_config cfg = server_config();
    struct tls_server *s = tls_server_create(&cfg, NULL), *s13;
    struct tls_client *client;
    struct pair p;

    pair_open(&p);
    pair_start(&p, s, old_client(&client, TLS1_1_VERSION));
    pair_run(&p, 1, 1);
    EXPECT_TRUE(p.srv.closed);
    EXPECT_INT(p.srv.why, CONN_CLOSE_ERROR);
    EXPECT_CONTAINS(tls_io_error(p.srv.io), "unsupported protocol");
    pair_close(&p);
    tls_client_destroy(&client);

    /* TLS 1.2 is served by default ... */
    pair_open(&p);
    pair_start(&p, s, old_client(&client, TLS1_2_VERSION));
    EXPECT_INT(conn_write(p.cli.c, "x\n", 2), 0);
    pair_run(&p, 2, 0);
    EXPECT_STR(tls_io_version(p.srv.io), "TLSv1.2");
    EXPECT_CONTAINS(tls_io_cipher(p.srv.io), "ECDHE");
    pair_close(&p);
    tls_client_destroy(&client);

    /* ... and refused with tls_min_protocol = TLSv1.3 */
    cfg.policy.min_version = "TLSv1.3";
    s13 = tls_server_create(&cfg, NULL);
    pair_open(&p);
    pair_start(&p, s13, old_client(&client, TLS1_2_VERSION));
    pair_run(&p, 1, 1);
    EXPECT_TRUE(p.srv.closed);
    EXPECT_CONTAINS(tls_io_error(p.srv.io), "unsupported protocol");
    pair_close(&p);
    tls_client_destroy(&client);
    tls_server_destroy(&s13);
    tls_server_destroy(&s);
}

static void test_sni_chooses_certificate(void)
{
    struct tls_server_config cfg = server_config();
    struct tls_server *s = tls_server_create(&cfg, NULL);
    struct tls_client *client;
    const char *error;
    char cn[128];
    struct pair p;
    size_t i;
    static const struct {
        const char *host;
        const char *cn;
    } cases[] = {
        { "other.example.test", "other.example.test" },      /* exact */
        { "OTHER.Example.Test", "other.example.test" },      /* any case */
        { "a.b.parent.example.test", "other.example.test" }, /* below .parent */
        { "parent.example.test", "mx.example.test" },        /* *.parent is not parent */
        { "unknown.example.test", "mx.example.test" },       /* the default */
    };

    EXPECT_INT(tls_server_add_sni(s, "other.example.test", cert_other, key_other, &error), 0);
    EXPECT_INT(tls_server_add_sni(s, "*.parent.example.test", cert_other, key_other, &error), 0);
    EXPECT_INT(tls_server_add_sni(s, "bad name", cert_other, key_other, &error), -1);
    EXPECT_CONTAINS(error, "not a host name");
    EXPECT_INT(tls_server_add_sni(s, "x.example.test", cert_other, "/nonexistent.key", &error), -1);
    EXPECT_CONTAINS(error, "/nonexistent.key");
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        pair_open(&p);
        pair_start(&p, s, client_for(&client, cert_other, cases[i].host, false));
        EXPECT_INT(conn_write(p.cli.c, "x\n", 2), 0);
        pair_run(&p, 2, 0);
        if (!EXPECT_STR(peer_cn(&p, cn, sizeof(cn)), cases[i].cn))
            fprintf(stderr, "  for SNI %s\n", cases[i].host);
        pair_close(&p);
        tls_client_destroy(&client);
    }
    /* the chosen certificate verifies for its own name */
    pair_open(&p);
    pair_start(&p, s, client_for(&client, cert_other, "other.example.test", true));
    EXPECT_INT(conn_write(p.cli.c, "x\n", 2), 0);
    pair_run(&p, 2, 0);
    EXPECT_TRUE(tls_client_verified(tls_io_ssl(p.cli.io)));
    pair_close(&p);
    tls_client_destroy(&client);
    tls_server_destroy(&s);
}

/* raw_client - a client SSL without tls_client's checks, for hostile hellos */
static SSL *raw_client(SSL_CTX **ctx_r)
{
    SSL *ssl;

    *ctx_r = SSL_CTX_new(TLS_client_method());
    ssl = SSL_new(*ctx_r);
    SSL_set_connect_state(ssl);
    return ssl;
}

static void test_malformed_sni_refused(void)
{
    struct tls_server_config cfg = server_config();
    struct tls_server *s = tls_server_create(&cfg, NULL);
    char longname[300];
    const char *names[] = { "a\\",    "-bad.example.test", "bad_name.example.test", "10.0.0.1",
                            longname, "trailing.dot." };
    SSL_CTX *ctx;
    struct pair p;
    SSL *ssl;
    size_t i;

    memset(longname, 'a', sizeof(longname) - 1);
    longname[sizeof(longname) - 1] = '\0';
    longname[250] = '.';
    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        ssl = raw_client(&ctx);
        if (SSL_set_tlsext_host_name(ssl, names[i]) != 1) {
            /* OpenSSL itself refuses to send it (the 299-byte name) */
            SSL_free(ssl);
            SSL_CTX_free(ctx);
            EXPECT_INT(i, 4);
            continue;
        }
        test_log_capture_start();
        pair_open(&p);
        pair_start(&p, s, ssl);
        EXPECT_INT(conn_write(p.cli.c, "x\n", 2), 0);
        pair_run(&p, 2, 0);
        test_log_capture_stop();
        if (!EXPECT_TRUE(p.srv.closed && p.srv.in->len == 0))
            fprintf(stderr, "  for SNI %s\n", names[i]);
        EXPECT_LOG("malformed SNI name");
        EXPECT_CONTAINS(tls_io_error(p.cli.io), "unrecognized name");
        pair_close(&p);
        SSL_CTX_free(ctx);
    }
    tls_server_destroy(&s);
}

static void test_foreign_alpn_refused(void)
{
    struct tls_server_config cfg = server_config();
    struct tls_server *s = tls_server_create(&cfg, NULL);
    static const unsigned char http[] = "\x08http/1.1", smtp[] = "\x08http/1.1\x04smtp";
    const unsigned char *chosen;
    unsigned int chosen_len;
    SSL_CTX *ctx;
    struct pair p;
    SSL *ssl;

    ssl = raw_client(&ctx);
    SSL_set_alpn_protos(ssl, http, sizeof(http) - 1);
    test_log_capture_start();
    pair_open(&p);
    pair_start(&p, s, ssl);
    EXPECT_INT(conn_write(p.cli.c, "GET / HTTP/1.1\r\n", 16), 0);
    pair_run(&p, 16, 0);
    test_log_capture_stop();
    EXPECT_INT(p.srv.in->len, 0);
    EXPECT_LOG("ALPN offers none of this service's protocols");
    EXPECT_CONTAINS(tls_io_error(p.cli.io), "no application protocol");
    pair_close(&p);
    SSL_CTX_free(ctx);

    /* a client that names ours among others is served, and told so */
    ssl = raw_client(&ctx);
    SSL_set_alpn_protos(ssl, smtp, sizeof(smtp) - 1);
    pair_open(&p);
    pair_start(&p, s, ssl);
    EXPECT_INT(conn_write(p.cli.c, "EHLO x\r\n", 8), 0);
    pair_run(&p, 8, 0);
    EXPECT_INT(p.srv.in->len, 8);
    SSL_get0_alpn_selected(tls_io_ssl(p.cli.io), &chosen, &chosen_len);
    EXPECT_MEM(chosen, chosen_len, "smtp", (size_t)4);
    pair_close(&p);
    SSL_CTX_free(ctx);
    tls_server_destroy(&s);
}

/* copy_key - the mx key under a new name with mode */
static const char *copy_key(const char *name, mode_t mode)
{
    static char path[600];
    char buf[8192];
    FILE *in = fopen(key_mx, "r"), *out;
    size_t n;

    snprintf(path, sizeof(path), "%s/%s", test_tmpdir(), name);
    out = fopen(path, "w");
    if (in == NULL || out == NULL)
        abort();
    n = fread(buf, 1, sizeof(buf), in);
    fwrite(buf, 1, n, out);
    fclose(in);
    fclose(out);
    if (chmod(path, mode) < 0)
        abort();
    return path;
}

static void test_key_guard(void)
{
    struct tls_server_config cfg = server_config();
    struct tls_server *s;
    const char *error;
    struct stat st;

    cfg.key_file = copy_key("world.key", 0644);
    EXPECT_TRUE(tls_server_create(&cfg, &error) == NULL);
    EXPECT_CONTAINS(error, "readable by every user");

    cfg.key_file = copy_key("owned.key", 0600);
    cfg.guard = (struct tls_key_guard){ true, "nobody", getuid(), 65534 };
    EXPECT_TRUE(tls_server_create(&cfg, &error) == NULL);
    EXPECT_CONTAINS(error, "owned by the unprivileged user");

    cfg.key_file = copy_key("group.key", 0640);
    if (stat(cfg.key_file, &st) < 0)
        abort();
    cfg.guard = (struct tls_key_guard){ true, "nobody", getuid() + 1, st.st_gid };
    EXPECT_TRUE(tls_server_create(&cfg, &error) == NULL);
    EXPECT_CONTAINS(error, "its group, readable, includes the unprivileged user");

    /* the same 0640 file, a user outside its group: fine */
    cfg.guard = (struct tls_key_guard){ true, "nobody", getuid() + 1, st.st_gid + 1 };
    if (getuid() == 0) {
        /* "nobody" is in no group of root's files */
        EXPECT_TRUE((s = tls_server_create(&cfg, &error)) != NULL);
        tls_server_destroy(&s);
    }
    cfg.key_file = copy_key("private.key", 0600);
    EXPECT_TRUE((s = tls_server_create(&cfg, &error)) != NULL);
    tls_server_destroy(&s);
}

static void test_bad_settings_refused(void)
{
    struct tls_server_config cfg = server_config(), bad;
    const char *error;

    bad = cfg;
    bad.policy.min_version = "TLSv1.1";
    EXPECT_TRUE(tls_server_create(&bad, &error) == NULL);
    EXPECT_CONTAINS(error, "unsupported minimum TLS version \"TLSv1.1\"");
    bad = cfg;
    bad.policy.cipher_list = "NO-SUCH-CIPHER";
    EXPECT_TRUE(tls_server_create(&bad, &error) == NULL);
    EXPECT_CONTAINS(error, "TLS cipher list \"NO-SUCH-CIPHER\"");
    bad = cfg;
    bad.policy.ciphersuites = "TLS_NOPE";
    EXPECT_TRUE(tls_server_create(&bad, &error) == NULL);
    EXPECT_CONTAINS(error, "TLS 1.3 cipher suites");
    bad = cfg;
    bad.cert_file = "/nonexistent/cert.pem";
    EXPECT_TRUE(tls_server_create(&bad, &error) == NULL);
    EXPECT_CONTAINS(error, "/nonexistent/cert.pem");
    bad = cfg;
    bad.key_file = key_other;
    EXPECT_TRUE(tls_server_create(&bad, &error) == NULL);
    EXPECT_CONTAINS(error, "key values mismatch");
    bad = cfg;
    bad.cert_file = "";
    EXPECT_TRUE(tls_server_create(&bad, &error) == NULL);
    EXPECT_CONTAINS(error, "no TLS certificate or key file");
}

/* on_first_line - a client that reads the STARTTLS reply line and stops */
static void on_first_line(struct conn *c, void *ctx)
{
    struct end *e = ctx;
    struct conn_line line;

    if (e->in->len == 0 && conn_read_line(c, &line) == 1) {
        buf_append(e->in, line.data, line.len);
        conn_pause_input(c);
    }
}

static const struct conn_callbacks line_callbacks = { on_first_line, NULL, on_close };

/* starttls_after - the server says reply; the client takes its first line
 * and starts TLS: the tls_io, or NULL with *error_r */
static struct tls_io *starttls_after(const char *reply, const char **error_r)
{
    struct tls_client *client;
    struct conn_params cp;
    struct tls_io *io;
    struct pair p;
    int fds[2], i;

    pair_open(&p);
    conn_destroy(&p.cli.c);
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) < 0)
        abort();
    conn_destroy(&p.srv.c);
    conn_params_default(&cp);
    p.srv.c = conn_create(p.loop, fds[0], &cp, &callbacks, &p.srv);
    p.cli.c = conn_create(p.loop, fds[1], &cp, &line_callbacks, &p.cli);
    EXPECT_INT(conn_write(p.srv.c, reply, strlen(reply)), 0);
    for (i = 0; i < 20 && p.cli.in->len == 0; i++)
        (void)event_loop_run_once(p.loop, 10);
    EXPECT_MEM(p.cli.in->data, p.cli.in->len, "220 go ahead", (size_t)12);
    io = tls_io_starttls(p.cli.c, client_for(&client, cert_mx, "mx.example.test", true), error_r);
    if (io != NULL) {
        p.cli.io = io;
        conn_resume_input(p.cli.c);
        p.srv.io = tls_io_start(p.srv.c, tls_server_ssl(test_server, error_r), error_r);
        EXPECT_INT(conn_write(p.cli.c, "EHLO x\r\n", 8), 0);
        pair_run(&p, 8, 0);
        EXPECT_MEM(p.srv.in->data, p.srv.in->len, "EHLO x\r\n", (size_t)8);
        io = (struct tls_io *)1; /* started, and freed below */
    }
    pair_close(&p);
    tls_client_destroy(&client);
    return io;
}

static void test_starttls_refuses_injected_reply(void)
{
    struct tls_server_config cfg = server_config();
    const char *error;

    test_server = tls_server_create(&cfg, NULL);
    /* the 220 alone: TLS starts */
    EXPECT_TRUE(starttls_after("220 go ahead\r\n", &error) != NULL);
    /* a forged reply behind the 220, in the same segment (THREATS.md #24) */
    EXPECT_TRUE(starttls_after("220 go ahead\r\n250 forged\r\n", &error) == NULL);
    EXPECT_STR(error, "12 bytes arrived after STARTTLS, before the TLS handshake");
    tls_server_destroy(&test_server);
}

static void test_names(void)
{
    EXPECT_TRUE(tls_name_ok("mx.example.test", 15));
    EXPECT_TRUE(tls_name_ok("localhost", 9));
    EXPECT_TRUE(tls_name_ok("xn--bcher-kva.example", 21));
    EXPECT_FALSE(tls_name_ok("mx.example.test\0evil", 20)); /* NUL inside */
    EXPECT_FALSE(tls_name_ok("", 0));
    EXPECT_FALSE(tls_name_ok(".", 1));
    EXPECT_FALSE(tls_name_ok("a..b", 4));
    EXPECT_FALSE(tls_name_ok("a.", 2));
    EXPECT_FALSE(tls_name_ok("*.example.test", 14));
    EXPECT_FALSE(tls_name_ok("192.0.2.1", 9));
    EXPECT_TRUE(tls_name_ok("192.0.2.a1", 10));
}

int main(void)
{
    return test_run((const struct test_case[]){
        TEST_CASE(test_handshake_and_data_both_ways),
        TEST_CASE(test_close_notify_is_eof),
        TEST_CASE(test_wrong_host_fails_verification),
        TEST_CASE(test_old_protocols_refused),
        TEST_CASE(test_sni_chooses_certificate),
        TEST_CASE(test_malformed_sni_refused),
        TEST_CASE(test_foreign_alpn_refused),
        TEST_CASE(test_key_guard),
        TEST_CASE(test_bad_settings_refused),
        TEST_CASE(test_starttls_refuses_injected_reply),
        TEST_CASE(test_names),
        TEST_END,
    });
}
