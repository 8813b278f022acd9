/*
 * config.h - the resolved description of one chip and its workload.
 *
 * A config is one YAML file (configs/default.yaml is annotated) plus -p
 * overrides. Every section is described by a parameter table in config_schema.c;
 * device sections (crossbar.cell, adc, scale_memory, buffer, dropout.rng)
 * pick a model by name (`model:`, optionally from a `plugin:` shared object)
 * and are validated against that model's own table. After loading, every
 * value is in SI units and every default is filled in; scim_config_emit()
 * writes the whole resolved tree back as YAML that loads to the same values.
 */
#ifndef SCIM_CONFIG_H
#define SCIM_CONFIG_H

#include <stdint.h>
#include <stdio.h>

#include "cost_types.h"
#include "devices/scim_device.h"
#include "sim/base/diag.h"
#include "uncertainty.h"

/* One device instance chosen in a section: model, its parameter values, origin. */
struct scim_devinst {
    const struct scim_device_ops *ops; /* the registered model */
    void *params;                      /* ops->params_size bytes, owned */
    char *plugin;                      /* plug-in path it came from, or NULL (owned) */
};

struct scim_chip_cfg {
    char *name;          /* free-text chip name */
    double technology_node_m; /* technology node (feature size F), m */
    double clock_hz;     /* digital clock, Hz */
    double vdd_v;        /* supply voltage, V */
    double temperature_k; /* operating temperature, K */
    int transistor;      /* enum scim_transistor: logic transistor flavor */
    struct scim_devinst technology; /* chip.technology: the CMOS technology model */
};

enum scim_transistor { SCIM_TRANSISTOR_HP = 0, SCIM_TRANSISTOR_LSTP };

enum scim_encoding { SCIM_ENC_COMPLEMENTARY = 0 };
/* How a read turns into an ADC code: the exact match count (digital), or the column
 * current summed from the conducting cells' conductances (analog, arch/analog/analog.h). */
enum scim_read_mode { SCIM_READ_MODE_DIGITAL = 0, SCIM_READ_MODE_ANALOG };

struct scim_crossbar_cfg {
    int64_t rows;            /* physical rows (wordlines) per array */
    int64_t columns;         /* physical columns (bitlines) per array */
    int encoding;            /* enum scim_encoding: bit-cell encoding of a weight */
    int64_t rows_per_read;   /* weights (wordline pairs) activated per read */
    int read_mode;           /* enum scim_read_mode */
    double wire_resistance_ohm; /* bitline wire resistance per cell segment (analog IR drop), ohm */
    struct scim_devinst periphery; /* crossbar.model: the array's periphery (lines, decoder, mux) */
    struct scim_devinst cell; /* crossbar.cell: the cell of the weight arrays */
};

struct scim_adc_cfg {
    int64_t columns_per_adc;    /* columns multiplexed onto one ADC */
    struct scim_devinst device; /* adc.model: the ADC and its parameters */
};

struct scim_accumulator_cfg {
    int64_t width_bits; /* adder-accumulator width, bits */
};

enum scim_scale_kind { SCIM_SCALE_SRAM = 0, SCIM_SCALE_CROSSBAR };

struct scim_scale_memory_cfg {
    int kind;           /* enum scim_scale_kind */
    int64_t word_bits;  /* bits per stored scale in the SRAM */
    int64_t bits;       /* scale crossbar: precision of a stored scale, bits */
    int64_t columns_per_adc; /* scale crossbar: columns sharing one ADC */
    struct scim_devinst device; /* scale_memory.model: the SRAM macro */
    struct scim_devinst cell;   /* scale_memory.cell: the cell of the scale crossbar */
};

struct scim_buffer_cfg {
    int64_t depth_words; /* capacity of one inter-layer buffer, words */
    int64_t word_bits;   /* bits per buffer word */
    struct scim_devinst device; /* buffer.model: the memory macro */
};

enum scim_drop_modules { SCIM_DROP_PER_MODEL = 0, SCIM_DROP_PER_LAYER };

struct scim_dropout_cfg {
    int enabled;  /* 1: Monte Carlo inference with the model's dropout; 0: point estimate */
    int modules;  /* enum scim_drop_modules: one RNG module for the model or one per layer */
    int overlap_passes; /* 1: Monte Carlo passes pipelined through the layers */
    struct scim_devinst rng; /* dropout.rng: the random-bit source of the modules */
};

enum scim_conv_strategy { SCIM_CONV_UNROLLED = 0, SCIM_CONV_KXK };
enum scim_first_layer { SCIM_FIRST_MODEL = 0, SCIM_FIRST_BITSERIAL8, SCIM_FIRST_BINARY };

