/*
 * sensitivity.c - `spincim sensitivity CONFIG`: the command line turned into the
 * library's sensitivity options (sim/sensitivity.h): --step, --keys, --images
 * (default 100), --threads, -p; the table printed, DIR/sensitivity.csv written with
 * --out.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "sim/base/error.h"
#include "sim/base/units.h"
#include "sim/sensitivity.h"

#define MAX_PREFIXES 64

/* --step: a fraction in (0, 1), "5%" or "0.05". */
static int parse_step(const char *text, double *s)
{
    char msg[160];
    if (!text) {
        *s = 0.05;
        return 0;
    }
    if (scim_unit_parse(text, SCIM_DIM_NONE, s, msg, sizeof(msg)) < 0 || !(*s > 0 && *s < 1)) {
        fprintf(stderr, "spincim: error: --step '%s': expected a fraction between 0 and 1, "
                        "e.g. 5%% or 0.05\n", text);
        return -1;
    }
    return 0;
}

/* --keys a,b.c,...: split into list (pointing into buf). */
static int parse_keys(const char *text, char *buf, size_t len, const char **list, size_t *n)
{
    *n = 0;
    if (!text)
        return 0;
    snprintf(buf, len, "%s", text);
    for (char *save = NULL, *t = strtok_r(buf, ", ", &save); t; t = strtok_r(NULL, ", ", &save)) {
        if (*n == MAX_PREFIXES) {
            fprintf(stderr, "spincim: error: --keys: at most %d prefixes\n", MAX_PREFIXES);
            return -1;
        }
        list[(*n)++] = t;
    }
    if (*n == 0)
        fprintf(stderr, "spincim: error: --keys expects key prefixes, e.g. chip,adc.bits\n");
    return *n ? 0 : -1;
}

/* The runs' overrides: -p (and --images) as given, then workload.images=100 unless the
 * images were set (last, so the -p keep their numbers in messages). */
static const char **overrides(const struct cli *c, size_t *n)
{
    const char **ov = malloc((c->n_overrides + 1) * sizeof(*ov));
    int images = 0;
    *n = 0;
    if (!ov)
        return NULL;
    for (size_t i = 0; i < c->n_overrides; i++) {
        images |= !strncmp(c->overrides[i], "workload.images=", 16);
        ov[(*n)++] = c->overrides[i];
    }
    if (!images)
        ov[(*n)++] = "workload.images=100";
    return ov;
}

int cli_sensitivity(const struct cli *c, struct scim_diag *d)
{
    char buf[4096];
    const char *prefixes[MAX_PREFIXES];
    struct scim_sens_opts o = {.config = c->config, .threads = c->threads,
                               .progress = !c->quiet && isatty(2)};
    if (!c->config || (c->engine && strcmp(c->engine, "functional"))) {
        fprintf(stderr, "spincim: error: sensitivity needs a CONFIG file%s\n",
                c->config ? " and runs the functional engine" : "");
        return 2;
    }
    if (parse_step(c->step, &o.step) < 0 ||
        parse_keys(c->keys, buf, sizeof(buf), prefixes, &o.n_prefixes) < 0)
        return 2;
    o.prefixes = prefixes;
    const char **ov = overrides(c, &o.n_overrides);
    if (!ov)
        return SCIM_ENOMEM;
    o.overrides = ov;
    struct scim_sens_result r;
    int rc = scim_sensitivity(&o, &r, d);
    if (rc == 0 && !c->quiet)
        scim_sens_print(&r, stdout);
    if (rc == 0 && c->out)
        rc = scim_sens_write(&r, c->out, d);
    if (rc == 0 && c->out && !c->quiet)
        printf("results in %s/sensitivity.csv\n", c->out);
    scim_sens_free(&r);
    free(ov);
    return rc;
}
