/*
 * cost.c - the physical cost model (cost.h): the technology point, every
 * block priced by its model, the reference read, the clock and supply checks,
 * the ADC survey check, and the calibration ratios.
 */
#include "cost.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/base/error.h"

static const struct scim_loc *loc_at(const struct scim_node *root, const char *sec, const char *key)
{
    const struct scim_node *s = scim_node_get(root, sec);
    const struct scim_node *k = s ? scim_node_get(s, key) : NULL;
    return k ? &k->loc : s ? &s->loc : root ? &root->loc : NULL;
}

_Static_assert(offsetof(struct scim_energy_table_cfg, averaging) ==
                   (SCIM_CAL_COUNT - 1) * sizeof(double),
               "energy.table is read in the order of enum scim_cal");
_Static_assert(offsetof(struct scim_area_cfg, control) == (SCIM_CALA_COUNT - 1) * sizeof(double),
               "area.* is read in the order of enum scim_cal_area");

static int tech_point(struct scim_config *cfg, const struct scim_node *root, struct scim_diag *d)
{
    const struct scim_devinst *t = &cfg->chip.technology;
    const struct scim_chip_cfg *ch = &cfg->chip;
    char msg[256] = "";
    double lo, hi;
    t->ops->tech->vdd_range(t->params, ch->technology_node_m, ch->transistor, &lo, &hi);
    int rc = t->ops->tech->at(t->params, ch->technology_node_m, ch->vdd_v, ch->temperature_k,
                              ch->transistor, &cfg->cost.tech, msg, sizeof(msg));
    if (rc == 0)
        return 0;
    const char *key = lo > 0 ? "vdd" : "technology_node";
    return scim_diag_error(d, loc_at(root, "chip", key), "chip.%s: %s (technology model '%s')", key,
                           msg, t->ops->name);
}

/* Operand widths of the digital blocks: the accumulator's, the scale's mantissa (an IEEE
 * single's 24 bits when the scale memory holds 32-bit words, else its word). */
static void block_req(const struct scim_config *cfg, enum scim_logic_block b, int inputs,
                      struct scim_logic_req *r)
{
    int acc = (int)cfg->accumulator.width_bits, word = (int)cfg->scale_memory.word_bits;
    memset(r, 0, sizeof(*r));
    r->block = b;
    r->width = b == SCIM_LOGIC_REGISTER ? 1 : acc;
    r->width2 = word >= 32 ? 24 : word;
    r->inputs = inputs;
}

int scim_cost_logic(const struct scim_config *cfg, enum scim_logic_block block, int inputs,
                    struct scim_logic_cost *out)
{
    struct scim_logic_req r;
    const struct scim_devinst *m = &cfg->logic.device;
    block_req(cfg, block, inputs, &r);
    memset(out, 0, sizeof(*out));
    return m->ops->logic->cost(m->params, &cfg->cost.tech, &r, out);
}

/* Operands of each block as the chip uses it: pooling 2 x 2, a decoder for the array's
 * rows, averaging over 10 classes (the pricing uses the model's own classes). */
static int nominal_inputs(enum scim_logic_block b, const struct scim_config *cfg)
{
    if (b == SCIM_LOGIC_AVERAGING)
        return 10;
    return b == SCIM_LOGIC_POOLING ? 4 : b == SCIM_LOGIC_DECODER ? (int)cfg->crossbar.rows : 1;
}

static int logic_all(struct scim_config *cfg, struct scim_diag *d)
{
    for (int b = SCIM_LOGIC_ACCUMULATOR; b < SCIM_LOGIC_COUNT; b++)
        if (scim_cost_logic(cfg, b, nominal_inputs(b, cfg), &cfg->cost.logic[b]) < 0)
            return scim_diag_error(d, NULL, "logic model '%s' does not price block %d",
                                   cfg->logic.device.ops->name, b);
    return 0;
}

