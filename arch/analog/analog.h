/*
 * analog.h - the analog current-domain read of the binary weight arrays
 * (crossbar.read_mode: analog).
 *
 * Semantics. With the complementary XNOR bit-cell a weight is two cells of one column:
 * A on row x (P when the weight is +1) and B on row not-x (P when it is -1). An input
 * drives exactly one of them, which conducts: A for +1, B for -1 — the P cell when
 * input and weight match, the AP cell otherwise; a dropped row (SpinDrop) drives
 * neither. A stuck pair (faults.h) conducts through its P or AP cell whatever the input.
 * The column current of a read is I = V_read * sum G_i over the conducting cells, where
 * G_i is the cell model's conductance_s of the cell's state at v_read (TMR bias
 * dependence included) and the chip temperature, then the chip's device-to-device draw
 * (faults.d2d_*), then the read's cycle-to-cycle draw (faults.c2c_*), then the
 * first-order IR drop of the bitline when crossbar.wire_resistance is set. The ADC's
 * references sit at the nominal levels V (m G_P + (len - m) G_AP), m = 0..len, with
 * decision thresholds at their midpoints: the code is the nearest m, clipped to the
 * ADC's largest code as in the digital mode, and the accumulators use it exactly as
 * they use the digital match count. With no variation and ideal wires every read gives
 * its exact match count: the digital kernel runs, bit for bit the digital mode.
 *
 * Units: a read's value x = (I / V - len G_AP) / (G_P - G_AP) is counted in LSBs (one
 * nominal match each); the code is the nearest count in [0, len], clipped.
 *
 * Kernels (each exact in distribution; docs/architecture.md gives the arguments):
 *  - EVENTS (read noise, nominal cells): the noise of a read is the sum of its cells'
 *    independent Gaussians, itself Gaussian with the summed variance
 *    c2c^2 (m G_P^2 + (len - m) G_AP^2) + len c2c_add^2, which depends only on the
 *    counts. Write x = m + s Z, Z ~ N(0, 1). The exact count is at least 0.5 LSB from
 *    every threshold, and s <= s_max for every read of the layer, so with
 *    z0 = 0.5 / s_max only the reads with |Z| > z0 can change their code. Those reads
 *    are independent Bernoulli(p0 = P(|Z| > z0)) events: the gaps between them are
 *    geometric, drawn directly (by table inversion where they are frequent); an event
 *    read's nearest count comes from an alias table of its distribution given (len, m)
 *    and |Z| > z0, with one uniform. Every other read keeps its exact count, computed by
 *    the digital kernel (or the integer path).
 *  - LUT (device-to-device variation, fixed per chip): x = sum over the chunk's kept
 *    rows of e_A (input 1) or e_B (input 0), e = (G - G_AP) / dG, is affine in the input
 *    bits. Per chunk, column and group of 4 rows, a table of the 16 partial sums makes
 *    a read one lookup per 4 rows (two where rows can be dropped: the A cells of the
 *    kept set rows, the B cells of the kept clear ones); float sums of double entries.
 *    With read noise on top, the same event decomposition with a per-layer z0: a read
 *    whose mean lies farther than z0 times a bound of its noise from every threshold
 *    keeps its decision unless it is an event; the near ones draw Z from the centre
 *    |Z| <= z0, the events from the tail.
 *  - CELLS (IR drop): each read is summed cell by cell (its read noise drawn per cell),
 *    with the first-order bitline drop (see scim_analog_ir_current).
 * Read-noise draws come from the counter-based stream (seed; image, chip; pass, layer),
 * so results do not depend on threads. Such a run does not reuse MVMs across passes.
 */
#ifndef SCIM_ANALOG_H
#define SCIM_ANALOG_H

#include <stdint.h>

#include "devices/variation.h"
#include "sim/base/rng.h"
#include "arch/config.h"
#include "workloads/model.h"
#include "arch/datapath.h"
#include "arch/mapping.h"

enum scim_read_kernel {
    SCIM_READ_DIGITAL = 0, /* nominal cells, ideal wires: the exact match counts */
    SCIM_READ_EVENTS,      /* nominal cells with read noise: counts, then the rare noisy reads */
    SCIM_READ_LUT,         /* device-to-device variation (and read noise): lookup tables */
    SCIM_READ_CELLS        /* IR drop: every read summed cell by cell */
};

/* One entry of an event class's alias table (EVENTS). */
struct scim_ev_entry {
    double prob;    /* probability of keeping n once the entry is drawn */
    uint32_t n;     /* its count */
    uint32_t alias; /* the count otherwise */
};

