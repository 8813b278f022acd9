/*
 * mapping.c - tiling of layers over arrays, read chunks, packed weights, and the
 * data-independent event counts of one pass.
 */
#include "mapping.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim/base/error.h"
#include "faults.h"
#include "neuron.h"

/* Append the rows listed in idx (ascending bit indices) as (word, mask) segments. */
static int add_chunk(struct scim_layer_map *lm, const uint32_t *idx, uint32_t n, uint32_t tile,
                     int *cap_segs)
{
    struct scim_chunk *c = &lm->chunks[lm->n_chunks++];
    c->first_seg = (uint32_t)lm->n_segs;
    c->n_seg = 0;
    c->len = n;
    c->tile = tile;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t w = idx[i] >> 6;
        uint64_t bit = 1ull << (idx[i] & 63);
        if (c->n_seg && lm->segs[lm->n_segs - 1].word == w) {
            lm->segs[lm->n_segs - 1].mask |= bit;
            continue;
        }
        if (lm->n_segs == *cap_segs) {
            int cap = *cap_segs * 2 + 16;
            struct scim_seg *s = realloc(lm->segs, (size_t)cap * sizeof(*s));
            if (!s)
                return SCIM_ENOMEM;
            lm->segs = s;
            *cap_segs = cap;
        }
        lm->segs[lm->n_segs].word = w;
        lm->segs[lm->n_segs].mask = bit;
        lm->n_segs++;
        c->n_seg++;
    }
    return 0;
}

/*
 * Rows of array group g: for unrolled mapping one group holding every row; for
 * kxk one group per kernel position (kh, kw) holding rows c*K*K + g. Each group
 * is tiled by the weights a column holds, each tile read rows_per_read at a time.
 */
static int build_chunks(struct scim_layer_map *lm, int kxk, int per_col, int rpr)
{
    const struct scim_layer *L = lm->layer;
    int kk = kxk ? L->kernel * L->kernel : 1;
    int group_rows = kxk ? L->in_c : lm->n_rows;
    int tiles_per_group = (group_rows + per_col - 1) / per_col;
    int max_chunks = kk * (tiles_per_group * ((per_col + rpr - 1) / rpr) + 1);
    int cap_segs = 64;
    uint32_t *idx = malloc((size_t)rpr * sizeof(*idx));
    lm->chunks = calloc((size_t)max_chunks, sizeof(*lm->chunks));
    lm->segs = malloc((size_t)cap_segs * sizeof(*lm->segs));
    if (!idx || !lm->chunks || !lm->segs)
        return free(idx), SCIM_ENOMEM;
    lm->row_tiles = kk * tiles_per_group;
    int rc = 0;
    for (int g = 0; g < kk && rc == 0; g++) {
        for (int t = 0; t < tiles_per_group && rc == 0; t++) {
            int r0 = t * per_col, r1 = r0 + per_col < group_rows ? r0 + per_col : group_rows;
            for (int c0 = r0; c0 < r1 && rc == 0; c0 += rpr) {
                uint32_t n = 0;
                for (int r = c0; r < r1 && r < c0 + rpr; r++)
                    idx[n++] = (uint32_t)(kxk ? r * kk + g : r);
                rc = add_chunk(lm, idx, n, (uint32_t)(g * tiles_per_group + t), &cap_segs);
            }
        }
    }
    free(idx);
    return rc;
}

static int reads_per_tile(const struct scim_layer_map *lm)
{
    int best = 0, run = 0;
    for (int i = 0; i < lm->n_chunks; i++) {
        run = (i > 0 && lm->chunks[i].tile == lm->chunks[i - 1].tile) ? run + 1 : 1;
        if (run > best)
            best = run;
    }
    return best;
}

/* Pairs whose cells are both stuck in one state (faults.h) read the same whatever the
 * input: wkeep leaves them out of the XNOR, wmatch counts the always-matching ones. */
