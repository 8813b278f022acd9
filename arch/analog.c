/*
 * analog.c - the analog read of the weight arrays: per-chip conductances, lookup tables,
 * and the read kernels (arch/analog.h gives the semantics and why each is exact).
 */
#include "analog.h"

#include <immintrin.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim/base/error.h"
#include "sim/base/rng.h"
#include "faults.h"
#include "neuron.h"

/* Instruction sets the kernels use, chosen once (with datapath_kernel.c's choice). */
static int has_v512;  /* the AVX-512 LUT kernel can run */
static int fast_bits; /* popcnt and pext instructions */
static int chosen;

static void choose(void)
{
    const char *k = scim_popcount_kernel();
    has_v512 = !strcmp(k, "avx512-vpopcntdq");
    fast_bits = strcmp(k, "portable") && __builtin_cpu_supports("bmi2");
    chosen = 1;
}

/* ---- chip set-up ---- */

/* Rows of chunk c in order (bit indices of the packed input), into rows; returns how many. */
static int chunk_rows(const struct scim_layer_map *lm, const struct scim_chunk *c, uint32_t *rows)
{
    int n = 0;
    for (uint32_t k = 0; k < c->n_seg; k++) {
        const struct scim_seg *sg = &lm->segs[c->first_seg + k];
        for (uint64_t m = sg->mask; m; m &= m - 1)
            rows[n++] = sg->word * 64u + (uint32_t)__builtin_ctzll(m);
    }
    return n;
}

/* Conductance of a weight's cell A (b = 0) or B (b = 1) as its stored code leaves it:
 * +1 puts A in P, -1 puts B in P; a stuck pair has both cells in P or both in AP. */
static double nominal_g(const struct scim_analog *an, int8_t code, int b)
{
    int p = code == SCIM_W_MATCH || (code == 1 && b == 0) || (code == -1 && b == 1);
    return p ? an->g_p : an->g_ap;
}

/* Each cell's conductance: nominal, then the chip's device-to-device draw (stream
 * (chip, layer); per column, per row, cell A then B). */
static int sample_cells(const struct scim_analog *an, struct scim_analog_layer *al,
                        const struct scim_layer_map *lm)
{
    const struct scim_layer *L = lm->layer;
    size_t n = (size_t)L->out_c * (size_t)lm->n_rows;
    al->ga = malloc(n * sizeof(double));
    al->gb = malloc(n * sizeof(double));
    if (!al->ga || !al->gb)
        return SCIM_ENOMEM;
    struct scim_rng r;
    scim_rng_init(&r, (uint64_t)an->cfg->workload.seed,
                  scim_stream_id(SCIM_STREAM_VARIATION, an->chip, (uint64_t)lm->index));
    struct scim_rand rnd = scim_rng_rand(&r);
    int d2d = al->varied && scim_variation_any(&an->d2d);
    for (size_t k = 0; k < n; k++) {
        al->ga[k] = nominal_g(an, L->weight[k], 0);
        al->gb[k] = nominal_g(an, L->weight[k], 1);
        if (d2d) {
            al->ga[k] = scim_vary_conductance(al->ga[k], &an->d2d, &rnd);
            al->gb[k] = scim_vary_conductance(al->gb[k], &an->d2d, &rnd);
        }
    }
    return 0;
}

/* Entry v of table tab of 4-row group q: the summed e of the cells that conduct for the
 * input pattern v of its rows (of the n rows of the chunk). One table: A cells for set
 * bits, B cells for clear ones. Two (row masks): A cells of set bits, B cells of set bits
 * (indexed by the complement of the input). */
static double lut_entry(const struct scim_analog *an, const struct scim_analog_layer *al,
                        const double *ga, const double *gb, const uint32_t *rows, int n, int q,
                        int tab, int v)
{
    double sum = 0.0;
    for (int b = 0; b < 4 && 4 * q + b < n; b++) {
        uint32_t i = rows[4 * q + b];
        int set = (v >> b) & 1;
        if (al->tabs == 1)
            sum += ((set ? ga[i] : gb[i]) - an->g_ap) / an->dg;
        else if (set)
            sum += ((tab ? gb[i] : ga[i]) - an->g_ap) / an->dg;
    }
    return sum;
}

/* The tables of chunk k, column j (struct scim_analog_layer.lut). */
static void fill_lut(const struct scim_analog *an, struct scim_analog_layer *al,
                     const struct scim_layer_map *lm, int k, int j, const uint32_t *rows, int n)
{
    size_t nr = (size_t)lm->n_rows, cp = (size_t)al->cpad;
    const double *ga = al->ga + (size_t)j * nr, *gb = al->gb + (size_t)j * nr;
    float *t = al->lut + (size_t)k * (size_t)al->nib * (size_t)al->tabs * 16 * cp + (size_t)j;
    for (int q = 0; q < al->nib; q++)
        for (int tab = 0; tab < al->tabs; tab++)
            for (int v = 0; v < 16; v++, t += cp)
                *t = (float)lut_entry(an, al, ga, gb, rows, n, q, tab, v);
}

/* Compressed weight bits of chunk k, column j: row t of the chunk at bit t. */
static void fill_wbits(struct scim_analog_layer *al, const struct scim_layer_map *lm, int k, int j,
                       const uint32_t *rows, int n)
{
    size_t cp = (size_t)al->cpad;
    uint32_t *w = al->wbits + (size_t)k * (size_t)al->nw * 3 * cp + (size_t)j;
    for (int t = 0; t < n; t++) {
        int8_t code = lm->layer->weight[(size_t)j * (size_t)lm->n_rows + rows[t]];
        uint32_t bit = 1u << (t & 31);
        size_t at = (size_t)(t >> 5) * 3 * cp;
        w[at] |= code == 1 ? bit : 0;
        w[at + cp] |= code == 1 || code == -1 ? bit : 0;
        w[at + 2 * cp] |= code == SCIM_W_MATCH ? bit : 0;
    }
}

/* Bound of the noise std (LSB) of any read of chunk k, column j: every row conducting
 * through its larger cell. */
static double noise_bound(const struct scim_analog *an, const struct scim_analog_layer *al,
                          const struct scim_layer_map *lm, int j, const uint32_t *rows, int n)
{
    double s2 = 0.0;
    for (int t = 0; t < n; t++) {
        size_t at = (size_t)j * (size_t)lm->n_rows + rows[t];
        s2 += fmax(al->ga[at] * al->ga[at], al->gb[at] * al->gb[at]);
    }
    return sqrt(scim_variation_var(&an->c2c, s2, n)) / an->dg * (1.0 + 1e-12);
}

/* Events are the reads with |Z| > z0 (analog.h). */
static void set_z0(struct scim_analog_layer *al, double z0)
{
    double p0 = erfc(z0 / sqrt(2.0));
    al->z0 = z0;
    al->log1m_p0 = p0 > 0.0 ? log1p(-p0) : 0.0;
}

