/*
 * logic_cmos.c - the logic model `cmos_logic`: every digital block of the chip
 * as a count of gate-equivalents (NAND2) at the technology point.
 *
 * Energy per operation = switching gate-equivalents x the technology's energy
 * per gate (which carries the activity: it is fitted to Horowitz's 45 nm adders
 * and multipliers, counted the same way: 7 GE per adder bit, 7 GE per partial
 * product bit of a multiplier, 6 GE per register bit); area = all
 * gate-equivalents x the area per gate; leakage likewise. Delays are in FO4:
 * a w-bit prefix adder 2 log2 w + 3, plus 3 for the register (clock to Q and
 * setup); a Wallace multiplier log_1.5(b / 2) full-adder levels of 2 FO4 and a
 * final prefix adder; a comparator a carry chain of 2 log2 w + 2. Checked
 * against Aladdin's synthesized 40 nm blocks in tests/unit/test_cost.c.
 */
#include <math.h>
#include <stddef.h>

#include "scim_device.h"

struct logic_params {
    double ge_adder_bit;    /* gate-equivalents per adder bit */
    double ge_register_bit; /* gate-equivalents per register bit */
    double ge_control;      /* the controller and Monte Carlo sequencer */
    double fo4_register;    /* register overhead (clock to Q, setup), FO4 */
};

static const struct scim_param logic_table[] = {
    SCIM_PARAM_F64(struct logic_params, "gates_per_adder_bit", ge_adder_bit, SCIM_DIM_NONE, 1, 50,
                   "7", "gate-equivalents of one full adder (mirror adder, 28 transistors)"),
    SCIM_PARAM_F64(struct logic_params, "gates_per_register_bit", ge_register_bit, SCIM_DIM_NONE, 1,
                   50, "6", "gate-equivalents of one flip-flop"),
    SCIM_PARAM_F64(struct logic_params, "control_gates", ge_control, SCIM_DIM_NONE, 0, 1e8, "5000",
                   "gate-equivalents of the controller, Monte Carlo sequencer and scale muxes"),
    SCIM_PARAM_F64(struct logic_params, "register_overhead", fo4_register, SCIM_DIM_NONE, 0, 20, "3",
                   "clock-to-Q plus setup of a register, in FO4 delays"),
    {0},
};

static double lg2(double x)
{
    return x > 1 ? log2(x) : 0.0;
}

/* Switching and total gate-equivalents, and the critical path in FO4, of one block. */
struct shape {
    double sw, total, fo4;
};

static struct shape accumulator(const struct logic_params *p, int w)
{
    double g = (p->ge_adder_bit + p->ge_register_bit) * w;
    return (struct shape){g, g, 2 * lg2(w) + 3 + p->fo4_register};
}

static struct shape multiplier(const struct logic_params *p, int a, int b)
{
    int small = a > b ? b : a;
    double levels = small > 2 ? log(small / 2.0) / log(1.5) : 1.0;
    double g = p->ge_adder_bit * a * b + p->ge_register_bit * (a + b);
    return (struct shape){g, g, 2 * levels + 2 * lg2(a + b) + 3 + p->fo4_register};
}

static struct shape comparator(const struct logic_params *p, int w)
{
    double g = 3.0 * w;
    return (struct shape){g, g, 2 * lg2(w) + 2 + p->fo4_register};
}

static struct shape normalization(const struct logic_params *p, int w)
{
    struct shape m = multiplier(p, w, 16);
    double add = 2 * p->ge_adder_bit * w;
    return (struct shape){m.sw + add, m.total + add, m.fo4 + 2 * lg2(w) + 3};
}

static struct shape averaging(const struct logic_params *p, int classes, int w)
{
    struct shape a = accumulator(p, w);
    return (struct shape){a.sw * classes, a.total * classes, a.fo4};
}

static struct shape decoder(const struct logic_params *p, int rows)
{
    double n = lg2(rows);
    /* predecoders and the selected row's path switch; every row has its gate */
    return (struct shape){4.0 * n + 2.0, rows * (0.5 * n + 1.0) + 4.0 * n,
                          2.0 * (lg2(n) + 2.0) + p->fo4_register};
}

static int shape_of(const struct logic_params *p, const struct scim_logic_req *r, struct shape *s)
{
    int w = r->width > 0 ? r->width : 1, n = r->inputs > 0 ? r->inputs : 1;
    switch (r->block) {
    case SCIM_LOGIC_ACCUMULATOR: *s = accumulator(p, w); return 0;
    case SCIM_LOGIC_MULTIPLIER: *s = multiplier(p, w, r->width2 > 0 ? r->width2 : w); return 0;
    case SCIM_LOGIC_COMPARATOR: *s = comparator(p, w); return 0;
    case SCIM_LOGIC_NORMALIZATION: *s = normalization(p, w); return 0;
    case SCIM_LOGIC_POOLING: *s = (struct shape){2.0 * n, 2.0 * n, 2 * lg2(n) + 1 + p->fo4_register}; return 0;
    case SCIM_LOGIC_AVERAGING: *s = averaging(p, n, w); return 0;
    case SCIM_LOGIC_REGISTER: *s = (struct shape){p->ge_register_bit, p->ge_register_bit, p->fo4_register}; return 0;
    case SCIM_LOGIC_CONTROL: *s = (struct shape){0.1 * p->ge_control, p->ge_control, 8 + p->fo4_register}; return 0;
    case SCIM_LOGIC_DECODER: *s = decoder(p, n); return 0;
    case SCIM_LOGIC_COUNT: break;
    }
    return SCIM_PLUGIN_EINVAL;
}

static int logic_cost(const void *pv, const struct scim_tech *t, const struct scim_logic_req *r,
                      struct scim_logic_cost *out)
{
    struct shape s;
    int rc = shape_of(pv, r, &s);
    if (rc < 0)
        return rc;
    out->energy_j = s.sw * t->gate_energy_j;
    out->area_m2 = s.total * t->gate_area_m2;
    out->leakage_w = s.total * t->gate_leakage_w;
    out->delay_s = s.fo4 * t->fo4_s;
    out->gates = s.total;
    return 0;
}

static const struct scim_logic_ops logic_ops = {
    .size = sizeof(struct scim_logic_ops),
    .cost = logic_cost,
};

const struct scim_device_ops scim_dev_cmos_logic = {
    .abi_version = SCIM_DEVICE_ABI,
    .name = "cmos_logic",
    .summary = "digital blocks as gate-equivalents (NAND2) priced at the technology point",
    .dev_class = SCIM_DEV_LOGIC,
    .params = logic_table,
    .params_size = sizeof(struct logic_params),
    .logic = &logic_ops,
};
