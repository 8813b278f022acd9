/*
 * safetensors.c - read a safetensors file and check it before trusting any size.
 *
 * The file is opened, its size taken with fstat and the 8-byte header length
 * checked against both the 100 MiB limit and the real file size; only then is
 * the JSON header read and parsed (with libyaml's event API: JSON is YAML flow
 * syntax; the parser also insists on JSON-style quoting so YAML-only input is
 * refused). Every tensor's offsets, byte count, name and overlap are checked
 * against the data area's size from fstat before the data is read. Integers are
 * decoded byte by byte as little-endian, independent of the host.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include "safetensors.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>

#include "sim/base/error.h"

#define ST_MAX_HEADER ((uint64_t)100 << 20) /* 100 MiB of JSON */
#define ST_MAX_FILE ((uint64_t)2 << 30)     /* 2 GiB in total */
#define ST_MAX_DEPTH 64                     /* nesting inside __metadata__ */

/* ---- little-endian decoding ---- */

_Static_assert(sizeof(float) == 4 && sizeof(double) == 8, "IEEE 754 float and double expected");

static uint64_t le64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* ---- dtypes and shapes ---- */

static const struct {
    const char *name;
    enum scim_st_dtype dtype;
    size_t size;
} st_dtypes[] = {
    {"I8", SCIM_ST_I8, 1}, {"U8", SCIM_ST_U8, 1}, {"F32", SCIM_ST_F32, 4}, {"F64", SCIM_ST_F64, 8}};

#define ST_N_DTYPES (sizeof(st_dtypes) / sizeof(st_dtypes[0]))

const char *scim_st_dtype_name(enum scim_st_dtype dtype)
{
    for (size_t i = 0; i < ST_N_DTYPES; i++)
        if (st_dtypes[i].dtype == dtype)
            return st_dtypes[i].name;
    return "?";
}

size_t scim_st_dtype_size(enum scim_st_dtype dtype)
{
    for (size_t i = 0; i < ST_N_DTYPES; i++)
        if (st_dtypes[i].dtype == dtype)
            return st_dtypes[i].size;
    return 0;
}

uint64_t scim_st_numel(const struct scim_st_tensor *t)
{
    uint64_t n = 1;
    for (int i = 0; i < t->ndim; i++)
        n *= t->shape[i];
    return n;
}

char *scim_st_format_shape(int ndim, const uint64_t *shape, char *buf, size_t len)
{
    size_t used = 0;
    if (!len)
        return buf;
    buf[0] = '\0';
    for (int i = 0; i <= ndim && used < len; i++) {
        const char *sep = i == 0 ? "[" : ", ";
        int k = i < ndim ? snprintf(buf + used, len - used, "%s%" PRIu64, sep, shape[i])
                         : snprintf(buf + used, len - used, "]");
        if (k < 0)
            break;
        used += (size_t)k;
    }
    return buf;
}

/* product(shape) * size without overflow; returns 0 on overflow. */
static int st_nbytes(const struct scim_st_tensor *t, uint64_t *out)
{
    uint64_t n = scim_st_dtype_size(t->dtype);
    for (int i = 0; i < t->ndim; i++) {
        if (t->shape[i] && n > UINT64_MAX / t->shape[i])
            return 0;
        n *= t->shape[i];
    }
    *out = n;
    return 1;
}

/* ---- JSON header parsing (libyaml events) ---- */

struct hparse {
    yaml_parser_t p;
    yaml_event_t ev;
    int have_ev;
    const char *path;
    struct scim_diag *d;
    struct scim_st_tensor *t;
    size_t n, cap;
};

