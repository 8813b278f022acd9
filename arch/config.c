/*
 * config.c - the chip's configuration schema and its loader.
 *
 * The schema is a tree of sections. Each section has a parameter table for
 * its own keys, may hold a device (chosen with `model:` and validated with
 * the model's own table), and may have child sections. The same tree loads a
 * YAML file, fills defaults, writes resolved.yaml and prints the documentation,
 * so the three cannot disagree.
 */
#include "config.h"

#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "devices/registry.h"
#include "devices/reliability.h"
#include "workloads/shift.h"
#include "sim/base/error.h"
#include "sim/base/param.h"
#include "sim/base/units.h"
#include "sim/base/yaml_dom.h"

#define OFF(s, f) offsetof(s, f)
#define F64(S, key, field, dim, lo, hi, dflt, doc)                                                 \
    {key, SCIM_P_F64, OFF(S, field), dim, lo, hi, dflt, doc, NULL}
#define INT(S, key, field, lo, hi, dflt, doc)                                                      \
    {key, SCIM_P_INT, OFF(S, field), SCIM_DIM_NONE, lo, hi, dflt, doc, NULL}
#define ENUM(S, key, field, choices, dflt, doc)                                                    \
    {key, SCIM_P_ENUM, OFF(S, field), SCIM_DIM_NONE, 0, 0, dflt, doc, choices}
#define BOOL(S, key, field, dflt, doc)                                                             \
    {key, SCIM_P_BOOL, OFF(S, field), SCIM_DIM_NONE, 0, 1, dflt, doc, NULL}
#define STR(S, key, field, dflt, doc) {key, SCIM_P_STR, OFF(S, field), SCIM_DIM_NONE, 0, 0, dflt, doc, NULL}
#define PATH(S, key, field, dflt, doc)                                                             \
    {key, SCIM_P_PATH, OFF(S, field), SCIM_DIM_NONE, 0, 0, dflt, doc, NULL}

static const struct scim_param chip_table[] = {
    STR(struct scim_chip_cfg, "name", name, "spincim-chip", "chip name, copied to the reports"),
    F64(struct scim_chip_cfg, "technology_node", technology_node_m, SCIM_DIM_LENGTH, 1e-9, 1e-6, "40nm",
        "CMOS technology node; the feature size F of every F^2 area"),
    F64(struct scim_chip_cfg, "clock", clock_hz, SCIM_DIM_FREQ, 1e6, 1e10, "1GHz",
        "clock of the digital periphery; analog delays round up to whole cycles"),
    F64(struct scim_chip_cfg, "vdd", vdd_v, SCIM_DIM_VOLT, 0.3, 5.0, "1.1V", "core supply voltage"),
    F64(struct scim_chip_cfg, "temperature", temperature_k, SCIM_DIM_TEMP, 1.0, 600.0, "300K",
        "operating temperature"),
    {0},
};

static const struct scim_param xbar_table[] = {
    INT(struct scim_crossbar_cfg, "rows", rows, 2, 65536, "256", "physical rows (wordlines) per array"),
    INT(struct scim_crossbar_cfg, "columns", columns, 1, 65536, "256",
        "physical columns (bitlines) per array"),
    ENUM(struct scim_crossbar_cfg, "encoding", encoding, "complementary", "complementary",
         "bit-cell encoding: complementary = two cells per weight on rows (x, not x), XNOR"),
    INT(struct scim_crossbar_cfg, "rows_per_read", rows_per_read, 1, 32768, "16",
        "weights (wordline pairs) activated together in one read; one ADC count each"),
    ENUM(struct scim_crossbar_cfg, "read_mode", read_mode, "digital|analog", "digital",
         "digital = each read's exact match count goes to the ADC; analog = the column "
         "current summed from the conducting cells' conductances, decided by an ADC with "
         "references for the nominal devices (needed by conductance variation)"),
    F64(struct scim_crossbar_cfg, "wire_resistance", wire_resistance_ohm, SCIM_DIM_RES, 0, 1e6, "0ohm",
        "bitline wire resistance per cell segment: first-order IR drop of the analog read "
        "(0 = ideal wires)"),
    F64(struct scim_crossbar_cfg, "wordline_energy", wordline_energy_j, SCIM_DIM_ENERGY, 0, 1e-9,
        "55fJ", "energy to drive one wordline once (device energy mode)"),
    F64(struct scim_crossbar_cfg, "decoder_energy", decoder_energy_j, SCIM_DIM_ENERGY, 0, 1e-9, "20fJ",
        "row-decoder energy per array read (device energy mode)"),
    F64(struct scim_crossbar_cfg, "periphery_area", periphery_area_fraction, SCIM_DIM_NONE, 0, 10,
        "20%", "wordline drivers, decoders and column mux, as a fraction of the cell area"),
    {0},
};

static const struct scim_param adc_table[] = {
    INT(struct scim_adc_cfg, "columns_per_adc", columns_per_adc, 1, 4096, "8",
        "columns multiplexed onto one ADC (converted one after another)"),
    {0},
};

static const struct scim_param acc_table[] = {
    INT(struct scim_accumulator_cfg, "width", width_bits, 4, 64, "24",
        "adder-accumulator width in bits; a partial sum outside its range is an error"),
    {0},
};

