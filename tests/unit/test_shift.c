/*
 * test_shift.c - shifted and out-of-distribution input sets (workloads/shift.h):
 * the statistics of the pure-noise sets in the normalized domain, noise of
 * strength 0 and rotations by 0 and 360 degrees giving back the base exactly,
 * noise growing with its strength, a 90-degree rotation against the
 * hand-rotated image, determinism per (seed, image index), the rotation series
 * and the error messages of bad specs. Runs on a small synthetic dataset and,
 * when data/mnist exists in the source tree, also on the real MNIST test split.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sim/base/diag.h"
#include "sim/base/error.h"
#include "tests/harness.h"
#include "workloads/dataset.h"
#include "workloads/shift.h"

#define SEED 20240611u
#define SIDE 28
#define NBASE 50

/* 50 images 28x28: a gradient background (asymmetric) and a bright 8x8 square
 * whose place depends on the image index. */
static void make_base(struct scim_dataset *ds)
{
    memset(ds, 0, sizeof(*ds));
    ds->name = malloc(16);
    ASSERT(ds->name);
    strcpy(ds->name, "synthetic");
    ds->n = NBASE;
    ds->c = 1;
    ds->h = ds->w = SIDE;
    ds->classes = 10;
    ds->pixels = malloc((size_t)NBASE * SIDE * SIDE);
    ds->labels = malloc(NBASE);
    ASSERT(ds->pixels && ds->labels);
    for (int i = 0; i < NBASE; i++) {
        uint8_t *img = ds->pixels + (size_t)i * SIDE * SIDE;
        int x0 = 4 + i % 12, y0 = 6 + (i / 12) % 10;
        for (int y = 0; y < SIDE; y++)
            for (int x = 0; x < SIDE; x++) {
                int in_sq = x >= x0 && x < x0 + 8 && y >= y0 && y < y0 + 8;
                img[y * SIDE + x] = (uint8_t)(in_sq ? 230 : (3 * x + y) % 60);
            }
        ds->labels[i] = (uint8_t)(i % 10);
    }
}

static void make(struct scim_dataset *out, const struct scim_dataset *base, const char *spec, int n,
                 uint64_t seed)
{
    struct scim_diag d;
    scim_diag_init(&d, stderr);
    int rc = scim_shift_make(out, base, spec, n, seed, &d);
    if (rc)
        fprintf(stderr, "scim_shift_make(%s) = %s\n", spec, scim_err_name(rc));
    ASSERT_EQ(rc, 0);
    ASSERT_EQ(d.errors, 0);
    scim_diag_free(&d);
    ASSERT_EQ(out->n, n);
    ASSERT_EQ(out->c, base->c);
    ASSERT_EQ(out->h, base->h);
    ASSERT_EQ(out->w, base->w);
    ASSERT_EQ(out->classes, base->classes);
    ASSERT(strcmp(out->name, spec) == 0);
    ASSERT(memcmp(out->labels, base->labels, (size_t)n) == 0);
}

static size_t img_size(const struct scim_dataset *ds)
{
    return (size_t)ds->c * (size_t)ds->h * (size_t)ds->w;
}

static size_t total(const struct scim_dataset *ds)
{
    return (size_t)ds->n * img_size(ds);
}

/* Mean and standard deviation of u = (2 p - 255) / 255 over all pixels. */
static void norm_stats(const struct scim_dataset *ds, double *mean, double *sd)
{
    double s = 0.0, s2 = 0.0;
    size_t n = total(ds);
    for (size_t i = 0; i < n; i++) {
        double u = (2.0 * ds->pixels[i] - 255.0) / 255.0;
        s += u;
        s2 += u * u;
    }
    *mean = s / (double)n;
    *sd = sqrt(s2 / (double)n - *mean * *mean);
}

/* Mean |a - b| over the first n images of both, in pixels. */
static double mean_abs_diff(const struct scim_dataset *a, const struct scim_dataset *b, int n)
{
    size_t m = (size_t)n * img_size(a);
    double s = 0.0;
    for (size_t i = 0; i < m; i++)
        s += abs((int)a->pixels[i] - (int)b->pixels[i]);
    return s / (double)m;
}