static int hp_next(struct hparse *h)
{
    if (h->have_ev)
        yaml_event_delete(&h->ev);
    h->have_ev = 0;
    if (!yaml_parser_parse(&h->p, &h->ev))
        return scim_diag_file_error(
            h->d, h->path, SCIM_EFORMAT, "invalid JSON header: %s at byte %zu",
            h->p.problem ? h->p.problem : "syntax error", h->p.problem_mark.index);
    h->have_ev = 1;
    const yaml_event_t *e = &h->ev;
    int yaml_only =
        e->type == YAML_ALIAS_EVENT ||
        (e->type == YAML_SCALAR_EVENT && (e->data.scalar.anchor || e->data.scalar.tag)) ||
        (e->type == YAML_MAPPING_START_EVENT &&
         (e->data.mapping_start.anchor || e->data.mapping_start.tag)) ||
        (e->type == YAML_SEQUENCE_START_EVENT &&
         (e->data.sequence_start.anchor || e->data.sequence_start.tag));
    if (yaml_only)
        return scim_diag_file_error(h->d, h->path, SCIM_EFORMAT,
                                    "invalid JSON header: YAML anchor, alias or tag at byte %zu",
                                    e->start_mark.index);
    return 0;
}

static int hp_expect(struct hparse *h, yaml_event_type_t type, const char *what)
{
    int rc = hp_next(h);
    if (rc)
        return rc;
    if (h->ev.type != type)
        return scim_diag_file_error(h->d, h->path, SCIM_EFORMAT,
                                    "invalid JSON header: expected %s at byte %zu", what,
                                    h->ev.start_mark.index);
    return 0;
}

/* The current event is a JSON string (a double-quoted scalar without NUL). */
static int hp_is_string(const struct hparse *h)
{
    return h->ev.type == YAML_SCALAR_EVENT &&
           h->ev.data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE &&
           strlen((const char *)h->ev.data.scalar.value) == h->ev.data.scalar.length;
}

static const char *hp_text(const struct hparse *h)
{
    return (const char *)h->ev.data.scalar.value;
}

/* Parse the current event as a JSON non-negative integer. */
static int hp_uint(struct hparse *h, const char *tname, const char *field, uint64_t *out)
{
    const char *s = h->ev.type == YAML_SCALAR_EVENT ? hp_text(h) : "";
    int plain =
        h->ev.type == YAML_SCALAR_EVENT && h->ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
    uint64_t v = 0;
    int ok = plain && s[0] && (s[0] != '0' || !s[1]);
    for (const char *c = s; ok && *c; c++) {
        unsigned dig = (unsigned)(*c - '0');
        if (dig > 9 || v > (UINT64_MAX - dig) / 10)
            ok = 0;
        else
            v = v * 10 + dig;
    }
    if (!ok)
        return scim_diag_file_error(h->d, h->path, SCIM_EFORMAT,
                                    "tensor '%s': %s must hold non-negative integers, got '%.40s'",
                                    tname, field, h->ev.type == YAML_SCALAR_EVENT ? s : "[...]");
    *out = v;
    return 0;
}

/* Read a JSON array of integers into v (at most max of them). */
static int hp_uint_array(struct hparse *h, const char *tname, const char *field, uint64_t *v,
                         int max, int *count)
{
    int rc = hp_next(h);
    if (rc)
        return rc;
    if (h->ev.type != YAML_SEQUENCE_START_EVENT)
        return scim_diag_file_error(h->d, h->path, SCIM_EFORMAT,
                                    "tensor '%s': %s must be an array of integers", tname, field);
    int n = 0;
    while (!(rc = hp_next(h)) && h->ev.type != YAML_SEQUENCE_END_EVENT) {
        if (n == max)
            return scim_diag_file_error(h->d, h->path, SCIM_EFORMAT,
                                        "tensor '%s': %s has more than %d entries", tname, field,
                                        max);
        if ((rc = hp_uint(h, tname, field, &v[n++])))
            return rc;
    }
    *count = n;
    return rc;
}

