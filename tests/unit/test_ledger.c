/*
 * test_ledger.c - event counts against hand-computed values for a small layer,
 * energy totals equal the sum of their parts (by component and by layer), and
 * the engine gives identical results with 1 and 2 threads and with and
 * without MVM reuse across Monte Carlo passes (also for residual networks, with
 * passes run one by one or overlapped).
 */
#include <math.h>

#include "harness.h"
#include "arch/dropout.h"
#include "sim/engine.h"
#include "arch/image.h"
#include "arch/cost.h"
#include "arch/ledger.h"
#include "sim/report.h"
#include "testmodel.h"

/* Linear 300 -> 20 on 256-row arrays (128 weights per column), 16 weights per
 * read: row tiles of 128, 128, 44 give 8 + 8 + 3 = 19 reads per pass. */
static void hand_counts(void)
{
    struct tlayer_spec spec[] = {{SCIM_LAYER_LINEAR, 20, 0, 0, 0, SCIM_POOL_NONE, 1},
                                 {SCIM_LAYER_LINEAR, 10, 0, 0, 0, SCIM_POOL_NONE, 1}};
    struct scim_model m;
    struct scim_config cfg;
    struct scim_mapping mp;
    struct scim_diag d;
    tm_build(&m, spec, 2, 3, 10, 10, SCIM_INPUT_BINARY, 1);
    tm_load_cfg(&cfg, NULL, 0);
    scim_diag_init(&d, stderr);
    ASSERT_EQ(scim_map_model(&mp, &m, &cfg, &d), 0);
    const struct scim_layer_map *lm = &mp.layers[0];
    const uint64_t *c = lm->per_pass.ev;
    ASSERT_EQ(lm->arrays, 3);
    ASSERT_EQ(lm->reads_per_tile, 8);
    ASSERT_EQ(c[SCIM_EV_XBAR_READ], 19);
    ASSERT_EQ(c[SCIM_EV_WORDLINES], 300);
    ASSERT_EQ(c[SCIM_EV_CELLS_READ], 300 * 20);
    ASSERT_EQ(c[SCIM_EV_ADC_CONV], 19 * 20);
    ASSERT_EQ(c[SCIM_EV_ACC_ADD], 19 * 20);
    ASSERT_EQ(c[SCIM_EV_SCALE_READ], 20);
    ASSERT_EQ(c[SCIM_EV_MULTIPLY], 20);
    ASSERT_EQ(c[SCIM_EV_COMPARE], 20);
    ASSERT_EQ(c[SCIM_EV_POOL], 0);
    ASSERT_EQ(c[SCIM_EV_BUF_READ], 5);  /* 300 bits in 64-bit words */
    ASSERT_EQ(c[SCIM_EV_BUF_WRITE], 1); /* 20 output bits */
    ASSERT_EQ(mp.layers[1].per_pass.ev[SCIM_EV_COMPARE], 0); /* logits: no sign */
    /* Calibrated energy of one pass of layer 0 at the calibration point, by hand: Table II
     * per read (decode_sense, with the ADCs, split between them by the physics). */
    double e[SCIM_C_COUNT] = {0};
    scim_price(&cfg, &mp, &lm->per_pass, e);
    ASSERT_NEAR(e[SCIM_C_CROSSBAR], 19 * 0.65e-12, 1e-24);
    ASSERT_NEAR(e[SCIM_C_DECODE_SENSE] + e[SCIM_C_ADC], 19 * 4.76e-12, 1e-24);
    ASSERT(e[SCIM_C_ADC] > 0.5 * 19 * 4.76e-12); /* 256 flash conversions dominate a read */
    ASSERT_NEAR(e[SCIM_C_ACCUMULATOR], 380 * 0.12e-12, 1e-24);
    ASSERT_NEAR(e[SCIM_C_COMPARATOR], 20 * 0.01e-12, 1e-26);
    /* Physical energy of the same pass: wordlines, decoder and column mux per event, a
     * 5-bit flash ADC per conversion, each conducting cell V_dd V_read G t at its state's
     * conductance (0.1 V, 10 ns; R_P 331 kohm, R_AP = R_P (1 + TMR / (1 + V^2/V_h^2)) with
     * TMR 1, V_h 0.5 V) and each sensed bitline biased to V_read. */
    struct scim_config dev;
    const char *ov[] = {"energy.mode=physical"};
    tm_load_cfg(&dev, ov, 1);
    struct scim_counts pc = lm->per_pass;
    pc.ev[SCIM_EV_CELLS_LRS] = 4000; /* of the 6000 cells read */
    double ed[SCIM_C_COUNT] = {0};
    scim_price(&dev, &mp, &pc, ed);
    const struct scim_cost *k = &dev.cost;
    double g_p = 1.0 / 331e3, g_ap = 1.0 / (331e3 * (1.0 + 1.0 / (1.0 + 0.01 / 0.25)));
    ASSERT_NEAR(ed[SCIM_C_DECODE_SENSE], 300 * k->array.wordline_energy_j +
                19 * k->array.decoder_energy_j + 380 * k->array.mux_energy_j, 1e-27);
    ASSERT_NEAR(ed[SCIM_C_ADC], 380 * k->adc_j, 1e-27);
    ASSERT_NEAR(ed[SCIM_C_CROSSBAR], (4000 * g_p + 2000 * g_ap) * 0.1 * 1.1 * 10e-9 +
                380 * k->array.bitline_energy_j, 1e-27); /* I = V_read G from the 1.1 V supply */
    ASSERT_NEAR(ed[SCIM_C_ACCUMULATOR], 380 * k->logic[SCIM_LOGIC_ACCUMULATOR].energy_j, 1e-27);
    /* The physics at 40 nm, 1.1 V against the figures of device-physics.md: a 256-column
     * wordline ~55 fJ (§7.5), a decode 1-3 fJ per stage (§7.5), a 5-bit flash conversion
     * 31 x 19 fJ (§10.4), a 24-bit accumulation ~0.12 pJ (Table II). */
    ASSERT(k->array.wordline_energy_j > 40e-15 && k->array.wordline_energy_j < 90e-15);
    ASSERT(k->array.decoder_energy_j > 8e-15 && k->array.decoder_energy_j < 60e-15);
    ASSERT(k->adc_j > 0.45e-12 && k->adc_j < 0.75e-12);
    ASSERT(k->logic[SCIM_LOGIC_ACCUMULATOR].energy_j > 0.06e-12 &&
           k->logic[SCIM_LOGIC_ACCUMULATOR].energy_j < 0.25e-12);
    scim_config_free(&dev);
    /* Latency of one pass: 8 sequential reads of (10 ns read + 8 columns x 1 ns). */
    struct scim_latency lat;
    ASSERT_EQ(scim_latency_estimate(&cfg, &mp, 1, 0, &lat), 0);
    ASSERT_EQ(lat.layer_cycles[0], 8 * (10 + 8 * 1));
    scim_latency_free(&lat);
    /* T = 5 passes with one shared RNG: one after another, or pipelined one slowest
     * stage apart; averaging adds one cycle per pass. */
    ASSERT_EQ(scim_latency_estimate(&cfg, &mp, 5, 1, &lat), 0);
    uint64_t pass = lat.pass_cycles, slowest = lat.layer_cycles[0] > lat.layer_cycles[1]
                                                  ? lat.layer_cycles[0] : lat.layer_cycles[1];
    ASSERT_EQ(lat.rng_cycles, 2 * 15); /* two stochastic layers, 15 ns each */
    ASSERT_EQ(pass, lat.layer_cycles[0] + lat.layer_cycles[1] + 30);
    ASSERT_EQ(lat.image_cycles, 5 * pass + 5);
    scim_latency_free(&lat);
    cfg.dropout.overlap_passes = 1;
    ASSERT_EQ(scim_latency_estimate(&cfg, &mp, 5, 1, &lat), 0);
    ASSERT_EQ(lat.image_cycles, pass + 4 * (slowest > 30 ? slowest : 30) + 5);
    scim_latency_free(&lat);
    cfg.dropout.overlap_passes = 0;
    scim_mapping_free(&mp);
    scim_config_free(&cfg);
    scim_model_free(&m);
    scim_diag_free(&d);
}

