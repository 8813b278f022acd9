/*
 * test_idx.c - IDX files raw and gzipped, valid and broken (truncated, declared
 * size beyond the file or the limit, trailing data, corrupt gzip, wrong magic),
 * and the dataset loader on a small generated dataset, on missing files and,
 * when data/mnist or data/fashion-mnist exists in the source tree, on the real
 * test split (raw MNIST, gzipped Fashion-MNIST).
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "sim/base/diag.h"
#include "sim/base/error.h"
#include "tests/harness.h"
#include "workloads/dataset.h"

static char tmpdir[512];
static char made[64][600];
static int n_made;

static const char *tmp_path(const char *name)
{
    ASSERT(n_made < 64);
    snprintf(made[n_made], sizeof(made[n_made]), "%s/%s", tmpdir, name);
    return made[n_made++];
}

/* An IDX image of ndim dims, followed by product(dims) bytes of data (i*7 mod 256). */
static uint8_t *make_idx(int ndim, const uint32_t *dims, size_t *len)
{
    size_t n = 1;
    for (int i = 0; i < ndim; i++)
        n *= dims[i];
    size_t h = 4 + 4 * (size_t)ndim;
    uint8_t *b = malloc(h + n + 1);
    ASSERT(b);
    b[0] = 0;
    b[1] = 0;
    b[2] = 0x08;
    b[3] = (uint8_t)ndim;
    for (int i = 0; i < ndim; i++)
        for (int k = 0; k < 4; k++)
            b[4 + 4 * i + k] = (uint8_t)(dims[i] >> (24 - 8 * k));
    for (size_t i = 0; i < n; i++)
        b[h + i] = (uint8_t)(i * 7);
    *len = h + n;
    return b;
}

static const char *write_raw(const char *name, const void *buf, size_t n)
{
    const char *path = tmp_path(name);
    FILE *f = fopen(path, "wb");
    ASSERT(f);
    ASSERT(fwrite(buf, 1, n, f) == n);
    ASSERT(fclose(f) == 0);
    return path;
}

static const char *write_gz(const char *name, const void *buf, size_t n)
{
    const char *path = tmp_path(name);
    gzFile gz = gzopen(path, "wb9");
    ASSERT(gz);
    ASSERT(gzwrite(gz, buf, (unsigned)n) == (int)n);
    ASSERT(gzclose(gz) == Z_OK);
    return path;
}

static uint8_t *read_all(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    ASSERT(f);
    ASSERT(fseek(f, 0, SEEK_END) == 0);
    long len = ftell(f);
    ASSERT(len > 0);
    rewind(f);
    uint8_t *b = malloc((size_t)len);
    ASSERT(b && fread(b, 1, (size_t)len, f) == (size_t)len);
    fclose(f);
    *n = (size_t)len;
    return b;
}

static void expect_fail(const char *path, size_t max, int code, const char *needle)
{
    struct scim_diag d;
    struct scim_idx idx;
    scim_diag_init(&d, NULL);
    int rc = scim_idx_load(&idx, path, max, &d);
    if (rc != code)
        fprintf(stderr, "messages:\n%s", d.text ? d.text : "(none)\n");
    ASSERT_EQ(rc, code);
    ASSERT_EQ(d.errors, 1);
    ASSERT_STR_CONTAINS(d.text, path);
    ASSERT_STR_CONTAINS(d.text, needle);
    ASSERT(idx.data == NULL && idx.size == 0);
    scim_diag_free(&d);
}

static void check_valid(const char *path, int ndim, const uint32_t *dims)
{
    struct scim_diag d;
    struct scim_idx idx;
    scim_diag_init(&d, stderr);
    ASSERT_EQ(scim_idx_load(&idx, path, 1 << 20, &d), 0);
    ASSERT_EQ(idx.ndim, ndim);
    size_t n = 1;
    for (int i = 0; i < ndim; i++) {
        ASSERT_EQ(idx.dims[i], dims[i]);
        n *= dims[i];
    }
    ASSERT_EQ(idx.size, n);
    for (size_t i = 0; i < n; i++)
        ASSERT_EQ(idx.data[i], (uint8_t)(i * 7));
    scim_idx_free(&idx);
    scim_idx_free(&idx);
    scim_diag_free(&d);
}