static int hp_dtype(struct hparse *h, struct scim_st_tensor *t)
{
    int rc = hp_next(h);
    if (rc)
        return rc;
    if (!hp_is_string(h))
        return scim_diag_file_error(h->d, h->path, SCIM_EFORMAT,
                                    "tensor '%s': dtype must be a string", t->name);
    for (size_t i = 0; i < ST_N_DTYPES; i++) {
        if (strcmp(hp_text(h), st_dtypes[i].name) == 0) {
            t->dtype = st_dtypes[i].dtype;
            return 0;
        }
    }
    return scim_diag_file_error(h->d, h->path, SCIM_EFORMAT,
                                "tensor '%s': unsupported dtype '%.20s' (supported: I8, U8, F32, "
                                "F64)",
                                t->name, hp_text(h));
}

/* One field of a tensor's info object; seen[] guards against repeats. */
static int hp_tensor_field(struct hparse *h, struct scim_st_tensor *t, int seen[3])
{
    static const char *const fields[3] = {"dtype", "shape", "data_offsets"};
    int f = 0;
    while (f < 3 && strcmp(hp_text(h), fields[f]) != 0)
        f++;
    if (f == 3)
        return scim_diag_file_error(h->d, h->path, SCIM_EFORMAT, "tensor '%s': unknown key '%.40s'",
                                    t->name, hp_text(h));
    if (seen[f]++)
        return scim_diag_file_error(h->d, h->path, SCIM_EFORMAT, "tensor '%s': duplicate key '%s'",
                                    t->name, fields[f]);
    if (f == 0)
        return hp_dtype(h, t);
    if (f == 1)
        return hp_uint_array(h, t->name, "shape", t->shape, SCIM_ST_MAX_DIMS, &t->ndim);
    uint64_t off[2];
    int n = 0, rc = hp_uint_array(h, t->name, "data_offsets", off, 2, &n);
    if (!rc && n != 2)
        rc = scim_diag_file_error(h->d, h->path, SCIM_EFORMAT,
                                  "tensor '%s': data_offsets must hold 2 integers, has %d", t->name,
                                  n);
    if (!rc) {
        t->begin = off[0];
        t->end = off[1];
    }
    return rc;
}

static int hp_tensor(struct hparse *h, struct scim_st_tensor *t)
{
    int seen[3] = {0, 0, 0}, rc = hp_next(h);
    if (rc)
        return rc;
    if (h->ev.type != YAML_MAPPING_START_EVENT)
        return scim_diag_file_error(h->d, h->path, SCIM_EFORMAT,
                                    "tensor '%s': expected an object with dtype, shape and "
                                    "data_offsets",
                                    t->name);
    while (!(rc = hp_next(h)) && h->ev.type != YAML_MAPPING_END_EVENT) {
        if (!hp_is_string(h))
            return scim_diag_file_error(h->d, h->path, SCIM_EFORMAT,
                                        "tensor '%s': keys must be strings", t->name);
        if ((rc = hp_tensor_field(h, t, seen)))
            return rc;
    }
    if (rc)
        return rc;
    static const char *const fields[3] = {"dtype", "shape", "data_offsets"};
    for (int f = 0; f < 3; f++)
        if (!seen[f])
            return scim_diag_file_error(h->d, h->path, SCIM_EFORMAT, "tensor '%s': missing '%s'",
                                        t->name, fields[f]);
    return 0;
}

/* Skip "__metadata__": an object (of strings) the reader does not use. Nesting is
 * bounded: libyaml's scanner takes time proportional to the depth for each token. */