static int max_abs_diff(const uint8_t *a, const uint8_t *b, size_t m)
{
    int mx = 0;
    for (size_t i = 0; i < m; i++) {
        int dd = abs((int)a[i] - (int)b[i]);
        mx = dd > mx ? dd : mx;
    }
    return mx;
}

static int same_as_base(const struct scim_dataset *base, const char *spec, int n)
{
    struct scim_dataset s;
    make(&s, base, spec, n, SEED);
    int same = memcmp(s.pixels, base->pixels, total(&s)) == 0;
    scim_dataset_free(&s);
    return same;
}

static void test_gaussian(const struct scim_dataset *base)
{
    struct scim_dataset g;
    make(&g, base, "gaussian", NBASE, SEED);
    double mean, sd;
    norm_stats(&g, &mean, &sd);
    /* N(0, 1) clamped to [-1, 1]: mean 0, E[u^2] = 1 - 2 phi(1). */
    double want_sd = sqrt(1.0 - 2.0 * exp(-0.5) / sqrt(2.0 * 3.14159265358979323846));
    ASSERT_NEAR(mean, 0.0, 0.02);
    ASSERT_NEAR(sd, want_sd, 0.02);
    size_t lo = 0, hi = 0;
    for (size_t i = 0; i < total(&g); i++) {
        lo += g.pixels[i] == 0;
        hi += g.pixels[i] == 255;
    }
    /* P(u < -1) = P(u > 1) = 0.1587 */
    ASSERT_NEAR((double)lo / (double)total(&g), 0.1587, 0.01);
    ASSERT_NEAR((double)hi / (double)total(&g), 0.1587, 0.01);
    printf("gaussian: mean %.4f sd %.4f (want 0, %.4f)\n", mean, sd, want_sd);
    scim_dataset_free(&g);
}

static void test_uniform(const struct scim_dataset *base)
{
    struct scim_dataset u;
    double mean, sd;
    make(&u, base, "uniform", NBASE, SEED);
    norm_stats(&u, &mean, &sd);
    ASSERT_NEAR(mean, 0.5, 0.02);
    ASSERT_NEAR(sd, 0.5 / sqrt(3.0), 0.02);
    for (size_t i = 0; i < total(&u); i++)
        ASSERT(u.pixels[i] >= 127);
    printf("uniform: mean %.4f sd %.4f\n", mean, sd);
    scim_dataset_free(&u);
    make(&u, base, "uniform:-1:1", NBASE, SEED);
    norm_stats(&u, &mean, &sd);
    ASSERT_NEAR(mean, 0.0, 0.02);
    ASSERT_NEAR(sd, 1.0 / sqrt(3.0), 0.02);
    printf("uniform:-1:1: mean %.4f sd %.4f\n", mean, sd);
    scim_dataset_free(&u);
}

/* Strength 0 is the base; the mean |difference| grows with the strength. */
static void noise_sweep(const struct scim_dataset *base, const char *kind, int n)
{
    static const char *const strengths[] = {"0.1", "0.3", "0.5"};
    char spec[64];
    snprintf(spec, sizeof(spec), "%s:0", kind);
    ASSERT(same_as_base(base, spec, n));
    double prev = 0.0;
    for (int k = 0; k < 3; k++) {
        struct scim_dataset s;
        snprintf(spec, sizeof(spec), "%s:%s", kind, strengths[k]);
        make(&s, base, spec, n, SEED);
        double mad = mean_abs_diff(&s, base, n);
        printf("%s: mean |diff| %.2f pixels\n", spec, mad);
        ASSERT(mad > prev);
        prev = mad;
        scim_dataset_free(&s);
    }
}

static void test_noise(const struct scim_dataset *base)
{
    noise_sweep(base, "gaussian-noise", NBASE);
    noise_sweep(base, "uniform-noise", NBASE);
    /* a percentage is the same strength */
    struct scim_dataset a, b;
    make(&a, base, "uniform-noise:50%", NBASE, SEED);
    make(&b, base, "uniform-noise:0.5", NBASE, SEED);
    ASSERT(memcmp(a.pixels, b.pixels, total(&a)) == 0);
    /* uniform noise of strength S moves a pixel by at most 127.5 S (+0.5 rounding) */
    ASSERT(max_abs_diff(a.pixels, base->pixels, total(&a)) <= 64);
    scim_dataset_free(&a);
    scim_dataset_free(&b);
}

