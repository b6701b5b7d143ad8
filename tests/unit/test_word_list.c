/* SPDX-License-Identifier: MIT
 * test_word_list - words separated by spaces, tabs and commas.
 */
#include <string.h>

#include "mail/word_list.h"
#include "test.h"

static void test_next(void)
{
    const char *list = " ,PLAIN,\tlogin  ,, x ", *w;
    const char *want[] = { "PLAIN", "login", "x" };
    size_t n, i = 0;

    while (word_list_next(&list, &w, &n)) {
        if (!EXPECT_TRUE(i < 3))
            break;
        EXPECT_MEM(w, n, want[i], strlen(want[i]));
        i++;
    }
    EXPECT_INT(i, 3);
    list = "";
    EXPECT_FALSE(word_list_next(&list, &w, &n));
    list = " , \t";
    EXPECT_FALSE(word_list_next(&list, &w, &n));
}

static void test_has(void)
{
    EXPECT_TRUE(word_list_has("PLAIN LOGIN", "login", 5));
    EXPECT_TRUE(word_list_has("a@x.test,b@x.test", "B@X.test", 8));
    EXPECT_FALSE(word_list_has("PLAIN LOGIN", "LOG", 3));
    EXPECT_FALSE(word_list_has("PLAIN LOGIN", "LOGINS", 6));
    EXPECT_FALSE(word_list_has("", "x", 1));
    EXPECT_FALSE(word_list_has("a,,b", "", 0));
}

int main(void)
{
    return test_run((const struct test_case[]){
        TEST_CASE(test_next),
        TEST_CASE(test_has),
        TEST_END,
    });
}
