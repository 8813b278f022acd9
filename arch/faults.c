/*
 * faults.c - per-chip fault maps on the stored binary weights.
 */
#include "faults.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim/base/error.h"
#include "devices/reliability.h"
#include "sim/base/rng.h"

int scim_faults_enabled(const struct scim_config *cfg)
{
    const struct scim_fault_cfg *f = &cfg->faults;
    return f->bit_flip > 0.0 || f->stuck_p > 0.0 || f->stuck_ap > 0.0 || f->retention_time_s > 0.0 ||
           f->reads_since_write > 0.0 || f->scale_bit_flip > 0.0 || f->scale_level_flip > 0.0 ||
           f->rng_stuck_0 > 0.0 || f->rng_stuck_1 > 0.0;
}

int scim_variation_enabled(const struct scim_config *cfg)
{
    const struct scim_fault_cfg *f = &cfg->faults;
    return f->d2d_sigma > 0.0 || f->d2d_sigma_add_s > 0.0 || f->c2c_sigma > 0.0 ||
           f->c2c_sigma_add_s > 0.0;
}

int scim_fault_chips(const struct scim_config *cfg)
{
    if (cfg->faults.chips > 0)
        return (int)cfg->faults.chips;
    return scim_faults_enabled(cfg) || scim_variation_enabled(cfg) ? 100 : 0;
}

/* Is layer `name` among faults.layers ("all" or a comma-separated list)? */
static int listed(const char *list, const char *name)
{
    if (!list || !strcmp(list, "all") || !*list)
        return 1;
    size_t n = strlen(name);
    for (const char *p = list; *p;) {
        while (*p == ' ' || *p == ',')
            p++;
        const char *e = p;
        while (*e && *e != ',' && *e != ' ')
            e++;
        if ((size_t)(e - p) == n && !strncmp(p, name, n))
            return 1;
        p = e;
    }
    return 0;
}

/* The layers of this chip that get faults: the listed ones, or when layer_fraction < 1
 * a uniformly drawn subset of them of that share (at least one; selection sampling). */
static void pick_layers(const struct scim_model *m, const struct scim_fault_cfg *f,
                        struct scim_rng *r, int *on)
{
    int n = 0;
    for (int l = 0; l < m->n_layers; l++)
        n += on[l] = listed(f->layers, m->layers[l].name);
    int want = (int)(f->layer_fraction * n + 0.5);
    if (want < 1 && n)
        want = 1;
    for (int l = 0, left = n; l < m->n_layers; l++) {
        if (!on[l])
            continue;
        on[l] = scim_rng_uniform(r) * left < want;
        want -= on[l];
        left--;
    }
}

/* Start chip instance `index`'s fault stream and draw its faulty layers into on[]. */
static void start_chip(struct scim_rng *r, const struct scim_model *m,
                       const struct scim_config *cfg, uint64_t index, int *on)
{
    scim_rng_init(r, (uint64_t)cfg->workload.seed, scim_stream_id(SCIM_STREAM_FAULT, index, 0));
    pick_layers(m, &cfg->faults, r, on);
}

void scim_fault_layers(const struct scim_model *m, const struct scim_config *cfg, uint64_t index,
                       int *on)
{
    struct scim_rng r;
    start_chip(&r, m, cfg, index, on);
}

/* Per-cell and per-weight probabilities of one chip's faults. */
struct rates {
    double flip, stuck_p, stuck_ap; /* faults.bit_flip, stuck_p, stuck_ap */
    double ret;                     /* retention flip of a cell (faults.retention_time) */
    double rd;                      /* read disturb of an AP cell (faults.reads_since_write) */
};

static int rates_of(const struct scim_config *cfg, struct rates *q, char *msg, size_t len)
{
    const struct scim_fault_cfg *f = &cfg->faults;
    double temp = cfg->chip.temperature_k;
    q->flip = f->bit_flip, q->stuck_p = f->stuck_p, q->stuck_ap = f->stuck_ap;
    int rc = scim_cell_retention_p(cfg->crossbar.cell.ops, cfg->crossbar.cell.params, f->retention_time_s, temp, &q->ret,
                                   msg, len);
    if (rc == 0)
        rc = scim_cell_read_disturb_p(cfg->crossbar.cell.ops, cfg->crossbar.cell.params, f->reads_since_write, temp, &q->rd, msg,
                                      len);
    return rc;
}