/* The macro (ledger.h): its energy is the arrays', periphery's, ADCs' and accumulators'
 * dynamic energy plus their leakage over the arrays' own time (reads and conversions of
 * every position, without the per-output digital path); its area those components'. */
static void macro_scope(void)
{
    struct tlayer_spec spec[] = {{SCIM_LAYER_LINEAR, 20, 0, 0, 0, SCIM_POOL_NONE, 1},
                                 {SCIM_LAYER_LINEAR, 10, 0, 0, 0, SCIM_POOL_NONE, 1}};
    struct scim_model m;
    struct scim_config cfg;
    struct scim_mapping mp;
    struct scim_diag d;
    const char *ov[] = {"energy.mode=physical"};
    tm_build(&m, spec, 2, 3, 10, 10, SCIM_INPUT_BINARY, 1);
    tm_load_cfg(&cfg, ov, 1);
    scim_diag_init(&d, stderr);
    ASSERT_EQ(scim_map_model(&mp, &m, &cfg, &d), 0);
    double e[SCIM_C_COUNT] = {0};
    struct scim_counts c = mp.layers[0].per_pass;
    scim_counts_add(&c, &mp.layers[1].per_pass);
    scim_price(&cfg, &mp, &c, e);
    struct scim_area a;
    struct scim_macro mac;
    scim_area_compute(&cfg, &mp, 0, &a);
    scim_macro_compute(&cfg, &mp, 2, &a, e, &mac);
    /* layer 0: 8 sequential reads of (10 ns + 8 conversions of 1 ns); layer 1: 1 read */
    struct scim_layer_cycles l0, l1;
    scim_layer_cycles(&cfg, &mp.layers[0], &l0);
    scim_layer_cycles(&cfg, &mp.layers[1], &l1);
    ASSERT_EQ(l0.xbar, 8 * (10 + 8 * 1));
    ASSERT_NEAR(mac.busy_s, 2.0 * (double)(l0.xbar + l1.xbar) / cfg.chip.clock_hz, 1e-18);
    double dyn = e[SCIM_C_CROSSBAR] + e[SCIM_C_DECODE_SENSE] + e[SCIM_C_ADC] + e[SCIM_C_ACCUMULATOR];
    ASSERT(mac.static_w > 0);
    ASSERT_NEAR(mac.energy_j, dyn + mac.static_w * mac.busy_s, 1e-24);
    ASSERT(mac.energy_j < dyn + e[SCIM_C_MULTIPLIER] + e[SCIM_C_SCALE_MEMORY]);
    ASSERT_NEAR(mac.area_m2, a.comp[SCIM_C_CROSSBAR] + a.comp[SCIM_C_DECODE_SENSE] +
                a.comp[SCIM_C_ADC] + a.comp[SCIM_C_ACCUMULATOR], 1e-18);
    ASSERT(scim_macro_component(SCIM_C_ADC) && !scim_macro_component(SCIM_C_BUFFER));
    scim_mapping_free(&mp);
    scim_config_free(&cfg);
    scim_model_free(&m);
    scim_diag_free(&d);
}

