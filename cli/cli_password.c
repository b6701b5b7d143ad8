/* SPDX-License-Identifier: MIT
 * cli_password - new passwords for "petrel user": read without echo from
 * the terminal (or one line of standard input when asked) and hashed with
 * crypt(3).
 *
 * While echo is off, SIGINT, SIGTERM, SIGHUP and SIGQUIT first restore the
 * terminal and then take their default action, so an interrupted prompt
 * never leaves the terminal silent. Input is read a byte at a time with
 * read(2): no stdio buffer keeps a copy of the password, and nothing after
 * the line is consumed. The crypt_data work area is wiped after use.
 *
 * See also: cli_password.h, crypt(3), termios(3).
 */
#include "cli_password.h"

#include <crypt.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "util/alloc.h"
#include "util/err.h"

static const int tty_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
#define TTY_SIGNAL_COUNT (sizeof(tty_signals) / sizeof(tty_signals[0]))

static struct termios tty_saved;
static int tty_fd = -1;

/* tty_restore_and_die - signal handler: put the terminal back, then let
 * the signal (its handler reset by SA_RESETHAND) take its default action */
static void tty_restore_and_die(int sig)
{
    if (tty_fd >= 0)
        (void)tcsetattr(tty_fd, TCSAFLUSH, &tty_saved);
    (void)raise(sig);
}

/* cli_password_read_line - one line from fd, a byte at a time */
int cli_password_read_line(int fd, char *buf, size_t size, const char **error_r)
{
    size_t len = 0;
    ssize_t n;
    char c;

    for (;;) {
        n = read(fd, &c, 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return errf(error_r, "read password: %s", strerror(errno));
        if (n == 0 || c == '\n')
            break;
        if (c == '\0') {
            explicit_bzero(buf, size);
            return errf(error_r, "the password contains a NUL byte");
        }
        if (len + 1 >= size) {
            explicit_bzero(buf, size);
            return errf(error_r, "the password is longer than %zu bytes", size - 1);
        }
        buf[len++] = c;
    }
    if (len > 0 && buf[len - 1] == '\r')
        len--;
    buf[len] = '\0';
    if (len == 0)
        return errf(error_r, "the password is empty");
    return 0;
}

/* read_hidden - prompt on stderr and read one line from the terminal fd
 * with echo off */
static int read_hidden(int fd, const char *prompt, char *buf, size_t size, const char **error_r)
{
    struct sigaction sa, old_sa[TTY_SIGNAL_COUNT];
    struct termios quiet;
    size_t i;
    int ret;

    if (tcgetattr(fd, &tty_saved) < 0)
        return errf(error_r, "read the terminal settings: %s", strerror(errno));
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = tty_restore_and_die;
    sa.sa_flags = SA_RESETHAND | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    tty_fd = fd;
    for (i = 0; i < TTY_SIGNAL_COUNT; i++)
        (void)sigaction(tty_signals[i], &sa, &old_sa[i]);
    quiet = tty_saved;
    quiet.c_lflag &= ~(tcflag_t)ECHO;
    quiet.c_lflag |= ECHONL;
    /* echo off (and pending input dropped) before the prompt appears, so
     * nothing typed in answer to it is shown or lost */
    if (tcsetattr(fd, TCSAFLUSH, &quiet) < 0) {
        ret = errf(error_r, "turn off echo: %s", strerror(errno));
    } else {
        fputs(prompt, stderr);
        fflush(stderr);
        ret = cli_password_read_line(fd, buf, size, error_r);
    }
    (void)tcsetattr(fd, TCSAFLUSH, &tty_saved);
    tty_fd = -1;
    for (i = 0; i < TTY_SIGNAL_COUNT; i++)
        (void)sigaction(tty_signals[i], &old_sa[i], NULL);
    return ret;
}

/* cli_password_read - a new password from stdin or, twice, the terminal */
int cli_password_read(bool from_stdin, char *buf, size_t size, const char **error_r)
{
    char *again;
    int ret;

    if (from_stdin)
        return cli_password_read_line(STDIN_FILENO, buf, size, error_r);
    if (!isatty(STDIN_FILENO))
        return errf(error_r, "standard input is not a terminal; give --password-stdin to read the "
                             "password from its first line");
    if (read_hidden(STDIN_FILENO, "New password: ", buf, size, error_r) < 0)
        return -1;
    again = xmalloc(size);
    ret = read_hidden(STDIN_FILENO, "Retype new password: ", again, size, error_r);
    if (ret == 0 && strcmp(buf, again) != 0)
        ret = errf(error_r, "the passwords do not match; nothing was changed");
    explicit_bzero(again, size);
    xfree(again);
    if (ret < 0)
        explicit_bzero(buf, size);
    return ret;
}

/* make_salt - a new setting for prefix with the default cost */
static int make_salt(const char *prefix, char *salt, size_t size)
{
    return crypt_gensalt_rn(prefix, 0, NULL, 0, salt, (int)size) != NULL ? 0 : -1;
}

/* cli_password_hash - crypt(3) hash of password */
int cli_password_hash(const char *password, const char *prefix, char *hash, size_t size, const char **error_r)
{
    char salt[CRYPT_GENSALT_OUTPUT_SIZE];
    struct crypt_data *data;
    const char *out;
    int ret = 0;

    if (prefix == NULL) {
        prefix = "$y$";
        if (make_salt(prefix, salt, sizeof(salt)) < 0)
            prefix = "$6$"; /* a libcrypt without yescrypt */
    }
    if (make_salt(prefix, salt, sizeof(salt)) < 0)
        return errf(error_r, "crypt_gensalt(\"%s\"): %s", prefix, strerror(errno));
    data = xcalloc(1, sizeof(*data));
    out = crypt_rn(password, salt, data, (int)sizeof(*data));
    if (out == NULL || out[0] != '$')
        ret = errf(error_r, "crypt(\"%s\"): %s", prefix, strerror(errno));
    else if (strlen(out) >= size)
        ret = errf(error_r, "crypt(\"%s\"): the hash is longer than %zu bytes", prefix, size - 1);
    else
        memcpy(hash, out, strlen(out) + 1);
    explicit_bzero(data, sizeof(*data));
    xfree(data);
    return ret;
}