struct scim_mapping_cfg {
    int conv_strategy; /* enum scim_conv_strategy: (1) unrolled kernels, (2) KxK arrays */
    int first_layer_encoding; /* enum scim_first_layer: first-layer input encoding */
};

/* Per-event energies at the calibration point (Scale-Dropout Table II and periphery
 * defaults), J: in calibrated mode each block costs its value times the ratio of its physical
 * energy here to its physical energy at the calibration point. */
struct scim_energy_table_cfg {
    double crossbar_read;   /* one array read operation */
    double decode_sense;    /* decoding/sensing of one array read (includes the ADCs) */
    double adc_conversion;  /* one ADC conversion (0 when folded into decode_sense) */
    double accumulator_add; /* one adder-accumulator operation */
    double scale_read;      /* one scale-memory word read */
    double scale_crossbar_read; /* one row read of the scale crossbar */
    double multiply;        /* one scale multiplication */
    double comparator;      /* one comparator (batch-norm + sign) operation */
    double normalization;   /* one normalization-unit operation (per output of a layer norm) */
    double pooling;         /* one pooling output */
    double buffer_access;   /* one buffer word read or write */
    double rng_bit;         /* one random bit */
    double averaging;       /* one averaging-block operation (one MC pass output) */
};

enum scim_energy_mode { SCIM_ENERGY_CALIBRATED = 0, SCIM_ENERGY_PHYSICAL };

/* The digital blocks' model. */
struct scim_logic_cfg {
    struct scim_devinst device; /* logic.model */
};

struct scim_energy_cfg {
    int mode;              /* enum scim_energy_mode */
    char *calibration_point; /* config file of the calibration point, "" = built-in defaults */
    int include_static;    /* 1: add static power x latency */
    double digital_static_w; /* static power of the digital periphery (all blocks), W */
    struct scim_energy_table_cfg table; /* energy.table */
};

/* Areas of the digital blocks (the arrays, ADCs, memories and RNGs come from devices). */
struct scim_area_cfg {
    double accumulator; /* one adder-accumulator, m^2 */
    double multiplier;  /* one scale multiplier, m^2 */
    double comparator;  /* one comparator / batch-norm unit, m^2 */
    double normalization; /* the digital normalization unit of a layer, m^2 */
    double pooling;     /* one pooling unit, m^2 */
    double averaging;   /* the averaging block, m^2 */
    double control;     /* controller and Monte Carlo sequencer, m^2 */
};

enum scim_split { SCIM_SPLIT_TEST = 0, SCIM_SPLIT_TRAIN };

struct scim_workload_cfg {
    char *model;        /* model manifest path (resolved against the config's folder) */
    char *dataset;      /* dataset name, "" = the model's own */
    int split;          /* enum scim_split */
    char *data_dir;     /* dataset folder, "" = $SPINCIM_DATA or data/ */
    int64_t images;     /* images to run, 0 = the whole split */
    int64_t first_image; /* index of the first image */
    int64_t mc_samples; /* Monte Carlo forward passes T per image */
    int64_t seed;       /* seed of every random draw */
    char *ood;          /* comma-separated shifted / OOD input sets (workloads/shift.h), or "" */
};

/* Device faults of a chip instance: digital faults on the stored binary weights, and
 * conductance variation of the cells (analog read mode only). */
struct scim_fault_cfg {
    double bit_flip;       /* probability a stored weight is inverted (both cells swapped) */
    double stuck_p;        /* probability a cell is stuck in P (low resistance) */
    double stuck_ap;       /* probability a cell is stuck in AP (high resistance) */
    char *layers;          /* comma-separated layer names with faults, or "all" */
    double layer_fraction; /* share of those layers, drawn per chip, that get faults */
    int64_t chips;         /* chip instances; 0 = 100 when a fault is set, else none */
    double d2d_sigma;      /* device-to-device multiplicative sigma: G (1 + N(0, s^2)), per chip */
    double d2d_sigma_add_s; /* device-to-device additive sigma: G + N(0, s^2), per chip, S */
    double c2c_sigma;       /* cycle-to-cycle multiplicative sigma, redrawn on every read */
    double c2c_sigma_add_s; /* cycle-to-cycle additive sigma, redrawn on every read, S */
    double retention_time_s; /* time since the weights were written (retention faults), s */
    double reads_since_write; /* reads of each cell since it was written (STT read disturb) */
    double scale_bit_flip;  /* probability a bit of a stored 32-bit scale word (SRAM) flips */
    double scale_level_flip; /* probability a multi-level scale-crossbar cell reads one level off */
    double rng_stuck_0;     /* probability a dropout RNG module is stuck at 0 (never drops) */
    double rng_stuck_1;     /* probability a dropout RNG module is stuck at 1 (always drops) */
};

