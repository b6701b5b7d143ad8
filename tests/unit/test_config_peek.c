/* SPDX-License-Identifier: MIT
 * test_config_peek - reading one parameter from a petrel.conf that does not
 * validate: the last setting wins, continuation lines join, the default
 * stands in when unset, and values that need expansion are not guessed.
 */
#include <stdlib.h>
#include <string.h>

#include "mail/config.h"
#include "test.h"
#include "util/alloc.h"

struct peek_case {
    const char *text;
    const char *want; /* NULL: not knowable */
};

static const struct peek_case cases[] = {
    { "", "/var/spool/petrel" },
    { "queue_directory = /srv/spool\n", "/srv/spool" },
    { "queue_directory=/a\nqueue_directory =   /b  \n", "/b" },
    { "myhostnme = typo\nqueue_directory = /srv/q\nbogus line\n", "/srv/q" },
    { "queue_directory =\n  /joined\n", "/joined" },
    { "queue_directory_x = /no\n", "/var/spool/petrel" },
    { "# queue_directory = /commented\n", "/var/spool/petrel" },
    { "queue_directory = $data_directory/q\n", NULL },
};

/* test_peek_cases - each file gives the expected value */
static void test_peek_cases(void)
{
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *got;

        test_write_file("petrel.conf", cases[i].text);
        got = config_peek(test_tmpdir(), "queue_directory");
        EXPECT_STR(got, cases[i].want);
        free(got);
    }
}

/* test_peek_missing - no file, or an unknown parameter name: NULL */
static void test_peek_missing(void)
{
    test_write_file("petrel.conf", "queue_directory = /x\n");
    EXPECT_TRUE(config_peek(test_tmpdir(), "no_such_parameter") == NULL);
    EXPECT_TRUE(config_peek("/nonexistent-petrel-dir", "queue_directory") == NULL);
}

int main(void)
{
    return test_run((const struct test_case[]){
        TEST_CASE(test_peek_cases),
        TEST_CASE(test_peek_missing),
        TEST_END,
    });
}
