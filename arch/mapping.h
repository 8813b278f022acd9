/*
 * mapping.h - how each layer of a model is laid onto the crossbar arrays.
 *
 * With the complementary XNOR bit-cell a binary weight takes two cells of one
 * column (rows x and not-x), so an array of R rows holds R/2 weights per
 * column. A layer's weight matrix (fan_in rows x out_c columns) is tiled over
 * arrays; conv layers follow one of the Scale-Dropout paper's strategies:
 *  (1) unrolled: each KxKxCin kernel is a column, rows in (c, kh, kw) order;
 *  (2) kxk: K*K arrays (per kernel position) of Cin rows x Cout columns.
 * A read activates at most rows_per_read weights of one array; the rows a read
 * covers are a "chunk", given as (word, mask) segments over the packed input
 * vector, so the datapath can count each read's matches exactly. A layer with a
 * residual connection (model.h) gets one comparator threshold per shortcut value.
 */
#ifndef SCIM_MAPPING_H
#define SCIM_MAPPING_H

#include <stdint.h>
#include <stdio.h>

#include "config.h"
#include "sim/base/diag.h"
#include "workloads/model.h"
#include "events.h"

/* A run of bits of one 64-bit word of the packed input vector. */
struct scim_seg {
    uint32_t word;  /* word index in the packed vector */
    uint64_t mask;  /* bits of that word read together */
};

/* One read: the weights activated together in one array. */
struct scim_chunk {
    uint32_t first_seg; /* index of its first segment in scim_layer_map.segs */
    uint32_t n_seg;     /* number of segments */
    uint32_t len;       /* weights (rows pairs) activated */
    uint32_t tile;      /* row tile (array) it belongs to */
};

/* The comparator's decision for one output: sign(y(s)) as a function of the
 * integer sum s is a step (y is a chain of monotone roundings of an affine
 * function), so it is "s >= t", "s <= t", always +1 or always -1. */
enum scim_cmp_mode { SCIM_CMP_GE = 0, SCIM_CMP_LE, SCIM_CMP_ONE, SCIM_CMP_ZERO };

struct scim_threshold {
    int32_t t;      /* threshold on the accumulated sum s */
    int32_t mode;   /* enum scim_cmp_mode */
    int32_t lo, hi; /* the same decision as an interval: +1 iff lo <= s <= hi */
};

struct scim_layer_map {
    const struct scim_layer *layer; /* the model layer */
    int index;                /* layer index */
    int planes;               /* input bit-planes: 8 for a bit-serial first layer, else 1 */
    double input_scale;       /* multiplies s: 1/255 for bit-serial input, else 1 */
    int n_rows;               /* weights per column (fan_in) */
    int n_words;              /* 64-bit words of a packed input vector */
    uint64_t last_mask;       /* valid bits of the last word */
    int positions;            /* output positions per pass (out_h * out_w) */
    int row_tiles;            /* arrays a column's rows span (per column tile) */
    int col_tiles;            /* arrays the output columns span */
    int arrays;               /* row_tiles * col_tiles */
    int adcs_per_array;       /* ceil(columns used / columns_per_adc) */
    struct scim_chunk *chunks; /* reads per position, plane and column tile */
    int n_chunks;
    struct scim_seg *segs;
    int n_segs;
    int reads_per_tile;       /* largest number of chunks in one row tile (sequential reads) */
    uint32_t max_code;        /* largest ADC code, 2^bits - 1 */
    int clip_possible;        /* a chunk can hold more matches than max_code */
    double utilization;       /* cells holding weights / cells of the layer's arrays */
    uint64_t *wbits;          /* packed weights [out_c][n_words]; bit set = +1 */
    uint64_t *wgroup;         /* the same in groups of 8 columns: [out_c / 8][n_words][8] */
    int n_groups;             /* column groups of 8 (the last one padded) */
    int has_stuck;            /* some weight pair reads the same whatever the input */
    uint64_t *wkeep;          /* has_stuck: [out_c][n_words] rows that depend on the input */
    uint64_t *wmatch;         /* has_stuck: [out_c][n_words] rows that always match */
    struct scim_threshold *thr; /* [variants][thr_sets][out_c] comparator thresholds, at
                                   scim_thr_index */
    int thr_sets;             /* threshold sets per variant: 3 for a residual layer (shortcut
                                 r = -1, 0, +1), else 1 (r = 0) */
    int res_stride;           /* residual layer: the source's output height / out_h, else 0 */
    int res_c, res_h, res_w;  /* residual layer: the source's output shape (after its pooling) */
    struct scim_layer qlayer; /* scale crossbar: the layer with its scales quantized */
    double *qscale, *qsamples; /* owned arrays of qlayer */
    int scale_cells;          /* scale crossbar: multi-level cells per stored scale */
    int scale_rows;           /* scale crossbar: stored scale vectors (rows) of the layer */
    uint64_t level_flips;     /* scale crossbar: cells of this chip instance read one level off */
    int int_path;             /* 1: bit-serial layer computed as an integer dot product */
    int8_t *wrow;             /* int path: [out_c][n_rows] weights (+-1) */
    int8_t *wplus;            /* int path: [out_c][n_rows] 1 where the weight is +1, else 0 */
    int8_t *wones;            /* int path: [n_rows] all 1 (the window sum) */
    int32_t *wsum;            /* int path: [out_c] sum of each column's weights */
    int16_t *lrs_k;           /* int path: [n_rows] 2 * (+1 weights in the row) - out_c */
    int64_t lrs_base;         /* int path: 8 * sum over rows of (-1 weights in the row) */
    struct scim_counts per_pass; /* data-independent events of one pass of this layer */
    struct scim_layer_map *cm; /* conv layer with 2^k <= 64 input channels whose reads never
                                  clip and hold no stuck cell: the same layer with its rows in
                                  channel-minor order (kh, kw, c) — a copy owning only its
                                  wbits and wgroup — for the reads that sum every row (a sum
                                  does not depend on the order of its rows); else NULL */
};

struct scim_mapping {
    struct scim_layer_map *layers; /* one per model layer */
    int n_layers;
    int total_arrays;         /* arrays of all layers */
    int weights_per_column;   /* rows / 2 */
    int max_out;              /* largest out_c: columns of the scale memory */
};

/* Index in thr of the comparator threshold of output j for neuron.h variant v and
 * shortcut value r (-1, 0 or +1; always 0 for a layer without a residual
 * connection): the step of sign(y(s) + g r) in the integer sum s. */
static inline size_t scim_thr_index(const struct scim_layer_map *lm, int v, int r, int j)
{
    size_t set = (size_t)v * (size_t)lm->thr_sets + (size_t)(lm->thr_sets > 1 ? r + 1 : 0);
    return set * (size_t)lm->layer->out_c + (size_t)j;
}

/* Map model onto the chip of cfg. A layer that cannot be mapped (accumulator too
 * narrow, unsupported shape) is an error naming the layer. */
int scim_map_model(struct scim_mapping *mp, const struct scim_model *m,
                   const struct scim_config *cfg, struct scim_diag *d);
void scim_mapping_free(struct scim_mapping *mp);

/* Human-readable mapping report: arrays per layer, reads, utilization. */
void scim_mapping_print(const struct scim_mapping *mp, FILE *f);

/* 1 when cfg's analog reads need each bit-plane's input (device-to-device variation or
 * wire resistance): the mapping then keeps every layer off the integer path. */
int scim_analog_per_plane(const struct scim_config *cfg);

#endif