static int pack_stuck(struct scim_layer_map *lm)
{
    const struct scim_layer *L = lm->layer;
    size_t nw = (size_t)lm->n_words, n = (size_t)L->out_c * (size_t)lm->n_rows;
    for (size_t k = 0; k < n && !lm->has_stuck; k++)
        lm->has_stuck = L->weight[k] == SCIM_W_MATCH || L->weight[k] == SCIM_W_MISMATCH;
    if (!lm->has_stuck)
        return 0;
    lm->wkeep = calloc((size_t)L->out_c * nw, sizeof(uint64_t));
    lm->wmatch = calloc((size_t)L->out_c * nw, sizeof(uint64_t));
    if (!lm->wkeep || !lm->wmatch)
        return SCIM_ENOMEM;
    for (int j = 0; j < L->out_c; j++)
        for (int i = 0; i < lm->n_rows; i++) {
            int8_t w = L->weight[(size_t)j * (size_t)lm->n_rows + (size_t)i];
            size_t at = (size_t)j * nw + (size_t)(i >> 6);
            uint64_t bit = 1ull << (i & 63);
            if (w == SCIM_W_MATCH)
                lm->wmatch[at] |= bit;
            else if (w != SCIM_W_MISMATCH)
                lm->wkeep[at] |= bit;
        }
    return 0;
}

static int pack_weights(struct scim_layer_map *lm)
{
    const struct scim_layer *L = lm->layer;
    size_t nw = (size_t)lm->n_words;
    lm->n_groups = (L->out_c + 7) / 8;
    lm->wbits = calloc((size_t)L->out_c * nw, sizeof(uint64_t));
    lm->wgroup = calloc((size_t)lm->n_groups * 8 * nw, sizeof(uint64_t));
    if (!lm->wbits || !lm->wgroup)
        return SCIM_ENOMEM;
    for (int j = 0; j < L->out_c; j++)
        for (int i = 0; i < lm->n_rows; i++)
            if (L->weight[(size_t)j * (size_t)lm->n_rows + (size_t)i] > 0)
                lm->wbits[(size_t)j * nw + (size_t)(i >> 6)] |= 1ull << (i & 63);
    if (pack_stuck(lm) < 0)
        return SCIM_ENOMEM;
    /* Column-group layout: the 8 columns of a group side by side for each word, so
     * one input word is compared with 8 columns in one vector step. */
    for (int j = 0; j < L->out_c; j++)
        for (size_t k = 0; k < nw; k++)
            lm->wgroup[((size_t)(j / 8) * nw + k) * 8 + (size_t)(j % 8)] = lm->wbits[(size_t)j * nw + k];
    return 0;
}

/* The channel-minor copy of a conv layer (mapping.h): row (c, kh, kw) moves to
 * (kh k + kw) C + c, so that a window's rows of one kernel row are one run of bits of
 * an input row stored pixel by pixel, C channels each. */
static int build_channel_minor(struct scim_layer_map *lm)
{
    const struct scim_layer *L = lm->layer;
    int C = L->in_c, k = L->kernel, kk = k * k;
    if (L->kind != SCIM_LAYER_CONV || C > 64 || (C & (C - 1)) || lm->clip_possible ||
        lm->has_stuck || L->in_w + 2 * L->padding > 64)
        return 0;
    struct scim_layer_map *cm = malloc(sizeof(*cm));
    if (!cm)
        return SCIM_ENOMEM;
    *cm = *lm;
    cm->cm = NULL;
    size_t nw = (size_t)lm->n_words;
    cm->wbits = calloc((size_t)L->out_c * nw, sizeof(uint64_t));
    cm->wgroup = calloc((size_t)lm->n_groups * 8 * nw, sizeof(uint64_t));
    lm->cm = cm; /* freed with the mapping, whatever happens next */
    if (!cm->wbits || !cm->wgroup)
        return SCIM_ENOMEM;
    for (int j = 0; j < L->out_c; j++)
        for (int i = 0; i < lm->n_rows; i++)
            if (lm->wbits[(size_t)j * nw + (size_t)(i >> 6)] >> (i & 63) & 1) {
                int r = i % kk * C + i / kk;
                cm->wbits[(size_t)j * nw + (size_t)(r >> 6)] |= 1ull << (r & 63);
            }
    for (int j = 0; j < L->out_c; j++)
        for (size_t w = 0; w < nw; w++)
            cm->wgroup[((size_t)(j / 8) * nw + w) * 8 + (size_t)(j % 8)] =
                cm->wbits[(size_t)j * nw + w];
    return 0;
}

/* The sign of output j for the sum s, variant and shortcut r, as neuron.h computes it. */
static int out_bit(const struct scim_layer_map *lm, int j, double s, int variant, int r)
{
    const struct scim_layer *L = lm->layer;
    return scim_neuron_bit(scim_residual_y(L, scim_neuron_y(L, j, s, lm->input_scale, variant), r));
}

