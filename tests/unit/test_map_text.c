/* SPDX-License-Identifier: MIT
 * test_map_text - aliases(5) and virtual(5) tables: golden key/value
 * results, every error exactly with its file:line, and compilation that is
 * all or nothing (on error the old map is byte-identical and no temporary
 * file remains; the mode of a new map, the mode of a replaced one).
 *
 * map_text_parse reads a whole text in memory; there is no streaming read
 * path to feed one byte at a time, so test_every_prefix parses every prefix
 * of a realistic table instead: each loads or fails with a "NAME:LINE:"
 * error, never crashes.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "map/map.h"
#include "map/map_text.h"
#include "test.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/durable.h"
#include "util/err.h"

/* render - load text and render the table as "key=value\n" lines, or the
 * error as "error: TEXT" */
static char *render(const char *name, const char *text, size_t len, enum map_text_format fmt)
{
    struct buf *b = buf_create(256, 1 << 20);
    struct map_text_table t;
    const char *error;
    char *out;
    size_t i;

    if (map_text_load(name, text, len, fmt, &t, &error) < 0) {
        buf_printf(b, "error: %s", error);
    } else {
        for (i = 0; i < t.count; i++)
            buf_printf(b, "%s=%s\n", t.entries[i].key, t.entries[i].value);
    }
    map_text_table_free(&t);
    out = xstrdup(buf_str(b));
    buf_destroy(&b);
    return out;
}

struct golden_case {
    enum map_text_format fmt;
    const char *text;
    const char *want;
};

static const struct golden_case golden_cases[] = {
    { MAP_TEXT_ALIASES,
      "# aliases\n"
      "\n"
      "Postmaster: root\n"
      "\"Info:Desk\" : alice ,bob,, \"carol, x\"\n"
      "  ,dave\n"
      "abuse:\n"
      "    root\n"
      "\t# an indented comment does not end the entry\n"
      "\n"
      "    , admin\n"
      "pipe: |/usr/bin/filter -x\n"
      "last:x",
      "abuse=root, admin\n"
      "info:desk=alice, bob, \"carol, x\", dave\n"
      "last=x\n"
      "pipe=|/usr/bin/filter -x\n"
      "postmaster=root\n" },
    { MAP_TEXT_ALIASES, "a: b\r\nc: d\r\n", "a=b\nc=d\n" },
    { MAP_TEXT_ALIASES, "", "" },
    { MAP_TEXT_ALIASES, "# only\n   \n\t\n", "" },
    { MAP_TEXT_VIRTUAL,
      "# virtual\n"
      "Example.COM.   anything\n"
      "Info@Example.com   alice@x.org,  bob\n"
      "   carol\n"
      "@example.com\tcatch@x.org\n"
      "user    local\n",
      "@example.com=catch@x.org\n"
      "example.com=anything\n"
      "info@example.com=alice@x.org,  bob carol\n"
      "user=local\n" },
};

/* test_golden - tables into exact keys and values */
static void test_golden(void)
{
    size_t i;

    for (i = 0; i < sizeof(golden_cases) / sizeof(golden_cases[0]); i++) {
        const struct golden_case *c = &golden_cases[i];
        char *got = render("t", c->text, strlen(c->text), c->fmt);

        EXPECT_STR(got, c->want);
        xfree(got);
    }
}

