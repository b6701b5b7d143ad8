/* SPDX-License-Identifier: MIT
 * test_queue_file - the queue file writer and the strict reader: a round
 * trip through every record type, the content's offset and length, R to D
 * in place, every corruption rule with its exact error (through qf_parse
 * and through qf_read on a real file: the same text), every truncation,
 * and the value, recipient and content limits.
 *
 * qf_parse takes whole images and qf_read reads a whole file; there is no
 * streaming parser, so the "feed it one byte at a time" rule has nothing
 * to drive. Instead test_truncations parses every prefix of a complete
 * file (each must be refused with an error, never accepted or crash), and
 * qf_read's window is exercised by a content larger than its buffer.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "mail/queue_file.h"
#include "test.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/durable.h"
#include "util/err.h"

#define BIG_CONTENT 200000

/* a record for building images: type 0 is raw bytes without a header;
 * vlen -1 means strlen(value), hlen -1 means "the header says vlen" */
struct rec {
    int type;
    const char *value;
    long vlen, hlen;
};

/* clang-format off */
#define REC(t, v) { (t), (v), -1, -1 }
#define REC_END { 0, NULL, -1, -1 }
#define R_V REC('V', QF_MAGIC)
#define R_A REC('A', "1700000000.123456")
#define R_F REC('F', "s@x")
#define R_R REC('R', "r@x")
#define R_M REC('M', "hi")
#define R_X REC('X', "")
/* clang-format on */

/* add_rec - append one record (or raw bytes) to an image */
static void add_rec(struct buf *b, const struct rec *r)
{
    size_t vlen = r->vlen >= 0 ? (size_t)r->vlen : strlen(r->value);
    unsigned long hlen = r->hlen >= 0 ? (unsigned long)r->hlen : (unsigned long)vlen;
    unsigned char hdr[5] = { (unsigned char)r->type, (unsigned char)(hlen >> 24), (unsigned char)(hlen >> 16),
                             (unsigned char)(hlen >> 8), (unsigned char)hlen };

    if (r->type != 0)
        buf_append(b, hdr, sizeof(hdr));
    buf_append(b, r->value, vlen);
}

/* build - an image from a REC_END-terminated list */
static struct buf *build(const struct rec *recs)
{
    struct buf *b = buf_create(256, 16 * 1024 * 1024);

    for (; recs->value != NULL; recs++)
        add_rec(b, recs);
    return b;
}

/* read_image - qf_read on a file holding the image */
static int read_image(const void *data, size_t len, struct qf_message **m_r, const char **error_r)
{
    char path[512];
    int fd, ret;

    snprintf(path, sizeof(path), "%s/image", test_tmpdir());
    fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || write_full(fd, data, len) < 0) {
        test_fail(__FILE__, __LINE__, "write %s: %s", path, strerror(errno));
        return -2;
    }
    ret = qf_read(fd, m_r, error_r);
    close(fd);
    return ret;
}

/* expect_refused - both readers refuse the image with exactly this error */
static void expect_refused(const void *data, size_t len, const char *want)
{
    struct qf_message *m = NULL;
    const char *error = NULL;

    if (!EXPECT_INT(qf_parse(data, len, &m, &error), -1))
        qf_message_free(&m);
    EXPECT_STR(error, want);
    EXPECT_TRUE(m == NULL);
    error = NULL;
    if (!EXPECT_INT(read_image(data, len, &m, &error), -1))
        qf_message_free(&m);
    EXPECT_STR(error, want);
}

struct corrupt_case {
    struct rec recs[12];
    const char *error;
};

