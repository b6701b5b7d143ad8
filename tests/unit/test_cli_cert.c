/* SPDX-License-Identifier: MIT
 * test_cli_cert - the self-signed certificate of "petrel init": generated
 * into a scratch directory, then loaded back with OpenSSL and checked
 * (names, usage, validity, serial, key type, file modes), and used for a
 * real TLS handshake in memory with a client that verifies it.
 */
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "cli_cert.h"
#include "test.h"
#include "util/alloc.h"
#include "util/durable.h"

/* path_in - a file name in the scratch directory (caller frees) */
static char *path_in(const char *name)
{
    return xasprintf("%s/%s", test_tmpdir(), name);
}

/* load_cert - read a PEM certificate, or NULL */
static X509 *load_cert(const char *path)
{
    FILE *fp = fopen(path, "r");
    X509 *x;

    if (fp == NULL)
        return NULL;
    x = PEM_read_X509(fp, NULL, NULL, NULL);
    fclose(fp);
    return x;
}

/* load_key - read a PEM private key, or NULL */
static EVP_PKEY *load_key(const char *path)
{
    FILE *fp = fopen(path, "r");
    EVP_PKEY *k;

    if (fp == NULL)
        return NULL;
    k = PEM_read_PrivateKey(fp, NULL, NULL, NULL);
    fclose(fp);
    return k;
}

/* file_mode - permission bits of path, or -1 */
static int file_mode(const char *path)
{
    struct stat st;

    return stat(path, &st) < 0 ? -1 : (int)(st.st_mode & 07777);
}

/* generate - make cert NAME.crt and key NAME.key for host; 0 or -1 */
static int generate(const char *host, const char *name, char **cert_r, char **key_r, const char **error_r)
{
    char *c = xasprintf("%s.crt", name), *k = xasprintf("%s.key", name);

    *cert_r = path_in(c);
    *key_r = path_in(k);
    xfree(c);
    xfree(k);
    return cli_cert_generate(host, *cert_r, *key_r, (uid_t)-1, (gid_t)-1, error_r);
}

/* test_hostname_ok - DNS host names accepted, everything else refused */
static void test_hostname_ok(void)
{
    static const char *const good[] = {
        "localhost",
        "mail.example.org",
        "a-b.c",
        "x1",
        "MAIL.Example.ORG",
        "0a.example",
        "a.b2",
        "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijk.example",
    };
    static const char *const bad[] = {
        "",           "bad host",
        "-a.example", "a-.example",
        "a..b",       ".a",
        "a.",         "a_b.example",
        "a,DNS:evil", "10.0.0.1",
        "host.123",   "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijkl.example",
    };
    char longname[300];
    size_t i;

    for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
        if (!EXPECT_TRUE(cli_cert_hostname_ok(good[i])))
            fprintf(stderr, "  good: \"%s\"\n", good[i]);
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (!EXPECT_FALSE(cli_cert_hostname_ok(bad[i])))
            fprintf(stderr, "  bad: \"%s\"\n", bad[i]);
    /* 254 bytes: one too many. */
    memset(longname, 'a', 254);
    for (i = 50; i < 254; i += 51)
        longname[i] = '.';
    longname[254] = '\0';
    EXPECT_FALSE(cli_cert_hostname_ok(longname));
    longname[253] = '\0';
    EXPECT_TRUE(cli_cert_hostname_ok(longname));
}

/* check_san - exactly DNS:host, DNS:localhost, IP:127.0.0.1 */
static void check_san(X509 *x, const char *host)
{
    GENERAL_NAMES *names = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
    const ASN1_STRING *dns;
    int type = -1;

    if (!EXPECT_TRUE(names != NULL))
        return;
    if (EXPECT_INT(sk_GENERAL_NAME_num(names), 3)) {
        dns = GENERAL_NAME_get0_value(sk_GENERAL_NAME_value(names, 0), &type);
        EXPECT_INT(type, GEN_DNS);
        EXPECT_STR((const char *)ASN1_STRING_get0_data(dns), host);
    }
    GENERAL_NAMES_free(names);
    EXPECT_INT(X509_check_host(x, host, 0, 0, NULL), 1);
    EXPECT_INT(X509_check_host(x, "localhost", 0, 0, NULL), 1);
    EXPECT_INT(X509_check_ip_asc(x, "127.0.0.1", 0), 1);
    EXPECT_INT(X509_check_host(x, "other.example.org", 0, 0, NULL), 0);
    EXPECT_INT(X509_check_ip_asc(x, "127.0.0.2", 0), 0);
}