static int build_lut(const struct scim_analog *an, struct scim_analog_layer *al,
                     const struct scim_layer_map *lm)
{
    size_t nc = (size_t)lm->n_chunks, cp = (size_t)al->cpad;
    al->lut = calloc(nc * (size_t)al->nib * (size_t)al->tabs * 16 * cp, sizeof(float));
    al->wbits = calloc(nc * (size_t)al->nw * 3 * cp, sizeof(uint32_t));
    al->zs = al->noise ? calloc(nc * cp, sizeof(float)) : NULL;
    uint32_t *rows = malloc((size_t)al->max_len * sizeof(uint32_t));
    if (!al->lut || !al->wbits || !rows || (al->noise && !al->zs))
        return free(rows), SCIM_ENOMEM;
    double ssum = 0.0;
    for (int k = 0; k < lm->n_chunks; k++) {
        int n = chunk_rows(lm, &lm->chunks[k], rows);
        for (int j = 0; j < lm->layer->out_c; j++) {
            fill_lut(an, al, lm, k, j, rows, n);
            fill_wbits(al, lm, k, j, rows, n);
            if (al->noise)
                ssum += al->zs[(size_t)k * cp + (size_t)j] =
                    (float)noise_bound(an, al, lm, j, rows, n);
        }
    }
    free(rows);
    if (al->noise) {
        /* Any z0 is exact; this one balances the reads near a threshold (~2 z0 s) against
         * the events (2 Q(z0)) for the typical bound s. */
        double s = ssum / ((double)nc * lm->layer->out_c);
        double z0 = s > 0.0 ? sqrt(fmax(0.0, -2.0 * log(s * sqrt(2.0 * M_PI)))) : 6.0;
        set_z0(al, fmin(6.0, fmax(1.0, z0)));
        for (int k = 0; k < lm->n_chunks; k++) /* the bounds z0 s, rounded up */
            for (int j = 0; j < lm->layer->out_c; j++) {
                float *zs = &al->zs[(size_t)k * cp + (size_t)j];
                *zs = (float)(al->z0 * *zs * (1.0 + 1e-6)) + 1e-6f * (float)(lm->chunks[k].len + 1);
            }
    }
    return 0;
}

/* Wire segments between each row's cell A and the sense node past the last physical row:
 * weight w of an array sits on rows 2w (A) and 2w + 1 (B), w counted along its tile. */
static int build_dist(const struct scim_analog *an, struct scim_analog_layer *al,
                      const struct scim_layer_map *lm)
{
    uint32_t *rows = malloc((size_t)al->max_len * sizeof(uint32_t));
    al->dist = calloc((size_t)lm->n_rows, sizeof(uint32_t));
    if (!rows || !al->dist)
        return free(rows), SCIM_ENOMEM;
    int64_t R = an->cfg->crossbar.rows;
    for (int k = 0, w = 0; k < lm->n_chunks; k++) {
        if (k > 0 && lm->chunks[k].tile != lm->chunks[k - 1].tile)
            w = 0;
        int n = chunk_rows(lm, &lm->chunks[k], rows);
        for (int t = 0; t < n; t++, w++)
            al->dist[rows[t]] = (uint32_t)(R - 2 * w);
    }
    free(rows);
    return 0;
}

/* Noise std (LSB) of a read of nominal cells: m of its len conducting cells in P. */
static double nominal_noise(const struct scim_analog *an, int m, int len)
{
    double g2 = m * an->g_p * an->g_p + (len - m) * an->g_ap * an->g_ap;
    return sqrt(scim_variation_var(&an->c2c, g2, len)) / an->dg;
}

/* P(lo < Z < hi and |Z| > z0) for a standard normal Z, from tail probabilities (no
 * cancellation far out). */
static double tail_mass(double lo, double hi, double z0)
{
    double q = 0.0;
    double a = fmax(lo, z0), b = hi; /* upper tail */
    if (a < b)
        q += 0.5 * (erfc(a / M_SQRT2) - erfc(b / M_SQRT2));
    a = lo, b = fmin(hi, -z0); /* lower tail, by symmetry */
    if (a < b)
        q += 0.5 * (erfc(-b / M_SQRT2) - erfc(-a / M_SQRT2));
    return q;
}

#define EVENT_TABLE_MAX (1u << 22) /* doubles of a layer's event tables, at most */

/* EVENTS: for each count class (len, m), the distribution of the nearest count n of an
 * event read, x = m + s Z given |Z| > z0: the masses P(Z in ((n - 1/2 - m) / s,
 * (n + 1/2 - m) / s), |Z| > z0) (n = 0 and n = len open to infinity), normalized, as a
 * Walker alias table (Vose's construction): entry i of k keeps its own count with
 * probability prob and gives the rest of its 1/k to its alias, so one uniform u picks
 * entry floor(k u) and its fraction decides — an exact sampler of the masses. Counts
 * farther than (z0 + EVENT_RANGE) s + 1 from m are left out: an event lands there with
 * probability P(|Z| > z0 + 12 | |Z| > z0) < exp(-12 z0 - 72) < 1e-31, far below the
 * 2^-53 resolution of the uniform that picks the count. */
#define EVENT_RANGE 12.0
static void event_class(const struct scim_analog *an, struct scim_analog_layer *al, int len, int m,
                        int W, struct scim_ev_entry *e, double *q, int *work)
{
    double s = nominal_noise(an, m, len), sum = 0.0;
    int lo = m - W > 0 ? m - W : 0, hi = m + W < len ? m + W : len, k = hi - lo + 1;
    for (int t = 0; t < k; t++) {
        int n = lo + t;
        double zl = n == 0 ? -INFINITY : (n - 0.5 - m) / s;
        double zh = n == len ? INFINITY : (n + 0.5 - m) / s;
        sum += q[t] = s > 0.0 ? tail_mass(zl, zh, al->z0) : (n == m);
    }
    int *small = work, *large = work + k, ns = 0, nl = 0;
    for (int t = 0; t < k; t++) {
        e[t].n = e[t].alias = (uint32_t)(lo + t);
        e[t].prob = 1.0;
        q[t] *= k / sum;
        if (q[t] < 1.0)
            small[ns++] = t;
        else
            large[nl++] = t;
    }
    while (ns > 0 && nl > 0) {
        int a = small[--ns], b = large[nl - 1];
        e[a].prob = q[a], e[a].alias = (uint32_t)(lo + b);
        q[b] -= 1.0 - q[a];
        if (q[b] < 1.0)
            small[ns++] = b, nl--;
    }
    /* what is left holds 1/k each up to rounding: prob 1 */
}

static int build_event_tables(const struct scim_analog *an, struct scim_analog_layer *al)
{
    int L = al->max_len;
    double s_max = fmax(nominal_noise(an, L, L), nominal_noise(an, 0, L));
    int W = (int)ceil((al->z0 + EVENT_RANGE) * s_max + 1.0);
    size_t classes = (size_t)(L + 1) * (size_t)(L + 2) / 2, total = 0;
    for (int len = 0; len <= L; len++)
        total += (size_t)(len + 1) * (size_t)(2 * W + 1 < len + 1 ? 2 * W + 1 : len + 1);
    if (total > EVENT_TABLE_MAX)
        return 0; /* events draw Z instead */
    al->ev_at = malloc((classes + 1) * sizeof(uint32_t));
    al->ev = malloc(total * sizeof(*al->ev));
    double *q = malloc((size_t)(2 * W + 1) * sizeof(double));
    int *work = malloc((size_t)(4 * W + 2) * sizeof(int));
    if (!al->ev_at || !al->ev || !q || !work)
        return free(q), free(work), SCIM_ENOMEM;
    size_t at = 0, ci = 0;
    for (int len = 0; len <= L; len++)
        for (int m = 0; m <= len; m++, ci++) {
            al->ev_at[ci] = (uint32_t)at;
            event_class(an, al, len, m, W, al->ev + at, q, work);
            at += (size_t)((m + W < len ? m + W : len) - (m - W > 0 ? m - W : 0) + 1);
        }
    al->ev_at[ci] = (uint32_t)at;
    free(q), free(work);
    return 0;
}

/* Integer-path layers: where row i's pixel sits relative to the kernel window's first
 * pixel in the padded image (datapath.h: [c][h + 2 pad][w + 2 pad]), or at i (linear). */
static int build_pix_off(struct scim_analog_layer *al, const struct scim_layer_map *lm)
{
    const struct scim_layer *L = lm->layer;
    size_t hp = (size_t)(L->in_h + 2 * L->padding), wp = (size_t)(L->in_w + 2 * L->padding);
    int k = L->kernel;
    al->pix_off = malloc((size_t)lm->n_rows * sizeof(uint32_t));
    if (!al->pix_off)
        return SCIM_ENOMEM;
    for (int i = 0; i < lm->n_rows; i++)
        al->pix_off[i] =
            L->kind == SCIM_LAYER_CONV
                ? (uint32_t)(((size_t)(i / (k * k)) * hp + (size_t)(i % (k * k) / k)) * wp +
                             (size_t)(i % k))
                : (uint32_t)i;
    return 0;
}

