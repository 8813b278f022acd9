/*
 * test_safetensors.c - the safetensors reader on a valid file and on hostile ones:
 * truncation at every stage, oversized header length, offsets out of range,
 * overlapping tensors, unsupported dtypes, duplicate names, too many dimensions,
 * overflowing shapes and non-JSON headers. Files are written into a temporary
 * folder under the build tree and removed at the end.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/base/diag.h"
#include "sim/base/error.h"
#include "tests/harness.h"
#include "workloads/safetensors.h"

static char tmpdir[512];
static char made[64][600];
static int n_made;

static const char *tmp_path(const char *name)
{
    ASSERT(n_made < 64);
    snprintf(made[n_made], sizeof(made[n_made]), "%s/%s", tmpdir, name);
    return made[n_made++];
}

static void write_bytes(const char *path, const void *buf, size_t n)
{
    FILE *f = fopen(path, "wb");
    ASSERT(f);
    ASSERT(fwrite(buf, 1, n, f) == n);
    ASSERT(fclose(f) == 0);
}

/* Write an 8-byte little-endian length hlen (which may lie), json and data. */
static const char *write_st_len(const char *name, uint64_t hlen, const char *json, const void *data,
                                size_t dlen)
{
    const char *path = tmp_path(name);
    size_t jlen = strlen(json);
    uint8_t *buf = malloc(8 + jlen + dlen + 1);
    ASSERT(buf);
    for (int i = 0; i < 8; i++)
        buf[i] = (uint8_t)(hlen >> (8 * i));
    memcpy(buf + 8, json, jlen);
    if (dlen)
        memcpy(buf + 8 + jlen, data, dlen);
    write_bytes(path, buf, 8 + jlen + dlen);
    free(buf);
    return path;
}

static const char *write_st(const char *name, const char *json, const void *data, size_t dlen)
{
    return write_st_len(name, strlen(json), json, data, dlen);
}

static void expect_fail(const char *path, int code, const char *needle)
{
    struct scim_diag d;
    struct scim_safetensors st;
    scim_diag_init(&d, NULL);
    int rc = scim_st_open(&st, path, &d);
    if (rc != code)
        fprintf(stderr, "messages:\n%s", d.text ? d.text : "(none)\n");
    ASSERT_EQ(rc, code);
    ASSERT_EQ(d.errors, 1);
    ASSERT_STR_CONTAINS(d.text, path);
    ASSERT_STR_CONTAINS(d.text, needle);
    ASSERT(st.n == 0 && st.t == NULL && st.data == NULL && st.path == NULL);
    scim_diag_free(&d);
}

static void put_f32(uint8_t *p, float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(u >> (8 * i));
}

static void put_f64(uint8_t *p, double v)
{
    uint64_t u;
    memcpy(&u, &v, 8);
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(u >> (8 * i));
}

/* a: I8 [2, 3]; b: F32 [2]; c: F64 [1]; s: U8 scalar; e: empty F32 [0]. */
static const char valid_json[] =
    "{\"__metadata__\":{\"format\":\"pt\",\"note\":\"x\"},"
    "\"a\":{\"dtype\":\"I8\",\"shape\":[2,3],\"data_offsets\":[0,6]},"
    "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[6,14]},"
    "\"c\": {\"dtype\": \"F64\", \"shape\": [1], \"data_offsets\": [14, 22]},"
    "\"s\":{\"dtype\":\"U8\",\"shape\":[],\"data_offsets\":[22,23]},"
    "\"e\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[23,23]}}    ";

static void valid_data(uint8_t *data)
{
    const int8_t a[6] = {1, -1, -1, 1, 127, -128};
    memcpy(data, a, 6);
    put_f32(data + 6, 1.5f);
    put_f32(data + 10, -2.25f);
    put_f64(data + 14, 0.1);
    data[22] = 200;
}

