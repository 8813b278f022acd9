/*
 * lut.c - the LUT kernel (device-to-device variation): each step's inputs
 * compressed chunk by chunk into row order (pext), and without read noise the whole
 * layer's reads, chunk by chunk so that a chunk's tables stay in cache, each one lookup
 * per 4 rows (analog.h).
 */
#include "internal.h"

#include <immintrin.h>
#include <string.h>

static uint64_t pext_portable(uint64_t x, uint64_t m)
{
    uint64_t out = 0;
    for (int b = 0; m; m &= m - 1, b++)
        out |= ((x >> __builtin_ctzll(m)) & 1) << b;
    return out;
}

__attribute__((target("bmi2"))) static inline uint64_t pext_bmi2(uint64_t x, uint64_t m)
{
    return _pext_u64(x, m);
}

/* Append the n low bits of v at bit offset off of a 32-bit word array. */
static inline __attribute__((always_inline)) void put_bits32(uint32_t *w, unsigned off, uint64_t v,
                                                             unsigned n)
{
    for (unsigned done = 0; done < n;) {
        unsigned at = off + done, b = at & 31, take = 32 - b < n - done ? 32 - b : n - done;
        w[at >> 5] |= (uint32_t)(((v >> done) & ((1ull << take) - 1)) << b);
        done += take;
    }
}

/* The input bits of every chunk of a step, in row order (xc), the kept rows (kc) and
 * their number (len): [n_chunks][nw], [n_chunks][nw], [n_chunks]. Chunks of one segment
 * (one word of the input) take one pext each. */
static inline __attribute__((always_inline)) void
compress_body(const struct scim_layer_map *lm, int nw, const uint64_t *x, const uint64_t *mask,
              uint32_t *xc, uint32_t *kc, uint32_t *len, uint64_t (*px)(uint64_t, uint64_t))
{
    for (int k = 0; k < lm->n_chunks; k++, xc += nw, kc += nw) {
        const struct scim_chunk *ch = &lm->chunks[k];
        const struct scim_seg *sg = &lm->segs[ch->first_seg];
        if (nw == 1 && ch->n_seg == 1) {
            xc[0] = (uint32_t)px(x[sg->word], sg->mask);
            kc[0] =
                mask ? (uint32_t)px(mask[sg->word], sg->mask) : (uint32_t)(~0ull >> (64 - ch->len));
            len[k] = mask ? (uint32_t)__builtin_popcount(kc[0]) : ch->len;
            continue;
        }
        memset(xc, 0, (size_t)nw * sizeof(uint32_t));
        memset(kc, 0, (size_t)nw * sizeof(uint32_t));
        unsigned off = 0, kept = 0;
        for (uint32_t q = 0; q < ch->n_seg; q++, sg++) {
            unsigned n = (unsigned)__builtin_popcountll(sg->mask);
            uint64_t kv = mask ? px(mask[sg->word], sg->mask) : ~0ull >> (64 - n);
            put_bits32(xc, off, px(x[sg->word], sg->mask), n);
            put_bits32(kc, off, kv, n);
            kept += (unsigned)__builtin_popcountll(kv);
            off += n;
        }
        len[k] = kept;
    }
}

__attribute__((target("popcnt,bmi2"))) static void compress_fast(const struct scim_layer_map *lm,
                                                                 int nw, const uint64_t *x,
                                                                 const uint64_t *mask, uint32_t *xc,
                                                                 uint32_t *kc, uint32_t *len)
{
    compress_body(lm, nw, x, mask, xc, kc, len, pext_bmi2);
}

static void compress_portable(const struct scim_layer_map *lm, int nw, const uint64_t *x,
                              const uint64_t *mask, uint32_t *xc, uint32_t *kc, uint32_t *len)
{
    compress_body(lm, nw, x, mask, xc, kc, len, pext_portable);
}

/* Compress step sp into slot `slot` of the work space. */
void scim__analog_compress_step(struct scim__read_ctx *c, const struct scim_mvm_step *sp, size_t slot)
{
    const struct scim_layer_map *lm = sp->lm;
    size_t words = (size_t)lm->n_chunks * (size_t)c->al->nw;
    (scim_analog_fast_bits ? compress_fast : compress_portable)(
        lm, c->al->nw, sp->x, sp->mask, c->xc + slot * words, c->kc + slot * words,
        c->len + slot * (size_t)lm->n_chunks);
}

/* LUT without noise: the steps only gather their compressed inputs; the reads follow
 * chunk by chunk (scim__analog_lut_layer), so that a chunk's tables stay in cache. */
static void lut_collect_step(const struct scim_mvm_step *sp, void *vc)
{
    scim__analog_compress_step(vc, sp, (size_t)sp->pos * (size_t)sp->lm->planes + (size_t)sp->shift);
}

/* LUT without noise, portable: every step's reads of chunk k after chunk k, their terms
 * into the sums of their position (acc). */
static void lut_layer_portable(struct scim__read_ctx *c, const struct scim_layer_map *lm,
                               struct scim_mvm_stats *st)
{
    const struct scim_analog_layer *al = c->al;
    size_t nc = (size_t)lm->n_chunks, nw = (size_t)al->nw, cp = (size_t)al->cpad;
    size_t steps = (size_t)lm->positions * (size_t)lm->planes;
    for (size_t k = 0; k < nc; k++)
        for (size_t i = 0; i < steps; i++) {
            const uint32_t *xc = c->xc + (i * nc + k) * nw, *kc = c->kc + (i * nc + k) * nw;
            uint32_t len = c->len[i * nc + k];
            int32_t *acc = c->acc + i / (size_t)lm->planes * cp,
                    sh = (int32_t)(i % (size_t)lm->planes);
            lut_rows(al, xc, kc, c->off);
            for (int j = 0; j < lm->layer->out_c; j++)
                acc[j] += lut_decide(lut_value(al, (int)k, j, c->off),
                                     lut_matches(al, (int)k, j, xc, kc), len, lm->max_code, st) *
                          (1 << sh);
        }
}

/* LUT without noise: collect the steps, read chunk by chunk, add to the sums. */
void scim__analog_lut_layer(struct scim__read_ctx *c, const struct scim_layer_map *lm,
                           const struct scim_act *a, const uint64_t *mask, int32_t *s,
                           uint64_t *scratch, struct scim_mvm_stats *st)
{
    size_t cp = (size_t)c->al->cpad, P = (size_t)lm->positions;
    scim_mvm_steps(lm, a, mask, s, scratch, st, lut_collect_step, c);
    memset(c->acc, 0, P * cp * sizeof(int32_t));
    if (scim_analog_has_v512 && c->al->nib * c->al->tabs <= V512_MAX_TERMS && lm->planes <= 8)
        scim__analog_lut_layer_v512(c, lm, st);
    else
        lut_layer_portable(c, lm, st);
    for (int j = 0; j < lm->layer->out_c; j++)
        for (size_t p = 0; p < P; p++)
            s[(size_t)j * P + p] += c->acc[p * cp + (size_t)j];
}
