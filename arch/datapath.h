/*
 * datapath.h - the functional datapath of one layer: crossbar reads through the
 * ADCs into the adder-accumulators (the MVM), then scale, batch-norm, residual
 * add, sign and pooling in the digital periphery.
 *
 * Activations are bit-packed (bit 1 = +1). A conv layer's input is kept as one
 * 64-bit row mask per (plane, channel, padded row), so a kernel window is a
 * shift and a mask; a linear layer's input is one packed vector per plane.
 * The MVM works on packed words (XNOR + popcount) with the widest popcount the
 * CPU offers, chosen at run time (SPINCIM_PORTABLE=1 forces the portable one).
 */
#ifndef SCIM_DATAPATH_H
#define SCIM_DATAPATH_H

#include <stdint.h>

#include "mapping.h"

/* The input activations of one layer. */
struct scim_act {
    int planes;       /* bit-planes (8 for a bit-serial first layer) */
    int c, h, w;      /* logical shape */
    int pad;          /* padding included in rows (conv inputs) */
    int hp;           /* padded height h + 2 pad */
    uint64_t *rows;   /* conv input: [planes][c][hp], bit x + pad of row y + pad */
    uint64_t *vec;    /* linear input: [planes][n_words] packed (c, y, x) vector */
    int n_words;      /* words per plane of vec */
    int wp;           /* padded width w + 2 pad (pixel inputs) */
    uint8_t *pix;     /* integer path: pixels [c][hp][wp] (conv) or [c*h*w] (linear), pads 0 */
    uint8_t *pcnt;    /* integer path: popcount of each pixel, same layout */
    int32_t *acc;     /* integer path: one channel's sums per position, then scratch */
    int32_t *box;     /* integer path: window sums of the pixels per position */
    uint64_t *cm;     /* channel-minor layer (mapping.h): [planes][hp][cm_words] the rows
                       * pixel by pixel, bit (x + pad) c_in + c of row y + pad */
    int cm_words;     /* words per row of cm */
};

/* Data-dependent events of one MVM. */
struct scim_mvm_stats {
    uint64_t cells_lrs;     /* conducting cells in the low-resistance state */
    uint64_t clips;         /* ADC conversions clipped at max_code */
    uint64_t wordlines_off; /* wordlines left off because their rows were dropped */
    uint64_t cells_off;     /* cells not read because their rows were dropped */
    uint64_t misreads;      /* analog reads whose ADC code differs from the exact count */
};

/* Allocate act for the input of layer lm (shape and format from the layer). */
int scim_act_alloc(struct scim_act *a, const struct scim_layer_map *lm);
void scim_act_free(struct scim_act *a);
void scim_act_clear(struct scim_act *a);

/* Fill the first layer's input from 8-bit pixels (bit-planes or binarized). */
void scim_act_from_pixels(struct scim_act *a, const struct scim_layer_map *lm,
                          const uint8_t *pixels);

/* MVM of layer lm on input a: s[j * positions + pos] as the accumulators hold it
 * (after the ADC's clipping), with the data-dependent events in st. mask: the rows
 * kept by input dropout (packed, n_words), or NULL for all rows; a dropped row's
 * input is 0 (both wordlines off). scratch holds n_words words. */
void scim_mvm(const struct scim_layer_map *lm, const struct scim_act *a, const uint64_t *mask,
              int32_t *s, uint64_t *scratch, struct scim_mvm_stats *st);

/* One step of an MVM: the reads of one output position and input bit-plane. */
struct scim_mvm_step {
    const struct scim_layer_map *lm;
    const uint64_t *x; /* packed input vector of this position and plane */
    int32_t *s;        /* this position's sums: output j at s[j * stride] */
    int stride;        /* positions per output channel */
    int shift;         /* the bit-plane: its sums weigh 2^shift */
    struct scim_mvm_stats *st;
    const uint64_t *mask; /* rows kept (input dropout), or NULL for all */
    int n_active;         /* rows kept */
    int pos;              /* output position */
};

/* What computes the reads of one step: the digital kernel, or an analog one
 * (arch/analog/analog.h). */
typedef void (*scim_step_fn)(const struct scim_mvm_step *step, void *ctx);

/* The digital reads of one step: exact match counts, clipped by the ADC (ctx unused). */
void scim_mvm_digital_step(const struct scim_mvm_step *step, void *ctx);

/* scim_mvm with the reads of every (position, plane) step computed by fn(step, ctx),
 * steps in order of position, then plane (never the integer path). */
void scim_mvm_steps(const struct scim_layer_map *lm, const struct scim_act *a, const uint64_t *mask,
                    int32_t *s, uint64_t *scratch, struct scim_mvm_stats *st, scim_step_fn fn,
                    void *ctx);

/* Scale (of the given variant, neuron.h), batch-norm, residual add, sign and pooling of
 * s into the next layer's input `next`;
 * for the output layer (next == NULL) the logits go to `logits` instead. shortcut: for
 * a layer with a residual connection (model.h), the activations holding its source
 * layer k's output of the same pass, i.e. the input of layer k + 1; NULL otherwise. */
void scim_postprocess(const struct scim_layer_map *lm, const int32_t *s, int variant,
                      const struct scim_act *shortcut, struct scim_act *next, double *logits);

/* Name of the popcount kernel chosen at run time ("avx512-vpopcntdq", "popcnt",
 * "portable"). */
const char *scim_popcount_kernel(void);

#endif
