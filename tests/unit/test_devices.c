/*
 * test_devices.c - the device contract, checked on every registered model (the
 * built-ins and the example plug-in devices/plugins/sot_highr.c): defaults
 * inside their ranges, `describe` naming every key, energies, areas, delays
 * and conductances finite and of the right sign, RNG curves that are
 * probabilities rising with current and pulse, calibration hitting its target,
 * draws deterministic for a seed; and the ABI's size rule (a model built with
 * a shorter class struct loads with its missing members NULL; one too short is
 * refused by name).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices/registry.h"
#include "sim/base/error.h"
#include "sim/base/param.h"
#include "sim/base/rng.h"
#include "tests/harness.h"

#define FINITE_NONNEG(x) ASSERT(isfinite(x) && (x) >= 0.0)
#define FINITE_POS(x) ASSERT(isfinite(x) && (x) > 0.0)

/* Every default inside [min, max] (F64, INT); describe names every key. */
static void check_params(const struct scim_device_ops *ops, const void *params)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    scim_params_describe(ops->params, ops->name, f);
    fclose(f);
    for (const struct scim_param *p = ops->params; p->key; p++) {
        const char *at = (const char *)params + p->offset;
        double v = p->type == SCIM_P_F64 ? *(const double *)at
                   : p->type == SCIM_P_INT ? (double)*(const int64_t *)at
                                           : NAN;
        if (!isnan(v))
            ASSERT(v >= p->min && v <= p->max);
        ASSERT_STR_CONTAINS(text, p->key);
        ASSERT(p->doc && *p->doc);
    }
    free(text);
}

static void check_cell(const struct scim_cell_ops *c, const void *pp)
{
    ASSERT(c->levels >= 2);
    FINITE_POS(c->read_voltage_v(pp));
    FINITE_POS(c->read_latency_s(pp));
    FINITE_NONNEG(c->write_energy_j(pp));
    FINITE_POS(c->write_latency_s(pp));
    FINITE_POS(c->area_m2(pp, 40e-9));
    double v = c->read_voltage_v(pp);
    for (double temp = 250; temp <= 400; temp += 50) {
        for (int s = 0; s < c->levels; s++) {
            FINITE_POS(c->conductance_s(pp, s, v, temp));
            FINITE_NONNEG(c->read_energy_j(pp, s, temp));
        }
        /* state 0 is the highest resistance, levels - 1 the lowest */
        ASSERT(c->conductance_s(pp, c->levels - 1, v, temp) > c->conductance_s(pp, 0, v, temp));
    }
}

/* The technology points the block models are checked at: every tabulated node of the
 * built-in technology model at its nominal supply, both flavors. */
#define N_POINTS 22
static struct scim_tech points[N_POINTS];
static int n_points;

static void make_points(void)
{
    static const double nodes[] = {130, 90, 65, 45, 40, 32, 28, 22, 16, 14, 10, 7};
    const struct scim_device_ops *ptm = scim_device_find("ptm");
    void *pp = calloc(1, ptm->params_size + 1);
    ASSERT_EQ(scim_params_defaults(ptm->params, pp), 0);
    for (size_t i = 0; i < sizeof(nodes) / sizeof(nodes[0]); i++)
        for (int flavor = 0; flavor < 2 && n_points < N_POINTS; flavor++) {
            double lo, hi;
            char msg[256];
            ptm->tech->vdd_range(pp, nodes[i] * 1e-9, flavor, &lo, &hi);
            ASSERT(lo > 0 && hi > lo);
            ASSERT_EQ(ptm->tech->at(pp, nodes[i] * 1e-9, 0.5 * (lo + hi), 300, flavor,
                                    &points[n_points++], msg, sizeof(msg)), 0);
        }
    scim_params_free(ptm->params, pp);
    free(pp);
}

static void check_tech(const struct scim_tech_ops *t, const void *pp)
{
    for (double nm = 7; nm <= 130; nm *= 1.13) {
        double lo, hi;
        struct scim_tech x;
        char msg[256];
        t->vdd_range(pp, nm * 1e-9, 0, &lo, &hi);
        ASSERT_EQ(t->at(pp, nm * 1e-9, hi, 350, 0, &x, msg, sizeof(msg)), 0);
        FINITE_POS(x.gate_energy_j);
        FINITE_POS(x.gate_area_m2);
        FINITE_POS(x.fo4_s);
        FINITE_POS(x.gate_leakage_w);
        FINITE_POS(x.sram_cell_area_m2);
        FINITE_POS(x.c_gate_f_per_m);
        FINITE_POS(x.r_wire_ohm_per_m);
        ASSERT(t->at(pp, nm * 1e-9, hi * 1.01, 350, 0, &x, msg, sizeof(msg)) < 0);
        ASSERT_STR_CONTAINS(msg, "is outside");
    }
}

