/*
 * lut_tables.c - the LUT kernel's set-up (device-to-device variation): per chunk,
 * column and group of 4 rows the tables of the 16 partial sums of the varied cells, the
 * chunk's weight bits in row order, and with read noise each read's noise bound and the
 * layer's z0.
 */
#include "internal.h"

#include <math.h>
#include <stdlib.h>

#include "arch/faults.h"
#include "sim/base/error.h"

/* Entry v of table tab of 4-row group q: the summed e of the cells that conduct for the
 * input pattern v of its rows (of the n rows of the chunk). One table: A cells for set
 * bits, B cells for clear ones. Two (row masks): A cells of set bits, B cells of set bits
 * (indexed by the complement of the input). */
static double lut_entry(const struct scim_analog *an, const struct scim_analog_layer *al,
                        const double *ga, const double *gb, const uint32_t *rows, int n, int q,
                        int tab, int v)
{
    double sum = 0.0;
    for (int b = 0; b < 4 && 4 * q + b < n; b++) {
        uint32_t i = rows[4 * q + b];
        int set = (v >> b) & 1;
        if (al->tabs == 1)
            sum += ((set ? ga[i] : gb[i]) - an->g_ap) / an->dg;
        else if (set)
            sum += ((tab ? gb[i] : ga[i]) - an->g_ap) / an->dg;
    }
    return sum;
}

/* The tables of chunk k, column j (struct scim_analog_layer.lut). */
static void fill_lut(const struct scim_analog *an, struct scim_analog_layer *al,
                     const struct scim_layer_map *lm, int k, int j, const uint32_t *rows, int n)
{
    size_t nr = (size_t)lm->n_rows, cp = (size_t)al->cpad;
    const double *ga = al->ga + (size_t)j * nr, *gb = al->gb + (size_t)j * nr;
    float *t = al->lut + (size_t)k * (size_t)al->nib * (size_t)al->tabs * 16 * cp + (size_t)j;
    for (int q = 0; q < al->nib; q++)
        for (int tab = 0; tab < al->tabs; tab++)
            for (int v = 0; v < 16; v++, t += cp)
                *t = (float)lut_entry(an, al, ga, gb, rows, n, q, tab, v);
}

/* Compressed weight bits of chunk k, column j: row t of the chunk at bit t. */
static void fill_wbits(struct scim_analog_layer *al, const struct scim_layer_map *lm, int k, int j,
                       const uint32_t *rows, int n)
{
    size_t cp = (size_t)al->cpad;
    uint32_t *w = al->wbits + (size_t)k * (size_t)al->nw * 3 * cp + (size_t)j;
    for (int t = 0; t < n; t++) {
        int8_t code = lm->layer->weight[(size_t)j * (size_t)lm->n_rows + rows[t]];
        uint32_t bit = 1u << (t & 31);
        size_t at = (size_t)(t >> 5) * 3 * cp;
        w[at] |= code == 1 ? bit : 0;
        w[at + cp] |= code == 1 || code == -1 ? bit : 0;
        w[at + 2 * cp] |= code == SCIM_W_MATCH ? bit : 0;
    }
}

/* Bound of the noise std (LSB) of any read of chunk k, column j: every row conducting
 * through its larger cell. */
static double noise_bound(const struct scim_analog *an, const struct scim_analog_layer *al,
                          const struct scim_layer_map *lm, int j, const uint32_t *rows, int n)
{
    double s2 = 0.0;
    for (int t = 0; t < n; t++) {
        size_t at = (size_t)j * (size_t)lm->n_rows + rows[t];
        s2 += fmax(al->ga[at] * al->ga[at], al->gb[at] * al->gb[at]);
    }
    return sqrt(scim_variation_var(&an->c2c, s2, n)) / an->dg * (1.0 + 1e-12);
}

/* With read noise: the layer's z0 from the sum ssum of its reads' noise bounds s, then
 * each bound in al->zs becomes z0 s, rounded up. */
static void scale_bounds(struct scim_analog_layer *al, const struct scim_layer_map *lm, double ssum)
{
    size_t nc = (size_t)lm->n_chunks, cp = (size_t)al->cpad;
    /* Any z0 is exact; this one balances the reads near a threshold (~2 z0 s) against
     * the events (2 Q(z0)) for the typical bound s. */
    double s = ssum / ((double)nc * lm->layer->out_c);
    double z0 = s > 0.0 ? sqrt(fmax(0.0, -2.0 * log(s * sqrt(2.0 * M_PI)))) : 6.0;
    scim__analog_set_z0(al, fmin(6.0, fmax(1.0, z0)));
    for (int k = 0; k < lm->n_chunks; k++) /* the bounds z0 s, rounded up */
        for (int j = 0; j < lm->layer->out_c; j++) {
            float *zs = &al->zs[(size_t)k * cp + (size_t)j];
            *zs = (float)(al->z0 * *zs * (1.0 + 1e-6)) + 1e-6f * (float)(lm->chunks[k].len + 1);
        }
}

/* The LUT kernel's tables of layer lm (struct scim_analog_layer: lut, wbits, zs). */
int scim__analog_build_lut(const struct scim_analog *an, struct scim_analog_layer *al,
                          const struct scim_layer_map *lm)
{
    size_t nc = (size_t)lm->n_chunks, cp = (size_t)al->cpad;
    al->lut = calloc(nc * (size_t)al->nib * (size_t)al->tabs * 16 * cp, sizeof(float));
    al->wbits = calloc(nc * (size_t)al->nw * 3 * cp, sizeof(uint32_t));
    al->zs = al->noise ? calloc(nc * cp, sizeof(float)) : NULL;
    uint32_t *rows = malloc((size_t)al->max_len * sizeof(uint32_t));
    if (!al->lut || !al->wbits || !rows || (al->noise && !al->zs))
        return free(rows), SCIM_ENOMEM;
    double ssum = 0.0;
    for (int k = 0; k < lm->n_chunks; k++) {
        int n = scim__analog_chunk_rows(lm, &lm->chunks[k], rows);
        for (int j = 0; j < lm->layer->out_c; j++) {
            fill_lut(an, al, lm, k, j, rows, n);
            fill_wbits(al, lm, k, j, rows, n);
            if (al->noise)
                ssum += al->zs[(size_t)k * cp + (size_t)j] =
                    (float)noise_bound(an, al, lm, j, rows, n);
        }
    }
    free(rows);
    if (al->noise)
        scale_bounds(al, lm, ssum);
    return 0;
}