static const struct scim_param smem_table[] = {
    ENUM(struct scim_scale_memory_cfg, "kind", kind, "sram|scale_crossbar", "sram",
         "sram = 32-bit SRAM, one row per layer; scale_crossbar = multi-level cells, one row per "
         "stored scale vector, read through a flash ADC (subset-parameter inference)"),
    INT(struct scim_scale_memory_cfg, "word_bits", word_bits, 1, 64, "32", "bits per scale in the SRAM"),
    INT(struct scim_scale_memory_cfg, "bits", bits, 1, 16, "4",
        "scale crossbar: precision of a stored scale; scales are quantized to it"),
    INT(struct scim_scale_memory_cfg, "columns_per_adc", columns_per_adc, 1, 4096, "8",
        "scale crossbar: columns sharing one ADC"),
    {0},
};

static const struct scim_param buf_table[] = {
    INT(struct scim_buffer_cfg, "depth", depth_words, 1, 1 << 24, "1024",
        "capacity of one inter-layer buffer, in words"),
    INT(struct scim_buffer_cfg, "word_bits", word_bits, 1, 1024, "64", "bits per buffer word"),
    {0},
};

static const struct scim_param drop_table[] = {
    BOOL(struct scim_dropout_cfg, "enabled", enabled, "true",
         "Monte Carlo inference with the model's dropout; false = one deterministic pass"),
    ENUM(struct scim_dropout_cfg, "modules", modules, "per_model|per_layer", "per_model",
         "one dropout RNG module shared by all layers, or one per layer"),
    BOOL(struct scim_dropout_cfg, "overlap_passes", overlap_passes, "false",
         "pipeline the Monte Carlo passes through the layers (pass t+1 enters a layer as "
         "soon as pass t leaves it) instead of running them one after another"),
    {0},
};

static const struct scim_param map_table[] = {
    ENUM(struct scim_mapping_cfg, "conv_strategy", conv_strategy, "unrolled|kxk", "unrolled",
         "conv mapping: unrolled = each KxKxCin kernel in a column; kxk = KxK arrays of Cin x Cout"),
    ENUM(struct scim_mapping_cfg, "first_layer_encoding", first_layer_encoding, "model|bitserial8|binary",
         "model",
         "first-layer input: as the model was trained, 8 bit-planes with shift-and-add, or binarized"),
    {0},
};

static const struct scim_param energy_table[] = {
    ENUM(struct scim_energy_cfg, "mode", mode, "table|device", "table",
         "table = per-event constants below; device = from the device models"),
    BOOL(struct scim_energy_cfg, "include_static", include_static, "true",
         "add static power x latency to the energy per image"),
    F64(struct scim_energy_cfg, "digital_static", digital_static_w, SCIM_DIM_POWER, 0, 10, "0W",
        "static power of the digital periphery (accumulators, multipliers, control)"),
    {0},
};

#define ET(key, field, dflt, doc)                                                                  \
    F64(struct scim_energy_table_cfg, key, field, SCIM_DIM_ENERGY, 0, 1e-6, dflt, doc)
static const struct scim_param etable_table[] = {
    ET("crossbar_read", crossbar_read, "0.65pJ", "one array read (Scale-Dropout Table II)"),
    ET("decode_sense", decode_sense, "4.76pJ",
       "decoding and sensing of one array read, ADCs included (Table II)"),
    ET("adc_conversion", adc_conversion, "0J",
       "one ADC conversion; 0 because Table II folds the ADCs into decode_sense"),
    ET("accumulator_add", accumulator_add, "0.12pJ", "one adder-accumulator operation (Table II)"),
    ET("scale_read", scale_read, "0.96pJ", "one 32-bit scale-SRAM word read (30 fJ/bit)"),
    ET("scale_crossbar_read", scale_crossbar_read, "0.65pJ",
       "one row read of the scale crossbar (as a weight-array read, Table II)"),
    ET("multiply", multiply, "3.1pJ", "one 32-bit scale multiplication (Horowitz 45 nm int32)"),
    ET("comparator", comparator, "0.01pJ", "one comparator / batch-norm + sign (Table II)"),
    ET("normalization", normalization, "0.3pJ",
       "one normalization-unit operation: accumulate, subtract, scale (inverted normalization)"),
    ET("pooling", pooling, "0.018pJ", "one pooling output (a bitwise OR, Aladdin 40 nm)"),
    ET("buffer_access", buffer_access, "0.58pJ", "one 64-bit buffer word read or write (9 fJ/bit)"),
    ET("rng_bit", rng_bit, "3.8pJ", "one random bit of the spintronic RNG (Table II)"),
    ET("averaging", averaging, "18.42pJ", "one averaging-block operation per pass (Table II)"),
    {0},
};
#undef ET

#define AR(key, field, dflt, doc) F64(struct scim_area_cfg, key, field, SCIM_DIM_AREA, 0, 1e-3, dflt, doc)
static const struct scim_param area_table[] = {
    AR("accumulator", accumulator, "278um2", "one adder-accumulator (Aladdin 40 nm adder)"),
    AR("multiplier", multiplier, "3495um2", "one 32-bit scale multiplier (Horowitz int32)"),
    AR("comparator", comparator, "50um2", "one comparator / batch-norm unit"),
    AR("normalization", normalization, "4360um2",
       "one digital normalization unit (layer mean/variance; used by inverted normalization)"),
    AR("pooling", pooling, "50um2", "one pooling unit"),
    AR("averaging", averaging, "4360um2", "the averaging block (one FP32 adder, Aladdin)"),
    AR("control", control, "10000um2", "controller, Monte Carlo sequencer and scale multiplexers"),
    {0},
};
#undef AR

