/*
 * dropout.c - the dropout hardware of a chip: how many stochastic modules the
 * method needs (Scale-Dropout Table VII), how they are shared, how many Monte
 * Carlo passes a config implies, and the bank of RNG module states of one chip
 * instance.
 */
#include "dropout.h"

#include <stdlib.h>
#include <string.h>

#include "faults.h"
#include "neuron.h"
#include "sim/base/error.h"
#include "sim/base/rng.h"

static int has_dropout(const struct scim_model *m)
{
    for (int l = 0; l < m->n_layers; l++)
        if (scim_layer_stochastic(&m->layers[l]))
            return 1;
    return 0;
}

/* SpinDrop and Spatial-SpinDrop drop inputs (rows) rather than scales. */
int scim_masks_rows(const struct scim_model *m)
{
    return m->method_id == SCIM_METHOD_SPINDROP || m->method_id == SCIM_METHOD_SPATIAL_SPINDROP;
}

/* Dropout modules a layer needs when each has its own (Table VII): one per row for
 * SpinDrop, per input channel for Spatial-SpinDrop, one otherwise. */
int scim_layer_modules(const struct scim_model *m, const struct scim_layer *L)
{
    if (!scim_layer_stochastic(L))
        return 0;
    if (m->method_id == SCIM_METHOD_SPINDROP)
        return L->fan_in;
    if (m->method_id == SCIM_METHOD_SPATIAL_SPINDROP)
        return L->in_c;
    return 1;
}

int scim_mc_passes(const struct scim_config *cfg, const struct scim_model *m)
{
    return cfg->dropout.enabled && has_dropout(m) ? (int)cfg->workload.mc_samples : 1;
}

int scim_rng_modules(const struct scim_config *cfg, const struct scim_model *m)
{
    if (!cfg->dropout.enabled || !has_dropout(m))
        return 0;
    if (cfg->dropout.modules == SCIM_DROP_PER_MODEL && !scim_masks_rows(m))
        return 1;
    int n = 0;
    for (int l = 0; l < m->n_layers; l++)
        n += scim_layer_modules(m, &m->layers[l]);
    return n;
}

int scim_rng_bank_init(struct scim_rng_bank *b, const struct scim_config *cfg,
                       const struct scim_model *m, uint64_t chip)
{
    const struct scim_rng_ops *ops = cfg->dropout.rng.ops->rng;
    int n = scim_rng_modules(cfg, m), k = 0;
    memset(b, 0, sizeof(*b));
    b->modules = n;
    b->state_size = ops->state_size;
    b->size = (size_t)n * ops->state_size;
    b->module_of = calloc((size_t)m->n_layers, sizeof(int));
    b->states = calloc(1, b->size ? b->size : 1);
    b->stuck = malloc((size_t)n + 1);
    if (!b->module_of || !b->states || !b->stuck)
        return SCIM_ENOMEM;
    for (int i = 0; i < n; i++)
        b->stuck[i] = (int8_t)scim_rng_stuck(cfg, chip, i);
    /* A shared module serves every layer; otherwise layer l owns modules
     * module_of[l] .. module_of[l] + scim_layer_modules() - 1. */
    for (int l = 0; l < m->n_layers; l++)
        if (n > 1 && scim_layer_stochastic(&m->layers[l])) {
            b->module_of[l] = k;
            k += scim_layer_modules(m, &m->layers[l]);
        }
    for (int i = 0; i < n && ops->init; i++) {
        struct scim_rng r;
        scim_rng_init(&r, (uint64_t)cfg->workload.seed, scim_stream_id(SCIM_STREAM_CHIP, chip, (uint64_t)i));
        struct scim_rand rnd = scim_rng_rand(&r);
        int rc = ops->init(cfg->dropout.rng.params, b->states + (size_t)i * b->state_size,
                           cfg->chip.temperature_k, &rnd);
        if (rc < 0)
            return rc;
    }
    return 0;
}

void scim_rng_bank_free(struct scim_rng_bank *b)
{
    free(b->module_of);
    free(b->states);
    free(b->stuck);
    memset(b, 0, sizeof(*b));
}

