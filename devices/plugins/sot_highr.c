/*
 * sot_highr.c - example out-of-tree device model: a very high-resistance SOT cell.
 *
 * Built as a shared object against devices/scim_device.h alone and loaded at
 * run time with `plugin: path/to/libspincim_sot_highr.so` in a config section.
 * It models a SOT-MRAM cell with a thicker tunnel barrier (RA in the
 * thousands of ohm*um^2, R_P in the megaohms, "resistance levels up to
 * several MOhm" as the Scale-Dropout paper cites): its parameters are the
 * resistance-area product and the pillar diameter, from which R_P follows.
 */
#include <math.h>
#include <stddef.h>
#include <stdio.h>

#include "scim_device.h"

struct highr_params {
    double ra;        /* resistance-area product, ohm*m^2 */
    double diameter;  /* MTJ pillar diameter, m */
    double tmr;       /* zero-bias TMR, fraction */
    double v_half;    /* TMR half-bias voltage, V */
    double v_read;    /* read voltage, V */
    double t_read;    /* read pulse, s */
    double i_write;   /* write current, A */
    double t_write;   /* write pulse, s */
    double v_drive;   /* write driver supply, V */
    double cell_area; /* cell area in F^2 */
};

#define P(key, field, dim, lo, hi, dflt, doc)                                                      \
    {key, SCIM_P_F64, offsetof(struct highr_params, field), dim, lo, hi, dflt, doc, NULL}
static const struct scim_param highr_table[] = {
    P("ra", ra, SCIM_DIM_RA, 1e-12, 1e-6, "2000ohm*um2", "resistance-area product of the barrier"),
    P("diameter", diameter, SCIM_DIM_LENGTH, 5e-9, 1e-6, "40nm", "MTJ pillar diameter"),
    P("tmr", tmr, SCIM_DIM_NONE, 0.01, 10, "120%", "zero-bias TMR"),
    P("v_half", v_half, SCIM_DIM_VOLT, 0.05, 5, "0.5V", "bias at which the TMR halves"),
    P("v_read", v_read, SCIM_DIM_VOLT, 0.001, 2, "0.2V", "read voltage"),
    P("t_read", t_read, SCIM_DIM_TIME, 1e-11, 1e-6, "10ns", "read pulse"),
    P("i_write", i_write, SCIM_DIM_CURRENT, 1e-7, 1e-2, "150uA", "SOT write current"),
    P("t_write", t_write, SCIM_DIM_TIME, 1e-12, 1e-6, "1ns", "write pulse"),
    P("v_drive", v_drive, SCIM_DIM_VOLT, 0.1, 5, "1.1V", "write driver supply"),
    P("cell_area", cell_area, SCIM_DIM_FAREA, 1, 10000, "100F2", "cell area in F^2"),
    {0},
};
#undef P

static double r_p(const struct highr_params *p)
{
    const double pi = 3.14159265358979323846;
    return p->ra / (pi / 4.0 * p->diameter * p->diameter);
}

static double g(const void *pv, int state, double v, double temp)
{
    const struct highr_params *p = pv;
    (void)temp;
    if (state >= 1)
        return 1.0 / r_p(p);
    double tmr = p->tmr / (1.0 + v * v / (p->v_half * p->v_half));
    return 1.0 / (r_p(p) * (1.0 + tmr));
}

static double vread(const void *p)
{
    return ((const struct highr_params *)p)->v_read;
}

static double tread(const void *p)
{
    return ((const struct highr_params *)p)->t_read;
}

static double eread(const void *pv, int state, double temp)
{
    const struct highr_params *p = pv;
    return p->v_read * p->v_read * g(p, state, p->v_read, temp) * p->t_read;
}

static double ewrite(const void *pv)
{
    const struct highr_params *p = pv;
    return p->v_drive * p->i_write * p->t_write;
}

static double twrite(const void *p)
{
    return ((const struct highr_params *)p)->t_write;
}

static double area(const void *p, double f)
{
    return ((const struct highr_params *)p)->cell_area * f * f;
}

static int check(const void *pv, char *msg, size_t len)
{
    const struct highr_params *p = pv;
    if (r_p(p) < 1e5) {
        snprintf(msg, len, "R_P = %g ohm from ra and diameter; this model is for R_P >= 100 kohm",
                 r_p(p));
        return -1;
    }
    return 0;
}

static const struct scim_cell_ops highr_cell = {
    .size = sizeof(struct scim_cell_ops),
    .levels = 2,
    .conductance_s = g,
    .read_voltage_v = vread,
    .read_latency_s = tread,
    .read_energy_j = eread,
    .write_energy_j = ewrite,
    .write_latency_s = twrite,
    .area_m2 = area,
};

static const struct scim_device_ops highr_ops = {
    .abi_version = SCIM_DEVICE_ABI,
    .name = "sot_highr",
    .summary = "example plug-in: SOT-MRAM cell with a megaohm barrier, R_P from RA and diameter",
    .dev_class = SCIM_DEV_CELL,
    .params = highr_table,
    .params_size = sizeof(struct highr_params),
    .check = check,
    .cell = &highr_cell,
};

__attribute__((visibility("default"))) int scim_plugin_init(const struct scim_host_api *host)
{
    if (host->abi_version < SCIM_DEVICE_ABI)
        return SCIM_PLUGIN_EABI;
    return host->register_device(&highr_ops);
}
