/*
 * internal.h - what the pieces of the analog read share and nothing outside them
 * uses (analog.h is the public side): the instruction sets chosen, the context of one
 * MVM's kernels, the small read helpers the kernels inline, and each piece's functions.
 *
 *   chip.c          a chip's read model: each layer's kernel, its cells' conductances, free
 *   lut_tables.c    LUT set-up: the tables of partial sums, weight bits and noise bounds
 *   event_tables.c  EVENTS set-up: the threshold z0, the alias tables of event reads, the
 *                   gap tables, the pixel of each row on the integer path
 *   event_reads.c   EVENTS kernel: the digital reads, then the events among them; the ADC
 *   lut.c           LUT kernel: compressed inputs, and without read noise the reads chunk
 *                   by chunk
 *   lut_noise.c     LUT with read noise: reads decided on their means, then the events
 *                   and near reads
 *   lut_v512.c      the AVX-512 forms of the LUT kernels
 *   ir_drop.c       CELLS kernel (IR drop): wire distances, reads summed cell by cell
 *   mvm.c           one MVM: the work space and the choice of kernel
 */
#ifndef SCIM_ANALOG_INTERNAL_H
#define SCIM_ANALOG_INTERNAL_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "analog.h"
#include "arch/datapath.h"
#include "arch/mapping.h"
#include "sim/base/rng.h"

/* Instruction sets the kernels use, chosen once (with datapath_kernel.c's choice) by
 * scim_analog_init (chip.c). */
extern int scim_analog_has_v512;  /* the AVX-512 LUT kernel can run */
extern int scim_analog_fast_bits; /* popcnt and pext instructions */

#define V512_MAX_TERMS 16 /* table lookups per read the AVX-512 kernels keep in registers */

/* What the kernels of one MVM share. */
struct scim__read_ctx {
    const struct scim_analog *an;
    const struct scim_analog_layer *al;
    struct scim_rng rng;      /* the read-noise stream of (chip, image, pass, layer): LUT, CELLS */
    struct scim_rng_batch ev; /* the same stream, buffered: EVENTS */
    uint64_t next;            /* read index of the next event (noise), UINT64_MAX: none */
    /* In the caller's work space (scim_analog_work_alloc): */
    uint32_t *xc, *kc; /* LUT: [slots][n_chunks][nw] compressed inputs and kept rows */
    uint32_t *len;     /* LUT: [slots][n_chunks] kept rows of each chunk */
    int32_t *acc;      /* LUT: [acc_rows][cpad] sums per position, or terms per chunk */
    size_t *off;       /* LUT: [nib * tabs] table rows of a read (lut_rows) */
    uint16_t *near;    /* LUT with noise: [n_chunks][cpad / 16] reads near a threshold */
    double *cg;        /* CELLS: [max_len] conductances of a read's conducting cells */
    uint32_t *cd;      /* CELLS: [max_len] their distances */
    uint64_t *win;     /* EVENTS, integer path: [planes][n_words] a position's packed inputs */
    uint8_t *bytes;    /* EVENTS, integer path: [64 n_words] its rows' pixels */
};

/* ---- read helpers, inlined into the kernels ---- */

/* The ADC's decision on a read of value x (scim_adc_decide, analog.h). */
static inline uint32_t adc_decide(double x, uint32_t len, uint32_t max_code, int *clipped)
{
    double r = rint(x);
    uint32_t n = r <= 0.0 ? 0 : r >= (double)len ? len : (uint32_t)r;
    *clipped = n > max_code;
    return n > max_code ? max_code : n;
}

/* Read index of the first read of a step: reads are numbered by position, plane, chunk,
 * then column. */
static inline uint64_t step_base(const struct scim_mvm_step *sp)
{
    const struct scim_layer_map *lm = sp->lm;
    return ((uint64_t)sp->pos * (uint64_t)lm->planes + (uint64_t)sp->shift) *
           (uint64_t)lm->n_chunks * (uint64_t)lm->layer->out_c;
}