static void test_valid(void)
{
    uint8_t data[23];
    valid_data(data);
    const char *path = write_st("valid.safetensors", valid_json, data, sizeof(data));
    struct scim_diag d;
    struct scim_safetensors st;
    scim_diag_init(&d, stderr);
    ASSERT_EQ(scim_st_open(&st, path, &d), 0);
    ASSERT_EQ(d.errors, 0);
    ASSERT_EQ(st.n, 5);
    ASSERT_EQ(st.data_len, 23);
    ASSERT(scim_st_find(&st, "__metadata__") == NULL);
    ASSERT(scim_st_find(&st, "zz") == NULL);

    const struct scim_st_tensor *a = scim_st_find(&st, "a");
    ASSERT(a && a->dtype == SCIM_ST_I8 && a->ndim == 2 && a->shape[0] == 2 && a->shape[1] == 3);
    int8_t w[6];
    const uint64_t sa[2] = {2, 3};
    ASSERT_EQ(scim_st_read_i8(&st, a, 2, sa, w, &d), 0);
    ASSERT_EQ(w[0], 1);
    ASSERT_EQ(w[1], -1);
    ASSERT_EQ(w[4], 127);
    ASSERT_EQ(w[5], -128);

    const struct scim_st_tensor *b = scim_st_find(&st, "b");
    double v[2];
    const uint64_t sb[1] = {2};
    ASSERT(b && b->dtype == SCIM_ST_F32);
    ASSERT_EQ(scim_st_read_f64(&st, b, 1, sb, v, &d), 0);
    ASSERT_NEAR(v[0], 1.5, 0);
    ASSERT_NEAR(v[1], -2.25, 0);

    const struct scim_st_tensor *c = scim_st_find(&st, "c");
    const uint64_t sc[1] = {1};
    ASSERT_EQ(scim_st_read_f64(&st, c, 1, sc, v, &d), 0);
    ASSERT(v[0] == 0.1);

    const struct scim_st_tensor *s = scim_st_find(&st, "s");
    ASSERT(s && s->ndim == 0 && scim_st_numel(s) == 1);
    ASSERT_EQ(scim_st_read_f64(&st, s, 0, NULL, v, &d), 0);
    ASSERT_NEAR(v[0], 200, 0);
    ASSERT_EQ(scim_st_numel(scim_st_find(&st, "e")), 0);

    /* wrong expected shape or dtype: one message naming the tensor */
    struct scim_diag d2;
    scim_diag_init(&d2, NULL);
    const uint64_t wrong[2] = {3, 2};
    ASSERT_EQ(scim_st_read_i8(&st, a, 2, wrong, w, &d2), SCIM_EFORMAT);
    ASSERT_STR_CONTAINS(d2.text, "tensor 'a' has shape [2, 3], expected [3, 2]");
    ASSERT_EQ(scim_st_read_i8(&st, b, 1, sb, w, &d2), SCIM_EFORMAT);
    ASSERT_STR_CONTAINS(d2.text, "tensor 'b' has dtype F32, expected I8");
    ASSERT_EQ(d2.errors, 2);
    scim_diag_free(&d2);

    scim_st_close(&st);
    scim_st_close(&st); /* closing twice is harmless */
    ASSERT(st.n == 0 && st.data == NULL);
    scim_diag_free(&d);
}

static void test_truncated(void)
{
    uint8_t data[23];
    valid_data(data);
    const uint8_t four[4] = {10, 0, 0, 0};
    write_bytes(tmp_path("short.safetensors"), four, 4);
    expect_fail(made[n_made - 1], SCIM_EFORMAT,
                "truncated: file has 4 bytes, fewer than the 8-byte header length");
    /* the header length promises more JSON than the file holds */
    const char *p = write_st_len("cut-header.safetensors", 1000, "{\"a\":", NULL, 0);
    expect_fail(p, SCIM_EFORMAT, "truncated: header length is 1000 bytes, but only 5 bytes follow");
    /* cut inside the data area */
    p = write_st("cut-data.safetensors", valid_json, data, 10);
    expect_fail(p, SCIM_EFORMAT, "tensor 'b': data_offsets [6, 14] exceed the 10 data bytes");
    expect_fail(tmp_path("missing.safetensors"), SCIM_ENOENT, "cannot open");
}

static void test_header_length(void)
{
    const char *p = write_st_len("huge.safetensors", (uint64_t)200 << 20, "{}", NULL, 0);
    expect_fail(p, SCIM_EFORMAT, "header length 209715200 exceeds the 100 MiB limit");
    p = write_st_len("wild.safetensors", UINT64_MAX, "{}", NULL, 0);
    expect_fail(p, SCIM_EFORMAT, "exceeds the 100 MiB limit");
    p = write_st_len("tiny.safetensors", 1, "{}", NULL, 0);
    expect_fail(p, SCIM_EFORMAT, "header length 1 is too small");
    /* the smallest valid file: an empty object */
    p = write_st("empty.safetensors", "{}", NULL, 0);
    struct scim_diag d;
    struct scim_safetensors st;
    scim_diag_init(&d, stderr);
    ASSERT_EQ(scim_st_open(&st, p, &d), 0);
    ASSERT_EQ(st.n, 0);
    ASSERT(scim_st_find(&st, "a") == NULL);
    scim_st_close(&st);
    scim_diag_free(&d);
}