static void run(const struct scim_config *cfg, const struct scim_model *m,
                const struct scim_mapping *mp, const struct scim_dataset *ds, int threads,
                int no_reuse, struct scim_images *res)
{
    struct scim_diag d;
    struct scim_engine_opts opt = {threads, 0, no_reuse, 0, NULL};
    scim_diag_init(&d, stderr);
    ASSERT_EQ(scim_engine_run(cfg, m, mp, ds, 0, ds->n, &opt, res, &d), 0);
    scim_diag_free(&d);
}

static void same_results(const struct scim_images *a, const struct scim_images *b)
{
    ASSERT_EQ(a->correct, b->correct);
    ASSERT(memcmp(a->pred, b->pred, (size_t)a->n_images) == 0);
    ASSERT(memcmp(a->mean_prob, b->mean_prob, (size_t)a->n_images * a->classes * sizeof(double)) == 0);
    ASSERT(memcmp(a->mean_logits, b->mean_logits,
                  (size_t)a->n_images * a->classes * sizeof(double)) == 0);
    ASSERT(memcmp(a->layer, b->layer, (size_t)a->n_layers * sizeof(*a->layer)) == 0);
    ASSERT(memcmp(&a->chip, &b->chip, sizeof(a->chip)) == 0);
    ASSERT(memcmp(a->unc, b->unc, (size_t)a->n_images * sizeof(*a->unc)) == 0);
    ASSERT(memcmp(a->correct_at, b->correct_at, (size_t)a->mc_samples * sizeof(uint64_t)) == 0);
    ASSERT_EQ(a->correct_at[a->mc_samples - 1], a->correct);
}

/* Runs 1 thread, 2 threads, and 2 threads without MVM reuse: identical results. */
static void run_three(const struct scim_config *cfg, const struct scim_model *m,
                      const struct scim_mapping *mp, const struct scim_dataset *ds,
                      struct scim_images *r)
{
    run(cfg, m, mp, ds, 1, 0, &r[0]);
    run(cfg, m, mp, ds, 2, 0, &r[1]);
    run(cfg, m, mp, ds, 2, 1, &r[2]);
    same_results(&r[0], &r[1]);
    same_results(&r[0], &r[2]);
    ASSERT(r[0].mvm_reused > 0);
    ASSERT_EQ(r[2].mvm_reused, 0);
}

