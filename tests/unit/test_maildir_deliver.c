/* SPDX-License-Identifier: MIT
 * test_maildir_deliver - durable Maildir delivery: exact file bytes
 * (prepended headers, CRLF to LF, whole and one byte at a time), ",S="
 * and ",W=" equal to the real sizes, 1,000 deliveries giving 1,000 files
 * and an empty tmp/, content from an fd at an offset (across buffer
 * sizes, and a source that is too short), the size limit, a new/ that
 * the (unprivileged) delivering user cannot write, the begin/finish/
 * dirsync split, the order write -> fsync(file) -> rename -> fsync(new/)
 * read from the operation trace, and every injected failure leaving
 * nothing in tmp/ or new/ with the right temporary/permanent result.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "maildir/maildir_deliver.h"
#include "maildir/maildir_folder.h"
#include "test.h"
#include "util/alloc.h"

#define HEADERS "Return-Path: <a@b.example>\nDelivered-To: x@y.example\n"
#define BODY_CRLF "Subject: hi\r\n\r\nline1\r\nbare\rcr\r\n.\r\n"
#define BODY_LF "Subject: hi\n\nline1\nbare\rcr\n.\n"

/* new_maildir - a fresh maildir under the test directory (static path) */
static const char *new_maildir(const char *name)
{
    static char path[2048];
    const char *error = NULL;

    snprintf(path, sizeof(path), "%s/%s", test_tmpdir(), name);
    if (maildir_create(path, &error) < 0)
        test_fail(__FILE__, __LINE__, "maildir_create: %s", error);
    return path;
}

/* count_entries - entries of maildir/sub other than . and .. */
static int count_entries(const char *maildir, const char *sub)
{
    char path[4096];
    struct dirent *e;
    DIR *d;
    int n = 0;

    snprintf(path, sizeof(path), "%s/%s", maildir, sub);
    if ((d = opendir(path)) == NULL)
        return -1;
    while ((e = readdir(d)) != NULL)
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return n;
}

/* slurp - the contents of dir/name (malloc'd), its length in *len_r */
static char *slurp(const char *dir, const char *name, size_t *len_r, struct stat *st)
{
    char path[PATH_MAX + MAILDIR_NAME_MAX + 2];
    char *data;
    int fd;
    ssize_t n;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0 || fstat(fd, st) < 0) {
        test_fail(__FILE__, __LINE__, "open %s: %s", path, strerror(errno));
        *len_r = 0;
        return xstrdup("");
    }
    data = xmalloc((size_t)st->st_size + 1);
    n = read(fd, data, (size_t)st->st_size);
    close(fd);
    *len_r = n > 0 ? (size_t)n : 0;
    return data;
}

/* expect_file - the delivered file holds want, its name carries the real
 * sizes, mode 0600, and tmp/ is empty */
static void expect_file(const char *maildir, const struct maildir_delivered *out, const char *want,
                        size_t wlen)
{
    struct maildir_name n;
    struct stat st;
    const char *error = NULL;
    size_t len, i, lf = 0;
    char *data = slurp(out->new_dir, out->name, &len, &st);

    EXPECT_MEM(data, len, want, wlen);
    for (i = 0; i < wlen; i++)
        lf += want[i] == '\n' && (i == 0 || want[i - 1] != '\r');
    EXPECT_INT(maildir_name_parse(out->name, strlen(out->name), &n, &error), 0);
    EXPECT_TRUE(n.has_size && n.has_vsize && !n.has_info);
    EXPECT_INT(n.size, st.st_size);
    EXPECT_INT(out->size, st.st_size);
    EXPECT_INT(n.vsize, (uint64_t)st.st_size + lf);
    EXPECT_INT(out->vsize, n.vsize);
    EXPECT_INT(st.st_mode & 07777, 0600);
    EXPECT_INT(st.st_nlink, 1);
    EXPECT_INT(count_entries(maildir, "tmp"), 0);
    xfree(data);
}

/* deliver_mem - the one-call delivery of a string */
static enum maildir_result deliver_mem(const char *maildir, const struct maildir_deliver_opts *opts,
                                       const char *text, struct maildir_delivered *out, const char **error_r)
{
    struct maildir_content c = { text, -1, 0, strlen(text) };

    return maildir_deliver(maildir, opts, &c, out, error_r);
}