/* check_fields - version, usage, signature, validity, serial */
static void check_fields(X509 *x)
{
    BIGNUM *serial = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
    time_t soon = time(NULL) + 60;
    int days = -1, secs = -1;

    EXPECT_INT(X509_get_version(x), X509_VERSION_3);
    EXPECT_INT(X509_check_ca(x), 0);
    EXPECT_TRUE((X509_get_extension_flags(x) & EXFLAG_BCONS) != 0);
    EXPECT_TRUE((X509_get_extension_flags(x) & EXFLAG_CA) == 0);
    EXPECT_INT(X509_get_key_usage(x), KU_DIGITAL_SIGNATURE);
    EXPECT_INT(X509_get_extended_key_usage(x), XKU_SSL_SERVER);
    EXPECT_INT(X509_get_signature_nid(x), NID_ecdsa_with_SHA256);
    EXPECT_TRUE(ASN1_TIME_diff(&days, &secs, X509_get0_notBefore(x), X509_get0_notAfter(x)) == 1);
    EXPECT_INT(days, CLI_CERT_DAYS);
    EXPECT_INT(secs, 0);
    /* Valid from now: not in the future, not long past. */
    EXPECT_INT(X509_cmp_time(X509_get0_notBefore(x), &soon), -1);
    soon -= 600;
    EXPECT_INT(X509_cmp_time(X509_get0_notBefore(x), &soon), 1);
    /* 128 random bits: fewer than 65 significant ones happens once in 2^64. */
    EXPECT_TRUE(serial != NULL && !BN_is_negative(serial) && BN_num_bits(serial) > 64
                && BN_num_bits(serial) <= 128);
    BN_free(serial);
}

/* test_generate_and_load - the pair loads, matches, and has the right fields */
static void test_generate_and_load(void)
{
    const char *error = NULL;
    char *cert, *key, group[64] = "";
    EVP_PKEY *pkey;
    X509 *x;

    if (!EXPECT_INT(generate("mail.example.org", "one", &cert, &key, &error), 0))
        fprintf(stderr, "  %s\n", error);
    x = load_cert(cert);
    pkey = load_key(key);
    if (EXPECT_TRUE(x != NULL) && EXPECT_TRUE(pkey != NULL)) {
        EXPECT_INT(X509_check_private_key(x, pkey), 1);
        EXPECT_INT(X509_verify(x, pkey), 1);
        EXPECT_INT(EVP_PKEY_get_base_id(pkey), EVP_PKEY_EC);
        EXPECT_INT(EVP_PKEY_get_group_name(pkey, group, sizeof(group), NULL), 1);
        EXPECT_STR(group, "prime256v1");
        check_san(x, "mail.example.org");
        check_fields(x);
    }
    EXPECT_INT(file_mode(key), 0600);
    EXPECT_INT(file_mode(cert), 0644);
    X509_free(x);
    EVP_PKEY_free(pkey);
    xfree(cert);
    xfree(key);
}

/* test_key_file_format - PKCS#8 PEM key, PEM certificate */
static void test_key_file_format(void)
{
    const char *error = NULL;
    char *cert, *key, *text = NULL;
    size_t len;

    EXPECT_INT(generate("localhost", "fmt", &cert, &key, &error), 0);
    /* PKCS#8, unencrypted. */
    if (EXPECT_INT(read_file(key, 65536, &text, &len, &error), 0))
        EXPECT_TRUE(strncmp(text, "-----BEGIN PRIVATE KEY-----\n", 28) == 0);
    xfree(text);
    if (EXPECT_INT(read_file(cert, 65536, &text, &len, &error), 0))
        EXPECT_TRUE(strncmp(text, "-----BEGIN CERTIFICATE-----\n", 28) == 0);
    xfree(text);
    xfree(cert);
    xfree(key);
}

