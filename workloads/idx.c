/*
 * idx.c - read IDX files (the MNIST container), raw or gzipped.
 *
 * An IDX file is the magic 00 00 TYPE NDIM, NDIM big-endian u32 sizes, then the
 * elements. Only TYPE 0x08 (unsigned byte) and 1..4 dimensions are accepted.
 * The product of the sizes is overflow-checked and bounded by the caller's
 * max_bytes before anything is allocated. A raw file must be exactly header +
 * data bytes long (fstat tells before reading); a gzip file (magic 1f 8b) is
 * streamed through zlib in chunks, the buffer grows with the data that really
 * arrives and never beyond the declared size, and the stream must end exactly
 * there (its CRC is checked by reading one byte past the end).
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "sim/base/error.h"
#include "dataset.h"

#define IDX_CHUNK ((size_t)1 << 20)

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

/* Check the 4-byte magic; returns the number of dimensions or < 0. */
static int idx_magic(const uint8_t *m, const char *path, struct scim_diag *d)
{
    if (m[0] != 0 || m[1] != 0)
        return scim_diag_file_error(d, path, SCIM_EFORMAT,
                                    "not an IDX file: magic bytes %02x %02x %02x %02x, expected "
                                    "00 00 08 NDIM",
                                    m[0], m[1], m[2], m[3]);
    if (m[2] != 0x08)
        return scim_diag_file_error(d, path, SCIM_EFORMAT,
                                    "unsupported IDX element type 0x%02x (only 0x08, unsigned "
                                    "byte, is supported)",
                                    m[2]);
    if (m[3] < 1 || m[3] > 4)
        return scim_diag_file_error(d, path, SCIM_EFORMAT,
                                    "IDX header declares %u dimensions (1 to 4 are supported)",
                                    m[3]);
    return m[3];
}

/* Decode the sizes and their overflow-checked product, bounded by max_bytes. */
static int idx_dims(struct scim_idx *out, const uint8_t *b, int ndim, size_t max_bytes,
                    const char *path, struct scim_diag *d)
{
    uint64_t n = 1;
    out->ndim = ndim;
    for (int i = 0; i < ndim; i++) {
        out->dims[i] = be32(b + 4 * i);
        if (out->dims[i] && n > UINT64_MAX / out->dims[i])
            n = UINT64_MAX;
        else
            n *= out->dims[i];
    }
    if (n > max_bytes || n > SIZE_MAX)
        return scim_diag_file_error(d, path, SCIM_EFORMAT,
                                    "IDX header declares %s%" PRIu64
                                    " bytes of data, over the limit of %zu",
                                    n == UINT64_MAX ? "more than " : "", n, max_bytes);
    out->size = (size_t)n;
    return 0;
}

/* ---- raw files ---- */

static int raw_read(FILE *f, void *buf, size_t n, const char *path, struct scim_diag *d)
{
    size_t got = n ? fread(buf, 1, n, f) : 0;
    if (got == n)
        return 0;
    if (ferror(f))
        return scim_diag_file_error(d, path, SCIM_EIO, "read error: %s", strerror(errno));
    return scim_diag_file_error(d, path, SCIM_EFORMAT, "truncated: file shrank while it was read");
}

static int raw_header(struct scim_idx *out, FILE *f, uint64_t size, size_t max_bytes,
                      const char *path, struct scim_diag *d)
{
    uint8_t h[4 + 16];
    if (size < 4)
        return scim_diag_file_error(
            d, path, SCIM_EFORMAT,
            "truncated: file has %" PRIu64 " bytes, fewer than the 4-byte IDX magic", size);
    int rc = raw_read(f, h, 4, path, d);
    int ndim = rc ? rc : idx_magic(h, path, d);
    if (ndim < 0)
        return ndim;
    if (size < 4 + 4 * (uint64_t)ndim)
        return scim_diag_file_error(d, path, SCIM_EFORMAT,
                                    "truncated: file has %" PRIu64
                                    " bytes, the header of %d dimensions needs %d",
                                    size, ndim, 4 + 4 * ndim);
    rc = raw_read(f, h + 4, 4 * (size_t)ndim, path, d);
    return rc ? rc : idx_dims(out, h + 4, ndim, max_bytes, path, d);
}