/* Offsets in the base image V A F R M X: 0, 19, 41, 49, 57, 64; 69 bytes. */
static const struct corrupt_case corrupt_cases[] = {
    { { REC_END }, "file ends at offset 0 without an 'X' record (incomplete)" },
    { { R_V, R_A, R_F, R_R, R_M, REC_END }, "file ends at offset 64 without an 'X' record (incomplete)" },
    { { R_V, R_A, R_F, R_R, R_M, { 0, "X\0\0", 3, -1 }, REC_END },
      "record 'X' at offset 64: header truncated (3 of 5 bytes)" },
    { { { 0, "V", 1, -1 }, REC_END }, "record 'V' at offset 0: header truncated (1 of 5 bytes)" },
    /* V */
    { { REC('V', "petrel-queue 2"), R_A, R_F, R_R, R_M, R_X, REC_END },
      "record 'V' at offset 0: not \"petrel-queue 1\"" },
    { { REC('V', "petrel-queue 1 "), R_A, R_F, R_R, R_M, R_X, REC_END },
      "record 'V' at offset 0: not \"petrel-queue 1\"" },
    { { R_A, R_F, R_R, R_M, R_X, REC_END }, "record 'A' at offset 0: the file must start with a 'V' record" },
    { { R_V, R_V, R_A, R_F, R_R, R_M, R_X, REC_END },
      "record 'V' at offset 19: duplicate (only one is allowed)" },
    /* A, F, E, T, U: once */
    { { R_V, R_A, R_A, R_F, R_R, R_M, R_X, REC_END },
      "record 'A' at offset 41: duplicate (only one is allowed)" },
    { { R_V, R_F, R_R, R_M, R_X, REC_END }, "record 'M' at offset 35: no 'A' record before it" },
    { { R_V, R_A, R_R, R_M, R_X, REC_END }, "record 'M' at offset 49: no 'F' record before it" },
    { { R_V, R_A, R_F, R_F, R_R, R_M, R_X, REC_END },
      "record 'F' at offset 49: duplicate (only one is allowed)" },
    { { R_V, R_A, R_F, REC('E', "x"), REC('E', "y"), R_R, R_M, R_X, REC_END },
      "record 'E' at offset 55: duplicate (only one is allowed)" },
    { { R_V, R_A, R_F, REC('T', "FULL"), REC('T', "HDRS"), R_R, R_M, R_X, REC_END },
      "record 'T' at offset 58: duplicate (only one is allowed)" },
    { { R_V, R_A, R_F, REC('U', "smtputf8"), R_R, REC('U', "smtputf8"), R_M, R_X, REC_END },
      "record 'U' at offset 70: duplicate (only one is allowed)" },
    /* A's form */
    { { R_V, REC('A', ""), R_F, R_R, R_M, R_X, REC_END },
      "record 'A' at offset 19: arrival time not in SECONDS.MICROSECONDS form" },
    { { R_V, REC('A', "1700000000"), R_F, R_R, R_M, R_X, REC_END },
      "record 'A' at offset 19: arrival time not in SECONDS.MICROSECONDS form" },
    { { R_V, REC('A', ".123456"), R_F, R_R, R_M, R_X, REC_END },
      "record 'A' at offset 19: arrival time not in SECONDS.MICROSECONDS form" },
    { { R_V, REC('A', "1.12345"), R_F, R_R, R_M, R_X, REC_END },
      "record 'A' at offset 19: arrival time not in SECONDS.MICROSECONDS form" },
    { { R_V, REC('A', "1.1234567"), R_F, R_R, R_M, R_X, REC_END },
      "record 'A' at offset 19: arrival time not in SECONDS.MICROSECONDS form" },
    { { R_V, REC('A', "-1.123456"), R_F, R_R, R_M, R_X, REC_END },
      "record 'A' at offset 19: arrival time not in SECONDS.MICROSECONDS form" },
    { { R_V, REC('A', "1,123456"), R_F, R_R, R_M, R_X, REC_END },
      "record 'A' at offset 19: arrival time not in SECONDS.MICROSECONDS form" },
    { { R_V, REC('A', "1.12345x"), R_F, R_R, R_M, R_X, REC_END },
      "record 'A' at offset 19: arrival time not in SECONDS.MICROSECONDS form" },
    { { R_V, REC('A', "1234567890123456789.000000"), R_F, R_R, R_M, R_X, REC_END },
      "record 'A' at offset 19: arrival time not in SECONDS.MICROSECONDS form" },
    { { R_V, REC('A', "9999999999999999999.000000"), R_F, R_R, R_M, R_X, REC_END },
      "record 'A' at offset 19: arrival time not in SECONDS.MICROSECONDS form" },
    { { R_V, REC('A', "99999999999999999999999.000000"), R_F, R_R, R_M, R_X, REC_END },
      "record 'A' at offset 19: arrival time not in SECONDS.MICROSECONDS form" },
    /* P, O, N: only right before their recipient, once each */
    { { R_V, R_A, R_F, REC('P', "x"), R_M, R_X, REC_END },
      "record 'P' at offset 49: not followed by an 'R' or 'D' record" },
    { { R_V, R_A, R_F, R_R, REC('O', "rfc822;x"), REC('N', "NEVER"), R_M, R_X, REC_END },
      "record 'O' at offset 57: not followed by an 'R' or 'D' record" },
    { { R_V, R_A, R_F, REC('N', "NEVER"), REC('C', "a=b"), R_R, R_M, R_X, REC_END },
      "record 'N' at offset 49: not followed by an 'R' or 'D' record" },
    { { R_V, R_A, R_F, REC('P', "x"), REC('P', "y"), R_R, R_M, R_X, REC_END },
      "record 'P' at offset 55: second 'P' for one recipient" },
    { { R_V, R_A, R_F, REC('O', "x"), REC('N', "NEVER"), REC('O', "y"), R_R, R_M, R_X, REC_END },
      "record 'O' at offset 65: second 'O' for one recipient" },
    { { R_V, R_A, R_F, REC('N', "NEVER"), REC('N', "NEVER"), R_R, R_M, R_X, REC_END },
      "record 'N' at offset 59: second 'N' for one recipient" },
    /* recipients, M and X */
    { { R_V, R_A, R_F, R_M, R_X, REC_END }, "record 'M' at offset 49: no 'R' or 'D' record before it" },
    { { R_V, R_A, R_F, REC('R', ""), R_M, R_X, REC_END }, "record 'R' at offset 49: empty address" },
    { { R_V, R_A, R_F, R_R, R_M, R_R, R_X, REC_END },
      "record 'R' at offset 64: after the 'M' record (only 'X' may follow it)" },
    { { R_V, R_A, R_F, R_R, R_M, R_M, R_X, REC_END },
      "record 'M' at offset 64: after the 'M' record (only 'X' may follow it)" },
    { { R_V, R_A, R_F, R_R, R_M, REC('C', "a=b"), R_X, REC_END },
      "record 'C' at offset 64: after the 'M' record (only 'X' may follow it)" },
    { { R_V, R_A, R_F, R_R, R_X, REC_END }, "record 'X' at offset 57: no 'M' record before it" },
    { { R_V, R_A, R_F, R_R, R_M, REC('X', "z"), REC_END },
      "record 'X' at offset 64: value must be empty (length 1)" },
    { { R_V, R_A, R_F, R_R, R_M, R_X, REC(0, "junk"), REC_END },
      "record 'X' at offset 64: 4 bytes after it (it must end the file)" },
    { { R_V, R_A, R_F, R_R, R_M, R_X, R_X, REC_END },
      "record 'X' at offset 64: 5 bytes after it (it must end the file)" },
    /* types, lengths, bytes */
    { { R_V, R_A, R_F, REC('Z', "q"), R_R, R_M, R_X, REC_END },
      "record 'Z' at offset 49: unknown record type" },
    { { R_V, R_A, R_F, REC('r', "q"), R_R, R_M, R_X, REC_END },
      "record 'r' at offset 49: unknown record type" },
    { { R_V, R_A, R_F, REC(1, "q"), R_R, R_M, R_X, REC_END },
      "record 0x01 at offset 49: unknown record type" },
    { { R_V, R_A, R_F, { 'R', "r@x", -1, 99999 }, REC_END },
      "record 'R' at offset 49: length 99999 runs past the end of the file (57 bytes)" },
    { { R_V, R_A, R_F, R_R, { 'M', "hi", -1, 100 }, R_X, REC_END },
      "record 'M' at offset 57: length 100 runs past the end of the file (69 bytes)" },
    { { R_V, R_A, R_F, R_R, { 'M', "hi", -1, 0xffffffffL }, REC_END },
      "record 'M' at offset 57: length 4294967295 runs past the end of the file (64 bytes)" },
    { { R_V, R_A, { 'F', "s\0x", 3, -1 }, R_R, R_M, R_X, REC_END },
      "record 'F' at offset 41: NUL byte in the value" },
    { { R_V, R_A, R_F, { 'R', "r@x\0", 4, -1 }, R_M, R_X, REC_END },
      "record 'R' at offset 49: NUL byte in the value" },
    { { R_V, R_A, { 'C', "helo=\0", 6, -1 }, R_F, R_R, R_M, R_X, REC_END },
      "record 'C' at offset 41: NUL byte in the value" },
    { { R_V, R_A, REC('C', "client_addr"), R_F, R_R, R_M, R_X, REC_END },
      "record 'C' at offset 41: no '=' in the value" },
    { { R_V, R_A, REC('C', "=x"), R_F, R_R, R_M, R_X, REC_END },
      "record 'C' at offset 41: empty attribute name" },
};

