/*
 * run.h - the run pipeline: everything `spincim run` does, as one library call.
 *
 * scim_run() loads a config (file + overrides), its model and the mapping onto
 * the arrays, the dataset, runs the images on the functional or the SystemC
 * engine, the shifted / OOD sets, the faulty chip instances with their few-shot
 * tests, builds the report, and (with opts.out) writes the results folder. The
 * CLI, sweeps, `compare` and the Python package all go through it; nothing here
 * prints unless asked (opts.progress, scim_run_print), and every problem goes
 * to the diagnostics sink with the file (and line:col) it comes from.
 *
 * A run's state lives in the caller's struct scim_run_result; two runs in one
 * process (or in two threads, each with its own result and diagnostics) do not
 * share anything but the device registry (read-only once built).
 */
#ifndef SCIM_RUN_H
#define SCIM_RUN_H

#include <stddef.h>
#include <stdio.h>

#include "arch/analog/analog.h"
#include "arch/config.h"
#include "arch/image.h"
#include "arch/mapping.h"
#include "sim/fewshot.h"
#include "sim/report.h"
#include "sim/systemc/timing.h"
#include "workloads/dataset.h"
#include "workloads/model.h"

enum scim_engine_kind {
    SCIM_ENGINE_FUNCTIONAL = 0, /* bit-exact datapath on all cores; first-order latency */
    SCIM_ENGINE_SYSTEMC         /* cycle-level: the chip's blocks on the SystemC kernel */
};

struct scim_run_opts {
    const char *config;                  /* config file; NULL = configs/default.yaml of the source tree */
    const char *const *overrides;        /* "dotted.key=value" (as -p), n_overrides of them */
    size_t n_overrides;
    const struct scim_override *located; /* or overrides with their places (a sweep's); used when set */
    size_t n_located;
    const char *out;       /* results folder; NULL = write no files */
    int force;             /* overwrite results already in out */
    int resume;            /* keep out's results when they are of this very config */
    int threads;           /* engine threads; <= 0 = all online cores */
    int engine;            /* enum scim_engine_kind */
    int progress;          /* 1: progress bars on stderr */
    int no_reuse;          /* 1: recompute every MVM (tests, benchmarks) */
    const char *per_image; /* CSV file with one row per image, or NULL */
    const char *vcd;       /* SystemC: VCD trace file (".vcd" appended), or NULL */
    int vcd_first, vcd_last; /* SystemC: images traced, indices into the run */
};

struct scim_run_result {
    struct scim_config cfg;     /* the resolved config */
    struct scim_model model;    /* the model as loaded (fault-free) */
    struct scim_mapping map;    /* its mapping onto the arrays */
    struct scim_analog analog;  /* the fault-free chip's read model (analog mode) */
    struct scim_dataset ds;     /* the dataset split run */
    int first, n;               /* dataset index of the first image, images run */
    struct scim_images images;  /* per-image results and event counts of the main images */
    struct scim_report rep;     /* energy, area, latency, uncertainty, chips, OOD sets */
    struct scim_timing tm;      /* cycle-level timing (SystemC engine) */
    struct scim_fewshot fs;     /* test-vector testing of the chip instances */
    int systemc;                /* 1: the main images ran on the SystemC engine */
    int resumed;                /* 1: out already held this config's results; nothing ran */
    double chips_wall_s;        /* host time of the chip instances' runs, s */
    double chips_passes;        /* forward passes run on the chip instances */
};

/* Load the config (file + overrides), the model and its mapping onto the arrays:
 * what `check` and `map` need. Returns 0 or < 0 (errors in d). */
int scim_run_load(const struct scim_run_opts *o, struct scim_run_result *r, struct scim_diag *d);
/* Load the dataset of a loaded run and check the image range (r->first, r->n). */
int scim_run_load_data(struct scim_run_result *r, struct scim_diag *d);
/* The whole run (loading included); with o->out the results folder is written.
 * Returns 0 or < 0 (errors in d). Free r with scim_run_result_free in both cases. */
int scim_run(const struct scim_run_opts *o, struct scim_run_result *r, struct scim_diag *d);
void scim_run_result_free(struct scim_run_result *r);

/* ---- the results folder (run_files.c) ---- */

/* 1 when dir already holds the finished results of this config and resume keeps
 * them; 0 to run (dir created); < 0 on error (results of something else, and
 * neither flag). */
int scim_run_prepare_out(const struct scim_run_result *r, const char *dir, int force, int resume,
                         struct scim_diag *d);
/* Write the results files into dir, and the per-image CSV when per_image is set. */
int scim_run_write(const struct scim_run_result *r, const char *dir, const char *per_image,
                   struct scim_diag *d);

/* The summary `spincim run` prints: the report and the simulator's rate. */
void scim_run_print(const struct scim_run_result *r, const char *out, FILE *f);

/* The default config file (configs/default.yaml of the executable's source tree,
 * else of the working directory) into buf. */
const char *scim_default_config(char *buf, size_t len);
/* out/<config file name without extension> into buf. */
void scim_default_out(char *buf, size_t len, const char *config);

#endif