/* test_exact_bytes - headers then content, CRLF to LF, or kept */
static void test_exact_bytes(void)
{
    const char *md = new_maildir("exact");
    struct maildir_deliver_opts opts = { HEADERS, strlen(HEADERS), MAILDIR_EOL_CRLF_TO_LF, 0 };
    struct maildir_delivered out;
    const char *error = NULL;
    char want[4096], dir[4096];

    EXPECT_INT(deliver_mem(md, &opts, BODY_CRLF, &out, &error), MAILDIR_OK);
    snprintf(want, sizeof(want), "%s%s", HEADERS, BODY_LF);
    expect_file(md, &out, want, strlen(want));
    snprintf(dir, sizeof(dir), "%s/new", md);
    EXPECT_STR(out.new_dir, dir);
    opts.eol = MAILDIR_EOL_KEEP;
    opts.headers = NULL;
    EXPECT_INT(deliver_mem(md, &opts, BODY_CRLF, &out, &error), MAILDIR_OK);
    expect_file(md, &out, BODY_CRLF, strlen(BODY_CRLF));
    /* a CR at the very end, and an empty message */
    opts.eol = MAILDIR_EOL_CRLF_TO_LF;
    EXPECT_INT(deliver_mem(md, &opts, "a\r\nb\r", &out, &error), MAILDIR_OK);
    expect_file(md, &out, "a\nb\r", 4);
    EXPECT_INT(deliver_mem(md, &opts, "", &out, &error), MAILDIR_OK);
    expect_file(md, &out, "", 0);
    /* no options: no headers, bytes as they are, no limit */
    EXPECT_INT(deliver_mem(md, NULL, "a\r\n", &out, &error), MAILDIR_OK);
    expect_file(md, &out, "a\r\n", 3);
    EXPECT_INT(count_entries(md, "new"), 5);
}

/* test_byte_at_a_time - the same file when content comes in 1-byte writes */
static void test_byte_at_a_time(void)
{
    static const char *const texts[] = { BODY_CRLF, "\r\r\n\r\n\r", "x\r", "\n\n\r\r" };
    static const char *const wants[] = { BODY_LF, "\r\n\n\r", "x\r", "\n\n\r\r" };
    const char *md = new_maildir("bytes");
    struct maildir_deliver_opts opts = { NULL, 0, MAILDIR_EOL_CRLF_TO_LF, 0 };
    struct maildir_delivery *d;
    struct maildir_delivered out;
    const char *error = NULL;
    size_t t, i;

    for (t = 0; t < sizeof(texts) / sizeof(texts[0]); t++) {
        if (!EXPECT_INT(maildir_deliver_begin(md, &opts, &d, &error), MAILDIR_OK))
            return;
        for (i = 0; texts[t][i] != '\0'; i++)
            EXPECT_INT(maildir_deliver_write(d, texts[t] + i, 1, &error), MAILDIR_OK);
        EXPECT_INT(maildir_deliver_finish(&d, &out, &error), MAILDIR_OK);
        EXPECT_TRUE(d == NULL);
        EXPECT_INT(maildir_dirsync(out.new_dir, &error), MAILDIR_OK);
        expect_file(md, &out, wants[t], strlen(wants[t]));
    }
}

/* test_thousand - 1,000 deliveries give 1,000 distinct files */
static void test_thousand(void)
{
    const char *md = new_maildir("thousand");
    struct maildir_deliver_opts opts = { HEADERS, strlen(HEADERS), MAILDIR_EOL_CRLF_TO_LF, 0 };
    struct maildir_delivered out;
    const char *error = NULL;
    int i, failed = 0;

    for (i = 0; i < 1000; i++)
        failed += deliver_mem(md, &opts, BODY_CRLF, &out, &error) != MAILDIR_OK;
    EXPECT_INT(failed, 0);
    EXPECT_INT(count_entries(md, "new"), 1000);
    EXPECT_INT(count_entries(md, "tmp"), 0);
    EXPECT_INT(count_entries(md, "cur"), 0);
}

/* make_source - a file with prefix, content and suffix; the open fd */
static int make_source(const char *prefix, const char *content, size_t clen, const char *suffix)
{
    char path[4096];
    int fd;

    snprintf(path, sizeof(path), "%s/source", test_tmpdir());
    unlink(path);
    fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0 || write(fd, prefix, strlen(prefix)) < 0 || write(fd, content, clen) < 0
        || write(fd, suffix, strlen(suffix)) < 0)
        test_fail(__FILE__, __LINE__, "source: %s", strerror(errno));
    return fd;
}

