/*
 * lut_noise.c - the LUT kernel with read noise on top (the tables and the events
 * combined): each read decided on its mean from the tables, the reads near a threshold
 * flagged, then the events and the near reads in read order, each drawing its own
 * noise from its cells.
 */
#include "internal.h"

#include <math.h>
#include <string.h>

#include "sim/base/rng.h"

/* Noise std (LSB) of the read of chunk k, column j: its conducting cells, one by one. */
static double read_noise(const struct scim__read_ctx *c, const struct scim_mvm_step *sp, int k, int j)
{
    const struct scim_layer_map *lm = sp->lm;
    const struct scim_chunk *ch = &lm->chunks[k];
    size_t at = (size_t)j * (size_t)lm->n_rows;
    double s2 = 0.0;
    uint32_t n = 0;
    for (uint32_t q = 0; q < ch->n_seg; q++) {
        const struct scim_seg *sg = &lm->segs[ch->first_seg + q];
        uint64_t rows = sg->mask & (sp->mask ? sp->mask[sg->word] : ~0ull);
        for (; rows; rows &= rows - 1, n++) {
            int b = __builtin_ctzll(rows);
            size_t i = at + sg->word * 64u + (size_t)b;
            double g = (sp->x[sg->word] >> b) & 1 ? c->al->ga[i] : c->al->gb[i];
            s2 += g * g;
        }
    }
    return sqrt(scim_variation_var(&c->an->c2c, s2, n)) / c->an->dg;
}

/* A read whose mean x lies at least zs (a bound of z0 times its noise std, plus a margin
 * for the float arithmetic) from every threshold that changes its decision (code or
 * clip) keeps its decision unless it is an event (analog.h). Float arithmetic, the same
 * in the portable and AVX-512 kernels. */
static int near_read(float x, uint32_t len, uint32_t mc, float zs)
{
    int32_t top = (int32_t)(len < mc + 1 ? len : mc + 1), n = (int32_t)rintf(x);
    n = n < 0 ? 0 : n > top ? top : n;
    float nf = (float)n, lo = n > 0 ? x - (nf - 0.5f) : INFINITY;
    float hi = n < top ? nf + 0.5f - x : INFINITY;
    return (lo < hi ? lo : hi) < zs;
}

/* The noisy decision of read (k, j) of a step, mean x: Z from the tail (an event) or
 * from the centre (a near read), the read's own noise std from its cells; replaces the
 * decision on x already in the sums. */
static void noisy_read(struct scim__read_ctx *c, const struct scim_mvm_step *sp, int k, int j,
                       uint32_t len, int event)
{
    const struct scim_analog_layer *al = c->al;
    const struct scim_layer_map *lm = sp->lm;
    const uint32_t *xc = c->xc + (size_t)k * (size_t)al->nw,
                   *kc = c->kc + (size_t)k * (size_t)al->nw;
    lut_rows(al, xc, kc, c->off);
    float x = lut_value(al, k, j, c->off);
    uint32_t m = lut_matches(al, k, j, xc, kc);
    double z =
        event ? scim_rng_normal_tail(&c->rng, al->z0) : scim_rng_normal_within(&c->rng, al->z0);
    struct scim_mvm_stats before = {0}, after = {0};
    int32_t v0 = lut_decide(x, m, len, lm->max_code, &before);
    int32_t v1 = lut_decide(x + read_noise(c, sp, k, j) * z, m, len, lm->max_code, &after);
    sp->st->clips += after.clips - before.clips;
    sp->st->misreads += after.misreads - before.misreads;
    sp->s[(size_t)j * (size_t)sp->stride] += (v1 - v0) * (1 << sp->shift);
}

/* After a step's reads were decided on their means (near[k][block]: the near ones), the
 * events and near reads in read order. */
static void noisy_reads(struct scim__read_ctx *c, const struct scim_mvm_step *sp)
{
    const struct scim_layer_map *lm = sp->lm;
    int C = lm->layer->out_c, nb = c->al->cpad / 16;
    uint64_t base = step_base(sp);
    for (int k = 0; k < lm->n_chunks; k++) {
        uint64_t r0 = base + (uint64_t)k * (uint64_t)C;
        for (int b = 0; b < nb; b++) {
            uint32_t bits = c->near[k * nb + b];
            uint64_t hi = r0 + (uint64_t)(b * 16 + 16 < C ? b * 16 + 16 : C);
            for (;;) {
                int jn = bits ? b * 16 + __builtin_ctz(bits) : C;
                int je = c->next < hi ? (int)(c->next - r0) : C;
                int j = jn < je ? jn : je;
                if (j == C)
                    break;
                noisy_read(c, sp, k, j, c->len[k], j == je);
                if (j == je)
                    scim__analog_next_event(c, c->next);
                if (j == jn)
                    bits &= bits - 1;
            }
        }
    }
}

/* LUT with noise, portable: each read decided on its mean, near reads flagged. */
static void lut_means_portable(struct scim__read_ctx *c, const struct scim_mvm_step *sp)
{
    const struct scim_layer_map *lm = sp->lm;
    const struct scim_analog_layer *al = c->al;
    int C = lm->layer->out_c, nb = al->cpad / 16;
    for (int k = 0; k < lm->n_chunks; k++) {
        const uint32_t *xc = c->xc + (size_t)k * (size_t)al->nw,
                       *kc = c->kc + (size_t)k * (size_t)al->nw;
        const float *zs = al->zs + (size_t)k * (size_t)al->cpad;
        lut_rows(al, xc, kc, c->off);
        memset(c->near + k * nb, 0, (size_t)nb * sizeof(uint16_t));
        for (int j = 0; j < C; j++) {
            float x = lut_value(al, k, j, c->off);
            int32_t v =
                lut_decide(x, lut_matches(al, k, j, xc, kc), c->len[k], lm->max_code, sp->st);
            sp->s[(size_t)j * (size_t)sp->stride] += v * (1 << sp->shift);
            c->near[k * nb + j / 16] |=
                (uint16_t)(near_read(x, c->len[k], lm->max_code, zs[j]) << (j % 16));
        }
    }
}

/* LUT with read noise: one step, its reads decided on their means, then the events and
 * near reads in read order (their draws in that order). */
void scim__analog_lut_noise_step(const struct scim_mvm_step *sp, void *vc)
{
    struct scim__read_ctx *c = vc;
    scim__analog_compress_step(c, sp, 0);
    if (scim_analog_has_v512 && c->al->nib * c->al->tabs <= V512_MAX_TERMS)
        scim__analog_lut_means_v512(c, sp);
    else
        lut_means_portable(c, sp);
    noisy_reads(c, sp);
}