/* The accumulator adds every cycle into its own register: its loop must fit a cycle. */
static int clock_check(const struct scim_config *cfg, const struct scim_node *root,
                       struct scim_diag *d)
{
    const struct scim_logic_cost *acc = &cfg->cost.logic[SCIM_LOGIC_ACCUMULATOR];
    double period = 1.0 / cfg->chip.clock_hz;
    if (acc->delay_s <= period * (1 + 1e-9))
        return 0;
    return scim_diag_error(d, loc_at(root, "chip", "clock"),
                           "chip.clock %.4g GHz: the %lld-bit accumulator's loop takes %.3g ns at "
                           "%.4g nm, %.3g V (%s): at most %.4g GHz",
                           cfg->chip.clock_hz * 1e-9, (long long)cfg->accumulator.width_bits,
                           acc->delay_s * 1e9, cfg->chip.technology_node_m * 1e9, cfg->chip.vdd_v,
                           cfg->chip.transistor ? "lstp" : "hp", 1e-9 / acc->delay_s);
}

static void devices_at(struct scim_config *cfg)
{
    struct scim_cost *c = &cfg->cost;
    const struct scim_devinst *cell = &cfg->crossbar.cell, *adc = &cfg->adc.device;
    const struct scim_cell_ops *co = cell->ops->cell;
    double temp = cfg->chip.temperature_k;
    /* the cell model gives V_read^2 G t; the supply pays read_supply_v / V_read of that */
    double supply = c->array.read_supply_v / co->read_voltage_v(cell->params);
    c->cell_lrs_j = supply * co->read_energy_j(cell->params, co->levels - 1, temp);
    c->cell_hrs_j = supply * co->read_energy_j(cell->params, 0, temp);
    const struct scim_devinst *sc = &cfg->scale_memory.cell;
    double v_main = co->read_voltage_v(cell->params), v_s = sc->ops->cell->read_voltage_v(sc->params);
    double s_supply = c->array.read_supply_v == v_main ? 1.0 : c->array.read_supply_v / v_s;
    c->scell_j = s_supply * sc->ops->cell->read_energy_j(sc->params, sc->ops->cell->levels / 2, temp);
    c->scell_read_s = sc->ops->cell->read_latency_s(sc->params);
    c->adc_j = adc->ops->adc->energy_j(adc->params, &c->tech);
    c->adc_s = adc->ops->adc->latency_s(adc->params, &c->tech);
    c->adc_area_m2 = adc->ops->adc->area_m2(adc->params, &c->tech);
    c->adc_static_w = adc->ops->adc->static_power_w(adc->params, &c->tech);
    c->rng_bit_j = cfg->dropout.rng.ops->rng->bit_energy_j(cfg->dropout.rng.params);
}

static int array_at(struct scim_config *cfg, struct scim_diag *d)
{
    const struct scim_devinst *cell = &cfg->crossbar.cell, *per = &cfg->crossbar.periphery;
    const struct scim_cell_ops *co = cell->ops->cell;
    double v = co->read_voltage_v(cell->params);
    struct scim_array_req r = {
        (int)cfg->crossbar.rows, (int)cfg->crossbar.columns, (int)cfg->crossbar.rows_per_read,
        (int)cfg->adc.columns_per_adc, co->area_m2(cell->params, cfg->chip.technology_node_m), v,
        co->read_latency_s(cell->params),
        co->conductance_s(cell->params, co->levels - 1, v, cfg->chip.temperature_k)};
    if (per->ops->array->cost(per->params, &cfg->cost.tech, &r, &cfg->cost.array) < 0)
        return scim_diag_error(d, NULL, "array model '%s' cannot price a %d x %d array",
                               per->ops->name, r.rows, r.columns);
    return 0;
}

static void reference_read(struct scim_config *cfg)
{
    struct scim_cost *c = &cfg->cost;
    double rows = (double)cfg->crossbar.rows_per_read, cols = (double)cfg->crossbar.columns;
    c->ref.array_j = rows * cols * 0.5 * (c->cell_lrs_j + c->cell_hrs_j) +
                     cols * c->array.bitline_energy_j;
    c->ref.decode_j = rows * c->array.wordline_energy_j + c->array.decoder_energy_j +
                      cols * c->array.mux_energy_j;
    c->ref.adc_j = cols * c->adc_j;
}

double scim_adc_survey_min_j(int bits, double rate_hz)
{
    double sndr = 6.02 * bits + 1.76;
    double fom = 302.74 - 6.4608 * log(rate_hz > 1 ? rate_hz : 1);
    fom = fom < 180.14 ? fom : 180.14;
    return 0.5 * pow(10.0, (sndr - fom) / 10.0);
}