static int init_layer(struct scim_analog *an, struct scim_analog_layer *al,
                      const struct scim_layer_map *lm, int on, int masked)
{
    al->varied = on && scim_variation_enabled(an->cfg);
    al->tabs = masked ? 2 : 1;
    al->noise = al->varied && scim_variation_any(&an->c2c);
    int d2d = al->varied && scim_variation_any(&an->d2d);
    al->kernel = an->r_wire > 0.0 ? SCIM_READ_CELLS
                 : d2d            ? SCIM_READ_LUT
                 : al->noise      ? SCIM_READ_EVENTS
                                  : SCIM_READ_DIGITAL;
    if ((al->kernel == SCIM_READ_LUT || al->kernel == SCIM_READ_CELLS) && lm->int_path)
        SCIM_PANIC("layer %d: per-plane analog reads on the integer path", lm->index);
    for (int k = 0; k < lm->n_chunks; k++)
        if ((int)lm->chunks[k].len > al->max_len)
            al->max_len = (int)lm->chunks[k].len;
    al->cpad = (lm->layer->out_c + 15) & ~15;
    al->nib = (al->max_len + 3) / 4;
    al->nw = (al->max_len + 31) / 32;
    an->redraws |= al->noise;
    if (al->kernel == SCIM_READ_EVENTS && lm->int_path && build_pix_off(al, lm) < 0)
        return SCIM_ENOMEM;
    if (al->kernel == SCIM_READ_EVENTS) {
        set_z0(al, 0.5 / fmax(nominal_noise(an, al->max_len, al->max_len),
                              nominal_noise(an, 0, al->max_len)));
        double p0 = -expm1(al->log1m_p0);
        if (p0 >= 1.0 / 32 && p0 < 1.0 && !(al->geom = malloc(sizeof(*al->geom))))
            return SCIM_ENOMEM;
        if (al->geom)
            scim_geom_init(al->geom, p0);
        return build_event_tables(an, al);
    }
    if (al->kernel == SCIM_READ_DIGITAL)
        return 0;
    int rc = sample_cells(an, al, lm);
    if (rc == 0 && al->kernel == SCIM_READ_LUT)
        rc = build_lut(an, al, lm);
    if (rc == 0 && al->kernel == SCIM_READ_CELLS)
        rc = build_dist(an, al, lm);
    return rc;
}

int scim_analog_init(struct scim_analog *an, const struct scim_config *cfg,
                     const struct scim_model *m, const struct scim_mapping *mp, uint64_t chip,
                     int vary)
{
    const struct scim_cell_ops *cell = cfg->crossbar.cell.ops->cell;
    const void *cp = cfg->crossbar.cell.params;
    memset(an, 0, sizeof(*an));
    an->cfg = cfg, an->mp = mp, an->chip = chip, an->n_layers = mp->n_layers;
    an->v_read = cell->read_voltage_v(cp);
    an->g_p = cell->conductance_s(cp, cell->levels - 1, an->v_read, cfg->chip.temperature_k);
    an->g_ap = cell->conductance_s(cp, 0, an->v_read, cfg->chip.temperature_k);
    an->dg = an->g_p - an->g_ap;
    an->d2d = (struct scim_cond_variation){cfg->faults.d2d_sigma, cfg->faults.d2d_sigma_add_s};
    an->c2c = (struct scim_cond_variation){cfg->faults.c2c_sigma, cfg->faults.c2c_sigma_add_s};
    an->r_wire = cfg->crossbar.read_mode == SCIM_READ_MODE_ANALOG ? cfg->crossbar.wire_resistance_ohm : 0.0;
    if (!chosen) /* here, before any worker thread reads */
        choose();
    an->layers = calloc((size_t)mp->n_layers, sizeof(*an->layers));
    int *on = calloc((size_t)m->n_layers, sizeof(int));
    if (!an->layers || !on)
        return free(on), SCIM_ENOMEM;
    if (vary && cfg->crossbar.read_mode == SCIM_READ_MODE_ANALOG)
        scim_fault_layers(m, cfg, chip - 1, on);
    int rc = 0, rows = cfg->dropout.enabled && (m->method_id == SCIM_METHOD_SPINDROP ||
                                             m->method_id == SCIM_METHOD_SPATIAL_SPINDROP);
    for (int l = 0; l < mp->n_layers && rc == 0; l++)
        rc = init_layer(an, &an->layers[l], &mp->layers[l], on[l],
                        rows && scim_layer_stochastic(&m->layers[l]));
    free(on);
    return rc;
}

void scim_analog_free(struct scim_analog *an)
{
    for (int l = 0; an->layers && l < an->n_layers; l++) {
        struct scim_analog_layer *al = &an->layers[l];
        free(al->ga);
        free(al->gb);
        free(al->lut);
        free(al->wbits);
        free(al->zs);
        free(al->dist);
        free(al->ev);
        free(al->ev_at);
        free(al->pix_off);
        free(al->geom);
    }
    free(an->layers);
    memset(an, 0, sizeof(*an));
}

/* ---- reading ---- */

static inline uint32_t adc_decide(double x, uint32_t len, uint32_t max_code, int *clipped)
{
    double r = rint(x);
    uint32_t n = r <= 0.0 ? 0 : r >= (double)len ? len : (uint32_t)r;
    *clipped = n > max_code;
    return n > max_code ? max_code : n;
}

uint32_t scim_adc_decide(double x, uint32_t len, uint32_t max_code, int *clipped)
{
    return adc_decide(x, len, max_code, clipped);
}

double scim_analog_ir_current(const double *g, const uint32_t *d, int n, double r)
{
    double cum = 0.0, sq = 0.0;
    for (int t = 0; t < n; t++) {
        cum += g[t];
        sq += (double)(d[t] - (t + 1 < n ? d[t + 1] : 0)) * cum * cum;
    }
    return cum - r * sq;
}

/* What the kernels of one MVM share. */
struct read_ctx {
    const struct scim_analog *an;
    const struct scim_analog_layer *al;
    struct scim_rng rng; /* the read-noise stream of (chip, image, pass, layer): LUT, CELLS */
    struct scim_rng_batch ev; /* the same stream, buffered: EVENTS */
    uint64_t next;       /* read index of the next event (noise), UINT64_MAX: none */
    /* In the caller's work space (scim_analog_work_alloc): */
    uint32_t *xc, *kc; /* LUT: [slots][n_chunks][nw] compressed inputs and kept rows */
    uint32_t *len;     /* LUT: [slots][n_chunks] kept rows of each chunk */
    int32_t *acc;      /* LUT: [acc_rows][cpad] sums per position, or terms per chunk */
    size_t *off;       /* LUT: [nib * tabs] table rows of a read (lut_rows) */
    uint16_t *near;    /* LUT with noise: [n_chunks][cpad / 16] reads near a threshold */
    double *cg;        /* CELLS: [max_len] conductances of a read's conducting cells */
    uint32_t *cd;      /* CELLS: [max_len] their distances */
    uint64_t *win;     /* EVENTS, integer path: [planes][n_words] a position's packed inputs */
    uint8_t *bytes;    /* EVENTS, integer path: [64 n_words] its rows' pixels */
};

/* Read index of the first read of a step: reads are numbered by position, plane, chunk,
 * then column. */
static uint64_t step_base(const struct scim_mvm_step *sp)
{
    const struct scim_layer_map *lm = sp->lm;
    return ((uint64_t)sp->pos * (uint64_t)lm->planes + (uint64_t)sp->shift) *
           (uint64_t)lm->n_chunks * (uint64_t)lm->layer->out_c;
}

