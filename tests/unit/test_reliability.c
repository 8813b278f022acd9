/*
 * test_reliability.c - retention and read-disturb probabilities against
 * device-physics.md (§2.2 worked numbers, §3.3 table), the scale-memory faults
 * (SRAM word bits, scale-crossbar level flips) and stuck RNG modules.
 */
#include <math.h>

#include "arch/faults.h"
#include "devices/mtj.h"
#include "devices/registry.h"
#include "devices/reliability.h"
#include "harness.h"
#include "sim/base/param.h"
#include "testmodel.h"

/* A device's default parameters with some F64 keys replaced. */
static void *params_of(const struct scim_device_ops *ops, const char *const *keys,
                       const double *vals, int n)
{
    void *p = calloc(1, ops->params_size);
    ASSERT_EQ(scim_params_defaults(ops->params, p), 0);
    for (int i = 0; i < n; i++) {
        int found = 0;
        for (const struct scim_param *q = ops->params; q->key; q++)
            if (!strcmp(q->key, keys[i]))
                memcpy((char *)p + q->offset, &vals[i], sizeof(double)), found = 1;
        ASSERT(found);
    }
    return p;
}

/* §2.2: tau_ret = tau0 e^Delta; Delta = 40 gives 7.5 years, so after 7.5 years a
 * cell has flipped with probability 1 - 1/e; twice Delta's temperature halves Delta. */
static void retention(void)
{
    const struct scim_device_ops *sot = scim_device_find("sot_mram");
    const char *k[] = {"delta"};
    double v[] = {40.0}, p;
    char msg[256];
    void *par = params_of(sot, k, v, 1);
    double tau = 1e-9 * exp(40.0);
    ASSERT_NEAR(tau / (365.25 * 86400.0), 7.5, 0.05);
    ASSERT_EQ(scim_cell_retention_p(sot, par, tau, 300.0, &p, msg, sizeof(msg)), 0);
    ASSERT_NEAR(p, 1.0 - exp(-1.0), 1e-12);
    ASSERT_EQ(scim_cell_retention_p(sot, par, 1e-9 * exp(20.0), 600.0, &p, msg, sizeof(msg)), 0);
    ASSERT_NEAR(p, 1.0 - exp(-1.0), 1e-12); /* Delta(600 K) = 20 */
    ASSERT_EQ(scim_cell_retention_p(sot, par, 0.0, 300.0, &p, msg, sizeof(msg)), 0);
    ASSERT_EQ(p, 0.0);
    free(par);
    /* A model without `delta` (a plug-in, say) cannot have retention faults. */
    static const struct scim_param table[] = {
        {"r_p", SCIM_P_F64, 0, SCIM_DIM_RES, 1.0, 1e9, "1kohm", "R_P", NULL}, {0}};
    struct scim_device_ops bare = {0};
    bare.name = "bare_cell", bare.params = table;
    double r_p = 1e3;
    ASSERT(scim_cell_retention_p(&bare, &r_p, 1.0, 300.0, &p, msg, sizeof(msg)) < 0);
    ASSERT_STR_CONTAINS(msg, "cell model 'bare_cell' has no 'delta' parameter, which "
                             "faults.retention_time needs");
}

/* §3.3, t_read = 5 ns, tau0 = 1 ns: Delta 45, I_read/I_c0 = 0.5, beta 2 -> 6.5e-5 per
 * read; Delta 60, 0.5, beta 1 -> 4.7e-13. An SOT cell is never disturbed. */
static void read_disturb(void)
{
    const struct scim_device_ops *stt = scim_device_find("stt_mram");
    const char *k[] = {"delta", "t_read", "v_read", "r_p", "tmr", "v_half", "i_c0", "beta"};
    /* R_AP at the read bias = 2 kohm * (1 + 1/(1 + 0.01/1e6)) ~ 4 kohm: 0.1 V gives 25 uA. */
    double v45[] = {45.0, 5e-9, 0.1, 2000.0, 1.0, 1e6, 50e-6, 2.0};
    double v60[] = {60.0, 5e-9, 0.1, 2000.0, 1.0, 1e6, 50e-6, 1.0};
    double p;
    char msg[256];
    void *a = params_of(stt, k, v45, 8), *b = params_of(stt, k, v60, 8);
    ASSERT_EQ(scim_cell_read_disturb_p(stt, a, 1.0, 300.0, &p, msg, sizeof(msg)), 0);
    ASSERT_NEAR(p / 6.5e-5, 1.0, 0.01);
    ASSERT_EQ(scim_cell_read_disturb_p(stt, b, 1.0, 300.0, &p, msg, sizeof(msg)), 0);
    ASSERT_NEAR(p / 4.7e-13, 1.0, 0.02);
    double one = p;
    ASSERT_EQ(scim_cell_read_disturb_p(stt, b, 1e6, 300.0, &p, msg, sizeof(msg)), 0);
    double np = 1e6 * one; /* N reads: 1 - (1 - p)^N = Np - (Np)^2 / 2 + ... for Np << 1 */
    ASSERT_NEAR(p / (np - np * np / 2.0), 1.0, 1e-9);
    const struct scim_device_ops *sot = scim_device_find("sot_mram");
    void *c = params_of(sot, NULL, NULL, 0);
    ASSERT_EQ(scim_cell_read_disturb_p(sot, c, 1e9, 300.0, &p, msg, sizeof(msg)), 0);
    ASSERT_EQ(p, 0.0);
    free(a), free(b), free(c);
}