static int load_raw(struct scim_idx *out, FILE *f, uint64_t size, size_t max_bytes,
                    const char *path, struct scim_diag *d)
{
    int rc = raw_header(out, f, size, max_bytes, path, d);
    if (rc)
        return rc;
    uint64_t have = size - 4 - 4 * (uint64_t)out->ndim;
    if (have != out->size)
        return scim_diag_file_error(
            d, path, SCIM_EFORMAT, "%s: header declares %zu bytes of data, file has %" PRIu64,
            have < out->size ? "truncated" : "trailing data", out->size, have);
    out->data = malloc(out->size ? out->size : 1);
    if (!out->data)
        return scim_diag_file_error(d, path, SCIM_ENOMEM, "out of memory for %zu bytes", out->size);
    return raw_read(f, out->data, out->size, path, d);
}

/* ---- gzip files ---- */

/* Report zlib's error state, if any; returns 0 when the stream is fine. */
static int gz_status(gzFile gz, const char *path, struct scim_diag *d)
{
    int err = Z_OK;
    const char *msg = gzerror(gz, &err);
    size_t plen = strlen(path);
    if (err == Z_OK)
        return 0;
    if (strncmp(msg, path, plen) == 0 && strncmp(msg + plen, ": ", 2) == 0)
        msg += plen + 2; /* zlib prefixes the file name, which the diagnostic already has */
    if (err == Z_ERRNO)
        return scim_diag_file_error(d, path, SCIM_EIO, "read error: %s", strerror(errno));
    if (err == Z_MEM_ERROR)
        return scim_diag_file_error(d, path, SCIM_ENOMEM, "out of memory in zlib");
    if (err == Z_BUF_ERROR)
        return scim_diag_file_error(d, path, SCIM_EFORMAT, "truncated gzip data: %s", msg);
    return scim_diag_file_error(d, path, SCIM_EFORMAT, "corrupt gzip data: %s", msg);
}

/* Read up to n bytes; *got is how many arrived before the end of the stream. */
static int gz_read_upto(gzFile gz, uint8_t *buf, size_t n, size_t *got, const char *path,
                        struct scim_diag *d)
{
    size_t have = 0;
    while (have < n) {
        size_t want = n - have < IDX_CHUNK ? n - have : IDX_CHUNK;
        int r = gzread(gz, buf + have, (unsigned)want);
        int rc = gz_status(gz, path, d);
        if (rc)
            return rc;
        if (r <= 0)
            break;
        have += (size_t)r;
    }
    *got = have;
    return 0;
}

static int gz_idx_header(struct scim_idx *out, gzFile gz, size_t max_bytes, const char *path,
                         struct scim_diag *d)
{
    uint8_t h[4 + 16];
    size_t got = 0;
    int rc = gz_read_upto(gz, h, 4, &got, path, d);
    if (!rc && got < 4)
        rc = scim_diag_file_error(d, path, SCIM_EFORMAT,
                                  "truncated: decompressed stream has %zu bytes, fewer than the "
                                  "4-byte IDX magic",
                                  got);
    int ndim = rc ? rc : idx_magic(h, path, d);
    if (ndim < 0)
        return ndim;
    rc = gz_read_upto(gz, h + 4, 4 * (size_t)ndim, &got, path, d);
    if (!rc && got < 4 * (size_t)ndim)
        rc = scim_diag_file_error(d, path, SCIM_EFORMAT,
                                  "truncated: decompressed stream ends inside the IDX header");
    return rc ? rc : idx_dims(out, h + 4, ndim, max_bytes, path, d);
}

