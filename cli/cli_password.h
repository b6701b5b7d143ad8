/* SPDX-License-Identifier: MIT
 * cli_password - reading a new password and hashing it for the passwords
 * map (docs/queue.md): crypt(3) from libcrypt, yescrypt ("$y$") with the
 * library's default cost, SHA-512 ("$6$") only where yescrypt is missing.
 *
 * A password comes from the terminal (asked twice, echo off, the terminal
 * restored even when a signal ends the program) or, when asked for, from
 * one line of standard input. Buffers that held a password are wiped with
 * explicit_bzero by their owners. Limits: 1..CLI_PASSWORD_MAX - 1 bytes,
 * no NUL, CR or LF.
 *
 * See also: cli_user.c, crypt(3), crypt_gensalt(3).
 */
#ifndef PETREL_CLI_PASSWORD_H
#define PETREL_CLI_PASSWORD_H

#include <stdbool.h>
#include <stddef.h>

#define CLI_PASSWORD_MAX 1024
/* room for any hash crypt(3) writes */
#define CLI_PASSWORD_HASH_MAX 384

/* cli_password_read - a new password into buf (size bytes): from stdin's
 * first line when from_stdin, else from the terminal on stdin, twice (a
 * non-terminal is refused). 0, or -1 with an error; buf is wiped on error */
int cli_password_read(bool from_stdin, char *buf, size_t size, const char **error_r);
/* cli_password_read_line - one line from fd (without CR LF) into buf,
 * read a byte at a time so nothing after the line is consumed. 0, or -1 */
int cli_password_read_line(int fd, char *buf, size_t size, const char **error_r);
/* cli_password_hash - hash password with prefix ("$y$", "$6$", or NULL
 * for the preferred one: yescrypt, else SHA-512) into hash (size bytes).
 * 0, or -1 with an error */
int cli_password_hash(const char *password, const char *prefix, char *hash, size_t size,
                      const char **error_r);

#endif
