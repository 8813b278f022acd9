/*
 * ledger.c - energy pricing, area, static power and first-order latency.
 */
#include "ledger.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim/base/error.h"

static void price_digital(const struct scim_energy_table_cfg *t, const struct scim_counts *c, double *e)
{
    const uint64_t *v = c->ev;
    e[SCIM_C_ACCUMULATOR] += (double)(v[SCIM_EV_ACC_ADD] + v[SCIM_EV_RES_ADD]) * t->accumulator_add;
    e[SCIM_C_MULTIPLIER] += (double)v[SCIM_EV_MULTIPLY] * t->multiply;
    e[SCIM_C_COMPARATOR] += (double)v[SCIM_EV_COMPARE] * t->comparator;
    e[SCIM_C_NORMALIZATION] += (double)v[SCIM_EV_NORM] * t->normalization;
    e[SCIM_C_POOLING] += (double)v[SCIM_EV_POOL] * t->pooling;
    e[SCIM_C_AVERAGING] += (double)v[SCIM_EV_AVERAGE] * t->averaging;
}

static void price_table(const struct scim_energy_table_cfg *t, const struct scim_counts *c, double *e)
{
    const uint64_t *v = c->ev;
    e[SCIM_C_CROSSBAR] += (double)v[SCIM_EV_XBAR_READ] * t->crossbar_read;
    e[SCIM_C_DECODE_SENSE] += (double)v[SCIM_EV_XBAR_READ] * t->decode_sense;
    e[SCIM_C_ADC] += (double)v[SCIM_EV_ADC_CONV] * t->adc_conversion;
    e[SCIM_C_SCALE_MEMORY] += (double)v[SCIM_EV_SCALE_READ] * t->scale_read +
                              (double)v[SCIM_EV_SCALE_XBAR_READ] *
                                  (t->scale_crossbar_read + t->decode_sense) +
                              (double)v[SCIM_EV_SCALE_ADC_CONV] * t->adc_conversion;
    e[SCIM_C_BUFFER] += (double)(v[SCIM_EV_BUF_READ] + v[SCIM_EV_BUF_WRITE]) * t->buffer_access;
    e[SCIM_C_RNG] += (double)v[SCIM_EV_RNG_BIT] * t->rng_bit;
}

static void price_device(const struct scim_config *cfg, const struct scim_counts *c, double *e)
{
    const uint64_t *v = c->ev;
    const struct scim_cell_ops *cell = cfg->crossbar.cell.ops->cell;
    const void *cp = cfg->crossbar.cell.params;
    double temp = cfg->chip.temperature_k;
    int lvl = cell->levels - 1;
    double e_lrs = cell->read_energy_j(cp, lvl, temp), e_hrs = cell->read_energy_j(cp, 0, temp);
    e[SCIM_C_CROSSBAR] += (double)v[SCIM_EV_CELLS_LRS] * e_lrs +
                          (double)(v[SCIM_EV_CELLS_READ] - v[SCIM_EV_CELLS_LRS]) * e_hrs;
    e[SCIM_C_DECODE_SENSE] += (double)v[SCIM_EV_WORDLINES] * cfg->crossbar.wordline_energy_j +
                              (double)v[SCIM_EV_XBAR_READ] * cfg->crossbar.decoder_energy_j;
    e[SCIM_C_ADC] += (double)v[SCIM_EV_ADC_CONV] *
                     cfg->adc.device.ops->adc->conversion_energy_j(cfg->adc.device.params);
    const struct scim_memory_ops *sm = cfg->scale_memory.device.ops->memory, *bm = cfg->buffer.device.ops->memory;
    int sw = (int)cfg->scale_memory.word_bits, bw = (int)cfg->buffer.word_bits;
    e[SCIM_C_SCALE_MEMORY] += (double)v[SCIM_EV_SCALE_READ] * sm->read_energy_j(cfg->scale_memory.device.params, sw);
    if (v[SCIM_EV_SCALE_XBAR_READ]) { /* cells priced at the middle level */
        const struct scim_cell_ops *sc = cfg->scale_memory.cell.ops->cell;
        e[SCIM_C_SCALE_MEMORY] +=
            (double)v[SCIM_EV_SCALE_CELLS] * sc->read_energy_j(cfg->scale_memory.cell.params, sc->levels / 2, temp) +
            (double)v[SCIM_EV_SCALE_ADC_CONV] *
                cfg->adc.device.ops->adc->conversion_energy_j(cfg->adc.device.params) +
            (double)v[SCIM_EV_SCALE_XBAR_READ] * cfg->crossbar.decoder_energy_j;
    }
    e[SCIM_C_BUFFER] += (double)v[SCIM_EV_BUF_READ] * bm->read_energy_j(cfg->buffer.device.params, bw) +
                        (double)v[SCIM_EV_BUF_WRITE] * bm->write_energy_j(cfg->buffer.device.params, bw);
    e[SCIM_C_RNG] += (double)v[SCIM_EV_RNG_BIT] * cfg->dropout.rng.ops->rng->bit_energy_j(cfg->dropout.rng.params);
}

