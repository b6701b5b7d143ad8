/* SPDX-License-Identifier: MIT
 * test_msg - logging: control bytes escaped as \xNN, lines cut at
 * MSG_LINE_MAX with "...", level prefixes, debug lines only when verbose,
 * the stderr and file sinks (timestamp, host, syslog name), forwarding a
 * child's line, msg_level_from_line, msg_copy_to_stderr, the test hook, and
 * msg_fatal/msg_panic/ASSERT in forked children.
 *
 * Lines written to a sink are read back from a file in test_tmpdir(); fd 2
 * is pointed at a file with dup2 where stderr is the sink under test.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "test.h"
#include "util/msg.h"

static char slurped[4 * MSG_LINE_MAX];

/* tmp_path - a name under the test directory (one static buffer per slot) */
static const char *tmp_path(int slot, const char *name)
{
    static char paths[4][4096];

    snprintf(paths[slot], sizeof(paths[slot]), "%s/%s", test_tmpdir(), name);
    return paths[slot];
}

/* slurp - the whole content of path (at most sizeof(slurped) - 1 bytes) */
static const char *slurp(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t n = 0, r;

    slurped[0] = '\0';
    if (fd < 0)
        return slurped;
    while ((r = read(fd, slurped + n, sizeof(slurped) - 1 - (size_t)n)) > 0)
        n += r;
    slurped[n] = '\0';
    close(fd);
    return slurped;
}

/* redirect_stderr - point fd 2 at a fresh file; the saved fd 2 */
static int redirect_stderr(const char *path)
{
    int saved = dup(2);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

    if (saved < 0 || fd < 0 || dup2(fd, 2) < 0) {
        perror("redirect_stderr");
        exit(2);
    }
    close(fd);
    return saved;
}

/* restore_stderr - put the saved fd 2 back */
static void restore_stderr(int saved)
{
    if (dup2(saved, 2) < 0) {
        perror("restore_stderr");
        exit(2);
    }
    close(saved);
}

/* short_hostname - the host name as the file sink writes it */
static const char *short_hostname(void)
{
    static char host[256];

    if (gethostname(host, sizeof(host) - 1) < 0)
        snprintf(host, sizeof(host), "localhost");
    host[strcspn(host, ".")] = '\0';
    return host;
}

/* file_line_body - check "YYYY-MM-DDTHH:MM:SS.uuuuuuZ HOST " at the start of
 * a file sink line and return what follows, or "" after a failure */
static const char *file_line_body(const char *line)
{
    static const char pattern[] = "dddd-dd-ddTdd:dd:dd.ddddddZ ";
    const char *host = short_hostname();
    size_t i, hlen = strlen(host);
    struct tm tm;
    time_t t;

    for (i = 0; i < sizeof(pattern) - 1; i++) {
        if (pattern[i] == 'd' ? (line[i] < '0' || line[i] > '9') : line[i] != pattern[i]) {
            test_fail(__FILE__, __LINE__, "timestamp: got \"%.40s\", want %s", line, pattern);
            return "";
        }
    }
    memset(&tm, 0, sizeof(tm));
    if (strptime(line, "%Y-%m-%dT%H:%M:%S", &tm) == NULL) {
        test_fail(__FILE__, __LINE__, "timestamp does not parse: \"%.30s\"", line);
        return "";
    }
    t = timegm(&tm);
    /* UTC and current: within a minute of now */
    EXPECT_TRUE(t >= time(NULL) - 60 && t <= time(NULL) + 1);
    line += sizeof(pattern) - 1;
    if (strncmp(line, host, hlen) != 0 || line[hlen] != ' ') {
        test_fail(__FILE__, __LINE__, "host: got \"%.40s\", want \"%s \"", line, host);
        return "";
    }
    return line + hlen + 1;
}

/* use_log_file - make the file sink current on an empty file */
static const char *use_log_file(void)
{
    const char *path = tmp_path(0, "msg.log");

    if (truncate(path, 0) < 0 && errno != ENOENT)
        perror("truncate");
    EXPECT_INT(msg_use_file(path, "petrel"), 0);
    return path;
}