/* Reads before the next event. */
static uint64_t event_gap(struct read_ctx *c)
{
    const struct scim_analog_layer *al = c->al;
    if (al->kernel != SCIM_READ_EVENTS)
        return scim_rng_geometric(&c->rng, al->log1m_p0);
    return al->geom ? scim_geom_draw(al->geom, &c->ev)
                    : scim_rng_batch_geometric(&c->ev, al->log1m_p0);
}

static void next_event(struct read_ctx *c, uint64_t after)
{
    uint64_t k = event_gap(c);
    c->next = k >= UINT64_MAX - after ? UINT64_MAX : after + 1 + k;
}

/* Matches (conducting P cells) and kept rows of the read of chunk c, column j. */
static inline uint32_t read_matches(const struct scim_layer_map *lm, const struct scim_chunk *c, int j,
                             const uint64_t *x, const uint64_t *mask, uint32_t *len)
{
    size_t nw = (size_t)lm->n_words;
    const uint64_t *w = lm->wbits + (size_t)j * nw;
    const uint64_t *keep = lm->has_stuck ? lm->wkeep + (size_t)j * nw : NULL;
    const uint64_t *match = lm->has_stuck ? lm->wmatch + (size_t)j * nw : NULL;
    uint32_t m = 0, n = 0;
    for (uint32_t k = 0; k < c->n_seg; k++) {
        const struct scim_seg *sg = &lm->segs[c->first_seg + k];
        uint64_t rows = sg->mask & (mask ? mask[sg->word] : ~0ull),
                 xn = ~(x[sg->word] ^ w[sg->word]);
        if (keep)
            xn = (xn & keep[sg->word]) | match[sg->word];
        m += (uint32_t)__builtin_popcountll(xn & rows);
        n += (uint32_t)__builtin_popcountll(rows);
    }
    *len = n;
    return m;
}

/* Replace the exact count m of a read (already in the sums) by the decision on x. */
static void correct(const struct scim_mvm_step *sp, int j, double x, uint32_t m, uint32_t len)
{
    uint32_t mc = sp->lm->max_code;
    int clipped;
    uint32_t code = adc_decide(x, len, mc, &clipped), exact = m > mc ? mc : m;
    sp->st->clips += (uint64_t)clipped - (uint64_t)(m > mc);
    if (code == exact)
        return;
    sp->st->misreads++;
    sp->s[(size_t)j * (size_t)sp->stride] +=
        2 * ((int32_t)code - (int32_t)exact) * (1 << sp->shift);
}

/* The value of an event read of count m over len cells: its nearest count from the
 * class's alias table with one uniform, or m + s Z with Z from the tail. */
static double event_value(struct read_ctx *c, uint32_t m, uint32_t len)
{
    const struct scim_analog_layer *al = c->al;
    if (!al->ev) {
        struct scim_rand rnd = scim_rng_batch_rand(&c->ev);
        return m + nominal_noise(c->an, (int)m, (int)len) * scim_rand_normal_tail(&rnd, al->z0);
    }
    size_t ci = (size_t)len * (len + 1) / 2 + m, at = al->ev_at[ci];
    uint32_t k = al->ev_at[ci + 1] - (uint32_t)at;
    double v = scim_rng_batch_uniform(&c->ev) * k;
    uint32_t i = (uint32_t)v;
    const struct scim_ev_entry *e = &al->ev[at + (i < k ? i : k - 1)];
    return (double)(v - i < e->prob ? e->n : e->alias);
}

/* EVENTS: the digital reads, then the events among them (analog.h). */
__attribute__((target_clones("popcnt", "default"))) static void events_step(const struct scim_mvm_step *sp, void *vc)
{
    struct read_ctx *c = vc;
    const struct scim_layer_map *lm = sp->lm;
    uint64_t C = (uint64_t)lm->layer->out_c, base = step_base(sp);
    uint64_t end = base + (uint64_t)lm->n_chunks * C;
    scim_mvm_digital_step(sp, NULL);
    while (c->next < end) {
        uint64_t r = c->next - base;
        int j = (int)(r % C);
        uint32_t len, m = read_matches(lm, &lm->chunks[r / C], j, sp->x, sp->mask, &len);
        correct(sp, j, event_value(c, m, len), m, len);
        next_event(c, c->next);
    }
}

/* An integer-path layer's (datapath_int.c) inputs at one position as the digital kernel packs
 * them: bit i of plane p's words is bit p of row i's pixel, win + al->pix_off[i]; the bytes
 * of 8 rows go to 8 planes by one multiply each (carry-free). */
static void pack_window(const struct scim_analog_layer *al, const struct scim_layer_map *lm,
                        const struct scim_act *a, int pos, uint64_t *x, uint8_t *bytes)
{
    const struct scim_layer *L = lm->layer;
    const uint8_t *win = a->pix;
    if (L->kind == SCIM_LAYER_CONV)
        win += (size_t)(pos / L->out_w * L->stride) * (size_t)a->wp +
               (size_t)(pos % L->out_w * L->stride);
    size_t n = (size_t)lm->n_rows, nw = (size_t)lm->n_words;
    size_t groups = (n + 7) / 8;
    for (size_t i = 0; i < n; i++)
        bytes[i] = win[al->pix_off[i]];
    memset(bytes + n, 0, groups * 8 - n);
    memset(x, 0, (size_t)lm->planes * nw * sizeof(uint64_t));
    for (size_t g = 0; g < groups; g++) {
        uint64_t v;
        memcpy(&v, bytes + 8 * g, 8); /* rows 8g .. 8g + 7, little-endian */
        for (int p = 0; p < lm->planes; p++)
            x[(size_t)p * nw + g / 8] |= (((v >> p) & 0x0101010101010101ull) *
                                          0x0102040810204080ull >> 56) << (8 * (g % 8));
    }
}

/* EVENTS on an integer-path layer: the integer sums, then every event of the layer, its
 * count from the position's packed inputs (packed once per position with an event). */
__attribute__((target_clones("popcnt", "default"))) static void
events_int(struct read_ctx *c, const struct scim_layer_map *lm,
                       const struct scim_act *a, const uint64_t *mask, int32_t *s,
                       struct scim_mvm_stats *st)
{
    uint64_t C = (uint64_t)lm->layer->out_c, per_step = (uint64_t)lm->n_chunks * C;
    uint64_t end = per_step * (uint64_t)lm->positions * (uint64_t)lm->planes;
    size_t nw = (size_t)lm->n_words;
    int packed = -1;
    while (c->next < end) {
        uint64_t step = c->next / per_step, r = c->next % per_step;
        int pos = (int)(step / (uint64_t)lm->planes), plane = (int)(step % (uint64_t)lm->planes);
        if (pos != packed)
            pack_window(c->al, lm, a, packed = pos, c->win, c->bytes);
        struct scim_mvm_step sp = {lm, NULL, s + pos, lm->positions, plane, st, mask, 0, pos};
        uint32_t len, m = read_matches(lm, &lm->chunks[r / C], (int)(r % C),
                                       c->win + (size_t)plane * nw, mask, &len);
        correct(&sp, (int)(r % C), event_value(c, m, len), m, len);
        next_event(c, c->next);
    }
}

/* ---- LUT ---- */

static uint64_t pext_portable(uint64_t x, uint64_t m)
{
    uint64_t out = 0;
    for (int b = 0; m; m &= m - 1, b++)
        out |= ((x >> __builtin_ctzll(m)) & 1) << b;
    return out;
}

__attribute__((target("bmi2"))) static inline uint64_t pext_bmi2(uint64_t x, uint64_t m)
{
    return _pext_u64(x, m);
}

/* Append the n low bits of v at bit offset off of a 32-bit word array. */
static inline __attribute__((always_inline)) void put_bits32(uint32_t *w, unsigned off, uint64_t v,
                                                             unsigned n)
{
    for (unsigned done = 0; done < n;) {
        unsigned at = off + done, b = at & 31, take = 32 - b < n - done ? 32 - b : n - done;
        w[at >> 5] |= (uint32_t)(((v >> done) & ((1ull << take) - 1)) << b);
        done += take;
    }
}

