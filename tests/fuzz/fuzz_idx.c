/*
 * fuzz_idx.c - libFuzzer harness for the IDX reader (raw and gzip) and the
 * dataset loader.
 *
 * Each input is
 *  - written as a file and read with scim_idx_load() (limit 64 MiB): a raw IDX
 *    file, or a gzip stream when the input starts with 1f 8b;
 *  - gzip-compressed by the harness (zlib) and read again, so the IDX header
 *    and body checks behind the decompressor see the same bytes with valid
 *    gzip framing;
 *  - when it holds the separator "SPINCIM-LABELS", split there into an image
 *    file and a label file placed as DATA/mnist/t10k-{images-idx3,labels-idx1}-ubyte
 *    and loaded with scim_dataset_load();
 *  - written as DATA/cifar-10/test_batch.bin and loaded as dataset "cifar-10"
 *    (records of one label byte and 3072 pixel bytes).
 * Checked: no crash, no sanitizer report, no leak; a success has exactly
 * product(dims) bytes (every pixel and label is read); a failure comes with a
 * message.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "sim/base/diag.h"
#include "sim/base/error.h"
#include "fuzz_util.h"
#include "workloads/dataset.h"

#define MAX_BYTES ((size_t)64 << 20)
#define SEPARATOR "SPINCIM-LABELS"

static void load_idx(const char *path)
{
    struct scim_diag d;
    struct scim_idx idx;
    scim_diag_init(&d, NULL);
    int rc = scim_idx_load(&idx, path, MAX_BYTES, &d);
    if (rc < 0 && !d.errors)
        fuzz_die("scim_idx_load failed (%s) without a message", scim_err_name(rc));
    if (rc == 0) {
        uint64_t n = 1;
        if (idx.ndim < 1 || idx.ndim > 4 || !idx.data)
            fuzz_die("scim_idx_load accepted %d dimensions", idx.ndim);
        for (int i = 0; i < idx.ndim; i++)
            n *= idx.dims[i];
        if (n != idx.size || n > MAX_BYTES)
            fuzz_die("scim_idx_load gave %zu bytes for %llu elements", idx.size,
                     (unsigned long long)n);
        /* Touch every byte so ASan sees a short buffer. */
        unsigned sum = 0;
        for (size_t i = 0; i < idx.size; i++)
            sum += idx.data[i];
        (void)sum;
    }
    scim_idx_free(&idx);
    scim_diag_free(&d);
}

/* gzip data[0..size) with zlib into the file at path. */
static void write_gzip(const char *path, const uint8_t *data, size_t size)
{
    z_stream z;
    memset(&z, 0, sizeof(z));
    if (deflateInit2(&z, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        fuzz_die("deflateInit2 failed");
    uLong cap = deflateBound(&z, (uLong)size);
    uint8_t *out = malloc(cap);
    if (!out)
        fuzz_die("out of memory");
    z.next_in = (Bytef *)(uintptr_t)data;
    z.avail_in = (uInt)size;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    if (deflate(&z, Z_FINISH) != Z_STREAM_END)
        fuzz_die("deflate did not finish");
    fuzz_write(path, out, cap - z.avail_out);
    deflateEnd(&z);
    free(out);
}

/* Load dataset name from the scratch data folder and check what it gives. */
static void check_dataset(const char *name)
{
    char root[4200];
    fuzz_path(root, sizeof(root), "data");
    struct scim_diag d;
    struct scim_dataset ds;
    scim_diag_init(&d, NULL);
    int rc = scim_dataset_load(&ds, name, "test", root, &d);
    if (rc < 0 && !d.errors)
        fuzz_die("scim_dataset_load failed (%s) without a message", scim_err_name(rc));
    if (rc == 0) {
        if (ds.n < 1 || ds.c < 1 || ds.h < 1 || ds.w < 1 || !ds.pixels || !ds.labels)
            fuzz_die("scim_dataset_load accepted n=%d c=%d h=%d w=%d", ds.n, ds.c, ds.h, ds.w);
        for (int i = 0; i < ds.n; i++)
            if (ds.labels[i] >= ds.classes)
                fuzz_die("label %d is %u", i, ds.labels[i]);
        /* Touch every pixel so ASan sees a short buffer. */
        size_t n = (size_t)ds.n * (size_t)ds.c * (size_t)ds.h * (size_t)ds.w;
        unsigned sum = 0;
        for (size_t i = 0; i < n; i++)
            sum += ds.pixels[i];
        (void)sum;
    }
    scim_dataset_free(&ds);
    scim_diag_free(&d);
}

/* "<scratch>/data/<sub>" (made if missing) into buf. */
static char *data_dir(char *buf, size_t len, const char *sub)
{
    char root[4200];
    fuzz_path(root, sizeof(root), "data");
    mkdir(root, 0700);
    snprintf(buf, len, "%s/%s", root, sub);
    mkdir(buf, 0700);
    return buf;
}

static void load_mnist(const uint8_t *images, size_t ilen, const uint8_t *labels, size_t llen)
{
    char dir[4300], path[4400];
    data_dir(dir, sizeof(dir), "mnist");
    snprintf(path, sizeof(path), "%s/t10k-images-idx3-ubyte", dir);
    fuzz_write(path, images, ilen);
    snprintf(path, sizeof(path), "%s/t10k-labels-idx1-ubyte", dir);
    fuzz_write(path, labels, llen);
    check_dataset("mnist");
}

static void load_cifar(const uint8_t *data, size_t size)
{
    char dir[4300], path[4400];
    data_dir(dir, sizeof(dir), "cifar-10");
    snprintf(path, sizeof(path), "%s/test_batch.bin", dir);
    fuzz_write(path, data, size);
    check_dataset("cifar-10");
}

/* First occurrence of SEPARATOR in data, or NULL. */
static const uint8_t *find_separator(const uint8_t *data, size_t size)
{
    size_t k = sizeof(SEPARATOR) - 1;
    for (size_t i = 0; i + k <= size; i++)
        if (data[i] == SEPARATOR[0] && !memcmp(data + i, SEPARATOR, k))
            return data + i;
    return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[4200];
    fuzz_path(path, sizeof(path), "input.idx");
    fuzz_write(path, data, size);
    load_idx(path);

    fuzz_path(path, sizeof(path), "input.idx.gz");
    write_gzip(path, data, size);
    load_idx(path);

    const uint8_t *sep = find_separator(data, size);
    if (sep) {
        size_t ilen = (size_t)(sep - data), skip = ilen + sizeof(SEPARATOR) - 1;
        load_mnist(data, ilen, sep + sizeof(SEPARATOR) - 1, size - skip);
    }
    load_cifar(data, size);
    return 0;
}