/* test_from_fd - content read from an fd at an offset */
static void test_from_fd(void)
{
    enum { LINES = 20000 };
    const char *md = new_maildir("fromfd");
    struct maildir_deliver_opts opts = { HEADERS, strlen(HEADERS), MAILDIR_EOL_CRLF_TO_LF, 0 };
    struct maildir_delivered out;
    struct maildir_content c = { NULL, -1, 9, strlen(BODY_CRLF) };
    const char *error = NULL;
    char *big = xmalloc(LINES * 12 + 1), *big_lf = xmalloc(LINES * 12 + 1), want[4096];
    size_t blen = 0, llen = 0;
    int i;

    c.fd = make_source("QUEUEREC:", BODY_CRLF, strlen(BODY_CRLF), "TRAILER");
    EXPECT_INT(maildir_deliver(md, &opts, &c, &out, &error), MAILDIR_OK);
    snprintf(want, sizeof(want), "%s%s", HEADERS, BODY_LF);
    expect_file(md, &out, want, strlen(want));
    close(c.fd);
    /* far larger than the copy buffer, CRLF pairs split across reads */
    for (i = 0; i < LINES; i++) {
        blen += (size_t)snprintf(big + blen, 13, "line %05d\r\n", i);
        llen += (size_t)snprintf(big_lf + llen, 12, "line %05d\n", i);
    }
    c.fd = make_source("x", big, blen, "");
    c.offset = 1;
    c.len = blen;
    opts.headers = NULL;
    EXPECT_INT(maildir_deliver(md, &opts, &c, &out, &error), MAILDIR_OK);
    expect_file(md, &out, big_lf, llen);
    /* a source shorter than announced: temporary, nothing left */
    c.len = blen + 10;
    EXPECT_INT(maildir_deliver(md, &opts, &c, &out, &error), MAILDIR_TEMPFAIL);
    EXPECT_INT(errno, EIO);
    EXPECT_CONTAINS(error, "unexpected end of file");
    EXPECT_INT(count_entries(md, "tmp"), 0);
    EXPECT_INT(count_entries(md, "new"), 2);
    close(c.fd);
    xfree(big);
    xfree(big_lf);
}

/* test_max_size - the limit applies to the final (converted) file */
static void test_max_size(void)
{
    const char *md = new_maildir("maxsize");
    struct maildir_deliver_opts opts = { NULL, 0, MAILDIR_EOL_CRLF_TO_LF, 10 };
    struct maildir_delivered out;
    const char *error = NULL;

    EXPECT_INT(deliver_mem(md, &opts, "0123456789", &out, &error), MAILDIR_OK);
    EXPECT_INT(deliver_mem(md, &opts, "0123\r\n567\r\n", &out, &error), MAILDIR_OK);
    EXPECT_INT(deliver_mem(md, &opts, "0123456789A", &out, &error), MAILDIR_PERMFAIL);
    EXPECT_INT(errno, EFBIG);
    EXPECT_CONTAINS(error, "is larger than the limit of 10 bytes");
    /* a trailing CR held back is counted when it is written at the end */
    EXPECT_INT(deliver_mem(md, &opts, "012345678\r\r", &out, &error), MAILDIR_PERMFAIL);
    /* the headers count too */
    opts.headers = "X-Long-Header: yes\n";
    opts.headers_len = strlen(opts.headers);
    EXPECT_INT(deliver_mem(md, &opts, "", &out, &error), MAILDIR_PERMFAIL);
    EXPECT_INT(count_entries(md, "tmp"), 0);
    EXPECT_INT(count_entries(md, "new"), 2);
}

/* unwritable_child - as nobody, deliver into a maildir whose new/ is not
 * writable; the exit status has one bit per failed check */
static int unwritable_child(const char *md, const struct passwd *pw)
{
    struct maildir_deliver_opts opts = { HEADERS, strlen(HEADERS), MAILDIR_EOL_CRLF_TO_LF, 0 };
    struct maildir_delivered out;
    const char *error = NULL;
    enum maildir_result r;
    int bad = 0;

    if (setgroups(0, NULL) < 0 || setgid(pw->pw_gid) < 0 || setuid(pw->pw_uid) < 0 || setuid(0) == 0)
        return 64;
    r = deliver_mem(md, &opts, BODY_CRLF, &out, &error);
    bad |= r != MAILDIR_TEMPFAIL ? 1 : 0;
    bad |= errno != EACCES ? 2 : 0;
    bad |= error == NULL || strstr(error, " into new/: Permission denied") == NULL ? 4 : 0;
    bad |= count_entries(md, "tmp") != 0 ? 8 : 0;
    bad |= count_entries(md, "new") != 0 ? 16 : 0;
    if (bad != 0)
        fprintf(stderr, "child: result %d, error %s\n", (int)r, error ? error : "(none)");
    return bad;
}

