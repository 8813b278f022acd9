/*
 * test_datapath.c - the chip's functional datapath against an independent
 * reference forward pass: with an ADC wide enough for rows_per_read the
 * logits are identical (bit for bit) for both conv strategies, both input
 * encodings, max and average pooling, stride 2, dropped scales, every method, and
 * residual connections (identity, strided, zero-padded channels); with an
 * undersized ADC the accumulated sums equal a hand-clipped reference and the
 * clips are counted.
 */
#include "arch/datapath.h"
#include "arch/faults.h"
#include "harness.h"
#include "arch/config.h"
#include "sim/base/diag.h"
#include "testmodel.h"

static void chip_forward(const struct scim_mapping *mp, const uint8_t *pix, const int *dropped,
                         double *logits, struct scim_mvm_stats *st)
{
    tm_forward(mp, NULL, NULL, pix, dropped, NULL, 0, logits, st);
}

/* Reference logits of m with every residual connection removed (to see that the
 * shortcuts change the result). */
static void ref_without_residual(struct scim_model *m, const uint8_t *pix, const int *variant,
                                 uint8_t *const *keep, double *logits)
{
    int saved[16];
    for (int l = 0; l < m->n_layers; l++)
        saved[l] = m->layers[l].residual, m->layers[l].residual = -1;
    ref_forward_ex(m, pix, m->encoding == SCIM_INPUT_BITSERIAL8, variant, keep, logits);
    for (int l = 0; l < m->n_layers; l++)
        m->layers[l].residual = saved[l];
}

/* Random variants (dropout on and off, and row masks when `masked`) for model m (freed
 * here): the chip equals the reference. */
static void compare_built(struct scim_model *m, int masked, const char *extra)
{
    struct scim_config cfg;
    struct scim_mapping mp;
    struct scim_diag d;
    const char *ov[] = {"adc.bits=8", "crossbar.rows_per_read=32", "crossbar.rows=64", extra};
    int n = m->n_layers, npix = m->in_c * m->in_h * m->in_w, residual_mattered = 0, has_res = 0;
    tm_load_cfg(&cfg, ov, extra ? 4 : 3);
    scim_diag_init(&d, stderr);
    ASSERT_EQ(scim_map_model(&mp, m, &cfg, &d), 0);
    struct scim_rng r;
    scim_rng_init(&r, 5, m->method_id);
    uint8_t *pix = malloc((size_t)npix), *keep[16] = {0};
    uint64_t *masks[16] = {0};
    for (int l = 0; l < n; l++) {
        keep[l] = calloc((size_t)m->layers[l].fan_in, 1);
        masks[l] = calloc((size_t)mp.layers[l].n_words, sizeof(uint64_t));
        has_res |= m->layers[l].residual >= 0;
    }
    for (int img = 0; img < 40; img++) {
        int variant[16];
        for (int i = 0; i < npix; i++)
            pix[i] = (uint8_t)scim_rng_u32(&r);
        for (int l = 0; l < n; l++) {
            variant[l] =
                masked ? 0 : (int)(scim_rng_u32(&r) % (uint32_t)scim_layer_variants(&m->layers[l]));
            memset(masks[l], 0, (size_t)mp.layers[l].n_words * sizeof(uint64_t));
            for (int i = 0; i < m->layers[l].fan_in; i++) {
                keep[l][i] = !masked || (scim_rng_u32(&r) % 4 != 0);
                masks[l][i >> 6] |= (uint64_t)keep[l][i] << (i & 63);
            }
        }
        double ref[64], chip[64], plain[64];
        struct scim_mvm_stats st = {0};
        ref_forward_ex(m, pix, m->encoding == SCIM_INPUT_BITSERIAL8, variant, masked ? keep : NULL,
                       ref);
        tm_forward(&mp, NULL, NULL, pix, variant, masked ? masks : NULL, 0, chip, &st);
        for (int k = 0; k < m->classes; k++)
            ASSERT(memcmp(&ref[k], &chip[k], sizeof(double)) == 0);
        if (masked)
            ASSERT(st.wordlines_off > 0 && st.cells_off > 0);
        if (has_res) {
            ref_without_residual(m, pix, variant, masked ? keep : NULL, plain);
            residual_mattered += memcmp(ref, plain, (size_t)m->classes * sizeof(double)) != 0;
        }
    }
    ASSERT(!has_res || residual_mattered > 20);
    for (int l = 0; l < n; l++)
        free(keep[l]), free(masks[l]);
    free(pix);
    scim_mapping_free(&mp);
    scim_config_free(&cfg);
    scim_model_free(m);
    scim_diag_free(&d);
}

