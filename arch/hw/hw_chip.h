/*
 * hw_chip.h - the chip as a netlist of clocked blocks (SystemC-style C modules).
 *
 * Per layer l:   [buffer l] -> xbar l -> [acc register] -> periph l -> [buffer l+1]
 *   xbar:    wordline drivers and crossbar arrays, the column mux and the ADC bank,
 *            the adder-accumulators: one output position (all columns) at a time;
 *   periph:  scale memory read (SRAM, or the scale crossbar's row read once per
 *            pass), multiplier, comparator / batch-norm (or the normalization
 *            unit), pooling; it writes pooled outputs into the next buffer.
 * Shared blocks: the RNG / dropout module(s) (devices/hw_rng.c) fill each
 * stochastic layer's dropout-bit register; the Monte Carlo controller issues
 * passes to layer 0; the averaging block combines the T outputs of an image.
 * Buffers are line buffers: a conv layer frees an input row once no later
 * output position needs it; a full buffer stalls its producer.
 */
#ifndef SCIM_HW_CHIP_H
#define SCIM_HW_CHIP_H

#include <stdint.h>
#include <stdio.h>

#include "arch/config.h"
#include "sim/base/diag.h"
#include "hw.h"
#include "arch/mapping.h"

struct scim_image_ctx;
struct scim_hw_chip;

/* Cycle parameters of one layer (from the mapping and the device models). */
struct scim_hw_layer_cfg {
    uint64_t read_cycles;    /* one array read (wordline pulse), cycles */
    uint64_t conv_cycles;    /* one ADC conversion, cycles */
    uint64_t cols_per_adc;   /* conversions per ADC per read (column mux) */
    uint64_t reads;          /* sequential reads per position: planes x reads per row tile */
    uint64_t xbar_cycles;    /* per output position: reads x (read + cols_per_adc x conv) */
    uint64_t digital_cycles; /* per output position: one output per cycle per column tile */
    uint64_t scale_cycles;   /* per pass: scale-crossbar row read + conversions (0: SRAM) */
    uint64_t positions;      /* output positions per pass */
    uint64_t in_entries;     /* input entries per pass (producer's pooled positions) */
    uint64_t out_entries;    /* output entries per pass (pooled positions) */
    uint64_t buffer_entries; /* capacity of the input buffer, entries */
    int skip_src;            /* residual source layer k, or -1 */
    uint64_t skip_entries;   /* entries of k per pass = capacity of the skip buffer */
    int rng;                 /* RNG module (bank) that draws its bits, -1 = deterministic */
    uint64_t rng_cycles;     /* cycles that bank needs for one pass's bits of this layer */
};

/* The xbar block of one layer (wordline drivers, arrays, column mux, ADCs, accumulators). */
struct scim_hw_xbar {
    struct scim_hw_chip *chip;
    int layer, mod;            /* layer index, module index in the chip */
    struct scim_hw_chan *cmd;  /* layer 0: pass tokens from the controller, else NULL */
    struct scim_hw_chan *in;   /* input buffer, NULL for layer 0 (the image is resident) */
    struct scim_hw_chan *bits; /* dropout-bit register filled by the RNG, or NULL */
    struct scim_hw_chan *out;  /* accumulator register read by the periphery */
};

/* The digital periphery of one layer (scale memory, multiplier, comparator, pooling). */
struct scim_hw_periph {
    struct scim_hw_chip *chip;
    int layer, mod;
    struct scim_hw_chan *in;   /* accumulator register */
    struct scim_hw_chan *out;  /* next layer's input buffer, or the averaging block's */
    struct scim_hw_chan *skip_out; /* skip buffer to the layer adding this one's output, or NULL */
    struct scim_hw_chan *skip_in;  /* skip buffer from this layer's residual source, or NULL */
};

/* One RNG bank: the module(s) drawing the dropout bits of the layers it serves. */
struct scim_hw_rng {
    struct scim_hw_chip *chip;
    int mod;
    int n_layers;              /* layers served */
    int *layers;               /* [n_layers] layer indices, in priority order for ties */
    int ev_request;            /* kernel event: a served layer freed its bit register */
    uint64_t *served;          /* [n_layers] passes drawn for each served layer */
};

/* Monte Carlo controller (issues passes) and averaging block (combines them). */
struct scim_hw_mc {
    struct scim_hw_chip *chip;
    int mod_ctl, mod_avg;
    struct scim_hw_chan *tokens; /* pass tokens to layer 0 */
    struct scim_hw_chan *logits; /* outputs of the last layer */
    struct scim_hw_chan *done;   /* passes averaged (controller waits on it without overlap) */
};

/* Statistics and the traced image's operations of one module. */
struct scim_hw_module {
    char name[48];             /* "xbar conv1", "rng", ... */
    int layer;                 /* its layer, or -1 */
    struct scim_hw_stats st;
    struct scim_hw_rec *rec;   /* operations of the traced image (image 0) */
    uint32_t n_rec, cap_rec;
    int sig_busy;              /* traced signal: 1 while busy, or -1 */
};

