/*
 * ledger.c - energy pricing, area, static power and first-order latency.
 */
#include "ledger.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cost.h"
#include "sim/base/error.h"

/* ---- energy ---- */

/* The geometry of the scale SRAM (a row per layer, a word per output) and of one
 * inter-layer buffer, for a config's word widths. */
static struct scim_mem_geom scale_geom(const struct scim_config *cfg, const struct scim_mapping *mp)
{
    int w = (int)cfg->scale_memory.word_bits;
    return (struct scim_mem_geom){(double)mp->n_layers * mp->max_out * w, w};
}

static struct scim_mem_geom buffer_geom(const struct scim_config *cfg)
{
    int w = (int)cfg->buffer.word_bits;
    return (struct scim_mem_geom){(double)cfg->buffer.depth_words * w, w};
}

/* A memory's calibration ratio: its read + write energy here over at the calibration
 * point (same capacity in words, the point's word width and technology). */
static double mem_ratio(const struct scim_config *cfg, const struct scim_devinst *here,
                        const struct scim_devinst *there, struct scim_mem_geom g, int there_bits)
{
    const struct scim_config *cal = cfg->cost.cal;
    struct scim_mem_cost a, b;
    struct scim_mem_geom g0 = {g.capacity_bits / g.word_bits * there_bits, there_bits};
    scim_cost_memory(cfg, here, &g, &a);
    scim_cost_memory(cal, there, &g0, &b);
    double e0 = b.read_j + b.write_j;
    return e0 > 0 ? (a.read_j + a.write_j) / e0 : 1.0;
}

void scim_memory_calibration(const struct scim_config *cfg, const struct scim_mapping *mp,
                             double factor[2], double ratio[2])
{
    const struct scim_config *cal = cfg->cost.cal;
    factor[0] = factor[1] = ratio[0] = ratio[1] = 1.0;
    if (cfg->energy.mode != SCIM_ENERGY_CALIBRATED || !cal)
        return;
    struct scim_mem_geom sg = scale_geom(cfg, mp), bg = buffer_geom(cfg);
    int sw = (int)cal->scale_memory.word_bits, bw = (int)cal->buffer.word_bits;
    struct scim_mem_geom s0 = {sg.capacity_bits / sg.word_bits * sw, sw}, b0 = buffer_geom(cal);
    struct scim_mem_cost a, b;
    ratio[0] = mem_ratio(cfg, &cfg->scale_memory.device, &cal->scale_memory.device, sg, sw);
    ratio[1] = mem_ratio(cfg, &cfg->buffer.device, &cal->buffer.device, bg, bw);
    scim_cost_memory(cal, &cal->scale_memory.device, &s0, &a);
    scim_cost_memory(cal, &cal->buffer.device, &b0, &b);
    factor[0] = a.read_j > 0 ? cfg->energy.table.scale_read / a.read_j : 1.0;
    factor[1] = b.read_j + b.write_j > 0 ? 2.0 * cfg->energy.table.buffer_access /
                                               (b.read_j + b.write_j) : 1.0;
}

static void price_reads_calibrated(const struct scim_config *cfg, const uint64_t *v, double *e)
{
    const struct scim_cost *c = &cfg->cost;
    const struct scim_energy_table_cfg *t = &cfg->energy.table;
    double reads = (double)v[SCIM_EV_XBAR_READ];
    double ds = reads * t->decode_sense * c->ratio[SCIM_CAL_DECODE_SENSE];
    e[SCIM_C_CROSSBAR] += reads * t->crossbar_read * c->ratio[SCIM_CAL_CROSSBAR_READ];
    if (t->adc_conversion == 0.0) { /* the table folds the ADCs into decode_sense: split it */
        double all = c->ref.decode_j + c->ref.adc_j, share = all > 0 ? c->ref.decode_j / all : 1;
        e[SCIM_C_DECODE_SENSE] += ds * share;
        e[SCIM_C_ADC] += ds * (1.0 - share);
        return;
    }
    e[SCIM_C_DECODE_SENSE] += ds;
    e[SCIM_C_ADC] += (double)v[SCIM_EV_ADC_CONV] * t->adc_conversion *
                     c->ratio[SCIM_CAL_ADC_CONVERSION];
}