void scim_price(const struct scim_config *cfg, const struct scim_counts *c, double *e)
{
    if (cfg->energy.mode == SCIM_ENERGY_DEVICE)
        price_device(cfg, c, e);
    else
        price_table(&cfg->energy.table, c, e);
    price_digital(&cfg->energy.table, c, e);
}

/* The scale crossbars: per layer, rows of stored scale vectors x outputs x cells per
 * scale, and their flash ADCs (counted into adcs). */
static double scale_crossbar_area(const struct scim_config *cfg, const struct scim_mapping *mp,
                                  int *adcs)
{
    double cell = cfg->scale_memory.cell.ops->cell->area_m2(cfg->scale_memory.cell.params, cfg->chip.technology_node_m), area = 0.0;
    double adc = cfg->adc.device.ops->adc->area_m2(cfg->adc.device.params);
    for (int l = 0; l < mp->n_layers; l++) {
        const struct scim_layer_map *lm = &mp->layers[l];
        int cols = lm->layer->out_c * lm->scale_cells;
        int n_adc = (cols + (int)cfg->scale_memory.columns_per_adc - 1) / (int)cfg->scale_memory.columns_per_adc;
        area += (double)lm->scale_rows * cols * cell * (1.0 + cfg->crossbar.periphery_area_fraction);
        area += n_adc * adc;
        *adcs += n_adc;
    }
    return area;
}

/* Skip buffers: each residual source's output (Ck x Hk x Wk bits) is held until the
 * layer that adds it has run; a source feeding several layers is held once. */
static uint64_t skip_buffer_bits(const struct scim_mapping *mp)
{
    uint64_t bits = 0;
    for (int k = 0; k < mp->n_layers; k++) {
        const struct scim_layer *src = mp->layers[k].layer;
        int used = 0;
        for (int l = k + 1; l < mp->n_layers && !used; l++)
            used = mp->layers[l].layer->residual == k;
        if (used)
            bits += (uint64_t)src->out_c * (uint64_t)src->pooled_h * (uint64_t)src->pooled_w;
    }
    return bits;
}

void scim_area_compute(const struct scim_config *cfg, const struct scim_mapping *mp,
                       int rng_modules, struct scim_area *a)
{
    memset(a, 0, sizeof(*a));
    double f = cfg->chip.technology_node_m;
    double cell = cfg->crossbar.cell.ops->cell->area_m2(cfg->crossbar.cell.params, f);
    double adc = cfg->adc.device.ops->adc->area_m2(cfg->adc.device.params);
    a->arrays = mp->total_arrays;
    for (int l = 0; l < mp->n_layers; l++)
        a->adcs += mp->layers[l].arrays * mp->layers[l].adcs_per_array;
    double array_area = (double)cfg->crossbar.rows * (double)cfg->crossbar.columns * cell;
    a->comp[SCIM_C_CROSSBAR] = a->arrays * array_area;
    a->comp[SCIM_C_DECODE_SENSE] = a->comp[SCIM_C_CROSSBAR] * cfg->crossbar.periphery_area_fraction;
    a->comp[SCIM_C_ADC] = a->adcs * adc;
    a->comp[SCIM_C_ACCUMULATOR] = a->adcs * cfg->area.accumulator;
    a->comp[SCIM_C_MULTIPLIER] = a->arrays * cfg->area.multiplier;
    a->comp[SCIM_C_COMPARATOR] = a->arrays * cfg->area.comparator;
    a->comp[SCIM_C_POOLING] = a->arrays * cfg->area.pooling;
    for (int l = 0; l < mp->n_layers; l++)
        a->comp[SCIM_C_NORMALIZATION] += mp->layers[l].layer->norm_layer ? cfg->area.normalization : 0;
    if (cfg->scale_memory.kind == SCIM_SCALE_CROSSBAR) {
        a->comp[SCIM_C_SCALE_MEMORY] = scale_crossbar_area(cfg, mp, &a->adcs);
    } else {
        a->scale_bits = (uint64_t)mp->n_layers * (uint64_t)mp->max_out * (uint64_t)cfg->scale_memory.word_bits;
        a->comp[SCIM_C_SCALE_MEMORY] =
            (double)a->scale_bits * cfg->scale_memory.device.ops->memory->bit_area_m2(cfg->scale_memory.device.params, f);
    }
    a->skip_bits = skip_buffer_bits(mp);
    a->buffer_bits =
        (uint64_t)mp->n_layers * (uint64_t)cfg->buffer.depth_words * (uint64_t)cfg->buffer.word_bits +
        a->skip_bits;
    a->comp[SCIM_C_BUFFER] =
        (double)a->buffer_bits * cfg->buffer.device.ops->memory->bit_area_m2(cfg->buffer.device.params, f);
    a->rng_modules = rng_modules;
    a->comp[SCIM_C_RNG] = rng_modules * cfg->dropout.rng.ops->rng->area_m2(cfg->dropout.rng.params);
    a->comp[SCIM_C_AVERAGING] = rng_modules ? cfg->area.averaging : 0.0;
    a->comp[SCIM_C_CONTROL] = cfg->area.control;
    for (int c = 0; c < SCIM_C_COUNT; c++)
        a->total += a->comp[c];
}

