/* SPDX-License-Identifier: MIT
 * cli_cert - the self-signed certificate of a "petrel init" instance.
 *
 * The key is EC P-256 (fast to make, small, 128-bit security, accepted by
 * every TLS client we test with); the certificate is X.509 v3, signed with
 * SHA-256, valid for CLI_CERT_DAYS days from now, with a random 128-bit
 * serial, subjectAltName DNS:HOSTNAME, DNS:localhost and IP:127.0.0.1,
 * basicConstraints CA:FALSE, keyUsage digitalSignature and
 * extendedKeyUsage serverAuth: what a client that checks names and usage
 * expects of a server certificate.
 *
 * The key is written as PEM (PKCS#8, unencrypted) with mode 0600 from the
 * moment its file exists; the certificate as PEM with mode 0644. Both go
 * through durable_write_file (temporary name, fsync, rename, directory
 * fsync). Key bytes in memory live in OpenSSL's secure-memory BIO and are
 * wiped when it is freed.
 *
 * See also: cli_init.c (the caller), lib/util/durable.h.
 */
#ifndef PETREL_CLI_CERT_H
#define PETREL_CLI_CERT_H

#include <stdbool.h>
#include <sys/types.h>

/* Validity of the certificate: the most that browsers and mail clients
 * accept for a server certificate. */
#define CLI_CERT_DAYS 825

/* cli_cert_hostname_ok - is name a DNS host name (letters, digits and
 * hyphens in dot-separated labels of 1..63 bytes, 253 bytes at most)? */
bool cli_cert_hostname_ok(const char *name);

/* cli_cert_generate - make a key and a self-signed certificate for
 * hostname and write them to key_path and cert_path, owned by owner and
 * group ((uid_t)-1 and (gid_t)-1 leave the ownership as created);
 * -1 with an error that names the step and OpenSSL's reason */
int cli_cert_generate(const char *hostname, const char *cert_path, const char *key_path, uid_t owner,
                      gid_t group, const char **error_r);

#endif
