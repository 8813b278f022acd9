/*
 * config_check.c - the checks of a loaded config that involve more than one key: keys
 * that need the analog read mode, a particular scale memory or cell model, exclusive
 * fault probabilities, the crossbar's geometry against its reads and ADCs, and the OOD
 * sets of the workload. Each error points at the key that would fix it.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "config_internal.h"
#include "devices/reliability.h"
#include "sim/base/yaml_dom.h"
#include "workloads/shift.h"

static const struct scim_loc *loc_of(const struct scim_node *root, const char *sec, const char *key)
{
    const struct scim_node *s = scim_node_get(root, sec);
    const struct scim_node *k = s ? scim_node_get(s, key) : NULL;
    return k ? &k->loc : s ? &s->loc : root ? &root->loc : NULL;
}

/* Conductance variation and wire resistance shape the column current, which only the
 * analog read mode computes: in digital mode each is an error at its own key. */
static void check_read_mode(const struct scim_config *c, const struct scim_node *root,
                            struct scim_diag *d)
{
    static const struct {
        const char *sec, *key;
        size_t off;
    } keys[] = {
        {"faults", "d2d_sigma", CFG(faults.d2d_sigma)},
        {"faults", "d2d_sigma_add", CFG(faults.d2d_sigma_add_s)},
        {"faults", "c2c_sigma", CFG(faults.c2c_sigma)},
        {"faults", "c2c_sigma_add", CFG(faults.c2c_sigma_add_s)},
        {"crossbar", "wire_resistance", CFG(crossbar.wire_resistance_ohm)},
    };
    if (c->crossbar.read_mode == SCIM_READ_MODE_ANALOG)
        return;
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
        if (*(const double *)((const char *)c + keys[i].off) > 0.0)
            scim_diag_error(d, loc_of(root, keys[i].sec, keys[i].key),
                            "'%s.%s' needs 'crossbar.read_mode: analog' (the digital mode reads "
                            "exact match counts, not currents)",
                            keys[i].sec, keys[i].key);
}

static void check_sum(const struct scim_node *root, const char *a, double x, const char *b,
                      double y, struct scim_diag *d)
{
    if (x + y > 1.0)
        scim_diag_error(d, loc_of(root, "faults", b),
                        "'faults.%s' + 'faults.%s' is %g, above 1 (they are exclusive outcomes of "
                        "one draw)", a, b, x + y);
}

/* Fault keys that need a particular chip or cell model. */
static void check_faults(const struct scim_config *c, const struct scim_node *root,
                         struct scim_diag *d)
{
    const struct scim_fault_cfg *f = &c->faults;
    char msg[256];
    double p;
    check_sum(root, "stuck_p", f->stuck_p, "stuck_ap", f->stuck_ap, d);
    check_sum(root, "rng_stuck_0", f->rng_stuck_0, "rng_stuck_1", f->rng_stuck_1, d);
    if (f->scale_level_flip > 0.0 && c->scale_memory.kind != SCIM_SCALE_CROSSBAR)
        scim_diag_error(d, loc_of(root, "faults", "scale_level_flip"),
                        "'faults.scale_level_flip' needs 'scale_memory.kind: scale_crossbar' "
                        "(multi-level cells); the scale SRAM takes 'faults.scale_bit_flip'");
    if (f->scale_bit_flip > 0.0 && c->scale_memory.kind != SCIM_SCALE_SRAM)
        scim_diag_error(d, loc_of(root, "faults", "scale_bit_flip"),
                        "'faults.scale_bit_flip' needs 'scale_memory.kind: sram'; the scale "
                        "crossbar takes 'faults.scale_level_flip'");
    if (scim_cell_retention_p(c->crossbar.cell.ops, c->crossbar.cell.params, f->retention_time_s,
                              c->chip.temperature_k, &p, msg, sizeof(msg)) < 0)
        scim_diag_error(d, loc_of(root, "faults", "retention_time"), "%s", msg);
    if (scim_cell_read_disturb_p(c->crossbar.cell.ops, c->crossbar.cell.params,
                                 f->reads_since_write, c->chip.temperature_k, &p, msg,
                                 sizeof(msg)) < 0)
        scim_diag_error(d, loc_of(root, "faults", "reads_since_write"), "%s", msg);
    else if (f->reads_since_write > 0.0 && !c->crossbar.cell.ops->cell->read_on_write_path)
        scim_diag_warn(d, loc_of(root, "faults", "reads_since_write"),
                       "'faults.reads_since_write' has no effect: the read current of cell "
                       "model '%s' does not flow on its write path (no read disturb)",
                       c->crossbar.cell.ops->name);
}

/* Checks that involve more than one key. */
static void cross_check(const struct scim_config *c, const struct scim_node *root,
                        struct scim_diag *d)
{
    if (c->crossbar.encoding == SCIM_ENC_COMPLEMENTARY && c->crossbar.rows % 2)
        scim_diag_error(d, loc_of(root, "crossbar", "rows"),
                        "'crossbar.rows' must be even with complementary encoding (two rows per "
                        "weight), got %lld",
                        (long long)c->crossbar.rows);
    if (c->crossbar.rows_per_read > c->crossbar.rows / 2)
        scim_diag_error(d, loc_of(root, "crossbar", "rows_per_read"),
                        "'crossbar.rows_per_read' (%lld) exceeds the %lld weights a column holds "
                        "(rows / 2)",
                        (long long)c->crossbar.rows_per_read, (long long)(c->crossbar.rows / 2));
    if (c->scale_memory.kind == SCIM_SCALE_CROSSBAR && c->scale_memory.cell.ops->cell->levels < 3)
        scim_diag_error(d, loc_of(root, "scale_memory", "kind"),
                        "'scale_memory.kind: scale_crossbar' needs a multi-level cell; '%s' has "
                        "%d levels",
                        c->scale_memory.cell.ops->name, c->scale_memory.cell.ops->cell->levels);
    check_read_mode(c, root, d);
    check_faults(c, root, d);
    if (c->adc.columns_per_adc > c->crossbar.columns)
        scim_diag_error(d, loc_of(root, "adc", "columns_per_adc"),
                        "'adc.columns_per_adc' (%lld) exceeds 'crossbar.columns' (%lld)",
                        (long long)c->adc.columns_per_adc, (long long)c->crossbar.columns);
}

/* Each comma-separated OOD set must be a valid shift spec. */
static void check_ood(const struct scim_config *c, const struct scim_node *root,
                      struct scim_diag *d)
{
    char buf[1024], msg[256];
    snprintf(buf, sizeof(buf), "%s", c->workload.ood ? c->workload.ood : "");
    for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save)) {
        while (*tok == ' ')
            tok++;
        size_t n = strlen(tok);
        while (n && tok[n - 1] == ' ')
            tok[--n] = '\0';
        if (n && scim_shift_check(tok, msg, sizeof(msg)) < 0)
            scim_diag_error(d, loc_of(root, "workload", "ood"), "'workload.ood': %s", msg);
    }
}

void scim_config_cross_check(const struct scim_config *c, const struct scim_node *root,
                             struct scim_diag *d)
{
    unsigned before = d->errors;
    cross_check(c, root, d);
    if (d->errors == before)
        check_ood(c, root, d);
}
