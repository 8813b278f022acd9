/*
 * shift.c - build shifted and out-of-distribution input sets (see shift.h).
 *
 * A spec is parsed into a kind and up to two numbers, then every image is made
 * on its own: noise images and noisy copies draw one value per pixel, in
 * (c, y, x) order, from the Philox stream of (seed, image index); rotations
 * map every output pixel back into the base image and interpolate bilinearly
 * between the four neighbours, reading pixel 0 outside the image.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include "shift.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/base/error.h"
#include "sim/base/rng.h"
#include "sim/base/units.h"

/* Stream purpose of the input-shift draws ('S'), apart from those of sim/rng.h. */
#define SHIFT_MAX_STRENGTH 10.0
#define SHIFT_MAX_BOUND 10.0
#define SHIFT_MAX_ANGLE 360.0
#define SHIFT_PARAM_LEN 64
#define SHIFT_PI 3.14159265358979323846
#define SHIFT_KNOWN                                                                                \
    "known: gaussian, uniform, uniform:A:B, gaussian-noise:S, uniform-noise:S, rotate:DEG, "       \
    "dataset:NAME"

enum shift_kind {
    SHIFT_GAUSSIAN,
    SHIFT_UNIFORM,
    SHIFT_GAUSSIAN_NOISE,
    SHIFT_UNIFORM_NOISE,
    SHIFT_ROTATE,
    SHIFT_DATASET
};

struct shift_spec {
    enum shift_kind kind;
    double a, b; /* uniform bounds; a = strength S or angle in degrees */
};

/* The grammar: a kind, how many parameters it takes, and what they are for messages. */
struct shift_form {
    const char *name;
    enum shift_kind kind;
    int min_params, max_params;
    const char *usage;
};

static const struct shift_form shift_forms[] = {
    {"gaussian", SHIFT_GAUSSIAN, 0, 0, "gaussian, without a parameter"},
    {"uniform", SHIFT_UNIFORM, 0, 2, "uniform or uniform:A:B"},
    {"gaussian-noise", SHIFT_GAUSSIAN_NOISE, 1, 1, "gaussian-noise:S, e.g. gaussian-noise:0.5"},
    {"uniform-noise", SHIFT_UNIFORM_NOISE, 1, 1, "uniform-noise:S, e.g. uniform-noise:0.5"},
    {"rotate", SHIFT_ROTATE, 1, 1, "rotate:DEG, e.g. rotate:7"},
    {"dataset", SHIFT_DATASET, 1, 1, "dataset:NAME, e.g. dataset:fashion-mnist"},
};

static int set_msg(char *msg, size_t len, int err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Write a message into msg (if any); returns err. */
static int set_msg(char *msg, size_t len, int err, const char *fmt, ...)
{
    if (msg && len) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, len, fmt, ap);
        va_end(ap);
    }
    return err;
}

static const struct shift_form *find_form(const char *kind, size_t len)
{
    for (size_t i = 0; i < sizeof(shift_forms) / sizeof(shift_forms[0]); i++)
        if (strlen(shift_forms[i].name) == len && !strncmp(shift_forms[i].name, kind, len))
            return &shift_forms[i];
    return NULL;
}

/* Split the text after the kind at ':' into at most 2 NUL-terminated parameters. */
static int split_params(const char *spec, const char *rest, char p[2][SHIFT_PARAM_LEN], int *np,
                        char *msg, size_t len)
{
    *np = 0;
    while (rest) {
        const char *colon = strchr(rest, ':');
        size_t n = colon ? (size_t)(colon - rest) : strlen(rest);
        if (*np == 2)
            return set_msg(msg, len, SCIM_EINVAL, "input shift '%s': too many parameters", spec);
        if (n >= SHIFT_PARAM_LEN)
            return set_msg(msg, len, SCIM_EINVAL, "input shift '%s': parameter too long", spec);
        memcpy(p[*np], rest, n);
        p[(*np)++][n] = '\0';
        rest = colon ? colon + 1 : NULL;
    }
    return 0;
}

/* Parse one number (plain or percentage, unless plain_only); what names it in messages. */
static int parse_number(const char *spec, const char *what, const char *text, int plain_only,
                        double *out, char *msg, size_t len)
{
    char why[160];
    if (!*text)
        return set_msg(msg, len, SCIM_EINVAL, "input shift '%s': missing the %s", spec, what);
    if (plain_only && strchr(text, '%'))
        return set_msg(msg, len, SCIM_EINVAL, "input shift '%s': the %s must be a plain number",
                       spec, what);
    if (scim_unit_parse(text, SCIM_DIM_NONE, out, why, sizeof(why)) < 0)
        return set_msg(msg, len, SCIM_EINVAL, "input shift '%s': %s: %s", spec, what, why);
    return 0;
}