/* The input bits of every chunk of a step, in row order (xc), the kept rows (kc) and
 * their number (len): [n_chunks][nw], [n_chunks][nw], [n_chunks]. Chunks of one segment
 * (one word of the input) take one pext each. */
static inline __attribute__((always_inline)) void
compress_body(const struct scim_layer_map *lm, int nw, const uint64_t *x, const uint64_t *mask,
              uint32_t *xc, uint32_t *kc, uint32_t *len, uint64_t (*px)(uint64_t, uint64_t))
{
    for (int k = 0; k < lm->n_chunks; k++, xc += nw, kc += nw) {
        const struct scim_chunk *ch = &lm->chunks[k];
        const struct scim_seg *sg = &lm->segs[ch->first_seg];
        if (nw == 1 && ch->n_seg == 1) {
            xc[0] = (uint32_t)px(x[sg->word], sg->mask);
            kc[0] =
                mask ? (uint32_t)px(mask[sg->word], sg->mask) : (uint32_t)(~0ull >> (64 - ch->len));
            len[k] = mask ? (uint32_t)__builtin_popcount(kc[0]) : ch->len;
            continue;
        }
        memset(xc, 0, (size_t)nw * sizeof(uint32_t));
        memset(kc, 0, (size_t)nw * sizeof(uint32_t));
        unsigned off = 0, kept = 0;
        for (uint32_t q = 0; q < ch->n_seg; q++, sg++) {
            unsigned n = (unsigned)__builtin_popcountll(sg->mask);
            uint64_t kv = mask ? px(mask[sg->word], sg->mask) : ~0ull >> (64 - n);
            put_bits32(xc, off, px(x[sg->word], sg->mask), n);
            put_bits32(kc, off, kv, n);
            kept += (unsigned)__builtin_popcountll(kv);
            off += n;
        }
        len[k] = kept;
    }
}

__attribute__((target("popcnt,bmi2"))) static void compress_fast(const struct scim_layer_map *lm,
                                                                 int nw, const uint64_t *x,
                                                                 const uint64_t *mask, uint32_t *xc,
                                                                 uint32_t *kc, uint32_t *len)
{
    compress_body(lm, nw, x, mask, xc, kc, len, pext_bmi2);
}

static void compress_portable(const struct scim_layer_map *lm, int nw, const uint64_t *x,
                              const uint64_t *mask, uint32_t *xc, uint32_t *kc, uint32_t *len)
{
    compress_body(lm, nw, x, mask, xc, kc, len, pext_portable);
}

/* Compress step sp into slot `slot` of the work space. */
static void compress_step(struct read_ctx *c, const struct scim_mvm_step *sp, size_t slot)
{
    const struct scim_layer_map *lm = sp->lm;
    size_t words = (size_t)lm->n_chunks * (size_t)c->al->nw;
    (fast_bits ? compress_fast : compress_portable)(lm, c->al->nw, sp->x, sp->mask,
                                                    c->xc + slot * words, c->kc + slot * words,
                                                    c->len + slot * (size_t)lm->n_chunks);
}

/* Table q of chunk k's tables at the pattern of its kept inputs (tab 0) or of their kept
 * complement (tab 1). */
static inline size_t lut_row(const struct scim_analog_layer *al, int q, int tab, uint32_t xw,
                             uint32_t kw)
{
    uint32_t sh = (uint32_t)(q & 7) * 4, v = (tab ? ~xw & kw : xw & kw) >> sh & 15;
    return (((size_t)q * (size_t)al->tabs + (size_t)tab) * 16 + v) * (size_t)al->cpad;
}

static const float *lut_of(const struct scim_analog_layer *al, int k)
{
    return al->lut + (size_t)k * (size_t)al->nib * (size_t)al->tabs * 16 * (size_t)al->cpad;
}

static const uint32_t *wbits_of(const struct scim_analog_layer *al, int k)
{
    return al->wbits + (size_t)k * (size_t)al->nw * 3 * (size_t)al->cpad;
}

/* The table rows a read of compressed input xc, kc looks up: nib * tabs of them, in
 * group order, then table order. */
static void lut_rows(const struct scim_analog_layer *al, const uint32_t *xc, const uint32_t *kc,
                     size_t *off)
{
    for (int q = 0; q < al->nib; q++)
        for (int tab = 0; tab < al->tabs; tab++)
            *off++ = lut_row(al, q, tab, xc[q >> 3], kc[q >> 3]);
}

/* The mean value (LSB) of the read of chunk k, column j: the float sum of its table rows
 * in order. */
static float lut_value(const struct scim_analog_layer *al, int k, int j, const size_t *off)
{
    const float *t = lut_of(al, k) + j;
    float x = 0.0f;
    for (int q = 0; q < al->nib * al->tabs; q++)
        x += t[off[q]];
    return x;
}

/* The exact count (conducting P cells) of the read of chunk k, column j. */
static uint32_t lut_matches(const struct scim_analog_layer *al, int k, int j, const uint32_t *xc,
                            const uint32_t *kc)
{
    size_t cp = (size_t)al->cpad;
    const uint32_t *w = wbits_of(al, k) + j;
    uint32_t m = 0;
    for (int q = 0; q < al->nw; q++, w += 3 * cp)
        m += (uint32_t)__builtin_popcount(((~(xc[q] ^ w[0]) & w[cp]) | w[2 * cp]) & kc[q]);
    return m;
}

/* Noise std (LSB) of the read of chunk k, column j: its conducting cells, one by one. */
static double read_noise(const struct read_ctx *c, const struct scim_mvm_step *sp, int k, int j)
{
    const struct scim_layer_map *lm = sp->lm;
    const struct scim_chunk *ch = &lm->chunks[k];
    size_t at = (size_t)j * (size_t)lm->n_rows;
    double s2 = 0.0;
    uint32_t n = 0;
    for (uint32_t q = 0; q < ch->n_seg; q++) {
        const struct scim_seg *sg = &lm->segs[ch->first_seg + q];
        uint64_t rows = sg->mask & (sp->mask ? sp->mask[sg->word] : ~0ull);
        for (; rows; rows &= rows - 1, n++) {
            int b = __builtin_ctzll(rows);
            size_t i = at + sg->word * 64u + (size_t)b;
            double g = (sp->x[sg->word] >> b) & 1 ? c->al->ga[i] : c->al->gb[i];
            s2 += g * g;
        }
    }
    return sqrt(scim_variation_var(&c->an->c2c, s2, n)) / c->an->dg;
}

/* A read whose mean x lies at least zs (a bound of z0 times its noise std, plus a margin
 * for the float arithmetic) from every threshold that changes its decision (code or
 * clip) keeps its decision unless it is an event (analog.h). Float arithmetic, the same
 * in the portable and AVX-512 kernels. */
static int near_read(float x, uint32_t len, uint32_t mc, float zs)
{
    int32_t top = (int32_t)(len < mc + 1 ? len : mc + 1), n = (int32_t)rintf(x);
    n = n < 0 ? 0 : n > top ? top : n;
    float nf = (float)n, lo = n > 0 ? x - (nf - 0.5f) : INFINITY;
    float hi = n < top ? nf + 0.5f - x : INFINITY;
    return (lo < hi ? lo : hi) < zs;
}

/* The ADC's decision on one LUT read, its events, and its term of the sums. */
static int32_t lut_decide(double x, uint32_t m, uint32_t len, uint32_t mc,
                          struct scim_mvm_stats *st)
{
    int clipped;
    uint32_t code = scim_adc_decide(x, len, mc, &clipped);
    st->clips += (uint64_t)clipped;
    st->misreads += code != (m > mc ? mc : m);
    st->cells_lrs += m;
    return 2 * (int32_t)code - (int32_t)len;
}