double scim_static_power(const struct scim_config *cfg, const struct scim_area *a)
{
    double p = cfg->energy.digital_static_w;
    p += (double)a->scale_bits * cfg->scale_memory.device.ops->memory->bit_leakage_w(cfg->scale_memory.device.params);
    p += (double)a->buffer_bits * cfg->buffer.device.ops->memory->bit_leakage_w(cfg->buffer.device.params);
    p += a->adcs * cfg->adc.device.ops->adc->static_power_w(cfg->adc.device.params);
    p += a->rng_modules * cfg->dropout.rng.ops->rng->static_power_w(cfg->dropout.rng.params);
    return p;
}

uint64_t scim_cycles_of(double t_s, double clock_hz)
{
    double c = ceil(t_s * clock_hz - 1e-9);
    return c < 1.0 ? 1u : (uint64_t)c;
}

void scim_layer_cycles(const struct scim_config *cfg, const struct scim_layer_map *lm,
                       struct scim_layer_cycles *c)
{
    double clk = cfg->chip.clock_hz;
    const struct scim_layer *L = lm->layer;
    uint64_t cols = (uint64_t)(L->out_c < cfg->crossbar.columns ? L->out_c : cfg->crossbar.columns);
    uint64_t cpa = (uint64_t)cfg->adc.columns_per_adc;
    c->read = scim_cycles_of(cfg->crossbar.cell.ops->cell->read_latency_s(cfg->crossbar.cell.params), clk);
    c->conv = scim_cycles_of(cfg->adc.device.ops->adc->conversion_latency_s(cfg->adc.device.params), clk);
    c->cols_per_adc = cpa < cols ? cpa : cols;
    c->reads = (uint64_t)lm->planes * (uint64_t)lm->reads_per_tile;
    c->xbar = c->reads * (c->read + c->cols_per_adc * c->conv);
    c->digital = cols;
    c->scale = 0;
    if (cfg->scale_memory.kind == SCIM_SCALE_CROSSBAR)
        c->scale = scim_cycles_of(cfg->scale_memory.cell.ops->cell->read_latency_s(cfg->scale_memory.cell.params), clk) +
                   (uint64_t)cfg->scale_memory.columns_per_adc * c->conv;
}

/* One pass of one layer, first order: the scale/compare path overlaps the next
 * position's reads, layers one after another. */
static uint64_t layer_cycles(const struct scim_config *cfg, const struct scim_layer_map *lm)
{
    struct scim_layer_cycles c;
    scim_layer_cycles(cfg, lm, &c);
    return c.scale + (uint64_t)lm->positions * (c.xbar > c.digital ? c.xbar : c.digital);
}

int scim_latency_estimate(const struct scim_config *cfg, const struct scim_mapping *mp,
                          int passes, int rng_modules, struct scim_latency *lat)
{
    memset(lat, 0, sizeof(*lat));
    lat->layer_cycles = calloc((size_t)mp->n_layers, sizeof(uint64_t));
    if (!lat->layer_cycles)
        return SCIM_ENOMEM;
    double clk = cfg->chip.clock_hz;
    int drop_layers = 0;
    for (int l = 0; l < mp->n_layers; l++) {
        lat->layer_cycles[l] = layer_cycles(cfg, &mp->layers[l]);
        lat->pass_cycles += lat->layer_cycles[l];
        drop_layers += rng_modules && mp->layers[l].layer->dropout_p > 0.0;
    }
    /* One shared module draws the layers' bits one after another; one module per
     * layer draws them all at once. */
    uint64_t bit = scim_cycles_of(cfg->dropout.rng.ops->rng->bit_latency_s(cfg->dropout.rng.params), clk);
    if (drop_layers)
        lat->rng_cycles = rng_modules == 1 ? (uint64_t)drop_layers * bit : bit;
    lat->pass_cycles += lat->rng_cycles;
    /* Sequential passes repeat the whole pass; pipelined ones start one slowest layer
     * (or dropout draw) apart. */
    uint64_t step = lat->pass_cycles;
    if (cfg->dropout.overlap_passes) {
        step = lat->rng_cycles;
        for (int l = 0; l < mp->n_layers; l++)
            step = lat->layer_cycles[l] > step ? lat->layer_cycles[l] : step;
    }
    lat->image_cycles = lat->pass_cycles + (uint64_t)(passes - 1) * step +
                        (passes > 1 ? (uint64_t)passes : 0);
    lat->clock_hz = clk;
    lat->pass_s = (double)lat->pass_cycles / clk;
    lat->image_s = (double)lat->image_cycles / clk;
    return 0;
}

void scim_latency_free(struct scim_latency *lat)
{
    free(lat->layer_cycles);
    memset(lat, 0, sizeof(*lat));
}

double scim_ops_per_pass(const struct scim_mapping *mp)
{
    double ops = 0.0;
    for (int l = 0; l < mp->n_layers; l++) {
        const struct scim_layer_map *lm = &mp->layers[l];
        ops += 2.0 * lm->positions * (double)lm->n_rows * lm->layer->out_c;
    }
    return ops;
}