/* test_modes_ignore_umask - 0600 and 0644 whatever the umask */
static void test_modes_ignore_umask(void)
{
    const char *error = NULL;
    char *cert, *key;
    mode_t old = umask(0);

    /* umask 0 must not open the key up; umask 077 must not hide the cert. */
    EXPECT_INT(generate("localhost", "umask0", &cert, &key, &error), 0);
    EXPECT_INT(file_mode(key), 0600);
    xfree(cert);
    xfree(key);
    umask(077);
    EXPECT_INT(generate("localhost", "umask77", &cert, &key, &error), 0);
    EXPECT_INT(file_mode(cert), 0644);
    EXPECT_INT(file_mode(key), 0600);
    umask(old);
    xfree(cert);
    xfree(key);
}

/* test_localhost_and_long_name - no duplicate localhost; long names stay in the SAN */
static void test_localhost_and_long_name(void)
{
    static const char long_host[] = "a-rather-long-host-name-that-does-not-fit.in-a-common-name.example.org";
    const char *error = NULL;
    char *cert, *key;
    X509 *x;

    /* "localhost" is not listed twice. */
    EXPECT_INT(generate("localhost", "lh", &cert, &key, &error), 0);
    if (EXPECT_TRUE((x = load_cert(cert)) != NULL)) {
        GENERAL_NAMES *names = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);

        EXPECT_INT(sk_GENERAL_NAME_num(names), 2);
        GENERAL_NAMES_free(names);
        X509_free(x);
    }
    xfree(cert);
    xfree(key);
    /* Longer than a common name may be: still in subjectAltName. */
    EXPECT_TRUE(strlen(long_host) > 64);
    EXPECT_INT(generate(long_host, "long", &cert, &key, &error), 0);
    if (EXPECT_TRUE((x = load_cert(cert)) != NULL)) {
        check_san(x, long_host);
        X509_free(x);
    }
    xfree(cert);
    xfree(key);
}

/* test_serials_differ - two certificates never share a serial */
static void test_serials_differ(void)
{
    const char *error = NULL;
    char *c1, *k1, *c2, *k2;
    X509 *x1, *x2;

    EXPECT_INT(generate("localhost", "s1", &c1, &k1, &error), 0);
    EXPECT_INT(generate("localhost", "s2", &c2, &k2, &error), 0);
    x1 = load_cert(c1);
    x2 = load_cert(c2);
    if (EXPECT_TRUE(x1 != NULL && x2 != NULL))
        EXPECT_TRUE(ASN1_INTEGER_cmp(X509_get0_serialNumber(x1), X509_get0_serialNumber(x2)) != 0);
    X509_free(x1);
    X509_free(x2);
    xfree(c1);
    xfree(k1);
    xfree(c2);
    xfree(k2);
}

/* test_errors - a bad host name or an unwritable path is an error */
static void test_errors(void)
{
    const char *error = NULL;
    char *cert = path_in("e.crt"), *key = path_in("e.key");
    char *missing = path_in("no/such/dir/e.key");

    EXPECT_INT(cli_cert_generate("bad host", cert, key, (uid_t)-1, (gid_t)-1, &error), -1);
    EXPECT_CONTAINS(error, "not a DNS host name");
    EXPECT_INT(cli_cert_generate("localhost", cert, missing, (uid_t)-1, (gid_t)-1, &error), -1);
    EXPECT_CONTAINS(error, "no/such/dir/e.key");
    EXPECT_INT(file_mode(cert), -1);
    xfree(cert);
    xfree(key);
    xfree(missing);
}

/* test_no_temporary_files_left - no temporary file survives */
static void test_no_temporary_files_left(void)
{
    struct dirent *e;
    DIR *d = opendir(test_tmpdir());

    if (!EXPECT_TRUE(d != NULL))
        return;
    while ((e = readdir(d)) != NULL)
        if (!EXPECT_TRUE(strstr(e->d_name, ".tmp.") == NULL))
            fprintf(stderr, "  left behind: %s\n", e->d_name);
    closedir(d);
}

