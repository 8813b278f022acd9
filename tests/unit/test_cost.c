/*
 * test_cost.c - the physical cost model against the figures it is built on and
 * checked against (device-physics.md §7, the sources there): the technology
 * anchors and their monotonic scaling across nodes, the digital blocks against
 * Horowitz's 45 nm and Aladdin's 40 nm synthesized blocks, the SRAM against
 * Horowitz's caches, the ADCs against §10.4 and NeuroSim, the survey envelope's
 * stated bounds, the wordline against §7.5's worked example; the calibration
 * identity at the calibration point and the directions away from it; and the
 * errors for a supply, a node or a clock the technology cannot run.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "arch/config.h"
#include "arch/cost.h"
#include "devices/registry.h"
#include "sim/base/error.h"
#include "sim/base/param.h"
#include "tests/harness.h"

#define WITHIN(x, ref, f) ASSERT((x) > (ref) / (f) && (x) < (ref) * (f))

static int load(struct scim_config *cfg, const char *const *ov, size_t n, struct scim_diag *d)
{
    const char *all[16] = {"workload.model=unused.yaml"};
    for (size_t i = 0; i < n && i < 15; i++)
        all[i + 1] = ov[i];
    scim_diag_init(d, NULL);
    return scim_config_load(cfg, NULL, all, n + 1, d);
}

/* A config with overrides that must load; its cost model. */
static void loaded(struct scim_config *cfg, const char *const *ov, size_t n)
{
    struct scim_diag d;
    int rc = load(cfg, ov, n, &d);
    if (rc < 0)
        fprintf(stderr, "%s", d.text ? d.text : "");
    ASSERT_EQ(rc, 0);
    scim_diag_free(&d);
}

static void tech_at(double nm, double vdd, int flavor, struct scim_tech *t)
{
    const struct scim_device_ops *ptm = scim_device_find("ptm");
    static char pp[256];
    char msg[256];
    ASSERT_EQ(scim_params_defaults(ptm->params, pp), 0);
    ASSERT_EQ(ptm->tech->at(pp, nm * 1e-9, vdd, 300, flavor, t, msg, sizeof(msg)), 0);
}

static void technology(void)
{
    struct scim_tech t, prev;
    tech_at(45, 0.9, 0, &t);
    WITHIN(t.gate_energy_j, 0.44e-15, 1.0001); /* the Horowitz anchor */
    tech_at(45, 1.0, 0, &t);
    WITHIN(t.fo4_s, 13e-12, 1.6); /* 45 nm hp FO4 ~ 10-20 ps */
    WITHIN(t.gate_area_m2, 0.6e-12, 1.01);
    tech_at(7, 0.7, 0, &t);
    WITHIN(t.fo4_s, 5e-12, 2.0);
    static const double nodes[] = {130, 90, 65, 45, 40, 32, 28, 22, 16, 14, 10, 7};
    static const double vdd[] = {1.3, 1.2, 1.1, 1.0, 1.1, 0.9, 0.9, 0.85, 0.8, 0.8, 0.75, 0.7};
    for (size_t i = 0; i < sizeof(nodes) / sizeof(nodes[0]); i++) {
        tech_at(nodes[i], vdd[i], 1, &t);
        ASSERT(t.vdd_nominal_v == vdd[i]);
        if (i) { /* smaller nodes switch less capacitance and take less area (PTM's 45 nm
                  * runs at 1.0 V, the foundry 40 nm at 1.1 V: compare E / V^2) */
            ASSERT(t.gate_energy_j / (vdd[i] * vdd[i]) <
                   prev.gate_energy_j / (vdd[i - 1] * vdd[i - 1]));
            ASSERT(t.gate_area_m2 < prev.gate_area_m2);
            ASSERT(t.sram_cell_area_m2 < prev.sram_cell_area_m2);
        }
        prev = t;
    }
    /* 40 nm lies between its neighbors at the same supply */
    struct scim_tech a, b, c;
    tech_at(45, 1.0, 0, &a), tech_at(40, 1.0, 0, &b), tech_at(32, 1.0, 0, &c);
    ASSERT(b.gate_energy_j < a.gate_energy_j && b.gate_energy_j > c.gate_energy_j);
    ASSERT(b.i_off_a_per_m >= fmin(a.i_off_a_per_m, c.i_off_a_per_m));
    /* supply: energy as V^2, delay falls with V; lstp leaks far less than hp */
    tech_at(40, 0.9, 1, &a), tech_at(40, 1.1, 1, &b);
    WITHIN(b.gate_energy_j / a.gate_energy_j, (1.1 * 1.1) / (0.9 * 0.9), 1.0001);
    ASSERT(b.fo4_s < a.fo4_s);
    tech_at(40, 1.1, 0, &c);
    ASSERT(b.gate_leakage_w < c.gate_leakage_w / 100);
}