static int check_range(const char *spec, const char *what, double v, double lo, double hi,
                       char *msg, size_t len)
{
    if (v >= lo && v <= hi)
        return 0;
    return set_msg(msg, len, SCIM_ERANGE, "input shift '%s': %s %g is outside [%g, %g]", spec, what,
                   v, lo, hi);
}

static int parse_uniform(const char *spec, char p[2][SHIFT_PARAM_LEN], int np, struct shift_spec *s,
                         char *msg, size_t len)
{
    s->a = 0.0;
    s->b = 1.0;
    if (np == 0)
        return 0;
    if (np != 2)
        return set_msg(msg, len, SCIM_EINVAL,
                       "input shift '%s': expected uniform or uniform:A:B (e.g. uniform:-1:1)",
                       spec);
    int rc = parse_number(spec, "lower bound A", p[0], 0, &s->a, msg, len);
    if (!rc)
        rc = parse_number(spec, "upper bound B", p[1], 0, &s->b, msg, len);
    if (!rc)
        rc = check_range(spec, "lower bound", s->a, -SHIFT_MAX_BOUND, SHIFT_MAX_BOUND, msg, len);
    if (!rc)
        rc = check_range(spec, "upper bound", s->b, -SHIFT_MAX_BOUND, SHIFT_MAX_BOUND, msg, len);
    if (!rc && s->a > s->b)
        rc = set_msg(msg, len, SCIM_ERANGE,
                     "input shift '%s': lower bound %g is above upper bound %g", spec, s->a, s->b);
    return rc;
}

/* The parameters of a form that takes exactly one. */
static int parse_single(const char *spec, const char *param, struct shift_spec *s, char *msg,
                        size_t len)
{
    int rc = 0;
    s->b = 0.0;
    if (s->kind == SHIFT_ROTATE) {
        rc = parse_number(spec, "angle in degrees", param, 1, &s->a, msg, len);
        if (!rc)
            rc = check_range(spec, "angle", s->a, -SHIFT_MAX_ANGLE, SHIFT_MAX_ANGLE, msg, len);
    } else if (s->kind == SHIFT_DATASET) {
        s->a = 0.0;
        if (!*param)
            rc = set_msg(msg, len, SCIM_EINVAL, "input shift '%s': missing the dataset name", spec);
    } else {
        rc = parse_number(spec, "noise strength S", param, 0, &s->a, msg, len);
        if (!rc)
            rc = check_range(spec, "noise strength", s->a, 0.0, SHIFT_MAX_STRENGTH, msg, len);
    }
    return rc;
}

static int parse_spec(const char *spec, struct shift_spec *s, char *msg, size_t len)
{
    if (!spec || !*spec)
        return set_msg(msg, len, SCIM_EINVAL, "input shift '%s': empty spec (%s)", spec ? spec : "",
                       SHIFT_KNOWN);
    const char *colon = strchr(spec, ':');
    size_t klen = colon ? (size_t)(colon - spec) : strlen(spec);
    const struct shift_form *f = find_form(spec, klen);
    if (!f)
        return set_msg(msg, len, SCIM_EINVAL, "input shift '%s': unknown kind '%.*s' (%s)", spec,
                       (int)klen, spec, SHIFT_KNOWN);
    char p[2][SHIFT_PARAM_LEN];
    int np;
    int rc = split_params(spec, colon ? colon + 1 : NULL, p, &np, msg, len);
    if (rc)
        return rc;
    s->kind = f->kind;
    if (f->kind == SHIFT_UNIFORM)
        return parse_uniform(spec, p, np, s, msg, len);
    if (np < f->min_params || np > f->max_params)
        return set_msg(msg, len, SCIM_EINVAL, "input shift '%s': expected %s", spec, f->usage);
    if (np == 0) {
        s->a = s->b = 0.0;
        return 0;
    }
    return parse_single(spec, p[0], s, msg, len);
}

int scim_shift_check(const char *spec, char *msg, size_t msg_len)
{
    struct shift_spec s;
    if (msg && msg_len)
        msg[0] = '\0';
    return parse_spec(spec, &s, msg, msg_len);
}

