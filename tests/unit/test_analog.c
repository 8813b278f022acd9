/*
 * test_analog.c - the analog read mode (arch/analog/analog.h) against per-cell references:
 *  - with no variation, every analog kernel gives bit for bit the digital sums and
 *    events (methods, faults, row masks, clipping, both conv strategies and encodings);
 *  - a device-to-device lookup-table read equals the sum over its cells (float
 *    tolerance: the same code except near ties), and the draws have the configured sigma;
 *  - read noise: the code (or sum) histograms of the event, integer-path and
 *    lookup-table kernels match a slow per-cell simulation (chi-square homogeneity);
 *  - the first-order IR drop against the nodal voltages; the truncated-normal and
 *    geometric samplers; results repeat for the same (chip, image, pass).
 * CTest runs it twice: with the widest kernels and with SPINCIM_PORTABLE=1.
 */
#include <math.h>

#include "arch/analog/analog.h"
#include "arch/datapath.h"
#include "arch/faults.h"
#include "harness.h"
#include "arch/config.h"
#include "sim/base/diag.h"
#include "sim/base/rng.h"
#include "testmodel.h"

static void map(struct scim_mapping *mp, const struct scim_model *m, const struct scim_config *cfg)
{
    struct scim_diag d;
    scim_diag_init(&d, stderr);
    ASSERT_EQ(scim_map_model(mp, m, cfg, &d), 0);
    scim_diag_free(&d);
}

/* ---- no variation: the digital results ---- */

/* The analog kernel that `variation` (overrides, NULL-terminated) selects, with a
 * variation far below float resolution (every read's value rounds to its exact count),
 * against the digital mode on random images, scale variants and row masks. */
static void equals_digital(const struct tlayer_spec *spec, int n, enum scim_method method,
                           enum scim_input_encoding enc, const char *strategy, const char *adc,
                           int faults, const char *const *variation, int want_kernel)
{
    struct scim_model base, m;
    struct scim_config dcfg, acfg;
    struct scim_mapping dmp, amp;
    struct scim_analog an;
    struct scim_fault_summary sum;
    const char *ov[16] = {adc, "crossbar.rows_per_read=16", "crossbar.rows=64", strategy};
    size_t nd = 4;
    if (faults) {
        ov[nd++] = "faults.stuck_p=0.04", ov[nd++] = "faults.stuck_ap=0.03";
        ov[nd++] = "faults.bit_flip=0.05";
    }
    size_t na = nd;
    ov[na++] = "crossbar.read_mode=analog";
    for (; *variation; variation++)
        ov[na++] = *variation;
    int masked = method == SCIM_METHOD_SPINDROP || method == SCIM_METHOD_SPATIAL_SPINDROP;
    tm_build_method(&base, spec, n, 1, 12, 12, enc, 40 + method, method);
    tm_load_cfg(&dcfg, ov, nd);
    tm_load_cfg(&acfg, ov, na);
    ASSERT_EQ(scim_faults_apply(&m, &base, &dcfg, 2, &sum), 0);
    ASSERT(!faults || sum.stuck > 0);
    map(&dmp, &m, &dcfg);
    map(&amp, &m, &acfg);
    ASSERT_EQ(scim_analog_init(&an, &acfg, &m, &amp, 1, 1), 0);
    for (int l = 0; l < n; l++)
        ASSERT_EQ(an.layers[l].kernel, want_kernel);
    void *work = scim_analog_work_alloc(&an);
    struct scim_rng r;
    scim_rng_init(&r, 9, (uint64_t)method);
    uint64_t *masks[8] = {0};
    for (int l = 0; l < n; l++)
        masks[l] = calloc((size_t)dmp.layers[l].n_words, sizeof(uint64_t));
    for (int img = 0; img < 12; img++) {
        uint8_t pix[144];
        int variant[8];
        for (int i = 0; i < 144; i++)
            pix[i] = (uint8_t)scim_rng_u32(&r);
        for (int l = 0; l < n; l++) {
            variant[l] =
                masked ? 0 : (int)(scim_rng_u32(&r) % (uint32_t)scim_layer_variants(&m.layers[l]));
            memset(masks[l], 0, (size_t)dmp.layers[l].n_words * sizeof(uint64_t));
            for (int i = 0; i < m.layers[l].fan_in; i++)
                masks[l][i >> 6] |= (uint64_t)(scim_rng_u32(&r) % 4 != 0) << (i & 63);
        }
        double dl[64], al[64];
        struct scim_mvm_stats ds = {0}, as = {0};
        tm_forward(&dmp, NULL, NULL, pix, variant, masked ? masks : NULL, img, dl, &ds);
        tm_forward(&amp, &an, work, pix, variant, masked ? masks : NULL, img, al, &as);
        for (int k = 0; k < m.classes; k++)
            ASSERT(memcmp(&dl[k], &al[k], sizeof(double)) == 0);
        ASSERT_EQ(as.cells_lrs, ds.cells_lrs);
        ASSERT_EQ(as.clips, ds.clips);
        ASSERT_EQ(as.misreads, 0);
        ASSERT_EQ(as.wordlines_off, ds.wordlines_off);
        ASSERT_EQ(as.cells_off, ds.cells_off);
    }
    for (int l = 0; l < n; l++)
        free(masks[l]);
    free(work);
    scim_analog_free(&an);
    scim_mapping_free(&dmp);
    scim_mapping_free(&amp);
    scim_faults_free(&m);
    scim_model_free(&base);
    scim_config_free(&dcfg);
    scim_config_free(&acfg);
}