static void logic(const struct scim_config *cfg45)
{
    struct scim_logic_cost add, mul, reg;
    const struct scim_devinst *m = &cfg45->logic.device;
    struct scim_logic_req ra = {SCIM_LOGIC_ACCUMULATOR, 32, 0, 1};
    struct scim_logic_req rm = {SCIM_LOGIC_MULTIPLIER, 32, 32, 1};
    struct scim_logic_req rr = {SCIM_LOGIC_REGISTER, 1, 0, 1};
    ASSERT_EQ(m->ops->logic->cost(m->params, &cfg45->cost.tech, &ra, &add), 0);
    ASSERT_EQ(m->ops->logic->cost(m->params, &cfg45->cost.tech, &rm, &mul), 0);
    ASSERT_EQ(m->ops->logic->cost(m->params, &cfg45->cost.tech, &rr, &reg), 0);
    /* 40 nm, 1.1 V, hp: Aladdin's synthesized adder 0.086-0.21 pJ / 179-278 um^2, its
     * register 9 fJ per bit, its multiplier 8.6-12.7 pJ against Horowitz's 3.1 pJ */
    ASSERT(add.energy_j > 0.086e-12 / 2 && add.energy_j < 0.21e-12 * 2);
    ASSERT(add.area_m2 > 179e-12 / 2 && add.area_m2 < 278e-12 * 2);
    WITHIN(reg.energy_j, 9e-15, 3.0);
    ASSERT(mul.energy_j > 3.1e-12 && mul.energy_j < 12.7e-12);
}

static void sram(void)
{
    struct scim_tech t;
    tech_at(45, 0.9, 0, &t);
    const struct scim_device_ops *s = scim_device_find("sram_6t");
    char pp[256];
    ASSERT_EQ(scim_params_defaults(s->params, pp), 0);
    /* Horowitz ISSCC 2014, 45 nm, a 64-bit read of an 8 KB, 32 KB, 1 MB cache */
    static const double kb[] = {8, 32, 1024}, pj[] = {10, 20, 100};
    for (int i = 0; i < 3; i++) {
        struct scim_mem_geom g = {kb[i] * 8192, 64};
        WITHIN(s->memory->read_energy_j(pp, &t, &g), pj[i] * 1e-12, 3.0);
    }
}

static void adcs(void)
{
    struct scim_tech t40, t45;
    tech_at(40, 1.1, 0, &t40);
    tech_at(45, 1.0, 0, &t45);
    const struct scim_device_ops *fl = scim_device_find("flash_adc"), *sar = scim_device_find("sar_adc");
    struct {
        int64_t bits;
        double rest[8];
    } pf, ps;
    ASSERT_EQ(scim_params_defaults(fl->params, &pf), 0);
    ASSERT_EQ(scim_params_defaults(sar->params, &ps), 0);
    pf.bits = 6; /* device-physics.md §10.4: a 6-bit flash at 40 nm, 1.2 pJ */
    WITHIN(fl->adc->energy_j(&pf, &t40), 1.2e-12, 1.25);
    double e6 = fl->adc->energy_j(&pf, &t40);
    pf.bits = 5;
    WITHIN(e6 / fl->adc->energy_j(&pf, &t40), 2.0, 1.1);
    ps.bits = 5; /* NeuroSim's SAR ADC at 45 nm: ~0.14 pJ at 5 bits */
    WITHIN(sar->adc->energy_j(&ps, &t45), 0.14e-12, 3.0);
    /* the survey envelope's bounds as device-physics.md §7.1 states them */
    WITHIN(scim_adc_survey_min_j(4, 100e6), 0.19e-15, 1.15);
    WITHIN(scim_adc_survey_min_j(4, 1e9), 2.5e-15, 1.15);
    WITHIN(scim_adc_survey_min_j(6, 100e6), 3e-15, 1.15);
    WITHIN(scim_adc_survey_min_j(6, 1e9), 40e-15, 1.15);
}

