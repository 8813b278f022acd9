/*
 * test_timing.c - cycle counts of the SystemC engine against closed forms.
 *
 * SystemC elaborates once per program, so each case is one invocation:
 *   test_timing one_layer CPA     one linear layer, no sharing, CPA columns per ADC
 *   test_timing rng shared|per_layer   three stochastic layers and a slow RNG
 *   test_timing                   one_layer 8
 * Timing rules (arch/hw.h): an operation of n cycles starting at c ends at
 * c + n; what a block writes at c is visible from c + 1.
 */
#include <stdlib.h>

#include "harness.h"
#include "sim/engine.h"
#include "sim/systemc/timing.h"
#include "testmodel.h"

/* Simulate one image; return its latency in cycles (and the functional run's
 * predictions and events must equal the functional engine's). */
static uint64_t simulate(struct scim_model *m, const char *const *ov, size_t n_ov,
                         struct scim_timing *tm)
{
    struct scim_config cfg;
    struct scim_mapping mp;
    struct scim_dataset ds;
    struct scim_images a, b;
    struct scim_diag d;
    tm_load_cfg(&cfg, ov, n_ov);
    scim_diag_init(&d, stderr);
    tm_dataset(&ds, 2, m->in_c, m->in_h, m->in_w);
    ASSERT_EQ(scim_map_model(&mp, m, &cfg, &d), 0);
    struct scim_timing_opts to = {0};
    ASSERT_EQ(scim_timing_run(&cfg, m, &mp, &ds, 0, 2, &to, &a, tm, &d), 0);
    struct scim_engine_opts eo = {1, 0, 0, 0, NULL};
    ASSERT_EQ(scim_engine_run(&cfg, m, &mp, &ds, 0, 2, &eo, &b, &d), 0);
    ASSERT(!memcmp(a.pred, b.pred, 2));
    ASSERT(!memcmp(&a.chip, &b.chip, sizeof(a.chip)));
    scim_images_free(&a);
    scim_images_free(&b);
    scim_mapping_free(&mp);
    scim_dataset_free(&ds);
    scim_config_free(&cfg);
    scim_diag_free(&d);
    return tm->first_latency;
}

/* Linear 300 -> 10 on 256-row arrays, 16 weights per read: row tiles of 128, 128,
 * 44 weights, 8 sequential reads; each read 10 ns then CPA conversions of 1 ns;
 * the periphery one output per cycle (10); one cycle per handoff. */
static void one_layer(const char *cpa)
{
    struct tlayer_spec spec[] = {{SCIM_LAYER_LINEAR, 10, 0, 0, 0, SCIM_POOL_NONE, 1}};
    struct scim_model m;
    struct scim_timing tm;
    char ov[64];
    snprintf(ov, sizeof(ov), "adc.columns_per_adc=%s", cpa);
    const char *ovs[] = {ov, "dropout.enabled=false"};
    tm_build(&m, spec, 1, 3, 10, 10, SCIM_INPUT_BINARY, 1);
    uint64_t k = (uint64_t)atoi(cpa) < 10 ? (uint64_t)atoi(cpa) : 10;
    uint64_t x = 8 * (10 + k * 1), dig = 10;
    ASSERT_EQ(simulate(&m, ovs, 2, &tm), x + 1 + dig + 1);
    ASSERT_EQ(tm.lc[0].xbar_cycles, x);
    scim_timing_free(&tm);
    scim_model_free(&m);
}

/* Three stochastic linear layers whose work is short next to a 2 us random bit:
 * one shared module draws layer 0's, 1's, 2's bits one after another (layer 2
 * starts at 3B + 1), a module per layer draws them at once. */
static void rng(const char *mode)
{
    struct tlayer_spec spec[] = {{SCIM_LAYER_LINEAR, 16, 0, 0, 0, SCIM_POOL_NONE, 1},
                                 {SCIM_LAYER_LINEAR, 16, 0, 0, 0, SCIM_POOL_NONE, 1},
                                 {SCIM_LAYER_LINEAR, 10, 0, 0, 0, SCIM_POOL_NONE, 1}};
    struct scim_model m;
    struct scim_timing tm;
    char mods[64];
    snprintf(mods, sizeof(mods), "dropout.modules=%s", !strcmp(mode, "shared") ? "per_model" : "per_layer");
    const char *ovs[] = {mods, "workload.mc_samples=1", "dropout.rng.t_bit=2us"};
    tm_build_method(&m, spec, 3, 1, 4, 4, SCIM_INPUT_BINARY, 1, SCIM_METHOD_SCALE_DROPOUT);
    for (int l = 0; l < 3; l++)
        m.layers[l].dropout_p = 0.2;
    uint64_t lat = simulate(&m, ovs, 3, &tm), B = 2000;
    uint64_t x2 = tm.lc[2].xbar_cycles, d2 = tm.lc[2].digital_cycles;
    if (!strcmp(mode, "shared")) /* starts at B + 1; layer 2 at 3B + 1 */
        ASSERT_EQ(lat, 2 * B + x2 + 1 + d2 + 1);
    else /* every register filled at B: the layers only wait for their inputs */
        ASSERT(lat < B);
    scim_timing_free(&tm);
    scim_model_free(&m);
}

int main(int argc, char **argv)
{
    if (argc == 1) /* e.g. under valgrind (tools/memcheck): one representative case */
        one_layer("8");
    else if (argc == 3 && !strcmp(argv[1], "one_layer"))
        one_layer(argv[2]);
    else if (argc == 3 && !strcmp(argv[1], "rng"))
        rng(argv[2]);
    else {
        fprintf(stderr, "usage: test_timing one_layer CPA | rng shared|per_layer\n");
        return 2;
    }
    return 0;
}