/* out[y][x] = in[x][n-1-y]: the image turned 90 degrees counter-clockwise. */
static void hand_rotate90(uint8_t *out, const uint8_t *in, int side)
{
    for (int y = 0; y < side; y++)
        for (int x = 0; x < side; x++)
            out[y * side + x] = in[x * side + (side - 1 - y)];
}

static void check_rotate90(const struct scim_dataset *base, int n)
{
    struct scim_dataset r;
    make(&r, base, "rotate:90", n, SEED);
    size_t m = img_size(base);
    uint8_t *want = malloc(m);
    ASSERT(want && base->c == 1 && base->h == base->w);
    int worst = 0;
    for (int i = 0; i < n; i++) {
        hand_rotate90(want, base->pixels + (size_t)i * m, base->w);
        int dd = max_abs_diff(r.pixels + (size_t)i * m, want, m);
        worst = dd > worst ? dd : worst;
    }
    printf("rotate:90 vs hand-rotated: max |diff| %d\n", worst);
    ASSERT(worst <= 1);
    free(want);
    scim_dataset_free(&r);
}

/* rotate:180 applied twice gives back the base. */
static void check_rotate180_twice(const struct scim_dataset *base, int n)
{
    struct scim_dataset once, twice;
    make(&once, base, "rotate:180", n, SEED);
    ASSERT(memcmp(once.pixels, base->pixels, total(&once)) != 0);
    make(&twice, &once, "rotate:180", n, SEED);
    ASSERT(max_abs_diff(twice.pixels, base->pixels, total(&twice)) <= 1);
    scim_dataset_free(&once);
    scim_dataset_free(&twice);
}

/* The bright square stays whole under a small rotation: about 64 bright pixels. */
static void check_rotate_small(const struct scim_dataset *base)
{
    struct scim_dataset r, back;
    make(&r, base, "rotate:7", NBASE, SEED);
    ASSERT(memcmp(r.pixels, base->pixels, total(&r)) != 0);
    for (int i = 0; i < NBASE; i++) {
        int bright = 0;
        for (size_t k = 0; k < img_size(&r); k++)
            bright += r.pixels[(size_t)i * img_size(&r) + k] >= 128;
        ASSERT(bright >= 54 && bright <= 74);
    }
    make(&back, &r, "rotate:-7", NBASE, SEED);
    double mad = mean_abs_diff(&back, base, NBASE);
    printf("rotate:7 then rotate:-7: mean |diff| %.2f pixels\n", mad);
    ASSERT(mad < 12.0);
    scim_dataset_free(&r);
    scim_dataset_free(&back);
}

static void test_rotate(const struct scim_dataset *base)
{
    ASSERT(same_as_base(base, "rotate:0", NBASE));
    ASSERT(same_as_base(base, "rotate:360", NBASE));
    ASSERT(same_as_base(base, "rotate:-360", NBASE));
    check_rotate90(base, NBASE);
    check_rotate180_twice(base, NBASE);
    check_rotate_small(base);
    /* -90 and 270 are the same turn */
    struct scim_dataset a, b;
    make(&a, base, "rotate:-90", NBASE, SEED);
    make(&b, base, "rotate:270", NBASE, SEED);
    ASSERT(memcmp(a.pixels, b.pixels, total(&a)) == 0);
    scim_dataset_free(&a);
    scim_dataset_free(&b);
}

static void determinism(const struct scim_dataset *base, const char *spec)
{
    struct scim_dataset a, b, c, small;
    make(&a, base, spec, NBASE, SEED);
    make(&b, base, spec, NBASE, SEED);
    make(&c, base, spec, NBASE, SEED + 1);
    make(&small, base, spec, 10, SEED);
    ASSERT(memcmp(a.pixels, b.pixels, total(&a)) == 0);
    ASSERT(memcmp(a.pixels, c.pixels, total(&a)) != 0);
    ASSERT(memcmp(a.pixels, small.pixels, total(&small)) == 0);
    scim_dataset_free(&a);
    scim_dataset_free(&b);
    scim_dataset_free(&c);
    scim_dataset_free(&small);
}

