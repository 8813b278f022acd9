/*
 * validate.c - the validation report: published numbers, spincim's, ratios, pins.
 */
#include "validate.h"

#include <libgen.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim/base/error.h"
#include "sim/base/fileio.h"
#include "sim/base/units.h"
#include "sim/base/json.h"
#include "sim/base/yaml_dom.h"

/* Units of metric values in report.json (SI, except areas in mm2). */
static const struct {
    const char *name;
    enum scim_dim dim;
    double to_si;
} metric_units[] = {
    {"J", SCIM_DIM_ENERGY, 1.0}, {"W", SCIM_DIM_POWER, 1.0},  {"s", SCIM_DIM_TIME, 1.0},
    {"mm2", SCIM_DIM_AREA, 1e-6}, {"m2", SCIM_DIM_AREA, 1.0}, {"", SCIM_DIM_NONE, 1.0},
};

struct item {
    const char *id, *source, *quantity, *run, *metric, *notes, *file;
    const char *published_text, *pinned_text;
    const char *calibrated_from; /* silicon: the item whose published / spincim calibrates this */
    enum scim_dim dim;
    double to_si, scale, published, pinned, tolerance, value;
    const struct scim_loc *loc;
};

static const char *str(const struct scim_node *map, const char *key)
{
    const struct scim_node *n = scim_node_get(map, key);
    return n && n->kind == SCIM_NODE_SCALAR ? n->scalar : NULL;
}

static int load_report(const char *runs, const char *run, const char *file, struct scim_doc *doc,
                       struct scim_diag *d)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s/%s", runs, run, file ? file : "report.json");
    memset(doc, 0, sizeof(*doc));
    return file ? scim_doc_load_file(doc, path, d) : scim_json_load_file(doc, path, d);
}

static int metric_unit(const char *name, enum scim_dim *dim, double *to_si)
{
    for (size_t i = 0; i < sizeof(metric_units) / sizeof(metric_units[0]); i++)
        if (!strcmp(name ? name : "", metric_units[i].name)) {
            *dim = metric_units[i].dim;
            *to_si = metric_units[i].to_si;
            return 0;
        }
    return -1;
}

static int parse_value(const struct scim_node *map, const char *key, enum scim_dim dim,
                       double *out, struct scim_diag *d)
{
    char msg[256];
    const struct scim_node *n = scim_node_get(map, key);
    if (!n || n->kind != SCIM_NODE_SCALAR)
        return scim_diag_error(d, &map->loc, "validation item lacks '%s'", key);
    if (scim_unit_parse(n->scalar, dim, out, msg, sizeof(msg)) < 0)
        return scim_diag_error(d, &n->loc, "'%s': %s", key, msg);
    return 0;
}

/* An item of the manifest; `source_key` names its source ("source", or "macro" for a
 * silicon item). metric_scale (dimensionless, default 1) multiplies the report's value
 * before the comparison: an op-count normalization between spincim's and a paper's. */
static int read_item(const struct scim_node *m, const char *source_key, struct item *it,
                     struct scim_diag *d)
{
    memset(it, 0, sizeof(*it));
    it->loc = &m->loc;
    it->scale = 1.0;
    it->calibrated_from = str(m, "calibrated_from");
    it->id = str(m, "id"), it->source = str(m, source_key), it->quantity = str(m, "quantity");
    it->run = str(m, "run"), it->metric = str(m, "metric"), it->notes = str(m, "notes");
    it->published_text = str(m, "published"), it->pinned_text = str(m, "pinned");
    it->file = str(m, "file");
    if (!it->id || !it->source || !it->quantity || !it->run || !it->metric || !it->notes)
        return scim_diag_error(d, &m->loc, "a validation item needs id, %s, quantity, run, "
                                           "metric and notes", source_key);
    if (scim_node_get(m, "metric_scale") &&
        (parse_value(m, "metric_scale", SCIM_DIM_NONE, &it->scale, d) < 0 || !(it->scale > 0)))
        return scim_diag_error(d, &m->loc, "item '%s': metric_scale must be a number > 0", it->id);
    if (metric_unit(str(m, "metric_unit"), &it->dim, &it->to_si) < 0)
        return scim_diag_error(d, &m->loc, "item '%s': metric_unit must be J, W, s, mm2, m2 or "
                                           "empty", it->id);
    if (parse_value(m, "published", it->dim, &it->published, d) < 0 ||
        parse_value(m, "pinned", it->dim, &it->pinned, d) < 0 ||
        parse_value(m, "tolerance", SCIM_DIM_NONE, &it->tolerance, d) < 0)
        return SCIM_ECONFIG;
    return 0;
}