static void compare_method(const struct tlayer_spec *spec, int n, enum scim_method method,
                           int masked, const char *extra)
{
    struct scim_model m;
    tm_build_method(&m, spec, n, 1, 12, 12, SCIM_INPUT_BITSERIAL8, 21 + method, method);
    compare_built(&m, masked, extra);
}

/* The residual network of testmodel.h, every method, both encodings and strategies. */
static void compare_residual(void)
{
    static const enum scim_method methods[] = {SCIM_METHOD_SCALE_DROPOUT,
                                               SCIM_METHOD_AFFINE_DROPOUT, SCIM_METHOD_SUBSET,
                                               SCIM_METHOD_SPINDROP, SCIM_METHOD_SPATIAL_SPINDROP};
    struct scim_model m;
    for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
        int masked =
            methods[i] == SCIM_METHOD_SPINDROP || methods[i] == SCIM_METHOD_SPATIAL_SPINDROP;
        tm_resnet(&m, SCIM_INPUT_BITSERIAL8, 40 + i, methods[i]);
        compare_built(&m, masked, "mapping.conv_strategy=unrolled");
        tm_resnet(&m, SCIM_INPUT_BINARY, 50 + i, methods[i]);
        compare_built(&m, masked, "mapping.conv_strategy=kxk");
    }
}

/* The comparator thresholds of a residual layer decide every sum s exactly as
 * neuron.h does, for each variant and shortcut value. */
static void residual_thresholds(void)
{
    struct scim_model m;
    struct scim_config cfg;
    struct scim_mapping mp;
    struct scim_diag d;
    tm_resnet(&m, SCIM_INPUT_BINARY, 3, SCIM_METHOD_SUBSET);
    tm_load_cfg(&cfg, NULL, 0);
    scim_diag_init(&d, stderr);
    ASSERT_EQ(scim_map_model(&mp, &m, &cfg, &d), 0);
    int steps = 0;
    for (int l = 0; l < m.n_layers; l++) {
        const struct scim_layer_map *lm = &mp.layers[l];
        const struct scim_layer *L = lm->layer;
        ASSERT_EQ(lm->thr_sets, L->residual >= 0 ? 3 : 1);
        for (int v = 0; v < scim_layer_variants(L); v++)
            for (int r = -1; r <= 1; r++)
                for (int j = 0; j < L->out_c && L->residual >= 0; j++) {
                    const struct scim_threshold *th = &lm->thr[scim_thr_index(lm, v, r, j)];
                    int prev = -1;
                    for (int s = -lm->n_rows; s <= lm->n_rows; s++) {
                        double y = scim_neuron_y(L, j, (double)s, lm->input_scale, v);
                        int bit = scim_neuron_bit(scim_residual_y(L, y, r));
                        ASSERT_EQ(bit, th->lo <= s && s <= th->hi);
                        steps += prev >= 0 && bit != prev;
                        prev = bit;
                    }
                }
    }
    ASSERT(steps > 100);
    scim_mapping_free(&mp);
    scim_config_free(&cfg);
    scim_model_free(&m);
    scim_diag_free(&d);
}

/* A chip instance with bit flips and stuck cells (faults.h) equals the reference on
 * the same faulty weights; the fault draw is reproducible and follows its rates. */
static void compare_faulty(const struct tlayer_spec *spec, int n, enum scim_input_encoding enc,
                           const char *strategy)
{
    struct scim_model m, chip, again;
    struct scim_config cfg;
    struct scim_mapping mp;
    struct scim_diag d;
    struct scim_fault_summary sum, sum2;
    const char *ov[] = {"adc.bits=8", "crossbar.rows_per_read=32", "crossbar.rows=64", strategy,
                        "faults.bit_flip=0.1", "faults.stuck_p=0.1", "faults.stuck_ap=0.05"};
    tm_build(&m, spec, n, 1, 12, 12, enc, 31);
    tm_load_cfg(&cfg, ov, 7);
    ASSERT_EQ(scim_fault_chips(&cfg), 100);
    ASSERT_EQ(scim_faults_apply(&chip, &m, &cfg, 3, &sum), 0);
    ASSERT_EQ(scim_faults_apply(&again, &m, &cfg, 3, &sum2), 0);
    ASSERT(memcmp(&sum, &sum2, sizeof(sum)) == 0);
    uint64_t total = 0;
    for (int l = 0; l < n; l++) {
        size_t k = (size_t)m.layers[l].out_c * (size_t)m.layers[l].fan_in;
        total += k;
        ASSERT(memcmp(chip.layers[l].weight, again.layers[l].weight, k) == 0);
    }
    /* 10 % flips; a pair is stuck-matching with p(A in P) p(B in P), etc. */
    ASSERT(fabs((double)sum.flipped / total - 0.1) < 0.03);
    ASSERT(sum.always_match > 0 && sum.never_match > 0 && sum.faulty_layers == n);
    scim_diag_init(&d, stderr);
    ASSERT_EQ(scim_map_model(&mp, &chip, &cfg, &d), 0);
    struct scim_rng r;
    scim_rng_init(&r, 8, 8);
    uint8_t pix[144];
    for (int img = 0; img < 30; img++) {
        int variant[8] = {0};
        for (int i = 0; i < 144; i++)
            pix[i] = (uint8_t)scim_rng_u32(&r);
        double ref[64], out[64];
        struct scim_mvm_stats st = {0};
        ref_forward(&chip, pix, enc == SCIM_INPUT_BITSERIAL8, variant, ref);
        chip_forward(&mp, pix, variant, out, &st);
        for (int k = 0; k < m.classes; k++)
            ASSERT(memcmp(&ref[k], &out[k], sizeof(double)) == 0);
    }
    scim_mapping_free(&mp);
    scim_faults_free(&chip);
    scim_faults_free(&again);
    scim_config_free(&cfg);
    scim_model_free(&m);
    scim_diag_free(&d);
}