/* test_escape_control_bytes - bytes below 0x20 and DEL become \xNN */
static void test_escape_control_bytes(void)
{
    static const struct {
        const char *text;
        const char *want;
    } cases[] = {
        { "a\rb\nc\x01\x7f"
          "d",
          "a\\x0db\\x0ac\\x01\\x7fd" },
        { "tab\there", "tab\\x09here" },
        { "esc\x1b[31mred", "esc\\x1b[31mred" },
        { "\x1f\x20~", "\\x1f ~" },
        { "fake\nnext[1]: line", "fake\\x0anext[1]: line" },
        { "caf\xc3\xa9 \x80\xff", "caf\xc3\xa9 \x80\xff" },
        { "plain text", "plain text" },
    };
    const char *path = tmp_path(0, "msg.log");
    char want[512];
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        use_log_file();
        msg_info("%s", cases[i].text);
        snprintf(want, sizeof(want), "petrel/test[%ld]: %s\n", (long)getpid(), cases[i].want);
        EXPECT_STR(file_line_body(slurp(path)), want);
    }
    msg_use_stderr();
}

/* test_levels - the level word after "program[pid]: ", none for info */
static void test_levels(void)
{
    static const struct {
        void (*fn)(const char *fmt, ...);
        bool verbose;
        const char *want; /* NULL: nothing written */
    } cases[] = {
        { msg_info, false, "" },         { msg_warn, false, "warning: " }, { msg_error, false, "error: " },
        { msg_debug, true, "debug: " },  { msg_debug, false, NULL },       { msg_info, true, "" },
        { msg_warn, true, "warning: " },
    };
    const char *path = tmp_path(0, "msg.log");
    char want[256];
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        use_log_file();
        msg_set_verbose(cases[i].verbose);
        EXPECT_INT(msg_verbose(), cases[i].verbose);
        cases[i].fn("%s %d", "event", (int)i);
        if (cases[i].want == NULL) {
            EXPECT_STR(slurp(path), "");
            continue;
        }
        snprintf(want, sizeof(want), "petrel/test[%ld]: %sevent %d\n", (long)getpid(), cases[i].want, (int)i);
        EXPECT_STR(file_line_body(slurp(path)), want);
    }
    msg_set_verbose(false);
    msg_use_stderr();
}

/* test_stderr_sink - the default sink: "program[pid]: LEVEL: text\n" on fd 2 */
static void test_stderr_sink(void)
{
    const char *path = tmp_path(1, "stderr.out");
    char want[256];
    int saved;

    msg_use_stderr();
    saved = redirect_stderr(path);
    msg_warn("to stderr %d", 1);
    msg_info("second\rline");
    restore_stderr(saved);
    snprintf(want, sizeof(want), "test[%ld]: warning: to stderr 1\ntest[%ld]: second\\x0dline\n",
             (long)getpid(), (long)getpid());
    EXPECT_STR(slurp(path), want);
}

/* line_of - the "program[pid]: ..." part of a file sink line, no newline */
static const char *line_of(const char *file_text)
{
    static char line[4 * MSG_LINE_MAX];
    const char *body = file_line_body(file_text);
    const char *slash = strchr(body, '/');

    snprintf(line, sizeof(line), "%s", slash ? slash + 1 : "");
    line[strcspn(line, "\n")] = '\0';
    return line;
}