static void free_three(struct scim_images *r)
{
    for (int k = 0; k < 3; k++)
        scim_images_free(&r[k]);
}

static void free_all(struct scim_dataset *ds, struct scim_mapping *mp, struct scim_config *cfg,
                     struct scim_model *m, struct scim_diag *d)
{
    scim_dataset_free(ds);
    scim_mapping_free(mp);
    scim_config_free(cfg);
    scim_model_free(m);
    scim_diag_free(d);
}

static void engine_determinism_and_totals(void)
{
    struct tlayer_spec spec[] = {{SCIM_LAYER_CONV, 6, 5, 1, 2, SCIM_POOL_MAX, 2},
                                 {SCIM_LAYER_CONV, 8, 3, 1, 0, SCIM_POOL_MAX, 2},
                                 {SCIM_LAYER_LINEAR, 30, 0, 0, 0, SCIM_POOL_NONE, 1},
                                 {SCIM_LAYER_LINEAR, 10, 0, 0, 0, SCIM_POOL_NONE, 1}};
    struct scim_model m;
    struct scim_config cfg;
    struct scim_mapping mp;
    struct scim_dataset ds;
    struct scim_diag d;
    const char *ov[] = {"workload.mc_samples=7", "adc.bits=4"};
    tm_build(&m, spec, 4, 1, 16, 16, SCIM_INPUT_BITSERIAL8, 4);
    tm_load_cfg(&cfg, ov, 2);
    scim_diag_init(&d, stderr);
    ASSERT_EQ(scim_map_model(&mp, &m, &cfg, &d), 0);
    tm_dataset(&ds, 61, 1, 16, 16);
    struct scim_images r[3], r1;
    run_three(&cfg, &m, &mp, &ds, r);
    r1 = r[0];
    ASSERT(r1.chip.ev[SCIM_EV_ADC_CLIP] > 0); /* 4-bit ADC, 16-weight reads */
    ASSERT_EQ(r1.chip.ev[SCIM_EV_RNG_BIT], 61 * 7 * 4);
    ASSERT_EQ(r1.chip.ev[SCIM_EV_AVERAGE], 61 * 7);
    /* The chip total equals the sum of components and the sum of layers (+ averaging). */
    struct scim_report rep;
    ASSERT_EQ(scim_report_build(&rep, &cfg, &m, &mp, &r1, "synthetic"), 0);
    double by_comp = 0, by_layer = rep.energy_comp[SCIM_C_AVERAGING];
    for (int k = 0; k < SCIM_C_COUNT; k++)
        by_comp += rep.energy_comp[k];
    for (int l = 0; l < m.n_layers; l++)
        by_layer += rep.energy_layer[l];
    ASSERT_NEAR(by_comp, rep.energy_dynamic, 1e-12 * rep.energy_dynamic);
    ASSERT_NEAR(by_layer, rep.energy_dynamic, 1e-12 * rep.energy_dynamic);
    ASSERT_NEAR(rep.energy_per_image, rep.energy_dynamic + rep.energy_static, 1e-24);
    double area = 0;
    for (int k = 0; k < SCIM_C_COUNT; k++)
        area += rep.area.comp[k];
    ASSERT_NEAR(area, rep.area.total, 1e-12 * area);
    scim_report_free(&rep);
    free_three(r);
    free_all(&ds, &mp, &cfg, &m, &d);
}

/* A residual network (testmodel.h) with scale dropout: the shortcut of a layer computed
 * in a pass is that pass's source output even when the layers up to the source reuse
 * another pass's MVMs; reuse changes nothing. Residual adds and skip-buffer bits are
 * counted. */
