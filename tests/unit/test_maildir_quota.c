/* SPDX-License-Identifier: MIT
 * test_maildir_quota - the Maildir++ "maildirsize" file: limits and summed
 * deltas, torn last lines and large files asking for a recalculation,
 * every malformed line refused with its line number, the "would this
 * delivery exceed" check at and past each limit, appending after a
 * delivery, a missing file meaning no quota, a symlinked file refused, and
 * a recalculation over the root and its folders that matches the sizes of
 * delivered files. The text is parsed whole (no streaming path exists).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "maildir/maildir_deliver.h"
#include "maildir/maildir_folder.h"
#include "maildir/maildir_quota.h"
#include "test.h"
#include "util/alloc.h"
#include "util/durable.h"

struct good_case {
    const char *text;
    uint64_t max_bytes, max_count;
    int64_t bytes, count;
    bool recalc;
};

static const struct good_case good_cases[] = {
    { "1000S,10C\n", 1000, 10, 0, 0, false },
    { "10C,1000S\n", 1000, 10, 0, 0, false },
    { "1000S\n100 1\n-50 -1\n  20   1\n", 1000, 0, 70, 1, false },
    { "5C\n0 0\n", 0, 5, 0, 0, false },
    { "\n12 1\n", 0, 0, 12, 1, false },
    /* a line torn by a crash is ignored and asks for a recalculation */
    { "1S\n5 1\n7", 1, 0, 5, 1, true },
    { "1S\n5 1\n-", 1, 0, 5, 1, true },
    { "0S\n", 0, 0, 0, 0, false },
};

struct bad_case {
    const char *text;
    const char *error;
};

static const struct bad_case bad_cases[] = {
    { "", "maildirsize:1: incomplete first line" },
    { "1000S", "maildirsize:1: incomplete first line" },
    { "1000X\n", "maildirsize:1: invalid quota definition \"1000X\"" },
    { "S\n", "maildirsize:1: invalid quota definition \"S\"" },
    { "1000S,2000S\n", "maildirsize:1: invalid quota definition \"1000S,2000S\"" },
    { "1000S,\n", "maildirsize:1: invalid quota definition \"1000S,\"" },
    { "0S,5S\n", "maildirsize:1: invalid quota definition \"0S,5S\"" },
    { "-1S\n", "maildirsize:1: invalid quota definition \"-1S\"" },
    { "99999999999999999999S\n", "maildirsize:1: invalid quota definition \"99999999999999999999S\"" },
    { "1S\nabc 1\n", "maildirsize:2: invalid line (want \"BYTES COUNT\")" },
    { "1S\n1 1\n1\n", "maildirsize:3: invalid line (want \"BYTES COUNT\")" },
    { "1S\n1 2 3\n", "maildirsize:2: invalid line (want \"BYTES COUNT\")" },
    { "1S\n1-2\n", "maildirsize:2: invalid line (want \"BYTES COUNT\")" },
    { "1S\n\n", "maildirsize:2: invalid line (want \"BYTES COUNT\")" },
    { "1S\n1\t2\n", "maildirsize:2: invalid line (want \"BYTES COUNT\")" },
    { "1S\n1234567890123456789 1\n", "maildirsize:2: invalid line (want \"BYTES COUNT\")" },
    { "1S\n999999999999999999 1\n999999999999999999 1\n999999999999999999 1\n999999999999999999 1\n"
      "999999999999999999 1\n999999999999999999 1\n999999999999999999 1\n999999999999999999 1\n"
      "999999999999999999 1\n999999999999999999 1\n",
      "maildirsize:11: invalid line (want \"BYTES COUNT\")" },
};

/* test_parse - limits, usage and the recalculation flag */
static void test_parse(void)
{
    size_t i;

    for (i = 0; i < sizeof(good_cases) / sizeof(good_cases[0]); i++) {
        const struct good_case *c = &good_cases[i];
        struct maildir_quota q;
        const char *error = NULL;

        if (!EXPECT_INT(maildir_quota_parse(c->text, strlen(c->text), &q, &error), 0)) {
            EXPECT_STR(error, "(none)");
            continue;
        }
        EXPECT_INT(q.max_bytes, c->max_bytes);
        EXPECT_INT(q.max_count, c->max_count);
        EXPECT_INT(q.bytes, c->bytes);
        EXPECT_INT(q.count, c->count);
        EXPECT_INT(q.recalc, c->recalc);
    }
    for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
        struct maildir_quota q;
        const char *error = NULL;

        EXPECT_INT(maildir_quota_parse(bad_cases[i].text, strlen(bad_cases[i].text), &q, &error), -1);
        EXPECT_STR(error, bad_cases[i].error);
    }
}

/* test_large - a file over 5120 bytes asks for a recalculation */
static void test_large(void)
{
    char *text = xmalloc(8192);
    struct maildir_quota q;
    const char *error = NULL;
    size_t len = 0;

    len += (size_t)snprintf(text, 8192, "100000S\n");
    while (len < MAILDIR_QUOTA_RECALC_SIZE)
        len += (size_t)snprintf(text + len, 8192 - len, "10 1\n");
    EXPECT_INT(maildir_quota_parse(text, len, &q, &error), 0);
    EXPECT_TRUE(q.recalc);
    EXPECT_INT(q.count, (int64_t)((len - 8) / 5));
    xfree(text);
}

