/*
 * model_load.c - load a model manifest (YAML) and its safetensors, check and chain
 * every shape: scim_model_load().
 *
 * The manifest is validated key by key straight from the located YAML tree, so
 * each problem is reported at its own line:col and all of them are reported
 * in one go: wrong types, out-of-range numbers, unknown keys (with a "did you
 * mean"), missing required keys, layer shapes that do not chain. Only a clean
 * manifest goes on to the tensor file, which must hold exactly the tensors the
 * layers imply, with the implied dtypes and shapes; weights must be -1 or +1 and
 * real-valued parameters finite. A manifest with `weights: random` instead has no
 * tensor file: its weights are drawn from the block's seed (model_random.c).
 * docs/model-format.md is the contract; the pieces are listed in model_load.h.
 */
#include "model_load.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/base/error.h"

/* Every key of the manifest, then the checks of the whole model if they all passed.
 * Returns 0, SCIM_ECONFIG or SCIM_ENOMEM. */
static int parse_manifest(struct scim_manifest *M, const struct scim_doc *doc)
{
    const struct scim_node *root = doc->root;
    char got[80];
    if (!root || root->kind != SCIM_NODE_MAP) {
        struct scim_loc loc = {doc->file, root ? root->loc.line : 0, root ? root->loc.col : 0};
        return scim_diag_error(M->d, &loc, "a model manifest must be a mapping, got %s",
                               root ? scim_manifest_describe(root, got, sizeof(got))
                                    : "an empty file");
    }
    unsigned before = M->d->errors;
    int rc = scim_manifest_header(M, doc);
    if (!rc)
        rc = scim_manifest_layers(M, root);
    if (!rc)
        rc = scim_manifest_provenance(M, root);
    if (!rc)
        rc = scim_manifest_test_vector(M, root);
    if (!rc)
        rc = scim_manifest_weights(M, root);
    if (rc)
        return rc;
    if (M->d->errors == before && !scim_manifest_chain(M)) {
        scim_manifest_checks(M);
        scim_manifest_residuals(M);
        scim_manifest_random_size(M);
    }
    return M->d->errors == before ? 0 : SCIM_ECONFIG;
}

/* The tensor file named by the checked manifest, against it. */
static int load_tensor_file(struct scim_model *m, const struct scim_doc *doc, double bn_eps,
                            struct scim_diag *d)
{
    struct scim_safetensors st;
    memset(&st, 0, sizeof(st));
    long tv = scim_node_index(doc->root, "test_vector");
    int rc = scim_st_open(&st, m->tensors_path, d);
    if (!rc)
        rc = scim_model_tensors(m, &st, d, bn_eps, tv >= 0 ? &doc->root->key_locs[tv] : NULL);
    if (rc == SCIM_ENOMEM)
        scim_diag_file_error(d, m->tensors_path, rc, "out of memory");
    scim_st_close(&st);
    return rc;
}

/* The checked manifest's weights: drawn (`weights: random`) or read from its tensor file. */
static int load_weights(struct scim_model *m, const struct scim_manifest *M,
                        const struct scim_doc *doc, struct scim_diag *d)
{
    if (!M->random.on)
        return load_tensor_file(m, doc, M->bn_eps, d);
    m->random_weights = 1;
    m->random_seed = M->random.seed;
    m->random_p_plus = M->random.p_plus;
    return scim_model_random(m, &M->random, M->bn_eps);
}

static int load_all(struct scim_model *m, struct scim_doc *doc, const char *path,
                    struct scim_diag *d)
{
    struct scim_manifest M = {d, m, NULL, NULL, 0, NULL, {0}};
    int rc = parse_manifest(&M, doc);
    free(M.layer_nodes);
    free(M.layer_ok);
    m->tensors_path = M.tensors; /* freed with the model */
    if (rc)
        return rc;
    if (!(m->manifest_path = strdup(path)))
        return scim_diag_file_error(d, path, SCIM_ENOMEM, "out of memory");
    return load_weights(m, &M, doc, d);
}

int scim_model_load(struct scim_model *m, const char *manifest_path, struct scim_diag *d)
{
    struct scim_doc doc;
    memset(m, 0, sizeof(*m));
    m->reported_accuracy = -1;
    unsigned before = d->errors;
    int rc = scim_doc_load_file(&doc, manifest_path, d);
    if (rc) {
        if (d->errors == before)
            scim_diag_file_error(d, manifest_path, rc, "cannot load the manifest: %s",
                                 scim_strerror(rc));
        return rc;
    }
    rc = load_all(m, &doc, manifest_path, d);
    if (rc == SCIM_ENOMEM && d->errors == before)
        scim_diag_file_error(d, manifest_path, rc, "out of memory");
    scim_doc_free(&doc);
    if (rc)
        scim_model_free(m);
    return rc;
}