static void test_valid(void)
{
    const uint32_t dims3[3] = {5, 3, 4}, dims1[1] = {5}, big[2] = {300, 1000};
    size_t n;
    uint8_t *b = make_idx(3, dims3, &n);
    check_valid(write_raw("img-idx3-ubyte", b, n), 3, dims3);
    check_valid(write_gz("img-idx3-ubyte.gz", b, n), 3, dims3);
    free(b);
    b = make_idx(1, dims1, &n);
    check_valid(write_raw("lab-idx1-ubyte", b, n), 1, dims1);
    free(b);
    /* larger than zlib's and the reader's chunk sizes */
    b = make_idx(2, big, &n);
    check_valid(write_gz("big.gz", b, n), 2, big);
    free(b);
}

static void test_raw_errors(void)
{
    const uint32_t dims[3] = {5, 3, 4};
    size_t n;
    uint8_t *b = make_idx(3, dims, &n);
    const char *p = write_raw("cut", b, n - 10);
    expect_fail(p, 1 << 20, SCIM_EFORMAT,
                "truncated: header declares 60 bytes of data, file has 50");
    b[n] = 0;
    p = write_raw("junk", b, n + 1);
    expect_fail(p, 1 << 20, SCIM_EFORMAT,
                "trailing data: header declares 60 bytes of data, file has 61");
    p = write_raw("hdrcut", b, 9);
    expect_fail(p, 1 << 20, SCIM_EFORMAT,
                "truncated: file has 9 bytes, the header of 3 dimensions needs 16");
    p = write_raw("tiny", b, 3);
    expect_fail(p, 1 << 20, SCIM_EFORMAT, "truncated: file has 3 bytes");
    /* the header declares more than the limit, or more than 2^64 */
    p = write_raw("limit", b, n);
    expect_fail(p, 59, SCIM_EFORMAT, "IDX header declares 60 bytes of data, over the limit of 59");
    const uint32_t huge[4] = {0xffffffffu, 0xffffffffu, 0xffffffffu, 2};
    uint8_t h[20];
    memcpy(h, b, 4);
    h[3] = 4;
    for (int i = 0; i < 4; i++)
        for (int k = 0; k < 4; k++)
            h[4 + 4 * i + k] = (uint8_t)(huge[i] >> (24 - 8 * k));
    p = write_raw("huge", h, sizeof(h));
    expect_fail(p, (size_t)1 << 30, SCIM_EFORMAT, "declares more than 18446744073709551615 bytes");
    h[3] = 1; /* 0xffffffff bytes declared, 12 present */
    p = write_raw("larger", h, sizeof(h));
    expect_fail(p, (size_t)1 << 33, SCIM_EFORMAT,
                "truncated: header declares 4294967295 bytes of data, file has 12");
    /* magic */
    b[0] = 'P';
    p = write_raw("magic", b, n);
    expect_fail(p, 1 << 20, SCIM_EFORMAT, "not an IDX file: magic bytes 50 00 08 03");
    b[0] = 0;
    b[2] = 0x0d;
    p = write_raw("float", b, n);
    expect_fail(p, 1 << 20, SCIM_EFORMAT, "unsupported IDX element type 0x0d");
    b[2] = 0x08;
    b[3] = 5;
    p = write_raw("ndim", b, n);
    expect_fail(p, 1 << 20, SCIM_EFORMAT,
                "IDX header declares 5 dimensions (1 to 4 are supported)");
    free(b);
    expect_fail(tmp_path("absent"), 1 << 20, SCIM_ENOENT, "cannot open");
}