static void price_reads_physical(const struct scim_config *cfg, const uint64_t *v, double *e)
{
    const struct scim_cost *c = &cfg->cost;
    double conv = (double)v[SCIM_EV_ADC_CONV];
    e[SCIM_C_CROSSBAR] += (double)v[SCIM_EV_CELLS_LRS] * c->cell_lrs_j +
                          (double)(v[SCIM_EV_CELLS_READ] - v[SCIM_EV_CELLS_LRS]) * c->cell_hrs_j +
                          conv * c->array.bitline_energy_j;
    e[SCIM_C_DECODE_SENSE] += (double)v[SCIM_EV_WORDLINES] * c->array.wordline_energy_j +
                              (double)v[SCIM_EV_XBAR_READ] * c->array.decoder_energy_j +
                              conv * c->array.mux_energy_j;
    e[SCIM_C_ADC] += conv * c->adc_j;
}

static void price_memories(const struct scim_config *cfg, const struct scim_mapping *mp,
                           const uint64_t *v, double *e)
{
    const struct scim_cost *c = &cfg->cost;
    const struct scim_energy_table_cfg *t = &cfg->energy.table;
    struct scim_mem_geom sg = scale_geom(cfg, mp), bg = buffer_geom(cfg);
    struct scim_mem_cost sm, bm;
    scim_cost_memory(cfg, &cfg->scale_memory.device, &sg, &sm);
    scim_cost_memory(cfg, &cfg->buffer.device, &bg, &bm);
    double sx = (double)v[SCIM_EV_SCALE_XBAR_READ], bufs = (double)(v[SCIM_EV_BUF_READ] +
                                                                     v[SCIM_EV_BUF_WRITE]);
    if (cfg->energy.mode == SCIM_ENERGY_PHYSICAL) {
        e[SCIM_C_SCALE_MEMORY] += (double)v[SCIM_EV_SCALE_READ] * sm.read_j +
                                  (double)v[SCIM_EV_SCALE_CELLS] * c->scell_j +
                                  (double)v[SCIM_EV_SCALE_ADC_CONV] * c->adc_j +
                                  sx * c->array.decoder_energy_j;
        e[SCIM_C_BUFFER] += (double)v[SCIM_EV_BUF_READ] * bm.read_j +
                            (double)v[SCIM_EV_BUF_WRITE] * bm.write_j;
        return;
    }
    const struct scim_config *cal = c->cal;
    double rs = mem_ratio(cfg, &cfg->scale_memory.device, &cal->scale_memory.device, sg,
                          (int)cal->scale_memory.word_bits);
    double rb = mem_ratio(cfg, &cfg->buffer.device, &cal->buffer.device, bg,
                          (int)cal->buffer.word_bits);
    e[SCIM_C_SCALE_MEMORY] +=
        (double)v[SCIM_EV_SCALE_READ] * t->scale_read * rs +
        sx * (t->scale_crossbar_read * c->ratio[SCIM_CAL_SCALE_CROSSBAR_READ] +
              t->decode_sense * c->ratio[SCIM_CAL_DECODE_SENSE]) +
        (double)v[SCIM_EV_SCALE_ADC_CONV] * t->adc_conversion * c->ratio[SCIM_CAL_ADC_CONVERSION];
    e[SCIM_C_BUFFER] += bufs * t->buffer_access * rb;
}

/* Energy per event of the digital blocks and the RNG, by component. */
static void digital_unit(const struct scim_config *cfg, const struct scim_mapping *mp, double *u)
{
    const struct scim_cost *c = &cfg->cost;
    const struct scim_energy_table_cfg *t = &cfg->energy.table;
    if (cfg->energy.mode == SCIM_ENERGY_CALIBRATED) {
        u[SCIM_C_ACCUMULATOR] = t->accumulator_add * c->ratio[SCIM_CAL_ACCUMULATOR_ADD];
        u[SCIM_C_MULTIPLIER] = t->multiply * c->ratio[SCIM_CAL_MULTIPLY];
        u[SCIM_C_COMPARATOR] = t->comparator * c->ratio[SCIM_CAL_COMPARATOR];
        u[SCIM_C_NORMALIZATION] = t->normalization * c->ratio[SCIM_CAL_NORMALIZATION];
        u[SCIM_C_POOLING] = t->pooling * c->ratio[SCIM_CAL_POOLING];
        u[SCIM_C_AVERAGING] = t->averaging * c->ratio[SCIM_CAL_AVERAGING];
        u[SCIM_C_RNG] = t->rng_bit * c->ratio[SCIM_CAL_RNG_BIT];
        return;
    }
    struct scim_logic_cost avg;
    int classes = mp->n_layers ? mp->layers[mp->n_layers - 1].layer->out_c : 1;
    scim_cost_logic(cfg, SCIM_LOGIC_AVERAGING, classes, &avg);
    u[SCIM_C_ACCUMULATOR] = c->logic[SCIM_LOGIC_ACCUMULATOR].energy_j;
    u[SCIM_C_MULTIPLIER] = c->logic[SCIM_LOGIC_MULTIPLIER].energy_j;
    u[SCIM_C_COMPARATOR] = c->logic[SCIM_LOGIC_COMPARATOR].energy_j;
    u[SCIM_C_NORMALIZATION] = c->logic[SCIM_LOGIC_NORMALIZATION].energy_j;
    u[SCIM_C_POOLING] = c->logic[SCIM_LOGIC_POOLING].energy_j;
    u[SCIM_C_AVERAGING] = avg.energy_j;
    u[SCIM_C_RNG] = c->rng_bit_j;
}

