/*
 * dataset.c - load one split of an image dataset (MNIST, Fashion-MNIST) from IDX files.
 *
 * The files live in DATA/NAME/ under their usual names, raw or gzipped:
 * PREFIX-images-idx3-ubyte[.gz] and PREFIX-labels-idx1-ubyte[.gz], with PREFIX
 * "t10k" for the test split and "train" for the training split. The raw name is
 * tried first. Images must be [n, height, width] (one channel), labels [n]
 * with every label below the 10 classes.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sim/base/error.h"
#include "sim/base/rng.h"
#include "dataset.h"

#define DS_CLASSES 10
#define DS_MAX_BYTES ((size_t)1 << 30) /* 1 GiB per decompressed file */

static const char *const ds_names[] = {"mnist", "fashion-mnist"};

/* malloc'd "a/b/c" (c may be NULL) */
static char *join3(const char *a, const char *b, const char *c)
{
    size_t n = strlen(a) + strlen(b) + (c ? strlen(c) : 0) + 3;
    char *s = malloc(n);
    if (s)
        snprintf(s, n, "%s/%s%s%s", a, b, c ? "/" : "", c ? c : "");
    return s;
}

static int is_file(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

/* Find dir/stem or dir/stem.gz; *out is malloc'd, NULL when neither exists. */
static int find_file(const char *dir, const char *stem, char **out)
{
    char *raw = join3(dir, stem, NULL);
    size_t n = raw ? strlen(raw) + 4 : 0;
    char *gz = raw ? malloc(n) : NULL;
    *out = NULL;
    if (!raw || !gz) {
        free(raw);
        free(gz);
        return SCIM_ENOMEM;
    }
    snprintf(gz, n, "%s.gz", raw);
    if (is_file(raw)) {
        *out = raw;
        free(gz);
    } else if (is_file(gz)) {
        *out = gz;
        free(raw);
    } else {
        free(raw);
        free(gz);
    }
    return 0;
}

static int check_images(const struct scim_idx *im, const char *path, struct scim_diag *d)
{
    if (im->ndim != 3)
        return scim_diag_file_error(d, path, SCIM_EFORMAT,
                                    "images must be a 3-D IDX array [n, height, width], this one "
                                    "has %d dimensions",
                                    im->ndim);
    if (im->dims[0] == 0 || im->dims[0] > INT_MAX || im->dims[1] == 0 || im->dims[2] == 0 ||
        im->dims[1] > INT_MAX || im->dims[2] > INT_MAX)
        return scim_diag_file_error(
            d, path, SCIM_EFORMAT, "images have shape [%u, %u, %u]; every size must be in 1 to %d",
            (unsigned)im->dims[0], (unsigned)im->dims[1], (unsigned)im->dims[2], INT_MAX);
    return 0;
}

static int check_labels(const struct scim_idx *lb, uint32_t n, const char *path,
                        struct scim_diag *d)
{
    if (lb->ndim != 1)
        return scim_diag_file_error(d, path, SCIM_EFORMAT,
                                    "labels must be a 1-D IDX array [n], this one has %d "
                                    "dimensions",
                                    lb->ndim);
    if (lb->dims[0] != n)
        return scim_diag_file_error(d, path, SCIM_EFORMAT, "%u labels for %u images",
                                    (unsigned)lb->dims[0], (unsigned)n);
    for (size_t i = 0; i < lb->size; i++)
        if (lb->data[i] >= DS_CLASSES)
            return scim_diag_file_error(d, path, SCIM_EFORMAT, "label %zu is %u, expected 0 to %d",
                                        i, lb->data[i], DS_CLASSES - 1);
    return 0;
}

/* Both files found: load and check them, fill ds. */
static int load_pair(struct scim_dataset *ds, const char *impath, const char *lbpath,
                     struct scim_diag *d)
{
    struct scim_idx im, lb;
    memset(&lb, 0, sizeof(lb));
    int rc = scim_idx_load(&im, impath, DS_MAX_BYTES, d);
    if (!rc)
        rc = check_images(&im, impath, d);
    if (!rc)
        rc = scim_idx_load(&lb, lbpath, DS_MAX_BYTES, d);
    if (!rc)
        rc = check_labels(&lb, im.dims[0], lbpath, d);
    if (rc) {
        scim_idx_free(&im);
        scim_idx_free(&lb);
        return rc;
    }
    ds->n = (int)im.dims[0];
    ds->c = 1;
    ds->h = (int)im.dims[1];
    ds->w = (int)im.dims[2];
    ds->pixels = im.data;
    ds->labels = lb.data;
    ds->classes = DS_CLASSES;
    return 0;
}

static int known_name(const char *name)
{
    for (size_t i = 0; i < sizeof(ds_names) / sizeof(ds_names[0]); i++)
        if (strcmp(name, ds_names[i]) == 0)
            return 1;
    return 0;
}

/* Locate both files of the split; ENOENT with the fetch hint when missing. */
static int locate(const char *name, const char *prefix, const char *dir, char **impath,
                  char **lbpath, struct scim_diag *d)
{
    char stem[64];
    snprintf(stem, sizeof(stem), "%s-images-idx3-ubyte", prefix);
    int rc = find_file(dir, stem, impath);
    snprintf(stem, sizeof(stem), "%s-labels-idx1-ubyte", prefix);
    if (!rc)
        rc = find_file(dir, stem, lbpath);
    if (rc)
        return scim_diag_file_error(d, dir, rc, "out of memory");
    if (!*impath && !*lbpath)
        return scim_diag_file_error(d, dir, SCIM_ENOENT,
                                    "dataset '%s' not found in %s (run tools/fetch-data to "
                                    "download it)",
                                    name, dir);
    if (!*impath || !*lbpath)
        return scim_diag_file_error(d, dir, SCIM_ENOENT,
                                    "dataset '%s' not found in %s: %s-%s[.gz] is missing (run "
                                    "tools/fetch-data to download it)",
                                    name, dir, prefix,
                                    *impath ? "labels-idx1-ubyte" : "images-idx3-ubyte");
    return 0;
}

/*
 * "synthetic:CxHxW[:N]": N images (default 10000) of uniformly random pixels and
 * labels, reproducible (a fixed stream per split). For energy, area and timing
 * studies of topologies whose dataset the registries do not provide (CIFAR-10):
 * the event counts need inputs of the right shape, not real images.
 */
static int synthetic(struct scim_dataset *ds, const char *name, const char *split,
                     struct scim_diag *d)
{
    int c = 0, h = 0, w = 0, n = 10000, used = 0;
    int k = sscanf(name, "synthetic:%dx%dx%d%n", &c, &h, &w, &used);
    int tail = 0; /* characters of the ":N" suffix */
    if (k == 3 && name[used] == ':' && sscanf(name + used, ":%d%n", &n, &tail) == 1 &&
        name[used + tail] == '\0')
        used = (int)strlen(name);
    if (k < 3 || name[used] || c < 1 || c > 64 || h < 1 || h > 1024 || w < 1 || w > 1024 ||
        n < 1 || n > 1000000 || (double)n * c * h * w > 1073741824.0)
        return scim_diag_file_error(d, name, SCIM_EINVAL,
                                    "a synthetic dataset is written synthetic:CxHxW[:N] "
                                    "(C <= 64, H, W <= 1024, N <= 1000000, N*C*H*W <= 2^30), "
                                    "e.g. synthetic:3x32x32");
    size_t per = (size_t)c * (size_t)h * (size_t)w;
    ds->name = strdup(name);
    ds->pixels = malloc((size_t)n * per);
    ds->labels = malloc((size_t)n);
    if (!ds->name || !ds->pixels || !ds->labels)
        return scim_diag_file_error(d, name, SCIM_ENOMEM, "out of memory");
    ds->n = n, ds->c = c, ds->h = h, ds->w = w, ds->classes = 10;
    struct scim_rng r;
    scim_rng_init(&r, strcmp(split, "train") ? 1u : 2u, scim_stream_id(SCIM_STREAM_TEST, 0, 0));
    for (size_t i = 0; i < (size_t)n * per; i++)
        ds->pixels[i] = (uint8_t)(scim_rng_u32(&r) >> 24);
    for (int i = 0; i < n; i++)
        ds->labels[i] = (uint8_t)(scim_rng_u32(&r) % 10u);
    return 0;
}

/*
 * CIFAR-10 in its binary format (cifar-10-batches-bin): records of one label byte and
 * 3072 pixel bytes (1024 red, 1024 green, 1024 blue, row-major 32x32), 10,000 records
 * per file: test_batch.bin for "test", data_batch_1..5.bin for "train". The registries
 * do not provide CIFAR-10; users who have it place it in DATA/cifar-10/.
 */
#define CIFAR_RECORD (1 + 3 * 32 * 32)

static int cifar_append(struct scim_dataset *ds, const char *path, struct scim_diag *d)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return scim_diag_file_error(d, path, SCIM_ENOENT,
                                    "CIFAR-10 batch not found (place the binary version, "
                                    "cifar-10-batches-bin, in DATA/cifar-10/)");
    int rc = fseek(f, 0, SEEK_END) == 0 ? 0 : SCIM_EIO;
    long size = rc == 0 ? ftell(f) : -1;
    if (rc == 0 && (size <= 0 || size % CIFAR_RECORD || size / CIFAR_RECORD > 100000))
        rc = scim_diag_file_error(d, path, SCIM_EFORMAT,
                                  "%ld bytes is not a whole number of %d-byte CIFAR-10 records",
                                  size, CIFAR_RECORD);
    int n = rc == 0 ? (int)(size / CIFAR_RECORD) : 0;
    uint8_t *px = rc == 0 ? realloc(ds->pixels, (size_t)(ds->n + n) * (CIFAR_RECORD - 1)) : NULL;
    uint8_t *lb = px ? realloc(ds->labels, (size_t)(ds->n + n)) : NULL;
    if (rc == 0 && (!px || !lb))
        rc = scim_diag_file_error(d, path, SCIM_ENOMEM, "out of memory");
    if (px)
        ds->pixels = px;
    if (lb)
        ds->labels = lb;
    if (rc == 0)
        rewind(f);
    for (int i = 0; rc == 0 && i < n; i++) {
        uint8_t rec[CIFAR_RECORD];
        if (fread(rec, 1, sizeof(rec), f) != sizeof(rec))
            rc = scim_diag_file_error(d, path, SCIM_EIO, "read error");
        else if (rec[0] > 9)
            rc = scim_diag_file_error(d, path, SCIM_EFORMAT, "record %d has label %d (0..9)", i,
                                      rec[0]);
        else {
            ds->labels[ds->n + i] = rec[0];
            memcpy(ds->pixels + (size_t)(ds->n + i) * (CIFAR_RECORD - 1), rec + 1, CIFAR_RECORD - 1);
        }
    }
    fclose(f);
    if (rc == 0)
        ds->n += n;
    return rc;
}