static void test_offsets(void)
{
    uint8_t data[64] = {0};
    const char *p = write_st(
        "range.safetensors",
        "{\"conv1.weight\":{\"dtype\":\"I8\",\"shape\":[100],\"data_offsets\":[0,100]}}", data, 64);
    expect_fail(p, SCIM_EFORMAT,
                "tensor 'conv1.weight': data_offsets [0, 100] exceed the 64 data bytes");
    p = write_st("span.safetensors",
                 "{\"w\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,8]}}", data, 64);
    expect_fail(
        p, SCIM_EFORMAT,
        "tensor 'w': data_offsets [0, 8] span 8 bytes, but dtype F32 and shape [2, 2] need 16");
    p = write_st("reversed.safetensors",
                 "{\"w\":{\"dtype\":\"U8\",\"shape\":[0],\"data_offsets\":[8,0]}}", data, 64);
    expect_fail(p, SCIM_EFORMAT, "tensor 'w': data_offsets [8, 0] end before they begin");
    p = write_st("overlap.safetensors",
                 "{\"x\":{\"dtype\":\"U8\",\"shape\":[8],\"data_offsets\":[0,8]},"
                 "\"y\":{\"dtype\":\"U8\",\"shape\":[8],\"data_offsets\":[4,12]}}",
                 data, 64);
    expect_fail(p, SCIM_EFORMAT, "tensors 'x' [0, 8] and 'y' [4, 12] overlap");
    p = write_st("overflow.safetensors",
                 "{\"big\":{\"dtype\":\"F64\",\"shape\":[4294967296,4294967296,16],"
                 "\"data_offsets\":[0,8]}}",
                 data, 64);
    expect_fail(p, SCIM_EFORMAT, "tensor 'big': shape [4294967296, 4294967296, 16] is too large");
    p = write_st("offbig.safetensors",
                 "{\"o\":{\"dtype\":\"U8\",\"shape\":[1],"
                 "\"data_offsets\":[18446744073709551615,18446744073709551616]}}",
                 data, 64);
    expect_fail(p, SCIM_EFORMAT, "tensor 'o': data_offsets must hold non-negative integers");
}

static void test_entries(void)
{
    uint8_t data[16] = {0};
    const char *p = write_st(
        "dtype.safetensors",
        "{\"conv1.scale\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]}}", data, 16);
    expect_fail(p, SCIM_EFORMAT,
                "tensor 'conv1.scale': unsupported dtype 'F16' (supported: I8, U8, F32, F64)");
    p = write_st("dup.safetensors",
                 "{\"a\":{\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[0,4]},"
                 "\"a\":{\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[4,8]}}",
                 data, 16);
    expect_fail(p, SCIM_EFORMAT, "duplicate tensor 'a'");
    p = write_st("ndim.safetensors",
                 "{\"n\":{\"dtype\":\"U8\",\"shape\":[1,1,1,1,1,1,1,1,1],\"data_offsets\":[0,1]}}",
                 data, 16);
    expect_fail(p, SCIM_EFORMAT, "tensor 'n': shape has more than 8 entries");
    p = write_st("neg.safetensors",
                 "{\"n\":{\"dtype\":\"U8\",\"shape\":[-1],\"data_offsets\":[0,1]}}", data, 16);
    expect_fail(p, SCIM_EFORMAT, "tensor 'n': shape must hold non-negative integers, got '-1'");
    p = write_st("nooffs.safetensors", "{\"n\":{\"dtype\":\"U8\",\"shape\":[1]}}", data, 16);
    expect_fail(p, SCIM_EFORMAT, "tensor 'n': missing 'data_offsets'");
    p = write_st("extra.safetensors",
                 "{\"n\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1],\"x\":1}}", data,
                 16);
    expect_fail(p, SCIM_EFORMAT, "tensor 'n': unknown key 'x'");
}

static void test_not_json(void)
{
    const char *p = write_st("syntax.safetensors", "{\"a\": {\"shape\": [1, 2}}", NULL, 0);
    expect_fail(p, SCIM_EFORMAT, "invalid JSON header");
    p = write_st("yaml.safetensors", "{a: {dtype: U8}}", NULL, 0);
    expect_fail(p, SCIM_EFORMAT, "invalid JSON header: keys must be strings");
    p = write_st("list.safetensors", "[1, 2, 3]", NULL, 0);
    expect_fail(p, SCIM_EFORMAT, "invalid JSON header: it does not start with '{'");
    p = write_st("alias.safetensors", "{\"a\": &x {}, \"b\": *x}", NULL, 0);
    expect_fail(p, SCIM_EFORMAT, "YAML anchor, alias or tag");
    p = write_st("two.safetensors", "{}\n--- {}", NULL, 0);
    expect_fail(p, SCIM_EFORMAT, "invalid JSON header");
}

int main(void)
{
    snprintf(tmpdir, sizeof(tmpdir), "%s/test_safetensors-XXXXXX", SPINCIM_BINARY_DIR);
    ASSERT(mkdtemp(tmpdir));
    test_valid();
    test_truncated();
    test_header_length();
    test_offsets();
    test_entries();
    test_not_json();
    for (int i = 0; i < n_made; i++)
        unlink(made[i]);
    ASSERT(rmdir(tmpdir) == 0);
    printf("test_safetensors: ok\n");
    return 0;
}
