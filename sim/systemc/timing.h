/*
 * timing.h - the SystemC engine: the cycle-level simulation of the chip.
 *
 * The chip's blocks (arch/hw/hw_chip.h) run as SystemC threads on the chip clock;
 * the functional work of every image is the same per-image code as the
 * functional engine's (arch/image.c), called by the blocks when they finish it,
 * so predictions and event counts are identical between the engines. Latency,
 * throughput, stalls and utilization come from the simulation. One simulation
 * per program (SystemC elaborates once).
 */
#ifndef SCIM_TIMING_H
#define SCIM_TIMING_H

#include <stdint.h>

#include "arch/hw/hw_chip.h"
#include "arch/image.h"
#include "workloads/dataset.h"

struct scim_timing_opts {
    const char *vcd_path;   /* VCD trace file (".vcd" appended), or NULL */
    int trace_first;        /* first image traced (index into the run) */
    int trace_last;         /* last image traced */
    int no_reuse;           /* 1: recompute every MVM */
    const struct scim_analog *analog; /* the chip's analog read model, or NULL (digital) */
};

/* One block's cycle accounting. */
struct scim_timing_module {
    char name[48];          /* "xbar conv1", "periph conv1", "rng", ... */
    int layer;              /* its layer, or -1 */
    struct scim_hw_stats st; /* busy cycles, waits by cause, operations */
};

struct scim_timing {
    int images, passes;         /* simulated */
    double clock_hz;            /* Hz */
    uint64_t end_cycle;         /* cycle the last image completed */
    uint64_t first_latency;     /* image 0: first read to averaged, cycles */
    double mean_latency;        /* the same, mean over images, cycles */
    double interval;            /* cycles between image completions (steady state) */
    uint64_t first_pass;        /* image 0, pass 0: first read to averaged, cycles */
    double pass_interval;       /* mean cycles between passes of one image averaged */
    double throughput;          /* images per second over the whole simulation */
    struct scim_timing_module *mods; /* all blocks (owned) */
    int n_mods;
    struct scim_hw_segment path[128]; /* critical path of image 0, in time order */
    int n_path;
    uint64_t *buffer_max;       /* [n_layers] most entries a layer's input buffer held */
    uint64_t *buffer_cap;       /* [n_layers] its capacity, entries (0 for layer 0) */
    struct scim_hw_layer_cfg *lc; /* [n_layers] cycle parameters (owned copy) */
    int n_layers;
    double host_s;              /* host time of the simulation, s (not in reports) */
    const char *kernel;         /* SystemC version */
};

int scim_timing_run(const struct scim_config *cfg, const struct scim_model *m,
                    const struct scim_mapping *mp, const struct scim_dataset *ds, int first, int n,
                    const struct scim_timing_opts *opt, struct scim_images *res,
                    struct scim_timing *tm, struct scim_diag *d);
void scim_timing_free(struct scim_timing *tm);

#endif
