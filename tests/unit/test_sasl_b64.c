/* SPDX-License-Identifier: MIT
 * test_sasl_b64 - strict base64: RFC 4648's test vectors both ways, and
 * every non-canonical form refused (THREATS.md #32).
 */
#include <stdio.h>
#include <string.h>

#include "sasl/sasl_b64.h"
#include "test.h"
#include "util/buf.h"

static const struct {
    const char *plain, *enc;
} vectors[] = {
    { "", "" },
    { "f", "Zg==" },
    { "fo", "Zm8=" },
    { "foo", "Zm9v" },
    { "foob", "Zm9vYg==" },
    { "fooba", "Zm9vYmE=" },
    { "foobar", "Zm9vYmFy" },
};

static void test_vectors(void)
{
    unsigned char out[64];
    struct buf *b;
    size_t i, n;

    for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
        b = buf_create(16, 64);
        EXPECT_INT(sasl_b64_encode(vectors[i].plain, strlen(vectors[i].plain), b), 0);
        EXPECT_MEM(b->data, b->len, vectors[i].enc, strlen(vectors[i].enc));
        buf_destroy(&b);
        EXPECT_INT(sasl_b64_decode(vectors[i].enc, strlen(vectors[i].enc), out, sizeof(out), &n), 0);
        EXPECT_MEM(out, n, vectors[i].plain, strlen(vectors[i].plain));
    }
}

static void test_binary_round_trip(void)
{
    unsigned char all[256], back[256];
    struct buf *b = buf_create(64, 1024);
    size_t i, n;

    for (i = 0; i < sizeof(all); i++)
        all[i] = (unsigned char)i;
    EXPECT_INT(sasl_b64_encode(all, sizeof(all), b), 0);
    EXPECT_INT(sasl_b64_decode(b->data, b->len, back, sizeof(back), &n), 0);
    EXPECT_MEM(back, n, all, sizeof(all));
    buf_destroy(&b);
}

static void test_refused(void)
{
    static const char *const bad[] = {
        "AAA=A===",                                   /* THREATS.md #32: '=' inside */
        "QUFBQ",                                      /* 4n+1 */
        "QUFBQUF",                                    /* 4n+3 */
        "=",        "==",    "====",  "A===", "QR==", /* bits left over in the padding */
        "QUE=QUE=",                                   /* padding before the end */
        "QU E",     "QUE\n", "QU\tE", "QUE*", "QU-_", /* URL alphabet is not ours */
    };
    unsigned char out[64];
    size_t i, n;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (!EXPECT_INT(sasl_b64_decode(bad[i], strlen(bad[i]), out, sizeof(out), &n), -1))
            fprintf(stderr, "  accepted \"%s\"\n", bad[i]);
    /* "QQ==" is fine, and needs exactly one byte of room */
    EXPECT_INT(sasl_b64_decode("QQ==", 4, out, 1, &n), 0);
    EXPECT_INT(n, 1);
    /* without a buffer: only the check and the length */
    EXPECT_INT(sasl_b64_decode("Zm9vYg==", 8, NULL, 0, &n), 0);
    EXPECT_INT(n, 4);
    EXPECT_INT(sasl_b64_decode("AAA=A===", 8, NULL, 0, &n), -1);
    EXPECT_INT(sasl_b64_decode("QUJD", 4, out, 2, &n), -1);
}

static void test_encode_limit(void)
{
    struct buf *b = buf_create(4, 8);

    EXPECT_INT(sasl_b64_encode("abcdef", 6, b), 0);
    EXPECT_INT(sasl_b64_encode("x", 1, b), -1);
    buf_destroy(&b);
}

int main(void)
{
    return test_run((const struct test_case[]){
        TEST_CASE(test_vectors),
        TEST_CASE(test_binary_round_trip),
        TEST_CASE(test_refused),
        TEST_CASE(test_encode_limit),
        TEST_END,
    });
}