static const struct scim_param workload_table[] = {
    PATH(struct scim_workload_cfg, "model", model, NULL,
         "model manifest (docs/model-format.md), relative to this file"),
    STR(struct scim_workload_cfg, "dataset", dataset, "",
        "dataset: mnist | fashion-mnist; empty = the one the model was trained on"),
    ENUM(struct scim_workload_cfg, "split", split, "test|train", "test", "dataset split"),
    PATH(struct scim_workload_cfg, "data_dir", data_dir, "",
         "dataset folder; empty = $SPINCIM_DATA, else data/ of the source tree, else ./data"),
    INT(struct scim_workload_cfg, "images", images, 0, 1e9, "10000",
        "images to run; 0 = the whole split"),
    INT(struct scim_workload_cfg, "first_image", first_image, 0, 1e9, "0", "first image index"),
    INT(struct scim_workload_cfg, "mc_samples", mc_samples, 1, 100000, "10",
        "Monte Carlo forward passes T per image (1 when dropout is disabled)"),
    INT(struct scim_workload_cfg, "seed", seed, 0, 4.6e18, "1", "seed of every random draw"),
    STR(struct scim_workload_cfg, "ood", ood, "",
        "shifted/OOD input sets, comma-separated: dataset:fashion-mnist, gaussian, uniform, "
        "gaussian-noise:S, uniform-noise:S, rotate:DEG"),
    {0},
};

static const struct scim_param unc_table[] = {
    F64(struct scim_uncertainty_cfg, "ci_level", ci_level, SCIM_DIM_NONE, 0.5, 0.999, "95%",
        "confidence level K of the per-image interval (Scale-Dropout eq. 23)"),
    F64(struct scim_uncertainty_cfg, "ood_quantile", ood_quantile, SCIM_DIM_NONE, 0.0, 1.0, "10%",
        "quantile of the T softmax outputs in the OOD rule (eq. 26)"),
    F64(struct scim_uncertainty_cfg, "ood_threshold", ood_threshold, SCIM_DIM_NONE, 0.0, 1.0, "0.95",
        "an image is OOD (rejected) when the largest class quantile is below this"),
    {0},
};

static const struct scim_param fault_table[] = {
    F64(struct scim_fault_cfg, "bit_flip", bit_flip, SCIM_DIM_NONE, 0, 1, "0",
        "probability that a stored binary weight is inverted (write error, retention)"),
    F64(struct scim_fault_cfg, "stuck_p", stuck_p, SCIM_DIM_NONE, 0, 1, "0",
        "probability that a cell is stuck in P (low resistance): with its partner also in P "
        "the weight always reads as a match"),
    F64(struct scim_fault_cfg, "stuck_ap", stuck_ap, SCIM_DIM_NONE, 0, 1, "0",
        "probability that a cell is stuck in AP (high resistance): with its partner also in "
        "AP the weight never reads as a match"),
    STR(struct scim_fault_cfg, "layers", layers, "all",
        "layers whose arrays have faults: all, or comma-separated layer names"),
    F64(struct scim_fault_cfg, "layer_fraction", layer_fraction, SCIM_DIM_NONE, 0, 1, "1",
        "share of those layers that get faults, drawn per chip instance (few-shot paper: "
        "10-50 %)"),
    INT(struct scim_fault_cfg, "chips", chips, 0, 100000, "0",
        "chip instances of the Monte Carlo; 0 = 100 when a fault or variation is set, else none"),
    F64(struct scim_fault_cfg, "d2d_sigma", d2d_sigma, SCIM_DIM_NONE, 0, 1, "0",
        "device-to-device conductance variation, multiplicative: G (1 + N(0, sigma^2)), drawn "
        "once per chip instance and cell (analog read mode)"),
    F64(struct scim_fault_cfg, "d2d_sigma_add", d2d_sigma_add_s, SCIM_DIM_COND, 0, 1, "0S",
        "device-to-device conductance variation, additive: G + N(0, sigma^2), drawn once per "
        "chip instance and cell (analog read mode)"),
    F64(struct scim_fault_cfg, "c2c_sigma", c2c_sigma, SCIM_DIM_NONE, 0, 1, "0",
        "cycle-to-cycle (read-noise) conductance variation, multiplicative: G (1 + N(0, "
        "sigma^2)), redrawn on every read of every cell (analog read mode)"),
    F64(struct scim_fault_cfg, "c2c_sigma_add", c2c_sigma_add_s, SCIM_DIM_COND, 0, 1, "0S",
        "cycle-to-cycle (read-noise) conductance variation, additive: G + N(0, sigma^2), "
        "redrawn on every read of every cell (analog read mode)"),
    F64(struct scim_fault_cfg, "retention_time", retention_time_s, SCIM_DIM_TIME, 0, 1e12, "0s",
        "time since the weights were written: each cell flips with 1 - exp(-t / (tau0 "
        "exp(Delta(T)))), Delta from the cell model at the chip temperature"),
    F64(struct scim_fault_cfg, "reads_since_write", reads_since_write, SCIM_DIM_NONE, 0, 1e18, "0",
        "reads of each cell since it was written: an STT cell's read current may switch an AP "
        "cell to P (read disturb, 1 - (1 - p_RD)^N); SOT cells are not disturbed"),
    F64(struct scim_fault_cfg, "scale_bit_flip", scale_bit_flip, SCIM_DIM_NONE, 0, 1, "0",
        "probability that a bit of a stored scale word (the 32-bit scale SRAM, IEEE float) flips"),
    F64(struct scim_fault_cfg, "scale_level_flip", scale_level_flip, SCIM_DIM_NONE, 0, 1, "0",
        "probability that a multi-level cell of the scale crossbar reads at a neighbouring level"),
    F64(struct scim_fault_cfg, "rng_stuck_0", rng_stuck_0, SCIM_DIM_NONE, 0, 1, "0",
        "probability that a dropout RNG module is stuck at 0 (never drops)"),
    F64(struct scim_fault_cfg, "rng_stuck_1", rng_stuck_1, SCIM_DIM_NONE, 0, 1, "0",
        "probability that a dropout RNG module is stuck at 1 (always drops)"),
    {0},
};