/* Threshold of output j: binary search for the step of sign(y(s) + g r) over the
 * integer sums the layer can produce, with the very arithmetic of neuron.h (adding a
 * constant keeps y(s) monotone, so it is still a step). */
static struct scim_threshold threshold(const struct scim_layer_map *lm, int j, int variant, int r,
                                       int32_t smax)
{
    struct scim_threshold th = {0, SCIM_CMP_GE, 0, 0};
    int lo_bit = out_bit(lm, j, -smax, variant, r);
    int hi_bit = out_bit(lm, j, smax, variant, r);
    if (lo_bit == hi_bit) {
        th.mode = lo_bit ? SCIM_CMP_ONE : SCIM_CMP_ZERO;
        return th;
    }
    /* Find the first s whose bit equals hi_bit; it exists in (-smax, smax]. */
    int64_t lo = -smax, hi = smax;
    while (hi - lo > 1) {
        int64_t mid = lo + (hi - lo) / 2;
        if (out_bit(lm, j, (double)mid, variant, r) == hi_bit)
            hi = mid;
        else
            lo = mid;
    }
    /* Rising: +1 from hi upward; falling: +1 up to lo. */
    th.t = (int32_t)(hi_bit ? hi : lo);
    th.mode = hi_bit ? SCIM_CMP_GE : SCIM_CMP_LE;
    return th;
}

static int build_thresholds(struct scim_layer_map *lm)
{
    const struct scim_layer *L = lm->layer;
    int32_t smax = lm->n_rows * (lm->planes == 8 ? 255 : 1);
    int nv = scim_layer_variants(L), sets = lm->thr_sets;
    lm->thr = calloc((size_t)nv * (size_t)sets * (size_t)L->out_c, sizeof(*lm->thr));
    if (!lm->thr)
        return SCIM_ENOMEM;
    for (int d = 0; d < nv; d++)
        for (int q = 0; q < sets; q++)
            for (int j = 0; j < L->out_c; j++) {
                int r = sets > 1 ? q - 1 : 0;
                struct scim_threshold th = threshold(lm, j, d, r, smax);
                th.lo = th.mode == SCIM_CMP_GE ? th.t : th.mode == SCIM_CMP_ZERO ? 1 : INT32_MIN;
                th.hi = th.mode == SCIM_CMP_LE ? th.t : th.mode == SCIM_CMP_ZERO ? 0 : INT32_MAX;
                lm->thr[scim_thr_index(lm, d, r, j)] = th;
            }
    return 0;
}

/*
 * A bit-serial layer whose reads can never clip: the shift-and-add of the
 * eight bit-plane sums equals the integer dot product with u = 2x - 255, and
 * the low-resistance cells read over the planes of row i number
 * popcount(x_i) * P_i + (8 - popcount(x_i)) * (C - P_i) (P_i = +1 weights in
 * the row, C = columns): exact identities, so the host computes them directly.
 */
static int build_int_path(struct scim_layer_map *lm, const struct scim_config *cfg)
{
    const struct scim_layer *L = lm->layer;
    int n = lm->n_rows, C = L->out_c;
    /* Analog reads that depend on each cell decide each plane's reads on their own. */
    lm->int_path =
        lm->planes == 8 && !lm->clip_possible && !lm->has_stuck && !scim_analog_per_plane(cfg);
    if (!lm->int_path)
        return 0;
    lm->wrow = malloc((size_t)C * (size_t)n);
    lm->wplus = malloc((size_t)C * (size_t)n);
    lm->wones = malloc((size_t)n);
    lm->wsum = calloc((size_t)C, sizeof(int32_t));
    lm->lrs_k = calloc((size_t)n, sizeof(int16_t));
    if (!lm->wrow || !lm->wplus || !lm->wones || !lm->wsum || !lm->lrs_k)
        return SCIM_ENOMEM;
    memcpy(lm->wrow, L->weight, (size_t)C * (size_t)n);
    memset(lm->wones, 1, (size_t)n);
    for (size_t k = 0; k < (size_t)C * (size_t)n; k++)
        lm->wplus[k] = L->weight[k] > 0;
    lm->lrs_base = 0;
    for (int i = 0; i < n; i++) {
        int pos = 0;
        for (int j = 0; j < C; j++) {
            pos += L->weight[(size_t)j * (size_t)n + (size_t)i] > 0;
            lm->wsum[j] += L->weight[(size_t)j * (size_t)n + (size_t)i];
        }
        lm->lrs_k[i] = (int16_t)(2 * pos - C);
        lm->lrs_base += 8 * (int64_t)(C - pos);
    }
    return 0;
}