/* A value of the run's resolved.yaml: text with its unit. */
static double yaml_value(const struct scim_node *root, const char *path, enum scim_dim dim)
{
    char buf[256], msg[128], *save = NULL;
    double v = NAN;
    snprintf(buf, sizeof(buf), "%s", path);
    const struct scim_node *n = root;
    for (char *tok = strtok_r(buf, ".", &save); tok && n; tok = strtok_r(NULL, ".", &save))
        n = scim_node_get(n, tok);
    if (n && n->kind == SCIM_NODE_SCALAR && scim_unit_parse(n->scalar, dim, &v, msg, sizeof(msg)) < 0)
        v = NAN;
    return v;
}

static int measure(struct item *it, const char *runs, struct scim_diag *d)
{
    struct scim_doc doc;
    int rc = load_report(runs, it->run, it->file, &doc, d);
    if (rc == 0) {
        it->value = it->scale * (it->file ? yaml_value(doc.root, it->metric, it->dim)
                                          : scim_json_number(doc.root, it->metric) * it->to_si);
        if (!isfinite(it->value))
            rc = scim_diag_error(d, it->loc, "item '%s': no number at '%s' in run '%s'", it->id,
                                 it->metric, it->run);
    }
    scim_doc_free(&doc);
    return rc;
}

static int pin_holds(const struct item *it)
{
    return fabs(it->value - it->pinned) <= it->tolerance * fabs(it->pinned);
}

static void md_item_row(FILE *f, const struct item *it)
{
    char pub[48], val[48], pin[48];
    scim_unit_format(it->published, it->dim, 4, pub, sizeof(pub));
    scim_unit_format(it->value, it->dim, 4, val, sizeof(val));
    scim_unit_format(it->pinned, it->dim, 4, pin, sizeof(pin));
    fprintf(f, "| %s | %s | %s | %s | %s | %.3f | %s ± %g %% |\n", it->id, it->source,
            it->quantity, pub, val, it->value / it->published, pin, 100.0 * it->tolerance);
}

/* Read and measure every item of a list into *out (free it); with check, fail when a
 * value left its pin. */
static int measure_all(const struct scim_node *items, const char *source_key, const char *runs,
                       int check, struct item **out, struct scim_diag *d)
{
    int bad = 0;
    struct item *all = calloc(items->n + 1, sizeof(*all));
    *out = NULL;
    if (!all)
        return SCIM_ENOMEM;
    for (size_t i = 0; i < items->n; i++)
        if (read_item(items->items[i], source_key, &all[i], d) < 0 || measure(&all[i], runs, d) < 0)
            bad = 1;
    for (size_t i = 0; i < items->n && !bad && check; i++)
        if (!pin_holds(&all[i]))
            bad = scim_diag_error(d, all[i].loc, "item '%s': spincim gives %.6g, pinned %.6g ± %g %%",
                                  all[i].id, all[i].value, all[i].pinned, 100.0 * all[i].tolerance) != 0;
    if (bad) {
        free(all);
        return SCIM_ECONFIG;
    }
    *out = all;
    return 0;
}

static int do_items(const struct scim_node *items, const char *runs, FILE *md, int check,
                    struct scim_diag *d)
{
    struct item *all;
    int rc = measure_all(items, "source", runs, check, &all, d);
    if (rc < 0)
        return rc;
    if (md) {
        fputs("| item | source | quantity | published | spincim | ratio | pinned |\n"
              "|---|---|---|---|---|---|---|\n", md);
        for (size_t i = 0; i < items->n; i++)
            md_item_row(md, &all[i]);
        fputs("\n## Assumptions, item by item\n", md);
        for (size_t i = 0; i < items->n; i++)
            fprintf(md, "\n**%s** (%s, %s). %s\n", all[i].id, all[i].source, all[i].quantity,
                    all[i].notes);
    }
    free(all);
    return 0;
}