static int hp_skip_metadata(struct hparse *h)
{
    int rc = hp_next(h);
    if (rc)
        return rc;
    if (h->ev.type != YAML_MAPPING_START_EVENT)
        return scim_diag_file_error(h->d, h->path, SCIM_EFORMAT,
                                    "__metadata__ must be an object of strings");
    for (size_t depth = 1; depth > 0;) {
        if ((rc = hp_next(h)))
            return rc;
        if (h->ev.type == YAML_MAPPING_START_EVENT || h->ev.type == YAML_SEQUENCE_START_EVENT) {
            if (++depth > ST_MAX_DEPTH)
                return scim_diag_file_error(h->d, h->path, SCIM_EFORMAT,
                                            "__metadata__ nests deeper than %d levels",
                                            ST_MAX_DEPTH);
        } else if (h->ev.type == YAML_MAPPING_END_EVENT || h->ev.type == YAML_SEQUENCE_END_EVENT)
            depth--;
        else if (h->ev.type != YAML_SCALAR_EVENT)
            return scim_diag_file_error(h->d, h->path, SCIM_EFORMAT,
                                        "invalid JSON header in __metadata__");
    }
    return 0;
}

static struct scim_st_tensor *hp_add(struct hparse *h)
{
    if (h->n == h->cap) {
        size_t cap = h->cap ? h->cap * 2 : 16;
        struct scim_st_tensor *t = realloc(h->t, cap * sizeof(*t));
        if (!t)
            return NULL;
        h->t = t;
        h->cap = cap;
    }
    struct scim_st_tensor *t = &h->t[h->n];
    memset(t, 0, sizeof(*t));
    t->name = strdup(hp_text(h));
    if (!t->name)
        return NULL;
    h->n++;
    return t;
}

/* The top-level object: tensor entries and an optional __metadata__. */
static int hp_entries(struct hparse *h)
{
    int rc;
    while (!(rc = hp_next(h)) && h->ev.type != YAML_MAPPING_END_EVENT) {
        if (!hp_is_string(h))
            return scim_diag_file_error(h->d, h->path, SCIM_EFORMAT,
                                        "invalid JSON header: keys must be strings (byte %zu)",
                                        h->ev.start_mark.index);
        if (strcmp(hp_text(h), "__metadata__") == 0) {
            rc = hp_skip_metadata(h);
        } else {
            struct scim_st_tensor *t = hp_add(h);
            rc = t ? hp_tensor(h, t)
                   : scim_diag_file_error(h->d, h->path, SCIM_ENOMEM, "out of memory");
        }
        if (rc)
            return rc;
    }
    return rc;
}

static int hp_document(struct hparse *h, const char *text, size_t len)
{
    size_t i = 0;
    while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r'))
        i++;
    if (i == len || text[i] != '{')
        return scim_diag_file_error(h->d, h->path, SCIM_EFORMAT,
                                    "invalid JSON header: it does not start with '{'");
    yaml_parser_set_input_string(&h->p, (const unsigned char *)text, len);
    int rc = hp_expect(h, YAML_STREAM_START_EVENT, "the start");
    if (!rc)
        rc = hp_expect(h, YAML_DOCUMENT_START_EVENT, "a JSON object");
    if (!rc)
        rc = hp_expect(h, YAML_MAPPING_START_EVENT, "a JSON object");
    if (!rc)
        rc = hp_entries(h);
    if (!rc)
        rc = hp_expect(h, YAML_DOCUMENT_END_EVENT, "the end of the JSON object");
    if (!rc)
        rc = hp_expect(h, YAML_STREAM_END_EVENT, "the end of the header");
    return rc;
}

static void free_tensors(struct scim_st_tensor *t, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(t[i].name);
    free(t);
}

/* Parse the header text into st->t / st->n. */
static int parse_header(struct scim_safetensors *st, const char *text, size_t len,
                        struct scim_diag *d)
{
    struct hparse h;
    memset(&h, 0, sizeof(h));
    h.path = st->path;
    h.d = d;
    if (!yaml_parser_initialize(&h.p))
        return scim_diag_file_error(d, st->path, SCIM_ENOMEM, "out of memory");
    int rc = hp_document(&h, text, len);
    if (h.have_ev)
        yaml_event_delete(&h.ev);
    yaml_parser_delete(&h.p);
    if (rc) {
        free_tensors(h.t, h.n);
        return rc;
    }
    st->t = h.t;
    st->n = h.n;
    return 0;
}

