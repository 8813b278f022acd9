/*
 * ir_drop.c - the CELLS kernel (IR drop on the bitlines): each row's wire
 * distance to the sense node, the column current to first order in the wire
 * resistance, and every read summed cell by cell in bitline order, its read noise
 * drawn per cell.
 */
#include "internal.h"

#include <stdlib.h>

#include "devices/variation.h"
#include "sim/base/error.h"
#include "sim/base/rng.h"

/* Wire segments between each row's cell A and the sense node past the last physical row:
 * weight w of an array sits on rows 2w (A) and 2w + 1 (B), w counted along its tile. */
int scim__analog_build_dist(const struct scim_analog *an, struct scim_analog_layer *al,
                           const struct scim_layer_map *lm)
{
    uint32_t *rows = malloc((size_t)al->max_len * sizeof(uint32_t));
    al->dist = calloc((size_t)lm->n_rows, sizeof(uint32_t));
    if (!rows || !al->dist)
        return free(rows), SCIM_ENOMEM;
    int64_t R = an->cfg->crossbar.rows;
    for (int k = 0, w = 0; k < lm->n_chunks; k++) {
        if (k > 0 && lm->chunks[k].tile != lm->chunks[k - 1].tile)
            w = 0;
        int n = scim__analog_chunk_rows(lm, &lm->chunks[k], rows);
        for (int t = 0; t < n; t++, w++)
            al->dist[rows[t]] = (uint32_t)(R - 2 * w);
    }
    free(rows);
    return 0;
}

double scim_analog_ir_current(const double *g, const uint32_t *d, int n, double r)
{
    double cum = 0.0, sq = 0.0;
    for (int t = 0; t < n; t++) {
        cum += g[t];
        sq += (double)(d[t] - (t + 1 < n ? d[t + 1] : 0)) * cum * cum;
    }
    return cum - r * sq;
}

/* The read of chunk k, column j summed cell by cell in bitline order (read noise drawn
 * per cell), with the IR drop, as a value in LSB. */
static double cells_value(struct scim__read_ctx *c, const struct scim_mvm_step *sp, int k, int j)
{
    const struct scim_layer_map *lm = sp->lm;
    const struct scim_analog *an = c->an;
    const struct scim_analog_layer *al = c->al;
    const struct scim_chunk *ch = &lm->chunks[k];
    size_t at = (size_t)j * (size_t)lm->n_rows;
    struct scim_rand rnd = scim_rng_rand(&c->rng);
    int n = 0;
    for (uint32_t q = 0; q < ch->n_seg; q++) {
        const struct scim_seg *sg = &lm->segs[ch->first_seg + q];
        uint64_t rows = sg->mask & (sp->mask ? sp->mask[sg->word] : ~0ull);
        for (; rows; rows &= rows - 1, n++) {
            int b = __builtin_ctzll(rows), xb = (int)((sp->x[sg->word] >> b) & 1);
            size_t i = sg->word * 64u + (size_t)b;
            c->cg[n] = xb ? al->ga[at + i] : al->gb[at + i];
            c->cd[n] = al->dist[i] - (uint32_t)!xb;
            if (al->noise)
                c->cg[n] = scim_vary_conductance(c->cg[n], &an->c2c, &rnd);
        }
    }
    double i_v = scim_analog_ir_current(c->cg, c->cd, n, an->r_wire);
    return (i_v - n * an->g_ap) / an->dg;
}

/* CELLS: one step, the digital reads, then each read summed cell by cell in place of its
 * exact count. */
void scim__analog_cells_step(const struct scim_mvm_step *sp, void *vc)
{
    struct scim__read_ctx *c = vc;
    const struct scim_layer_map *lm = sp->lm;
    int C = lm->layer->out_c;
    scim_mvm_digital_step(sp, NULL);
    for (int k = 0; k < lm->n_chunks; k++)
        for (int j = 0; j < C; j++) {
            uint32_t len, m = read_matches(lm, &lm->chunks[k], j, sp->x, sp->mask, &len);
            scim__analog_correct(sp, j, cells_value(c, sp, k, j), m, len);
        }
}
