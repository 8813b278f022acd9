/*
 * config_schema.c - the chip's configuration schema: one parameter table per section
 * (key, type, unit, bounds, default, description) and the tree of sections, with the
 * device each device section holds (chosen with `model:` and validated with the model's
 * own table) and its child sections. The loader, resolved.yaml and the documentation all
 * walk this one tree, so the three cannot disagree.
 */
#include "config.h"

#include <stddef.h>

#include "config_internal.h"

#define F64 SCIM_PARAM_F64
#define INT SCIM_PARAM_INT
#define ENUM SCIM_PARAM_ENUM
#define BOOL SCIM_PARAM_BOOL
#define STR SCIM_PARAM_STR
#define PATH SCIM_PARAM_PATH

static const struct scim_param chip_params[] = {
    STR(struct scim_chip_cfg, "name", name, "spincim-chip", "chip name, copied to the reports"),
    F64(struct scim_chip_cfg, "technology_node", technology_node_m, SCIM_DIM_LENGTH, 1e-9, 1e-6,
        "40nm", "CMOS technology node (7 nm to 130 nm with the ptm model): the feature size F of "
        "every F^2 area, and the capacitances, currents and delays of chip.technology"),
    F64(struct scim_chip_cfg, "clock", clock_hz, SCIM_DIM_FREQ, 1e6, 1e10, "1GHz",
        "clock of the digital periphery; analog delays round up to whole cycles; the "
        "accumulator's loop must fit in one cycle"),
    F64(struct scim_chip_cfg, "vdd", vdd_v, SCIM_DIM_VOLT, 0.3, 5.0, "1.1V",
        "core supply of the CMOS periphery: energies scale as C V^2, delays by the alpha-power "
        "law; the technology model refuses a supply the node does not run at"),
    ENUM(struct scim_chip_cfg, "transistor", transistor, "hp|lstp", "lstp",
         "logic transistor flavor: hp = high performance, lstp = low standby power (slower, "
         "1000x less leakage); memory bit-cells use low-leakage transistors either way"),
    F64(struct scim_chip_cfg, "temperature", temperature_k, SCIM_DIM_TEMP, 1.0, 600.0, "300K",
        "operating temperature"),
    {0},
};

static const struct scim_param crossbar_params[] = {
    INT(struct scim_crossbar_cfg, "rows", rows, 2, 65536, "256",
        "physical rows (wordlines) per array"),
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
    F64(struct scim_crossbar_cfg, "wire_resistance", wire_resistance_ohm, SCIM_DIM_RES, 0, 1e6,
        "0ohm",
        "bitline wire resistance per cell segment: first-order IR drop of the analog read "
        "(0 = ideal wires)"),
    {0},
};

static const struct scim_param adc_params[] = {
    INT(struct scim_adc_cfg, "columns_per_adc", columns_per_adc, 1, 4096, "8",
        "columns multiplexed onto one ADC (converted one after another)"),
    {0},
};

static const struct scim_param accumulator_params[] = {
    INT(struct scim_accumulator_cfg, "width", width_bits, 4, 64, "24",
        "adder-accumulator width in bits; a partial sum outside its range is an error"),
    {0},
};

static const struct scim_param scale_memory_params[] = {
    ENUM(struct scim_scale_memory_cfg, "kind", kind, "sram|scale_crossbar", "sram",
         "sram = 32-bit SRAM, one row per layer; scale_crossbar = multi-level cells, one row per "
         "stored scale vector, read through a flash ADC (subset-parameter inference)"),
    INT(struct scim_scale_memory_cfg, "word_bits", word_bits, 1, 64, "32",
        "bits per scale in the SRAM"),
    INT(struct scim_scale_memory_cfg, "bits", bits, 1, 16, "4",
        "scale crossbar: precision of a stored scale; scales are quantized to it"),
    INT(struct scim_scale_memory_cfg, "columns_per_adc", columns_per_adc, 1, 4096, "8",
        "scale crossbar: columns sharing one ADC"),
    {0},
};

static const struct scim_param buffer_params[] = {
    INT(struct scim_buffer_cfg, "depth", depth_words, 1, 1 << 24, "1024",
        "capacity of one inter-layer buffer, in words"),
    INT(struct scim_buffer_cfg, "word_bits", word_bits, 1, 1024, "64", "bits per buffer word"),
    {0},
};

static const struct scim_param dropout_params[] = {
    BOOL(struct scim_dropout_cfg, "enabled", enabled, "true",
         "Monte Carlo inference with the model's dropout; false = one deterministic pass"),
    ENUM(struct scim_dropout_cfg, "modules", modules, "per_model|per_layer", "per_model",
         "one dropout RNG module shared by all layers, or one per layer"),
    BOOL(struct scim_dropout_cfg, "overlap_passes", overlap_passes, "false",
         "pipeline the Monte Carlo passes through the layers (pass t+1 enters a layer as "
         "soon as pass t leaves it) instead of running them one after another"),
    {0},
};

static const struct scim_param mapping_params[] = {
    ENUM(struct scim_mapping_cfg, "conv_strategy", conv_strategy, "unrolled|kxk", "unrolled",
         "conv mapping: unrolled = each KxKxCin kernel in a column; "
         "kxk = KxK arrays of Cin x Cout"),
    ENUM(struct scim_mapping_cfg, "first_layer_encoding", first_layer_encoding,
         "model|bitserial8|binary", "model",
         "first-layer input: as the model was trained, "
         "8 bit-planes with shift-and-add, or binarized"),
    {0},
};