/* ---- device-to-device variation: tables against the cells ---- */

struct ref_ctx {
    const struct scim_analog *an;
    int32_t *s; /* reference sums, same layout as the MVM's */
    struct scim_mvm_stats st;
    uint8_t *near; /* [out_c * positions] an output had a read near a threshold */
    uint64_t near_reads;
};

/* A step's reads summed cell by cell in double from the chip's conductances. */
static void ref_step(const struct scim_mvm_step *sp, void *vc)
{
    struct ref_ctx *c = vc;
    const struct scim_layer_map *lm = sp->lm;
    const struct scim_analog_layer *al = &c->an->layers[lm->index];
    for (int k = 0; k < lm->n_chunks; k++) {
        const struct scim_chunk *ch = &lm->chunks[k];
        for (int j = 0; j < lm->layer->out_c; j++) {
            double g = 0.0;
            uint32_t len = 0, m = 0;
            for (uint32_t q = 0; q < ch->n_seg; q++) {
                const struct scim_seg *sg = &lm->segs[ch->first_seg + q];
                for (uint64_t rows = sg->mask; rows; rows &= rows - 1) {
                    int b = __builtin_ctzll(rows), i = (int)sg->word * 64 + b;
                    if (sp->mask && !((sp->mask[sg->word] >> b) & 1))
                        continue;
                    int xb = (int)((sp->x[sg->word] >> b) & 1);
                    int8_t w = lm->layer->weight[(size_t)j * (size_t)lm->n_rows + (size_t)i];
                    size_t at = (size_t)j * (size_t)lm->n_rows + (size_t)i;
                    g += xb ? al->ga[at] : al->gb[at];
                    m += w == SCIM_W_MATCH || (w == 1 && xb) || (w == -1 && !xb);
                    len++;
                }
            }
            double x = (g - len * c->an->g_ap) / c->an->dg;
            int clipped;
            uint32_t code = scim_adc_decide(x, len, lm->max_code, &clipped);
            uint32_t exact = m > lm->max_code ? lm->max_code : m;
            if (fabs(x - floor(x) - 0.5) < 1e-4) {
                c->near[(size_t)j * (size_t)lm->positions + (size_t)sp->pos] = 1;
                c->near_reads++;
            }
            c->st.clips += (uint64_t)clipped, c->st.cells_lrs += m, c->st.misreads += code != exact;
            c->s[(size_t)j * (size_t)lm->positions + (size_t)sp->pos] +=
                (2 * (int32_t)code - (int32_t)len) * (1 << sp->shift);
        }
    }
}