/* On-chip uncertainty testing with the model's Bayesian test vector (few-shot paper). */
struct scim_testing_cfg {
    int test_vector;   /* 1: test every chip instance with the model's test vector */
    int64_t samples;   /* N Monte Carlo samples per test; 0 = 1 for >= 100 classes, else 10 */
    double offset;     /* added to the fault-free sigma_y for the threshold t, logits */
    int64_t word_bits; /* bits of one stored mu or logvar value (storage cost), bits */
};

struct scim_config {
    char *path;                  /* config file, or NULL for built-in defaults (owned) */
    struct scim_chip_cfg chip;               /* chip */
    struct scim_crossbar_cfg crossbar;       /* crossbar (and crossbar.cell) */
    struct scim_adc_cfg adc;                 /* adc */
    struct scim_accumulator_cfg accumulator; /* accumulator */
    struct scim_scale_memory_cfg scale_memory; /* scale_memory (and scale_memory.cell) */
    struct scim_buffer_cfg buffer;           /* buffer */
    struct scim_dropout_cfg dropout;         /* dropout (and dropout.rng) */
    struct scim_mapping_cfg mapping;         /* mapping */
    struct scim_logic_cfg logic;             /* logic */
    struct scim_energy_cfg energy;           /* energy (and energy.table) */
    struct scim_area_cfg area;               /* area */
    struct scim_workload_cfg workload;       /* workload */
    struct scim_uncertainty_cfg uncertainty; /* uncertainty */
    struct scim_fault_cfg faults;            /* faults */
    struct scim_testing_cfg testing;         /* testing */
    struct scim_cost cost;                   /* every block priced at this point (cost.h) */
};

/*
 * Load path (NULL = built-in defaults only), apply the n overrides ("a.b=v"),
 * validate everything and fill defaults. All errors go to d; returns 0 or < 0
 * (the config is then freed and zeroed).
 */
int scim_config_load(struct scim_config *cfg, const char *path, const char *const *overrides,
                     size_t n_overrides, struct scim_diag *d);
void scim_config_free(struct scim_config *cfg);

/* One override "a.b=v" and where it was written, for the messages. */
struct scim_override {
    const char *text;      /* "dotted.key=value" (not owned) */
    struct scim_loc key;   /* where the key was written; key.file NULL = the command line */
    struct scim_loc value; /* where the value was written (with key.file set) */
    unsigned index;        /* command line: N of "command line (-p #N)" */
};

/* scim_config_load with located overrides (a sweep file's values, say). A relative
 * path value from a file is resolved against the config's folder, like the config's
 * own values; from the command line against the working directory. */
int scim_config_load_at(struct scim_config *cfg, const char *path,
                        const struct scim_override *overrides, size_t n_overrides,
                        struct scim_diag *d);

/* Load the chip of a config file (NULL: the built-in defaults) as a calibration point:
 * its workload is not required and its cost is physical (energy.mode ignored). */
int scim_config_load_point(struct scim_config *cfg, const char *path, struct scim_diag *d);

/* The cost model (cost.c, cost.h): fill cfg->cost (and the calibration point's config in
 * calibrated mode); root: the config's document, for the locations of errors. Called by
 * the loader once the config checks out. Returns 0 or < 0 (errors in d). */
struct scim_node;
int scim_cost_init(struct scim_config *cfg, const struct scim_node *root, struct scim_diag *d);
void scim_cost_free(struct scim_cost *c);

/* Write the resolved config as YAML (every key, units, a comment per key). */
void scim_config_emit(const struct scim_config *cfg, FILE *f);

/* Visit every key of a resolved config in the order of its resolved YAML (device parameters,
 * then the section's own keys, then its child sections): fn gets the dotted path
 * ("crossbar.cell.r_p"), the key's table row and the struct its value lives in (the section's,
 * or the device's parameters), so p->offset into values is the value. */
typedef void scim_config_key_fn(void *ctx, const char *path, const struct scim_param *p,
                                const void *values);
void scim_config_each_key(const struct scim_config *cfg, scim_config_key_fn *fn, void *ctx);

/* Print every key with its default, unit and meaning (spincim config --defaults). */
void scim_config_describe(FILE *f);

/* FNV-1a hash of the resolved YAML text, as 16 hex digits in buf (>= 17 bytes). */
void scim_config_hash(const struct scim_config *cfg, char *buf);

#endif