/* One layer's read model on one chip instance. */
struct scim_analog_layer {
    int kernel;        /* enum scim_read_kernel */
    int varied;        /* the chip's variation applies to this layer (faults.layers) */
    int noise;         /* read noise (cycle-to-cycle variation) on this layer */
    int cpad;          /* output columns rounded up to 16 */
    int nib;           /* groups of 4 rows in the longest chunk */
    int nw;            /* 32-bit words of the longest chunk's rows */
    int max_len;       /* rows of the longest chunk */
    double *ga, *gb;   /* LUT, CELLS: [out_c][n_rows] conductance of each weight's cell A
                        * (row x, conducts for input +1) and B (row not x), S */
    int tabs;          /* LUT tables per 4-row group: 1, or 2 where rows can be dropped */
    float *lut;        /* LUT: [n_chunks][nib][tabs][16][cpad], e = (G - G_AP) / dG summed
                        * over the conducting cells of a 4-row group for each of its 16
                        * input patterns (1 table); with dropped rows, over the A cells of
                        * the set rows and the B cells of the set rows (2 tables, indexed by
                        * the kept inputs and by the kept complement), LSB */
    uint32_t *wbits;   /* LUT: [n_chunks][nw][3][cpad] a chunk's rows in order: weight +1,
                        * depends on the input (not stuck), always matches (stuck in P) */
    float *zs;         /* LUT with noise: [n_chunks][cpad] z0 times a bound of a read's noise
                        * std, plus a margin for float arithmetic, LSB */
    uint32_t *dist;    /* CELLS: [n_rows] wire segments from cell A to the sense node (B: 1 less) */
    double z0;         /* noise: reads with |Z| > z0 are the events */
    double log1m_p0;   /* log(1 - P(|Z| > z0)); 0 = no events */
    uint32_t *ev_at;   /* EVENTS: [class + 1] where class (len, m) = len (len + 1) / 2 + m
                        * starts in ev */
    struct scim_ev_entry *ev; /* EVENTS: each class's alias table over the nearest counts of
                               * an event read; NULL: the events draw Z from the tail
                               * instead (tables too large) */
    struct scim_geom *geom; /* EVENTS: gap tables where events are frequent (P(|Z| > z0)
                             * >= 1/32), NULL: gaps by the logarithm */
    uint32_t *pix_off; /* EVENTS on the integer path: [n_rows] pixel of each row, relative
                        * to the kernel window's first pixel in the padded image */
};

/* The read model of one chip instance. */
struct scim_analog {
    const struct scim_config *cfg;
    const struct scim_mapping *mp;
    uint64_t chip;                    /* chip instance (struct scim_engine_opts.chip) */
    double v_read;                    /* read voltage, V */
    double g_p, g_ap, dg;             /* nominal G_P, G_AP at v_read and the chip temperature,
                                       * and G_P - G_AP, S */
    struct scim_cond_variation d2d;   /* device-to-device variation of this chip */
    struct scim_cond_variation c2c;   /* cycle-to-cycle variation of every read */
    double r_wire;                    /* wire resistance per cell segment, ohm */
    int redraws;                      /* read noise somewhere: MVMs cannot be reused */
    struct scim_analog_layer *layers; /* [mp->n_layers] */
    int n_layers;
};

/*
 * The read model of a chip: m is the chip's (faulty) model and mp its mapping. With vary,
 * the variation of chip instance `chip` (>= 1; its fault map is instance chip - 1 of
 * scim_faults_apply, whose layer selection it shares) is drawn from its own stream;
 * without, the cells are nominal (the fault-free chip), and only the wires act.
 * Returns 0 or SCIM_ENOMEM (free in both cases).
 */
int scim_analog_init(struct scim_analog *an, const struct scim_config *cfg,
                     const struct scim_model *m, const struct scim_mapping *mp, uint64_t chip,
                     int vary);
void scim_analog_free(struct scim_analog *an);

/* Work space for scim_analog_mvm on one thread (free() it); NULL when out of memory. */
void *scim_analog_work_alloc(const struct scim_analog *an);

/* As scim_mvm, with the reads of lm through the chip's read model (an NULL: digital),
 * using this thread's work space. img and pass key the read-noise stream. */
void scim_analog_mvm(const struct scim_analog *an, void *work, const struct scim_layer_map *lm,
                     const struct scim_act *a, const uint64_t *mask, int32_t *s, uint64_t *scratch,
                     struct scim_mvm_stats *st, uint64_t img, int pass);

/* The ADC's decision for a read of value x (LSB) over len conducting cells: the nearest
 * count in [0, len], clipped to max_code (*clipped = 1 when it was). */
uint32_t scim_adc_decide(double x, uint32_t len, uint32_t max_code, int *clipped);

/* Column current over voltage (S) of n conducting cells in bitline order (farthest
 * from the sense node first) with conductances g (S) and distances d (wire segments,
 * strictly decreasing, >= 1), wire resistance r (ohm per segment), to first order in r:
 * sum g - r sum_q S_q^2, S_q = the conductance of the cells at distance >= q (segment q
 * carries their current, and the drop on it lowers the voltage of each of them). */
double scim_analog_ir_current(const double *g, const uint32_t *d, int n, double r);

#endif