/* test_corrupt - every corruption rule, with its exact error, through both readers */
static void test_corrupt(void)
{
    size_t i;

    for (i = 0; i < sizeof(corrupt_cases) / sizeof(corrupt_cases[0]); i++) {
        struct buf *b = build(corrupt_cases[i].recs);

        expect_refused(b->data, b->len, corrupt_cases[i].error);
        buf_destroy(&b);
    }
}

/* the images that must parse: the base, D only, P/O/N in any order, <> */
static const struct rec valid_cases[][12] = {
    { R_V, R_A, R_F, R_R, R_M, R_X, REC_END },
    { R_V, R_A, R_F, REC('D', "d@x"), R_M, R_X, REC_END },
    { R_V, R_A, REC('F', ""), REC('N', "NEVER"), REC('O', "o"), REC('P', "p"), R_R, REC('M', ""), R_X,
      REC_END },
    { R_V, R_F, R_R, REC('C', "a=="), REC('U', ""), R_A, R_M, R_X, REC_END },
    { R_V, REC('A', "999999999999999999.999999"), R_F, R_R, R_M, R_X, REC_END },
};

/* test_valid - images that must parse, through both readers */
static void test_valid(void)
{
    size_t i;

    for (i = 0; i < sizeof(valid_cases) / sizeof(valid_cases[0]); i++) {
        struct buf *b = build(valid_cases[i]);
        struct qf_message *m = NULL, *m2 = NULL;
        const char *error = NULL;

        if (EXPECT_INT(qf_parse(b->data, b->len, &m, &error), 0)
            && EXPECT_INT(read_image(b->data, b->len, &m2, &error), 0)) {
            EXPECT_INT(m->nrcpts, 1);
            EXPECT_INT(m2->nrcpts, 1);
            EXPECT_INT(m->content_offset, m2->content_offset);
            EXPECT_INT(m->content_offset + m->content_length + 5, b->len);
            if (i == 4) {
                EXPECT_INT(m->arrival_sec, 999999999999999999LL);
                EXPECT_INT(m->arrival_usec, 999999);
            }
        } else {
            test_fail(__FILE__, __LINE__, "case %zu: %s", i, error);
        }
        qf_message_free(&m);
        qf_message_free(&m2);
        buf_destroy(&b);
    }
}