static const struct scim_param testing_table[] = {
    BOOL(struct scim_testing_cfg, "test_vector", test_vector, "false",
         "test every chip instance with the model's Bayesian test vector (few-shot paper; "
         "tools/train/testvec.py adds one to a model)"),
    INT(struct scim_testing_cfg, "samples", samples, 0, 100000, "0",
        "Monte Carlo samples N of the test vector per test; 0 = 1 for models with >= 100 "
        "classes, else 10"),
    F64(struct scim_testing_cfg, "offset", offset, SCIM_DIM_NONE, 0, 1e6, "0.1",
        "threshold t = sigma_y of the fault-free chip + offset, in logit units (paper: 0-0.3; "
        "0.1 keeps the fault-free false positives near 5 % with 10 samples on LeNet-5)"),
    INT(struct scim_testing_cfg, "word_bits", word_bits, 1, 64, "32",
        "bits of one stored mu or logvar value, for the test's storage cost (32 = the paper's "
        "FP32)"),
    {0},
};

struct section {
    const char *key;
    const char *doc;
    const struct scim_param *table; /* own keys, or NULL */
    size_t offset;                  /* of the section's struct in struct scim_config */
    enum scim_dev_class dev_class;  /* 0: no device */
    size_t dev_offset;              /* of its struct scim_devinst */
    const char *default_model;
    const struct section *children; /* key == NULL terminated, or NULL */
};

#define CFG(f) offsetof(struct scim_config, f)

static const struct section xbar_children[] = {
    {"cell", "the memory/compute cell of the weight arrays", NULL, 0, SCIM_DEV_CELL, CFG(crossbar.cell),
     "sot_mram", NULL},
    {0},
};
static const struct section drop_children[] = {
    {"rng", "the random-bit source of the dropout module(s)", NULL, 0, SCIM_DEV_RNG, CFG(dropout.rng),
     "ideal_rng", NULL},
    {0},
};
static const struct section smem_children[] = {
    {"cell", "the multi-level cell of the scale crossbar (kind scale_crossbar)", NULL, 0,
     SCIM_DEV_CELL, CFG(scale_memory.cell), "mlc_sot", NULL},
    {0},
};
static const struct section energy_children[] = {
    {"table", "per-event energies of table mode", etable_table, CFG(energy.table), 0, 0, NULL, NULL},
    {0},
};
static const struct section area_children[] = {{0}};

static const struct section sections[] = {
    {"chip", "technology and operating point", chip_table, CFG(chip), 0, 0, NULL, NULL},
    {"crossbar", "binary weight arrays", xbar_table, CFG(crossbar), 0, 0, NULL, xbar_children},
    {"adc", "column ADCs", adc_table, CFG(adc), SCIM_DEV_ADC, CFG(adc.device), "flash_adc", NULL},
    {"accumulator", "adder-accumulators after the ADCs", acc_table, CFG(accumulator), 0, 0, NULL, NULL},
    {"scale_memory", "memory of the per-output scale vectors", smem_table, CFG(scale_memory),
     SCIM_DEV_MEMORY, CFG(scale_memory.device), "sram_6t", smem_children},
    {"buffer", "inter-layer activation buffers", buf_table, CFG(buffer), SCIM_DEV_MEMORY,
     CFG(buffer.device), "sram_6t", NULL},
    {"dropout", "dropout / Monte Carlo hardware", drop_table, CFG(dropout), 0, 0, NULL,
     drop_children},
    {"mapping", "how layers map onto arrays", map_table, CFG(mapping), 0, 0, NULL, NULL},
    {"energy", "energy accounting", energy_table, CFG(energy), 0, 0, NULL, energy_children},
    {"area", "areas of the digital blocks", area_table, CFG(area), 0, 0, NULL, area_children},
    {"workload", "model, data and Monte Carlo settings", workload_table, CFG(workload), 0, 0, NULL,
     NULL},
    {"uncertainty", "per-image uncertainty and the OOD rule", unc_table, CFG(uncertainty), 0, 0, NULL,
     NULL},
    {"faults", "device faults of the chip instances (Monte Carlo over chips)", fault_table,
     CFG(faults), 0, 0, NULL, NULL},
    {"testing", "on-chip uncertainty testing of the chip instances", testing_table,
     CFG(testing), 0, 0, NULL, NULL},
    {0},
};

#define MAX_KEYS 160

/* Collect the keys of a table into list (NULL-terminated); returns the count. */
static size_t add_table_keys(const char **list, size_t n, const struct scim_param *t)
{
    for (size_t i = 0; t && t[i].key && n + 1 < MAX_KEYS; i++)
        list[n++] = t[i].key;
    list[n] = NULL;
    return n;
}