/* A cell's state (1 = P, 0 = AP) after retention and read disturb (AP to P). */
static int aged(int st, const struct rates *q, struct scim_rng *r, struct scim_fault_summary *sum)
{
    if (q->ret > 0.0 && scim_rng_uniform(r) < q->ret)
        st = !st, sum->retention++;
    if (q->rd > 0.0 && !st && scim_rng_uniform(r) < q->rd)
        st = 1, sum->disturbed++;
    return st;
}

/* The state of one cell after its stuck-at draw: 1 = P, 0 = AP. */
static int cell(int st, const struct rates *q, struct scim_rng *r, uint64_t *stuck)
{
    if (q->stuck_p <= 0.0 && q->stuck_ap <= 0.0)
        return st;
    double u = scim_rng_uniform(r);
    if (u < q->stuck_p)
        return ++*stuck, 1;
    if (u < q->stuck_p + q->stuck_ap)
        return ++*stuck, 0;
    return st;
}

static int8_t faulty_weight(int8_t w, const struct rates *q, struct scim_rng *r,
                            struct scim_fault_summary *sum)
{
    if (q->flip > 0.0 && scim_rng_uniform(r) < q->flip)
        w = (int8_t)-w, sum->flipped++;
    if (q->stuck_p <= 0.0 && q->stuck_ap <= 0.0 && q->ret <= 0.0 && q->rd <= 0.0)
        return w;
    int a = aged(w > 0, q, r, sum), b = aged(w < 0, q, r, sum);
    a = cell(a, q, r, &sum->stuck), b = cell(b, q, r, &sum->stuck);
    if (a && b)
        return sum->always_match++, SCIM_W_MATCH;
    if (!a && !b)
        return sum->never_match++, SCIM_W_MISMATCH;
    return (int8_t)(a ? 1 : -1);
}

/* The faulty copy of layer L's weights (its other arrays shared with the model). */
static int fault_weights(struct scim_layer *L, int on, const struct rates *q, struct scim_rng *r,
                         struct scim_fault_summary *sum)
{
    size_t n = (size_t)L->out_c * (size_t)L->fan_in;
    int8_t *w = malloc(n);
    if (!w)
        return SCIM_ENOMEM;
    for (size_t k = 0; k < n; k++)
        w[k] = on ? faulty_weight(L->weight[k], q, r, sum) : L->weight[k];
    L->weight = w;
    return 0;
}

int scim_faults_apply(struct scim_model *chip, const struct scim_model *m,
                      const struct scim_config *cfg, uint64_t index,
                      struct scim_fault_summary *sum)
{
    struct scim_rng r;
    struct rates q;
    char msg[256];
    memset(sum, 0, sizeof(*sum));
    if (rates_of(cfg, &q, msg, sizeof(msg)) < 0)
        return SCIM_EINVAL; /* refused by the config check */
    int *on = calloc((size_t)m->n_layers, sizeof(int));
    *chip = *m;
    chip->layers = calloc((size_t)m->n_layers, sizeof(*chip->layers));
    if (!on || !chip->layers) {
        free(on);
        free(chip->layers);
        chip->layers = NULL;
        return SCIM_ENOMEM;
    }
    memcpy(chip->layers, m->layers, (size_t)m->n_layers * sizeof(*chip->layers));
    for (int l = 0; l < m->n_layers; l++)
        chip->layers[l].weight = NULL; /* owned from here on: freed by scim_faults_free */
    start_chip(&r, m, cfg, index, on);
    int rc = 0;
    for (int l = 0; rc == 0 && l < m->n_layers; l++) {
        chip->layers[l].weight = m->layers[l].weight;
        rc = fault_weights(&chip->layers[l], on[l], &q, &r, sum);
        if (rc < 0)
            chip->layers[l].weight = NULL;
        sum->faulty_layers += on[l];
    }
    if (rc == 0)
        rc = scim_faults_scales(chip, cfg, index, on, sum);
    free(on);
    if (rc < 0)
        scim_faults_free(chip);
    return rc;
}

/* Flip each bit of the IEEE single-precision words v[0..n) with probability p. */
static void flip_words(double *v, size_t n, double p, struct scim_rng *r, uint64_t *flips)
{
    for (size_t i = 0; i < n; i++) {
        float f = (float)v[i];
        uint32_t u;
        memcpy(&u, &f, sizeof(u));
        for (int b = 0; b < 32; b++)
            if (scim_rng_uniform(r) < p)
                u ^= 1u << b, ++*flips;
        memcpy(&f, &u, sizeof(f));
        v[i] = f;
    }
}