/* Every layer's lookup-table sums against the per-cell reference on the same inputs. */
static void lut_equals_cells(const struct tlayer_spec *spec, int n, enum scim_method method,
                             enum scim_input_encoding enc, const char *strategy, int faults)
{
    struct scim_model base, m;
    struct scim_config cfg;
    struct scim_mapping mp;
    struct scim_analog an;
    struct scim_fault_summary sum;
    const char *ov[] = {"adc.bits=4",
                        "crossbar.rows_per_read=16",
                        "crossbar.rows=64",
                        strategy,
                        "crossbar.read_mode=analog",
                        "faults.d2d_sigma=0.08",
                        "faults.d2d_sigma_add=0.1uS",
                        "faults.stuck_p=0.03",
                        "faults.bit_flip=0.02"};
    int masked = method == SCIM_METHOD_SPINDROP || method == SCIM_METHOD_SPATIAL_SPINDROP;
    tm_build_method(&base, spec, n, 1, 12, 12, enc, 60 + method, method);
    tm_load_cfg(&cfg, ov, faults ? 9 : 7);
    ASSERT_EQ(scim_faults_apply(&m, &base, &cfg, 0, &sum), 0);
    map(&mp, &m, &cfg);
    ASSERT_EQ(scim_analog_init(&an, &cfg, &m, &mp, 1, 1), 0);
    void *work = scim_analog_work_alloc(&an);
    struct scim_rng r;
    scim_rng_init(&r, 4, (uint64_t)method);
    uint64_t mismatched = 0, near = 0, reads = 0, misreads = 0;
    for (int img = 0; img < 6; img++) {
        struct scim_act act[8];
        uint8_t pix[144];
        uint64_t scratch[64];
        for (int i = 0; i < 144; i++)
            pix[i] = (uint8_t)scim_rng_u32(&r);
        for (int l = 0; l < n; l++)
            ASSERT_EQ(scim_act_alloc(&act[l], &mp.layers[l]), 0);
        scim_act_from_pixels(&act[0], &mp.layers[0], pix);
        for (int l = 0; l < n; l++) {
            const struct scim_layer_map *lm = &mp.layers[l];
            size_t outs = (size_t)lm->positions * (size_t)lm->layer->out_c;
            uint64_t mask[64] = {0}, *mk = masked ? mask : NULL;
            for (int i = 0; masked && i < lm->n_rows; i++)
                mask[i >> 6] |= (uint64_t)(scim_rng_u32(&r) % 3 != 0) << (i & 63);
            int32_t *s = malloc(outs * sizeof(int32_t));
            struct ref_ctx ref = {&an, calloc(outs, sizeof(int32_t)), {0}, calloc(outs, 1), 0};
            struct scim_mvm_stats st = {0}, rst = {0};
            ASSERT_EQ(an.layers[l].kernel, SCIM_READ_LUT);
            ASSERT_EQ(an.layers[l].tabs, masked ? 2 : 1);
            scim_analog_mvm(&an, work, lm, &act[l], mk, s, scratch, &st, (uint64_t)img, 0);
            scim_mvm_steps(lm, &act[l], mk, ref.s, scratch, &rst, ref_step, &ref);
            for (size_t o = 0; o < outs; o++) {
                mismatched += s[o] != ref.s[o];
                ASSERT(s[o] == ref.s[o] || ref.near[o]);
            }
            ASSERT(llabs((long long)st.misreads - (long long)ref.st.misreads) <=
                   (long long)ref.near_reads);
            ASSERT(llabs((long long)st.clips - (long long)ref.st.clips) <=
                   (long long)ref.near_reads);
            ASSERT_EQ(st.cells_lrs, ref.st.cells_lrs);
            near += ref.near_reads, misreads += st.misreads;
            reads += (uint64_t)lm->positions * (uint64_t)lm->planes * (uint64_t)lm->n_chunks *
                     (uint64_t)lm->layer->out_c;
            scim_postprocess(lm, s, 0, NULL, l + 1 < n ? &act[l + 1] : NULL, (double[64]){0});
            free(s), free(ref.s), free(ref.near);
        }
        for (int l = 0; l < n; l++)
            scim_act_free(&act[l]);
    }
    ASSERT(misreads > reads / 500); /* 8 % variation misreads (rarely in 1-row kxk chunks) */
    ASSERT(near < reads / 500 && mismatched <= near);
    free(work);
    scim_analog_free(&an);
    scim_mapping_free(&mp);
    scim_faults_free(&m);
    scim_model_free(&base);
    scim_config_free(&cfg);
}

/* The device-to-device draws: G (1 + N(0, s^2)) + N(0, a^2) around the nominal state. */
static void d2d_draws(void)
{
    struct tlayer_spec spec[] = {{SCIM_LAYER_LINEAR, 64, 0, 0, 0, SCIM_POOL_NONE, 1}};
    struct scim_model m;
    struct scim_config cfg;
    struct scim_mapping mp;
    struct scim_analog an;
    const char *ov[] = {"crossbar.read_mode=analog", "faults.d2d_sigma=5%",
                        "faults.d2d_sigma_add=0.2uS"};
    tm_build(&m, spec, 1, 1, 16, 16, SCIM_INPUT_BINARY, 3);
    tm_load_cfg(&cfg, ov, 3);
    map(&mp, &m, &cfg);
    ASSERT_EQ(scim_analog_init(&an, &cfg, &m, &mp, 5, 1), 0);
    const struct scim_analog_layer *al = &an.layers[0];
    double sum = 0, ss = 0;
    int n = 64 * 256;
    for (int k = 0; k < n; k++) {
        int8_t w = m.layers[0].weight[k];
        double g0 = w > 0 ? an.g_p : an.g_ap; /* cell A's state */
        /* (G - g0) / sqrt((s g0)^2 + a^2) is standard normal */
        double z = (al->ga[k] - g0) / sqrt(0.05 * 0.05 * g0 * g0 + 0.2e-6 * 0.2e-6);
        sum += z, ss += z * z;
    }
    ASSERT_NEAR(sum / n, 0.0, 4.0 / sqrt(n));
    ASSERT_NEAR(ss / n, 1.0, 0.05);
    /* nominal conductances: the cell model at v_read, TMR's bias dependence included */
    ASSERT_NEAR(an.g_p, 1.0 / 331e3, 1e-15);
    ASSERT_NEAR(an.g_ap, 1.0 / (331e3 * (1.0 + 1.0 / (1.0 + 0.04))), 1e-15);
    scim_analog_free(&an);
    scim_mapping_free(&mp);
    scim_model_free(&m);
    scim_config_free(&cfg);
}