/* Functional side: the per-image contexts the blocks call into. */
struct scim_hw_func {
    void *user;                /* the engine's state */
    /* Context of image i (allocated by the controller when it starts the image). */
    struct scim_image_ctx *(*ctx_start)(void *user, int i);
    struct scim_image_ctx *(*ctx_of)(void *user, int i);
    void (*ctx_done)(void *user, int i);
};

struct scim_hw_chip {
    const struct scim_config *cfg;
    const struct scim_mapping *mp;
    int n_layers, passes, images; /* layers, T, images to run */
    int overlap;                  /* passes (and images) pipelined */
    uint64_t avg_cycles;          /* averaging block per pass, cycles */
    double clock_hz;              /* chip clock, Hz */
    struct scim_hw_layer_cfg *lc; /* [n_layers] */
    struct scim_hw_xbar *xbar;    /* [n_layers] */
    struct scim_hw_periph *periph; /* [n_layers] */
    struct scim_hw_rng *rng;      /* [n_rng] */
    int n_rng;
    struct scim_hw_mc mc;
    struct scim_hw_chan *chans;   /* all channels */
    int n_chans;
    struct scim_hw_module *mods;  /* all modules: xbars, periphs, rngs, controller, averaging */
    int n_mods;
    int n_events;                 /* kernel events the binding must create */
    struct scim_hw_func func;
    uint64_t *image_start, *image_end; /* [images] cycles */
    uint64_t *pass_end;           /* [images * passes] cycle each pass was averaged */
    int tracing;                  /* 1 while image 0 is in flight (operations recorded) */
    int images_started;           /* images layer 0 has started */
    int images_done;              /* images averaged */
    uint64_t ops;                 /* operations completed by all blocks */
    uint64_t end_cycle;           /* cycle the last image completed */
};

/* Build the netlist for cfg / mp, T = passes, `images` images. Errors (e.g. a
 * buffer too small for a layer's window) go to d. */
int scim_hw_chip_init(struct scim_hw_chip *c, const struct scim_config *cfg,
                      const struct scim_model *m, const struct scim_mapping *mp, int passes,
                      int images, const struct scim_hw_func *func, struct scim_diag *d);
void scim_hw_chip_free(struct scim_hw_chip *c);

/* Process functions (one SystemC thread each). */
void scim_hw_xbar_run(struct scim_hw_xbar *x, const struct scim_hw_host *h);
void scim_hw_periph_run(struct scim_hw_periph *p, const struct scim_hw_host *h);
void scim_hw_rng_run(struct scim_hw_rng *r, const struct scim_hw_host *h);
void scim_hw_ctl_run(struct scim_hw_mc *mc, const struct scim_hw_host *h);
void scim_hw_avg_run(struct scim_hw_mc *mc, const struct scim_hw_host *h);

/* Helpers the blocks share (hw_chip.c). */
/* Wait on a channel entry / room, accounting the waited cycles to the module. */
void scim_hw_get(struct scim_hw_chip *c, int mod, struct scim_hw_chan *ch, uint64_t index,
                 int kind, const struct scim_hw_host *h, int *cause, struct scim_hw_ref *pred);
void scim_hw_room(struct scim_hw_chip *c, int mod, struct scim_hw_chan *ch,
                  const struct scim_hw_host *h, int *cause, struct scim_hw_ref *pred);
/* Be busy n cycles as operation `item` (recorded for the traced image). */
void scim_hw_busy(struct scim_hw_chip *c, int mod, uint32_t item, uint64_t n, int cause,
                  struct scim_hw_ref pred, const struct scim_hw_host *h);

/* Line-buffer geometry of a layer's output positions (raster order). */
/* Input entries position p needs from the start of its pass. */
uint64_t scim_hw_need(const struct scim_layer *L, uint64_t p, uint64_t in_entries);
/* Input entries no position after p needs. */
uint64_t scim_hw_release(const struct scim_layer *L, uint64_t p, uint64_t positions,
                         uint64_t in_entries);
/* Entries of the residual source (raster order, one pass) output position p of a
 * layer with a shortcut reads / no later position reads (model.h: r at (y*st, x*st)). */
uint64_t scim_hw_skip_need(const struct scim_layer *L, const struct scim_layer *K, uint64_t p);
uint64_t scim_hw_skip_release(const struct scim_layer *L, const struct scim_layer *K, uint64_t p,
                              uint64_t positions);
/* 1 if MVM position p completes a pooled output (always, without pooling). */
int scim_hw_emits(const struct scim_layer *L, uint64_t p);

/* The critical path of image 0: the chain of operations, each waiting for the
 * one before it, from the image's first read to its last averaging; the cycles
 * on it summed per block (they add up to the image's latency), blocks in the
 * order the path enters them. Returns the blocks written. */
struct scim_hw_segment {
    int mod;          /* module */
    uint64_t cycles;  /* cycles on the path spent in it (busy or waiting on it) */
    uint32_t ops;     /* its operations on the path */
};
int scim_hw_critical_path(const struct scim_hw_chip *c, struct scim_hw_segment *seg, int max);

#endif