/* The noisy decision of read (k, j) of a step, mean x: Z from the tail (an event) or
 * from the centre (a near read), the read's own noise std from its cells; replaces the
 * decision on x already in the sums. */
static void noisy_read(struct read_ctx *c, const struct scim_mvm_step *sp, int k, int j,
                       uint32_t len, int event)
{
    const struct scim_analog_layer *al = c->al;
    const struct scim_layer_map *lm = sp->lm;
    const uint32_t *xc = c->xc + (size_t)k * (size_t)al->nw,
                   *kc = c->kc + (size_t)k * (size_t)al->nw;
    lut_rows(al, xc, kc, c->off);
    float x = lut_value(al, k, j, c->off);
    uint32_t m = lut_matches(al, k, j, xc, kc);
    double z =
        event ? scim_rng_normal_tail(&c->rng, al->z0) : scim_rng_normal_within(&c->rng, al->z0);
    struct scim_mvm_stats before = {0}, after = {0};
    int32_t v0 = lut_decide(x, m, len, lm->max_code, &before);
    int32_t v1 = lut_decide(x + read_noise(c, sp, k, j) * z, m, len, lm->max_code, &after);
    sp->st->clips += after.clips - before.clips;
    sp->st->misreads += after.misreads - before.misreads;
    sp->s[(size_t)j * (size_t)sp->stride] += (v1 - v0) * (1 << sp->shift);
}

/* After a step's reads were decided on their means (near[k][block]: the near ones), the
 * events and near reads in read order. */
static void noisy_reads(struct read_ctx *c, const struct scim_mvm_step *sp)
{
    const struct scim_layer_map *lm = sp->lm;
    int C = lm->layer->out_c, nb = c->al->cpad / 16;
    uint64_t base = step_base(sp);
    for (int k = 0; k < lm->n_chunks; k++) {
        uint64_t r0 = base + (uint64_t)k * (uint64_t)C;
        for (int b = 0; b < nb; b++) {
            uint32_t bits = c->near[k * nb + b];
            uint64_t hi = r0 + (uint64_t)(b * 16 + 16 < C ? b * 16 + 16 : C);
            for (;;) {
                int jn = bits ? b * 16 + __builtin_ctz(bits) : C;
                int je = c->next < hi ? (int)(c->next - r0) : C;
                int j = jn < je ? jn : je;
                if (j == C)
                    break;
                noisy_read(c, sp, k, j, c->len[k], j == je);
                if (j == je)
                    next_event(c, c->next);
                if (j == jn)
                    bits &= bits - 1;
            }
        }
    }
}

/* LUT with noise, portable: each read decided on its mean, near reads flagged. */
static void lut_means_portable(struct read_ctx *c, const struct scim_mvm_step *sp)
{
    const struct scim_layer_map *lm = sp->lm;
    const struct scim_analog_layer *al = c->al;
    int C = lm->layer->out_c, nb = al->cpad / 16;
    for (int k = 0; k < lm->n_chunks; k++) {
        const uint32_t *xc = c->xc + (size_t)k * (size_t)al->nw,
                       *kc = c->kc + (size_t)k * (size_t)al->nw;
        const float *zs = al->zs + (size_t)k * (size_t)al->cpad;
        lut_rows(al, xc, kc, c->off);
        memset(c->near + k * nb, 0, (size_t)nb * sizeof(uint16_t));
        for (int j = 0; j < C; j++) {
            float x = lut_value(al, k, j, c->off);
            int32_t v =
                lut_decide(x, lut_matches(al, k, j, xc, kc), c->len[k], lm->max_code, sp->st);
            sp->s[(size_t)j * (size_t)sp->stride] += v * (1 << sp->shift);
            c->near[k * nb + j / 16] |=
                (uint16_t)(near_read(x, c->len[k], lm->max_code, zs[j]) << (j % 16));
        }
    }
}

#define V512_MAX_TERMS 16 /* table lookups per read the AVX-512 kernels keep in registers */

/* The exact counts of 16 columns for one read (m), from the compressed weight bits:
 * matches among the input-dependent rows, plus the stuck-in-P pairs. */
__attribute__((target("avx512f,avx512vpopcntdq"))) static inline __m512i
v512_matches(const uint32_t *w, size_t cp, const uint32_t *xc, const uint32_t *kc, int nw,
             int stuck)
{
    __m512i m = _mm512_setzero_si512();
    for (int q = 0; q < nw; q++, w += 3 * cp) {
        __m512i xn = _mm512_xor_si512(_mm512_set1_epi32((int)xc[q]), _mm512_loadu_si512(w));
        __m512i kq = _mm512_set1_epi32((int)kc[q]);
        /* ~(x ^ w) & keep & kept: 0x08 is the ternary truth table of ~A & B & C */
        __m512i hit = _mm512_ternarylogic_epi32(xn, _mm512_loadu_si512(w + cp), kq, 0x08);
        if (stuck)
            hit = _mm512_or_si512(hit, _mm512_and_si512(_mm512_loadu_si512(w + 2 * cp), kq));
        m = _mm512_add_epi32(m, _mm512_popcnt_epi32(hit));
    }
    return m;
}

/* lut_rows for the AVX-512 kernels (at most V512_MAX_TERMS rows, 32-bit offsets). */
static inline void v512_rows(const struct scim_analog_layer *al, const uint32_t *xc,
                             const uint32_t *kc, uint32_t *off)
{
    uint32_t cp = (uint32_t)al->cpad;
    if (al->tabs == 1) {
        for (int q = 0; q < al->nib; q++)
            off[q] = ((uint32_t)q * 16 + ((xc[q >> 3] & kc[q >> 3]) >> ((q & 7) * 4) & 15)) * cp;
        return;
    }
    for (int q = 0; q < al->nib; q++)
        for (int tab = 0; tab < 2; tab++)
            *off++ = (uint32_t)lut_row(al, q, tab, xc[q >> 3], kc[q >> 3]);
}

/* Event tallies of the AVX-512 LUT kernels, per lane. */
struct v512_tally {
    __m512i clips, mis, lrs;
};

/* 16 columns of one read, as lut_value, lut_matches and lut_decide do them one by one:
 * the float sum of the table rows off[0..nt) of tables t, the counts, the codes and the
 * tallies; the term 2 code - len of each column. Padded columns have zero tables and
 * weights: they read 0 matches and code 0. */
__attribute__((target("avx512f,avx512vpopcntdq"))) static inline __m512i
v512_read(const float *t, const uint32_t *off, int nt, const uint32_t *w, size_t cp,
          const uint32_t *xc, const uint32_t *kc, int nw, int stuck, uint32_t len, uint32_t mc,
          __m512 *xout, struct v512_tally *ty)
{
    const __m512i zero = _mm512_setzero_si512(), one = _mm512_set1_epi32(1);
    const __m512i vmc = _mm512_set1_epi32((int)mc), vlen = _mm512_set1_epi32((int)len);
    __m512 x = _mm512_setzero_ps();
    for (int q = 0; q < nt; q++)
        x = _mm512_add_ps(x, _mm512_loadu_ps(t + off[q]));
    __m512i m = v512_matches(w, cp, xc, kc, nw, stuck);
    __m512i n = _mm512_min_epi32(_mm512_max_epi32(_mm512_cvtps_epi32(x), zero), vlen);
    __m512i code = _mm512_min_epi32(n, vmc);
    ty->clips = _mm512_mask_add_epi32(ty->clips, _mm512_cmpgt_epi32_mask(n, vmc), ty->clips, one);
    ty->mis = _mm512_mask_add_epi32(
        ty->mis, _mm512_cmpneq_epi32_mask(code, _mm512_min_epi32(m, vmc)), ty->mis, one);
    ty->lrs = _mm512_add_epi32(ty->lrs, m);
    *xout = x;
    return _mm512_sub_epi32(_mm512_add_epi32(code, code), vlen);
}