/* test_unwritable_new - a delivery that cannot rename fails cleanly */
static void test_unwritable_new(void)
{
    const char *md = new_maildir("unwritable");
    struct passwd *pw = getpwnam("nobody");
    char newdir[4096];
    const char *subs[] = { "", "/tmp", "/new", "/cur" };
    int status = -1;
    size_t i;
    pid_t pid;

    if (!EXPECT_TRUE(pw != NULL))
        return;
    for (i = 0; i < 4; i++) {
        snprintf(newdir, sizeof(newdir), "%s%s", md, subs[i]);
        EXPECT_INT(chown(newdir, pw->pw_uid, pw->pw_gid), 0);
    }
    /* the test directory above must be searchable by nobody */
    chmod(test_tmpdir(), 0711);
    snprintf(newdir, sizeof(newdir), "%s/new", md);
    EXPECT_INT(chmod(newdir, 0500), 0);
    pid = fork();
    if (pid == 0)
        _exit(unwritable_child(md, pw));
    EXPECT_INT(waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status));
    EXPECT_INT(WEXITSTATUS(status), 0);
    EXPECT_INT(count_entries(md, "tmp"), 0);
    EXPECT_INT(count_entries(md, "new"), 0);
}

/* op_index - the position of the last op in the trace, or -1 */
static int op_index(const struct maildir_trace *t, enum maildir_op op)
{
    int i, last = -1;

    for (i = 0; i < (int)t->count && i < MAILDIR_TRACE_MAX; i++)
        if (t->ops[i] == op)
            last = i;
    return last;
}

/* trace_text - the trace as letters, for exact comparisons */
static const char *trace_text(void)
{
    static char text[MAILDIR_TRACE_MAX + 1];
    const struct maildir_trace *t = maildir_trace_get();
    static const char letters[] = "CWFXRLUDP";
    size_t i;

    for (i = 0; i < t->count && i < MAILDIR_TRACE_MAX; i++)
        text[i] = letters[t->ops[i]];
    text[i] = '\0';
    return text;
}

/* test_order - write, fsync(file), rename, fsync(new/), in that order */
static void test_order(void)
{
    const char *md = new_maildir("order");
    struct maildir_deliver_opts opts = { HEADERS, strlen(HEADERS), MAILDIR_EOL_CRLF_TO_LF, 0 };
    struct maildir_delivered out;
    struct maildir_content c = { NULL, -1, 3, strlen(BODY_CRLF) };
    const struct maildir_trace *t = maildir_trace_get();
    const char *error = NULL;

    maildir_trace_reset();
    EXPECT_INT(deliver_mem(md, &opts, BODY_CRLF, &out, &error), MAILDIR_OK);
    /* Create, Write, Fsync file, close (X), Rename, fsync Dir */
    EXPECT_STR(trace_text(), "CWFXRD");
    EXPECT_TRUE(op_index(t, MAILDIR_OP_WRITE) < op_index(t, MAILDIR_OP_FSYNC_FILE));
    EXPECT_TRUE(op_index(t, MAILDIR_OP_FSYNC_FILE) < op_index(t, MAILDIR_OP_RENAME));
    EXPECT_TRUE(op_index(t, MAILDIR_OP_RENAME) < op_index(t, MAILDIR_OP_FSYNC_DIR));
    maildir_trace_reset();
    c.fd = make_source("abc", BODY_CRLF, strlen(BODY_CRLF), "");
    EXPECT_INT(maildir_deliver(md, &opts, &c, &out, &error), MAILDIR_OK);
    EXPECT_STR(trace_text(), "CPWFXRD");
    close(c.fd);
    /* where rename cannot refuse to replace: link, then unlink of tmp/ */
    maildir_trace_reset();
    maildir_trace_fail(MAILDIR_OP_RENAME, EINVAL);
    EXPECT_INT(deliver_mem(md, &opts, BODY_CRLF, &out, &error), MAILDIR_OK);
    EXPECT_STR(trace_text(), "CWFXRLUD");
    EXPECT_INT(count_entries(md, "tmp"), 0);
    expect_file(md, &out, HEADERS BODY_LF, strlen(HEADERS BODY_LF));
    /* a name taken in tmp/ is retried with a new one */
    maildir_trace_reset();
    maildir_trace_fail(MAILDIR_OP_CREATE, EEXIST);
    EXPECT_INT(deliver_mem(md, &opts, BODY_CRLF, &out, &error), MAILDIR_OK);
    EXPECT_STR(trace_text(), "CCWFXRD");
    EXPECT_INT(count_entries(md, "new"), 4);
}

