/*
 * runs.c - one sweep run through the run pipeline (sim/run.h): its check
 * before the sweep starts (config, and for a point's first seed its model,
 * mapping and dataset range) and the run itself into its folder, ending in its
 * row.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "sim/base/error.h"
#include "sim/run.h"
#include "plan.h"

/* The datasets a sweep's check has loaded (name, split, folder) and their sizes. */
struct scim_sweep_data {
    char (*key)[PATH_MAX + 96];
    int *images;
    size_t n;
};

struct scim_sweep_data *scim_sweep_data_new(void)
{
    return calloc(1, sizeof(struct scim_sweep_data));
}

void scim_sweep_data_free(struct scim_sweep_data *seen)
{
    if (!seen)
        return;
    free(seen->key);
    free(seen->images);
    free(seen);
}

/* The run's dataset and image range: loaded once per dataset, then only the range. */
static int check_data(struct scim_run_result *r, struct scim_sweep_data *seen, struct scim_diag *d)
{
    char key[PATH_MAX + 96];
    const struct scim_workload_cfg *w = &r->cfg.workload;
    snprintf(key, sizeof(key), "%s|%d|%s", w->dataset[0] ? w->dataset : r->model.dataset, w->split,
             w->data_dir ? w->data_dir : "");
    for (size_t i = 0; i < seen->n; i++)
        if (!strcmp(seen->key[i], key))
            return w->first_image + (w->images ? w->images : 1) <= seen->images[i]
                       ? 0
                       : scim_diag_error(d, NULL, "workload.first_image %lld + workload.images "
                                         "%lld exceeds the %d images of the dataset",
                                         (long long)w->first_image, (long long)w->images,
                                         seen->images[i]);
    int rc = scim_run_load_data(r, d);
    void *k = realloc(seen->key, (seen->n + 1) * sizeof(*seen->key));
    seen->key = k ? k : seen->key;
    int *im = realloc(seen->images, (seen->n + 1) * sizeof(*im));
    seen->images = im ? im : seen->images;
    if (rc == 0 && k && im) {
        memcpy(seen->key[seen->n], key, sizeof(key));
        seen->images[seen->n++] = r->ds.n;
    }
    return rc;
}

int scim_sweep_check_run(struct scim_sweep_data *seen, const struct scim_sweep_run *run, int deep,
                         char hash[17], struct scim_diag *d)
{
    struct scim_run_result r;
    struct scim_diag s;
    struct scim_run_opts o = {.config = run->base, .located = run->ov, .n_located = run->n_ov};
    scim_diag_init(&s, NULL);
    memset(&r, 0, sizeof(r));
    int rc = deep ? scim_run_load(&o, &r, &s)
                  : scim_config_load_at(&r.cfg, run->base, run->ov, run->n_ov, &s);
    if (rc == 0 && deep)
        rc = check_data(&r, seen, &s);
    if (rc == 0)
        scim_config_hash(&r.cfg, hash);
    scim_diag_merge(d, &s);
    scim_diag_free(&s);
    scim_run_result_free(&r);
    return rc;
}

int scim_sweep_exec_run(const struct scim_sweep_plan *pl, const struct scim_sweep_run *run,
                        const char *dir, int threads, char **row, struct scim_diag *d)
{
    struct scim_run_result r;
    struct scim_diag s;
    struct scim_run_opts o = {.config = run->base, .located = run->ov, .n_located = run->n_ov,
                              .out = dir, .force = 1, .threads = threads,
                              .engine = pl->systemc ? SCIM_ENGINE_SYSTEMC : SCIM_ENGINE_FUNCTIONAL};
    scim_diag_init(&s, d->stream);
    int rc = scim_run(&o, &r, &s);
    if (rc == 0)
        rc = scim_sweep_row_make(pl, run, &r.rep, pl->systemc, dir, row, &s);
    d->errors += s.errors;
    scim_diag_free(&s);
    scim_run_result_free(&r);
    return rc;
}
