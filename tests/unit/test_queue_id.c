/* SPDX-License-Identifier: MIT
 * test_queue_id - queue ids: they strictly increase (as strings and as
 * numbers) and are valid; the id file is reserved a block ahead; a crash
 * (a close without using the block) never leads to reuse; crossing a
 * block reserves the next; a malformed id file is an error and is left
 * alone; the queue_id_valid table.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mail/queue_id.h"
#include "test.h"
#include "util/alloc.h"
#include "util/durable.h"

#define TWO_60 1152921504606846976ULL

/* id_value - decode an id (the test's own, independent decoder) */
static uint64_t id_value(const char *id)
{
    static const char digits[] = "0123456789ABCDEFGHIJKLMNOPQRSTUV";
    uint64_t v = 0;
    size_t i;

    for (i = 0; i < QUEUE_ID_LEN; i++)
        v = v * 32 + (uint64_t)(strchr(digits, id[i]) - digits);
    return v;
}

/* make_dir - a fresh queue directory under the test directory */
static const char *make_dir(const char *name)
{
    static char path[512];

    snprintf(path, sizeof(path), "%s/%s", test_tmpdir(), name);
    if (mkdir(path, 0700) < 0)
        test_fail(__FILE__, __LINE__, "mkdir %s failed", path);
    return path;
}

/* expect_mark - the id file holds exactly want */
static void expect_mark(const char *dir, const char *want)
{
    char path[600], *data = NULL;
    const char *error = NULL;
    size_t len;

    snprintf(path, sizeof(path), "%s/id", dir);
    if (EXPECT_INT(read_file(path, 100, &data, &len, &error), 0))
        EXPECT_STR(data, want);
    xfree(data);
}

/* write_mark - put text in DIR/id */
static void write_mark(const char *dir, const char *text)
{
    char path[600];
    const char *error = NULL;

    snprintf(path, sizeof(path), "%s/id", dir);
    if (durable_write_file(path, text, strlen(text), 0600, &error) < 0)
        test_fail(__FILE__, __LINE__, "%s", error);
}

/* test_sequence - ids increase and stay valid across a block boundary */
static void test_sequence(void)
{
    const char *dir = make_dir("seq");
    struct queue_id_gen *g = NULL;
    const char *error = NULL;
    char prev[QUEUE_ID_LEN + 1] = "", id[QUEUE_ID_LEN + 1];
    int i;

    if (!EXPECT_INT(queue_id_open(dir, &g, &error), 0))
        return;
    expect_mark(dir, "100001\n");
    for (i = 0; i < QUEUE_ID_BLOCK + 10; i++) {
        if (!EXPECT_INT(queue_id_next(g, id, &error), 0))
            break;
        if (!EXPECT_TRUE(queue_id_valid(id)) || !EXPECT_INT(id_value(id), i + 1))
            break;
        if (i == 0)
            EXPECT_STR(id, "000000000001");
        else if (!EXPECT_TRUE(strcmp(prev, id) < 0))
            break;
        if (i == QUEUE_ID_BLOCK - 1)
            expect_mark(dir, "100001\n");
        memcpy(prev, id, sizeof(id));
    }
    /* id 100001 was the first of the second block */
    expect_mark(dir, "200001\n");
    queue_id_close(&g);
    EXPECT_TRUE(g == NULL);
    queue_id_close(&g);
}

/* test_reopen - a reopen after a crash continues after the reserved block */
static void test_reopen(void)
{
    const char *dir = make_dir("reopen");
    struct queue_id_gen *g = NULL;
    const char *error = NULL;
    char last[QUEUE_ID_LEN + 1], id[QUEUE_ID_LEN + 1], tmp[600];
    int i, fd;

    if (!EXPECT_INT(queue_id_open(dir, &g, &error), 0))
        return;
    for (i = 0; i < 5; i++)
        EXPECT_INT(queue_id_next(g, last, &error), 0);
    EXPECT_STR(last, "000000000005");
    /* a crash inside durable_write_file left our temporary name behind */
    snprintf(tmp, sizeof(tmp), "%s/id.tmp.%ld", dir, (long)getpid());
    fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0600);
    EXPECT_TRUE(fd >= 0);
    close(fd);
    /* "crash": the rest of the block is never used */
    queue_id_close(&g);
    if (!EXPECT_INT(queue_id_open(dir, &g, &error), 0))
        return;
    expect_mark(dir, "200001\n");
    EXPECT_INT(queue_id_next(g, id, &error), 0);
    EXPECT_INT(id_value(id), QUEUE_ID_BLOCK + 1);
    EXPECT_STR(id, "0000000031L1");
    EXPECT_TRUE(strcmp(last, id) < 0);
    queue_id_close(&g);
}