static void residual_reuse(void)
{
    struct scim_model m;
    struct scim_config cfg;
    struct scim_mapping mp;
    struct scim_dataset ds;
    struct scim_diag d;
    const char *ov[] = {"workload.mc_samples=12"};
    tm_resnet(&m, SCIM_INPUT_BITSERIAL8, 6, SCIM_METHOD_SCALE_DROPOUT);
    tm_load_cfg(&cfg, ov, 1);
    scim_diag_init(&d, stderr);
    ASSERT_EQ(scim_map_model(&mp, &m, &cfg, &d), 0);
    tm_dataset(&ds, 50, 3, 8, 8);
    struct scim_images r[3];
    run_three(&cfg, &m, &mp, &ds, r);
    uint64_t adds = 4 * 64 + 8 * 16 + 16 + 16; /* MVM outputs of l2, l4, l5, l6 */
    ASSERT_EQ(r[0].chip.ev[SCIM_EV_RES_ADD], 50 * 12 * adds);
    ASSERT_EQ(mp.layers[4].per_pass.ev[SCIM_EV_RES_ADD], 8 * 16);
    ASSERT_EQ(mp.layers[3].per_pass.ev[SCIM_EV_RES_ADD], 0);
    double e[SCIM_C_COUNT] = {0};
    scim_price(&cfg, &mp, &mp.layers[4].per_pass, e);
    ASSERT_NEAR(e[SCIM_C_ACCUMULATOR],
                (double)(mp.layers[4].per_pass.ev[SCIM_EV_ACC_ADD] + 8 * 16) * 0.12e-12, 1e-24);
    struct scim_area a;
    scim_area_compute(&cfg, &mp, 1, &a);
    ASSERT_EQ(a.skip_bits, 4 * 64 + 4 * 64 + 8 * 4 + 16); /* outputs of l0, l2, l4, l5 */
    ASSERT_EQ(a.buffer_bits,
              8 * (uint64_t)cfg.buffer.depth_words * (uint64_t)cfg.buffer.word_bits + a.skip_bits);
    free_three(r);
    free_all(&ds, &mp, &cfg, &m, &d);
}

/* The same network with per-pass activations and passes overlapped the way the
 * SystemC engine may run them (pass t's layer l right after pass t - 1's layer l + 1),
 * MVMs reused: every pass's output equals that of passes run one by one without reuse. */
static void residual_overlapped(void)
{
    struct scim_model m;
    struct scim_config cfg;
    struct scim_mapping mp;
    struct scim_dataset ds;
    struct scim_diag d;
    struct scim_rng_bank bank;
    struct scim_image_ctx a, b;
    const char *ov[] = {"workload.mc_samples=9"};
    tm_resnet(&m, SCIM_INPUT_BINARY, 7, SCIM_METHOD_SCALE_DROPOUT);
    tm_load_cfg(&cfg, ov, 1);
    scim_diag_init(&d, stderr);
    ASSERT_EQ(scim_map_model(&mp, &m, &cfg, &d), 0);
    tm_dataset(&ds, 30, 3, 8, 8);
    ASSERT_EQ(scim_rng_bank_init(&bank, &cfg, &m, 0), 0);
    ASSERT_EQ(scim_image_ctx_init(&a, &cfg, &m, &mp, &bank, 1, 9), 0);
    ASSERT_EQ(scim_image_ctx_init(&b, &cfg, &m, &mp, &bank, 0, 1), 0);
    int T = a.passes, nl = mp.n_layers;
    size_t npix = 3 * 8 * 8, np = (size_t)T * (size_t)m.classes * sizeof(double);
    for (int img = 0; img < ds.n; img++) {
        const uint8_t *pix = ds.pixels + (size_t)img * npix;
        scim_image_begin(&a, img, pix);
        for (int step = 0; step < T + nl - 1; step++)
            for (int t = 0; t < T; t++) {
                int l = step - t;
                if (l < 0 || l >= nl)
                    continue;
                if (l == 0)
                    scim_image_draw_pass(&a, t);
                scim_image_layer(&a, t, l);
                if (l == nl - 1)
                    scim_image_end_pass(&a, t);
            }
        scim_image_begin(&b, img, pix);
        for (int t = 0; t < T; t++) {
            scim_image_draw_pass(&b, t);
            for (int l = 0; l < nl; l++)
                scim_image_layer(&b, t, l);
            scim_image_end_pass(&b, t);
        }
        ASSERT(memcmp(a.prob, b.prob, np) == 0);
    }
    ASSERT(a.reused > 0 && b.reused == 0);
    scim_image_ctx_free(&a);
    scim_image_ctx_free(&b);
    scim_rng_bank_free(&bank);
    free_all(&ds, &mp, &cfg, &m, &d);
}

/* A SpinDrop model with dropout off drives every row: it runs exactly like the same
 * weights as a point-estimate BNN. */
