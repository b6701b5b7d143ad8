/* SPDX-License-Identifier: MIT
 * err - error strings for recoverable errors (the third error tier).
 *
 * Library functions return int (0 or -1) and describe a failure through a
 * "const char **error_r" argument. The strings live in a small ring of static
 * buffers: valid until ERR_RING more errors are formatted, so a caller that
 * keeps one longer copies it. Petrel processes are single-threaded.
 *
 * See also: msg.h (panic for bugs, fatal for unusable environments).
 */
#ifndef PETREL_UTIL_ERR_H
#define PETREL_UTIL_ERR_H

#define ERR_RING 8
#define ERR_MAX 1024

/* err_fmt - format an error string into the ring */
const char *err_fmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* errf - set *error_r (if error_r is not NULL) and return -1 */
int errf(const char **error_r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
