/*
 * datapath_cm.c - the digital reads of a channel-minor conv layer (mapping.h): its input
 * rows transposed once per pass to pixel-by-pixel order (C bits per pixel, by deposits
 * where the CPU has them), then each kernel window gathered as k runs of k C bits and
 * read against the weights permuted to the same (kh, kw, c) order.
 */
#include "datapath.h"

#include <immintrin.h>
#include <string.h>

#include "datapath_internal.h"

/* ---- channel-minor windows (mapping.h) ---- */

/* Bits o .. o + n - 1 of a bit string (n <= 64). */
static inline uint64_t cm_get_bits(const uint64_t *src, int o, int n)
{
    int w = o >> 6, b = o & 63;
    uint64_t v = src[w] >> b;
    if (b + n > 64)
        v |= src[w + 1] << (64 - b);
    return n == 64 ? v : v & ((1ull << n) - 1);
}

static inline void cm_put_bits(uint64_t *dst, int o, uint64_t v, int n)
{
    int w = o >> 6, b = o & 63;
    dst[w] |= v << b;
    if (b + n > 64)
        dst[w + 1] |= v >> (64 - b);
}

/* One row of plane p in channel-minor order: bit x C + c = bit x of channel c's row. */
static void cm_row_portable(const uint64_t *rows, size_t stride, int C, int wp, uint64_t *out,
                            int words)
{
    memset(out, 0, (size_t)words * sizeof(uint64_t));
    for (int c = 0; c < C; c++)
        for (uint64_t b = rows[(size_t)c * stride]; b; b &= b - 1) {
            int i = __builtin_ctzll(b) * C + c;
            out[i >> 6] |= 1ull << (i & 63);
        }
    (void)wp;
}

/* The same by deposits: 64 / C pixels per word, channel c's bits every C bits from c. */
__attribute__((target("bmi2"))) static void cm_row_pdep(const uint64_t *rows, size_t stride,
                                                         int C, int wp, uint64_t *out, int words)
{
    int ppw = 64 / C;
    uint64_t low = ppw == 64 ? ~0ull : (1ull << ppw) - 1, pattern = 0;
    for (int i = 0; i < ppw; i++)
        pattern |= 1ull << (i * C);
    memset(out, 0, (size_t)words * sizeof(uint64_t));
    for (int c = 0; c < C; c++) {
        uint64_t b = rows[(size_t)c * stride], m = pattern << c;
        for (int t = 0; t < words && t * ppw < wp; t++)
            out[t] |= _pdep_u64((b >> (t * ppw)) & low, m);
    }
}

static void (*cm_row)(const uint64_t *, size_t, int, int, uint64_t *, int) = cm_row_portable;

void scim_dp_choose_cm_row(int portable)
{
    cm_row = !portable && __builtin_cpu_supports("bmi2") ? cm_row_pdep : cm_row_portable;
}

/* The input window of position (oy, ox) in channel-minor row order: per kernel row kh,
 * the k C bits from pixel ox (stride applied) of input row oy + kh. */
static void gather_cm(const struct scim_layer *L, const struct scim_act *a, int p, int oy,
                      int ox, uint64_t *x, int n_words)
{
    int C = a->c, k = L->kernel, run = k * C, soff = ox * L->stride * C;
    memset(x, 0, (size_t)n_words * sizeof(uint64_t));
    for (int kh = 0; kh < k; kh++) {
        const uint64_t *src = a->cm + ((size_t)p * (size_t)a->hp + (size_t)(oy * L->stride + kh)) *
                                          (size_t)a->cm_words;
        for (int i = 0; i < run; i += 64) {
            int n = run - i < 64 ? run - i : 64;
            cm_put_bits(x, kh * run + i, cm_get_bits(src, soff + i, n), n);
        }
    }
}

/* Digital reads of a channel-minor layer: the activations transposed once, then each
 * window gathered as k runs of bits and summed against the permuted weights. */
void scim_dp_mvm_steps_cm(const struct scim_layer_map *lm, const struct scim_act *a, int32_t *s,
                          uint64_t *scratch, struct scim_mvm_stats *st)
{
    const struct scim_layer *L = lm->layer;
    scim_dp_reads_fn kernel = scim_dp_kernel();
    int wp = L->in_w + 2 * L->padding;
    for (int p = 0; p < lm->planes; p++)
        for (int y = 0; y < a->hp; y++)
            cm_row(a->rows + (size_t)p * (size_t)a->c * (size_t)a->hp + (size_t)y, (size_t)a->hp,
                   a->c, wp, a->cm + ((size_t)p * (size_t)a->hp + (size_t)y) * (size_t)a->cm_words,
                   a->cm_words);
    memset(s, 0, (size_t)lm->positions * (size_t)L->out_c * sizeof(int32_t));
    struct scim_mvm_step step = {lm->cm, scratch, NULL, lm->positions, 0, st, NULL, lm->n_rows, 0};
    for (int pos = 0; pos < lm->positions; pos++) {
        step.s = s + pos;
        step.pos = pos;
        for (int p = 0; p < lm->planes; p++) {
            gather_cm(L, a, p, pos / L->out_w, pos % L->out_w, scratch, lm->n_words);
            step.shift = p;
            kernel(&step);
        }
    }
}