static void check_adc(const struct scim_adc_ops *a, const void *pp)
{
    ASSERT(a->bits(pp) >= 1 && a->bits(pp) <= 16);
    for (int i = 0; i < n_points; i++) {
        FINITE_POS(a->energy_j(pp, &points[i]));
        FINITE_POS(a->latency_s(pp, &points[i]));
        FINITE_POS(a->area_m2(pp, &points[i]));
        FINITE_NONNEG(a->static_power_w(pp, &points[i]));
    }
    if (a->convert)
        for (double x = -2; x < (1 << a->bits(pp)) + 2; x += 0.25)
            ASSERT(a->convert(pp, x) < (1u << a->bits(pp)));
}

static void check_memory(const struct scim_memory_ops *m, const void *pp)
{
    for (int i = 0; i < n_points; i++)
        for (int w = 1; w <= 64; w *= 2) {
            struct scim_mem_geom g = {1024.0 * w, w};
            FINITE_POS(m->read_energy_j(pp, &points[i], &g));
            FINITE_POS(m->write_energy_j(pp, &points[i], &g));
            FINITE_POS(m->access_latency_s(pp, &points[i], &g));
            FINITE_POS(m->area_m2(pp, &points[i], &g));
            FINITE_POS(m->leakage_w(pp, &points[i], &g));
        }
}

static void check_logic(const struct scim_logic_ops *l, const void *pp)
{
    for (int i = 0; i < n_points; i++)
        for (int b = SCIM_LOGIC_ACCUMULATOR; b < SCIM_LOGIC_COUNT; b++) {
            struct scim_logic_req r = {b, 24, 24, 16};
            struct scim_logic_cost c;
            ASSERT_EQ(l->cost(pp, &points[i], &r, &c), 0);
            FINITE_POS(c.energy_j);
            FINITE_POS(c.delay_s);
            FINITE_POS(c.area_m2);
            FINITE_POS(c.leakage_w);
        }
}

static void check_array(const struct scim_array_ops *a, const void *pp)
{
    for (int i = 0; i < n_points; i++) {
        struct scim_array_req r = {256, 256, 16, 8, 100 * points[i].node_m * points[i].node_m,
                                   0.1, 10e-9, 1.0 / 331e3};
        struct scim_array_cost c;
        ASSERT_EQ(a->cost(pp, &points[i], &r, &c), 0);
        FINITE_POS(c.wordline_energy_j);
        FINITE_POS(c.bitline_energy_j);
        FINITE_POS(c.decoder_energy_j);
        FINITE_NONNEG(c.mux_energy_j);
        ASSERT(c.read_delay_s >= r.t_read_s);
        FINITE_POS(c.area_m2);
        FINITE_NONNEG(c.leakage_w);
    }
}

/* 64 bits of probability p from a fresh instance seeded by seed. */
static uint64_t draw_bits(const struct scim_rng_ops *r, const void *pp, uint64_t seed, double p)
{
    unsigned char *st = calloc(1, r->state_size + 1);
    struct scim_rng g;
    scim_rng_init(&g, seed, 7);
    struct scim_rand rnd = scim_rng_rand(&g);
    if (r->init)
        ASSERT_EQ(r->init(pp, st, 300.0, &rnd), 0);
    uint64_t bits = 0;
    for (int i = 0; i < 64; i++) {
        int b = r->sample(pp, st, p, &rnd);
        ASSERT(b == 0 || b == 1);
        bits |= (uint64_t)b << i;
    }
    free(st);
    return bits;
}

static void check_curve(const struct scim_rng_ops *r, const void *pp)
{
    for (double temp = 250; temp <= 400; temp += 75) {
        double prev_i = 0.0;
        for (double i = 1e-6; i <= 300e-6; i *= 1.5) {
            double p = r->p_switch(pp, i, 10e-9, temp);
            ASSERT(p >= 0.0 && p <= 1.0);
            ASSERT(p >= prev_i - 1e-12);
            ASSERT(r->p_switch(pp, i, 20e-9, temp) >= p - 1e-12);
            prev_i = p;
        }
    }
    if (r->calibrate) {
        double lo = r->calibrate(pp, 0.2, 300.0), hi = r->calibrate(pp, 0.8, 300.0);
        FINITE_POS(lo);
        ASSERT(hi > lo); /* more current for a higher probability */
    }
}

/* The share of ones over many draws follows the asked probability (within the
 * device-to-device spread a physical model draws at init). */