/* Level flips move a value by one cell's level on its grid; p = 0 changes nothing,
 * p = 1 flips every cell; the same stream gives the same flips. */
static void levels(void)
{
    double v[64], w[64], u[64];
    struct scim_level_grid g = {0.5, 2.0, 4, 5, 2, 1.0, 7, 11};
    for (int i = 0; i < 64; i++)
        v[i] = w[i] = u[i] = 0.5 + 1.5 * (i % 16) / 15.0;
    uint64_t flips = 0;
    scim_faults_levels(w, 64, &g, &flips);
    ASSERT_EQ(flips, 128); /* 2 cells per value */
    int moved = 0;
    for (int i = 0; i < 64; i++) {
        double step = 1.5 / 15.0, d = fabs(w[i] - v[i]) / step;
        ASSERT(w[i] >= 0.5 - 1e-12 && w[i] <= 2.0 + 1e-12);
        ASSERT(fabs(d - floor(d + 0.5)) < 1e-9); /* stays on the grid */
        moved += d > 0.5; /* unless clamped back to the top of the grid */
    }
    ASSERT(moved >= 48);
    flips = 0;
    scim_faults_levels(u, 64, &g, &flips);
    ASSERT(!memcmp(u, w, sizeof(u)));
    g.p = 0.0, flips = 0;
    scim_faults_levels(v, 64, &g, &flips);
    ASSERT_EQ(flips, 0);
    ASSERT_NEAR(v[15], 2.0, 1e-12);
}

/* Scale SRAM bit flips: a chip's scales change in its faulty layers only, the model's
 * stay; stuck RNG modules follow their rates and the fault-free chip has none. */
static void sram_and_rng(void)
{
    struct tlayer_spec spec[] = {{SCIM_LAYER_LINEAR, 64, 0, 0, 0, SCIM_POOL_NONE, 1},
                                 {SCIM_LAYER_LINEAR, 10, 0, 0, 0, SCIM_POOL_NONE, 1}};
    struct scim_model m, chip;
    struct scim_config cfg;
    struct scim_fault_summary sum;
    const char *ov[] = {"faults.scale_bit_flip=0.05", "faults.layers=l0", "faults.rng_stuck_1=0.3"};
    tm_build(&m, spec, 2, 1, 8, 8, SCIM_INPUT_BINARY, 3);
    tm_load_cfg(&cfg, ov, 3);
    double before = m.layers[0].scale[5];
    ASSERT_EQ(scim_faults_apply(&chip, &m, &cfg, 4, &sum), 0);
    ASSERT(sum.scale_bits > 40 && sum.scale_bits < 160); /* 64 words x 32 bits x 5 % = 102 */
    ASSERT(memcmp(chip.layers[0].scale, m.layers[0].scale, 64 * sizeof(double)));
    ASSERT(!memcmp(chip.layers[1].scale, m.layers[1].scale, 10 * sizeof(double)));
    ASSERT_EQ(m.layers[0].scale[5], before);
    scim_faults_free(&chip);
    int stuck = 0;
    for (int k = 0; k < 1000; k++) {
        int s = scim_rng_stuck(&cfg, 3, k);
        ASSERT(s == -1 || s == 1);
        stuck += s == 1;
        ASSERT_EQ(scim_rng_stuck(&cfg, 0, k), -1);
    }
    ASSERT(stuck > 250 && stuck < 350);
    scim_config_free(&cfg);
    scim_model_free(&m);
}

/* TMR(T): the configured value at 300 K, falling with temperature (Julliere with
 * P(T) = P0 (1 - 2e-5 T^1.5)); an analog read sees the AP conductance rise. */
static void tmr_temperature(void)
{
    ASSERT_EQ(scim_mtj_tmr_at_temp(1.0, 300.0), 1.0);
    double p0 = sqrt(1.0 / 3.0) / (1.0 - 2e-5 * pow(300.0, 1.5)), p400 = p0 * (1.0 - 2e-5 * pow(400.0, 1.5));
    ASSERT_NEAR(scim_mtj_tmr_at_temp(1.0, 400.0), 2 * p400 * p400 / (1 - p400 * p400), 1e-12);
    ASSERT(scim_mtj_tmr_at_temp(1.0, 400.0) < 1.0 && scim_mtj_tmr_at_temp(1.0, 250.0) > 1.0);
    const struct scim_device_ops *sot = scim_device_find("sot_mram");
    void *p = params_of(sot, NULL, NULL, 0);
    double g300 = sot->cell->conductance_s(p, 0, 0.1, 300.0), g400 = sot->cell->conductance_s(p, 0, 0.1, 400.0);
    ASSERT(g400 > g300);
    ASSERT_EQ(sot->cell->conductance_s(p, 1, 0.1, 400.0), sot->cell->conductance_s(p, 1, 0.1, 300.0));
    free(p);
}

int main(void)
{
    tmr_temperature();
    retention();
    read_disturb();
    levels();
    sram_and_rng();
    return 0;
}
