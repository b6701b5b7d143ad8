/* SPDX-License-Identifier: MIT
 * cli_cert - make an EC P-256 key and a self-signed server certificate
 * with OpenSSL 3, and write both durably with safe modes.
 *
 * Input: a host name from the admin's command line or gethostname(),
 * checked here to be a DNS name before it goes into the certificate.
 * Every OpenSSL call is checked; a failure names the step and carries
 * OpenSSL's reason (ERR_error_string_n).
 */
#include "cli_cert.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "tls/tls_name.h"
#include "util/durable.h"
#include "util/err.h"

#define SERIAL_BITS 128
#define CN_MAX 64 /* ub-common-name (RFC 5280) */

/* ssl_fail - report a failed OpenSSL step with OpenSSL's first reason */
static int ssl_fail(const char **error_r, const char *step)
{
    unsigned long code = ERR_get_error();
    char reason[256];

    if (code == 0)
        snprintf(reason, sizeof(reason), "no reason given by OpenSSL");
    else
        ERR_error_string_n(code, reason, sizeof(reason));
    ERR_clear_error();
    return errf(error_r, "%s: %s", step, reason);
}

/* cli_cert_hostname_ok - a DNS host name (tls_name_ok) */
bool cli_cert_hostname_ok(const char *name)
{
    return tls_name_ok(name, strlen(name));
}

/* set_serial - a random positive 128-bit serial number */
static int set_serial(X509 *x, const char **error_r)
{
    BIGNUM *bn = BN_new();
    int ok;

    ok = bn != NULL && BN_rand(bn, SERIAL_BITS, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) == 1 && !BN_is_zero(bn)
         && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) != NULL;
    BN_free(bn);
    return ok ? 0 : ssl_fail(error_r, "make a random serial number");
}

/* set_names - subject and issuer: O=Petrel instance, CN=hostname */
static int set_names(X509 *x, const char *hostname, const char **error_r)
{
    X509_NAME *name = X509_get_subject_name(x);
    /* A longer name still sits in subjectAltName, where clients look. */
    const char *cn = strlen(hostname) <= CN_MAX ? hostname : "localhost";

    if (X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, (const unsigned char *)"Petrel instance", -1, -1,
                                   0)
            != 1
        || X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0) != 1
        || X509_set_issuer_name(x, name) != 1)
        return ssl_fail(error_r, "set the certificate's subject");
    return 0;
}

/* push_name - append one DNS name or IP address to a GENERAL_NAMES list */
static int push_name(GENERAL_NAMES *names, int type, const char *value)
{
    GENERAL_NAME *gn = a2i_GENERAL_NAME(NULL, NULL, NULL, type, value, 0);

    if (gn == NULL)
        return -1;
    if (sk_GENERAL_NAME_push(names, gn) <= 0) {
        GENERAL_NAME_free(gn);
        return -1;
    }
    return 0;
}

/* add_san - subjectAltName DNS:hostname, DNS:localhost, IP:127.0.0.1 */
static int add_san(X509 *x, const char *hostname, const char **error_r)
{
    GENERAL_NAMES *names = sk_GENERAL_NAME_new_null();
    int ok;

    /* The names are built as ASN.1 values, not parsed from "DNS:..." text,
     * so nothing in a host name can add a name of its own. */
    ok = names != NULL && push_name(names, GEN_DNS, hostname) == 0
         && (strcasecmp(hostname, "localhost") == 0 || push_name(names, GEN_DNS, "localhost") == 0)
         && push_name(names, GEN_IPADD, "127.0.0.1") == 0
         && X509_add1_ext_i2d(x, NID_subject_alt_name, names, 0, X509V3_ADD_DEFAULT) == 1;
    GENERAL_NAMES_free(names);
    return ok ? 0 : ssl_fail(error_r, "add subjectAltName");
}

/* add_ext - one extension from fixed text such as "critical,CA:FALSE" */
static int add_ext(X509 *x, int nid, const char *value, const char **error_r)
{
    X509V3_CTX ctx;
    X509_EXTENSION *ext;
    int ok;

    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
    ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
    ok = ext != NULL && X509_add_ext(x, ext, -1) == 1;
    X509_EXTENSION_free(ext);
    return ok ? 0 : ssl_fail(error_r, err_fmt("add extension %s = %s", OBJ_nid2sn(nid), value));
}