/* test_line_cut - a line longer than MSG_LINE_MAX - 1 bytes ends in "..." */
static void test_line_cut(void)
{
    static char text[3 * MSG_LINE_MAX];
    static char full[4 * MSG_LINE_MAX];
    static const struct {
        int extra; /* line length = MSG_LINE_MAX - 1 + extra */
        bool cut;
    } cases[] = {
        { -1000, false }, { -7, false }, { -1, false },  { 0, false },
        { 1, true },      { 2, true },   { 5000, true },
    };
    const char *path = tmp_path(0, "msg.log");
    const char *line;
    size_t i, prefix, tlen, llen;

    prefix = (size_t)snprintf(full, sizeof(full), "test[%ld]: ", (long)getpid());
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        tlen = (size_t)(MSG_LINE_MAX - 1 + cases[i].extra) - prefix;
        if (tlen > sizeof(text) - 1)
            tlen = sizeof(text) - 1;
        memset(text, 'x', tlen);
        text[tlen - 1] = 'E'; /* the last byte shows whether the end survived */
        text[tlen] = '\0';
        snprintf(full + prefix, sizeof(full) - prefix, "%s", text);
        use_log_file();
        msg_info("%s", text);
        line = line_of(slurp(path));
        llen = strlen(line);
        if (!cases[i].cut) {
            /* compared by length and tail: the lines are too long to print */
            if (!EXPECT_INT(llen, prefix + tlen) || !EXPECT_STR(line + (llen > 8 ? llen - 8 : 0), "xxxxxxxE")
                || !EXPECT_TRUE(strcmp(line, full) == 0))
                fprintf(stderr, "  case %zu: a %zu-byte line fits in MSG_LINE_MAX and must not be cut\n", i,
                        prefix + tlen);
            continue;
        }
        EXPECT_TRUE(llen <= MSG_LINE_MAX - 1);
        /* cut close to the limit, not far below it */
        EXPECT_TRUE(llen >= MSG_LINE_MAX - 8);
        EXPECT_TRUE(llen >= 3 && strcmp(line + llen - 3, "...") == 0);
        EXPECT_MEM(line, llen - 3, full, llen - 3);
    }
    msg_use_stderr();
}

/* test_line_cut_escapes - escapes are never split by the cut */
static void test_line_cut_escapes(void)
{
    static char text[2000];
    const char *path = tmp_path(0, "msg.log");
    const char *line, *p;
    char prefix[64];
    size_t llen, plen;

    memset(text, '\x01', sizeof(text) - 1);
    text[sizeof(text) - 1] = '\0';
    plen = (size_t)snprintf(prefix, sizeof(prefix), "test[%ld]: error: ", (long)getpid());
    use_log_file();
    msg_error("%s", text);
    line = line_of(slurp(path));
    llen = strlen(line);
    EXPECT_TRUE(llen <= MSG_LINE_MAX - 1);
    EXPECT_TRUE(llen >= MSG_LINE_MAX - 8);
    EXPECT_MEM(line, plen, prefix, plen);
    EXPECT_TRUE(llen >= plen + 3 && strcmp(line + llen - 3, "...") == 0);
    EXPECT_INT((llen - plen - 3) % 4, 0);
    for (p = line + plen; p + 4 <= line + llen - 3; p += 4)
        if (!EXPECT_MEM(p, 4, "\\x01", 4))
            break;
    msg_use_stderr();
}

/* test_stderr_write_bounded - one write to fd 2 is at most MSG_LINE_MAX bytes */
static void test_stderr_write_bounded(void)
{
    static char text[3 * MSG_LINE_MAX];
    const char *path = tmp_path(1, "stderr.out");
    const char *out;
    size_t n;
    int saved;

    memset(text, 'z', sizeof(text) - 1);
    msg_use_stderr();
    saved = redirect_stderr(path);
    msg_warn("%s", text);
    restore_stderr(saved);
    out = slurp(path);
    n = strlen(out);
    EXPECT_TRUE(n <= MSG_LINE_MAX);
    EXPECT_TRUE(n > 4 && strcmp(out + n - 4, "...\n") == 0);
    EXPECT_INT(strchr(out, '\n') - out, (long long)n - 1);
}

/* test_forward - a child's line keeps its program[pid] and gets escaped */
static void test_forward(void)
{
    static const struct {
        const char *line;
        size_t len; /* 0: strlen */
        const char *want;
    } cases[] = {
        { "smtpd[123]: warning: bad\x01thing", 0, "smtpd[123]: warning: bad\\x01thing" },
        { "smtpd[9]: a\0b", 13, "smtpd[9]: a\\x00b" },
        { "smtpd[9]: x\r\n", 13, "smtpd[9]: x\\x0d\\x0a" },
        { "qmgr[77]: ABC123: removed", 25, "qmgr[77]: ABC123: removed" },
        { "qmgr[77]: ABC123: removed and more", 25, "qmgr[77]: ABC123: removed" },
    };
    const char *path = tmp_path(0, "msg.log");
    char want[256];
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        use_log_file();
        msg_forward(cases[i].line, cases[i].len ? cases[i].len : strlen(cases[i].line));
        snprintf(want, sizeof(want), "petrel/%s\n", cases[i].want);
        EXPECT_STR(file_line_body(slurp(path)), want);
    }
    msg_use_stderr();
}