/* faults.layers and faults.layer_fraction pick the faulty layers. */
static void fault_layers(const struct tlayer_spec *spec, int n)
{
    struct scim_model m, chip;
    struct scim_config cfg;
    struct scim_fault_summary sum;
    const char *ov[] = {"faults.bit_flip=0.5", "faults.layers=l1, l3", "faults.layer_fraction=50%"};
    tm_build(&m, spec, n, 1, 12, 12, SCIM_INPUT_BINARY, 5);
    tm_load_cfg(&cfg, ov, 3);
    for (uint64_t k = 0; k < 20; k++) {
        ASSERT_EQ(scim_faults_apply(&chip, &m, &cfg, k, &sum), 0);
        ASSERT_EQ(sum.faulty_layers, 1); /* half of the two listed layers */
        for (int l = 0; l < n; l++) {
            size_t sz = (size_t)m.layers[l].out_c * (size_t)m.layers[l].fan_in;
            int same = memcmp(chip.layers[l].weight, m.layers[l].weight, sz) == 0;
            ASSERT(same || l == 1 || l == 3);
        }
        scim_faults_free(&chip);
    }
    scim_config_free(&cfg);
    scim_model_free(&m);
}

static void compare_model(const struct tlayer_spec *spec, int n, int c, int h, int w,
                          enum scim_input_encoding enc, const char *strategy, uint64_t seed)
{
    struct scim_model m;
    struct scim_config cfg;
    struct scim_mapping mp;
    struct scim_diag d;
    const char *ov[] = {"adc.bits=8", "crossbar.rows_per_read=32", "crossbar.rows=64", strategy};
    tm_build(&m, spec, n, c, h, w, enc, seed);
    tm_load_cfg(&cfg, ov, 4);
    scim_diag_init(&d, stderr);
    ASSERT_EQ(scim_map_model(&mp, &m, &cfg, &d), 0);
    ASSERT_EQ(mp.layers[0].clip_possible, 0);
    struct scim_rng r;
    scim_rng_init(&r, seed, 99);
    size_t npix = (size_t)c * h * w;
    uint8_t *pix = malloc(npix);
    for (int img = 0; img < 50; img++) {
        for (size_t i = 0; i < npix; i++)
            pix[i] = (uint8_t)scim_rng_u32(&r);
        int dropped[8];
        for (int l = 0; l < n; l++)
            dropped[l] = (int)(scim_rng_u32(&r) & 1);
        double ref[64], chip[64];
        struct scim_mvm_stats st = {0};
        ref_forward(&m, pix, enc == SCIM_INPUT_BITSERIAL8, dropped, ref);
        chip_forward(&mp, pix, dropped, chip, &st);
        for (int k = 0; k < m.classes; k++)
            ASSERT(memcmp(&ref[k], &chip[k], sizeof(double)) == 0);
        ASSERT_EQ(st.clips, 0);
    }
    free(pix);
    scim_mapping_free(&mp);
    scim_config_free(&cfg);
    scim_model_free(&m);
    scim_diag_free(&d);
}

/* A linear layer of 100 inputs with a 3-bit ADC and 16 weights per read:
 * every chunk's match count is clipped at 7 before the accumulator. */