/* test_split - group commit: finish many, then one dirsync per directory */
static void test_split(void)
{
    char md1[2048], md2[2048];
    struct maildir_deliver_opts opts = { NULL, 0, MAILDIR_EOL_KEEP, 0 };
    struct maildir_delivered out[3];
    struct maildir_delivery *d;
    const char *error = NULL;
    int i;

    snprintf(md1, sizeof(md1), "%s", new_maildir("split1"));
    snprintf(md2, sizeof(md2), "%s", new_maildir("split2"));
    maildir_trace_reset();
    for (i = 0; i < 3; i++) {
        EXPECT_INT(maildir_deliver_begin(i == 2 ? md2 : md1, &opts, &d, &error), MAILDIR_OK);
        EXPECT_INT(maildir_deliver_write(d, "hello\n", 6, &error), MAILDIR_OK);
        EXPECT_INT(maildir_deliver_finish(&d, &out[i], &error), MAILDIR_OK);
    }
    EXPECT_STR(trace_text(), "CWFXRCWFXRCWFXR");
    EXPECT_INT(count_entries(md1, "new"), 2);
    EXPECT_INT(count_entries(md2, "new"), 1);
    EXPECT_STR(out[0].new_dir, out[1].new_dir);
    EXPECT_INT(maildir_dirsync(out[0].new_dir, &error), MAILDIR_OK);
    EXPECT_INT(maildir_dirsync(out[2].new_dir, &error), MAILDIR_OK);
    EXPECT_STR(trace_text(), "CWFXRCWFXRCWFXRDD");
    for (i = 0; i < 3; i++)
        expect_file(i == 2 ? md2 : md1, &out[i], "hello\n", 6);
    /* abort after a few writes leaves nothing */
    EXPECT_INT(maildir_deliver_begin(md1, &opts, &d, &error), MAILDIR_OK);
    EXPECT_INT(maildir_deliver_write(d, "partial", 7, &error), MAILDIR_OK);
    EXPECT_INT(count_entries(md1, "tmp"), 1);
    maildir_deliver_abort(&d);
    EXPECT_TRUE(d == NULL);
    maildir_deliver_abort(&d);
    EXPECT_INT(count_entries(md1, "tmp"), 0);
    /* a failed dirsync: the caller revokes the batch's deliveries */
    maildir_trace_fail(MAILDIR_OP_FSYNC_DIR, EIO);
    EXPECT_INT(maildir_dirsync(out[2].new_dir, &error), MAILDIR_TEMPFAIL);
    EXPECT_CONTAINS(error, "fsync directory");
    EXPECT_INT(maildir_deliver_revoke(&out[2], &error), 0);
    EXPECT_INT(count_entries(md2, "new"), 0);
}

struct fail_case {
    enum maildir_op op;
    int errnum;
    enum maildir_result result;
    const char *error;
};

static const struct fail_case fail_cases[] = {
    { MAILDIR_OP_CREATE, ENOSPC, MAILDIR_TEMPFAIL, "create file in " },
    { MAILDIR_OP_CREATE, ELOOP, MAILDIR_PERMFAIL, "create file in " },
    { MAILDIR_OP_WRITE, ENOSPC, MAILDIR_TEMPFAIL, ": No space left on device" },
    { MAILDIR_OP_WRITE, EDQUOT, MAILDIR_TEMPFAIL, ": Disk quota exceeded" },
    { MAILDIR_OP_WRITE, EIO, MAILDIR_TEMPFAIL, ": Input/output error" },
    { MAILDIR_OP_PREAD, EIO, MAILDIR_TEMPFAIL, "read message content at offset 0: Input/output error" },
    { MAILDIR_OP_FSYNC_FILE, EIO, MAILDIR_TEMPFAIL, "fsync " },
    { MAILDIR_OP_CLOSE, EIO, MAILDIR_TEMPFAIL, "close " },
    { MAILDIR_OP_RENAME, ENOSPC, MAILDIR_TEMPFAIL, " into new/: " },
    { MAILDIR_OP_RENAME, EACCES, MAILDIR_TEMPFAIL, " into new/: " },
    { MAILDIR_OP_FSYNC_DIR, EIO, MAILDIR_TEMPFAIL, "fsync directory " },
};