static uint64_t ceil_div(uint64_t a, uint64_t b)
{
    return (a + b - 1) / b;
}

/*
 * The scale crossbar stores each scale in `bits` bits on multi-level cells in
 * tandem; a layer's stored values (its N samples and their mean, or its alpha)
 * share one uniform grid between their minimum and maximum. Values trained on a
 * grid at least that fine are kept as they are.
 */
static double quantize(double v, double lo, double hi, int levels)
{
    if (hi <= lo)
        return lo;
    double code = floor((v - lo) / (hi - lo) * (levels - 1) + 0.5);
    return lo + code * (hi - lo) / (levels - 1);
}

static double *quantized_copy(const double *v, size_t n, double lo, double hi, int levels)
{
    double *q = malloc(n * sizeof(double));
    for (size_t i = 0; q && i < n; i++)
        q[i] = quantize(v[i], lo, hi, levels);
    return q;
}

/* A chip instance's level flips (faults.scale_level_flip) on the stored values. */
static int level_flips(struct scim_layer_map *lm, const struct scim_config *cfg, double lo,
                       double hi, int bits)
{
    const struct scim_layer *L = lm->layer;
    size_t out = (size_t)L->out_c, ns = (size_t)L->n_scale_samples * out;
    struct scim_level_grid g = {lo, hi, bits, cfg->scale_memory.cell.ops->cell->levels, lm->scale_cells,
                                L->level_flip_p, (uint64_t)cfg->workload.seed, L->level_flip_stream};
    if (!lm->qscale && !(lm->qscale = quantized_copy(L->scale, out, lo, hi, 1 << bits)))
        return SCIM_ENOMEM;
    if (ns && !lm->qsamples && !(lm->qsamples = quantized_copy(L->scale_samples, ns, lo, hi, 1 << bits)))
        return SCIM_ENOMEM;
    scim_faults_levels(lm->qscale, out, &g, &lm->level_flips);
    if (ns)
        scim_faults_levels(lm->qsamples, ns, &g, &lm->level_flips);
    lm->qlayer.scale = lm->qscale;
    if (ns)
        lm->qlayer.scale_samples = lm->qsamples;
    return 0;
}

static int scale_crossbar(struct scim_layer_map *lm, const struct scim_config *cfg)
{
    const struct scim_layer *L = lm->layer;
    int bits = (int)cfg->scale_memory.bits, cell_levels = cfg->scale_memory.cell.ops->cell->levels;
    size_t out = (size_t)L->out_c, ns = (size_t)L->n_scale_samples * out;
    for (double reach = 1.0; reach < ldexp(1.0, bits); reach *= cell_levels)
        lm->scale_cells++;
    lm->scale_rows = L->scale_samples ? L->n_scale_samples + 1 : 1;
    lm->qlayer = *L;
    lm->layer = &lm->qlayer;
    double lo = L->scale[0], hi = L->scale[0];
    for (size_t j = 0; j < out; j++)
        lo = fmin(lo, L->scale[j]), hi = fmax(hi, L->scale[j]);
    for (size_t k = 0; k < ns; k++)
        lo = fmin(lo, L->scale_samples[k]), hi = fmax(hi, L->scale_samples[k]);
    if (L->scale_bits && bits >= L->scale_bits) /* already on a grid at least that fine */
        return L->level_flip_p > 0.0 ? level_flips(lm, cfg, lo, hi, L->scale_bits) : 0;
    int levels = 1 << bits;
    lm->qscale = quantized_copy(L->scale, out, lo, hi, levels);
    lm->qsamples = ns ? quantized_copy(L->scale_samples, ns, lo, hi, levels) : NULL;
    if (!lm->qscale || (ns && !lm->qsamples))
        return SCIM_ENOMEM;
    lm->qlayer.scale = lm->qscale;
    if (ns)
        lm->qlayer.scale_samples = lm->qsamples;
    return L->level_flip_p > 0.0 ? level_flips(lm, cfg, lo, hi, bits) : 0;
}