/* ---- semantic checks of the tensor table ---- */

static int check_one(const struct scim_safetensors *st, const struct scim_st_tensor *t,
                     uint64_t data_len, struct scim_diag *d)
{
    uint64_t need;
    char shape[160];
    if (!st_nbytes(t, &need))
        return scim_diag_file_error(d, st->path, SCIM_EFORMAT, "tensor '%s': shape %s is too large",
                                    t->name,
                                    scim_st_format_shape(t->ndim, t->shape, shape, sizeof(shape)));
    if (t->begin > t->end)
        return scim_diag_file_error(d, st->path, SCIM_EFORMAT,
                                    "tensor '%s': data_offsets [%" PRIu64 ", %" PRIu64
                                    "] end before they begin",
                                    t->name, t->begin, t->end);
    if (t->end > data_len)
        return scim_diag_file_error(d, st->path, SCIM_EFORMAT,
                                    "tensor '%s': data_offsets [%" PRIu64 ", %" PRIu64
                                    "] exceed the %" PRIu64 " data bytes",
                                    t->name, t->begin, t->end, data_len);
    if (t->end - t->begin != need)
        return scim_diag_file_error(
            d, st->path, SCIM_EFORMAT,
            "tensor '%s': data_offsets [%" PRIu64 ", %" PRIu64 "] span %" PRIu64
            " bytes, but dtype %s and shape %s need %" PRIu64,
            t->name, t->begin, t->end, t->end - t->begin, scim_st_dtype_name(t->dtype),
            scim_st_format_shape(t->ndim, t->shape, shape, sizeof(shape)), need);
    return 0;
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp(((const struct scim_st_tensor *)a)->name,
                  ((const struct scim_st_tensor *)b)->name);
}

static int cmp_begin(const void *a, const void *b)
{
    const struct scim_st_tensor *x = *(const struct scim_st_tensor *const *)a;
    const struct scim_st_tensor *y = *(const struct scim_st_tensor *const *)b;
    return x->begin < y->begin ? -1 : x->begin > y->begin;
}

/* Empty tensors occupy no bytes and never overlap anything. */
static int check_overlap(const struct scim_safetensors *st, struct scim_diag *d)
{
    const struct scim_st_tensor **by = malloc((st->n ? st->n : 1) * sizeof(*by));
    if (!by)
        return scim_diag_file_error(d, st->path, SCIM_ENOMEM, "out of memory");
    size_t m = 0;
    for (size_t i = 0; i < st->n; i++)
        if (st->t[i].end > st->t[i].begin)
            by[m++] = &st->t[i];
    if (m > 1)
        qsort(by, m, sizeof(*by), cmp_begin);
    int rc = 0;
    for (size_t i = 1; i < m && !rc; i++)
        if (by[i]->begin < by[i - 1]->end)
            rc = scim_diag_file_error(d, st->path, SCIM_EFORMAT,
                                      "tensors '%s' [%" PRIu64 ", %" PRIu64 "] and '%s' [%" PRIu64
                                      ", %" PRIu64 "] overlap",
                                      by[i - 1]->name, by[i - 1]->begin, by[i - 1]->end,
                                      by[i]->name, by[i]->begin, by[i]->end);
    free(by);
    return rc;
}

static int check_table(struct scim_safetensors *st, uint64_t data_len, struct scim_diag *d)
{
    for (size_t i = 0; i < st->n; i++) {
        int rc = check_one(st, &st->t[i], data_len, d);
        if (rc)
            return rc;
    }
    if (st->n > 1)
        qsort(st->t, st->n, sizeof(*st->t), cmp_name);
    for (size_t i = 1; i < st->n; i++)
        if (strcmp(st->t[i - 1].name, st->t[i].name) == 0)
            return scim_diag_file_error(d, st->path, SCIM_EFORMAT, "duplicate tensor '%s'",
                                        st->t[i].name);
    return check_overlap(st, d);
}