static size_t add_child_keys(const char **list, size_t n, const struct section *s)
{
    for (size_t i = 0; s->children && s->children[i].key && n + 1 < MAX_KEYS; i++)
        list[n++] = s->children[i].key;
    if (s->dev_class && n + 3 < MAX_KEYS) {
        list[n++] = "model";
        list[n++] = "plugin";
    }
    list[n] = NULL;
    return n;
}

static void join_path(char *buf, size_t len, const char *parent, const char *key)
{
    if (parent && *parent)
        snprintf(buf, len, "%s.%s", parent, key);
    else
        snprintf(buf, len, "%s", key);
}

/* Load the plug-in named by `plugin:` (if any), relative to the config's folder. */
static int load_plugin(const struct scim_node *map, struct scim_devinst *dev, const char *base_dir,
                       struct scim_diag *d)
{
    struct scim_node *pn = scim_node_get(map, "plugin");
    if (!pn)
        return 0;
    pn->consumed = 1;
    if (pn->kind != SCIM_NODE_SCALAR || !pn->scalar[0])
        return scim_diag_error(d, &pn->loc, "'plugin' expects the path of a shared object");
    char path[4096];
    if (pn->scalar[0] == '/' || pn->loc.line == 0 || !base_dir)
        snprintf(path, sizeof(path), "%s", pn->scalar);
    else
        snprintf(path, sizeof(path), "%s/%s", base_dir, pn->scalar);
    free(dev->plugin);
    dev->plugin = strdup(path);
    if (!dev->plugin)
        return SCIM_ENOMEM;
    return scim_plugin_load(path, &pn->loc, d);
}

/* Pick the model named by `model:` (or the default) and check its class. */
static const struct scim_device_ops *pick_model(const struct section *s, const struct scim_node *map,
                                                const char *path, struct scim_diag *d)
{
    struct scim_node *mn = scim_node_get(map, "model");
    const char *name = s->default_model;
    const struct scim_loc *loc = map ? &map->loc : NULL;
    if (mn) {
        mn->consumed = 1;
        loc = &mn->loc;
        if (mn->kind != SCIM_NODE_SCALAR)
            return scim_diag_error(d, loc, "'%s.model' expects a device model name", path), NULL;
        name = mn->scalar;
    }
    const struct scim_device_ops *ops = scim_device_find(name);
    if (!ops) {
        struct scim_suggest sg;
        scim_suggest_init(&sg, name);
        scim_device_suggest(&sg, s->dev_class);
        scim_diag_error(d, loc, "unknown device model '%s' for '%s'%s", name, path,
                        scim_suggest_hint(&sg));
        return NULL;
    }
    if (ops->dev_class != s->dev_class) {
        scim_diag_error(d, loc, "device model '%s' is a %s model; '%s' needs a %s model", name,
                        scim_dev_class_name(ops->dev_class), path,
                        scim_dev_class_name(s->dev_class));
        return NULL;
    }
    return ops;
}

/* Every key of map that is not in table (so the device loader reports no unknowns). */
static void others_than(const struct scim_node *map, const struct scim_param *table,
                        const char **list)
{
    size_t n = 0;
    for (size_t i = 0; map && map->kind == SCIM_NODE_MAP && i < map->n && n + 1 < MAX_KEYS; i++) {
        int in_table = 0;
        for (size_t j = 0; table[j].key; j++)
            if (!strcmp(table[j].key, map->keys[i]))
                in_table = 1;
        if (!in_table)
            list[n++] = map->keys[i];
    }
    list[n] = NULL;
}

static void run_device_check(const struct scim_devinst *dev, const struct scim_node *map,
                             const char *path, struct scim_diag *d)
{
    char msg[256] = "";
    if (dev->ops->check && dev->ops->check(dev->params, msg, sizeof(msg)) < 0)
        scim_diag_error(d, map ? &map->loc : NULL, "'%s' (%s): %s", path, dev->ops->name, msg);
}

static int load_device(const struct section *s, struct scim_config *cfg,
                       const struct scim_node *map, const char *path, const char *base_dir,
                       struct scim_diag *d)
{
    struct scim_devinst *dev = (struct scim_devinst *)((char *)cfg + s->dev_offset);
    if (load_plugin(map, dev, base_dir, d) < 0)
        return SCIM_ECONFIG;
    dev->ops = pick_model(s, map, path, d);
    if (!dev->ops)
        return SCIM_ECONFIG;
    dev->params = calloc(1, dev->ops->params_size);
    if (!dev->params)
        return SCIM_ENOMEM;
    if (scim_params_defaults(dev->ops->params, dev->params) < 0)
        SCIM_PANIC("defaults of device '%s' do not load", dev->ops->name);
    if (map) {
        const char *skip[MAX_KEYS];
        others_than(map, dev->ops->params, skip);
        if (scim_params_load(dev->ops->params, dev->params, map, path, skip, base_dir, d) < 0)
            return SCIM_ECONFIG;
    }
    run_device_check(dev, map, path, d);
    return 0;
}

/* A PATH given with -p is relative to the working directory, not to the file. */
static void fix_cmdline_paths(const struct scim_param *t, void *dst, const struct scim_node *map)
{
    for (size_t i = 0; t && t[i].key; i++) {
        struct scim_node *n = scim_node_get(map, t[i].key);
        if (t[i].type != SCIM_P_PATH || !n || n->loc.line != 0 || n->kind != SCIM_NODE_SCALAR)
            continue;
        char **slot = (char **)((char *)dst + t[i].offset);
        char *copy = strdup(n->scalar);
        if (!copy)
            continue;
        free(*slot);
        *slot = copy;
    }
}