static void clipped_sums(void)
{
    struct tlayer_spec spec[] = {{SCIM_LAYER_LINEAR, 12, 0, 0, 0, SCIM_POOL_NONE, 1}};
    struct scim_model m;
    struct scim_config cfg;
    struct scim_mapping mp;
    struct scim_diag d;
    const char *ov[] = {"adc.bits=3", "crossbar.rows_per_read=16", "crossbar.rows=64"};
    tm_build(&m, spec, 1, 1, 10, 10, SCIM_INPUT_BINARY, 5);
    tm_load_cfg(&cfg, ov, 3);
    scim_diag_init(&d, stderr);
    ASSERT_EQ(scim_map_model(&mp, &m, &cfg, &d), 0);
    const struct scim_layer_map *lm = &mp.layers[0];
    ASSERT_EQ(lm->clip_possible, 1);
    ASSERT_EQ(lm->n_chunks, 7); /* tiles of 32 weights (32, 32, 32, 4): 2 + 2 + 2 + 1 reads */
    uint8_t pix[100];
    struct scim_rng r;
    scim_rng_init(&r, 3, 3);
    uint64_t clips_total = 0;
    for (int img = 0; img < 100; img++) {
        for (int i = 0; i < 100; i++)
            pix[i] = (uint8_t)scim_rng_u32(&r);
        struct scim_act a;
        ASSERT_EQ(scim_act_alloc(&a, lm), 0);
        scim_act_from_pixels(&a, lm, pix);
        int32_t s[12];
        uint64_t scratch[4];
        struct scim_mvm_stats st = {0};
        scim_mvm(lm, &a, NULL, s, scratch, &st);
        uint64_t clips = 0;
        for (int j = 0; j < 12; j++) {
            long expect = 0;
            for (int t = 0; t < 100; t += 32)           /* row tiles of 32 weights */
                for (int c0 = t; c0 < t + 32 && c0 < 100; c0 += 16) {
                    int len = 0, match = 0;
                    for (int i = c0; i < c0 + 16 && i < t + 32 && i < 100; i++, len++)
                        match += (m.layers[0].weight[j * 100 + i] > 0) == (pix[i] >= 128);
                    clips += match > 7;
                    expect += 2 * (match > 7 ? 7 : match) - len;
                }
            ASSERT_EQ(s[j], expect);
        }
        ASSERT_EQ(st.clips, clips);
        clips_total += clips;
        scim_act_free(&a);
    }
    ASSERT(clips_total > 0);
    scim_mapping_free(&mp);
    scim_config_free(&cfg);
    scim_model_free(&m);
    scim_diag_free(&d);
}

int main(void)
{
    const struct tlayer_spec *lenet = tm_lenet;
    struct tlayer_spec strided[] = {
        {SCIM_LAYER_CONV, 5, 3, 2, 1, SCIM_POOL_NONE, 1},
        {SCIM_LAYER_LINEAR, 70, 0, 0, 0, SCIM_POOL_NONE, 1},
        {SCIM_LAYER_LINEAR, 10, 0, 0, 0, SCIM_POOL_NONE, 1},
    };
    /* 16 and 32 input channels: channel-minor windows whose runs cross words, strided */
    struct tlayer_spec wide[] = {
        {SCIM_LAYER_CONV, 16, 3, 1, 1, SCIM_POOL_NONE, 1},
        {SCIM_LAYER_CONV, 32, 3, 2, 1, SCIM_POOL_NONE, 1},
        {SCIM_LAYER_CONV, 8, 5, 1, 2, SCIM_POOL_NONE, 1},
        {SCIM_LAYER_LINEAR, 10, 0, 0, 0, SCIM_POOL_NONE, 1},
    };
    const char *strategies[] = {"mapping.conv_strategy=unrolled", "mapping.conv_strategy=kxk"};
    for (int s = 0; s < 2; s++) {
        compare_model(wide, 4, 1, 12, 12, SCIM_INPUT_BINARY, strategies[s], 14);
        compare_model(lenet, 4, 1, 12, 12, SCIM_INPUT_BITSERIAL8, strategies[s], 11);
        compare_model(lenet, 4, 2, 10, 10, SCIM_INPUT_BINARY, strategies[s], 12);
        compare_model(strided, 3, 3, 9, 9, SCIM_INPUT_BITSERIAL8, strategies[s], 13);
    }
    clipped_sums();
    compare_faulty(lenet, 4, SCIM_INPUT_BITSERIAL8, "mapping.conv_strategy=unrolled");
    compare_faulty(lenet, 4, SCIM_INPUT_BINARY, "mapping.conv_strategy=kxk");
    fault_layers(lenet, 4);
    compare_method(lenet, 4, SCIM_METHOD_AFFINE_DROPOUT, 0, NULL);
    compare_method(lenet, 4, SCIM_METHOD_SUBSET, 0, NULL);
    compare_method(lenet, 4, SCIM_METHOD_SPINDROP, 1, NULL);
    residual_thresholds();
    compare_residual();
    printf("datapath: chip logits equal the reference forward pass (all methods, residual)\n");
    return 0;
}
