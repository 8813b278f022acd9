/*
 * chip.c - the read model of one chip instance (analog.h): for each layer its
 * kernel, its cells' conductances (nominal, then the chip's device-to-device draw) and
 * the tables that kernel reads (lut_tables.c, event_tables.c, ir_drop.c); the
 * instruction sets the kernels use; freeing it all.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#include "arch/faults.h"
#include "arch/neuron.h"
#include "sim/base/error.h"
#include "sim/base/rng.h"

/* Instruction sets the kernels use, chosen once (with datapath_kernel.c's choice). */
int scim_analog_has_v512;  /* the AVX-512 LUT kernel can run */
int scim_analog_fast_bits; /* popcnt and pext instructions */
static int chosen;

static void choose(void)
{
    const char *k = scim_popcount_kernel();
    scim_analog_has_v512 = !strcmp(k, "avx512-vpopcntdq");
    scim_analog_fast_bits = strcmp(k, "portable") && __builtin_cpu_supports("bmi2");
    chosen = 1;
}

/* Rows of chunk c in order (bit indices of the packed input), into rows; returns how many. */
int scim__analog_chunk_rows(const struct scim_layer_map *lm, const struct scim_chunk *c,
                           uint32_t *rows)
{
    int n = 0;
    for (uint32_t k = 0; k < c->n_seg; k++) {
        const struct scim_seg *sg = &lm->segs[c->first_seg + k];
        for (uint64_t m = sg->mask; m; m &= m - 1)
            rows[n++] = sg->word * 64u + (uint32_t)__builtin_ctzll(m);
    }
    return n;
}

/* Conductance of a weight's cell A (b = 0) or B (b = 1) as its stored code leaves it:
 * +1 puts A in P, -1 puts B in P; a stuck pair has both cells in P or both in AP. */
static double nominal_g(const struct scim_analog *an, int8_t code, int b)
{
    int p = code == SCIM_W_MATCH || (code == 1 && b == 0) || (code == -1 && b == 1);
    return p ? an->g_p : an->g_ap;
}

/* Each cell's conductance: nominal, then the chip's device-to-device draw (stream
 * (chip, layer); per column, per row, cell A then B). */
static int sample_cells(const struct scim_analog *an, struct scim_analog_layer *al,
                        const struct scim_layer_map *lm)
{
    const struct scim_layer *L = lm->layer;
    size_t n = (size_t)L->out_c * (size_t)lm->n_rows;
    al->ga = malloc(n * sizeof(double));
    al->gb = malloc(n * sizeof(double));
    if (!al->ga || !al->gb)
        return SCIM_ENOMEM;
    struct scim_rng r;
    scim_rng_init(&r, (uint64_t)an->cfg->workload.seed,
                  scim_stream_id(SCIM_STREAM_VARIATION, an->chip, (uint64_t)lm->index));
    struct scim_rand rnd = scim_rng_rand(&r);
    int d2d = al->varied && scim_variation_any(&an->d2d);
    for (size_t k = 0; k < n; k++) {
        al->ga[k] = nominal_g(an, L->weight[k], 0);
        al->gb[k] = nominal_g(an, L->weight[k], 1);
        if (d2d) {
            al->ga[k] = scim_vary_conductance(al->ga[k], &an->d2d, &rnd);
            al->gb[k] = scim_vary_conductance(al->gb[k], &an->d2d, &rnd);
        }
    }
    return 0;
}