static int cifar10(struct scim_dataset *ds, const char *split, const char *data_dir,
                   struct scim_diag *d)
{
    char path[4096];
    int rc = 0, train = !strcmp(split, "train");
    ds->name = strdup("cifar-10");
    ds->c = 3, ds->h = 32, ds->w = 32, ds->classes = 10;
    for (int b = 1; rc == 0 && b <= (train ? 5 : 1); b++) {
        if (train)
            snprintf(path, sizeof(path), "%s/cifar-10/data_batch_%d.bin", data_dir, b);
        else
            snprintf(path, sizeof(path), "%s/cifar-10/test_batch.bin", data_dir);
        rc = cifar_append(ds, path, d);
    }
    return rc;
}

int scim_dataset_load(struct scim_dataset *ds, const char *name, const char *split,
                      const char *data_dir, struct scim_diag *d)
{
    memset(ds, 0, sizeof(*ds));
    if (!strcmp(name, "cifar-10")) {
        int rc = cifar10(ds, split, data_dir, d);
        if (rc)
            scim_dataset_free(ds);
        return rc;
    }
    if (!strncmp(name, "synthetic:", 10)) {
        int rc = synthetic(ds, name, split, d);
        if (rc)
            scim_dataset_free(ds);
        return rc;
    }
    if (!known_name(name))
        return scim_diag_file_error(d, data_dir, SCIM_ENOENT,
                                    "unknown dataset '%s' (known: mnist, fashion-mnist, "
                                    "cifar-10, synthetic:CxHxW[:N])",
                                    name);
    const char *prefix = strcmp(split, "test") == 0    ? "t10k"
                         : strcmp(split, "train") == 0 ? "train"
                                                       : NULL;
    if (!prefix)
        return scim_diag_file_error(d, data_dir, SCIM_EINVAL,
                                    "unknown split '%s' of dataset '%s' (known: test, train)",
                                    split, name);
    char *dir = join3(data_dir, name, NULL), *impath = NULL, *lbpath = NULL;
    ds->name = strdup(name);
    int rc = dir && ds->name ? locate(name, prefix, dir, &impath, &lbpath, d)
                             : scim_diag_file_error(d, data_dir, SCIM_ENOMEM, "out of memory");
    if (!rc)
        rc = load_pair(ds, impath, lbpath, d);
    free(dir);
    free(impath);
    free(lbpath);
    if (rc)
        scim_dataset_free(ds);
    return rc;
}

void scim_dataset_free(struct scim_dataset *ds)
{
    free(ds->name);
    free(ds->pixels);
    free(ds->labels);
    memset(ds, 0, sizeof(*ds));
}