static void check_mean(const struct scim_rng_ops *r, const void *pp)
{
    for (double p = 0.1; p < 1.0; p += 0.4) {
        int ones = 0;
        for (uint64_t s = 1; s <= 64; s++)
            ones += __builtin_popcountll(draw_bits(r, pp, s, p));
        ASSERT(fabs(ones / 4096.0 - p) < 0.12);
    }
}

static void check_rng(const struct scim_rng_ops *r, const void *pp)
{
    FINITE_NONNEG(r->bit_energy_j(pp));
    FINITE_POS(r->bit_latency_s(pp));
    FINITE_POS(r->area_m2(pp));
    FINITE_NONNEG(r->static_power_w(pp));
    ASSERT_EQ(draw_bits(r, pp, 42, 0.5), draw_bits(r, pp, 42, 0.5));
    ASSERT(draw_bits(r, pp, 42, 0.5) != draw_bits(r, pp, 43, 0.5));
    check_mean(r, pp);
    if (r->p_switch)
        check_curve(r, pp);
}

static void check_device(const struct scim_device_ops *ops)
{
    void *pp = calloc(1, ops->params_size + 1);
    ASSERT_EQ(scim_params_defaults(ops->params, pp), 0);
    check_params(ops, pp);
    if (ops->check) {
        char msg[256] = "";
        ASSERT_EQ(ops->check(pp, msg, sizeof(msg)), 0);
    }
    switch (ops->dev_class) {
    case SCIM_DEV_CELL:
        check_cell(ops->cell, pp);
        break;
    case SCIM_DEV_ADC:
        check_adc(ops->adc, pp);
        break;
    case SCIM_DEV_MEMORY:
        check_memory(ops->memory, pp);
        break;
    case SCIM_DEV_RNG:
        check_rng(ops->rng, pp);
        break;
    case SCIM_DEV_TECH:
        check_tech(ops->tech, pp);
        break;
    case SCIM_DEV_LOGIC:
        check_logic(ops->logic, pp);
        break;
    case SCIM_DEV_ARRAY:
        check_array(ops->array, pp);
        break;
    }
    scim_params_free(ops->params, pp);
    free(pp);
    printf("  %-14s %-7s ok\n", ops->name, scim_dev_class_name(ops->dev_class));
}

/* ---- the size rule ---- */

static int one_bit(const void *p)
{
    (void)p;
    return 4;
}

static double one(const void *p, const struct scim_tech *t)
{
    (void)p, (void)t;
    return 1e-9;
}

static const struct scim_param no_params[] = {{0}};

static void check_sizes(void)
{
    /* An ADC built against a struct that ended before `convert`. */
    static struct scim_adc_ops short_adc = {0, one_bit, one, one, one, one, NULL};
    short_adc.size = offsetof(struct scim_adc_ops, convert);
    static const struct scim_device_ops dev = {SCIM_DEVICE_ABI, "test_short_adc", "test", SCIM_DEV_ADC,
                                               no_params, 8, NULL, NULL, &short_adc, NULL, NULL, NULL, NULL, NULL};
    char msg[256] = "";
    ASSERT_EQ(scim_device_register_msg(&dev, msg, sizeof(msg)), 0);
    const struct scim_device_ops *got = scim_device_find("test_short_adc");
    ASSERT(got && got->adc != &short_adc && got->adc->size == sizeof(struct scim_adc_ops));
    ASSERT(got->adc->convert == NULL && got->adc->bits == one_bit);
    /* One that lacks a required member is refused, naming the sizes. */
    static struct scim_adc_ops tiny = {0, one_bit, one, one, one, one, NULL};
    tiny.size = offsetof(struct scim_adc_ops, static_power_w);
    static const struct scim_device_ops bad = {SCIM_DEVICE_ABI, "test_tiny_adc", "test", SCIM_DEV_ADC,
                                               no_params, 8, NULL, NULL, &tiny, NULL, NULL, NULL, NULL, NULL};
    ASSERT_EQ(scim_device_register_msg(&bad, msg, sizeof(msg)), SCIM_EINVAL);
    ASSERT_STR_CONTAINS(msg, "device 'test_tiny_adc': its struct scim_adc_ops is");
    ASSERT_STR_CONTAINS(msg, "needs at least");
}

int main(void)
{
    struct scim_diag d;
    scim_diag_init(&d, stderr);
    ASSERT_EQ(scim_plugin_load(SPINCIM_BINARY_DIR "/plugins/libspincim_sot_highr.so", NULL, &d), 0);
    scim_diag_free(&d);
    ASSERT(scim_device_find("sot_highr"));
    size_t n = scim_device_count();
    ASSERT(n >= 13);
    make_points();
    for (size_t i = 0; i < n; i++)
        check_device(scim_device_at(i));
    check_sizes();
    printf("test_devices: %zu models ok\n", n);
    return 0;
}