static void test_gz_errors(void)
{
    const uint32_t dims[2] = {100, 100};
    size_t n, gn;
    uint8_t *b = make_idx(2, dims, &n);
    for (size_t i = 12; i < n; i++) /* incompressible-ish so the middle holds data */
        b[i] = (uint8_t)((i * 2654435761u) >> 13);
    const char *good = write_gz("good.gz", b, n);
    uint8_t *g = read_all(good, &gn);
    /* flip bytes in the middle of the deflate stream */
    for (size_t i = gn / 2; i < gn / 2 + 8; i++)
        g[i] ^= 0x5a;
    const char *p = write_raw("corrupt.gz", g, gn);
    expect_fail(p, 1 << 20, SCIM_EFORMAT, "corrupt gzip data: ");
    for (size_t i = gn / 2; i < gn / 2 + 8; i++)
        g[i] ^= 0x5a;
    p = write_raw("cut.gz", g, gn / 2);
    expect_fail(p, 1 << 20, SCIM_EFORMAT, "truncated");
    /* a wrong CRC is only seen at the end of the stream */
    g[gn - 6] ^= 1;
    p = write_raw("crc.gz", g, gn);
    expect_fail(p, 1 << 20, SCIM_EFORMAT, "corrupt gzip data: incorrect data check");
    free(g);
    /* the decompressed stream is shorter or longer than declared */
    p = write_gz("short.gz", b, n - 1);
    expect_fail(p, 1 << 20, SCIM_EFORMAT,
                "truncated: header declares 10000 bytes of data, decompressed stream has 9999");
    b = realloc(b, n + 3);
    ASSERT(b);
    p = write_gz("long.gz", b, n + 3);
    expect_fail(p, 1 << 20, SCIM_EFORMAT,
                "trailing data: decompressed stream is longer than the 10000");
    b[1] = 3;
    p = write_gz("magic.gz", b, n);
    expect_fail(p, 1 << 20, SCIM_EFORMAT, "not an IDX file: magic bytes 00 03 08 02");
    /* a large declared size is refused before the data is inflated */
    b[1] = 0;
    p = write_gz("limit.gz", b, 12);
    expect_fail(p, 9999, SCIM_EFORMAT,
                "IDX header declares 10000 bytes of data, over the limit of 9999");
    free(b);
}

