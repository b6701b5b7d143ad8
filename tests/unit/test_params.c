/* SPDX-License-Identifier: MIT
 * test_params - the parameter table and param_parse: the table is sound
 * (unique names, descriptions, one reload flag), and every type parses and
 * checks its bounds exactly at the edges, with the exact error messages.
 *
 * param_parse takes one whole value (no streaming path), so the "one byte
 * at a time" rule does not apply here.
 */
#include <string.h>

#include "mail/params.h"
#include "test.h"

/* One param_parse case: the value, and either the typed result or the error. */
struct parse_case {
    const char *name;
    const char *text;
    long long want;    /* integer, time (ms), size (bytes) or bool */
    const char *error; /* NULL: must succeed */
};

static const struct parse_case parse_cases[] = {
    /* PT_INT: max_use is 1..1000000 */
    { "max_use", "1", 1, NULL },
    { "max_use", "1000000", 1000000, NULL },
    { "max_use", "0", 0, "max_use = 0 is out of range (1 to 1000000)" },
    { "max_use", "1000001", 0, "max_use = 1000001 is out of range (1 to 1000000)" },
    { "max_use", "-1", 0, "max_use = -1 is out of range (1 to 1000000)" },
    { "max_use", "lots", 0, "invalid integer value \"lots\" for max_use" },
    { "max_use", "", 0, "invalid integer value \"\" for max_use" },
    { "max_use", "5 ", 0, "invalid integer value \"5 \" for max_use" },
    { "max_use", "0x10", 0, "invalid integer value \"0x10\" for max_use" },
    { "max_use", "99999999999999999999", 0, "invalid integer value \"99999999999999999999\" for max_use" },
    /* PT_TIME: max_idle is 1000..86400000 ms; a bare number is seconds */
    { "max_idle", "1", 1000, NULL },
    { "max_idle", "1000ms", 1000, NULL },
    { "max_idle", "1s", 1000, NULL },
    { "max_idle", "2m", 120000, NULL },
    { "max_idle", "3h", 10800000, NULL },
    { "max_idle", "1d", 86400000, NULL },
    { "max_idle", "999ms", 0, "max_idle = 999ms is out of range (1000ms to 86400000ms)" },
    { "max_idle", "1441m", 0, "max_idle = 1441m is out of range (1000ms to 86400000ms)" },
    { "max_idle", "5x", 0, "invalid time value \"5x\" for max_idle (use a number with ms, s, m, h or d)" },
    { "max_idle", "s", 0, "invalid time value \"s\" for max_idle (use a number with ms, s, m, h or d)" },
    { "max_idle", "9223372036854775807d", 0,
      "invalid time value \"9223372036854775807d\" for max_idle (use a number with ms, s, m, h or d)" },
    { "service_restart_delay", "0", 0, NULL },
    /* PT_SIZE: ipc_max_frame_size is 4096..67108864 bytes */
    { "ipc_max_frame_size", "4096", 4096, NULL },
    { "ipc_max_frame_size", "4k", 4096, NULL },
    { "ipc_max_frame_size", "64m", 67108864, NULL },
    { "ipc_max_frame_size", "64M", 67108864, NULL },
    { "ipc_max_frame_size", "4095", 0, "ipc_max_frame_size = 4095 is out of range (4096 to 67108864)" },
    { "ipc_max_frame_size", "1g", 0, "ipc_max_frame_size = 1g is out of range (4096 to 67108864)" },
    { "ipc_max_frame_size", "1t", 0,
      "invalid size value \"1t\" for ipc_max_frame_size (use a number of bytes, or with k, m or g)" },
    /* PT_BOOL */
    { "debug_logging", "yes", 1, NULL },
    { "debug_logging", "TRUE", 1, NULL },
    { "debug_logging", "no", 0, NULL },
    { "debug_logging", "False", 0, NULL },
    { "debug_logging", "maybe", 0, "invalid boolean value \"maybe\" for debug_logging (use yes or no)" },
    /* PT_ENUM */
    { "syslog_facility", "local7", 0, NULL },
    { "syslog_facility", "Mail", 0,
      "invalid value \"Mail\" for syslog_facility (use one of: "
      "mail|daemon|user|local0|local1|local2|local3|local4|local5|local6|local7)" },
    { "syslog_facility", "", 0,
      "invalid value \"\" for syslog_facility (use one of: "
      "mail|daemon|user|local0|local1|local2|local3|local4|local5|local6|local7)" },
    { "syslog_facility", "mail|daemon", 0,
      "invalid value \"mail|daemon\" for syslog_facility (use one of: "
      "mail|daemon|user|local0|local1|local2|local3|local4|local5|local6|local7)" },
};