/* ---- read noise: distributions against per-cell simulation ---- */

/* Two-sample chi-square homogeneity test of histograms a, b (equal totals) over nb
 * bins; bins with fewer than 20 counts together are pooled. Fails above the 1e-4
 * critical value (Wilson-Hilferty). */
static void chi2_same(const uint32_t *a, const uint32_t *b, int nb, const char *what)
{
    double chi = 0, ra = 0, rb = 0;
    int df = -1;
    for (int i = 0; i < nb; i++) {
        if (a[i] + b[i] < 20) {
            ra += a[i], rb += b[i];
            continue;
        }
        chi += ((double)a[i] - b[i]) * ((double)a[i] - b[i]) / ((double)a[i] + b[i]);
        df++;
    }
    if (ra + rb > 0)
        chi += (ra - rb) * (ra - rb) / (ra + rb), df++;
    if (df < 1)
        return;
    double k = df, crit = k * pow(1.0 - 2.0 / (9.0 * k) + 3.719 * sqrt(2.0 / (9.0 * k)), 3.0);
    if (chi > crit) {
        fprintf(stderr, "%s: chi-square %.1f > %.1f (df %d)\n", what, chi, crit, df);
        for (int i = 0; i < nb; i++)
            if (a[i] + b[i])
                fprintf(stderr, "  %d: %u %u\n", i - nb / 2, a[i], b[i]);
        exit(1);
    }
}

/* A one-layer linear model with `fan_in` rows in one chunk per plane and `out` columns
 * (SpinDrop when its rows are masked). */
static void one_layer(struct scim_model *m, int fan_in, int out, enum scim_input_encoding enc,
                      int masked)
{
    struct tlayer_spec spec[] = {{SCIM_LAYER_LINEAR, out, 0, 0, 0, SCIM_POOL_NONE, 1}};
    tm_build_method(m, spec, 1, 1, 1, fan_in, enc, 77,
                    masked ? SCIM_METHOD_SPINDROP : SCIM_METHOD_SCALE_DROPOUT);
}

/* Per-cell reference of one read: each conducting cell's conductance g[i] (the chip's,
 * or nominal) with its read noise, summed; the ADC's nearest count, clipped. */
static uint32_t ref_read(const struct scim_analog *an, const double *g, int len, uint32_t max_code,
                         struct scim_rng *r)
{
    double sum = 0.0;
    for (int i = 0; i < len; i++) {
        double gi = g[i] * (1.0 + an->c2c.mul * scim_rng_normal(r));
        sum += gi + an->c2c.add_s * scim_rng_normal(r);
    }
    int clipped;
    return scim_adc_decide((sum - len * an->g_ap) / an->dg, (uint32_t)len, max_code, &clipped);
}

#define TRIALS 20000
#define SUMS 8192 /* histogram bins of a sum (offset by half; bit-serial sums reach 4080) */

/* Read noise on a one-layer model: the histogram of each column's sum over TRIALS passes
 * (each its own stream) against the per-cell simulation of the same reads. */