/* test_top - the last block of the counter, and running out of it */
static void test_top(void)
{
    const char *dir = make_dir("top");
    struct queue_id_gen *g = NULL;
    const char *error = NULL;
    char id[QUEUE_ID_LEN + 1], text[64];

    /* the last block of the 60-bit space is still usable */
    snprintf(text, sizeof(text), "%llu\n", TWO_60 - QUEUE_ID_BLOCK);
    write_mark(dir, text);
    if (EXPECT_INT(queue_id_open(dir, &g, &error), 0)) {
        EXPECT_INT(queue_id_next(g, id, &error), 0);
        EXPECT_INT(id_value(id), TWO_60 - QUEUE_ID_BLOCK);
        queue_id_close(&g);
    }
    snprintf(text, sizeof(text), "%llu\n", TWO_60);
    expect_mark(dir, text);
    /* and after it, nothing */
    snprintf(text, sizeof(text), "%llu\n", TWO_60 - 5);
    write_mark(dir, text);
    EXPECT_INT(queue_id_open(dir, &g, &error), -1);
    snprintf(text, sizeof(text), "%s/id: queue id counter exhausted", dir);
    EXPECT_STR(error, text);
    EXPECT_TRUE(g == NULL);
}

static const char *const corrupt_marks[] = {
    "",
    "\n",
    "abc\n",
    "12",
    "12\n\n",
    "-5\n",
    "+5\n",
    "0\n",
    " 5\n",
    "5 \n",
    "5\r\n",
    "0x10\n",
    "99999999999999999999\n",
    "1152921504606846977\n",
    "123456789012345678901234567890\n",
};

/* test_corrupt - a malformed id file is an error and is left alone */
static void test_corrupt(void)
{
    const char *dir = make_dir("corrupt");
    struct queue_id_gen *g = NULL;
    const char *error = NULL;
    char want[800];
    size_t i;

    snprintf(want, sizeof(want),
             "%s/id: malformed queue id mark (want the next counter value, 1 to 1152921504606846976, "
             "in decimal and a newline)",
             dir);
    for (i = 0; i < sizeof(corrupt_marks) / sizeof(corrupt_marks[0]); i++) {
        write_mark(dir, corrupt_marks[i]);
        if (!EXPECT_INT(queue_id_open(dir, &g, &error), -1)) {
            test_fail(__FILE__, __LINE__, "mark \"%s\" accepted", corrupt_marks[i]);
            queue_id_close(&g);
            continue;
        }
        EXPECT_STR(error, want);
        /* never rewritten: the administrator sees what was there */
        expect_mark(dir, corrupt_marks[i]);
    }
    EXPECT_INT(queue_id_open("/nonexistent/queue", &g, &error), -1);
    EXPECT_CONTAINS(error, "/nonexistent/queue/id");
}

static const struct {
    const char *s;
    bool valid;
} valid_cases[] = {
    { "000000000001", true },  { "VVVVVVVVVVVV", true },   { "0123456789AB", true },
    { "CDEFGHIJKLMN", true },  { "OPQRSTUV0000", true },   { "", false },
    { "00000000000", false },  { "0000000000001", false }, { "00000000000W", false },
    { "00000000000a", false }, { "0000000000-1", false },  { "00000000000 ", false },
    { " 00000000000", false }, { "00000000000/", false },  { "0000000000\n0", false },
    { "ZZZZZZZZZZZZ", false },
};

/* test_valid - the queue_id_valid table */
static void test_valid(void)
{
    size_t i;

    for (i = 0; i < sizeof(valid_cases) / sizeof(valid_cases[0]); i++) {
        if (!EXPECT_INT(queue_id_valid(valid_cases[i].s), valid_cases[i].valid))
            test_fail(__FILE__, __LINE__, "queue_id_valid(\"%s\")", valid_cases[i].s);
    }
}

/* main - run the cases */
int main(void)
{
    return test_run((const struct test_case[]){
        TEST_CASE(test_sequence),
        TEST_CASE(test_reopen),
        TEST_CASE(test_top),
        TEST_CASE(test_corrupt),
        TEST_CASE(test_valid),
        TEST_END,
    });
}