/* Events of one pass that do not depend on the data. */
static void count_per_pass(struct scim_layer_map *lm, const struct scim_config *cfg, int last)
{
    const struct scim_layer *L = lm->layer;
    uint64_t n = (uint64_t)lm->positions * (uint64_t)lm->planes;
    uint64_t out = (uint64_t)L->out_c, wb = (uint64_t)cfg->buffer.word_bits;
    struct scim_counts *c = &lm->per_pass;
    memset(c, 0, sizeof(*c));
    c->ev[SCIM_EV_XBAR_READ] = n * (uint64_t)lm->n_chunks * (uint64_t)lm->col_tiles;
    c->ev[SCIM_EV_WORDLINES] = n * (uint64_t)lm->n_rows * (uint64_t)lm->col_tiles;
    c->ev[SCIM_EV_CELLS_READ] = n * (uint64_t)lm->n_rows * out;
    c->ev[SCIM_EV_ADC_CONV] = n * (uint64_t)lm->n_chunks * out;
    c->ev[SCIM_EV_ACC_ADD] = c->ev[SCIM_EV_ADC_CONV];
    if (cfg->scale_memory.kind == SCIM_SCALE_CROSSBAR) { /* one row read per pass, then latched */
        c->ev[SCIM_EV_SCALE_XBAR_READ] = 1;
        c->ev[SCIM_EV_SCALE_CELLS] = out * (uint64_t)lm->scale_cells;
        c->ev[SCIM_EV_SCALE_ADC_CONV] = out * (uint64_t)lm->scale_cells;
    } else {
        c->ev[SCIM_EV_SCALE_READ] = (uint64_t)lm->positions * out;
    }
    c->ev[SCIM_EV_MULTIPLY] = (uint64_t)lm->positions * out;
    c->ev[SCIM_EV_COMPARE] = L->sign_out ? (uint64_t)lm->positions * out : 0;
    c->ev[SCIM_EV_RES_ADD] = L->residual >= 0 ? (uint64_t)lm->positions * out : 0;
    c->ev[SCIM_EV_NORM] = L->norm_layer ? (uint64_t)lm->positions * out : 0;
    uint64_t pooled = (uint64_t)L->pooled_h * (uint64_t)L->pooled_w * out;
    c->ev[SCIM_EV_POOL] = L->pool != SCIM_POOL_NONE ? pooled : 0;
    uint64_t in_bits = (uint64_t)lm->n_rows * (lm->planes == 8 ? 8u : 1u);
    c->ev[SCIM_EV_BUF_READ] = (uint64_t)lm->positions * ceil_div(in_bits, wb);
    c->ev[SCIM_EV_BUF_WRITE] = last ? 0 : ceil_div(pooled, wb);
}

static int check_layer(const struct scim_layer_map *lm, const struct scim_config *cfg,
                       int last, const char *file, struct scim_diag *d)
{
    const struct scim_layer *L = lm->layer;
    double max_sum = (double)lm->n_rows * (lm->planes == 8 ? 255.0 : 1.0);
    double acc_max = ldexp(1.0, (int)cfg->accumulator.width_bits - 1) - 1.0;
    if (max_sum > acc_max)
        return scim_diag_file_error(d, file, SCIM_ESHAPE,
                                    "layer '%s': partial sums reach %.0f, beyond the %lld-bit "
                                    "accumulator (set accumulator.width)",
                                    L->name, max_sum, (long long)cfg->accumulator.width_bits);
    if (L->kind == SCIM_LAYER_CONV && L->in_w + 2 * L->padding > 64)
        return scim_diag_file_error(d, file, SCIM_ESHAPE,
                                    "layer '%s': padded input width %d exceeds 64 columns",
                                    L->name, L->in_w + 2 * L->padding);
    if (last && L->out_h * L->out_w != 1)
        return scim_diag_file_error(d, file, SCIM_ESHAPE,
                                    "layer '%s': the output layer must produce one vector, not "
                                    "%dx%d positions",
                                    L->name, L->out_h, L->out_w);
    return 0;
}

/* The shortcut of a residual layer (model.h; the loader checked it, in-memory models
 * are checked here): the source's output shape and the stride it is read with. */