/* A map of report.json (e.g. energy_breakdown_j) side by side for several runs. */
static int do_compare(const struct scim_node *c, const char *runs, FILE *md, struct scim_diag *d)
{
    const struct scim_node *rl = scim_node_get(c, "runs");
    const char *title = str(c, "title"), *metric = str(c, "metric");
    enum scim_dim dim;
    double to_si;
    if (!rl || rl->kind != SCIM_NODE_SEQ || rl->n < 1 || rl->n > 8 || !title || !metric ||
        metric_unit(str(c, "metric_unit"), &dim, &to_si) < 0)
        return scim_diag_error(d, &c->loc, "a comparison needs title, runs (1 to 8), metric and "
                                           "metric_unit");
    struct scim_doc docs[8];
    const struct scim_node *maps[8];
    int rc = 0;
    size_t n = 0;
    for (; n < rl->n && rc == 0; n++) {
        rc = load_report(runs, rl->items[n]->scalar, NULL, &docs[n], d);
        maps[n] = rc == 0 ? scim_node_get(docs[n].root, metric) : NULL;
        if (rc == 0 && (!maps[n] || maps[n]->kind != SCIM_NODE_MAP))
            rc = scim_diag_error(d, &c->loc, "run '%s' has no map '%s'", rl->items[n]->scalar, metric);
    }
    if (rc == 0 && md) {
        fprintf(md, "\n## %s\n\n| component |", title);
        for (size_t r = 0; r < rl->n; r++)
            fprintf(md, " %s |", rl->items[r]->scalar);
        fputs(rl->n == 2 ? " ratio |\n|---|" : "\n|---|", md);
        for (size_t r = 0; r < rl->n + (rl->n == 2); r++)
            fputs("---|", md);
        fputc('\n', md);
        for (size_t k = 0; k < maps[0]->n; k++) {
            fprintf(md, "| %s |", maps[0]->keys[k]);
            double v[8];
            for (size_t r = 0; r < rl->n; r++) {
                char buf[48];
                v[r] = scim_json_number(maps[r], maps[0]->keys[k]) * to_si;
                fprintf(md, " %s |", scim_unit_format(v[r], dim, 4, buf, sizeof(buf)));
            }
            if (rl->n == 2)
                fprintf(md, v[0] > 0 ? " %.3f |" : " — |", v[0] > 0 ? v[1] / v[0] : 0.0);
            fputc('\n', md);
        }
    }
    if (rc == 0 && md && str(c, "notes"))
        fprintf(md, "\n%s\n", str(c, "notes"));
    for (size_t r = 0; r < n; r++)
        scim_doc_free(&docs[r]);
    return rc;
}

/* ---- silicon: published macros ---- */

static const struct item *find_item(const struct item *all, size_t n, const char *id)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(all[i].id, id))
            return &all[i];
    return NULL;
}

/* Each item's calibration source (calibrated_from): an earlier-or-later item of the list. */
static int link_calibrations(const struct item *all, size_t n, const struct item **from,
                             struct scim_diag *d)
{
    for (size_t i = 0; i < n; i++) {
        from[i] = all[i].calibrated_from ? find_item(all, n, all[i].calibrated_from) : NULL;
        if (all[i].calibrated_from && (!from[i] || from[i] == &all[i] || from[i]->value <= 0))
            return scim_diag_error(d, all[i].loc, "item '%s': calibrated_from '%s' is not another "
                                                  "item with a value", all[i].id,
                                   all[i].calibrated_from);
    }
    return 0;
}

/* A silicon row: spincim uncalibrated against the published value, and where the item is
 * calibrated from another, the prediction = its value x (that item's published / its
 * spincim value): one scale factor fitted at one end of a published range. */
static void md_silicon_row(FILE *f, const struct item *it, const struct item *from)
{
    char pub[48], val[48], pin[48], pred[48];
    scim_unit_format(it->published, it->dim, 4, pub, sizeof(pub));
    scim_unit_format(it->value, it->dim, 4, val, sizeof(val));
    scim_unit_format(it->pinned, it->dim, 4, pin, sizeof(pin));
    fprintf(f, "| %s | %s | %s | %s | %s | %.3f |", it->id, it->source, it->quantity, pub, val,
            it->value / it->published);
    if (from) {
        double k = from->published / from->value, p = k * it->value;
        scim_unit_format(p, it->dim, 4, pred, sizeof(pred));
        fprintf(f, " %s (x %.4g) | %s | %+.1f %% |", from->id, k, pred,
                100.0 * (p / it->published - 1.0));
    } else {
        fputs(" — | — | — |", f);
    }
    fprintf(f, " %s ± %g %% |\n", pin, 100.0 * it->tolerance);
}