/* ---- building images ---- */

/* A pixel-domain value, clamped to [0, 255] and rounded. */
static uint8_t to_pixel(double p)
{
    if (!(p > 0.0))
        return 0;
    if (p >= 255.0)
        return 255;
    return (uint8_t)lround(p);
}

/* The pixel of normalized value u. */
static uint8_t from_normalized(double u)
{
    return to_pixel(127.5 * (u + 1.0));
}

static void make_noise_image(uint8_t *img, size_t npix, const struct shift_spec *s,
                             struct scim_rng *r)
{
    for (size_t i = 0; i < npix; i++) {
        double u = s->kind == SHIFT_GAUSSIAN ? scim_rng_normal(r)
                                             : s->a + (s->b - s->a) * scim_rng_uniform(r);
        img[i] = from_normalized(u);
    }
}

/* base + 127.5 * noise: a normalized-domain noise value moved to the pixel domain. */
static void make_noisy_image(uint8_t *img, const uint8_t *src, size_t npix,
                             const struct shift_spec *s, struct scim_rng *r)
{
    for (size_t i = 0; i < npix; i++) {
        double noise = s->kind == SHIFT_GAUSSIAN_NOISE ? s->a * scim_rng_normal(r)
                                                       : s->a * (2.0 * scim_rng_uniform(r) - 1.0);
        img[i] = to_pixel((double)src[i] + 127.5 * noise);
    }
}

/* cos and sin of deg, exact for multiples of 90 degrees. */
static void exact_cos_sin(double deg, double *c, double *s)
{
    double r = fmod(deg, 360.0);
    if (r < 0.0)
        r += 360.0;
    static const double quarter_cos[4] = {1.0, 0.0, -1.0, 0.0};
    static const double quarter_sin[4] = {0.0, 1.0, 0.0, -1.0};
    if (r == 0.0 || r == 90.0 || r == 180.0 || r == 270.0) {
        int q = (int)(r / 90.0);
        *c = quarter_cos[q];
        *s = quarter_sin[q];
        return;
    }
    *c = cos(r * SHIFT_PI / 180.0);
    *s = sin(r * SHIFT_PI / 180.0);
}

/* Pixel (x, y) of one channel plane, 0 outside. */
static double plane_at(const uint8_t *plane, int h, int w, long x, long y)
{
    if (x < 0 || y < 0 || x >= w || y >= h)
        return 0.0;
    return plane[(size_t)y * (size_t)w + (size_t)x];
}

/* Bilinear sample of a plane at (sx, sy); far outside is 0 without reading. */
static double bilinear(const uint8_t *plane, int h, int w, double sx, double sy)
{
    if (!(sx > -1.0 && sy > -1.0 && sx < w && sy < h))
        return 0.0;
    double fx0 = floor(sx), fy0 = floor(sy);
    long x0 = (long)fx0, y0 = (long)fy0;
    double fx = sx - fx0, fy = sy - fy0;
    double top =
        (1.0 - fx) * plane_at(plane, h, w, x0, y0) + fx * plane_at(plane, h, w, x0 + 1, y0);
    double bot =
        (1.0 - fx) * plane_at(plane, h, w, x0, y0 + 1) + fx * plane_at(plane, h, w, x0 + 1, y0 + 1);
    return (1.0 - fy) * top + fy * bot;
}

/*
 * Rotate every channel counter-clockwise (as displayed, y pointing down) by deg
 * about ((w-1)/2, (h-1)/2): output pixel (x, y) reads the base at
 * (cx + dx cos - dy sin, cy + dx sin + dy cos) with (dx, dy) = (x - cx, y - cy).
 */
static void rotate_image(uint8_t *img, const uint8_t *src, int c, int h, int w, double deg)
{
    double cs, sn;
    exact_cos_sin(deg, &cs, &sn);
    double cx = 0.5 * (w - 1), cy = 0.5 * (h - 1);
    size_t plane = (size_t)h * (size_t)w;
    for (int ch = 0; ch < c; ch++) {
        const uint8_t *in = src + (size_t)ch * plane;
        uint8_t *out = img + (size_t)ch * plane;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double dx = x - cx, dy = y - cy;
                double sx = cx + dx * cs - dy * sn, sy = cy + dx * sn + dy * cs;
                out[(size_t)y * (size_t)w + (size_t)x] = to_pixel(bilinear(in, h, w, sx, sy));
            }
        }
    }
}