/* test_forward_long - a forwarded line is cut like our own */
static void test_forward_long(void)
{
    static char line[3 * MSG_LINE_MAX];
    const char *path = tmp_path(0, "msg.log");
    const char *got;
    size_t n, len;

    len = (size_t)snprintf(line, sizeof(line), "smtpd[5]: ");
    memset(line + len, 'y', 6000);
    len += 6000;
    use_log_file();
    msg_forward(line, len);
    got = line_of(slurp(path));
    n = strlen(got);
    EXPECT_TRUE(n <= MSG_LINE_MAX - 1);
    EXPECT_TRUE(n >= MSG_LINE_MAX - 8);
    EXPECT_TRUE(n >= 3 && strcmp(got + n - 3, "...") == 0);
    EXPECT_MEM(got, n - 3, line, n - 3);
    msg_use_stderr();
}

/* test_forward_hook - the hook gets the escaped line and its level */
static void test_forward_hook(void)
{
    test_log_capture_start();
    msg_forward("smtpd[1]: warning: x\ny", 22);
    msg_forward("smtpd[2]: hello", 15);
    test_log_capture_stop();
    EXPECT_STR(test_log_text(), "warning: smtpd[1]: warning: x\\x0ay\ninfo: smtpd[2]: hello\n");
}

/* test_level_from_line - the level word after the first ": " */
static void test_level_from_line(void)
{
    static const struct {
        const char *line;
        size_t len; /* 0: strlen */
        enum msg_level want;
    } cases[] = {
        { "smtpd[1]: warning: x", 0, MSG_WARN },
        { "smtpd[1]: error: x", 0, MSG_ERROR },
        { "smtpd[1]: fatal: x", 0, MSG_FATAL },
        { "smtpd[1]: panic: x", 0, MSG_PANIC },
        { "smtpd[1]: debug: x", 0, MSG_DEBUG },
        { "smtpd[1]: hello", 0, MSG_INFO },
        { "smtpd[1]: ABC: warning: x", 0, MSG_INFO },
        { "smtpd[1]: warning", 0, MSG_INFO },
        { "smtpd[1]: warnings: x", 0, MSG_INFO },
        { "smtpd[1]: Warning: x", 0, MSG_INFO },
        { "smtpd[1]: warning: x", 17, MSG_INFO },
        { "smtpd[1]: warning: x", 18, MSG_WARN },
        { "smtpd[1]: error:", 0, MSG_ERROR },
        { "no colon at all", 0, MSG_INFO },
        { "smtpd[1]:", 0, MSG_INFO },
        { "smtpd[1]: ", 0, MSG_INFO },
        { ":", 0, MSG_INFO },
        { "", 0, MSG_INFO },
    };
    size_t i, len;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        len = cases[i].len ? cases[i].len : strlen(cases[i].line);
        if (!EXPECT_INT(msg_level_from_line(cases[i].line, len), cases[i].want))
            fprintf(stderr, "  case %zu: \"%.*s\"\n", i, (int)len, cases[i].line);
    }
}

/* test_copy_to_stderr - file lines also go to fd 2 while the copy is on */
static void test_copy_to_stderr(void)
{
    const char *log = tmp_path(0, "msg.log");
    const char *err = tmp_path(1, "stderr.out");
    char want[256];
    int saved;

    use_log_file();
    saved = redirect_stderr(err);
    msg_copy_to_stderr(true);
    msg_warn("copied %d", 1);
    msg_copy_to_stderr(false);
    msg_info("not copied");
    restore_stderr(saved);
    snprintf(want, sizeof(want), "test[%ld]: warning: copied 1\n", (long)getpid());
    EXPECT_STR(slurp(err), want);
    EXPECT_CONTAINS(slurp(log), "warning: copied 1\n");
    EXPECT_CONTAINS(slurp(log), "not copied\n");

    /* with stderr as the sink, a line is written once, not twice */
    msg_use_stderr();
    saved = redirect_stderr(err);
    msg_copy_to_stderr(true);
    msg_info("once");
    msg_copy_to_stderr(false);
    restore_stderr(saved);
    snprintf(want, sizeof(want), "test[%ld]: once\n", (long)getpid());
    EXPECT_STR(slurp(err), want);
}