/* add_extensions - what a client expects of a server's leaf certificate */
static int add_extensions(X509 *x, const char *hostname, const char **error_r)
{
    if (add_san(x, hostname, error_r) < 0
        || add_ext(x, NID_basic_constraints, "critical,CA:FALSE", error_r) < 0
        || add_ext(x, NID_key_usage, "critical,digitalSignature", error_r) < 0
        || add_ext(x, NID_ext_key_usage, "serverAuth", error_r) < 0
        || add_ext(x, NID_subject_key_identifier, "hash", error_r) < 0)
        return -1;
    return 0;
}

/* make_cert - the signed certificate for key, or NULL */
static X509 *make_cert(EVP_PKEY *key, const char *hostname, const char **error_r)
{
    X509 *x = X509_new();

    if (x == NULL) {
        ssl_fail(error_r, "allocate a certificate");
        return NULL;
    }
    if (X509_set_version(x, X509_VERSION_3) != 1 || X509_set_pubkey(x, key) != 1
        || X509_gmtime_adj(X509_getm_notBefore(x), 0) == NULL
        || X509_time_adj_ex(X509_getm_notAfter(x), CLI_CERT_DAYS, 0, NULL) == NULL) {
        ssl_fail(error_r, "set the certificate's version, key and validity");
        X509_free(x);
        return NULL;
    }
    if (set_serial(x, error_r) < 0 || set_names(x, hostname, error_r) < 0
        || add_extensions(x, hostname, error_r) < 0) {
        X509_free(x);
        return NULL;
    }
    if (X509_sign(x, key, EVP_sha256()) <= 0) {
        ssl_fail(error_r, "sign the certificate");
        X509_free(x);
        return NULL;
    }
    return x;
}

/* write_pem - write a memory BIO's contents to path with mode and owner */
static int write_pem(BIO *bio, const char *path, mode_t mode, uid_t owner, gid_t group, const char **error_r)
{
    char *data = NULL;
    long n = BIO_get_mem_data(bio, &data);

    if (n <= 0 || data == NULL)
        return errf(error_r, "%s: nothing to write", path);
    if (durable_write_file(path, data, (size_t)n, mode, error_r) < 0)
        return -1;
    if ((owner != (uid_t)-1 || group != (gid_t)-1)
        && fchownat(AT_FDCWD, path, owner, group, AT_SYMLINK_NOFOLLOW) < 0)
        return errf(error_r, "chown %s: %s", path, strerror(errno));
    return 0;
}

/* write_key - the private key as PKCS#8 PEM, mode 0600 */
static int write_key(EVP_PKEY *key, const char *path, uid_t owner, gid_t group, const char **error_r)
{
    /* Secure memory: OpenSSL wipes the encoded key when the BIO is freed. */
    BIO *bio = BIO_new(BIO_s_secmem());
    int ret;

    if (bio == NULL)
        return ssl_fail(error_r, "allocate a buffer for the private key");
    if (PEM_write_bio_PKCS8PrivateKey(bio, key, NULL, NULL, 0, NULL, NULL) != 1)
        ret = ssl_fail(error_r, "encode the private key");
    else
        ret = write_pem(bio, path, 0600, owner, group, error_r);
    BIO_free(bio);
    return ret;
}

/* write_cert - the certificate as PEM, mode 0644 */
static int write_cert(X509 *x, const char *path, uid_t owner, gid_t group, const char **error_r)
{
    BIO *bio = BIO_new(BIO_s_mem());
    int ret;

    if (bio == NULL)
        return ssl_fail(error_r, "allocate a buffer for the certificate");
    if (PEM_write_bio_X509(bio, x) != 1)
        ret = ssl_fail(error_r, "encode the certificate");
    else
        ret = write_pem(bio, path, 0644, owner, group, error_r);
    BIO_free(bio);
    return ret;
}

/* cli_cert_generate - key, certificate, both files */
int cli_cert_generate(const char *hostname, const char *cert_path, const char *key_path, uid_t owner,
                      gid_t group, const char **error_r)
{
    EVP_PKEY *key;
    X509 *x = NULL;
    int ret = -1;

    if (!cli_cert_hostname_ok(hostname))
        return errf(error_r, "\"%s\" is not a DNS host name", hostname);
    ERR_clear_error();
    key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    if (key == NULL)
        ssl_fail(error_r, "generate an EC P-256 key");
    else if ((x = make_cert(key, hostname, error_r)) != NULL
             && write_key(key, key_path, owner, group, error_r) == 0
             && write_cert(x, cert_path, owner, group, error_r) == 0)
        ret = 0;
    X509_free(x);
    EVP_PKEY_free(key);
    return ret;
}