static void md_silicon(FILE *md, const char *intro, const struct item *all, size_t n,
                       const struct item **from)
{
    fputs("\n## Silicon: published MRAM compute-in-memory macros\n\n", md);
    if (intro)
        fprintf(md, "%s\n\n", intro);
    fputs("| item | macro | quantity | published | spincim (uncalibrated) | ratio | calibrated at "
          "| predicted | error | pinned |\n|---|---|---|---|---|---|---|---|---|---|\n", md);
    for (size_t i = 0; i < n; i++)
        md_silicon_row(md, &all[i], from[i]);
    fputs("\n### Assumptions, macro by macro\n", md);
    for (size_t i = 0; i < n; i++)
        fprintf(md, "\n**%s** (%s, %s). %s\n", all[i].id, all[i].source, all[i].quantity,
                all[i].notes);
}

/* The silicon manifest named by the validation manifest's `silicon` key (relative to its
 * folder): items like the manifest's, with `macro` for their source and an optional
 * `calibrated_from`, and an `intro` paragraph; a section of its own in the doc. */
static int do_silicon(const char *manifest, const char *rel, const char *runs, FILE *md,
                      int check, struct scim_diag *d)
{
    char *dir_buf = strdup(manifest), *path = dir_buf ? scim_path_resolve(dirname(dir_buf), rel)
                                                      : NULL;
    struct scim_doc doc;
    int rc = path ? scim_doc_load_file(&doc, path, d) : SCIM_ENOMEM;
    free(dir_buf);
    free(path);
    if (rc < 0)
        return rc;
    const struct scim_node *items = scim_node_get(doc.root, "items");
    struct item *all = NULL;
    const struct item **from = NULL;
    if (!items || items->kind != SCIM_NODE_SEQ)
        rc = scim_diag_error(d, doc.root ? &doc.root->loc : NULL, "the silicon manifest needs a "
                                                                  "list 'items'");
    if (rc == 0)
        rc = measure_all(items, "macro", runs, check, &all, d);
    if (rc == 0 && !(from = calloc(items->n + 1, sizeof(*from))))
        rc = SCIM_ENOMEM;
    if (rc == 0)
        rc = link_calibrations(all, items->n, from, d);
    if (rc == 0 && md)
        md_silicon(md, str(doc.root, "intro"), all, items->n, from);
    free(from);
    free(all);
    scim_doc_free(&doc);
    return rc;
}

int scim_validate(const char *manifest, const char *runs_dir, FILE *md, int check,
                  struct scim_diag *d)
{
    struct scim_doc doc;
    int rc = scim_doc_load_file(&doc, manifest, d);
    const struct scim_node *items = rc == 0 ? scim_node_get(doc.root, "items") : NULL;
    const struct scim_node *cmp = rc == 0 ? scim_node_get(doc.root, "compare") : NULL;
    if (rc == 0 && (!items || items->kind != SCIM_NODE_SEQ))
        rc = scim_diag_error(d, doc.root ? &doc.root->loc : NULL, "the manifest needs a list 'items'");
    const char *silicon = rc == 0 ? str(doc.root, "silicon") : NULL;
    if (rc == 0 && md)
        fprintf(md, "# Validation against the reference papers\n\n"
                    "Generated by `tools/validate` from `configs/validation/validation.yaml`%s and "
                    "the runs of the configs in `configs/validation/`%s; do not edit by hand. "
                    "`ratio` is spincim / published; `pinned` is the value the tests hold "
                    "spincim to (the test `validation.pins`), so a change that moves a figure "
                    "must update this page with its reason.\n\n",
                silicon ? " and the silicon manifest it names" : "",
                silicon ? " and `configs/silicon/`" : "");
    if (rc == 0)
        rc = do_items(items, runs_dir, md, check, d);
    for (size_t i = 0; rc == 0 && cmp && cmp->kind == SCIM_NODE_SEQ && i < cmp->n; i++)
        rc = do_compare(cmp->items[i], runs_dir, md, d);
    if (rc == 0 && silicon)
        rc = do_silicon(manifest, silicon, runs_dir, md, check, d);
    scim_doc_free(&doc);
    return rc;
}