struct hook_record {
    int calls;
    enum msg_level level;
    char text[256];
};

/* record_hook - remember the last line the hook received */
static void record_hook(enum msg_level level, const char *text, void *ctx)
{
    struct hook_record *r = ctx;

    r->calls++;
    r->level = level;
    snprintf(r->text, sizeof(r->text), "%s", text);
}

/* test_hook - the hook receives every line instead of the sink */
static void test_hook(void)
{
    static const struct {
        void (*fn)(const char *fmt, ...);
        enum msg_level level;
    } cases[] = {
        { msg_info, MSG_INFO },
        { msg_warn, MSG_WARN },
        { msg_error, MSG_ERROR },
        { msg_debug, MSG_DEBUG },
    };
    const char *path = use_log_file();
    struct hook_record r = { 0 };
    size_t i;
    char want[64];

    msg_set_verbose(true);
    msg_set_hook(record_hook, &r);
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cases[i].fn("hooked %zu", i);
        snprintf(want, sizeof(want), "hooked %zu", i);
        EXPECT_INT(r.calls, (long long)i + 1);
        EXPECT_INT(r.level, cases[i].level);
        EXPECT_STR(r.text, want);
    }
    msg_set_verbose(false);
    msg_debug("filtered before the hook");
    EXPECT_INT(r.calls, 4);
    EXPECT_STR(slurp(path), "");
    msg_set_hook(NULL, NULL);
    msg_info("to the sink again");
    EXPECT_INT(r.calls, 4);
    EXPECT_CONTAINS(slurp(path), "]: to the sink again\n");
    msg_use_stderr();

    /* the harness capture rides on the same hook */
    test_log_capture_start();
    msg_warn("careful %s", "now");
    msg_info("plain");
    test_log_capture_stop();
    EXPECT_LOG("warning: careful now\n");
    EXPECT_LOG("info: plain\n");
}

/* test_program_name - msg_init keeps the last path component */
static void test_program_name(void)
{
    static const struct {
        const char *arg;
        const char *want;
    } cases[] = {
        { "/usr/lib/petrel/smtpd", "smtpd" },
        { "qmgr", "qmgr" },
        { "./local", "local" },
        { "0123456789012345678901234567890123456789012345678901234567890123456789",
          "012345678901234567890123456789012345678901234567890123456789012" },
    };
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        msg_init(cases[i].arg);
        EXPECT_STR(msg_program(), cases[i].want);
    }
    msg_init("test");
    EXPECT_STR(msg_program(), "test");
}

/* test_errno_kept - logging neither changes errno nor loses it for %m */
static void test_errno_kept(void)
{
    test_log_capture_start();
    errno = ENOENT;
    msg_warn("open x: %m");
    EXPECT_INT(errno, ENOENT);
    errno = EBADF;
    msg_info("y");
    EXPECT_INT(errno, EBADF);
    test_log_capture_stop();
    EXPECT_LOG("warning: open x: No such file or directory\n");
}

/* test_reopen - after rotation msg_reopen starts a new file at the path */
static void test_reopen(void)
{
    const char *path = use_log_file();
    const char *rotated = tmp_path(2, "msg.log.1");

    msg_info("before rotation");
    EXPECT_INT(rename(path, rotated), 0);
    msg_reopen();
    msg_info("after rotation");
    EXPECT_CONTAINS(slurp(rotated), "before rotation\n");
    EXPECT_FALSE(strstr(slurp(rotated), "after rotation") != NULL);
    EXPECT_CONTAINS(slurp(path), "after rotation\n");
    EXPECT_FALSE(strstr(slurp(path), "before rotation") != NULL);
    msg_use_stderr();
    msg_reopen(); /* not a file sink: nothing happens */
}

/* test_sink_errors - a sink that cannot be opened leaves the old one */
static void test_sink_errors(void)
{
    const char *path = use_log_file();

    errno = 0;
    EXPECT_INT(msg_use_file(tmp_path(1, "no-such-dir/x.log"), "petrel"), -1);
    EXPECT_INT(errno, ENOENT);
    msg_info("still the old file");
    EXPECT_CONTAINS(slurp(path), "still the old file\n");
    errno = 0;
    EXPECT_INT(msg_use_syslog("petrel", "no-such-facility"), -1);
    EXPECT_INT(errno, EINVAL);
    msg_info("and still");
    EXPECT_CONTAINS(slurp(path), "and still\n");
    EXPECT_INT(msg_use_syslog("petrel", "local3"), 0);
    msg_use_stderr();
}