static void survey_check(const struct scim_config *cfg, const struct scim_node *root,
                         struct scim_diag *d)
{
    const struct scim_devinst *adc = &cfg->adc.device;
    int bits = adc->ops->adc->bits(adc->params);
    /* the rate it runs at: a conversion every whole number of clock cycles */
    double period = 1.0 / cfg->chip.clock_hz, cycles = ceil(cfg->cost.adc_s / period - 1e-9);
    double rate = 1.0 / ((cycles < 1 ? 1 : cycles) * period);
    double floor_j = scim_adc_survey_min_j(bits, rate);
    if (cfg->cost.adc_j < floor_j)
        scim_diag_warn(d, loc_at(root, "adc", "model"),
                       "adc: %.3g fJ per %d-bit conversion at %.3g GS/s is below the survey "
                       "envelope of the state of the art (%.3g fJ, Murmann's ADC survey); the "
                       "ADC model's parameters are optimistic",
                       cfg->cost.adc_j * 1e15, bits, rate * 1e-9, floor_j * 1e15);
}

/* The physical cost of cfg alone (no calibration). */
static int physical(struct scim_config *cfg, const struct scim_node *root, struct scim_diag *d)
{
    int rc = tech_point(cfg, root, d);
    if (rc == 0)
        rc = logic_all(cfg, d);
    if (rc == 0)
        rc = clock_check(cfg, root, d);
    if (rc == 0)
        rc = array_at(cfg, d);
    if (rc < 0)
        return rc;
    devices_at(cfg);
    reference_read(cfg);
    survey_check(cfg, root, d);
    for (int i = 0; i < SCIM_CAL_COUNT; i++)
        cfg->cost.factor[i] = 1.0;
    for (int i = 0; i < SCIM_CALA_COUNT; i++)
        cfg->cost.area_factor[i] = 1.0;
    cfg->cost.ready = 1;
    return 0;
}

static double ratio(double here, double there)
{
    return there > 0 ? here / there : 1.0;
}

/* Physical energy of each table entry's block (memories aside: they depend on capacity). */
static void entry_energies(const struct scim_config *cfg, double *e)
{
    const struct scim_cost *c = &cfg->cost;
    int folded = cfg->energy.table.adc_conversion == 0.0;
    memset(e, 0, SCIM_CAL_COUNT * sizeof(*e));
    e[SCIM_CAL_CROSSBAR_READ] = c->ref.array_j;
    e[SCIM_CAL_DECODE_SENSE] = c->ref.decode_j + (folded ? c->ref.adc_j : 0.0);
    e[SCIM_CAL_ADC_CONVERSION] = c->adc_j;
    e[SCIM_CAL_ACCUMULATOR_ADD] = c->logic[SCIM_LOGIC_ACCUMULATOR].energy_j;
    e[SCIM_CAL_SCALE_CROSSBAR_READ] = c->scell_j * (double)cfg->crossbar.columns; /* a row */
    e[SCIM_CAL_MULTIPLY] = c->logic[SCIM_LOGIC_MULTIPLIER].energy_j;
    e[SCIM_CAL_COMPARATOR] = c->logic[SCIM_LOGIC_COMPARATOR].energy_j;
    e[SCIM_CAL_NORMALIZATION] = c->logic[SCIM_LOGIC_NORMALIZATION].energy_j;
    e[SCIM_CAL_POOLING] = c->logic[SCIM_LOGIC_POOLING].energy_j;
    e[SCIM_CAL_RNG_BIT] = c->rng_bit_j;
    e[SCIM_CAL_AVERAGING] = c->logic[SCIM_LOGIC_AVERAGING].energy_j;
}

static const enum scim_logic_block area_block[SCIM_CALA_COUNT] = {
    SCIM_LOGIC_ACCUMULATOR, SCIM_LOGIC_MULTIPLIER, SCIM_LOGIC_COMPARATOR,
    SCIM_LOGIC_NORMALIZATION, SCIM_LOGIC_POOLING, SCIM_LOGIC_AVERAGING, SCIM_LOGIC_CONTROL};

