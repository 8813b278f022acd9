/*
 * model_residual.c - residual (skip) connections: a hidden layer's `residual`
 * names an earlier layer whose output fits the layer's MVM outputs (model.h,
 * docs/model-format.md "Residual connections").
 *
 * The shortcut source's output after its pooling must have this layer's height
 * and width times one integer stride, and no more channels ("option A" of
 * ResNet); the last layer (the logits) has none, and `residual_gain` needs
 * `residual`. Each problem is reported at the key's line:col; a connection that
 * fits sets struct scim_layer.residual to the source's index.
 */
#include <string.h>

#include "model_load.h"

/* Index of the layer named name, or n_layers. */
static int find_layer(const struct scim_model *m, const char *name)
{
    int k = 0;
    while (k < m->n_layers && strcmp(m->layers[k].name, name) != 0)
        k++;
    return k;
}

/* Source k's output fits layer ly's MVM outputs; reported at loc otherwise. */
static int check_fit(struct scim_manifest *M, const struct scim_layer *ly, int k,
                     const struct scim_loc *loc)
{
    const struct scim_layer *src = &M->m->layers[k];
    int st = src->pooled_h / ly->out_h;
    if (src->pooled_h != st * ly->out_h || src->pooled_w != st * ly->out_w)
        return scim_diag_error(M->d, loc,
                               "layer '%s': the output of residual source '%s' is %dx%d, not "
                               "this layer's %dx%d outputs times one integer stride",
                               ly->name, src->name, src->pooled_h, src->pooled_w, ly->out_h,
                               ly->out_w);
    if (src->out_c > ly->out_c)
        return scim_diag_error(M->d, loc,
                               "layer '%s': residual source '%s' has %d channels, more than "
                               "this layer's %d",
                               ly->name, src->name, src->out_c, ly->out_c);
    return 0;
}

static int check_residual(struct scim_manifest *M, int i)
{
    struct scim_model *m = M->m;
    struct scim_layer *ly = &m->layers[i];
    const struct scim_node *rn = scim_node_get(M->layer_nodes[i], "residual");
    const struct scim_node *gn = scim_node_get(M->layer_nodes[i], "residual_gain");
    if (!rn)
        return gn ? scim_diag_error(M->d, &gn->loc, "layer '%s': 'residual_gain' needs 'residual'",
                                    ly->name)
                  : 0;
    if (i == m->n_layers - 1)
        return scim_diag_error(M->d, &rn->loc,
                               "the last layer '%s' cannot have a residual connection (its "
                               "outputs are the logits)",
                               ly->name);
    int k = find_layer(m, rn->scalar);
    if (k == m->n_layers)
        return scim_diag_error(M->d, &rn->loc,
                               "layer '%s': residual source '%.60s' is not a layer "
                               "of the model",
                               ly->name, rn->scalar);
    if (k >= i)
        return scim_diag_error(M->d, &rn->loc,
                               "layer '%s': residual source '%s' must be an earlier layer",
                               ly->name, rn->scalar);
    if (check_fit(M, ly, k, &rn->loc))
        return -1;
    ly->residual = k;
    return 0;
}

int scim_manifest_residuals(struct scim_manifest *M)
{
    int bad = 0;
    for (int i = 0; i < M->m->n_layers; i++)
        bad |= check_residual(M, i) != 0;
    return bad ? -1 : 0;
}