__attribute__((target("avx512f,avx512vpopcntdq"))) static void v512_flush(struct v512_tally *ty,
                                                                          struct scim_mvm_stats *st)
{
    st->clips += (uint64_t)(uint32_t)_mm512_reduce_add_epi32(ty->clips);
    st->misreads += (uint64_t)(uint32_t)_mm512_reduce_add_epi32(ty->mis);
    st->cells_lrs += (uint64_t)(uint32_t)_mm512_reduce_add_epi32(ty->lrs);
    ty->clips = ty->mis = ty->lrs = _mm512_setzero_si512();
}

/* near_read on 16 columns. */
__attribute__((target("avx512f"))) static inline __mmask16 v512_near(__m512 x, uint32_t len,
                                                                     uint32_t mc, const float *zs)
{
    const __m512i zero = _mm512_setzero_si512();
    __m512i top = _mm512_set1_epi32((int)(len < mc + 1 ? len : mc + 1));
    __m512i n = _mm512_min_epi32(_mm512_max_epi32(_mm512_cvtps_epi32(x), zero), top);
    __m512 nf = _mm512_cvtepi32_ps(n), half = _mm512_set1_ps(0.5f), inf = _mm512_set1_ps(INFINITY);
    __m512 lo = _mm512_mask_blend_ps(_mm512_cmpgt_epi32_mask(n, zero), inf,
                                     _mm512_sub_ps(x, _mm512_sub_ps(nf, half)));
    __m512 hi = _mm512_mask_blend_ps(_mm512_cmplt_epi32_mask(n, top), inf,
                                     _mm512_sub_ps(_mm512_add_ps(nf, half), x));
    return _mm512_cmp_ps_mask(_mm512_min_ps(lo, hi), _mm512_loadu_ps(zs), _CMP_LT_OQ);
}

/* lut_means_portable with 16 columns per AVX-512 vector. */
__attribute__((target("avx512f,avx512vpopcntdq"))) static void
lut_means_v512(struct read_ctx *c, const struct scim_mvm_step *sp)
{
    const struct scim_layer_map *lm = sp->lm;
    const struct scim_analog_layer *al = c->al;
    size_t cp = (size_t)al->cpad;
    int nt = al->nib * al->tabs, nb = al->cpad / 16;
    struct v512_tally ty = {_mm512_setzero_si512(), _mm512_setzero_si512(), _mm512_setzero_si512()};
    uint32_t off[V512_MAX_TERMS];
    for (int k = 0; k < lm->n_chunks; k++) {
        const uint32_t *xc = c->xc + (size_t)k * (size_t)al->nw,
                       *kc = c->kc + (size_t)k * (size_t)al->nw;
        v512_rows(al, xc, kc, off);
        for (int b = 0; b < nb; b++) {
            size_t j0 = (size_t)b * 16;
            __m512 x;
            __m512i v = v512_read(lut_of(al, k) + j0, off, nt, wbits_of(al, k) + j0, cp, xc, kc,
                                  al->nw, sp->lm->has_stuck, c->len[k], lm->max_code, &x, &ty);
            _mm512_storeu_si512(c->acc + j0 + (size_t)k * cp, v);
            c->near[k * nb + b] =
                v512_near(x, c->len[k], lm->max_code, al->zs + (size_t)k * cp + j0);
        }
    }
    v512_flush(&ty, sp->st);
    for (int k = 0; k < lm->n_chunks; k++)
        for (int j = 0; j < lm->layer->out_c; j++)
            sp->s[(size_t)j * (size_t)sp->stride] +=
                c->acc[(size_t)k * cp + (size_t)j] * (1 << sp->shift);
}

/* LUT with read noise: one step, its reads decided on their means, then the events and
 * near reads in read order (their draws in that order). */
static void lut_noise_step(const struct scim_mvm_step *sp, void *vc)
{
    struct read_ctx *c = vc;
    compress_step(c, sp, 0);
    if (has_v512 && c->al->nib * c->al->tabs <= V512_MAX_TERMS)
        lut_means_v512(c, sp);
    else
        lut_means_portable(c, sp);
    noisy_reads(c, sp);
}

/* LUT without noise: the steps only gather their compressed inputs; the reads follow
 * chunk by chunk (lut_layer), so that a chunk's tables stay in cache. */
static void lut_collect_step(const struct scim_mvm_step *sp, void *vc)
{
    compress_step(vc, sp, (size_t)sp->pos * (size_t)sp->lm->planes + (size_t)sp->shift);
}

static void lut_layer_portable(struct read_ctx *c, const struct scim_layer_map *lm,
                               struct scim_mvm_stats *st)
{
    const struct scim_analog_layer *al = c->al;
    size_t nc = (size_t)lm->n_chunks, nw = (size_t)al->nw, cp = (size_t)al->cpad;
    size_t steps = (size_t)lm->positions * (size_t)lm->planes;
    for (size_t k = 0; k < nc; k++)
        for (size_t i = 0; i < steps; i++) {
            const uint32_t *xc = c->xc + (i * nc + k) * nw, *kc = c->kc + (i * nc + k) * nw;
            uint32_t len = c->len[i * nc + k];
            int32_t *acc = c->acc + i / (size_t)lm->planes * cp,
                    sh = (int32_t)(i % (size_t)lm->planes);
            lut_rows(al, xc, kc, c->off);
            for (int j = 0; j < lm->layer->out_c; j++)
                acc[j] += lut_decide(lut_value(al, (int)k, j, c->off),
                                     lut_matches(al, (int)k, j, xc, kc), len, lm->max_code, st) *
                          (1 << sh);
        }
}

/* lut_layer_portable with 16 columns per AVX-512 vector: for each chunk and position, a
 * column block's sums stay in a register over the bit-planes. */
__attribute__((target("avx512f,avx512vpopcntdq"))) static void
lut_layer_v512(struct read_ctx *c, const struct scim_layer_map *lm, struct scim_mvm_stats *st)
{
    const struct scim_analog_layer *al = c->al;
    size_t nc = (size_t)lm->n_chunks, nw = (size_t)al->nw, cp = (size_t)al->cpad;
    int planes = lm->planes, nt = al->nib * al->tabs;
    struct v512_tally ty = {_mm512_setzero_si512(), _mm512_setzero_si512(), _mm512_setzero_si512()};
    uint32_t off[8][V512_MAX_TERMS];
    for (size_t k = 0; k < nc; k++) {
        const float *tk = lut_of(al, (int)k);
        const uint32_t *wk = wbits_of(al, (int)k);
        for (int pos = 0; pos < lm->positions; pos++) {
            size_t i0 = (size_t)pos * (size_t)planes;
            for (int p = 0; p < planes; p++) {
                size_t at = (i0 + (size_t)p) * nc + k;
                v512_rows(al, c->xc + at * nw, c->kc + at * nw, off[p]);
            }
            int32_t *acc = c->acc + (size_t)pos * cp;
            for (size_t j0 = 0; j0 < cp; j0 += 16) {
                __m512i a = _mm512_loadu_si512(acc + j0);
                for (int p = 0; p < planes; p++) {
                    size_t at = (i0 + (size_t)p) * nc + k;
                    __m512 x;
                    __m512i v = v512_read(tk + j0, off[p], nt, wk + j0, cp, c->xc + at * nw,
                                          c->kc + at * nw, (int)nw, lm->has_stuck, c->len[at],
                                          lm->max_code, &x, &ty);
                    a = _mm512_add_epi32(a, _mm512_sll_epi32(v, _mm_cvtsi32_si128(p)));
                }
                _mm512_storeu_si512(acc + j0, a);
            }
        }
        v512_flush(&ty, st); /* before 32-bit lanes could overflow */
    }
}

