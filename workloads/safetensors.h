/*
 * safetensors.h - a hardened reader for the safetensors tensor file format.
 *
 * Layout: an 8-byte little-endian u64 header length N, N bytes of JSON that map
 * each tensor name to {"dtype", "shape", "data_offsets"} (offsets relative to
 * the first byte after the header), an optional "__metadata__" string map, then
 * the raw little-endian tensor bytes. The reader checks every size before it
 * allocates: N in [2, min(100 MiB, file size - 8)], file size <= 2 GiB, each
 * tensor inside the data area with exactly product(shape) * dtype-size bytes,
 * no two tensors overlapping, no duplicate names. Only I8, U8, F32 and F64 are
 * supported. Every error is one message "file: error: ..." in the diagnostics.
 */
#ifndef SCIM_SAFETENSORS_H
#define SCIM_SAFETENSORS_H

#include <stddef.h>
#include <stdint.h>

#include "sim/base/diag.h"

#define SCIM_ST_MAX_DIMS 8

enum scim_st_dtype { SCIM_ST_I8 = 1, SCIM_ST_U8, SCIM_ST_F32, SCIM_ST_F64 };

struct scim_st_tensor {
    char *name;                       /* tensor name (owned) */
    enum scim_st_dtype dtype;         /* element type */
    int ndim;                         /* 0..SCIM_ST_MAX_DIMS (0 = scalar) */
    uint64_t shape[SCIM_ST_MAX_DIMS]; /* sizes, outermost first */
    uint64_t begin, end;              /* byte range inside data */
};

struct scim_safetensors {
    char *path;               /* file name as given (owned) */
    uint8_t *data;            /* the data area after the header (owned) */
    size_t data_len;          /* bytes in data */
    struct scim_st_tensor *t; /* n tensors, sorted by name */
    size_t n;
};

/* Read and check the file at path. On error st is left empty and one message
 * goes to d; returns 0, SCIM_ENOENT, SCIM_EIO, SCIM_EFORMAT or SCIM_ENOMEM. */
int scim_st_open(struct scim_safetensors *st, const char *path, struct scim_diag *d);
/* Free everything st owns and zero it (safe on a zeroed struct). */
void scim_st_close(struct scim_safetensors *st);

/* Tensor called name, or NULL. */
const struct scim_st_tensor *scim_st_find(const struct scim_safetensors *st, const char *name);

/* Safetensors name of a dtype ("F32") and its size in bytes. */
const char *scim_st_dtype_name(enum scim_st_dtype dtype);
size_t scim_st_dtype_size(enum scim_st_dtype dtype);
/* Number of elements (product of the shape; 1 for a scalar). */
uint64_t scim_st_numel(const struct scim_st_tensor *t);
/* Write a shape as "[120, 400]" into buf; returns buf. */
char *scim_st_format_shape(int ndim, const uint64_t *shape, char *buf, size_t len);

/*
 * Copy tensor t out of st after checking that its shape is exactly
 * (ndim, shape); out holds product(shape) elements. The int8 copy needs dtype
 * I8; the double copy converts any supported dtype. A shape or dtype mismatch
 * is an error naming the tensor; returns 0 or SCIM_EFORMAT.
 */
int scim_st_read_i8(const struct scim_safetensors *st, const struct scim_st_tensor *t, int ndim,
                    const uint64_t *shape, int8_t *out, struct scim_diag *d);
int scim_st_read_f64(const struct scim_safetensors *st, const struct scim_st_tensor *t, int ndim,
                     const uint64_t *shape, double *out, struct scim_diag *d);

#endif