/* Matches (conducting P cells) and kept rows of the read of chunk c, column j. */
static inline uint32_t read_matches(const struct scim_layer_map *lm, const struct scim_chunk *c,
                                    int j, const uint64_t *x, const uint64_t *mask, uint32_t *len)
{
    size_t nw = (size_t)lm->n_words;
    const uint64_t *w = lm->wbits + (size_t)j * nw;
    const uint64_t *keep = lm->has_stuck ? lm->wkeep + (size_t)j * nw : NULL;
    const uint64_t *match = lm->has_stuck ? lm->wmatch + (size_t)j * nw : NULL;
    uint32_t m = 0, n = 0;
    for (uint32_t k = 0; k < c->n_seg; k++) {
        const struct scim_seg *sg = &lm->segs[c->first_seg + k];
        uint64_t rows = sg->mask & (mask ? mask[sg->word] : ~0ull),
                 xn = ~(x[sg->word] ^ w[sg->word]);
        if (keep)
            xn = (xn & keep[sg->word]) | match[sg->word];
        m += (uint32_t)__builtin_popcountll(xn & rows);
        n += (uint32_t)__builtin_popcountll(rows);
    }
    *len = n;
    return m;
}

/* Table q of chunk k's tables at the pattern of its kept inputs (tab 0) or of their kept
 * complement (tab 1). */
static inline size_t lut_row(const struct scim_analog_layer *al, int q, int tab, uint32_t xw,
                             uint32_t kw)
{
    uint32_t sh = (uint32_t)(q & 7) * 4, v = (tab ? ~xw & kw : xw & kw) >> sh & 15;
    return (((size_t)q * (size_t)al->tabs + (size_t)tab) * 16 + v) * (size_t)al->cpad;
}

static inline const float *lut_of(const struct scim_analog_layer *al, int k)
{
    return al->lut + (size_t)k * (size_t)al->nib * (size_t)al->tabs * 16 * (size_t)al->cpad;
}

static inline const uint32_t *wbits_of(const struct scim_analog_layer *al, int k)
{
    return al->wbits + (size_t)k * (size_t)al->nw * 3 * (size_t)al->cpad;
}

/* The table rows a read of compressed input xc, kc looks up: nib * tabs of them, in
 * group order, then table order. */
static inline void lut_rows(const struct scim_analog_layer *al, const uint32_t *xc,
                            const uint32_t *kc, size_t *off)
{
    for (int q = 0; q < al->nib; q++)
        for (int tab = 0; tab < al->tabs; tab++)
            *off++ = lut_row(al, q, tab, xc[q >> 3], kc[q >> 3]);
}

/* The mean value (LSB) of the read of chunk k, column j: the float sum of its table rows
 * in order. */
static inline float lut_value(const struct scim_analog_layer *al, int k, int j, const size_t *off)
{
    const float *t = lut_of(al, k) + j;
    float x = 0.0f;
    for (int q = 0; q < al->nib * al->tabs; q++)
        x += t[off[q]];
    return x;
}

/* The exact count (conducting P cells) of the read of chunk k, column j. */
static inline uint32_t lut_matches(const struct scim_analog_layer *al, int k, int j,
                                   const uint32_t *xc, const uint32_t *kc)
{
    size_t cp = (size_t)al->cpad;
    const uint32_t *w = wbits_of(al, k) + j;
    uint32_t m = 0;
    for (int q = 0; q < al->nw; q++, w += 3 * cp)
        m += (uint32_t)__builtin_popcount(((~(xc[q] ^ w[0]) & w[cp]) | w[2 * cp]) & kc[q]);
    return m;
}

/* The ADC's decision on one LUT read, its events, and its term of the sums. */
static inline int32_t lut_decide(double x, uint32_t m, uint32_t len, uint32_t mc,
                                 struct scim_mvm_stats *st)
{
    int clipped;
    uint32_t code = adc_decide(x, len, mc, &clipped);
    st->clips += (uint64_t)clipped;
    st->misreads += code != (m > mc ? mc : m);
    st->cells_lrs += m;
    return 2 * (int32_t)code - (int32_t)len;
}