static void all_keys(const struct scim_node *map, const char **list)
{
    size_t n = 0;
    for (size_t i = 0; map && map->kind == SCIM_NODE_MAP && i < map->n && n + 1 < MAX_KEYS; i++)
        list[n++] = map->keys[i];
    list[n] = NULL;
}

static int load_section(const struct section *s, struct scim_config *cfg, struct scim_node *map,
                        const char *parent, const char *base_dir, struct scim_diag *d);

static void load_children(const struct section *s, struct scim_config *cfg, struct scim_node *map,
                          const char *path, const char *base_dir, struct scim_diag *d)
{
    for (size_t i = 0; s->children && s->children[i].key; i++) {
        struct scim_node *child = map ? scim_node_get(map, s->children[i].key) : NULL;
        load_section(&s->children[i], cfg, child, path, base_dir, d);
    }
}

static int load_section(const struct section *s, struct scim_config *cfg, struct scim_node *map,
                        const char *parent, const char *base_dir, struct scim_diag *d)
{
    char path[256];
    join_path(path, sizeof(path), parent, s->key);
    if (map && map->kind != SCIM_NODE_MAP) {
        map->consumed = 1;
        return scim_diag_error(d, &map->loc, "'%s' must be a mapping of keys", path);
    }
    if (map)
        map->consumed = 1;
    unsigned before = d->errors;
    const char *known[MAX_KEYS];
    size_t n = 0;
    known[0] = NULL;
    if (s->dev_class) {
        load_device(s, cfg, map, path, base_dir, d);
        const struct scim_devinst *dev =
            (const struct scim_devinst *)((const char *)cfg + s->dev_offset);
        if (dev->ops)
            n = add_table_keys(known, n, dev->ops->params);
        else
            all_keys(map, known); /* the model is unknown: do not pile up errors */
        for (n = 0; known[n]; n++)
            ;
    }
    n = add_child_keys(known, n, s);
    if (map && s->table) {
        scim_params_load(s->table, (char *)cfg + s->offset, map, path, known, base_dir, d);
        fix_cmdline_paths(s->table, (char *)cfg + s->offset, map);
    } else if (map) {
        scim_params_unknown(map, path, known, NULL, d);
    }
    load_children(s, cfg, map, path, base_dir, d);
    return d->errors > before ? SCIM_ECONFIG : 0;
}

static void defaults_tree(const struct section *s, struct scim_config *cfg)
{
    for (; s && s->key; s++) {
        if (s->table && scim_params_defaults(s->table, (char *)cfg + s->offset) < 0)
            SCIM_PANIC("defaults of section '%s' do not load", s->key);
        defaults_tree(s->children, cfg);
    }
}

static const struct scim_loc *loc_of(const struct scim_node *root, const char *sec, const char *key)
{
    const struct scim_node *s = scim_node_get(root, sec);
    const struct scim_node *k = s ? scim_node_get(s, key) : NULL;
    return k ? &k->loc : s ? &s->loc : root ? &root->loc : NULL;
}

/* Conductance variation and wire resistance shape the column current, which only the
 * analog read mode computes: in digital mode each is an error at its own key. */
static void check_read_mode(const struct scim_config *c, const struct scim_node *root,
                            struct scim_diag *d)
{
    static const struct {
        const char *sec, *key;
        size_t off;
    } keys[] = {
        {"faults", "d2d_sigma", CFG(faults.d2d_sigma)},
        {"faults", "d2d_sigma_add", CFG(faults.d2d_sigma_add_s)},
        {"faults", "c2c_sigma", CFG(faults.c2c_sigma)},
        {"faults", "c2c_sigma_add", CFG(faults.c2c_sigma_add_s)},
        {"crossbar", "wire_resistance", CFG(crossbar.wire_resistance_ohm)},
    };
    if (c->crossbar.read_mode == SCIM_READ_MODE_ANALOG)
        return;
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
        if (*(const double *)((const char *)c + keys[i].off) > 0.0)
            scim_diag_error(d, loc_of(root, keys[i].sec, keys[i].key),
                            "'%s.%s' needs 'crossbar.read_mode: analog' (the digital mode reads "
                            "exact match counts, not currents)",
                            keys[i].sec, keys[i].key);
}

static void check_sum(const struct scim_node *root, const char *a, double x, const char *b,
                      double y, struct scim_diag *d)
{
    if (x + y > 1.0)
        scim_diag_error(d, loc_of(root, "faults", b),
                        "'faults.%s' + 'faults.%s' is %g, above 1 (they are exclusive outcomes of "
                        "one draw)", a, b, x + y);
}