static int map_residual(struct scim_layer_map *lm, const struct scim_model *m, int i,
                        struct scim_diag *d)
{
    const struct scim_layer *L = &m->layers[i];
    lm->thr_sets = 1;
    if (L->residual < 0)
        return 0;
    const struct scim_layer *src = L->residual < i ? &m->layers[L->residual] : NULL;
    int st = src ? src->pooled_h / L->out_h : 0;
    if (!src || !L->sign_out || !(L->residual_gain > 0.0 && isfinite(L->residual_gain)) ||
        src->pooled_h != st * L->out_h || src->pooled_w != st * L->out_w || src->out_c > L->out_c)
        return scim_diag_file_error(d, m->manifest_path, SCIM_ESHAPE,
                                    "layer '%s': residual source %d does not fit the layer",
                                    L->name, L->residual);
    lm->thr_sets = 3;
    lm->res_stride = st;
    lm->res_c = src->out_c;
    lm->res_h = src->pooled_h;
    lm->res_w = src->pooled_w;
    return 0;
}

static int first_layer_planes(const struct scim_model *m, const struct scim_config *cfg)
{
    int enc = cfg->mapping.first_layer_encoding;
    if (enc == SCIM_FIRST_MODEL)
        return m->encoding == SCIM_INPUT_BITSERIAL8 ? 8 : 1;
    return enc == SCIM_FIRST_BITSERIAL8 ? 8 : 1;
}

static int map_layer(struct scim_layer_map *lm, const struct scim_model *m, int i,
                     const struct scim_config *cfg, struct scim_diag *d)
{
    const struct scim_layer *L = &m->layers[i];
    int per_col = (int)(cfg->crossbar.rows / 2), rpr = (int)cfg->crossbar.rows_per_read;
    int last = i == m->n_layers - 1;
    lm->layer = L;
    lm->index = i;
    lm->planes = i == 0 ? first_layer_planes(m, cfg) : 1;
    lm->input_scale = lm->planes == 8 ? 1.0 / 255.0 : 1.0;
    lm->n_rows = L->fan_in;
    lm->n_words = (L->fan_in + 63) / 64;
    lm->last_mask = (L->fan_in & 63) ? (1ull << (L->fan_in & 63)) - 1 : ~0ull;
    lm->positions = L->out_h * L->out_w;
    int rc = cfg->scale_memory.kind == SCIM_SCALE_CROSSBAR ? scale_crossbar(lm, cfg) : 0;
    if (rc < 0)
        return rc;
    rc = check_layer(lm, cfg, last, m->manifest_path, d);
    if (rc == 0)
        rc = map_residual(lm, m, i, d);
    if (rc < 0)
        return rc;
    rc = build_chunks(lm, L->kind == SCIM_LAYER_CONV && cfg->mapping.conv_strategy == SCIM_CONV_KXK,
                      per_col, rpr);
    if (rc < 0)
        return rc;
    lm->col_tiles = (int)ceil_div((uint64_t)L->out_c, (uint64_t)cfg->crossbar.columns);
    lm->arrays = lm->row_tiles * lm->col_tiles;
    int cols_used = L->out_c < cfg->crossbar.columns ? L->out_c : (int)cfg->crossbar.columns;
    lm->adcs_per_array = (int)ceil_div((uint64_t)cols_used, (uint64_t)cfg->adc.columns_per_adc);
    lm->reads_per_tile = reads_per_tile(lm);
    int bits = cfg->adc.device.ops->adc->bits(cfg->adc.device.params);
    lm->max_code = (uint32_t)((1ull << bits) - 1);
    lm->clip_possible = (uint64_t)rpr > lm->max_code;
    lm->utilization = (double)lm->n_rows * 2.0 * L->out_c /
                      ((double)lm->arrays * (double)cfg->crossbar.rows * (double)cfg->crossbar.columns);
    count_per_pass(lm, cfg, last);
    rc = pack_weights(lm);
    if (rc == 0)
        rc = build_thresholds(lm);
    if (rc == 0)
        rc = build_int_path(lm, cfg);
    return rc || lm->int_path ? rc : build_channel_minor(lm);
}