static void make_image(uint8_t *img, const struct scim_dataset *base, int i,
                       const struct shift_spec *s, uint64_t seed)
{
    size_t npix = (size_t)base->c * (size_t)base->h * (size_t)base->w;
    const uint8_t *src = base->pixels + (size_t)i * npix;
    struct scim_rng r;
    scim_rng_init(&r, seed,
                  scim_stream_id(SCIM_STREAM_SHIFT, (uint64_t)i, 0));
    switch (s->kind) {
    case SHIFT_GAUSSIAN:
    case SHIFT_UNIFORM:
        make_noise_image(img, npix, s, &r);
        break;
    case SHIFT_GAUSSIAN_NOISE:
    case SHIFT_UNIFORM_NOISE:
        make_noisy_image(img, src, npix, s, &r);
        break;
    case SHIFT_ROTATE:
        rotate_image(img, src, base->c, base->h, base->w, s->a);
        break;
    case SHIFT_DATASET:
        break;
    }
}

static int report(struct scim_diag *d, const char *file, int err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* One error message into d (if any, file may be NULL); returns err. */
static int report(struct scim_diag *d, const char *file, int err, const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    return d ? scim_diag_file_error(d, file, err, "%s", line) : err;
}

static int base_error(const struct scim_dataset *base, const char *spec, int n, struct scim_diag *d)
{
    const char *file = base && base->name ? base->name : NULL;
    if (!base || !base->pixels || !base->labels || base->n < 0 || base->c < 1 || base->h < 1 ||
        base->w < 1)
        return report(d, file, SCIM_EINVAL,
                      "input shift '%s': the base dataset is empty or malformed", spec);
    if (n < 0 || n > base->n)
        return report(d, file, SCIM_EINVAL,
                      "input shift '%s': %d images requested, the base dataset has %d", spec, n,
                      base->n);
    return 0;
}

/* Allocate out for n images shaped like base, labels copied. */
static int alloc_out(struct scim_dataset *out, const struct scim_dataset *base, const char *spec,
                     int n)
{
    size_t npix = (size_t)base->c * (size_t)base->h * (size_t)base->w;
    out->name = strdup(spec);
    out->pixels = malloc(n ? (size_t)n * npix : 1);
    out->labels = malloc(n ? (size_t)n : 1);
    if (!out->name || !out->pixels || !out->labels)
        return SCIM_ENOMEM;
    out->n = n;
    out->c = base->c;
    out->h = base->h;
    out->w = base->w;
    out->classes = base->classes;
    if (n)
        memcpy(out->labels, base->labels, (size_t)n);
    return 0;
}

int scim_shift_make(struct scim_dataset *out, const struct scim_dataset *base, const char *spec,
                    int n, uint64_t seed, struct scim_diag *d)
{
    if (!out)
        return report(d, NULL, SCIM_EINVAL, "input shift: no output dataset");
    memset(out, 0, sizeof(*out));
    char msg[512];
    struct shift_spec s;
    const char *file = base && base->name ? base->name : NULL;
    int rc = parse_spec(spec, &s, msg, sizeof(msg));
    if (rc)
        return report(d, file, rc, "%s", msg);
    if (s.kind == SHIFT_DATASET)
        return report(d, file, SCIM_EINVAL,
                      "input shift '%s' names another dataset: the caller loads it with "
                      "scim_dataset_load(); scim_shift_make() only derives sets "
                      "from a base dataset",
                      spec);
    rc = base_error(base, spec, n, d);
    if (rc)
        return rc;
    if (alloc_out(out, base, spec, n)) {
        scim_dataset_free(out);
        return report(d, file, SCIM_ENOMEM, "input shift '%s': out of memory", spec);
    }
    size_t npix = (size_t)base->c * (size_t)base->h * (size_t)base->w;
    for (int i = 0; i < n; i++)
        make_image(out->pixels + (size_t)i * npix, base, i, &s, seed);
    return 0;
}

int scim_shift_rotation_series(char specs[][SCIM_SHIFT_SPEC_LEN], int max)
{
    if (max < 0 || (!specs && max > 0))
        return SCIM_EINVAL;
    int k = max < SCIM_SHIFT_ROTATION_STEPS ? max : SCIM_SHIFT_ROTATION_STEPS;
    for (int i = 0; i < k; i++)
        snprintf(specs[i], SCIM_SHIFT_SPEC_LEN, "rotate:%d", (i + 1) * SCIM_SHIFT_ROTATION_DEG);
    return k;
}