/* ---- set-up (scim_analog_init) ---- */

/* Rows of chunk c in order (bit indices of the packed input), into rows; returns how many
 * (chip.c). */
int scim__analog_chunk_rows(const struct scim_layer_map *lm, const struct scim_chunk *c,
                           uint32_t *rows);

/* Events are the reads with |Z| > z0 (event_tables.c). */
void scim__analog_set_z0(struct scim_analog_layer *al, double z0);

/* Noise std (LSB) of a read of nominal cells: m of its len conducting cells in P
 * (event_tables.c). */
double scim__analog_nominal_noise(const struct scim_analog *an, int m, int len);

/* EVENTS: z0 for the layer's largest read noise, the gap tables where events are
 * frequent, the alias tables of the event reads and on the integer path the rows' pixel
 * offsets (event_tables.c). 0 or SCIM_ENOMEM. */
int scim__analog_init_events(const struct scim_analog *an, struct scim_analog_layer *al,
                            const struct scim_layer_map *lm);

/* LUT: the tables, weight bits and (with read noise) noise bounds and z0 of layer lm
 * (lut_tables.c). 0 or SCIM_ENOMEM. */
int scim__analog_build_lut(const struct scim_analog *an, struct scim_analog_layer *al,
                          const struct scim_layer_map *lm);

/* CELLS: wire segments between each row's cell A and the sense node (ir_drop.c). 0 or
 * SCIM_ENOMEM. */
int scim__analog_build_dist(const struct scim_analog *an, struct scim_analog_layer *al,
                           const struct scim_layer_map *lm);

/* ---- kernels (scim_analog_mvm) ---- */

/* Reads before the next event; the next event after read `after` (event_reads.c). */
uint64_t scim__analog_event_gap(struct scim__read_ctx *c);
void scim__analog_next_event(struct scim__read_ctx *c, uint64_t after);

/* Replace the exact count m of a read (already in the sums) by the decision on x
 * (event_reads.c). */
void scim__analog_correct(const struct scim_mvm_step *sp, int j, double x, uint32_t m, uint32_t len);

/* EVENTS: one MVM, step by step, or on an integer-path layer the integer sums, then the
 * layer's events (event_reads.c). */
void scim__analog_events_mvm(struct scim__read_ctx *c, const struct scim_layer_map *lm,
                            const struct scim_act *a, const uint64_t *mask, int32_t *s,
                            uint64_t *scratch, struct scim_mvm_stats *st);

/* LUT: compress step sp into slot `slot` of the work space (lut.c). */
void scim__analog_compress_step(struct scim__read_ctx *c, const struct scim_mvm_step *sp, size_t slot);

/* LUT without noise: collect the steps, read chunk by chunk, add to the sums (lut.c). */
void scim__analog_lut_layer(struct scim__read_ctx *c, const struct scim_layer_map *lm,
                           const struct scim_act *a, const uint64_t *mask, int32_t *s,
                           uint64_t *scratch, struct scim_mvm_stats *st);

/* LUT with read noise: one step (lut_noise.c). */
void scim__analog_lut_noise_step(const struct scim_mvm_step *sp, void *vc);

/* The AVX-512 forms (lut_v512.c) of lut_means_portable (lut_noise.c) and
 * lut_layer_portable (lut.c), for at most V512_MAX_TERMS table rows per read (and 8
 * bit-planes: scim__analog_lut_layer_v512). */
__attribute__((target("avx512f,avx512vpopcntdq"))) void
scim__analog_lut_means_v512(struct scim__read_ctx *c, const struct scim_mvm_step *sp);
__attribute__((target("avx512f,avx512vpopcntdq"))) void
scim__analog_lut_layer_v512(struct scim__read_ctx *c, const struct scim_layer_map *lm,
                           struct scim_mvm_stats *st);

/* CELLS: one step, each read summed cell by cell with the IR drop (ir_drop.c). */
void scim__analog_cells_step(const struct scim_mvm_step *sp, void *vc);

#endif