int scim_map_model(struct scim_mapping *mp, const struct scim_model *m,
                   const struct scim_config *cfg, struct scim_diag *d)
{
    memset(mp, 0, sizeof(*mp));
    mp->layers = calloc((size_t)m->n_layers, sizeof(*mp->layers));
    if (!mp->layers)
        return SCIM_ENOMEM;
    mp->n_layers = m->n_layers;
    mp->weights_per_column = (int)(cfg->crossbar.rows / 2);
    for (int i = 0; i < m->n_layers; i++) {
        int rc = map_layer(&mp->layers[i], m, i, cfg, d);
        if (rc < 0) {
            scim_mapping_free(mp);
            return rc;
        }
        mp->total_arrays += mp->layers[i].arrays;
        if (m->layers[i].out_c > mp->max_out)
            mp->max_out = m->layers[i].out_c;
    }
    return 0;
}

void scim_mapping_free(struct scim_mapping *mp)
{
    for (int i = 0; mp->layers && i < mp->n_layers; i++) {
        free(mp->layers[i].chunks);
        free(mp->layers[i].segs);
        free(mp->layers[i].wbits);
        free(mp->layers[i].wgroup);
        free(mp->layers[i].wkeep);
        free(mp->layers[i].wmatch);
        free(mp->layers[i].thr);
        free(mp->layers[i].qscale);
        free(mp->layers[i].qsamples);
        free(mp->layers[i].wrow);
        free(mp->layers[i].wplus);
        free(mp->layers[i].wones);
        free(mp->layers[i].wsum);
        free(mp->layers[i].lrs_k);
        if (mp->layers[i].cm) {
            free(mp->layers[i].cm->wbits);
            free(mp->layers[i].cm->wgroup);
            free(mp->layers[i].cm);
        }
    }
    free(mp->layers);
    memset(mp, 0, sizeof(*mp));
}

/* The shortcut column of a residual layer: "+ source", with its stride, zero-padded
 * channels and gain when they are not the plain identity. */
static const char *shortcut_text(const struct scim_mapping *mp, const struct scim_layer_map *lm,
                                 char *buf, size_t len)
{
    const struct scim_layer *L = lm->layer;
    int n = snprintf(buf, len, "+ %s", mp->layers[L->residual].layer->name);
    if (lm->res_stride > 1 && n >= 0 && (size_t)n < len)
        n += snprintf(buf + n, len - (size_t)n, ", stride %d", lm->res_stride);
    if (lm->res_c < L->out_c && n >= 0 && (size_t)n < len)
        n += snprintf(buf + n, len - (size_t)n, ", channels %d -> %d", lm->res_c, L->out_c);
    if (L->residual_gain != 1.0 && n >= 0 && (size_t)n < len)
        snprintf(buf + n, len - (size_t)n, ", gain %g", L->residual_gain);
    return buf;
}

void scim_mapping_print(const struct scim_mapping *mp, FILE *f)
{
    int w = 8, residual = 0;
    char sc[96];
    for (int i = 0; i < mp->n_layers; i++) {
        int n = (int)strlen(mp->layers[i].layer->name);
        w = n > w ? n : w;
        residual |= mp->layers[i].layer->residual >= 0;
    }
    fprintf(f, "%-*s %-7s %6s %6s %6s %7s %9s %6s %6s %7s%s\n", w, "layer", "kind", "rows", "cols",
            "arrays", "reads", "positions", "planes", "ADCs", "util", residual ? "  shortcut" : "");
    for (int i = 0; i < mp->n_layers; i++) {
        const struct scim_layer_map *lm = &mp->layers[i];
        fprintf(f, "%-*s %-7s %6d %6d %6d %7d %9d %6d %6d %6.1f%%%s%s\n", w, lm->layer->name,
                lm->layer->kind == SCIM_LAYER_CONV ? "conv" : "linear", lm->n_rows,
                lm->layer->out_c, lm->arrays, lm->n_chunks * lm->col_tiles, lm->positions,
                lm->planes, lm->adcs_per_array * lm->arrays, 100.0 * lm->utilization,
                lm->layer->residual >= 0 ? "  " : "",
                lm->layer->residual >= 0 ? shortcut_text(mp, lm, sc, sizeof(sc)) : "");
    }
    fprintf(f, "total arrays: %d (%d weights per column)\n", mp->total_arrays,
            mp->weights_per_column);
}

int scim_analog_per_plane(const struct scim_config *cfg)
{
    const struct scim_fault_cfg *f = &cfg->faults;
    return cfg->crossbar.read_mode == SCIM_READ_MODE_ANALOG &&
           (f->d2d_sigma > 0.0 || f->d2d_sigma_add_s > 0.0 || cfg->crossbar.wire_resistance_ohm > 0.0);
}