static const struct scim_param energy_params[] = {
    ENUM(struct scim_energy_cfg, "mode", mode, "calibrated|physical", "calibrated",
         "calibrated = each block's physical energy scaled so that at energy.calibration_point "
         "it equals energy.table (area likewise with area.*); physical = the models alone"),
    PATH(struct scim_energy_cfg, "calibration_point", calibration_point, "",
         "config whose chip is the operating point energy.table and area.* were measured at; "
         "empty = the built-in defaults (`spincim config --defaults`: the Scale-Dropout chip, "
         "40 nm, 1.1 V, 256 x 256, 16 rows per read, 5-bit flash ADCs)"),
    BOOL(struct scim_energy_cfg, "include_static", include_static, "true",
         "add static power x latency to the energy per image"),
    F64(struct scim_energy_cfg, "digital_static", digital_static_w, SCIM_DIM_POWER, 0, 10, "0W",
        "static power beyond the modeled blocks (I/O, clock tree, ...); the blocks' own "
        "leakage comes from the technology model"),
    {0},
};

#define ET(key, field, dflt, doc)                                                                  \
    F64(struct scim_energy_table_cfg, key, field, SCIM_DIM_ENERGY, 0, 1e-6, dflt, doc)
static const struct scim_param energy_table_params[] = {
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

#define AR(key, field, dflt, doc)                                                                  \
    F64(struct scim_area_cfg, key, field, SCIM_DIM_AREA, 0, 1e-3, dflt, doc)
static const struct scim_param area_params[] = {
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

static const struct scim_param workload_params[] = {
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

static const struct scim_param uncertainty_params[] = {
    F64(struct scim_uncertainty_cfg, "ci_level", ci_level, SCIM_DIM_NONE, 0.5, 0.999, "95%",
        "confidence level K of the per-image interval (Scale-Dropout eq. 23)"),
    F64(struct scim_uncertainty_cfg, "ood_quantile", ood_quantile, SCIM_DIM_NONE, 0.0, 1.0, "10%",
        "quantile of the T softmax outputs in the OOD rule (eq. 26)"),
    F64(struct scim_uncertainty_cfg, "ood_threshold", ood_threshold, SCIM_DIM_NONE, 0.0, 1.0,
        "0.95", "an image is OOD (rejected) when the largest class quantile is below this"),
    {0},
};

static const struct scim_param faults_params[] = {
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

static const struct scim_param testing_params[] = {
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

static const struct section crossbar_children[] = {
    {"cell", "the memory/compute cell of the weight arrays", NULL, 0, SCIM_DEV_CELL,
     CFG(crossbar.cell), "sot_mram", NULL},
    {0},
};
static const struct section chip_children[] = {
    {"technology", "the CMOS technology model of the periphery", NULL, 0, SCIM_DEV_TECH,
     CFG(chip.technology), "ptm", NULL},
    {0},
};
static const struct section dropout_children[] = {
    {"rng", "the random-bit source of the dropout module(s)", NULL, 0, SCIM_DEV_RNG,
     CFG(dropout.rng), "ideal_rng", NULL},
    {0},
};
static const struct section scale_memory_children[] = {
    {"cell", "the multi-level cell of the scale crossbar (kind scale_crossbar)", NULL, 0,
     SCIM_DEV_CELL, CFG(scale_memory.cell), "mlc_sot", NULL},
    {0},
};
static const struct section energy_children[] = {
    {"table", "per-event energies at the calibration point (calibrated mode)", energy_table_params,
     CFG(energy.table), 0, 0, NULL, NULL},
    {0},
};
static const struct section area_children[] = {{0}};

const struct section scim_config_sections[] = {
    {"chip", "technology and operating point", chip_params, CFG(chip), 0, 0, NULL, chip_children},
    {"crossbar", "binary weight arrays and their periphery", crossbar_params, CFG(crossbar),
     SCIM_DEV_ARRAY, CFG(crossbar.periphery), "cim_array", crossbar_children},
    {"adc", "column ADCs", adc_params, CFG(adc), SCIM_DEV_ADC, CFG(adc.device), "flash_adc", NULL},
    {"accumulator", "adder-accumulators after the ADCs", accumulator_params, CFG(accumulator), 0, 0,
     NULL, NULL},
    {"scale_memory", "memory of the per-output scale vectors", scale_memory_params,
     CFG(scale_memory), SCIM_DEV_MEMORY, CFG(scale_memory.device), "sram_6t",
     scale_memory_children},
    {"buffer", "inter-layer activation buffers", buffer_params, CFG(buffer), SCIM_DEV_MEMORY,
     CFG(buffer.device), "sram_6t", NULL},
    {"dropout", "dropout / Monte Carlo hardware", dropout_params, CFG(dropout), 0, 0, NULL,
     dropout_children},
    {"mapping", "how layers map onto arrays", mapping_params, CFG(mapping), 0, 0, NULL, NULL},
    {"logic", "the digital blocks (accumulators, multipliers, comparators, control)", NULL,
     0, SCIM_DEV_LOGIC, CFG(logic.device), "cmos_logic", NULL},
    {"energy", "energy accounting", energy_params, CFG(energy), 0, 0, NULL, energy_children},
    {"area", "areas of the digital blocks at the calibration point (calibrated mode)", area_params,
     CFG(area), 0, 0, NULL, area_children},
    {"workload", "model, data and Monte Carlo settings", workload_params, CFG(workload), 0, 0, NULL,
     NULL},
    {"uncertainty", "per-image uncertainty and the OOD rule", uncertainty_params, CFG(uncertainty),
     0, 0, NULL, NULL},
    {"faults", "device faults of the chip instances (Monte Carlo over chips)", faults_params,
     CFG(faults), 0, 0, NULL, NULL},
    {"testing", "on-chip uncertainty testing of the chip instances", testing_params, CFG(testing),
     0, 0, NULL, NULL},
    {0},
};