void scim_price(const struct scim_config *cfg, const struct scim_mapping *mp,
                const struct scim_counts *counts, double *e)
{
    const uint64_t *v = counts->ev;
    double u[SCIM_C_COUNT] = {0};
    if (cfg->energy.mode == SCIM_ENERGY_CALIBRATED)
        price_reads_calibrated(cfg, v, e);
    else
        price_reads_physical(cfg, v, e);
    price_memories(cfg, mp, v, e);
    digital_unit(cfg, mp, u);
    e[SCIM_C_ACCUMULATOR] += (double)(v[SCIM_EV_ACC_ADD] + v[SCIM_EV_RES_ADD]) * u[SCIM_C_ACCUMULATOR];
    e[SCIM_C_MULTIPLIER] += (double)v[SCIM_EV_MULTIPLY] * u[SCIM_C_MULTIPLIER];
    e[SCIM_C_COMPARATOR] += (double)v[SCIM_EV_COMPARE] * u[SCIM_C_COMPARATOR];
    e[SCIM_C_NORMALIZATION] += (double)v[SCIM_EV_NORM] * u[SCIM_C_NORMALIZATION];
    e[SCIM_C_POOLING] += (double)v[SCIM_EV_POOL] * u[SCIM_C_POOLING];
    e[SCIM_C_AVERAGING] += (double)v[SCIM_EV_AVERAGE] * u[SCIM_C_AVERAGING];
    e[SCIM_C_RNG] += (double)v[SCIM_EV_RNG_BIT] * u[SCIM_C_RNG];
}

/* ---- area and static power ---- */

/* One digital block's area: area.* scaled by the physics (calibrated), or the model's. */
static double block_area(const struct scim_config *cfg, enum scim_cal_area i,
                         enum scim_logic_block b)
{
    const double *area = &cfg->area.accumulator;
    if (cfg->energy.mode == SCIM_ENERGY_CALIBRATED)
        return area[i] * cfg->cost.area_ratio[i];
    return cfg->cost.logic[b].area_m2;
}

/* The scale crossbars: per layer, rows of stored scale vectors x outputs x cells per
 * scale with the main arrays' share of periphery, and their flash ADCs (counted into adcs). */