static void noise_histograms(const char *const *ov, size_t nov, enum scim_input_encoding enc,
                             int want_kernel, int masked, const char *what)
{
    struct scim_model m;
    struct scim_config cfg;
    struct scim_mapping mp;
    struct scim_analog an;
    enum { FAN = 16, OUT = 6 };
    uint8_t pix[FAN];
    struct scim_rng r;
    scim_rng_init(&r, 11, scim_stream_id(SCIM_STREAM_TEST, 1, 0));
    one_layer(&m, FAN, OUT, enc, masked);
    for (int i = 0; i < FAN; i++) /* columns get different match counts */
        pix[i] = enc == SCIM_INPUT_BINARY ? (i < 9 ? 200 : 10) : (uint8_t)scim_rng_u32(&r);
    for (int j = 0; j < OUT; j++)
        for (int i = 0; i < FAN; i++)
            m.layers[0].weight[j * FAN + i] =
                (int8_t)((i < 3 * j) ? (pix[i] >= 128 ? 1 : -1) : (pix[i] >= 128 ? -1 : 1));
    tm_load_cfg(&cfg, ov, nov);
    map(&mp, &m, &cfg);
    ASSERT_EQ(scim_analog_init(&an, &cfg, &m, &mp, 2, 1), 0);
    ASSERT_EQ(an.layers[0].kernel, want_kernel);
    ASSERT(an.redraws);
    const struct scim_layer_map *lm = &mp.layers[0];
    ASSERT_EQ(lm->n_chunks, 1);
    ASSERT_EQ(lm->int_path, enc == SCIM_INPUT_BITSERIAL8 && want_kernel == SCIM_READ_EVENTS);
    void *work = scim_analog_work_alloc(&an);
    uint64_t mask[1] = {masked ? 0x7BEDull : ~0ull}, *mk = masked ? mask : NULL;
    struct scim_act act;
    uint64_t scratch[4];
    ASSERT_EQ(scim_act_alloc(&act, lm), 0);
    scim_act_from_pixels(&act, lm, pix);
    uint32_t *hc = calloc((size_t)OUT * SUMS, sizeof(uint32_t));
    uint32_t *hr = calloc((size_t)OUT * SUMS, sizeof(uint32_t));
    uint64_t misreads = 0, ref_mis = 0;
    for (int t = 0; t < TRIALS; t++) {
        int32_t s[OUT];
        struct scim_mvm_stats st = {0};
        scim_analog_mvm(&an, work, lm, &act, mk, s, scratch, &st, 3, t);
        misreads += st.misreads;
        for (int j = 0; j < OUT; j++) {
            hc[j * SUMS + s[j] + SUMS / 2]++;
            int32_t ref = 0;
            for (int p = 0; p < lm->planes; p++) {
                double g[FAN];
                int len = 0;
                uint32_t exact = 0;
                for (int i = 0; i < FAN; i++) {
                    if (mk && !((mask[0] >> i) & 1))
                        continue;
                    int xb = lm->planes == 8 ? (pix[i] >> p) & 1 : pix[i] >= 128;
                    size_t at = (size_t)j * FAN + (size_t)i;
                    int8_t w = m.layers[0].weight[at];
                    const struct scim_analog_layer *al = &an.layers[0];
                    g[len++] = al->ga ? (xb ? al->ga[at] : al->gb[at])
                                      : ((w > 0) == xb ? an.g_p : an.g_ap);
                    exact += (w > 0) == xb;
                }
                uint32_t code = ref_read(&an, g, len, lm->max_code, &r);
                ref_mis += code != (exact > lm->max_code ? lm->max_code : exact);
                ref += (2 * (int32_t)code - len) * (1 << p);
            }
            hr[j * SUMS + ref + SUMS / 2]++;
        }
    }
    for (int j = 0; j < OUT; j++)
        chi2_same(hc + j * SUMS, hr + j * SUMS, SUMS, what);
    ASSERT(misreads > 0);
    /* misread counts: two binomial-like totals of the same mean */
    ASSERT(fabs((double)misreads - (double)ref_mis) < 6.0 * sqrt((double)misreads + ref_mis) + 10);
    free(hc), free(hr), free(work);
    scim_act_free(&act);
    scim_analog_free(&an);
    scim_mapping_free(&mp);
    scim_model_free(&m);
    scim_config_free(&cfg);
}

static void read_noise_events(void)
{
    const char *events[] = {"crossbar.read_mode=analog", "crossbar.rows=64", "adc.bits=5",
                            "faults.c2c_sigma=9%", "faults.c2c_sigma_add=0.3uS"};
    noise_histograms(events, 5, SCIM_INPUT_BINARY, SCIM_READ_EVENTS, 0, "events");
    noise_histograms(events, 5, SCIM_INPUT_BINARY, SCIM_READ_EVENTS, 1, "events, dropped rows");
    const char *clip[] = {"crossbar.read_mode=analog", "crossbar.rows=64", "adc.bits=3",
                          "faults.c2c_sigma=6%"};
    noise_histograms(clip, 4, SCIM_INPUT_BINARY, SCIM_READ_EVENTS, 0, "events, clipping ADC");
    const char *low[] = {"crossbar.read_mode=analog", "crossbar.rows=64", "faults.c2c_sigma=2.5%"};
    noise_histograms(low, 3, SCIM_INPUT_BINARY, SCIM_READ_EVENTS, 0, "rare events");
    noise_histograms(events, 5, SCIM_INPUT_BITSERIAL8, SCIM_READ_EVENTS, 0, "integer path");
    noise_histograms(events, 5, SCIM_INPUT_BITSERIAL8, SCIM_READ_EVENTS, 1,
                     "integer path, dropped rows");
}