/* test_failures - each failing step: right result and errno, nothing left */
static void test_failures(void)
{
    const char *md = new_maildir("failures");
    struct maildir_deliver_opts opts = { HEADERS, strlen(HEADERS), MAILDIR_EOL_CRLF_TO_LF, 0 };
    struct maildir_delivered out;
    struct maildir_content c = { NULL, -1, 0, strlen(BODY_CRLF) };
    const char *error;
    size_t i;

    c.fd = make_source("", BODY_CRLF, strlen(BODY_CRLF), "");
    for (i = 0; i < sizeof(fail_cases) / sizeof(fail_cases[0]); i++) {
        const struct fail_case *f = &fail_cases[i];

        error = NULL;
        maildir_trace_reset();
        maildir_trace_fail(f->op, f->errnum);
        if (!EXPECT_INT(maildir_deliver(md, &opts, &c, &out, &error), f->result))
            fprintf(stderr, "  case %zu\n", i);
        EXPECT_INT(errno, f->errnum);
        EXPECT_CONTAINS(error, f->error);
        EXPECT_INT(count_entries(md, "tmp"), 0);
        EXPECT_INT(count_entries(md, "new"), 0);
    }
    close(c.fd);
}

/* test_bad_maildir - missing maildir, symlinked new/, bad paths */
static void test_bad_maildir(void)
{
    char md[2048], path[4096], elsewhere[4096];
    struct maildir_deliver_opts opts = { NULL, 0, MAILDIR_EOL_KEEP, 0 };
    struct maildir_delivered out;
    const char *error = NULL;

    snprintf(path, sizeof(path), "%s/nosuch", test_tmpdir());
    EXPECT_INT(deliver_mem(path, &opts, "x", &out, &error), MAILDIR_TEMPFAIL);
    EXPECT_INT(errno, ENOENT);
    EXPECT_CONTAINS(error, "/nosuch: No such file or directory");
    snprintf(md, sizeof(md), "%s", new_maildir("symnew"));
    snprintf(elsewhere, sizeof(elsewhere), "%s", new_maildir("elsewhere"));
    snprintf(path, sizeof(path), "%s/new", md);
    EXPECT_INT(rmdir(path), 0);
    snprintf(elsewhere + strlen(elsewhere), sizeof(elsewhere) - strlen(elsewhere), "/new");
    EXPECT_INT(symlink(elsewhere, path), 0);
    EXPECT_INT(deliver_mem(md, &opts, "x", &out, &error), MAILDIR_PERMFAIL);
    EXPECT_INT(errno, ELOOP);
    EXPECT_CONTAINS(error, "/symnew/new is a symbolic link (not followed)");
    EXPECT_INT(count_entries(md, "tmp"), 0);
    EXPECT_INT(count_entries(elsewhere, ""), 0);
}

/* test_classify - which causes defer and which bounce */
static void test_classify(void)
{
    static const struct {
        int errnum;
        enum maildir_result r;
    } cases[] = {
        { ENOSPC, MAILDIR_TEMPFAIL }, { EDQUOT, MAILDIR_TEMPFAIL },       { EIO, MAILDIR_TEMPFAIL },
        { EACCES, MAILDIR_TEMPFAIL }, { ENOENT, MAILDIR_TEMPFAIL },       { EROFS, MAILDIR_TEMPFAIL },
        { EFBIG, MAILDIR_PERMFAIL },  { ELOOP, MAILDIR_PERMFAIL },        { ENOTDIR, MAILDIR_PERMFAIL },
        { EINVAL, MAILDIR_PERMFAIL }, { ENAMETOOLONG, MAILDIR_PERMFAIL },
    };
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        EXPECT_INT(maildir_errno_result(cases[i].errnum), cases[i].r);
}

int main(void)
{
    return test_run((const struct test_case[]){
        TEST_CASE(test_exact_bytes),
        TEST_CASE(test_byte_at_a_time),
        TEST_CASE(test_thousand),
        TEST_CASE(test_from_fd),
        TEST_CASE(test_max_size),
        TEST_CASE(test_unwritable_new),
        TEST_CASE(test_order),
        TEST_CASE(test_split),
        TEST_CASE(test_failures),
        TEST_CASE(test_bad_maildir),
        TEST_CASE(test_classify),
        TEST_END,
    });
}