static void test_determinism(const struct scim_dataset *base)
{
    determinism(base, "gaussian");
    determinism(base, "uniform");
    determinism(base, "gaussian-noise:0.3");
    determinism(base, "uniform-noise:0.3");
    /* images do not depend on each other: image 7 of a 50-image set is image 7 of an 8-image set */
    struct scim_dataset a, b;
    make(&a, base, "gaussian-noise:0.3", NBASE, SEED);
    make(&b, base, "gaussian-noise:0.3", 8, SEED);
    size_t m = img_size(base);
    ASSERT(memcmp(a.pixels + 7 * m, b.pixels + 7 * m, m) == 0);
    ASSERT(memcmp(a.pixels + 7 * m, a.pixels + 6 * m, m) != 0);
    scim_dataset_free(&a);
    scim_dataset_free(&b);
    /* n = 0 is an empty set */
    make(&a, base, "gaussian", 0, SEED);
    scim_dataset_free(&a);
}

static void bad_spec(const struct scim_dataset *base, const char *spec, const char *why)
{
    char msg[512];
    int rc = scim_shift_check(spec, msg, sizeof(msg));
    ASSERT(rc == SCIM_EINVAL || rc == SCIM_ERANGE);
    char quoted[128];
    snprintf(quoted, sizeof(quoted), "'%s'", spec);
    ASSERT_STR_CONTAINS(msg, quoted);
    ASSERT_STR_CONTAINS(msg, why);
    printf("  %-22s -> %s\n", spec, msg);

    struct scim_diag d;
    struct scim_dataset out;
    scim_diag_init(&d, NULL);
    ASSERT_EQ(scim_shift_make(&out, base, spec, 5, SEED, &d), rc);
    ASSERT_EQ(d.errors, 1);
    ASSERT_STR_CONTAINS(d.text, quoted);
    ASSERT(out.pixels == NULL && out.name == NULL);
    scim_diag_free(&d);
}

static void test_bad_specs(const struct scim_dataset *base)
{
    printf("bad specs:\n");
    bad_spec(base, "", "empty");
    bad_spec(base, "noise", "unknown kind 'noise'");
    bad_spec(base, "Gaussian", "unknown kind");
    bad_spec(base, "gaussian:1", "expected gaussian");
    bad_spec(base, "uniform:0", "uniform:A:B");
    bad_spec(base, "uniform:1:0", "above upper bound");
    bad_spec(base, "uniform:a:1", "expected a number");
    bad_spec(base, "uniform:-11:1", "outside [-10, 10]");
    bad_spec(base, "uniform:0:1:2", "too many parameters");
    bad_spec(base, "gaussian-noise", "expected gaussian-noise:S");
    bad_spec(base, "gaussian-noise:", "missing the noise strength");
    bad_spec(base, "gaussian-noise:-0.1", "outside [0, 10]");
    bad_spec(base, "gaussian-noise:11", "outside [0, 10]");
    bad_spec(base, "gaussian-noise:abc", "expected a number");
    bad_spec(base, "uniform-noise:0.1:2", "expected uniform-noise:S");
    bad_spec(base, "uniform-noise:0.5V", "noise strength");
    bad_spec(base, "rotate", "expected rotate:DEG");
    bad_spec(base, "rotate:400", "outside [-360, 360]");
    bad_spec(base, "rotate:-361", "outside [-360, 360]");
    bad_spec(base, "rotate:x", "expected a number");
    bad_spec(base, "rotate:5%", "plain number");
    bad_spec(base, "dataset", "expected dataset:NAME");
    bad_spec(base, "dataset:", "missing the dataset name");
}

