/*
 * results.c - the per-image results of a run of images (struct scim_images):
 * allocation, the sum of the worker contexts' counts, the chip totals.
 */
#include "image.h"

#include <stdlib.h>
#include <string.h>

#include "arch/analog/analog.h"
#include "sim/base/error.h"

#define REUSE_LIMIT_BYTES (64u << 20)

int scim_images_alloc(struct scim_images *res, const struct scim_model *m, int first,
                          int n, int passes)
{
    memset(res, 0, sizeof(*res));
    res->n_images = n;
    res->first_image = first;
    res->classes = m->classes;
    res->mc_samples = passes;
    res->n_layers = m->n_layers;
    res->label = calloc((size_t)n + 1, 1);
    res->pred = calloc((size_t)n + 1, 1);
    res->mean_prob = calloc((size_t)n * (size_t)m->classes + 1, sizeof(double));
    res->mean_logits = calloc((size_t)n * (size_t)m->classes + 1, sizeof(double));
    res->layer = calloc((size_t)m->n_layers, sizeof(*res->layer));
    res->unc = calloc((size_t)n + 1, sizeof(*res->unc));
    res->correct_at = calloc((size_t)passes, sizeof(uint64_t));
    return res->label && res->pred && res->mean_prob && res->mean_logits && res->layer &&
                   res->unc && res->correct_at
               ? 0
               : SCIM_ENOMEM;
}

void scim_images_free(struct scim_images *res)
{
    free(res->label);
    free(res->pred);
    free(res->mean_prob);
    free(res->mean_logits);
    free(res->layer);
    free(res->unc);
    free(res->correct_at);
    memset(res, 0, sizeof(*res));
}

void scim_images_add(struct scim_images *res, const struct scim_image_ctx *c)
{
    for (int l = 0; l < res->n_layers; l++)
        scim_counts_add(&res->layer[l], &c->counts[l]);
    res->rng_bits += c->rng_bits;
    for (int t = 0; t < res->mc_samples; t++)
        res->correct_at[t] += c->correct_at[t];
    res->mvm_computed += c->computed;
    res->mvm_reused += c->reused;
}

void scim_images_finish(struct scim_images *res)
{
    for (int l = 0; l < res->n_layers; l++)
        scim_counts_add(&res->chip, &res->layer[l]);
    if (res->mc_samples > 1)
        res->chip.ev[SCIM_EV_AVERAGE] = (uint64_t)res->n_images * (uint64_t)res->mc_samples;
    for (int i = 0; i < res->n_images; i++)
        res->correct += res->pred[i] == res->label[i];
}

int scim_image_reuse(int no_reuse, const struct scim_analog *analog, const struct scim_mapping *mp,
                     int passes)
{
    if (no_reuse || passes < 2 || (analog && analog->redraws))
        return 0;
    size_t bytes = 0;
    for (int l = 0; l < mp->n_layers; l++)
        bytes += (size_t)mp->layers[l].positions * (size_t)mp->layers[l].layer->out_c * 4u;
    return bytes * (size_t)passes <= REUSE_LIMIT_BYTES;
}