static void read_noise_tables(void)
{
    const char *lut[] = {
        "crossbar.read_mode=analog", "crossbar.rows=64",    "adc.bits=5",
        "faults.d2d_sigma=6%",       "faults.c2c_sigma=4%", "faults.c2c_sigma_add=0.1uS"};
    noise_histograms(lut, 6, SCIM_INPUT_BINARY, SCIM_READ_LUT, 0, "tables with noise");
    noise_histograms(lut, 6, SCIM_INPUT_BINARY, SCIM_READ_LUT, 1,
                     "tables with noise, dropped rows");
    noise_histograms(lut, 6, SCIM_INPUT_BITSERIAL8, SCIM_READ_LUT, 0, "tables with noise, planes");
}

/* ---- IR drop, samplers, streams ---- */

/* The first-order bitline drop against the nodal voltages of the first-order solution,
 * and within O((r G N)^2) of the exact ladder solution. */
static void ir_drop(void)
{
    double g[5] = {3e-6, 1.5e-6, 3e-6, 3e-6, 1.5e-6}, r = 20.0, v = 0.1;
    uint32_t d[5] = {200, 150, 149, 40, 3};
    /* node voltages from the zeroth-order currents: V(p) = r sum_{q <= p} I(>= q) */
    double i_first = 0.0;
    for (int c = 0; c < 5; c++) {
        double vb = 0.0;
        for (uint32_t q = 1; q <= d[c]; q++)
            for (int e = 0; e < 5; e++)
                vb += d[e] >= q ? r * g[e] * v : 0.0;
        i_first += g[c] * (v - vb);
    }
    ASSERT_NEAR(scim_analog_ir_current(g, d, 5, r) * v, i_first, 1e-18);
    /* exact: fixed point of I_c = g_c (v - V(d_c)) */
    double ic[5];
    for (int c = 0; c < 5; c++)
        ic[c] = g[c] * v;
    for (int it = 0; it < 200; it++)
        for (int c = 0; c < 5; c++) {
            double vb = 0.0;
            for (uint32_t q = 1; q <= d[c]; q++)
                for (int e = 0; e < 5; e++)
                    vb += d[e] >= q ? r * ic[e] : 0.0;
            ic[c] = g[c] * (v - vb);
        }
    double exact = ic[0] + ic[1] + ic[2] + ic[3] + ic[4], gsum = 12e-6;
    double eps = r * gsum * 200; /* r G N: the expansion parameter */
    ASSERT(fabs(i_first - exact) < 2.0 * eps * eps * gsum * v);
    ASSERT(fabs(gsum * v - exact) > 10.0 * fabs(i_first - exact));
}

static double phi(double x)
{
    return 0.5 * erfc(-x / sqrt(2.0));
}

/* Kolmogorov-Smirnov distance of the truncated-normal samplers from their laws. */
static void samplers(void)
{
    enum { N = 20000 };
    static double z[N];
    struct scim_rng r;
    const double as[] = {0.4, 1.0, 2.5, 4.0};
    for (int t = 0; t < 4; t++) {
        double a = as[t], p0 = 2.0 * (1.0 - phi(a));
        scim_rng_init(&r, 5, (uint64_t)t);
        for (int i = 0; i < N; i++)
            z[i] = scim_rng_normal_tail(&r, a);
        /* |Z| given |Z| > a has the CDF 2 (Phi(t) - Phi(a)) / p0: binned, uniform */
        int bins[50] = {0}, neg = 0;
        double dmax = 0;
        for (int i = 0; i < N; i++) {
            ASSERT(fabs(z[i]) > a);
            neg += z[i] < 0;
            double f = 2.0 * (phi(fabs(z[i])) - phi(a)) / p0;
            bins[(int)(f * 50) < 50 ? (int)(f * 50) : 49]++;
        }
        ASSERT_NEAR((double)neg / N, 0.5, 4.0 * 0.5 / sqrt(N));
        double cum = 0;
        for (int b = 0; b < 50; b++) {
            cum += bins[b];
            dmax = fmax(dmax, fabs(cum / N - (b + 1) / 50.0));
        }
        ASSERT(dmax < 1.95 / sqrt(N)); /* KS at 0.001 on the binned CDF */
        scim_rng_init(&r, 6, (uint64_t)t);
        for (int i = 0; i < 50; i++)
            bins[i] = 0;
        for (int i = 0; i < N; i++) {
            double w = scim_rng_normal_within(&r, a);
            ASSERT(fabs(w) <= a);
            double f = (phi(w) - phi(-a)) / (1.0 - p0);
            bins[(int)(f * 50) < 50 ? (int)(f * 50) : 49]++;
        }
        cum = 0, dmax = 0;
        for (int b = 0; b < 50; b++) {
            cum += bins[b];
            dmax = fmax(dmax, fabs(cum / N - (b + 1) / 50.0));
        }
        ASSERT(dmax < 1.95 / sqrt(N));
    }
    /* geometric: mean (1 - p) / p and P(K = 0) = p */
    scim_rng_init(&r, 7, 0);
    double p = 0.03, sum = 0;
    int zeros = 0;
    for (int i = 0; i < N; i++) {
        uint64_t k = scim_rng_geometric(&r, log1p(-p));
        sum += (double)k, zeros += k == 0;
    }
    ASSERT_NEAR(sum / N, (1 - p) / p, 4.0 * sqrt((1 - p) / (p * p) / N));
    ASSERT_NEAR((double)zeros / N, p, 4.0 * sqrt(p * (1 - p) / N));
}