static void array_wordline(const struct scim_config *cfg)
{
    /* §7.5: 256 columns at a 0.4 um pitch, ~45 fF, ~55 fJ at 1.1 V (+20 % driver) */
    WITHIN(cfg->cost.array.wordline_energy_j, 1.2 * 55e-15, 1.4);
    ASSERT(cfg->cost.array.read_delay_s >= 10e-9); /* the cell's pulse */
}

/* Relative change of a calibrated per-read energy (array + decode + ADC) for overrides. */
static double read_energy(const char *const *ov, size_t n)
{
    struct scim_config c;
    loaded(&c, ov, n);
    const struct scim_energy_table_cfg *t = &c.energy.table;
    double e = t->crossbar_read * c.cost.ratio[SCIM_CAL_CROSSBAR_READ] +
               t->decode_sense * c.cost.ratio[SCIM_CAL_DECODE_SENSE];
    scim_config_free(&c);
    return e;
}

static void calibration(void)
{
    struct scim_config c;
    loaded(&c, NULL, 0);
    for (int i = 0; i < SCIM_CAL_COUNT; i++)
        ASSERT_NEAR(c.cost.ratio[i], 1.0, 1e-12); /* at the point: the table itself */
    for (int i = 0; i < SCIM_CALA_COUNT; i++)
        ASSERT_NEAR(c.cost.area_ratio[i], 1.0, 1e-12);
    scim_config_free(&c);
    double base = read_energy(NULL, 0);
    const char *vdd[] = {"chip.vdd=1.2V"}, *bits[] = {"adc.bits=6"}, *rpr[] = {"crossbar.rows_per_read=32"};
    const char *cols[] = {"crossbar.columns=512"}, *node[] = {"chip.technology_node=22nm", "chip.vdd=0.85V"};
    ASSERT(read_energy(vdd, 1) > base);
    ASSERT(read_energy(bits, 1) > base);
    ASSERT(read_energy(rpr, 1) > base);
    ASSERT(read_energy(cols, 1) > base);
    ASSERT(read_energy(node, 2) < base);
}

/* A config that must fail, with msg in its errors. */
static void refused(const char *const *ov, size_t n, const char *msg)
{
    struct scim_config c;
    struct scim_diag d;
    ASSERT(load(&c, ov, n, &d) < 0);
    ASSERT_STR_CONTAINS(d.text, msg);
    scim_diag_free(&d);
}

static void errors(void)
{
    const char *vdd[] = {"chip.vdd=2V"}, *node[] = {"chip.technology_node=5nm"};
    const char *clock[] = {"chip.clock=3GHz"};
    refused(vdd, 1, "command line (-p #2): error: chip.vdd: 2 V is outside the 0.66 V to 1.32 V");
    refused(node, 1, "error: chip.technology_node: 5 nm is outside the ptm model's 7 nm to 130 nm");
    refused(clock, 1, "error: chip.clock 3 GHz: the 24-bit accumulator's loop takes");
    /* an ADC beyond the state of the art loads with a warning */
    const char *sar[] = {"adc.model=sar_adc", "adc.bits=4", "adc.unit_capacitance=0.01fF",
                         "adc.comparator_gates=1", "adc.logic_gates=1",
                         "chip.technology_node=7nm", "chip.vdd=0.7V"};
    struct scim_config c;
    struct scim_diag d;
    ASSERT_EQ(load(&c, sar, 7, &d), 0);
    ASSERT_STR_CONTAINS(d.text, "below the survey envelope of the state of the art");
    scim_config_free(&c);
    scim_diag_free(&d);
}

int main(void)
{
    technology();
    struct scim_config c45;
    const char *hp40[] = {"chip.transistor=hp"};
    loaded(&c45, hp40, 1);
    logic(&c45);
    array_wordline(&c45);
    scim_config_free(&c45);
    sram();
    adcs();
    calibration();
    errors();
    printf("test_cost: ok\n");
    return 0;
}
