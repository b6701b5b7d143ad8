/* SPDX-License-Identifier: MIT
 * sasl_b64 - base64 (RFC 4648 section 4) for SASL exchanges, strict: the
 * client's responses are untrusted (THREATS.md #32).
 *
 * Decoding accepts only the canonical encoding: a length that is a
 * multiple of 4, the 64 letters of the alphabet, '=' only as one or two
 * final pad characters, and zero bits where the padding leaves bits over
 * ("QQ==" yes, "QR==" no). No white space, no line breaks. The output
 * length is computed exactly before anything is written.
 */
#ifndef PETREL_SASL_SASL_B64_H
#define PETREL_SASL_SASL_B64_H

#include <stddef.h>

struct buf;

/* sasl_b64_decoded_max - bytes that len characters can decode to */
#define sasl_b64_decoded_max(len) ((len) / 4 * 3)

/* sasl_b64_decode - in[0..len) into out (room for size bytes); 0 and
 * *out_len, or -1 for anything but canonical base64 or too little room.
 * With out NULL it only checks, and says how long the result would be. */
int sasl_b64_decode(const char *in, size_t len, unsigned char *out, size_t size, size_t *out_len);
/* sasl_b64_encode - append the encoding of in[0..len) to out; 0, or -1
 * when out cannot hold it */
int sasl_b64_encode(const void *in, size_t len, struct buf *out);

#endif