/* LUT without noise: collect the steps, read chunk by chunk, add to the sums. */
static void lut_layer(struct read_ctx *c, const struct scim_layer_map *lm, const struct scim_act *a,
                      const uint64_t *mask, int32_t *s, uint64_t *scratch,
                      struct scim_mvm_stats *st)
{
    size_t cp = (size_t)c->al->cpad, P = (size_t)lm->positions;
    scim_mvm_steps(lm, a, mask, s, scratch, st, lut_collect_step, c);
    memset(c->acc, 0, P * cp * sizeof(int32_t));
    if (has_v512 && c->al->nib * c->al->tabs <= V512_MAX_TERMS && lm->planes <= 8)
        lut_layer_v512(c, lm, st);
    else
        lut_layer_portable(c, lm, st);
    for (int j = 0; j < lm->layer->out_c; j++)
        for (size_t p = 0; p < P; p++)
            s[(size_t)j * P + p] += c->acc[p * cp + (size_t)j];
}

/* ---- CELLS (IR drop) ---- */

/* The read of chunk k, column j summed cell by cell in bitline order (read noise drawn
 * per cell), with the IR drop, as a value in LSB. */
static double cells_value(struct read_ctx *c, const struct scim_mvm_step *sp, int k, int j)
{
    const struct scim_layer_map *lm = sp->lm;
    const struct scim_analog *an = c->an;
    const struct scim_analog_layer *al = c->al;
    const struct scim_chunk *ch = &lm->chunks[k];
    size_t at = (size_t)j * (size_t)lm->n_rows;
    struct scim_rand rnd = scim_rng_rand(&c->rng);
    int n = 0;
    for (uint32_t q = 0; q < ch->n_seg; q++) {
        const struct scim_seg *sg = &lm->segs[ch->first_seg + q];
        uint64_t rows = sg->mask & (sp->mask ? sp->mask[sg->word] : ~0ull);
        for (; rows; rows &= rows - 1, n++) {
            int b = __builtin_ctzll(rows), xb = (int)((sp->x[sg->word] >> b) & 1);
            size_t i = sg->word * 64u + (size_t)b;
            c->cg[n] = xb ? al->ga[at + i] : al->gb[at + i];
            c->cd[n] = al->dist[i] - (uint32_t)!xb;
            if (al->noise)
                c->cg[n] = scim_vary_conductance(c->cg[n], &an->c2c, &rnd);
        }
    }
    double i_v = scim_analog_ir_current(c->cg, c->cd, n, an->r_wire);
    return (i_v - n * an->g_ap) / an->dg;
}

static void cells_step(const struct scim_mvm_step *sp, void *vc)
{
    struct read_ctx *c = vc;
    const struct scim_layer_map *lm = sp->lm;
    int C = lm->layer->out_c;
    scim_mvm_digital_step(sp, NULL);
    for (int k = 0; k < lm->n_chunks; k++)
        for (int j = 0; j < C; j++) {
            uint32_t len, m = read_matches(lm, &lm->chunks[k], j, sp->x, sp->mask, &len);
            correct(sp, j, cells_value(c, sp, k, j), m, len);
        }
}

/* ---- one MVM ---- */

/* Steps whose compressed inputs the work space holds at once: every step of the layer
 * (LUT without noise, read chunk by chunk), or one. */
static size_t lut_slots(const struct scim_analog_layer *al, const struct scim_layer_map *lm)
{
    return al->noise ? 1 : (size_t)lm->positions * (size_t)lm->planes;
}

/* Rows of cpad sums the LUT kernels keep: one per position (without noise), one per
 * chunk (with noise). */
static size_t acc_rows(const struct scim_analog_layer *al, const struct scim_layer_map *lm)
{
    return al->noise ? (size_t)lm->n_chunks : (size_t)lm->positions;
}

/* Bytes of work space the kernels of layer al need (see bind_work). */
static size_t work_bytes(const struct scim_analog_layer *al, const struct scim_layer_map *lm)
{
    size_t slots = lut_slots(al, lm), nc = (size_t)lm->n_chunks;
    if (al->kernel == SCIM_READ_LUT)
        return (size_t)al->nib * (size_t)al->tabs * sizeof(size_t) +
               (slots * nc * (2 * (size_t)al->nw + 1) + acc_rows(al, lm) * (size_t)al->cpad) *
                   sizeof(uint32_t) +
               nc * (size_t)al->cpad / 16 * sizeof(uint16_t);
    if (al->kernel == SCIM_READ_CELLS)
        return (size_t)al->max_len * (sizeof(double) + sizeof(uint32_t));
    if (al->kernel == SCIM_READ_EVENTS && lm->int_path)
        return (size_t)lm->n_words * ((size_t)lm->planes * sizeof(uint64_t) + 64);
    return 0;
}

static void bind_work(struct read_ctx *c, const struct scim_layer_map *lm, void *work)
{
    const struct scim_analog_layer *al = c->al;
    size_t slots = lut_slots(al, lm), nc = (size_t)lm->n_chunks,
           words = slots * nc * (size_t)al->nw;
    if (al->kernel == SCIM_READ_LUT) {
        c->off = work;
        c->xc = (uint32_t *)(c->off + (size_t)al->nib * (size_t)al->tabs);
        c->kc = c->xc + words;
        c->len = c->kc + words;
        c->acc = (int32_t *)(c->len + slots * nc);
        c->near = (uint16_t *)(c->acc + acc_rows(al, lm) * (size_t)al->cpad);
    } else if (al->kernel == SCIM_READ_CELLS) {
        c->cg = work;
        c->cd = (uint32_t *)(c->cg + al->max_len);
    } else if (al->kernel == SCIM_READ_EVENTS && lm->int_path) {
        c->win = work;
        c->bytes = (uint8_t *)(c->win + (size_t)lm->planes * (size_t)lm->n_words);
    }
}

void *scim_analog_work_alloc(const struct scim_analog *an)
{
    size_t bytes = 1;
    for (int l = 0; an && l < an->n_layers; l++) {
        size_t b = work_bytes(&an->layers[l], &an->mp->layers[l]);
        bytes = b > bytes ? b : bytes;
    }
    return malloc(bytes);
}

void scim_analog_mvm(const struct scim_analog *an, void *work, const struct scim_layer_map *lm,
                     const struct scim_act *a, const uint64_t *mask, int32_t *s, uint64_t *scratch,
                     struct scim_mvm_stats *st, uint64_t img, int pass)
{
    static const scim_step_fn steps[] = {NULL, events_step, lut_noise_step, cells_step};
    const struct scim_analog_layer *al = an ? &an->layers[lm->index] : NULL;
    if (!al || al->kernel == SCIM_READ_DIGITAL) {
        scim_mvm(lm, a, mask, s, scratch, st);
        return;
    }
    if (mask && al->kernel == SCIM_READ_LUT && al->tabs == 1)
        SCIM_PANIC("layer %d: row mask on tables built for every row driven", lm->index);
    struct read_ctx c;
    memset(&c, 0, sizeof(c));
    c.an = an, c.al = al, c.next = UINT64_MAX;
    bind_work(&c, lm, work);
    if (al->noise) {
        uint64_t seed = (uint64_t)an->cfg->workload.seed,
                 stream = scim_stream_id(SCIM_STREAM_READ, img, an->chip);
        uint32_t sub = (uint32_t)((uint64_t)pass * (uint64_t)an->n_layers + (uint64_t)lm->index);
        if (al->kernel == SCIM_READ_EVENTS)
            scim_rng_batch_init(&c.ev, seed, stream, sub);
        else
            scim_rng_init_sub(&c.rng, seed, stream, sub);
        if (al->log1m_p0 < 0.0)
            c.next = event_gap(&c);
    }
    if (al->kernel == SCIM_READ_LUT && !al->noise) {
        lut_layer(&c, lm, a, mask, s, scratch, st);
    } else if (lm->int_path) {
        scim_mvm(lm, a, mask, s, scratch, st);
        events_int(&c, lm, a, mask, s, st);
    } else
        scim_mvm_steps(lm, a, mask, s, scratch, st, steps[al->kernel], &c);
}