/* Read the declared size, growing the buffer only as data really arrives. */
static int gz_body(struct scim_idx *out, gzFile gz, const char *path, struct scim_diag *d)
{
    size_t have = 0, cap = 0;
    while (have < out->size) {
        if (have == cap) {
            size_t ncap = cap ? (cap <= out->size / 2 ? 2 * cap : out->size)
                              : (out->size < IDX_CHUNK ? out->size : IDX_CHUNK);
            uint8_t *p = realloc(out->data, ncap);
            if (!p)
                return scim_diag_file_error(d, path, SCIM_ENOMEM, "out of memory for %zu bytes",
                                            ncap);
            out->data = p;
            cap = ncap;
        }
        size_t got = 0;
        int rc = gz_read_upto(gz, out->data + have, cap - have, &got, path, d);
        if (rc)
            return rc;
        int ended = got < cap - have;
        have += got;
        if (ended)
            break;
    }
    if (have < out->size)
        return scim_diag_file_error(d, path, SCIM_EFORMAT,
                                    "truncated: header declares %zu bytes of data, decompressed "
                                    "stream has %zu",
                                    out->size, have);
    return 0;
}

static int load_gz(struct scim_idx *out, size_t max_bytes, const char *path, struct scim_diag *d)
{
    gzFile gz = gzopen(path, "rb");
    if (!gz)
        return scim_diag_file_error(d, path, SCIM_EIO, "cannot open: %s",
                                    errno ? strerror(errno) : "out of memory");
    int rc = gz_idx_header(out, gz, max_bytes, path, d);
    if (!rc)
        rc = gz_body(out, gz, path, d);
    if (!rc && !out->data)
        rc = (out->data = malloc(1)) ? 0
                                     : scim_diag_file_error(d, path, SCIM_ENOMEM, "out of memory");
    if (!rc) {
        uint8_t extra;
        size_t got = 0;
        rc = gz_read_upto(gz, &extra, 1, &got, path, d);
        if (!rc && got)
            rc = scim_diag_file_error(d, path, SCIM_EFORMAT,
                                      "trailing data: decompressed stream is longer than the %zu "
                                      "data bytes the header declares",
                                      out->size);
    }
    gzclose(gz);
    return rc;
}

/* ---- entry points ---- */

static int open_regular(const char *path, FILE **fp, uint64_t *size, struct scim_diag *d)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return scim_diag_file_error(d, path, errno == ENOENT ? SCIM_ENOENT : SCIM_EIO,
                                    "cannot open: %s", strerror(errno));
    struct stat sb;
    int rc = 0;
    if (fstat(fileno(f), &sb) != 0)
        rc = scim_diag_file_error(d, path, SCIM_EIO, "cannot stat: %s", strerror(errno));
    else if (!S_ISREG(sb.st_mode))
        rc = scim_diag_file_error(d, path, SCIM_EIO, "not a regular file");
    if (rc) {
        fclose(f);
        return rc;
    }
    *fp = f;
    *size = (uint64_t)sb.st_size;
    return 0;
}

int scim_idx_load(struct scim_idx *out, const char *path, size_t max_bytes, struct scim_diag *d)
{
    memset(out, 0, sizeof(*out));
    FILE *f = NULL;
    uint64_t size = 0;
    int rc = open_regular(path, &f, &size, d);
    if (rc)
        return rc;
    uint8_t magic[2] = {0, 0};
    int gz = size >= 2 && fread(magic, 1, 2, f) == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
    if (gz) {
        fclose(f);
        rc = load_gz(out, max_bytes, path, d);
    } else {
        rewind(f);
        rc = load_raw(out, f, size, max_bytes, path, d);
        fclose(f);
    }
    if (rc)
        scim_idx_free(out);
    return rc;
}

void scim_idx_free(struct scim_idx *idx)
{
    free(idx->data);
    memset(idx, 0, sizeof(*idx));
}
