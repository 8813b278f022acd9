/*
 * engine.h - the functional engine: runs images through the mapped chip.
 *
 * For each image it runs T Monte Carlo forward passes (T = 1 when dropout is
 * off), draws each layer's dropout bit from the configured RNG device, and
 * averages the T softmax outputs. Every hardware event is counted per layer.
 *
 * The per-image work is sim/image.c, shared with the SystemC engine (MVMs are
 * reused across passes that share their input; the event counts are those of T
 * full passes). Results are identical for any thread
 * count: each image's random draws come from its own counter-based stream and
 * results are stored per image.
 */
#ifndef SCIM_ENGINE_H
#define SCIM_ENGINE_H

#include <stdint.h>

#include "arch/image.h"
#include "workloads/dataset.h"

struct scim_engine_opts {
    int threads;   /* worker threads; <= 0 = all online cores */
    int progress;  /* 1: progress bar on stderr */
    int no_reuse;  /* 1: recompute every MVM (for tests and benchmarks) */
    uint64_t chip; /* chip instance: seeds its RNG modules' device-to-device draws */
    const struct scim_analog *analog; /* the chip's analog read model (arch/analog/), or NULL */
};

struct scim_image_ctx;
struct scim_analog;

/* Run images [first, first + n) of ds. Returns 0 or < 0 (errors in d). */
int scim_engine_run(const struct scim_config *cfg, const struct scim_model *m,
                    const struct scim_mapping *mp, const struct scim_dataset *ds, int first, int n,
                    const struct scim_engine_opts *opt, struct scim_images *res,
                    struct scim_diag *d);

#endif