static void calibrate(struct scim_config *cfg)
{
    struct scim_cost *c = &cfg->cost;
    const double *table = &cfg->energy.table.crossbar_read, *area = &cfg->area.accumulator;
    double here[SCIM_CAL_COUNT], there[SCIM_CAL_COUNT];
    entry_energies(cfg, here);
    entry_energies(c->cal, there);
    for (int i = 0; i < SCIM_CAL_COUNT; i++) {
        c->ratio[i] = ratio(here[i], there[i]);
        c->factor[i] = there[i] > 0 ? table[i] / there[i] : 1.0;
    }
    for (int i = 0; i < SCIM_CALA_COUNT; i++) {
        double a0 = c->cal->cost.logic[area_block[i]].area_m2;
        c->area_ratio[i] = ratio(c->logic[area_block[i]].area_m2, a0);
        c->area_factor[i] = a0 > 0 ? area[i] / a0 : 1.0;
    }
}

/* In physical mode the calibration keys change nothing: say so where a value other than
 * the default is written (a base config's own Table II is no request). */
static void unused_calibration(const struct scim_config *cfg, const struct scim_node *root,
                               struct scim_diag *d)
{
    struct scim_config def;
    struct scim_diag quiet;
    scim_diag_init(&quiet, NULL);
    if (scim_config_load_point(&def, NULL, &quiet) == 0) {
        const struct scim_node *e = scim_node_get(root, "energy");
        const struct scim_node *t = e ? scim_node_get(e, "table") : NULL, *a = scim_node_get(root, "area");
        if (t && memcmp(&cfg->energy.table, &def.energy.table, sizeof(def.energy.table)))
            scim_diag_warn(d, &t->loc, "energy.table has no effect: energy.mode is physical "
                           "(every block priced by its model)");
        if (a && memcmp(&cfg->area, &def.area, sizeof(def.area)))
            scim_diag_warn(d, &a->loc, "area.* has no effect: energy.mode is physical (every "
                           "block's area from its model)");
        if (cfg->energy.calibration_point && *cfg->energy.calibration_point)
            scim_diag_warn(d, e ? &e->loc : NULL, "energy.calibration_point has no effect: "
                           "energy.mode is physical");
        scim_config_free(&def);
    }
    scim_diag_free(&quiet);
}

int scim_cost_init(struct scim_config *cfg, const struct scim_node *root, struct scim_diag *d)
{
    int rc = physical(cfg, root, d);
    if (rc == 0 && cfg->energy.mode == SCIM_ENERGY_PHYSICAL && !cfg->cost.point)
        unused_calibration(cfg, root, d);
    if (rc < 0 || cfg->energy.mode != SCIM_ENERGY_CALIBRATED)
        return rc;
    struct scim_config *cal = calloc(1, sizeof(*cal));
    if (!cal)
        return SCIM_ENOMEM;
    const char *point = cfg->energy.calibration_point;
    rc = scim_config_load_point(cal, point && *point ? point : NULL, d);
    if (rc < 0) {
        free(cal);
        return rc;
    }
    cfg->cost.cal = cal;
    calibrate(cfg);
    return 0;
}

void scim_cost_free(struct scim_cost *c)
{
    if (c->cal) {
        scim_config_free(c->cal);
        free(c->cal);
    }
    memset(c, 0, sizeof(*c));
}

void scim_cost_memory(const struct scim_config *cfg, const struct scim_devinst *dev,
                      const struct scim_mem_geom *g, struct scim_mem_cost *out)
{
    const struct scim_memory_ops *m = dev->ops->memory;
    const struct scim_tech *t = &cfg->cost.tech;
    out->read_j = m->read_energy_j(dev->params, t, g);
    out->write_j = m->write_energy_j(dev->params, t, g);
    out->access_s = m->access_latency_s(dev->params, t, g);
    out->area_m2 = m->area_m2(dev->params, t, g);
    out->leakage_w = m->leakage_w(dev->params, t, g);
}

const char *scim_cal_name(enum scim_cal c)
{
    static const char *const names[SCIM_CAL_COUNT] = {
        "crossbar_read", "decode_sense", "adc_conversion", "accumulator_add", "scale_read",
        "scale_crossbar_read", "multiply", "comparator", "normalization", "pooling",
        "buffer_access", "rng_bit", "averaging"};
    return (unsigned)c < SCIM_CAL_COUNT ? names[c] : "?";
}

const char *scim_cal_area_name(enum scim_cal_area c)
{
    static const char *const names[SCIM_CALA_COUNT] = {
        "accumulator", "multiplier", "comparator", "normalization", "pooling", "averaging",
        "control"};
    return (unsigned)c < SCIM_CALA_COUNT ? names[c] : "?";
}