/* Fault keys that need a particular chip or cell model. */
static void check_faults(const struct scim_config *c, const struct scim_node *root,
                         struct scim_diag *d)
{
    const struct scim_fault_cfg *f = &c->faults;
    char msg[256];
    double p;
    check_sum(root, "stuck_p", f->stuck_p, "stuck_ap", f->stuck_ap, d);
    check_sum(root, "rng_stuck_0", f->rng_stuck_0, "rng_stuck_1", f->rng_stuck_1, d);
    if (f->scale_level_flip > 0.0 && c->scale_memory.kind != SCIM_SCALE_CROSSBAR)
        scim_diag_error(d, loc_of(root, "faults", "scale_level_flip"),
                        "'faults.scale_level_flip' needs 'scale_memory.kind: scale_crossbar' "
                        "(multi-level cells); the scale SRAM takes 'faults.scale_bit_flip'");
    if (f->scale_bit_flip > 0.0 && c->scale_memory.kind != SCIM_SCALE_SRAM)
        scim_diag_error(d, loc_of(root, "faults", "scale_bit_flip"),
                        "'faults.scale_bit_flip' needs 'scale_memory.kind: sram'; the scale "
                        "crossbar takes 'faults.scale_level_flip'");
    if (scim_cell_retention_p(c->crossbar.cell.ops, c->crossbar.cell.params, f->retention_time_s, c->chip.temperature_k,
                              &p, msg, sizeof(msg)) < 0)
        scim_diag_error(d, loc_of(root, "faults", "retention_time"), "%s", msg);
    if (scim_cell_read_disturb_p(c->crossbar.cell.ops, c->crossbar.cell.params, f->reads_since_write, c->chip.temperature_k, &p,
                                 msg, sizeof(msg)) < 0)
        scim_diag_error(d, loc_of(root, "faults", "reads_since_write"), "%s", msg);
    else if (f->reads_since_write > 0.0 && !c->crossbar.cell.ops->cell->read_on_write_path)
        scim_diag_warn(d, loc_of(root, "faults", "reads_since_write"),
                       "'faults.reads_since_write' has no effect: the read current of cell "
                       "model '%s' does not flow on its write path (no read disturb)",
                       c->crossbar.cell.ops->name);
}

/* Checks that involve more than one key. */
static void cross_check(const struct scim_config *c, const struct scim_node *root,
                        struct scim_diag *d)
{
    if (c->crossbar.encoding == SCIM_ENC_COMPLEMENTARY && c->crossbar.rows % 2)
        scim_diag_error(d, loc_of(root, "crossbar", "rows"),
                        "'crossbar.rows' must be even with complementary encoding (two rows per "
                        "weight), got %lld",
                        (long long)c->crossbar.rows);
    if (c->crossbar.rows_per_read > c->crossbar.rows / 2)
        scim_diag_error(d, loc_of(root, "crossbar", "rows_per_read"),
                        "'crossbar.rows_per_read' (%lld) exceeds the %lld weights a column holds "
                        "(rows / 2)",
                        (long long)c->crossbar.rows_per_read, (long long)(c->crossbar.rows / 2));
    if (c->scale_memory.kind == SCIM_SCALE_CROSSBAR && c->scale_memory.cell.ops->cell->levels < 3)
        scim_diag_error(d, loc_of(root, "scale_memory", "kind"),
                        "'scale_memory.kind: scale_crossbar' needs a multi-level cell; '%s' has "
                        "%d levels",
                        c->scale_memory.cell.ops->name, c->scale_memory.cell.ops->cell->levels);
    check_read_mode(c, root, d);
    check_faults(c, root, d);
    if (c->adc.columns_per_adc > c->crossbar.columns)
        scim_diag_error(d, loc_of(root, "adc", "columns_per_adc"),
                        "'adc.columns_per_adc' (%lld) exceeds 'crossbar.columns' (%lld)",
                        (long long)c->adc.columns_per_adc, (long long)c->crossbar.columns);
}

/* Each comma-separated OOD set must be a valid shift spec. */
static void check_ood(const struct scim_config *c, const struct scim_node *root, struct scim_diag *d)
{
    char buf[1024], msg[256];
    snprintf(buf, sizeof(buf), "%s", c->workload.ood ? c->workload.ood : "");
    for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        while (*tok == ' ')
            tok++;
        size_t n = strlen(tok);
        while (n && tok[n - 1] == ' ')
            tok[--n] = '\0';
        if (n && scim_shift_check(tok, msg, sizeof(msg)) < 0)
            scim_diag_error(d, loc_of(root, "workload", "ood"), "'workload.ood': %s", msg);
    }
}

static void top_unknown(const struct scim_node *root, struct scim_diag *d)
{
    const char *known[MAX_KEYS];
    size_t n = 0;
    for (const struct section *s = sections; s->key; s++)
        known[n++] = s->key;
    known[n] = NULL;
    scim_params_unknown(root, "", known, NULL, d);
}

/* Make file paths absolute, so that resolved.yaml loads the same files from
 * wherever it is read. */
static int absolute_path(char **p)
{
    char buf[PATH_MAX];
    if (!*p || !**p || !realpath(*p, buf))
        return 0;
    char *copy = strdup(buf);
    if (!copy)
        return SCIM_ENOMEM;
    free(*p);
    *p = copy;
    return 0;
}

static int absolute_paths(struct scim_config *cfg)
{
    int rc = absolute_path(&cfg->workload.model);
    return rc ? rc : absolute_path(&cfg->workload.data_dir);
}

static int load_doc(struct scim_doc *doc, const char *path, const struct scim_override *ov,
                    size_t n_ov, struct scim_diag *d)
{
    int rc = 0;
    if (path)
        rc = scim_doc_load_file(doc, path, d);
    for (size_t i = 0; rc == 0 && i < n_ov; i++) {
        if (ov[i].key.file)
            scim_doc_override_at(doc, ov[i].text, &ov[i].key, &ov[i].value, d);
        else
            scim_doc_override(doc, ov[i].text, ov[i].index, d);
    }
    if (rc == 0 && d->errors)
        rc = SCIM_ECONFIG;
    if (rc == 0 && doc->root && doc->root->kind != SCIM_NODE_MAP)
        rc = scim_diag_error(d, &doc->root->loc, "a config must be a mapping of sections");
    return rc;
}

