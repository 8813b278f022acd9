/*
 * test_fewshot.c - the Bayesian test vector on the chip (sim/fewshot.h): sigma_y of
 * logits by hand; the eq. 5 draw read as 8-bit pixels (clamping, rounding, its
 * statistics, its streams); sigma_y of a one-layer chip whose logits are worked out by
 * hand; identical results with 1 and 2 threads; coverage, verifiable coverage and the
 * false-positive rate from given per-chip values.
 */
#include <math.h>

#include "harness.h"
#include "sim/engine.h"
#include "sim/fewshot.h"
#include "sim/report.h"
#include "testmodel.h"

static void free_chip(struct scim_mapping *mp, struct scim_config *cfg, struct scim_model *m,
                      struct scim_diag *d)
{
    scim_mapping_free(mp);
    scim_config_free(cfg);
    scim_model_free(m);
    scim_diag_free(d);
}

static void load_cfg(struct scim_config *cfg, const char *samples)
{
    struct scim_diag d;
    scim_diag_init(&d, stderr);
    const char *ov[] = {"workload.model=unused.yaml", "testing.test_vector=true", samples};
    ASSERT_EQ(scim_config_load(cfg, NULL, ov, 3, &d), 0);
    scim_diag_free(&d);
}

/* The population standard deviation over the classes, averaged over the rows. */
static void sigma_by_hand(void)
{
    const double y[] = {1,  2, 3, /* std sqrt(2/3) */
                        5,  5, 5, /* 0 */
                        -1, 1, 0};
    ASSERT_NEAR(scim_fewshot_sigma(y, 1, 3), sqrt(2.0 / 3.0), 1e-15);
    ASSERT_NEAR(scim_fewshot_sigma(y + 3, 1, 3), 0.0, 0);
    ASSERT_NEAR(scim_fewshot_sigma(y, 3, 3), (2 * sqrt(2.0 / 3.0)) / 3.0, 1e-15);
    ASSERT_NEAR(scim_fewshot_sigma(y + 6, 1, 2), 1.0, 1e-15);
}

/* A model whose test vector is mu (logvar alike for every element). */
static void with_vector(struct scim_model *m, const double *mu, double logvar)
{
    int n = m->in_c * m->in_h * m->in_w;
    m->tv_mu = malloc((size_t)n * sizeof(double));
    m->tv_logvar = malloc((size_t)n * sizeof(double));
    for (int k = 0; k < n; k++) {
        m->tv_mu[k] = mu ? mu[k] : 0.5;
        m->tv_logvar[k] = logvar;
    }
}

static void draw_pixels(void)
{
    struct tlayer_spec spec[] = {{SCIM_LAYER_LINEAR, 10, 0, 0, 0, SCIM_POOL_NONE, 1}};
    struct scim_model m;
    tm_build(&m, spec, 1, 1, 2, 3, SCIM_INPUT_BITSERIAL8, 1);
    /* No noise: clamp to [0, 1], then floor(255 x + 0.5). */
    const double mu[6] = {-0.2, 0.0, 0.5, 0.6 / 255.0, 1.3, 0.4 / 255.0};
    with_vector(&m, mu, -400);
    uint8_t px[12];
    scim_fewshot_draw(&m, 1, 0, 2, px);
    const uint8_t want[6] = {0, 0, 128, 1, 255, 0};
    for (int k = 0; k < 12; k++)
        ASSERT_EQ(px[k], want[k % 6]);
    scim_model_free(&m);

    /* mu 0.5, std 0.1 (eq. 5: sqrt(exp(logvar))): pixels ~ 127.5 +- 25.5 (clamping is
     * 5 sigma away), a sample's values do not depend on N, chips draw differently. */
    tm_build(&m, spec, 1, 1, 20, 20, SCIM_INPUT_BITSERIAL8, 1);
    with_vector(&m, NULL, log(0.01));
    static uint8_t a[50 * 400], b[3 * 400], c[3 * 400];
    scim_fewshot_draw(&m, 7, 3, 50, a);
    scim_fewshot_draw(&m, 7, 3, 3, b);
    scim_fewshot_draw(&m, 7, 4, 3, c);
    ASSERT(memcmp(a, b, sizeof(b)) == 0);
    ASSERT(memcmp(b, c, sizeof(b)) != 0);
    double sum = 0, ss = 0, n = sizeof(a);
    for (size_t k = 0; k < sizeof(a); k++)
        sum += a[k], ss += (double)a[k] * a[k];
    double mean = sum / n, sd = sqrt(ss / n - mean * mean);
    ASSERT_NEAR(mean, 127.5, 0.5); /* 5 standard errors of 25.5 / sqrt(20000) */
    ASSERT_NEAR(sd, 25.5, 0.35);
    scim_model_free(&m);
}

/*
 * One linear layer, 2x2 pixels -> 3 logits, bit-serial input u = 2 p - 255, scale 1, no
 * batch norm: y_j = sum_i W[j][i] u_i / 255. Pixels (255, 0, 128, 51) give u = (255,
 * -255, 1, -153) and with rows (+ + + +), (+ - + -), (- - - -) the sums -152, 664, 152.
 */