/* A fake dataset folder: DATA/mnist with a raw image file and a gzipped label file. */
static void test_dataset_small(void)
{
    char dir[600];
    snprintf(dir, sizeof(dir), "%s/mnist", tmpdir);
    ASSERT(mkdir(dir, 0755) == 0);
    const uint32_t idims[3] = {6, 28, 28}, ldims[1] = {6};
    size_t n;
    uint8_t *b = make_idx(3, idims, &n);
    write_raw("mnist/t10k-images-idx3-ubyte", b, n);
    free(b);
    b = make_idx(1, ldims, &n);
    for (int i = 0; i < 6; i++)
        b[8 + i] = (uint8_t)(9 - i);
    write_gz("mnist/t10k-labels-idx1-ubyte.gz", b, n);

    struct scim_diag d;
    struct scim_dataset ds;
    scim_diag_init(&d, stderr);
    ASSERT_EQ(scim_dataset_load(&ds, "mnist", "test", tmpdir, &d), 0);
    ASSERT_EQ(ds.n, 6);
    ASSERT(ds.c == 1 && ds.h == 28 && ds.w == 28 && ds.classes == 10);
    ASSERT(strcmp(ds.name, "mnist") == 0);
    ASSERT_EQ(ds.labels[0], 9);
    ASSERT_EQ(ds.labels[5], 4);
    ASSERT_EQ(ds.pixels[1], 7);
    scim_dataset_free(&ds);
    scim_dataset_free(&ds);
    scim_diag_free(&d);

    /* the training split is missing; a label of 10 is refused; fewer labels */
    scim_diag_init(&d, NULL);
    ASSERT_EQ(scim_dataset_load(&ds, "mnist", "train", tmpdir, &d), SCIM_ENOENT);
    ASSERT_STR_CONTAINS(d.text, "dataset 'mnist' not found in ");
    ASSERT_STR_CONTAINS(d.text, "/mnist (run tools/fetch-data to download it)");
    ASSERT(ds.pixels == NULL && ds.name == NULL);
    ASSERT_EQ(scim_dataset_load(&ds, "fashion-mnist", "test", tmpdir, &d), SCIM_ENOENT);
    ASSERT_STR_CONTAINS(d.text, "dataset 'fashion-mnist' not found in");
    ASSERT_EQ(scim_dataset_load(&ds, "cifar", "test", tmpdir, &d), SCIM_ENOENT);
    ASSERT_STR_CONTAINS(d.text, "unknown dataset 'cifar' (known: mnist, fashion-mnist, cifar-10, synthetic:CxHxW[:N])");
    ASSERT_EQ(scim_dataset_load(&ds, "mnist", "val", tmpdir, &d), SCIM_EINVAL);
    ASSERT_STR_CONTAINS(d.text, "unknown split 'val'");
    b[8 + 3] = 10;
    write_gz("mnist/t10k-labels-idx1-ubyte.gz", b, n);
    ASSERT_EQ(scim_dataset_load(&ds, "mnist", "test", tmpdir, &d), SCIM_EFORMAT);
    ASSERT_STR_CONTAINS(d.text, "label 3 is 10, expected 0 to 9");
    write_gz("mnist/t10k-labels-idx1-ubyte.gz", b, n - 1); /* stream shorter than declared */
    b[7] = 5;
    write_raw("mnist/t10k-labels-idx1-ubyte", b, n - 1); /* the raw name wins over .gz */
    ASSERT_EQ(scim_dataset_load(&ds, "mnist", "test", tmpdir, &d), SCIM_EFORMAT);
    ASSERT_STR_CONTAINS(d.text, "t10k-labels-idx1-ubyte: error: 5 labels for 6 images");
    ASSERT_EQ(d.errors, 6);
    scim_diag_free(&d);
    free(b);
}

/* The real test split of name, when DATA/name exists in the source tree. */
static void test_dataset_real(const char *name)
{
    char dir[600];
    struct stat sb;
    snprintf(dir, sizeof(dir), "%s/data/%s", SPINCIM_SOURCE_DIR, name);
    if (stat(dir, &sb) != 0) {
        printf("test_idx: real %s test split: skipped (no data/%s)\n", name, name);
        return;
    }
    snprintf(dir, sizeof(dir), "%s/data", SPINCIM_SOURCE_DIR);
    struct scim_diag d;
    struct scim_dataset ds;
    scim_diag_init(&d, stderr);
    ASSERT_EQ(scim_dataset_load(&ds, name, "test", dir, &d), 0);
    ASSERT_EQ(ds.n, 10000);
    ASSERT(ds.c == 1 && ds.h == 28 && ds.w == 28 && ds.classes == 10);
    long hist[10] = {0}, sum = 0;
    for (int i = 0; i < ds.n; i++)
        hist[ds.labels[i]]++;
    for (int k = 0; k < 10; k++) {
        ASSERT(hist[k] > 800);
        sum += hist[k];
    }
    ASSERT_EQ(sum, 10000);
    scim_dataset_free(&ds);
    scim_diag_free(&d);
}