static double *copy_of(const double *v, size_t n)
{
    double *c = v ? malloc(n * sizeof(double)) : NULL;
    if (c)
        memcpy(c, v, n * sizeof(double));
    return c;
}

/* The scale SRAM: a faulty layer's words get bit flips (the chip keeps its own copy
 * of every layer's scales). */
static int sram_faults(struct scim_model *chip, const int *on, double p, struct scim_rng *r,
                       struct scim_fault_summary *sum)
{
    chip->faulty_scales = 1;
    for (int l = 0; l < chip->n_layers; l++) {
        struct scim_layer *L = &chip->layers[l];
        size_t n = (size_t)L->out_c, ns = (size_t)L->n_scale_samples * n;
        double *sc = copy_of(L->scale, n), *ss = copy_of(L->scale_samples, ns);
        L->scale = sc, L->scale_samples = ss;
        if ((n && !sc) || (ns && !ss))
            return SCIM_ENOMEM;
        if (on[l] && sc)
            flip_words(sc, n, p, r, &sum->scale_bits);
        if (on[l] && ss)
            flip_words(ss, ns, p, r, &sum->scale_bits);
    }
    return 0;
}

int scim_faults_scales(struct scim_model *chip, const struct scim_config *cfg, uint64_t index,
                       const int *on, struct scim_fault_summary *sum)
{
    const struct scim_fault_cfg *f = &cfg->faults;
    struct scim_rng r;
    scim_rng_init(&r, (uint64_t)cfg->workload.seed, scim_stream_id(SCIM_STREAM_FAULT, index, 0x5c));
    if (cfg->scale_memory.kind == SCIM_SCALE_SRAM && f->scale_bit_flip > 0.0)
        return sram_faults(chip, on, f->scale_bit_flip, &r, sum);
    for (int l = 0; l < chip->n_layers; l++)
        if (cfg->scale_memory.kind == SCIM_SCALE_CROSSBAR && on[l] && f->scale_level_flip > 0.0) {
            chip->layers[l].level_flip_p = f->scale_level_flip;
            chip->layers[l].level_flip_stream =
                scim_stream_id(SCIM_STREAM_FAULT, index, 0x100 + (uint64_t)l);
        }
    return 0;
}

/* Level flips of one stored value's cells: its code (0 .. 2^bits - 1) in base
 * `levels` digits, one digit per cell; a flipped cell reads one level up or down
 * (inward at the ends); the code is clamped to the grid. */
static double level_faults(double v, const struct scim_level_grid *g, struct scim_rng *r,
                           uint64_t *flips)
{
    int top = (1 << g->bits) - 1;
    long code = g->hi > g->lo ? lround((v - g->lo) / (g->hi - g->lo) * top) : 0, out = 0, w = 1;
    for (int c = 0; c < g->cells; c++, w *= g->levels) {
        long d = (code / w) % g->levels;
        if (scim_rng_uniform(r) < g->p) {
            int up = d == 0 || (d < g->levels - 1 && scim_rng_uniform(r) < 0.5);
            d += up ? 1 : -1;
            ++*flips;
        }
        out += d * w;
    }
    out = out > top ? top : out;
    return g->lo + (double)out * (g->hi - g->lo) / top;
}

void scim_faults_levels(double *v, size_t n, const struct scim_level_grid *g, uint64_t *flips)
{
    struct scim_rng r;
    scim_rng_init(&r, g->seed, g->stream);
    for (size_t i = 0; i < n; i++)
        v[i] = level_faults(v[i], g, &r, flips);
}

int scim_rng_stuck(const struct scim_config *cfg, uint64_t chip, int module)
{
    const struct scim_fault_cfg *f = &cfg->faults;
    if (chip == 0 || (f->rng_stuck_0 <= 0.0 && f->rng_stuck_1 <= 0.0))
        return -1;
    struct scim_rng r;
    scim_rng_init(&r, (uint64_t)cfg->workload.seed,
                  scim_stream_id(SCIM_STREAM_FAULT, chip - 1, 0x200000 + (uint64_t)module));
    double u = scim_rng_uniform(&r);
    return u < f->rng_stuck_0 ? 0 : u < f->rng_stuck_0 + f->rng_stuck_1 ? 1 : -1;
}

void scim_faults_free(struct scim_model *chip)
{
    for (int l = 0; chip->layers && l < chip->n_layers; l++) {
        free(chip->layers[l].weight);
        if (chip->faulty_scales) {
            free(chip->layers[l].scale);
            free(chip->layers[l].scale_samples);
        }
    }
    free(chip->layers);
    chip->layers = NULL;
}