/* test_exceeded - at the limit is fine, past it is not */
static void test_exceeded(void)
{
    struct maildir_quota q = { 1000, 10, 900, 9, false };

    EXPECT_FALSE(maildir_quota_exceeded(&q, 100, 1));
    EXPECT_TRUE(maildir_quota_exceeded(&q, 101, 1));
    EXPECT_TRUE(maildir_quota_exceeded(&q, 1, 2));
    EXPECT_TRUE(maildir_quota_exceeded(&q, UINT64_MAX, 0));
    q.max_count = 0;
    EXPECT_FALSE(maildir_quota_exceeded(&q, 100, 1000));
    q.max_bytes = 0;
    EXPECT_FALSE(maildir_quota_exceeded(&q, UINT64_MAX, 1));
    /* negative usage (deltas after expunges, before a recalculation) counts as 0 */
    q.max_bytes = 10;
    q.bytes = -100;
    EXPECT_FALSE(maildir_quota_exceeded(&q, 10, 1));
    EXPECT_TRUE(maildir_quota_exceeded(&q, 11, 1));
}

/* deliver - one message of text into the maildir at path */
static void deliver(const char *path, const char *text, struct maildir_delivered *out)
{
    struct maildir_deliver_opts opts = { NULL, 0, MAILDIR_EOL_KEEP, 0 };
    struct maildir_content c = { text, -1, 0, strlen(text) };
    const char *error = NULL;

    if (!EXPECT_INT(maildir_deliver(path, &opts, &c, out, &error), MAILDIR_OK))
        EXPECT_STR(error, "(none)");
}

/* test_file - read, add, recalc on a real maildir with a folder */
static void test_file(void)
{
    char root[2048], folder[4096], qpath[4096], link[4096];
    struct maildir_delivered out;
    struct maildir_quota q;
    const char *error = NULL;
    bool exists = true;
    char *text;
    size_t len;

    snprintf(root, sizeof(root), "%s/user", test_tmpdir());
    snprintf(qpath, sizeof(qpath), "%s/maildirsize", root);
    EXPECT_INT(maildir_folder_create(root, "Sent", '/', &error), 0);
    EXPECT_INT(maildir_folder_path(root, "Sent", '/', folder, sizeof(folder), &error), 0);
    /* no file: no quota, and adding does nothing */
    EXPECT_INT(maildir_quota_read(root, &q, &exists, &error), 0);
    EXPECT_FALSE(exists);
    EXPECT_INT(q.max_bytes + q.max_count, 0);
    EXPECT_INT(maildir_quota_add(root, 10, 1, &error), 0);
    EXPECT_INT(access(qpath, F_OK), -1);
    deliver(root, "hello\n", &out);
    deliver(root, "a longer message\n", &out);
    deliver(folder, "sent mail\n", &out);
    EXPECT_INT(maildir_quota_recalc(root, 1000, 50, &q, &error), 0);
    EXPECT_INT(q.bytes, 6 + 17 + 10);
    EXPECT_INT(q.count, 3);
    EXPECT_INT(read_file(qpath, 4096, &text, &len, &error), 0);
    EXPECT_STR(text, "1000S,50C\n33 3\n");
    xfree(text);
    deliver(root, "more\n", &out);
    EXPECT_INT(maildir_quota_add(root, (int64_t)out.size, 1, &error), 0);
    EXPECT_INT(maildir_quota_read(root, &q, &exists, &error), 0);
    EXPECT_TRUE(exists);
    EXPECT_INT(q.bytes, 38);
    EXPECT_INT(q.count, 4);
    EXPECT_FALSE(maildir_quota_exceeded(&q, 962, 1));
    EXPECT_TRUE(maildir_quota_exceeded(&q, 963, 1));
    EXPECT_INT(maildir_quota_recalc(root, 0, 7, &q, &error), 0);
    EXPECT_INT(read_file(qpath, 4096, &text, &len, &error), 0);
    EXPECT_STR(text, "7C\n38 4\n");
    xfree(text);
    /* a symlinked maildirsize is neither read nor appended to */
    snprintf(link, sizeof(link), "%s/elsewhere", test_tmpdir());
    EXPECT_INT(rename(qpath, link), 0);
    EXPECT_INT(symlink(link, qpath), 0);
    EXPECT_INT(maildir_quota_read(root, &q, &exists, &error), -1);
    EXPECT_CONTAINS(error, "Too many levels of symbolic links");
    EXPECT_INT(maildir_quota_add(root, 1, 1, &error), -1);
    EXPECT_INT(read_file(link, 4096, &text, &len, &error), 0);
    EXPECT_STR(text, "7C\n38 4\n");
    xfree(text);
}

int main(void)
{
    return test_run((const struct test_case[]){
        TEST_CASE(test_parse),
        TEST_CASE(test_large),
        TEST_CASE(test_exceeded),
        TEST_CASE(test_file),
        TEST_END,
    });
}
