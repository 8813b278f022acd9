/*
 * sram_6t.c - 6T SRAM macro (scale memory, inter-layer buffers) at the
 * technology point, from its geometry: capacity and word width.
 *
 * The macro is banked into sub-arrays of at most `max_rows` x `max_columns`
 * bit-cells (square-ish, rows a power of two); an access activates one
 * sub-array. A read charges its wordline (the access gates and the wire over
 * every column), restores the swing `bitline_swing` on every bitline pair
 * (C_BL V_dd dV per line), fires `word_bits` sense amplifiers
 * (`sense_gates` gate-equivalents each) and drives the word over an H-tree
 * as long as the macro's side; a write swings the word's bitline pairs fully.
 * The row decoder is the logic model's (4 log2 rows + 2 switching gates).
 * Leakage: every bit-cell leaks through one low-leakage minimum transistor.
 * Area: the bit-cells (the technology's bit-cell area) plus per sub-array a
 * decoder and drivers (6 gates a row) and per column precharge, mux and sense
 * or write circuits (8 gates a column). Checked against Horowitz's 45 nm
 * caches (8 KB 10 pJ, 32 KB 20 pJ, 1 MB 100 pJ per 64-bit read) in
 * tests/unit/test_cost.c: within 3x.
 */
#include <math.h>
#include <stddef.h>

#include "scim_device.h"

struct sram_params {
    int64_t max_rows;    /* rows of a sub-array */
    int64_t max_columns; /* columns of a sub-array */
    double swing;        /* bitline swing of a read, V */
    double sense_gates;  /* gate-equivalents switching per sense amplifier */
    double access_width; /* access transistor width, in minimum widths */
};

static const struct scim_param sram_table[] = {
    SCIM_PARAM_INT(struct sram_params, "max_rows", max_rows, 16, 4096, "512",
                   "rows of one sub-array (bank)"),
    SCIM_PARAM_INT(struct sram_params, "max_columns", max_columns, 16, 8192, "512",
                   "columns of one sub-array (bank)"),
    SCIM_PARAM_F64(struct sram_params, "bitline_swing", swing, SCIM_DIM_VOLT, 0.01, 2.0, "0.2V",
                   "bitline swing a read develops before sensing (restored by the precharge)"),
    SCIM_PARAM_F64(struct sram_params, "sense_gates", sense_gates, SCIM_DIM_NONE, 1, 1000, "10",
                   "energy of one sense amplifier, in gate-equivalent switchings"),
    SCIM_PARAM_F64(struct sram_params, "access_width", access_width, SCIM_DIM_NONE, 0.5, 10, "1",
                   "access transistor width, in minimum widths"),
    {0},
};

/* One sub-array's shape and the number of them. */
struct org {
    double rows, cols, banks, pitch;
};

static struct org organize(const struct sram_params *p, const struct scim_tech *t,
                           const struct scim_mem_geom *g)
{
    double bits = g->capacity_bits > g->word_bits ? g->capacity_bits : g->word_bits;
    double rows = pow(2.0, floor(log2(sqrt(bits)) + 0.5));
    rows = rows < 16 ? 16 : rows > (double)p->max_rows ? (double)p->max_rows : rows;
    double cols = ceil(bits / rows);
    if (cols < g->word_bits)
        cols = g->word_bits;
    double banks = ceil(cols / (double)p->max_columns);
    cols = cols > (double)p->max_columns ? (double)p->max_columns : cols;
    return (struct org){rows, cols, banks, sqrt(t->sram_cell_area_m2)};
}

static double access_c(const struct sram_params *p, const struct scim_tech *t)
{
    return t->c_gate_f_per_m * t->w_min_m * p->access_width;
}

/* Wordline, decoder and the H-tree of a word: what reads and writes share, J. */
static double common(const struct sram_params *p, const struct scim_tech *t,
                     const struct scim_mem_geom *g, const struct org *o)
{
    double v2 = t->vdd_v * t->vdd_v;
    double c_wl = o->cols * (o->pitch * t->c_wire_f_per_m + 2 * access_c(p, t));
    double side = sqrt(o->banks * o->rows * o->cols) * o->pitch;
    double decode = (4.0 * log2(o->rows) + 2.0) * t->gate_energy_j;
    return c_wl * v2 + decode + g->word_bits * side * t->c_wire_f_per_m * v2;
}

static double c_bitline(const struct sram_params *p, const struct scim_tech *t,
                        const struct org *o)
{
    return o->rows * (o->pitch * t->c_wire_f_per_m + 0.5 * access_c(p, t));
}

static double sram_read(const void *pv, const struct scim_tech *t, const struct scim_mem_geom *g)
{
    const struct sram_params *p = pv;
    struct org o = organize(p, t, g);
    double bl = 2.0 * o.cols * c_bitline(p, t, &o) * t->vdd_v * p->swing;
    return common(p, t, g, &o) + bl + g->word_bits * p->sense_gates * t->gate_energy_j;
}

static double sram_write(const void *pv, const struct scim_tech *t, const struct scim_mem_geom *g)
{
    const struct sram_params *p = pv;
    struct org o = organize(p, t, g);
    double cbl = c_bitline(p, t, &o);
    double full = 2.0 * g->word_bits * cbl * t->vdd_v * t->vdd_v;
    double half = 2.0 * (o.cols - g->word_bits) * cbl * t->vdd_v * p->swing;
    return common(p, t, g, &o) + full + half;
}

static double sram_latency(const void *pv, const struct scim_tech *t, const struct scim_mem_geom *g)
{
    const struct sram_params *p = pv;
    struct org o = organize(p, t, g);
    double i_cell = 0.5 * t->i_on_a_per_m * t->w_min_m * p->access_width;
    double develop = c_bitline(p, t, &o) * p->swing / i_cell;
    return (2.0 * log2(o.rows) + 6.0) * t->fo4_s + develop;
}

static double periphery_gates(const struct org *o)
{
    return o->banks * (6.0 * o->rows + 8.0 * o->cols);
}

static double sram_area(const void *pv, const struct scim_tech *t, const struct scim_mem_geom *g)
{
    struct org o = organize(pv, t, g);
    return g->capacity_bits * t->sram_cell_area_m2 + periphery_gates(&o) * t->gate_area_m2;
}

static double sram_leakage(const void *pv, const struct scim_tech *t, const struct scim_mem_geom *g)
{
    struct org o = organize(pv, t, g);
    double cells = g->capacity_bits * t->i_off_cell_a_per_m * t->w_min_m * t->vdd_v;
    return cells + periphery_gates(&o) * t->gate_leakage_w;
}

static const struct scim_memory_ops sram_ops = {
    .size = sizeof(struct scim_memory_ops),
    .read_energy_j = sram_read,
    .write_energy_j = sram_write,
    .access_latency_s = sram_latency,
    .area_m2 = sram_area,
    .leakage_w = sram_leakage,
};

const struct scim_device_ops scim_dev_sram_6t = {
    .abi_version = SCIM_DEVICE_ABI,
    .name = "sram_6t",
    .summary = "6T SRAM macro: banked sub-arrays, energy, delay and area from capacity and node",
    .dev_class = SCIM_DEV_MEMORY,
    .params = sram_table,
    .params_size = sizeof(struct sram_params),
    .memory = &sram_ops,
};
