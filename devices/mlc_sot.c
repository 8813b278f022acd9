/*
 * mlc_sot.c - multi-level SOT cell: four MTJs on one SOT track, read in parallel.
 *
 * The cell of the subset-parameter paper's scale crossbar (§III-C-2; device-
 * physics.md §5): the four MTJs share top and bottom electrodes, so only two
 * access transistors are needed, and the parallel read gives five equally
 * spaced conductance levels G_k = k G_P + (4 - k) G_AP(V), k = 0 (4AP) .. 4 (4P).
 * A write programs the pillars one by one (VCMA-assisted SOT pulses), so its
 * energy and time are four single-pillar pulses. Defaults: the high-R preset
 * (R_P 331 kohm, TMR 100 %: levels 6.06 .. 12.12 uS at 0 V bias).
 */
#include <stddef.h>

#include "mtj.h"

#define MLC_PILLARS 4

struct mlc_params {
    struct scim_mtj_params mtj; /* per-pillar electrical parameters, SI */
};

static const struct scim_param mlc_table[] = {
    SCIM_MTJ_PARAM_ROWS(struct mlc_params, "331kohm", "100%", "0.1V", "10ns", "200uA", "1ns",
                        "150F2"),
    {0},
};

static double mlc_g(const void *p, int state, double v, double temp)
{
    double gp = scim_mtj_op_conductance(p, 1, v, temp), gap = scim_mtj_op_conductance(p, 0, v, temp);
    return state * gp + (MLC_PILLARS - state) * gap;
}

static double mlc_eread(const void *pv, int state, double temp)
{
    const struct scim_mtj_params *p = pv;
    return p->v_read * p->v_read * mlc_g(pv, state, p->v_read, temp) * p->t_read;
}

static double mlc_ewrite(const void *p)
{
    return MLC_PILLARS * scim_mtj_write_energy(p);
}

static double mlc_twrite(const void *p)
{
    return MLC_PILLARS * ((const struct scim_mtj_params *)p)->t_write;
}

/* Each pillar varies on its own (device-physics §5.2). */
static double mlc_sample_g(const void *p, int state, double v, double temp,
                           const struct scim_rand *rnd)
{
    double g = 0.0;
    for (int k = 0; k < MLC_PILLARS; k++)
        g += scim_mtj_op_sample_conductance(p, k < state, v, temp, rnd);
    return g;
}

static const struct scim_cell_ops mlc_cell = {
    .size = sizeof(struct scim_cell_ops),
    .levels = MLC_PILLARS + 1,
    .read_on_write_path = 0,
    .conductance_s = mlc_g,
    .read_voltage_v = scim_mtj_op_read_voltage,
    .read_latency_s = scim_mtj_op_read_latency,
    .read_energy_j = mlc_eread,
    .write_energy_j = mlc_ewrite,
    .write_latency_s = mlc_twrite,
    .area_m2 = scim_mtj_op_area,
    .sample_conductance_s = mlc_sample_g,
};

const struct scim_device_ops scim_dev_mlc_sot = {
    .abi_version = SCIM_DEVICE_ABI,
    .name = "mlc_sot",
    .summary = "multi-level SOT cell: 4 MTJs on one track, 5 conductance levels (scale crossbar)",
    .dev_class = SCIM_DEV_CELL,
    .params = mlc_table,
    .params_size = sizeof(struct mlc_params),
    .check = scim_mtj_op_check,
    .cell = &mlc_cell,
};
