/*
 * faults.c - per-chip fault maps on the stored binary weights.
 */
#include "faults.h"

#include <stdlib.h>
#include <string.h>

#include "../sim/error.h"
#include "../sim/rng.h"

int scim_faults_enabled(const struct scim_config *cfg)
{
    const struct scim_fault_cfg *f = &cfg->faults;
    return f->bit_flip > 0.0 || f->stuck_p > 0.0 || f->stuck_ap > 0.0;
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
    scim_rng_init(r, (uint64_t)cfg->wl.seed, scim_stream_id(SCIM_STREAM_FAULT, index, 0));
    pick_layers(m, &cfg->faults, r, on);
}

void scim_fault_layers(const struct scim_model *m, const struct scim_config *cfg, uint64_t index,
                       int *on)
{
    struct scim_rng r;
    start_chip(&r, m, cfg, index, on);
}

/* The state of one cell after its stuck-at draw: 1 = P, 0 = AP. */
static int cell(int written, const struct scim_fault_cfg *f, struct scim_rng *r, uint64_t *stuck)
{
    double u = scim_rng_uniform(r);
    if (u < f->stuck_p)
        return ++*stuck, 1;
    if (u < f->stuck_p + f->stuck_ap)
        return ++*stuck, 0;
    return written;
}

static int8_t faulty_weight(int8_t w, const struct scim_fault_cfg *f, struct scim_rng *r,
                            struct scim_fault_summary *sum)
{
    if (f->bit_flip > 0.0 && scim_rng_uniform(r) < f->bit_flip)
        w = (int8_t)-w, sum->flipped++;
    if (f->stuck_p <= 0.0 && f->stuck_ap <= 0.0)
        return w;
    int a = cell(w > 0, f, r, &sum->stuck), b = cell(w < 0, f, r, &sum->stuck);
    if (a && b)
        return sum->always_match++, SCIM_W_MATCH;
    if (!a && !b)
        return sum->never_match++, SCIM_W_MISMATCH;
    return (int8_t)(a ? 1 : -1);
}

int scim_faults_apply(struct scim_model *chip, const struct scim_model *m,
                      const struct scim_config *cfg, uint64_t index,
                      struct scim_fault_summary *sum)
{
    struct scim_rng r;
    int *on = calloc((size_t)m->n_layers, sizeof(int));
    memset(sum, 0, sizeof(*sum));
    *chip = *m;
    chip->layers = calloc((size_t)m->n_layers, sizeof(*chip->layers));
    if (!on || !chip->layers) {
        free(on);
        free(chip->layers);
        chip->layers = NULL;
        return SCIM_ENOMEM;
    }
    memcpy(chip->layers, m->layers, (size_t)m->n_layers * sizeof(*chip->layers));
    start_chip(&r, m, cfg, index, on);
    int rc = 0;
    for (int l = 0; l < m->n_layers; l++) {
        struct scim_layer *L = &chip->layers[l];
        size_t n = (size_t)L->out_c * (size_t)L->fan_in;
        int8_t *w = malloc(n);
        if (!w) {
            rc = SCIM_ENOMEM;
            break;
        }
        for (size_t k = 0; k < n; k++)
            w[k] = on[l] ? faulty_weight(L->weight[k], &cfg->faults, &r, sum) : L->weight[k];
        L->weight = w;
        sum->faulty_layers += on[l];
    }
    free(on);
    if (rc < 0)
        scim_faults_free(chip);
    return rc;
}

void scim_faults_free(struct scim_model *chip)
{
    for (int l = 0; chip->layers && l < chip->n_layers; l++)
        free(chip->layers[l].weight);
    free(chip->layers);
    chip->layers = NULL;
}