static const struct golden_case error_cases[] = {
    { MAP_TEXT_ALIASES, "foo bar: x\n", "error: aliases:1: missing \":\" after the alias name \"foo\"" },
    { MAP_TEXT_ALIASES, "a: b\n\nfoo\n", "error: aliases:3: missing \":\" after the alias name \"foo\"" },
    { MAP_TEXT_ALIASES, "a: b\n# c\nfoo\n  bar\n",
      "error: aliases:3: missing \":\" after the alias name \"foo\"" },
    { MAP_TEXT_ALIASES, ": x\n", "error: aliases:1: empty alias name" },
    { MAP_TEXT_ALIASES, "\"\": x\n", "error: aliases:1: empty alias name" },
    { MAP_TEXT_ALIASES, "\"a b: x\n", "error: aliases:1: missing closing quote in the alias name" },
    { MAP_TEXT_ALIASES, "\"a b\": x\n", "error: aliases:1: invalid key \"a b\": contains white space" },
    { MAP_TEXT_ALIASES, "a@b: x\n",
      "error: aliases:1: invalid key \"a@b\": contains \"@\" (a local name has no domain)" },
    { MAP_TEXT_ALIASES, "a:\n", "error: aliases:1: empty value for \"a\"" },
    { MAP_TEXT_ALIASES, "x: y\na: ,, ,\n", "error: aliases:2: empty value for \"a\"" },
    { MAP_TEXT_ALIASES, "a: \"x, y\n", "error: aliases:1: missing closing quote in the value for \"a\"" },
    { MAP_TEXT_ALIASES, "  a: b\n",
      "error: aliases:1: continuation line without an entry before it "
      "(an entry must not start with white space)" },
    { MAP_TEXT_ALIASES, "# c\n\n\tb\n",
      "error: aliases:3: continuation line without an entry before it "
      "(an entry must not start with white space)" },
    { MAP_TEXT_ALIASES, "a: b\nB: c\nA: d\n",
      "error: aliases:3: duplicate key \"a\" (first defined at line 1)" },
    { MAP_TEXT_ALIASES, "x: 1\ny: 2\nx: 3\ny: 4\nx: 5\n",
      "error: aliases:3: duplicate key \"x\" (first defined at line 1)" },
    { MAP_TEXT_ALIASES, "a: b\nx\x01: c\n", "error: aliases:2: control character 0x01 in the line" },
    { MAP_TEXT_ALIASES, "a: b\x7f\n", "error: aliases:1: control character 0x7f in the line" },
    { MAP_TEXT_ALIASES, "a: b\rc\n", "error: aliases:1: control character 0x0d in the line" },
    { MAP_TEXT_VIRTUAL, "key\n", "error: virtual:1: missing value after the key \"key\" (write key value)" },
    { MAP_TEXT_VIRTUAL, "a@x  1\nkey   \n",
      "error: virtual:2: missing value after the key \"key\" (write key value)" },
    { MAP_TEXT_VIRTUAL, "a..b x\n", "error: virtual:1: invalid key \"a..b\": has an empty domain label" },
    { MAP_TEXT_VIRTUAL, "A@X 1\na@x. 2\n",
      "error: virtual:2: duplicate key \"a@x\" (first defined at line 1)" },
    { MAP_TEXT_VIRTUAL, "\"a\"@x 1\n",
      "error: virtual:1: invalid key \"\\x22a\\x22@x\": contains a quote or backslash (give the address "
      "unquoted)" },
};

/* test_errors - every error, exactly, with file:line */
static void test_errors(void)
{
    size_t i;

    for (i = 0; i < sizeof(error_cases) / sizeof(error_cases[0]); i++) {
        const struct golden_case *c = &error_cases[i];
        const char *name = c->fmt == MAP_TEXT_ALIASES ? "aliases" : "virtual";
        char *got = render(name, c->text, strlen(c->text), c->fmt);

        EXPECT_STR(got, c->want);
        xfree(got);
    }
}

/* test_nul_and_limits - NUL bytes, the key, value and entry limits */
static void test_nul_and_limits(void)
{
    size_t big = MAP_VALUE_MAX + 2000;
    char *text = xmalloc(big + 16), *got, want[200];

    got = render("aliases", "a: b\nc: d\0e\n", 12, MAP_TEXT_ALIASES);
    EXPECT_STR(got, "error: aliases:2: NUL byte in the line");
    xfree(got);
    /* a 512-byte name */
    memset(text, 'n', 512);
    memcpy(text + 512, ": x\n", 5);
    got = render("aliases", text, strlen(text), MAP_TEXT_ALIASES);
    snprintf(want, sizeof(want), "error: aliases:1: key \"%.72s...\" is longer than 511 bytes", text);
    EXPECT_STR(got, want);
    xfree(got);
    /* a 511-byte name is fine */
    memcpy(text + 511, ": x\n", 5);
    got = render("aliases", text, strlen(text), MAP_TEXT_ALIASES);
    EXPECT_TRUE(strncmp(got, "nnn", 3) == 0);
    xfree(got);
    /* a value over MAP_VALUE_MAX, within the entry limit */
    memcpy(text, "a: ", 3);
    memset(text + 3, 'v', MAP_VALUE_MAX + 1);
    text[MAP_VALUE_MAX + 4] = '\0';
    got = render("aliases", text, strlen(text), MAP_TEXT_ALIASES);
    EXPECT_STR(got, "error: aliases:1: value is longer than 65536 bytes for \"a\"");
    xfree(got);
    /* an entry over the entry limit, built from continuation lines */
    memset(text, ' ', big);
    memcpy(text, "a: b\n", 5);
    memset(text + 6, 'v', big - 6);
    text[big] = '\0';
    got = render("aliases", text, big, MAP_TEXT_ALIASES);
    EXPECT_STR(got, "error: aliases:1: entry is longer than 67071 bytes");
    xfree(got);
    xfree(text);
}