static double scale_crossbar_area(const struct scim_config *cfg, const struct scim_mapping *mp,
                                  int *adcs)
{
    const struct scim_devinst *sc = &cfg->scale_memory.cell;
    double f = cfg->chip.technology_node_m, area = 0.0;
    double cell = sc->ops->cell->area_m2(sc->params, f);
    double main = (double)cfg->crossbar.rows * (double)cfg->crossbar.columns *
                  cfg->crossbar.cell.ops->cell->area_m2(cfg->crossbar.cell.params, f);
    double periphery = main > 0 ? cfg->cost.array.area_m2 / main : 0.0;
    for (int l = 0; l < mp->n_layers; l++) {
        const struct scim_layer_map *lm = &mp->layers[l];
        int cols = lm->layer->out_c * lm->scale_cells;
        int cpa = (int)cfg->scale_memory.columns_per_adc, n_adc = (cols + cpa - 1) / cpa;
        area += (double)lm->scale_rows * cols * cell * (1.0 + periphery);
        area += n_adc * cfg->cost.adc_area_m2;
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

/* The memories: the scale SRAM (or nothing: the scale crossbar is priced apart), the
 * inter-layer buffers and the skip buffer, each a macro of its model; area and leakage. */
static void memories(const struct scim_config *cfg, const struct scim_mapping *mp,
                     struct scim_area *a, double *leak)
{
    struct scim_mem_cost m;
    struct scim_mem_geom bg = buffer_geom(cfg), kg = {(double)a->skip_bits, (int)cfg->buffer.word_bits};
    *leak = 0.0;
    if (cfg->scale_memory.kind != SCIM_SCALE_CROSSBAR) {
        struct scim_mem_geom sg = scale_geom(cfg, mp);
        scim_cost_memory(cfg, &cfg->scale_memory.device, &sg, &m);
        a->comp[SCIM_C_SCALE_MEMORY] = m.area_m2, *leak += m.leakage_w;
    }
    scim_cost_memory(cfg, &cfg->buffer.device, &bg, &m);
    a->comp[SCIM_C_BUFFER] = mp->n_layers * m.area_m2, *leak += mp->n_layers * m.leakage_w;
    if (a->skip_bits) {
        scim_cost_memory(cfg, &cfg->buffer.device, &kg, &m);
        a->comp[SCIM_C_BUFFER] += m.area_m2, *leak += m.leakage_w;
    }
}

static int norm_layers(const struct scim_mapping *mp)
{
    int n = 0;
    for (int l = 0; l < mp->n_layers; l++)
        n += mp->layers[l].layer->norm_layer != 0;
    return n;
}

static void digital_areas(const struct scim_config *cfg, const struct scim_mapping *mp,
                          struct scim_area *a)
{
    a->comp[SCIM_C_ACCUMULATOR] = a->adcs * block_area(cfg, SCIM_CALA_ACCUMULATOR, SCIM_LOGIC_ACCUMULATOR);
    a->comp[SCIM_C_MULTIPLIER] = a->arrays * block_area(cfg, SCIM_CALA_MULTIPLIER, SCIM_LOGIC_MULTIPLIER);
    a->comp[SCIM_C_COMPARATOR] = a->arrays * block_area(cfg, SCIM_CALA_COMPARATOR, SCIM_LOGIC_COMPARATOR);
    a->comp[SCIM_C_POOLING] = a->arrays * block_area(cfg, SCIM_CALA_POOLING, SCIM_LOGIC_POOLING);
    a->comp[SCIM_C_NORMALIZATION] =
        norm_layers(mp) * block_area(cfg, SCIM_CALA_NORMALIZATION, SCIM_LOGIC_NORMALIZATION);
    a->comp[SCIM_C_AVERAGING] =
        a->rng_modules ? block_area(cfg, SCIM_CALA_AVERAGING, SCIM_LOGIC_AVERAGING) : 0.0;
    a->comp[SCIM_C_CONTROL] = block_area(cfg, SCIM_CALA_CONTROL, SCIM_LOGIC_CONTROL);
}

/* Leakage of the digital blocks and the arrays' periphery, W. */
static double digital_leakage(const struct scim_config *cfg, const struct scim_mapping *mp,
                              const struct scim_area *a)
{
    const struct scim_logic_cost *g = cfg->cost.logic;
    double p = a->adcs * g[SCIM_LOGIC_ACCUMULATOR].leakage_w;
    p += a->arrays * (g[SCIM_LOGIC_MULTIPLIER].leakage_w + g[SCIM_LOGIC_COMPARATOR].leakage_w +
                      g[SCIM_LOGIC_POOLING].leakage_w + cfg->cost.array.leakage_w);
    p += norm_layers(mp) * g[SCIM_LOGIC_NORMALIZATION].leakage_w;
    p += (a->rng_modules ? g[SCIM_LOGIC_AVERAGING].leakage_w : 0.0) + g[SCIM_LOGIC_CONTROL].leakage_w;
    return p;
}

void scim_area_compute(const struct scim_config *cfg, const struct scim_mapping *mp,
                       int rng_modules, struct scim_area *a)
{
    memset(a, 0, sizeof(*a));
    double f = cfg->chip.technology_node_m;
    double cell = cfg->crossbar.cell.ops->cell->area_m2(cfg->crossbar.cell.params, f);
    a->arrays = mp->total_arrays;
    for (int l = 0; l < mp->n_layers; l++)
        a->adcs += mp->layers[l].arrays * mp->layers[l].adcs_per_array;
    a->comp[SCIM_C_CROSSBAR] = a->arrays * (double)cfg->crossbar.rows * (double)cfg->crossbar.columns * cell;
    a->comp[SCIM_C_DECODE_SENSE] = a->arrays * cfg->cost.array.area_m2;
    a->comp[SCIM_C_ADC] = a->adcs * cfg->cost.adc_area_m2;
    a->rng_modules = rng_modules;
    if (cfg->scale_memory.kind == SCIM_SCALE_CROSSBAR)
        a->comp[SCIM_C_SCALE_MEMORY] = scale_crossbar_area(cfg, mp, &a->adcs);
    else
        a->scale_bits = (uint64_t)mp->n_layers * (uint64_t)mp->max_out * (uint64_t)cfg->scale_memory.word_bits;
    a->skip_bits = skip_buffer_bits(mp);
    a->buffer_bits = (uint64_t)mp->n_layers * (uint64_t)cfg->buffer.depth_words *
                         (uint64_t)cfg->buffer.word_bits + a->skip_bits;
    memories(cfg, mp, a, &a->memory_leakage_w);
    digital_areas(cfg, mp, a);
    a->comp[SCIM_C_RNG] = rng_modules * cfg->dropout.rng.ops->rng->area_m2(cfg->dropout.rng.params);
    a->digital_leakage_w = digital_leakage(cfg, mp, a);
    for (int c = 0; c < SCIM_C_COUNT; c++)
        a->total += a->comp[c];
}

double scim_static_power(const struct scim_config *cfg, const struct scim_area *a)
{
    double p = cfg->energy.digital_static_w + a->digital_leakage_w + a->memory_leakage_w;
    p += a->adcs * cfg->cost.adc_static_w;
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
    c->read = scim_cycles_of(cfg->cost.array.read_delay_s, clk);
    c->conv = scim_cycles_of(cfg->cost.adc_s, clk);
    c->cols_per_adc = cpa < cols ? cpa : cols;
    c->reads = (uint64_t)lm->planes * (uint64_t)lm->reads_per_tile;
    c->xbar = c->reads * (c->read + c->cols_per_adc * c->conv);
    c->digital = cols;
    c->scale = 0;
    if (cfg->scale_memory.kind == SCIM_SCALE_CROSSBAR)
        c->scale = scim_cycles_of(cfg->cost.scell_read_s, clk) +
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

/* ---- the macro ---- */

int scim_macro_component(enum scim_component c)
{
    return c == SCIM_C_CROSSBAR || c == SCIM_C_DECODE_SENSE || c == SCIM_C_ADC ||
           c == SCIM_C_ACCUMULATOR;
}

/* Leakage of the macro's blocks: each array's periphery, each weight-array ADC (its static
 * power) and the accumulator after it, W. */
static double macro_static_w(const struct scim_config *cfg, const struct scim_mapping *mp)
{
    const struct scim_cost *c = &cfg->cost;
    double adcs = 0.0;
    for (int l = 0; l < mp->n_layers; l++)
        adcs += (double)mp->layers[l].arrays * mp->layers[l].adcs_per_array;
    return mp->total_arrays * c->array.leakage_w +
           adcs * (c->adc_static_w + c->logic[SCIM_LOGIC_ACCUMULATOR].leakage_w);
}

void scim_macro_compute(const struct scim_config *cfg, const struct scim_mapping *mp, int passes,
                        const struct scim_area *a, const double *energy_comp,
                        struct scim_macro *m)
{
    uint64_t cycles = 0;
    memset(m, 0, sizeof(*m));
    for (int l = 0; l < mp->n_layers; l++) {
        struct scim_layer_cycles c;
        scim_layer_cycles(cfg, &mp->layers[l], &c);
        cycles += (uint64_t)mp->layers[l].positions * c.xbar;
    }
    m->busy_s = (double)cycles * (double)passes / cfg->chip.clock_hz;
    m->static_w = macro_static_w(cfg, mp);
    m->energy_j = cfg->energy.include_static ? m->static_w * m->busy_s : 0.0;
    for (int c = 0; c < SCIM_C_COUNT; c++)
        if (scim_macro_component(c)) {
            m->energy_j += energy_comp[c];
            m->area_m2 += a->comp[c];
        }
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
