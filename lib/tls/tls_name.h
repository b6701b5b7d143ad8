/* SPDX-License-Identifier: MIT
 * tls_name - is a string a DNS host name? For certificate names we make,
 * names in the SNI extension a client sends (untrusted, checked before
 * any other use: THREATS.md #28), and names we verify a server by.
 *
 * A host name is dot-separated labels of 1..63 letters, digits and
 * hyphens, no hyphen at either end of a label, 253 bytes at most, and a
 * last label that is not all digits ("10.0.0.1" is an address). No
 * trailing dot, no escapes, no NUL: the length is given, so a NUL inside
 * is seen and refused.
 */
#ifndef PETREL_TLS_NAME_H
#define PETREL_TLS_NAME_H

#include <stdbool.h>
#include <stddef.h>

#define TLS_NAME_MAX 253

/* tls_name_ok - is name[0..len) a DNS host name? */
bool tls_name_ok(const char *name, size_t len);

#endif