/* run_child - run fn in a forked child with stderr in out; its wait status */
static int run_child(void (*fn)(void), pid_t *pid_r, char *out, size_t size)
{
    const char *path = tmp_path(3, "child.err");
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    int status = -1;
    ssize_t n;
    pid_t pid;

    if (fd < 0) {
        test_fail(__FILE__, __LINE__, "open %s failed", path);
        return -1;
    }
    fflush(NULL); /* the child must not flush the parent's buffered output */
    pid = fork();
    if (pid == 0) {
        dup2(fd, 2);
        fn();
        _exit(0);
    }
    if (pid < 0 || waitpid(pid, &status, 0) != pid)
        test_fail(__FILE__, __LINE__, "fork or waitpid failed");
    n = pread(fd, out, size - 1, 0);
    out[n > 0 ? n : 0] = '\0';
    close(fd);
    *pid_r = pid;
    return status;
}

/* child_fatal - msg_fatal exits 1 */
static void child_fatal(void)
{
    msg_fatal("cannot work: %d", 7);
}

/* child_fatal_hooked - msg_fatal exits 1 even while a hook captures */
static void child_fatal_hooked(void)
{
    test_log_capture_start();
    msg_fatal("hooked fatal");
}

/* child_panic - msg_panic aborts */
static void child_panic(void)
{
    msg_panic("bug %s", "here");
}

/* child_assert - a false ASSERT panics with file and line */
static void child_assert(void)
{
    volatile int two = 2;

    ASSERT(two + 1 == 4);
}

/* test_fatal_and_panic - exit status 1 for fatal, SIGABRT for panic */
static void test_fatal_and_panic(void)
{
    static const struct {
        void (*fn)(void);
        int exit_code; /* -1: killed by signal */
        int signal;
        const char *log; /* after "test[PID]: " */
    } cases[] = {
        { child_fatal, 1, 0, "fatal: cannot work: 7\n" },
        { child_fatal_hooked, 1, 0, NULL },
        { child_panic, -1, SIGABRT, "panic: bug here\n" },
        { child_assert, -1, SIGABRT, "panic: " __FILE__ ":" },
    };
    char out[8192], want[256];
    size_t i;
    pid_t pid = -1;
    int status;

    msg_use_stderr();
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        status = run_child(cases[i].fn, &pid, out, sizeof(out));
        if (cases[i].exit_code >= 0) {
            EXPECT_TRUE(WIFEXITED(status));
            EXPECT_INT(WIFEXITED(status) ? WEXITSTATUS(status) : -1, cases[i].exit_code);
        } else {
            EXPECT_TRUE(WIFSIGNALED(status));
            EXPECT_INT(WIFSIGNALED(status) ? WTERMSIG(status) : -1, cases[i].signal);
        }
        if (cases[i].log == NULL) {
            EXPECT_STR(out, "");
            continue;
        }
        snprintf(want, sizeof(want), "test[%ld]: %s", (long)pid, cases[i].log);
        EXPECT_CONTAINS(out, want);
    }
    EXPECT_CONTAINS(out, "assertion failed: two + 1 == 4");
}

/* main - run every case */
int main(void)
{
    return test_run((const struct test_case[]){
        TEST_CASE(test_escape_control_bytes),
        TEST_CASE(test_levels),
        TEST_CASE(test_stderr_sink),
        TEST_CASE(test_line_cut),
        TEST_CASE(test_line_cut_escapes),
        TEST_CASE(test_stderr_write_bounded),
        TEST_CASE(test_forward),
        TEST_CASE(test_forward_long),
        TEST_CASE(test_forward_hook),
        TEST_CASE(test_level_from_line),
        TEST_CASE(test_copy_to_stderr),
        TEST_CASE(test_hook),
        TEST_CASE(test_program_name),
        TEST_CASE(test_errno_kept),
        TEST_CASE(test_reopen),
        TEST_CASE(test_sink_errors),
        TEST_CASE(test_fatal_and_panic),
        TEST_END,
    });
}
