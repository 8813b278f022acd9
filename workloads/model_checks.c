/*
 * model_checks.c - rules over the whole model, checked once every key is valid
 * and the layer shapes chain: hidden layers end in sign and the last one in the
 * logits (one per class, no pooling); the per-layer keys the method needs and no
 * others. Each problem is reported at its layer's line:col.
 */
#include "model_load.h"

/* Hidden layers end in sign, the last one in logits; the first layer's input scale. */
static int check_roles(struct scim_manifest *M)
{
    struct scim_model *m = M->m;
    int bad = 0, last = m->n_layers - 1;
    for (int i = 0; i < m->n_layers; i++) {
        struct scim_layer *ly = &m->layers[i];
        const struct scim_loc *loc = &M->layer_nodes[i]->loc;
        if (!M->layer_ok[i])
            continue;
        if (i < last && !ly->sign_out)
            bad = scim_diag_error(M->d, loc,
                                  "layer '%s': only the last layer may have "
                                  "activation 'none'",
                                  ly->name);
        if (i == last && ly->sign_out)
            bad = scim_diag_error(M->d, loc,
                                  "the last layer '%s' must have activation 'none' "
                                  "(its outputs are the logits)",
                                  ly->name);
        if (i == last && ly->pool != SCIM_POOL_NONE)
            bad = scim_diag_error(M->d, loc, "the last layer '%s' cannot have pooling", ly->name);
        ly->input_scale = i == 0 && m->encoding == SCIM_INPUT_BITSERIAL8 ? 1.0 / 255.0 : 1.0;
    }
    return bad ? -1 : 0;
}

/* The per-layer keys a method needs: inverted normalization for affine dropout,
 * N >= 2 stored scale vectors (a power of two: log2 N random bits pick one) for
 * subset-parameter inference, neither for the others. */
static int check_method(struct scim_manifest *M)
{
    struct scim_model *m = M->m;
    int affine = m->method_id == SCIM_METHOD_AFFINE_DROPOUT;
    int subset = m->method_id == SCIM_METHOD_SUBSET, bad = 0;
    for (int i = 0; i < m->n_layers; i++) {
        struct scim_layer *ly = &m->layers[i];
        const struct scim_loc *loc = &M->layer_nodes[i]->loc;
        int n = ly->n_scale_samples;
        if (ly->norm_layer != affine)
            bad = scim_diag_error(M->d, loc, "layer '%s': method '%s' %s 'norm: layer'", ly->name,
                                  m->method, affine ? "needs" : "does not use");
        if (subset && (n < 2 || (n & (n - 1))))
            bad = scim_diag_error(M->d, loc,
                                  "layer '%s': method 'subset' needs 'scale_samples' = a power of "
                                  "two >= 2, got %d",
                                  ly->name, n);
        if (!subset && n)
            bad = scim_diag_error(M->d, loc,
                                  "layer '%s': 'scale_samples' is only for method "
                                  "'subset'",
                                  ly->name);
    }
    return bad ? -1 : 0;
}

/* The last layer has one output per class. */
static int check_classes(struct scim_manifest *M)
{
    struct scim_model *m = M->m;
    const struct scim_layer *ly = &m->layers[m->n_layers - 1];
    long long outs = (long long)ly->out_c * ly->pooled_h * ly->pooled_w;
    if (outs == m->classes)
        return 0;
    return scim_diag_error(M->d, &M->layer_nodes[m->n_layers - 1]->loc,
                           "the last layer '%s' has %lld outputs, but 'classes' is %d", ly->name,
                           outs, m->classes);
}

int scim_manifest_checks(struct scim_manifest *M)
{
    int bad = check_roles(M) != 0;
    bad |= check_method(M) != 0;
    bad |= check_classes(M) != 0;
    return bad ? -1 : 0;
}