/* ---- file reading ---- */

static int read_exact(FILE *f, void *buf, size_t n, const char *path, const char *what,
                      struct scim_diag *d)
{
    size_t got = n ? fread(buf, 1, n, f) : 0;
    if (got == n)
        return 0;
    if (ferror(f))
        return scim_diag_file_error(d, path, SCIM_EIO, "read error in %s: %s", what,
                                    strerror(errno));
    return scim_diag_file_error(d, path, SCIM_EFORMAT, "truncated: %s has %zu of %zu bytes", what,
                                got, n);
}

/* Open path, check it is a regular file of at most 2 GiB, return its size. */
static int open_sized(const char *path, FILE **fp, uint64_t *size, struct scim_diag *d)
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
    else if ((uint64_t)sb.st_size > ST_MAX_FILE)
        rc = scim_diag_file_error(d, path, SCIM_EFORMAT,
                                  "file is %" PRIu64 " bytes, over the 2 GiB limit",
                                  (uint64_t)sb.st_size);
    if (rc) {
        fclose(f);
        return rc;
    }
    *fp = f;
    *size = (uint64_t)sb.st_size;
    return 0;
}

/* Read and check the header length; on success *hlen is in [2, size - 8]. */
static int read_hlen(FILE *f, uint64_t size, const char *path, uint64_t *hlen, struct scim_diag *d)
{
    uint8_t b[8];
    if (size < 8)
        return scim_diag_file_error(
            d, path, SCIM_EFORMAT,
            "truncated: file has %" PRIu64 " bytes, fewer than the 8-byte header length", size);
    int rc = read_exact(f, b, 8, path, "the header length", d);
    if (rc)
        return rc;
    uint64_t n = le64(b);
    if (n < 2)
        return scim_diag_file_error(d, path, SCIM_EFORMAT,
                                    "header length %" PRIu64 " is too small for a JSON object", n);
    if (n > ST_MAX_HEADER)
        return scim_diag_file_error(d, path, SCIM_EFORMAT,
                                    "header length %" PRIu64 " exceeds the 100 MiB limit", n);
    if (n > size - 8)
        return scim_diag_file_error(d, path, SCIM_EFORMAT,
                                    "truncated: header length is %" PRIu64
                                    " bytes, but only %" PRIu64 " bytes follow",
                                    n, size - 8);
    *hlen = n;
    return 0;
}

static int read_header(struct scim_safetensors *st, FILE *f, uint64_t hlen, struct scim_diag *d)
{
    char *text = malloc((size_t)hlen + 1);
    if (!text)
        return scim_diag_file_error(d, st->path, SCIM_ENOMEM, "out of memory for the header");
    int rc = read_exact(f, text, (size_t)hlen, st->path, "the header", d);
    if (!rc) {
        text[hlen] = '\0';
        rc = parse_header(st, text, (size_t)hlen, d);
    }
    free(text);
    return rc;
}

static int read_data(struct scim_safetensors *st, FILE *f, uint64_t len, struct scim_diag *d)
{
    st->data = malloc(len ? (size_t)len : 1);
    if (!st->data)
        return scim_diag_file_error(d, st->path, SCIM_ENOMEM,
                                    "out of memory for %" PRIu64 " data bytes", len);
    st->data_len = (size_t)len;
    int rc = read_exact(f, st->data, (size_t)len, st->path, "the data area", d);
    if (!rc && fgetc(f) != EOF)
        rc = scim_diag_file_error(d, st->path, SCIM_EIO, "file grew while it was read");
    return rc;
}