static void chip_sigma_by_hand(void)
{
    struct tlayer_spec spec[] = {{SCIM_LAYER_LINEAR, 3, 0, 0, 0, SCIM_POOL_NONE, 1}};
    const int8_t w[12] = {1, 1, 1, 1, 1, -1, 1, -1, -1, -1, -1, -1};
    const double mu[4] = {1.0, 0.0, 128 / 255.0, 51 / 255.0};
    struct scim_model m;
    struct scim_config cfg;
    struct scim_mapping mp;
    struct scim_diag d;
    tm_build(&m, spec, 1, 1, 2, 2, SCIM_INPUT_BITSERIAL8, 2);
    struct scim_layer *L = &m.layers[0];
    memcpy(L->weight, w, sizeof(w));
    L->has_bn = 0;
    for (int j = 0; j < 3; j++)
        L->scale[j] = 1.0;
    with_vector(&m, mu, -400); /* every sample is mu */
    load_cfg(&cfg, "testing.samples=4");
    scim_diag_init(&d, stderr);
    ASSERT_EQ(scim_fewshot_check(&cfg, &m, &d), 0);
    ASSERT_EQ(scim_map_model(&mp, &m, &cfg, &d), 0);
    struct scim_engine_opts opt = {1, 0, 0, 0, NULL};
    struct scim_counts ev;
    double sigma, s[3] = {-152, 664, 152}, mean = (s[0] + s[1] + s[2]) / 3, ss = 0;
    for (int j = 0; j < 3; j++)
        ss += (s[j] - mean) * (s[j] - mean);
    ASSERT_EQ(scim_fewshot_test(&cfg, &m, &mp, 5, &opt, &sigma, &ev, &d), 0);
    ASSERT_NEAR(sigma, sqrt(ss / 3) / 255.0, 1e-12);
    ASSERT_EQ(ev.ev[SCIM_EV_MULTIPLY], 4 * 3); /* 4 samples x 3 outputs, dropout off */
    /* Without a test vector, testing.test_vector is an error naming the model. */
    struct scim_diag q;
    scim_diag_init(&q, NULL);
    free(m.tv_mu);
    m.tv_mu = NULL;
    ASSERT(scim_fewshot_check(&cfg, &m, &q) < 0);
    ASSERT_STR_CONTAINS(q.text, "error: 'testing.test_vector' is on, but model 'test' has no "
                                "test vector (tools/train/testvec.py adds one)");
    scim_diag_free(&q);
    free_chip(&mp, &cfg, &m, &d);
}

/* A random LeNet-like chip with a noisy test vector: the same sigma_y and events with 1
 * and 2 threads; the automatic N is 10 for 10 classes. */
static void threads(void)
{
    struct tlayer_spec spec[] = {{SCIM_LAYER_CONV, 6, 5, 1, 2, SCIM_POOL_MAX, 2},
                                 {SCIM_LAYER_LINEAR, 20, 0, 0, 0, SCIM_POOL_NONE, 1},
                                 {SCIM_LAYER_LINEAR, 10, 0, 0, 0, SCIM_POOL_NONE, 1}};
    struct scim_model m;
    struct scim_config cfg;
    struct scim_mapping mp;
    struct scim_diag d;
    tm_build(&m, spec, 3, 1, 12, 12, SCIM_INPUT_BITSERIAL8, 3);
    with_vector(&m, NULL, log(0.04));
    load_cfg(&cfg, "testing.samples=0");
    scim_diag_init(&d, stderr);
    ASSERT_EQ(scim_fewshot_samples(&cfg, &m), 10);
    ASSERT_EQ(scim_map_model(&mp, &m, &cfg, &d), 0);
    double s[2];
    struct scim_counts ev[2];
    for (int t = 0; t < 2; t++) {
        struct scim_engine_opts opt = {t + 1, 0, 0, 0, NULL};
        ASSERT_EQ(scim_fewshot_test(&cfg, &m, &mp, 9, &opt, &s[t], &ev[t], &d), 0);
    }
    ASSERT(memcmp(&s[0], &s[1], sizeof(double)) == 0 && s[0] > 0);
    ASSERT(memcmp(&ev[0], &ev[1], sizeof(ev[0])) == 0);
    free_chip(&mp, &cfg, &m, &d);
}

/* Four chips: sigma_y >= t flags chips 0, 1 and 3 (3 equals t); chips 1 and 2 lost
 * accuracy; the fault-free chip crosses t on chip 2's draw only. */
static void coverage_counts(void)
{
    struct scim_fewshot_chip chips[4] = {
        {1.5, 0.9, 1, 0}, {1.2, 0.95, 1, 0}, {0.8, 1.1, 0, 0}, {1.0, 0.7, 1, 0}};
    struct scim_chip_result acc[4] = {
        {.accuracy = 0.99}, {.accuracy = 0.95}, {.accuracy = 0.9}, {.accuracy = 0.99}};
    struct scim_config cfg;
    load_cfg(&cfg, "testing.samples=1");
    struct scim_fewshot fs = {.on = 1, .threshold = 1.0, .samples = 1};
    fs.chips = malloc(sizeof(chips));
    memcpy(fs.chips, chips, sizeof(chips));
    fs.n_chips = 4;
    fs.latency_s = 2e-6;
    struct scim_report r = {
        .cfg = &cfg, .accuracy = 0.99, .chips = acc, .n_chips = 4, .static_power_w = 1e-3};
    scim_report_use_fewshot(&r, &fs);
    ASSERT(r.fewshot == &fs);
    ASSERT_NEAR(fs.coverage, 0.75, 0);
    ASSERT_NEAR(fs.verifiable, 0.25, 0); /* chip 1 only: chip 2 is degraded but not flagged */
    ASSERT_NEAR(fs.degraded, 0.5, 0);
    ASSERT_NEAR(fs.fp_rate, 0.25, 0);
    ASSERT_NEAR(fs.energy_static_j, 2e-9, 1e-24);
    scim_fewshot_free(&fs);
    scim_config_free(&cfg);
}

int main(void)
{
    sigma_by_hand();
    draw_pixels();
    chip_sigma_by_hand();
    threads();
    coverage_counts();
    printf("test_fewshot: ok\n");
    return 0;
}