/* test_owner_as_root - files are given to the owner asked for */
static void test_owner_as_root(void)
{
    const char *error = NULL;
    char *cert = path_in("own.crt"), *key = path_in("own.key");
    struct stat st;

    /* Only root can give files away; others pass -1 and keep them. */
    if (geteuid() == 0) {
        EXPECT_INT(cli_cert_generate("localhost", cert, key, 65534, 65534, &error), 0);
        EXPECT_TRUE(stat(key, &st) == 0 && st.st_uid == 65534 && st.st_gid == 65534);
        EXPECT_INT(file_mode(key), 0600);
    } else {
        EXPECT_INT(cli_cert_generate("localhost", cert, key, geteuid(), getegid(), &error), 0);
        EXPECT_TRUE(stat(key, &st) == 0 && st.st_uid == geteuid());
    }
    xfree(cert);
    xfree(key);
}

/* handshake - TLS between a server with cert/key and a client that trusts
 * cert and checks host; 1 when it completes, with the client's verdict */
static int handshake(const char *cert, const char *key, X509 *trust, const char *host, long *verify_r)
{
    SSL_CTX *sctx = SSL_CTX_new(TLS_server_method()), *cctx = SSL_CTX_new(TLS_client_method());
    SSL *s = NULL, *c = NULL;
    BIO *bs = NULL, *bc = NULL;
    int i, rs = 0, rc = 0;

    if (sctx == NULL || cctx == NULL || SSL_CTX_use_certificate_file(sctx, cert, SSL_FILETYPE_PEM) != 1
        || SSL_CTX_use_PrivateKey_file(sctx, key, SSL_FILETYPE_PEM) != 1
        || X509_STORE_add_cert(SSL_CTX_get_cert_store(cctx), trust) != 1 || (s = SSL_new(sctx)) == NULL
        || (c = SSL_new(cctx)) == NULL || BIO_new_bio_pair(&bs, 0, &bc, 0) != 1)
        goto done;
    SSL_set_verify(c, SSL_VERIFY_PEER, NULL);
    SSL_set1_host(c, host);
    SSL_set_bio(s, bs, bs);
    SSL_set_bio(c, bc, bc);
    SSL_set_accept_state(s);
    SSL_set_connect_state(c);
    for (i = 0; i < 50 && (rc != 1 || rs != 1); i++) {
        if (rc != 1 && (rc = SSL_do_handshake(c)) < 0 && SSL_get_error(c, rc) != SSL_ERROR_WANT_READ)
            break;
        if (rs != 1 && (rs = SSL_do_handshake(s)) < 0 && SSL_get_error(s, rs) != SSL_ERROR_WANT_READ)
            break;
    }
    *verify_r = SSL_get_verify_result(c);
done:
    SSL_free(s);
    SSL_free(c);
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
    return rc == 1 && rs == 1;
}

/* test_tls_handshake - a verifying client accepts the certificate for its names only */
static void test_tls_handshake(void)
{
    const char *error = NULL;
    char *cert, *key;
    long verify = -1;
    X509 *x;

    EXPECT_INT(generate("tls.example.org", "tls", &cert, &key, &error), 0);
    if (EXPECT_TRUE((x = load_cert(cert)) != NULL)) {
        EXPECT_INT(handshake(cert, key, x, "tls.example.org", &verify), 1);
        EXPECT_INT(verify, X509_V_OK);
        EXPECT_INT(handshake(cert, key, x, "localhost", &verify), 1);
        EXPECT_INT(verify, X509_V_OK);
        /* A client that expects another name refuses the certificate. */
        EXPECT_INT(handshake(cert, key, x, "wrong.example.org", &verify), 0);
        EXPECT_INT(verify, X509_V_ERR_HOSTNAME_MISMATCH);
        X509_free(x);
    }
    xfree(cert);
    xfree(key);
}

/* main - run the cases */
int main(void)
{
    return test_run((const struct test_case[]){
        TEST_CASE(test_hostname_ok),
        TEST_CASE(test_generate_and_load),
        TEST_CASE(test_key_file_format),
        TEST_CASE(test_modes_ignore_umask),
        TEST_CASE(test_localhost_and_long_name),
        TEST_CASE(test_serials_differ),
        TEST_CASE(test_errors),
        TEST_CASE(test_owner_as_root),
        TEST_CASE(test_tls_handshake),
        TEST_CASE(test_no_temporary_files_left),
        TEST_END,
    });
}