static int init_layer(struct scim_analog *an, struct scim_analog_layer *al,
                      const struct scim_layer_map *lm, int on, int masked)
{
    al->varied = on && scim_variation_enabled(an->cfg);
    al->tabs = masked ? 2 : 1;
    al->noise = al->varied && scim_variation_any(&an->c2c);
    int d2d = al->varied && scim_variation_any(&an->d2d);
    al->kernel = an->r_wire > 0.0 ? SCIM_READ_CELLS
                 : d2d            ? SCIM_READ_LUT
                 : al->noise      ? SCIM_READ_EVENTS
                                  : SCIM_READ_DIGITAL;
    if ((al->kernel == SCIM_READ_LUT || al->kernel == SCIM_READ_CELLS) && lm->int_path)
        SCIM_PANIC("layer %d: per-plane analog reads on the integer path", lm->index);
    for (int k = 0; k < lm->n_chunks; k++)
        if ((int)lm->chunks[k].len > al->max_len)
            al->max_len = (int)lm->chunks[k].len;
    al->cpad = (lm->layer->out_c + 15) & ~15;
    al->nib = (al->max_len + 3) / 4;
    al->nw = (al->max_len + 31) / 32;
    an->redraws |= al->noise;
    if (al->kernel == SCIM_READ_EVENTS)
        return scim__analog_init_events(an, al, lm);
    if (al->kernel == SCIM_READ_DIGITAL)
        return 0;
    int rc = sample_cells(an, al, lm);
    if (rc == 0 && al->kernel == SCIM_READ_LUT)
        rc = scim__analog_build_lut(an, al, lm);
    if (rc == 0 && al->kernel == SCIM_READ_CELLS)
        rc = scim__analog_build_dist(an, al, lm);
    return rc;
}

int scim_analog_init(struct scim_analog *an, const struct scim_config *cfg,
                     const struct scim_model *m, const struct scim_mapping *mp, uint64_t chip,
                     int vary)
{
    const struct scim_cell_ops *cell = cfg->crossbar.cell.ops->cell;
    const void *cp = cfg->crossbar.cell.params;
    memset(an, 0, sizeof(*an));
    an->cfg = cfg, an->mp = mp, an->chip = chip, an->n_layers = mp->n_layers;
    an->v_read = cell->read_voltage_v(cp);
    an->g_p = cell->conductance_s(cp, cell->levels - 1, an->v_read, cfg->chip.temperature_k);
    an->g_ap = cell->conductance_s(cp, 0, an->v_read, cfg->chip.temperature_k);
    an->dg = an->g_p - an->g_ap;
    an->d2d = (struct scim_cond_variation){cfg->faults.d2d_sigma, cfg->faults.d2d_sigma_add_s};
    an->c2c = (struct scim_cond_variation){cfg->faults.c2c_sigma, cfg->faults.c2c_sigma_add_s};
    an->r_wire =
        cfg->crossbar.read_mode == SCIM_READ_MODE_ANALOG ? cfg->crossbar.wire_resistance_ohm : 0.0;
    if (!chosen) /* here, before any worker thread reads */
        choose();
    an->layers = calloc((size_t)mp->n_layers, sizeof(*an->layers));
    int *on = calloc((size_t)m->n_layers, sizeof(int));
    if (!an->layers || !on)
        return free(on), SCIM_ENOMEM;
    if (vary && cfg->crossbar.read_mode == SCIM_READ_MODE_ANALOG)
        scim_fault_layers(m, cfg, chip - 1, on);
    int rc = 0, rows = cfg->dropout.enabled && (m->method_id == SCIM_METHOD_SPINDROP ||
                                                m->method_id == SCIM_METHOD_SPATIAL_SPINDROP);
    for (int l = 0; l < mp->n_layers && rc == 0; l++)
        rc = init_layer(an, &an->layers[l], &mp->layers[l], on[l],
                        rows && scim_layer_stochastic(&m->layers[l]));
    free(on);
    return rc;
}

void scim_analog_free(struct scim_analog *an)
{
    for (int l = 0; an->layers && l < an->n_layers; l++) {
        struct scim_analog_layer *al = &an->layers[l];
        free(al->ga);
        free(al->gb);
        free(al->lut);
        free(al->wbits);
        free(al->zs);
        free(al->dist);
        free(al->ev);
        free(al->ev_at);
        free(al->pix_off);
        free(al->geom);
    }
    free(an->layers);
    memset(an, 0, sizeof(*an));
}