/* test_every_prefix - each prefix of a table loads or fails cleanly */
static void test_every_prefix(void)
{
    const char *text = golden_cases[0].text;
    size_t n;

    for (n = 0; n <= strlen(text); n++) {
        char *got = render("aliases", text, n, MAP_TEXT_ALIASES);

        if (strncmp(got, "error: ", 7) == 0 && strncmp(got, "error: aliases:", 15) != 0)
            test_fail(__FILE__, __LINE__, "prefix %zu: %s", n, got);
        xfree(got);
    }
}

/* tmp_files - how many "*.tmp.*" names the test directory holds */
static int tmp_files(void)
{
    DIR *d = opendir(test_tmpdir());
    struct dirent *e;
    int n = 0;

    while (d != NULL && (e = readdir(d)) != NULL) {
        if (strstr(e->d_name, ".tmp.") != NULL)
            n++;
    }
    if (d != NULL)
        closedir(d);
    return n;
}

/* read_all - the bytes of a file */
static char *read_all(const char *path, size_t *len_r)
{
    char *data = NULL;

    if (read_file(path, 1 << 26, &data, len_r, NULL) < 0)
        return xstrdup("");
    return data;
}

/* test_compile_all_or_nothing - a bad table changes nothing at all */
static void test_compile_all_or_nothing(void)
{
    char src[512], path[512], *before, *after, *value;
    size_t blen, alen, count = 0;
    const char *error;
    struct map *m;
    struct stat st;

    snprintf(src, sizeof(src), "%s", test_write_file("aliases", "root: admin\nPostmaster: root\n"));
    snprintf(path, sizeof(path), "%s/aliases.lmdb", test_tmpdir());
    EXPECT_INT(map_text_compile(src, path, MAP_TEXT_ALIASES, 0640, &count, &error), 0);
    EXPECT_INT(count, 2);
    EXPECT_INT(stat(path, &st), 0);
    EXPECT_INT(st.st_mode & 07777, 0640);
    EXPECT_INT(map_open(path, MAP_RDONLY, 0, &m, &error), 0);
    EXPECT_INT(map_lookup(m, "postmaster", &value, &error), MAP_FOUND);
    EXPECT_STR(value, "root");
    free(value);
    map_close(&m);
    before = read_all(path, &blen);
    test_write_file("aliases", "root: admin\nPostmaster: root\nnew: x\nbroken line\n");
    EXPECT_INT(map_text_compile(src, path, MAP_TEXT_ALIASES, 0640, &count, &error), -1);
    EXPECT_STR(error, err_fmt("%s:4: missing \":\" after the alias name \"broken\"", src));
    after = read_all(path, &alen);
    EXPECT_MEM(after, alen, before, blen);
    EXPECT_INT(tmp_files(), 0);
    xfree(after);
    /* a duplicate is all or nothing too */
    test_write_file("aliases", "root: admin\nnew: x\nROOT: y\n");
    EXPECT_INT(map_text_compile(src, path, MAP_TEXT_ALIASES, 0640, &count, &error), -1);
    EXPECT_STR(error, err_fmt("%s:3: duplicate key \"root\" (first defined at line 1)", src));
    after = read_all(path, &alen);
    EXPECT_MEM(after, alen, before, blen);
    EXPECT_INT(tmp_files(), 0);
    xfree(after);
    xfree(before);
    /* a replaced map keeps its mode; a missing source is an error */
    EXPECT_INT(chmod(path, 0604), 0);
    test_write_file("aliases", "root: other\n");
    EXPECT_INT(map_text_compile(src, path, MAP_TEXT_ALIASES, 0600, &count, &error), 0);
    EXPECT_INT(stat(path, &st), 0);
    EXPECT_INT(st.st_mode & 07777, 0604);
    EXPECT_INT(map_text_compile("/nonexistent/aliases", path, MAP_TEXT_ALIASES, 0600, &count, &error), -1);
    EXPECT_STR(error, "open /nonexistent/aliases: No such file or directory");
    EXPECT_INT(tmp_files(), 0);
}

int main(void)
{
    return test_run((const struct test_case[]){
        TEST_CASE(test_golden),
        TEST_CASE(test_errors),
        TEST_CASE(test_nul_and_limits),
        TEST_CASE(test_every_prefix),
        TEST_CASE(test_compile_all_or_nothing),
        TEST_END,
    });
}