/* field - the address of a parameter's field in p */
static void *field(struct params *p, const struct param_def *def)
{
    return (char *)p + def->offset;
}

static void test_parse_table(void)
{
    size_t i;

    for (i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++) {
        const struct parse_case *c = &parse_cases[i];
        const struct param_def *def = param_lookup(c->name);
        struct params p;
        const char *error = NULL;
        int rc;

        memset(&p, 0, sizeof(p));
        if (!EXPECT_TRUE(def != NULL))
            continue;
        rc = param_parse(def, c->text, &p, &error);
        if (c->error != NULL) {
            EXPECT_INT(rc, -1);
            EXPECT_STR(error, c->error);
            continue;
        }
        if (!EXPECT_INT(rc, 0))
            continue;
        if (def->type == PT_BOOL)
            EXPECT_INT(*(bool *)field(&p, def), c->want);
        else if (def->type == PT_ENUM || def->type == PT_STR)
            EXPECT_TRUE(*(const char **)field(&p, def) == c->text);
        else
            EXPECT_INT(*(int64_t *)field(&p, def), c->want);
    }
}

static void test_string_stored_as_given(void)
{
    const struct param_def *def = param_lookup("myorigin");
    const char *text = "$mydomain stays as given";
    struct params p;

    EXPECT_INT(param_parse(def, text, &p, NULL), 0);
    EXPECT_TRUE(p.myorigin == text);
}

static void test_table_is_sound(void)
{
    size_t i, j;

    EXPECT_TRUE(param_count > 20);
    for (i = 0; i < param_count; i++) {
        const struct param_def *d = &param_table[i];
        unsigned when = d->flags & (P_RELOAD | P_RESTART);

        EXPECT_TRUE(d->description != NULL && d->description[0] != '\0');
        EXPECT_TRUE(d->users != NULL && d->users[0] != '\0');
        EXPECT_TRUE(when == P_RELOAD || when == P_RESTART);
        EXPECT_TRUE(d->type != PT_ENUM || d->choices != NULL);
        EXPECT_TRUE(param_lookup(d->name) == d);
        for (j = i + 1; j < param_count; j++) {
            EXPECT_TRUE(strcmp(d->name, param_table[j].name) != 0);
            EXPECT_TRUE(d->offset != param_table[j].offset);
        }
    }
}

static void test_defaults_parse(void)
{
    size_t i;

    /* Every literal default is valid for its own type and bounds; computed
     * ones and those with $name are checked by test_config. */
    for (i = 0; i < param_count; i++) {
        const struct param_def *d = &param_table[i];
        const char *error = NULL;
        struct params p;

        if ((d->flags & P_COMPUTED) || strchr(d->def, '$') != NULL)
            continue;
        if (param_parse(d, d->def, &p, &error) != 0)
            test_fail(__FILE__, __LINE__, "default of %s: %s", d->name, error);
    }
}

static void test_lookup_and_type_names(void)
{
    EXPECT_TRUE(param_lookup("myhostname") != NULL);
    EXPECT_TRUE(param_lookup("myhostnam") == NULL);
    EXPECT_TRUE(param_lookup("") == NULL);
    EXPECT_STR(param_type_name(PT_STR), "string");
    EXPECT_STR(param_type_name(PT_INT), "integer");
    EXPECT_STR(param_type_name(PT_BOOL), "boolean");
    EXPECT_STR(param_type_name(PT_TIME), "time");
    EXPECT_STR(param_type_name(PT_SIZE), "size");
    EXPECT_STR(param_type_name(PT_ENUM), "enum");
}

int main(void)
{
    return test_run((const struct test_case[]){
        TEST_CASE(test_parse_table),
        TEST_CASE(test_string_stored_as_given),
        TEST_CASE(test_table_is_sound),
        TEST_CASE(test_defaults_parse),
        TEST_CASE(test_lookup_and_type_names),
        TEST_END,
    });
}