int scim_config_load(struct scim_config *cfg, const char *path, const char *const *overrides,
                     size_t n_overrides, struct scim_diag *d)
{
    struct scim_override *ov = n_overrides ? calloc(n_overrides, sizeof(*ov)) : NULL;
    if (n_overrides && !ov) {
        memset(cfg, 0, sizeof(*cfg));
        return SCIM_ENOMEM;
    }
    for (size_t i = 0; i < n_overrides; i++)
        ov[i].text = overrides[i], ov[i].index = (unsigned)(i + 1);
    int rc = scim_config_load_at(cfg, path, ov, n_overrides, d);
    free(ov);
    return rc;
}

int scim_config_load_at(struct scim_config *cfg, const char *path,
                        const struct scim_override *overrides, size_t n_overrides,
                        struct scim_diag *d)
{
    struct scim_doc doc;
    memset(cfg, 0, sizeof(*cfg));
    memset(&doc, 0, sizeof(doc));
    defaults_tree(sections, cfg);
    unsigned before = d->errors;
    int rc = load_doc(&doc, path, overrides, n_overrides, d);
    if (rc == 0) {
        for (const struct section *s = sections; s->key; s++)
            load_section(s, cfg, scim_node_get(doc.root, s->key), "", doc.dir, d);
        top_unknown(doc.root, d);
        if (d->errors == before && !cfg->workload.model) /* the whole workload section is missing */
            scim_diag_error(d, doc.root ? &doc.root->loc : &(struct scim_loc){path, 0, 0},
                            "missing required key 'model' in 'workload'");
        if (d->errors == before)
            cross_check(cfg, doc.root, d);
        if (d->errors == before)
            check_ood(cfg, doc.root, d);
        rc = d->errors > before ? SCIM_ECONFIG : 0;
    }
    if (rc == 0 && path && !(cfg->path = strdup(path)))
        rc = SCIM_ENOMEM;
    if (rc == 0)
        rc = absolute_paths(cfg);
    scim_doc_free(&doc);
    if (rc < 0)
        scim_config_free(cfg);
    return rc;
}

static void free_tree(const struct section *s, struct scim_config *cfg)
{
    for (; s && s->key; s++) {
        if (s->table)
            scim_params_free(s->table, (char *)cfg + s->offset);
        if (s->dev_class) {
            struct scim_devinst *dev = (struct scim_devinst *)((char *)cfg + s->dev_offset);
            if (dev->ops && dev->params)
                scim_params_free(dev->ops->params, dev->params);
            free(dev->params);
            free(dev->plugin);
        }
        free_tree(s->children, cfg);
    }
}

void scim_config_free(struct scim_config *cfg)
{
    free_tree(sections, cfg);
    free(cfg->path);
    memset(cfg, 0, sizeof(*cfg));
}

static void emit_tree(const struct section *s, const struct scim_config *cfg, FILE *f, int indent)
{
    for (; s && s->key; s++) {
        fprintf(f, "%*s%s:  # %s\n", indent, "", s->key, s->doc);
        if (s->dev_class) {
            const struct scim_devinst *dev =
                (const struct scim_devinst *)((const char *)cfg + s->dev_offset);
            fprintf(f, "%*smodel: %s  # %s\n", indent + 2, "", dev->ops->name, dev->ops->summary);
            if (dev->plugin)
                fprintf(f, "%*splugin: \"%s\"\n", indent + 2, "", dev->plugin);
            scim_params_emit(dev->ops->params, dev->params, f, indent + 2);
        }
        if (s->table)
            scim_params_emit(s->table, (const char *)cfg + s->offset, f, indent + 2);
        emit_tree(s->children, cfg, f, indent + 2);
    }
}

void scim_config_emit(const struct scim_config *cfg, FILE *f)
{
    fprintf(f, "# spincim resolved configuration: every key, defaults filled in, SI units.\n");
    if (cfg->path)
        fprintf(f, "# loaded from: %s\n", cfg->path);
    emit_tree(sections, cfg, f, 0);
}

static void describe_tree(const struct section *s, const char *parent, FILE *f)
{
    for (; s && s->key; s++) {
        char path[256];
        join_path(path, sizeof(path), parent, s->key);
        fprintf(f, "\n%s: %s\n", path, s->doc);
        if (s->dev_class) {
            const struct scim_device_ops *ops = scim_device_find(s->default_model);
            fprintf(f, "%s.model  %s model name  default: %s  -- see `spincim devices`\n", path,
                    scim_dev_class_name(s->dev_class), s->default_model);
            fprintf(f, "%s.plugin  path  default: none  -- shared object providing the model\n",
                    path);
            if (ops)
                scim_params_describe(ops->params, path, f);
        }
        if (s->table)
            scim_params_describe(s->table, path, f);
        describe_tree(s->children, path, f);
    }
}

void scim_config_describe(FILE *f)
{
    fprintf(f, "spincim configuration keys (values carry SI units with prefixes, e.g. 10ns, "
               "331kohm, 0.65pJ)\n");
    describe_tree(sections, "", f);
}

void scim_config_hash(const struct scim_config *cfg, char *buf)
{
    char *text = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&text, &len);
    uint64_t h = 1469598103934665603ull;
    if (m) {
        scim_config_emit(cfg, m);
        fclose(m);
        /* The first lines name the source file; only the values count. */
        const char *p = text ? strstr(text, "\nchip:") : NULL;
        for (; p && *p; p++)
            h = (h ^ (unsigned char)*p) * 1099511628211ull;
        free(text);
    }
    snprintf(buf, 17, "%016llx", (unsigned long long)h);
}