static void test_dataset_and_limits(const struct scim_dataset *base)
{
    char msg[256];
    ASSERT_EQ(scim_shift_check("dataset:fashion-mnist", msg, sizeof(msg)), 0);
    ASSERT_EQ(scim_shift_check("rotate:84", NULL, 0), 0);
    ASSERT_EQ(scim_shift_check(NULL, msg, sizeof(msg)), SCIM_EINVAL);

    struct scim_diag d;
    struct scim_dataset out;
    scim_diag_init(&d, NULL);
    ASSERT_EQ(scim_shift_make(&out, base, "dataset:fashion-mnist", 5, SEED, &d), SCIM_EINVAL);
    ASSERT_STR_CONTAINS(d.text, "'dataset:fashion-mnist'");
    ASSERT_STR_CONTAINS(d.text, "scim_dataset_load");
    printf("dataset:NAME in make: %s", d.text);
    scim_diag_free(&d);

    scim_diag_init(&d, NULL);
    ASSERT_EQ(scim_shift_make(&out, base, "rotate:7", NBASE + 1, SEED, &d), SCIM_EINVAL);
    ASSERT_STR_CONTAINS(d.text, "'rotate:7'");
    ASSERT_STR_CONTAINS(d.text, "51 images requested, the base dataset has 50");
    scim_diag_free(&d);
    /* no diagnostics sink is fine too */
    ASSERT_EQ(scim_shift_make(&out, base, "rotate:7", -1, SEED, NULL), SCIM_EINVAL);
}

static void test_rotation_series(void)
{
    char specs[SCIM_SHIFT_ROTATION_STEPS + 4][SCIM_SHIFT_SPEC_LEN];
    int n = scim_shift_rotation_series(specs, SCIM_SHIFT_ROTATION_STEPS + 4);
    ASSERT_EQ(n, 12);
    ASSERT(strcmp(specs[0], "rotate:7") == 0);
    ASSERT(strcmp(specs[1], "rotate:14") == 0);
    ASSERT(strcmp(specs[11], "rotate:84") == 0);
    for (int i = 0; i < n; i++)
        ASSERT_EQ(scim_shift_check(specs[i], NULL, 0), 0);
    ASSERT_EQ(scim_shift_rotation_series(specs, 5), 5);
    ASSERT_EQ(scim_shift_rotation_series(specs, 0), 0);
    ASSERT_EQ(scim_shift_rotation_series(specs, -1), SCIM_EINVAL);
    ASSERT_EQ(scim_shift_rotation_series(NULL, 3), SCIM_EINVAL);
}

/* The same properties on the first images of the real MNIST test split. */
static void test_mnist(void)
{
    const char *dir = SPINCIM_SOURCE_DIR "/data";
    struct stat sb;
    if (stat(SPINCIM_SOURCE_DIR "/data/mnist", &sb) != 0) {
        printf("mnist: skipped (no data/mnist)\n");
        return;
    }
    struct scim_dataset ds;
    struct scim_diag d;
    scim_diag_init(&d, stderr);
    ASSERT_EQ(scim_dataset_load(&ds, "mnist", "test", dir, &d), 0);
    scim_diag_free(&d);
    ASSERT(ds.n >= 200 && ds.h == 28 && ds.w == 28 && ds.c == 1);
    int n = 200;
    ASSERT(same_as_base(&ds, "rotate:0", n));
    ASSERT(same_as_base(&ds, "rotate:360", n));
    check_rotate90(&ds, n);
    check_rotate180_twice(&ds, n);
    noise_sweep(&ds, "gaussian-noise", n);
    noise_sweep(&ds, "uniform-noise", n);
    struct scim_dataset a, b;
    make(&a, &ds, "uniform-noise:0.3", 50, SEED);
    make(&b, &ds, "uniform-noise:0.3", 10, SEED);
    ASSERT(memcmp(a.pixels, b.pixels, total(&b)) == 0);
    scim_dataset_free(&a);
    scim_dataset_free(&b);
    make(&a, &ds, "rotate:84", ds.n, SEED);
    scim_dataset_free(&a);
    printf("mnist: %d test images, checks on the first %d passed\n", ds.n, n);
    scim_dataset_free(&ds);
}

int main(void)
{
    struct scim_dataset base;
    make_base(&base);
    test_gaussian(&base);
    test_uniform(&base);
    test_noise(&base);
    test_rotate(&base);
    test_determinism(&base);
    test_bad_specs(&base);
    test_dataset_and_limits(&base);
    test_rotation_series();
    test_mnist();
    scim_dataset_free(&base);
    printf("test_shift: all passed\n");
    return 0;
}