int scim_st_open(struct scim_safetensors *st, const char *path, struct scim_diag *d)
{
    memset(st, 0, sizeof(*st));
    st->path = strdup(path);
    if (!st->path)
        return scim_diag_file_error(d, path, SCIM_ENOMEM, "out of memory");
    FILE *f = NULL;
    uint64_t size = 0, hlen = 0;
    int rc = open_sized(path, &f, &size, d);
    if (!rc)
        rc = read_hlen(f, size, path, &hlen, d);
    if (!rc)
        rc = read_header(st, f, hlen, d);
    if (!rc)
        rc = check_table(st, size - 8 - hlen, d);
    if (!rc)
        rc = read_data(st, f, size - 8 - hlen, d);
    if (f)
        fclose(f);
    if (rc)
        scim_st_close(st);
    return rc;
}

void scim_st_close(struct scim_safetensors *st)
{
    free_tensors(st->t, st->n);
    free(st->data);
    free(st->path);
    memset(st, 0, sizeof(*st));
}

const struct scim_st_tensor *scim_st_find(const struct scim_safetensors *st, const char *name)
{
    struct scim_st_tensor key;
    memset(&key, 0, sizeof(key));
    key.name = (char *)name;
    if (!st->n)
        return NULL;
    return bsearch(&key, st->t, st->n, sizeof(*st->t), cmp_name);
}

/* ---- copying tensors out ---- */

static int check_shape(const struct scim_safetensors *st, const struct scim_st_tensor *t, int ndim,
                       const uint64_t *shape, struct scim_diag *d)
{
    int same = t->ndim == ndim;
    for (int i = 0; same && i < ndim; i++)
        same = t->shape[i] == shape[i];
    if (same)
        return 0;
    char have[160], want[160];
    return scim_diag_file_error(d, st->path, SCIM_EFORMAT, "tensor '%s' has shape %s, expected %s",
                                t->name,
                                scim_st_format_shape(t->ndim, t->shape, have, sizeof(have)),
                                scim_st_format_shape(ndim, shape, want, sizeof(want)));
}

int scim_st_read_i8(const struct scim_safetensors *st, const struct scim_st_tensor *t, int ndim,
                    const uint64_t *shape, int8_t *out, struct scim_diag *d)
{
    if (t->dtype != SCIM_ST_I8)
        return scim_diag_file_error(d, st->path, SCIM_EFORMAT,
                                    "tensor '%s' has dtype %s, expected I8", t->name,
                                    scim_st_dtype_name(t->dtype));
    int rc = check_shape(st, t, ndim, shape, d);
    if (rc)
        return rc;
    const uint8_t *p = st->data + t->begin;
    for (uint64_t i = 0; i < t->end - t->begin; i++)
        out[i] = (int8_t)(p[i] < 128 ? (int)p[i] : (int)p[i] - 256);
    return 0;
}

static double decode_one(enum scim_st_dtype dtype, const uint8_t *p)
{
    switch (dtype) {
    case SCIM_ST_I8:
        return p[0] < 128 ? (double)p[0] : (double)p[0] - 256.0;
    case SCIM_ST_U8:
        return (double)p[0];
    case SCIM_ST_F32: {
        uint32_t u = le32(p);
        float f;
        memcpy(&f, &u, sizeof(f));
        return (double)f;
    }
    case SCIM_ST_F64: {
        uint64_t u = le64(p);
        double v;
        memcpy(&v, &u, sizeof(v));
        return v;
    }
    }
    return 0.0;
}

int scim_st_read_f64(const struct scim_safetensors *st, const struct scim_st_tensor *t, int ndim,
                     const uint64_t *shape, double *out, struct scim_diag *d)
{
    int rc = check_shape(st, t, ndim, shape, d);
    if (rc)
        return rc;
    size_t es = scim_st_dtype_size(t->dtype);
    uint64_t n = scim_st_numel(t);
    const uint8_t *p = st->data + t->begin;
    for (uint64_t i = 0; i < n; i++)
        out[i] = decode_one(t->dtype, p + i * es);
    return 0;
}