/* The buffered stream gives the scalar stream's words (vector or scalar rounds, across a
 * carry of the block counter), and the gap tables invert the same CDF as the log. */
static void batch_streams(void)
{
    struct scim_rng r;
    struct scim_rng_batch b;
    scim_rng_init_sub(&r, 11, 22, 33);
    scim_rng_batch_init(&b, 11, 22, 33);
    r.ctr[0] = b.ctr[0] = UINT32_MAX - 40; /* the batches straddle the carry */
    for (int i = 0; i < 1000; i++)
        ASSERT_EQ(scim_rng_batch_u32(&b), scim_rng_u32(&r));
    for (int i = 0; i < 1000; i++)
        ASSERT(scim_rng_batch_uniform(&b) == scim_rng_uniform(&r));
    const double ps[] = {1.0 / 32, 0.22, 0.9};
    for (int t = 0; t < 3; t++) {
        struct scim_geom g;
        struct scim_rng_batch b2;
        scim_geom_init(&g, ps[t]);
        scim_rng_batch_init(&b, 7, (uint64_t)t, 0);
        scim_rng_batch_init(&b2, 7, (uint64_t)t, 0);
        int same = 0, past = 0, n = 20000;
        for (int i = 0; i < n; i++) {
            uint64_t k1 = scim_geom_draw(&g, &b), k2 = scim_rng_batch_geometric(&b2, log1p(-ps[t]));
            if (k1 < SCIM_GEOM_K) {
                same += k1 == k2;
                continue;
            }
            past++; /* a second uniform: resynchronize the streams */
            scim_rng_batch_init(&b, 7, 1000 + (uint64_t)i, 0);
            scim_rng_batch_init(&b2, 7, 1000 + (uint64_t)i, 0);
        }
        ASSERT(same >= n - past - 2); /* rounding at a boundary, at most */
    }
    /* past the table: gaps of p = 1/32 reach 128 about 1.7 % of the time, mean (1 - p) / p */
    struct scim_geom g;
    scim_geom_init(&g, 1.0 / 32);
    scim_rng_batch_init(&b, 8, 0, 0);
    double sum = 0;
    int n = 200000, over = 0;
    for (int i = 0; i < n; i++) {
        uint64_t k = scim_geom_draw(&g, &b);
        sum += (double)k, over += k >= SCIM_GEOM_K;
    }
    double p = 1.0 / 32, q = pow(1 - p, SCIM_GEOM_K);
    ASSERT_NEAR(sum / n, (1 - p) / p, 4.0 * sqrt((1 - p) / (p * p) / n));
    ASSERT_NEAR((double)over / n, q, 4.0 * sqrt(q * (1 - q) / n));
}

/* The same (chip, image, pass) gives the same noisy sums; another pass or chip others. */
static void streams(void)
{
    struct scim_model m;
    struct scim_config cfg;
    struct scim_mapping mp;
    struct scim_analog a1, a2;
    const char *ov[] = {"crossbar.read_mode=analog", "faults.c2c_sigma=15%"};
    one_layer(&m, 200, 32, SCIM_INPUT_BINARY, 0);
    tm_load_cfg(&cfg, ov, 2);
    map(&mp, &m, &cfg);
    ASSERT_EQ(scim_analog_init(&a1, &cfg, &m, &mp, 1, 1), 0);
    ASSERT_EQ(scim_analog_init(&a2, &cfg, &m, &mp, 2, 1), 0);
    void *work = scim_analog_work_alloc(&a1);
    const struct scim_layer_map *lm = &mp.layers[0];
    struct scim_act act;
    uint8_t pix[200];
    uint64_t scratch[8];
    for (int i = 0; i < 200; i++)
        pix[i] = (uint8_t)(i * 37);
    ASSERT_EQ(scim_act_alloc(&act, lm), 0);
    scim_act_from_pixels(&act, lm, pix);
    int32_t s[4][32];
    struct scim_mvm_stats st = {0};
    scim_analog_mvm(&a1, work, lm, &act, NULL, s[0], scratch, &st, 4, 1);
    scim_analog_mvm(&a1, work, lm, &act, NULL, s[1], scratch, &st, 4, 1);
    scim_analog_mvm(&a1, work, lm, &act, NULL, s[2], scratch, &st, 4, 2);
    scim_analog_mvm(&a2, work, lm, &act, NULL, s[3], scratch, &st, 4, 1);
    ASSERT(memcmp(s[0], s[1], sizeof(s[0])) == 0);
    ASSERT(memcmp(s[0], s[2], sizeof(s[0])) != 0);
    ASSERT(memcmp(s[0], s[3], sizeof(s[0])) != 0);
    free(work);
    scim_act_free(&act);
    scim_analog_free(&a1);
    scim_analog_free(&a2);
    scim_mapping_free(&mp);
    scim_model_free(&m);
    scim_config_free(&cfg);
}