/* synthetic:CxHxW[:N]: the shape asked for, reproducible, bad specs refused. */
static void synthetic_sets(void)
{
    struct scim_dataset a, b;
    struct scim_diag d;
    scim_diag_init(&d, NULL);
    ASSERT_EQ(scim_dataset_load(&a, "synthetic:3x32x32:50", "test", ".", &d), 0);
    ASSERT_EQ(scim_dataset_load(&b, "synthetic:3x32x32:50", "test", ".", &d), 0);
    ASSERT(a.n == 50 && a.c == 3 && a.h == 32 && a.w == 32 && a.classes == 10);
    ASSERT(memcmp(a.pixels, b.pixels, 50u * 3 * 32 * 32) == 0);
    scim_dataset_free(&b);
    ASSERT_EQ(scim_dataset_load(&b, "synthetic:1x28x28", "test", ".", &d), 0);
    ASSERT_EQ(b.n, 10000);
    scim_dataset_free(&b);
    ASSERT_EQ(scim_dataset_load(&b, "synthetic:3x32x32:8", "test", ".", &d), 0); /* short :N */
    ASSERT_EQ(b.n, 8);
    scim_dataset_free(&a);
    scim_dataset_free(&b);
    ASSERT(scim_dataset_load(&a, "synthetic:3x32", "test", ".", &d) < 0);
    ASSERT(scim_dataset_load(&a, "synthetic:3x32x32:0", "test", ".", &d) < 0);
    ASSERT(scim_dataset_load(&a, "synthetic:3x32x32x", "test", ".", &d) < 0);
    ASSERT_STR_CONTAINS(d.text, "synthetic:CxHxW[:N]");
    scim_diag_free(&d);
}

/* CIFAR-10 binary batches made here: labels and channel-major pixels land where
 * they belong; a broken record size and a bad label are refused. */
static void cifar_batches(void)
{
    char dir[4096], path[4200];
    snprintf(dir, sizeof(dir), "%s/test_idx-cifar", SPINCIM_BINARY_DIR);
    snprintf(path, sizeof(path), "%s/cifar-10", dir);
    mkdir(dir, 0755);
    mkdir(path, 0755);
    snprintf(path, sizeof(path), "%s/cifar-10/test_batch.bin", dir);
    FILE *f = fopen(path, "wb");
    for (int i = 0; i < 3; i++) {
        fputc(i + 4, f);
        for (int k = 0; k < 3072; k++)
            fputc((k / 1024) * 100 + i, f); /* channel c: 100 c + i */
    }
    fclose(f);
    struct scim_dataset ds;
    struct scim_diag d;
    scim_diag_init(&d, NULL);
    ASSERT_EQ(scim_dataset_load(&ds, "cifar-10", "test", dir, &d), 0);
    ASSERT(ds.n == 3 && ds.c == 3 && ds.h == 32 && ds.w == 32);
    ASSERT_EQ(ds.labels[2], 6);
    ASSERT_EQ(ds.pixels[(size_t)2 * 3072 + 2048 + 5], 202); /* image 2, blue */
    scim_dataset_free(&ds);
    f = fopen(path, "ab");
    fputc(1, f); /* a stray byte: not a whole record */
    fclose(f);
    ASSERT(scim_dataset_load(&ds, "cifar-10", "test", dir, &d) < 0);
    ASSERT_STR_CONTAINS(d.text, "whole number of 3073-byte CIFAR-10 records");
    ASSERT(scim_dataset_load(&ds, "cifar-10", "train", dir, &d) < 0);
    ASSERT_STR_CONTAINS(d.text, "data_batch_1.bin");
    scim_diag_free(&d);
}

int main(void)
{
    synthetic_sets();
    cifar_batches();
    snprintf(tmpdir, sizeof(tmpdir), "%s/test_idx-XXXXXX", SPINCIM_BINARY_DIR);
    ASSERT(mkdtemp(tmpdir));
    test_valid();
    test_raw_errors();
    test_gz_errors();
    test_dataset_small();
    test_dataset_real("mnist");
    test_dataset_real("fashion-mnist");
    for (int i = 0; i < n_made; i++)
        unlink(made[i]);
    char dir[600];
    snprintf(dir, sizeof(dir), "%s/mnist", tmpdir);
    ASSERT(rmdir(dir) == 0);
    ASSERT(rmdir(tmpdir) == 0);
    printf("test_idx: ok\n");
    return 0;
}
