/*
 * ledger.h - prices event counts into energy, and sizes the chip's area,
 * static power and first-order latency.
 *
 * Counting happens on the hot path (arch/events.h); pricing happens once, at
 * the end: energy = sum over events of count x energy per event, per
 * component and per layer, plus static power x time. The energies per event
 * come from the cost model (cost.h): in calibrated mode each block's
 * energy.table entry scaled by its physical energy here over at the
 * calibration point (a read is priced as a whole, as the table counts it); in
 * physical mode every event at its model's energy (cells by their state,
 * bitlines, wordlines, decoder, mux and ADC per conversion). Areas likewise
 * (area.* calibrated; arrays, periphery, ADCs and memories from their models);
 * static power from the technology's leakage.
 */
#ifndef SCIM_LEDGER_H
#define SCIM_LEDGER_H

#include <stdint.h>

#include "events.h"
#include "mapping.h"
#include "config.h"

/* Energy of counts c by component, J (adds into e[SCIM_C_COUNT]); mp gives the
 * memories' capacity and the classes averaged. */
void scim_price(const struct scim_config *cfg, const struct scim_mapping *mp,
                const struct scim_counts *c, double *e);

struct scim_area {
    double comp[SCIM_C_COUNT]; /* area by component, m^2 */
    double total;              /* m^2 */
    int arrays;                /* crossbar arrays */
    int adcs;                  /* ADCs */
    int rng_modules;           /* dropout RNG modules */
    uint64_t scale_bits;       /* bits of scale memory */
    uint64_t buffer_bits;      /* bits of buffers (inter-layer and skip buffers) */
    uint64_t skip_bits;        /* bits of the skip buffers (residual sources), in buffer_bits */
    double digital_leakage_w;  /* leakage of the digital blocks and the arrays' periphery, W */
    double memory_leakage_w;   /* leakage of the scale memory and the buffers, W */
};

/* The memories' calibration (calibrated mode): factor = table value / physical energy at
 * the calibration point, ratio = physical energy here / there, for [0] the scale SRAM's
 * reads and [1] the buffers' accesses; 1 and 1 otherwise. */
void scim_memory_calibration(const struct scim_config *cfg, const struct scim_mapping *mp,
                             double factor[2], double ratio[2]);

void scim_area_compute(const struct scim_config *cfg, const struct scim_mapping *mp,
                       int rng_modules, struct scim_area *a);

/* Static power of the chip, W. */
double scim_static_power(const struct scim_config *cfg, const struct scim_area *a);

/* Cycle costs of one layer's blocks (the first-order estimate and the SystemC engine
 * share them): row and column tiles work in parallel; within a tile the reads are
 * sequential, each followed by the conversions of the columns sharing an ADC. */
struct scim_layer_cycles {
    uint64_t read;         /* one array read (wordline pulse), cycles */
    uint64_t conv;         /* one ADC conversion, cycles */
    uint64_t cols_per_adc; /* conversions per ADC per read (column mux) */
    uint64_t reads;        /* sequential reads per output position: planes x reads per tile */
    uint64_t xbar;         /* per output position: reads x (read + cols_per_adc x conv) */
    uint64_t digital;      /* per output position: one output per cycle per column tile */
    uint64_t scale;        /* per pass: the scale crossbar's row read + conversions (0: SRAM) */
};

void scim_layer_cycles(const struct scim_config *cfg, const struct scim_layer_map *lm,
                       struct scim_layer_cycles *c);

struct scim_latency {
    uint64_t *layer_cycles;   /* [n_layers] cycles of one pass per layer (owned) */
    uint64_t rng_cycles;      /* cycles of one pass spent waiting for dropout bits */
    uint64_t pass_cycles;     /* cycles of one Monte Carlo pass */
    uint64_t image_cycles;    /* cycles of one image (T passes + averaging) */
    double clock_hz;          /* clock the cycles count */
    double image_s;           /* latency per image, s */
    double pass_s;            /* latency per pass, s */
};

/* First-order analytical latency (reads x read time, ADC sharing, T passes). */
/* Whole clock cycles a delay of t_s seconds takes (rounded up, at least 1). */
uint64_t scim_cycles_of(double t_s, double clock_hz);

int scim_latency_estimate(const struct scim_config *cfg, const struct scim_mapping *mp,
                          int passes, int rng_modules, struct scim_latency *lat);
void scim_latency_free(struct scim_latency *lat);

/* The macro: the part of the chip a published compute-in-memory macro's figures cover —
 * the weight arrays with their periphery, the ADCs and the adder-accumulators after them
 * — apart from the chip around it (scale memory and multipliers, comparators, pooling,
 * buffers, RNG, averaging, control), so that its TOPS/W and TOPS/mm2 compare with a
 * macro's. Its time is the arrays' own: the reads and conversions of every position and
 * pass, without the per-output digital path that follows them. */
struct scim_macro {
    double energy_j;  /* per image: its components' dynamic energy + static_w x busy_s, J */
    double static_w;  /* leakage of the arrays' periphery, the ADCs and the accumulators, W */
    double area_m2;   /* arrays, periphery, ADCs and accumulators, m^2 */
    double busy_s;    /* per image: the arrays' reads and conversions, s */
};

/* 1 when component c belongs to the macro (crossbar, decode_sense, adc, accumulator). */
int scim_macro_component(enum scim_component c);

/* The macro of a run: energy_comp is the dynamic energy per image by component, a the
 * chip's areas, passes the Monte Carlo passes per image. */
void scim_macro_compute(const struct scim_config *cfg, const struct scim_mapping *mp, int passes,
                        const struct scim_area *a, const double *energy_comp,
                        struct scim_macro *m);

/* Binary operations per pass as the field counts them (2 per weight: XNOR + add). */
double scim_ops_per_pass(const struct scim_mapping *mp);

#endif
