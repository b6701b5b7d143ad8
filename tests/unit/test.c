/* SPDX-License-Identifier: MIT
 * test - the unit-test harness: runs cases, reports failures with context,
 * captures log lines, and provides scratch directories.
 */
#include "test.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/msg.h"

static int failures_in_case;
static const char *current_case;
static struct buf *log_lines;
static char tmpdir[256];

/* test_fail - report one failed expectation */
void test_fail(const char *file, int line, const char *fmt, ...)
{
    va_list ap;

    failures_in_case++;
    fprintf(stderr, "FAIL %s (%s:%d): ", current_case, file, line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

bool test_expect_int(const char *file, int line, const char *expr, long long got, long long want)
{
    if (got == want)
        return true;
    test_fail(file, line, "%s: got %lld, want %lld", expr, got, want);
    return false;
}

bool test_expect_str(const char *file, int line, const char *expr, const char *got, const char *want)
{
    if (got == NULL && want == NULL)
        return true;
    if (got != NULL && want != NULL && strcmp(got, want) == 0)
        return true;
    test_fail(file, line, "%s: got \"%s\", want \"%s\"", expr, got ? got : "(null)", want ? want : "(null)");
    return false;
}

bool test_expect_mem(const char *file, int line, const char *expr, const void *got, size_t got_len,
                     const void *want, size_t want_len)
{
    if (got_len == want_len && (want_len == 0 || memcmp(got, want, want_len) == 0))
        return true;
    test_fail(file, line, "%s: got %zu bytes \"%.*s\", want %zu bytes \"%.*s\"", expr, got_len,
              (int)(got_len > 200 ? 200 : got_len), got ? (const char *)got : "", want_len,
              (int)(want_len > 200 ? 200 : want_len), want ? (const char *)want : "");
    return false;
}

bool test_expect_true(const char *file, int line, const char *expr, bool got)
{
    if (got)
        return true;
    test_fail(file, line, "%s: got false, want true", expr);
    return false;
}

bool test_expect_contains(const char *file, int line, const char *expr, const char *got, const char *want)
{
    if (got != NULL && strstr(got, want) != NULL)
        return true;
    test_fail(file, line, "%s: got \"%s\", want it to contain \"%s\"", expr, got ? got : "(null)", want);
    return false;
}

/* capture_hook - keep a log line */
static void capture_hook(enum msg_level level, const char *text, void *ctx)
{
    static const char *const names[] = { "debug", "info", "warning", "error", "fatal", "panic" };

    (void)ctx;
    if (buf_printf(log_lines, "%s: %s\n", names[level], text) < 0)
        fprintf(stderr, "test: log capture buffer full\n");
}

void test_log_capture_start(void)
{
    if (log_lines == NULL)
        log_lines = buf_create(1024, 1024 * 1024);
    buf_reset(log_lines);
    msg_set_hook(capture_hook, NULL);
}

void test_log_capture_stop(void)
{
    msg_set_hook(NULL, NULL);
}

const char *test_log_text(void)
{
    return log_lines ? buf_str(log_lines) : "";
}

/* remove_tree - delete a scratch directory recursively */
static void remove_tree(const char *path)
{
    DIR *d = opendir(path);
    struct dirent *e;
    char child[4096];
    struct stat st;

    if (d != NULL) {
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            snprintf(child, sizeof(child), "%s/%s", path, e->d_name);
            if (lstat(child, &st) == 0 && S_ISDIR(st.st_mode))
                remove_tree(child);
            else
                unlink(child);
        }
        closedir(d);
    }
    rmdir(path);
}

static void cleanup_tmpdir(void)
{
    if (tmpdir[0] != '\0')
        remove_tree(tmpdir);
}

const char *test_tmpdir(void)
{
    if (tmpdir[0] == '\0') {
        const char *base = getenv("TMPDIR");

        snprintf(tmpdir, sizeof(tmpdir), "%s/petrel-unit-XXXXXX", base ? base : "/tmp");
        if (mkdtemp(tmpdir) == NULL) {
            perror("mkdtemp");
            exit(2);
        }
        atexit(cleanup_tmpdir);
    }
    return tmpdir;
}

const char *test_write_file(const char *name, const char *text)
{
    static char path[4096];
    size_t len = strlen(text);
    int fd;

    if (name[0] == '/')
        snprintf(path, sizeof(path), "%s", name);
    else
        snprintf(path, sizeof(path), "%s/%s", test_tmpdir(), name);
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0 || write(fd, text, len) != (ssize_t)len) {
        perror(path);
        exit(2);
    }
    close(fd);
    return path;
}

int test_run(const struct test_case *cases)
{
    int passed = 0, failed = 0;

    msg_init("test");
    for (; cases->name != NULL; cases++) {
        current_case = cases->name;
        failures_in_case = 0;
        cases->fn();
        test_log_capture_stop();
        if (failures_in_case == 0) {
            passed++;
            printf("ok   %s\n", cases->name);
        } else {
            failed++;
            printf("FAIL %s\n", cases->name);
        }
    }
    buf_destroy(&log_lines);
    printf("%d passed, %d failed\n", passed, failed);
    fflush(stdout);
    return failed == 0 ? 0 : 1;
}
