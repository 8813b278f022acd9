/*
 * model.c - what a loaded model owns and holds: scim_model_free() releases every
 * array and string of a model (any model scim_model_load() filled, a failed load's
 * leftovers, or a zeroed one), scim_model_weight_count() counts its stored values.
 * The loader itself is model_load.c.
 */
#include "model.h"

#include <stdlib.h>
#include <string.h>

void scim_model_free(struct scim_model *m)
{
    for (int i = 0; m->layers && i < m->n_layers; i++) {
        struct scim_layer *ly = &m->layers[i];
        free(ly->weight);
        free(ly->scale);
        free(ly->bias);
        free(ly->bn_mean);
        free(ly->bn_var);
        free(ly->bn_gamma);
        free(ly->bn_beta);
        free(ly->affine_w);
        free(ly->affine_b);
        free(ly->scale_samples);
    }
    free(m->tv_mu);
    free(m->tv_logvar);
    free(m->layers);
    free(m->name);
    free(m->topology);
    free(m->method);
    free(m->dataset);
    free(m->provenance_command);
    free(m->manifest_path);
    free(m->tensors_path);
    memset(m, 0, sizeof(*m));
    m->reported_accuracy = -1;
}

uint64_t scim_model_weight_count(const struct scim_model *m)
{
    uint64_t n = 0;
    for (int i = 0; i < m->n_layers; i++) {
        const struct scim_layer *ly = &m->layers[i];
        uint64_t c = (uint64_t)ly->out_c;
        n += c * (uint64_t)ly->fan_in + c; /* weights and scale */
        if (ly->bias)
            n += c;
        if (ly->has_bn)
            n += 4 * c;
    }
    return n;
}