/* open_dir - the test directory as a descriptor */
static int open_dir(void)
{
    int fd = open(test_tmpdir(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);

    if (fd < 0)
        test_fail(__FILE__, __LINE__, "open %s: %s", test_tmpdir(), strerror(errno));
    return fd;
}

static const struct {
    enum qf_type type;
    const char *value;
} full_records[] = {
    { QF_ARRIVAL, "1700000000.000042" },
    { QF_CLIENT, "client_addr=192.0.2.1" },
    { QF_CLIENT, "helo=client.example" },
    { QF_CLIENT, "protocol=ESMTPS" },
    { QF_SENDER, "sender@example.org" },
    { QF_ENVID, "env-1" },
    { QF_RET, "HDRS" },
    { QF_SMTPUTF8, "smtputf8" },
    { QF_ORIG_RCPT, "Alias@Example.Test" },
    { QF_ORCPT, "rfc822;alias@example.test" },
    { QF_NOTIFY, "SUCCESS,FAILURE" },
    { QF_RCPT, "alice@example.test" },
    { QF_RCPT, "bob@example.test" },
    { QF_NOTIFY, "NEVER" },
    { QF_DONE, "carol@example.test" },
};

static const char content_head[] = "Received: from client.example\r\nSubject: hi\r\n\r\n";

/* content_byte - the filler after content_head */
static char content_byte(size_t i)
{
    return (char)('a' + i % 26);
}

/* write_full_message - a message with every record type; its name in dirfd */
static struct qf_writer *write_full_message(int dirfd, const char *name)
{
    struct qf_writer *w = NULL;
    const char *error = NULL;
    char *big = xmalloc(BIG_CONTENT);
    size_t i;

    for (i = 0; i < BIG_CONTENT; i++)
        big[i] = content_byte(i);
    if (!EXPECT_INT(qf_writer_create(dirfd, name, &w, &error), 0)) {
        test_fail(__FILE__, __LINE__, "%s", error);
        xfree(big);
        return NULL;
    }
    for (i = 0; i < sizeof(full_records) / sizeof(full_records[0]); i++)
        EXPECT_INT(
            qf_write(w, full_records[i].type, full_records[i].value, strlen(full_records[i].value), &error),
            0);
    EXPECT_INT(qf_content_begin(w, 1000000, &error), 0);
    EXPECT_INT(qf_content_write(w, content_head, 10, &error), 0);
    EXPECT_INT(qf_content_write(w, content_head + 10, sizeof(content_head) - 11, &error), 0);
    EXPECT_INT(qf_content_write(w, NULL, 0, &error), 0);
    /* chunks that fill the write buffer, cross it, and bypass it */
    EXPECT_INT(qf_content_write(w, big, 1, &error), 0);
    EXPECT_INT(qf_content_write(w, big + 1, 30000, &error), 0);
    EXPECT_INT(qf_content_write(w, big + 30001, 40000, &error), 0);
    EXPECT_INT(qf_content_write(w, big + 70001, BIG_CONTENT - 70001, &error), 0);
    EXPECT_INT(qf_content_end(w, &error), 0);
    EXPECT_INT(qf_writer_finish(w, &error), 0);
    xfree(big);
    return w;
}

/* check_full_message - every field of what write_full_message wrote */
static void check_full_message(const struct qf_message *m)
{
    EXPECT_INT(m->arrival_sec, 1700000000);
    EXPECT_INT(m->arrival_usec, 42);
    EXPECT_STR(m->sender, "sender@example.org");
    EXPECT_INT(m->nclient, 3);
    if (m->nclient == 3) {
        EXPECT_STR(m->client[0].name, "client_addr");
        EXPECT_STR(m->client[0].value, "192.0.2.1");
        EXPECT_STR(m->client[1].name, "helo");
        EXPECT_STR(m->client[1].value, "client.example");
        EXPECT_STR(m->client[2].name, "protocol");
        EXPECT_STR(m->client[2].value, "ESMTPS");
    }
    EXPECT_STR(m->envid, "env-1");
    EXPECT_STR(m->ret, "HDRS");
    EXPECT_TRUE(m->smtputf8);
    if (!EXPECT_INT(m->nrcpts, 3))
        return;
    EXPECT_STR(m->rcpts[0].address, "alice@example.test");
    EXPECT_STR(m->rcpts[0].orig, "Alias@Example.Test");
    EXPECT_STR(m->rcpts[0].orcpt, "rfc822;alias@example.test");
    EXPECT_STR(m->rcpts[0].notify, "SUCCESS,FAILURE");
    EXPECT_FALSE(m->rcpts[0].done);
    EXPECT_STR(m->rcpts[1].address, "bob@example.test");
    EXPECT_TRUE(m->rcpts[1].orig == NULL && m->rcpts[1].orcpt == NULL && m->rcpts[1].notify == NULL);
    EXPECT_FALSE(m->rcpts[1].done);
    EXPECT_STR(m->rcpts[2].address, "carol@example.test");
    EXPECT_STR(m->rcpts[2].notify, "NEVER");
    EXPECT_TRUE(m->rcpts[2].done);
    EXPECT_INT(m->content_length, sizeof(content_head) - 1 + BIG_CONTENT);
}

/* check_content - the content offset and length point at the exact bytes */
static void check_content(int fd, const struct qf_message *m)
{
    char *got = xmalloc(m->content_length + 5);
    char *want = xmalloc(m->content_length + 1);
    size_t head = sizeof(content_head) - 1, i;

    memcpy(want, content_head, head);
    for (i = 0; i < BIG_CONTENT; i++)
        want[head + i] = content_byte(i);
    EXPECT_INT(pread(fd, got, m->content_length + 5, (off_t)m->content_offset),
               (long long)m->content_length + 5);
    EXPECT_MEM(got, m->content_length, want, m->content_length);
    EXPECT_MEM(got + m->content_length, 5, "X\0\0\0\0", 5);
    xfree(got);
    xfree(want);
}

/* test_roundtrip - a message with every record type, written and read back */
static void test_roundtrip(void)
{
    int dirfd = open_dir(), fd;
    struct qf_writer *w = write_full_message(dirfd, "0000000001AB");
    struct qf_message *m = NULL;
    const char *error = NULL;
    uint64_t off, len;

    if (w == NULL)
        return;
    qf_writer_content(w, &off, &len);
    EXPECT_INT(len, sizeof(content_head) - 1 + BIG_CONTENT);
    fd = openat(dirfd, "0000000001AB", O_RDONLY | O_CLOEXEC);
    if (EXPECT_INT(qf_read(fd, &m, &error), 0)) {
        check_full_message(m);
        EXPECT_INT(m->content_offset, off);
        EXPECT_INT(m->content_length, len);
        check_content(fd, m);
        qf_message_free(&m);
    } else {
        test_fail(__FILE__, __LINE__, "%s", error);
    }
    /* the writer's own descriptor reads the same */
    if (EXPECT_INT(qf_read(qf_writer_fd(w), &m, &error), 0))
        EXPECT_INT(m->content_offset, off);
    qf_message_free(&m);
    close(fd);
    qf_writer_destroy(&w, false);
    EXPECT_TRUE(w == NULL);
    EXPECT_INT(faccessat(dirfd, "0000000001AB", F_OK, 0), 0);
    close(dirfd);
}

/* test_mark_done - R becomes D in place; anything else at the offset is refused */
static void test_mark_done(void)
{
    int dirfd = open_dir(), fd;
    struct qf_writer *w = write_full_message(dirfd, "0000000002AB");
    struct qf_message *m = NULL;
    struct qf_rcpt fake;
    const char *error = NULL;
    char want[200];

    fd = qf_writer_fd(w);
    if (!EXPECT_INT(qf_read(fd, &m, &error), 0))
        goto out;
    EXPECT_INT(qf_mark_done(fd, &m->rcpts[1], &error), 0);
    /* twice: the byte is now D, and qf_mark_done never writes blindly */
    EXPECT_INT(qf_mark_done(fd, &m->rcpts[1], &error), -1);
    snprintf(want, sizeof(want), "record 'D' at offset %llu: cannot mark done: not an 'R' record",
             (unsigned long long)m->rcpts[1].offset);
    EXPECT_STR(error, want);
    fake = m->rcpts[0];
    fake.offset = 0;
    EXPECT_INT(qf_mark_done(fd, &fake, &error), -1);
    EXPECT_STR(error, "record 'V' at offset 0: cannot mark done: not an 'R' record");
    fake.offset = m->rcpts[0].offset + 1;
    EXPECT_INT(qf_mark_done(fd, &fake, &error), -1);
    fake.offset = m->rcpts[0].offset;
    fake.address = (char *)"x@y";
    EXPECT_INT(qf_mark_done(fd, &fake, &error), -1);
    snprintf(want, sizeof(want),
             "record 'R' at offset %llu: cannot mark done: its length is not that of the address",
             (unsigned long long)fake.offset);
    EXPECT_STR(error, want);
    fake.offset = 1u << 30;
    EXPECT_INT(qf_mark_done(fd, &fake, &error), -1);
    EXPECT_STR(error, "mark done at offset 1073741824: past the end of the file");
    qf_message_free(&m);
    if (EXPECT_INT(qf_read(fd, &m, &error), 0)) {
        EXPECT_FALSE(m->rcpts[0].done);
        EXPECT_TRUE(m->rcpts[1].done);
        EXPECT_TRUE(m->rcpts[2].done);
    }
out:
    qf_message_free(&m);
    qf_writer_destroy(&w, true);
    EXPECT_INT(faccessat(dirfd, "0000000002AB", F_OK, 0), -1);
    close(dirfd);
}

/* test_truncations - every proper prefix of a complete file is refused */
static void test_truncations(void)
{
    int dirfd = open_dir();
    struct qf_writer *w;
    struct qf_message *m = NULL;
    const char *error, *perror_text;
    char path[512], saved[ERR_MAX];
    char *data;
    size_t len, i;

    /* a small content, so that every prefix is also read back from a file */
    w = write_full_message(dirfd, "0000000003AB");
    qf_writer_destroy(&w, false);
    snprintf(path, sizeof(path), "%s/0000000003AB", test_tmpdir());
    if (!EXPECT_INT(read_file(path, 1 << 20, &data, &len, &error), 0))
        goto out;
    for (i = 0; i < len; i++) {
        error = NULL;
        if (!EXPECT_INT(qf_parse(data, i, &m, &error), -1)) {
            test_fail(__FILE__, __LINE__, "prefix of %zu bytes accepted", i);
            qf_message_free(&m);
            continue;
        }
        if (!EXPECT_TRUE(error != NULL && m == NULL))
            continue;
        snprintf(saved, sizeof(saved), "%s", error);
        /* qf_read on the same bytes: the same verdict and text (every
         * prefix inside the content costs a file write, so sample there) */
        if (i < 400 || i > len - 40 || i % 9973 == 0) {
            perror_text = NULL;
            if (!EXPECT_INT(read_image(data, i, &m, &perror_text), -1))
                qf_message_free(&m);
            EXPECT_STR(perror_text, saved);
        }
    }
    EXPECT_INT(qf_parse(data, len, &m, &error), 0);
    qf_message_free(&m);
    xfree(data);
out:
    close(dirfd);
}

/* test_content_limit - qf_content_write refuses to pass the maximum, and writes nothing */
static void test_content_limit(void)
{
    int dirfd = open_dir();
    struct qf_writer *w = NULL;
    struct qf_message *m = NULL;
    const char *error = NULL;

    if (!EXPECT_INT(qf_writer_create(dirfd, "0000000004AB", &w, &error), 0))
        goto out;
    EXPECT_INT(qf_write(w, QF_ARRIVAL, "1.000000", 8, &error), 0);
    EXPECT_INT(qf_write(w, QF_SENDER, "", 0, &error), 0);
    EXPECT_INT(qf_write(w, QF_RCPT, "r@x", 3, &error), 0);
    EXPECT_INT(qf_content_begin(w, 10, &error), 0);
    EXPECT_INT(qf_content_write(w, "123456", 6, &error), 0);
    EXPECT_INT(qf_content_write(w, "78901", 5, &error), -1);
    EXPECT_STR(error, "queue file 0000000004AB: content larger than 10 bytes");
    /* the refused write left nothing behind: up to the limit still fits */
    EXPECT_INT(qf_content_write(w, "7890", 4, &error), 0);
    EXPECT_INT(qf_content_write(w, "x", 1, &error), -1);
    EXPECT_INT(qf_content_end(w, &error), 0);
    EXPECT_INT(qf_writer_finish(w, &error), 0);
    if (EXPECT_INT(qf_read(qf_writer_fd(w), &m, &error), 0)) {
        EXPECT_INT(m->content_length, 10);
        EXPECT_STR(m->sender, "");
        EXPECT_INT(m->arrival_sec, 1);
    }
    qf_message_free(&m);
    qf_writer_destroy(&w, true);
out:
    close(dirfd);
}

/* test_two_step_finish - qf_writer_end then qf_writer_sync, in that order
 * only, give the same file as qf_writer_finish */
static void test_two_step_finish(void)
{
    int dirfd = open_dir();
    struct qf_writer *w = NULL;
    struct qf_message *m = NULL;
    const char *error = NULL;

    if (!EXPECT_INT(qf_writer_create(dirfd, "0000000007AB", &w, &error), 0))
        goto out;
    EXPECT_INT(qf_write(w, QF_ARRIVAL, "1.000000", 8, &error), 0);
    EXPECT_INT(qf_write(w, QF_SENDER, "s@x", 3, &error), 0);
    EXPECT_INT(qf_write(w, QF_RCPT, "r@x", 3, &error), 0);
    EXPECT_INT(qf_content_begin(w, 100, &error), 0);
    EXPECT_INT(qf_content_write(w, "Subject: x\r\n\r\nbody\r\n", 20, &error), 0);
    EXPECT_INT(qf_writer_sync(w, &error), -1);
    EXPECT_STR(error, "queue file 0000000007AB: sync out of order");
    EXPECT_INT(qf_content_end(w, &error), 0);
    EXPECT_INT(qf_writer_sync(w, &error), -1);
    EXPECT_STR(error, "queue file 0000000007AB: sync out of order");
    EXPECT_INT(qf_writer_end(w, &error), 0);
    /* ended, not yet synced: the file is already complete on reading */
    if (EXPECT_INT(qf_read(qf_writer_fd(w), &m, &error), 0))
        EXPECT_INT(m->content_length, 20);
    qf_message_free(&m);
    EXPECT_INT(qf_writer_end(w, &error), -1);
    EXPECT_STR(error, "queue file 0000000007AB: finish out of order");
    EXPECT_INT(qf_writer_sync(w, &error), 0);
    EXPECT_INT(qf_writer_sync(w, &error), -1);
    EXPECT_INT(qf_writer_finish(w, &error), -1);
    if (EXPECT_INT(qf_read(qf_writer_fd(w), &m, &error), 0)) {
        EXPECT_STR(m->sender, "s@x");
        EXPECT_INT(m->nrcpts, 1);
    }
    qf_message_free(&m);
    qf_writer_destroy(&w, true);
out:
    close(dirfd);
}

/* test_writer_misuse - records the writer refuses, calls out of order, abort unlinks */
static void test_writer_misuse(void)
{
    int dirfd = open_dir();
    struct qf_writer *w = NULL, *w2 = NULL;
    const char *error = NULL;
    char *big = xmalloc(QF_VALUE_MAX + 1);

    memset(big, 'a', QF_VALUE_MAX + 1);
    big[0] = '=';
    if (!EXPECT_INT(qf_writer_create(dirfd, "0000000005AB", &w, &error), 0))
        goto out;
    EXPECT_INT(qf_writer_create(dirfd, "0000000005AB", &w2, &error), -1);
    EXPECT_STR(error, "create queue file 0000000005AB: File exists");
    EXPECT_INT(qf_write(w, QF_CONTENT, "x", 1, &error), -1);
    EXPECT_STR(error,
               "queue file 0000000005AB: qf_write cannot write record type 0x4d (use the functions for V, "
               "M and X)");
    EXPECT_INT(qf_write(w, QF_END, "", 0, &error), -1);
    EXPECT_INT(qf_write(w, QF_VERSION, "", 0, &error), -1);
    EXPECT_INT(qf_write(w, (enum qf_type)'Z', "", 0, &error), -1);
    EXPECT_INT(qf_write(w, QF_CLIENT, big, QF_VALUE_MAX + 1, &error), -1);
    EXPECT_STR(error, "queue file 0000000005AB: 'C' value of 65537 bytes is over the limit of 65536 bytes");
    EXPECT_INT(qf_write(w, QF_CLIENT, big, QF_VALUE_MAX, &error), 0);
    EXPECT_INT(qf_write(w, QF_RCPT, "a\0b", 3, &error), -1);
    EXPECT_STR(error, "queue file 0000000005AB: NUL byte in a 'R' value");
    EXPECT_INT(qf_write(w, QF_CLIENT, "helo", 4, &error), -1);
    EXPECT_STR(error, "queue file 0000000005AB: 'C' value without '='");
    EXPECT_INT(qf_content_write(w, "x", 1, &error), -1);
    EXPECT_STR(error, "queue file 0000000005AB: content_write out of order");
    EXPECT_INT(qf_writer_finish(w, &error), -1);
    EXPECT_STR(error, "queue file 0000000005AB: finish out of order");
    EXPECT_INT(qf_content_begin(w, 100, &error), 0);
    EXPECT_INT(qf_write(w, QF_RCPT, "r@x", 3, &error), -1);
    EXPECT_STR(error, "queue file 0000000005AB: record out of order");
    EXPECT_INT(qf_writer_finish(w, &error), -1);
    /* an abort removes the file */
    qf_writer_destroy(&w, true);
    EXPECT_INT(faccessat(dirfd, "0000000005AB", F_OK, 0), -1);
    qf_writer_destroy(&w, true);
out:
    xfree(big);
    close(dirfd);
}

/* test_value_limit - a value of QF_VALUE_MAX parses, one byte more does not */
static void test_value_limit(void)
{
    struct buf *b = buf_create(256, 1 << 20);
    char *big = xmalloc(QF_VALUE_MAX + 2);
    struct rec c = { 'C', big, QF_VALUE_MAX, -1 };
    struct qf_message *m = NULL;
    const char *error = NULL;
    const struct rec head[] = { R_V, R_A, REC_END }, tail[] = { R_F, R_R, R_M, R_X, REC_END };
    const struct rec *r;

    memset(big, 'v', QF_VALUE_MAX + 1);
    big[0] = 'n';
    big[1] = '=';
    for (r = head; r->value != NULL; r++)
        add_rec(b, r);
    add_rec(b, &c);
    for (r = tail; r->value != NULL; r++)
        add_rec(b, r);
    if (EXPECT_INT(qf_parse(b->data, b->len, &m, &error), 0))
        EXPECT_INT(strlen(m->client[0].value), QF_VALUE_MAX - 2);
    qf_message_free(&m);
    buf_reset(b);
    c.vlen = QF_VALUE_MAX + 1;
    for (r = head; r->value != NULL; r++)
        add_rec(b, r);
    add_rec(b, &c);
    for (r = tail; r->value != NULL; r++)
        add_rec(b, r);
    expect_refused(b->data, b->len, "record 'C' at offset 41: length 65537 is over the limit of 65536 bytes");
    buf_destroy(&b);
    xfree(big);
}

/* rcpt_image - QF_RCPT_MAX + extra recipients "a" */
static struct buf *rcpt_image(size_t n)
{
    struct buf *b = buf_create(1024, 16 * 1024 * 1024);
    const struct rec head[] = { R_V, R_A, R_F, REC_END }, tail[] = { R_M, R_X, REC_END };
    const struct rec a = REC('R', "a");
    const struct rec *r;
    size_t i;

    for (r = head; r->value != NULL; r++)
        add_rec(b, r);
    for (i = 0; i < n; i++)
        add_rec(b, &a);
    for (r = tail; r->value != NULL; r++)
        add_rec(b, r);
    return b;
}

/* test_write_error - a failed write is reported, and sticks */
static void test_write_error(void)
{
    int dirfd = open_dir();
    struct qf_writer *w = NULL;
    const char *error = NULL;
    struct rlimit old, small = { 100000, 100000 };
    char *chunk = xcalloc(1, 70000);
    void (*old_handler)(int);
    int i, failed = -1;

    if (!EXPECT_INT(qf_writer_create(dirfd, "0000000006AB", &w, &error), 0))
        goto out;
    EXPECT_INT(qf_content_begin(w, 1 << 30, &error), 0);
    /* past RLIMIT_FSIZE, write() fails with EFBIG (SIGXFSZ ignored) */
    old_handler = signal(SIGXFSZ, SIG_IGN);
    getrlimit(RLIMIT_FSIZE, &old);
    small.rlim_max = old.rlim_max;
    setrlimit(RLIMIT_FSIZE, &small);
    for (i = 0; i < 3 && failed < 0; i++) {
        if (qf_content_write(w, chunk, 70000, &error) < 0)
            failed = i;
    }
    if (failed < 0 && qf_content_end(w, &error) < 0)
        failed = 3;
    setrlimit(RLIMIT_FSIZE, &old);
    signal(SIGXFSZ, old_handler);
    EXPECT_TRUE(failed >= 0);
    EXPECT_STR(error, "write queue file 0000000006AB: File too large");
    EXPECT_INT(qf_content_end(w, &error), -1);
    EXPECT_STR(error, "queue file 0000000006AB: content_end after an earlier error");
    EXPECT_INT(qf_writer_finish(w, &error), -1);
    qf_writer_destroy(&w, true);
    EXPECT_INT(faccessat(dirfd, "0000000006AB", F_OK, 0), -1);
out:
    xfree(chunk);
    close(dirfd);
}

/* test_rcpt_limit - QF_RCPT_MAX recipients parse, one more does not */
static void test_rcpt_limit(void)
{
    struct buf *b = rcpt_image(QF_RCPT_MAX);
    struct qf_message *m = NULL;
    const char *error = NULL;
    char want[200];

    if (EXPECT_INT(qf_parse(b->data, b->len, &m, &error), 0))
        EXPECT_INT(m->nrcpts, QF_RCPT_MAX);
    qf_message_free(&m);
    buf_destroy(&b);
    b = rcpt_image(QF_RCPT_MAX + 1);
    snprintf(want, sizeof(want), "record 'R' at offset %d: more than 100000 recipients",
             49 + 6 * QF_RCPT_MAX);
    expect_refused(b->data, b->len, want);
    buf_destroy(&b);
}

/* test_not_regular - qf_read refuses a pipe */
static void test_not_regular(void)
{
    struct qf_message *m = NULL;
    const char *error = NULL;
    int fds[2];

    if (!EXPECT_INT(pipe(fds), 0))
        return;
    EXPECT_INT(qf_read(fds[0], &m, &error), -1);
    EXPECT_STR(error, "queue file is not a regular file");
    close(fds[0]);
    close(fds[1]);
}

/* main - run the cases */
int main(void)
{
    return test_run((const struct test_case[]){
        TEST_CASE(test_corrupt),
        TEST_CASE(test_valid),
        TEST_CASE(test_roundtrip),
        TEST_CASE(test_mark_done),
        TEST_CASE(test_truncations),
        TEST_CASE(test_content_limit),
        TEST_CASE(test_two_step_finish),
        TEST_CASE(test_writer_misuse),
        TEST_CASE(test_value_limit),
        TEST_CASE(test_write_error),
        TEST_CASE(test_rcpt_limit),
        TEST_CASE(test_not_regular),
        TEST_END,
    });
}