static void spindrop_off(void)
{
    struct tlayer_spec spec[] = {{SCIM_LAYER_CONV, 6, 5, 1, 2, SCIM_POOL_MAX, 2},
                                 {SCIM_LAYER_LINEAR, 10, 0, 0, 0, SCIM_POOL_NONE, 1}};
    struct scim_model sd, bnn;
    struct scim_config cfg;
    struct scim_mapping m1, m2;
    struct scim_dataset ds;
    struct scim_diag d;
    const char *ov[] = {"dropout.enabled=false"};
    tm_build_method(&sd, spec, 2, 1, 16, 16, SCIM_INPUT_BITSERIAL8, 9, SCIM_METHOD_SPINDROP);
    tm_build_method(&bnn, spec, 2, 1, 16, 16, SCIM_INPUT_BITSERIAL8, 9, SCIM_METHOD_BNN);
    tm_load_cfg(&cfg, ov, 1);
    scim_diag_init(&d, stderr);
    ASSERT_EQ(scim_map_model(&m1, &sd, &cfg, &d), 0);
    ASSERT_EQ(scim_map_model(&m2, &bnn, &cfg, &d), 0);
    tm_dataset(&ds, 40, 1, 16, 16);
    struct scim_images r1, r2;
    run(&cfg, &sd, &m1, &ds, 2, 0, &r1);
    run(&cfg, &bnn, &m2, &ds, 2, 0, &r2);
    same_results(&r1, &r2);
    scim_images_free(&r1);
    scim_images_free(&r2);
    scim_dataset_free(&ds);
    scim_mapping_free(&m1);
    scim_mapping_free(&m2);
    scim_config_free(&cfg);
    scim_model_free(&sd);
    scim_model_free(&bnn);
    scim_diag_free(&d);
}

/* Table VII: dropout modules per layer (LeNet-5 shapes): SpinDrop one per weight row,
 * K*K*Cin; Spatial-SpinDrop one per input channel; scale dropout one; and on the chip
 * a shared module serves all layers unless each row/channel needs its own. */
static void table7_modules(void)
{
    struct tlayer_spec spec[] = {{SCIM_LAYER_CONV, 6, 5, 1, 2, SCIM_POOL_MAX, 2},
                                 {SCIM_LAYER_CONV, 16, 5, 1, 0, SCIM_POOL_MAX, 2},
                                 {SCIM_LAYER_LINEAR, 120, 0, 0, 0, SCIM_POOL_NONE, 1},
                                 {SCIM_LAYER_LINEAR, 10, 0, 0, 0, SCIM_POOL_NONE, 1}};
    struct scim_model sp, sa, sd;
    struct scim_config cfg;
    tm_build_method(&sp, spec, 4, 1, 28, 28, SCIM_INPUT_BINARY, 1, SCIM_METHOD_SPINDROP);
    tm_build_method(&sa, spec, 4, 1, 28, 28, SCIM_INPUT_BINARY, 1, SCIM_METHOD_SPATIAL_SPINDROP);
    tm_build_method(&sd, spec, 4, 1, 28, 28, SCIM_INPUT_BINARY, 1, SCIM_METHOD_SCALE_DROPOUT);
    tm_load_cfg(&cfg, NULL, 0);
    int kkcin[4] = {25, 150, 400, 120}, cin[4] = {1, 6, 400, 120};
    for (int l = 0; l < 4; l++) {
        ASSERT_EQ(scim_layer_modules(&sp, &sp.layers[l]), kkcin[l]);
        ASSERT_EQ(scim_layer_modules(&sa, &sa.layers[l]), cin[l]);
        ASSERT_EQ(scim_layer_modules(&sd, &sd.layers[l]), 1);
    }
    ASSERT_EQ(scim_rng_modules(&cfg, &sp), 25 + 150 + 400 + 120);
    ASSERT_EQ(scim_rng_modules(&cfg, &sa), 1 + 6 + 400 + 120);
    ASSERT_EQ(scim_rng_modules(&cfg, &sd), 1);
    cfg.dropout.modules = SCIM_DROP_PER_LAYER;
    ASSERT_EQ(scim_rng_modules(&cfg, &sd), 4);
    scim_config_free(&cfg);
    scim_model_free(&sp);
    scim_model_free(&sa);
    scim_model_free(&sd);
}

int main(void)
{
    table7_modules();
    spindrop_off();
    hand_counts();
    macro_scope();
    engine_determinism_and_totals();
    residual_reuse();
    residual_overlapped();
    printf("ledger: counts, totals and determinism hold\n");
    return 0;
}