/* No variation gives the digital results: every kernel, method and fault. */
static void part_digital(void)
{
    const struct tlayer_spec *lenet = tm_lenet;
    const char *unrolled = "mapping.conv_strategy=unrolled", *kxk = "mapping.conv_strategy=kxk";
    const char *lut[] = {"faults.d2d_sigma=1e-12", "faults.d2d_sigma_add=1e-18S", NULL};
    const char *lut_noise[] = {"faults.d2d_sigma=1e-12", "faults.c2c_sigma=1e-12", NULL};
    const char *events[] = {"faults.c2c_sigma=1e-12", "faults.c2c_sigma_add=1e-18S", NULL};
    const char *cells[] = {"crossbar.wire_resistance=1e-12ohm", NULL};
    const enum scim_method methods[] = {SCIM_METHOD_BNN,
                                        SCIM_METHOD_SCALE_DROPOUT,
                                        SCIM_METHOD_SPINDROP,
                                        SCIM_METHOD_SPATIAL_SPINDROP,
                                        SCIM_METHOD_AFFINE_DROPOUT,
                                        SCIM_METHOD_SUBSET};
    const enum scim_input_encoding b8 = SCIM_INPUT_BITSERIAL8, bin = SCIM_INPUT_BINARY;
    for (int k = 0; k < 6; k++) {
        enum scim_method me = methods[k];
        equals_digital(lenet, 4, me, b8, unrolled, "adc.bits=5", 0, lut, SCIM_READ_LUT);
        equals_digital(lenet, 4, me, bin, kxk, "adc.bits=3", 1, lut, SCIM_READ_LUT);
        equals_digital(lenet, 4, me, b8, kxk, "adc.bits=3", 1, lut_noise, SCIM_READ_LUT);
        equals_digital(lenet, 4, me, b8, unrolled, "adc.bits=5", 0, events, SCIM_READ_EVENTS);
        equals_digital(lenet, 4, me, bin, kxk, "adc.bits=3", 1, events, SCIM_READ_EVENTS);
        equals_digital(lenet, 4, me, b8, kxk, "adc.bits=3", 1, cells, SCIM_READ_CELLS);
    }
    printf("analog: no variation gives the digital results (every kernel, method, fault)\n");
}

static void part_lut(void)
{
    const char *unrolled = "mapping.conv_strategy=unrolled", *kxk = "mapping.conv_strategy=kxk";
    lut_equals_cells(tm_lenet, 4, SCIM_METHOD_SCALE_DROPOUT, SCIM_INPUT_BITSERIAL8, unrolled, 0);
    lut_equals_cells(tm_lenet, 4, SCIM_METHOD_SPINDROP, SCIM_INPUT_BINARY, kxk, 1);
    lut_equals_cells(tm_lenet, 4, SCIM_METHOD_BNN, SCIM_INPUT_BINARY, unrolled, 1);
    d2d_draws();
    printf("analog: lookup-table reads equal the per-cell sums\n");
}

static void part_noise(void)
{
    read_noise_events();
    printf("analog: read-noise code distributions equal the per-cell simulation (events)\n");
}

static void part_noise_tables(void)
{
    read_noise_tables();
    printf("analog: read-noise code distributions equal the per-cell simulation (tables)\n");
}

static void part_rest(void)
{
    ir_drop();
    samplers();
    batch_streams();
    streams();
    printf("analog: IR drop, samplers and streams\n");
}

/* test_analog [digital|lut|noise|rest]: one part (ctest runs each on its own, so none
 * comes near its timeout under the sanitizers), or every part without an argument. */
int main(int argc, char **argv)
{
    static const struct {
        const char *name;
        void (*fn)(void);
    } parts[] = {{"digital", part_digital}, {"lut", part_lut}, {"noise", part_noise},
                 {"noise_tables", part_noise_tables}, {"rest", part_rest}};
    int ran = 0;
    for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
        if (argc < 2 || !strcmp(argv[1], parts[i].name))
            parts[i].fn(), ran++;
    if (!ran) {
        fprintf(stderr, "test_analog: unknown part '%s'\n", argv[1]);
        return 2;
    }
    return 0;
}
