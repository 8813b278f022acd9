/*
 * ideal_rng.c - an ideal Bernoulli random-bit source.
 *
 * It gives a 1 with exactly the requested probability from the simulator's
 * counter-based generator (reproducible from the seed), and carries the cost
 * of the Spin-ScaleDrop module of the Scale-Dropout paper (Table II: 3.80 pJ
 * per random bit; Table VII: 34.65 um^2, 15 ns per sample) so that a run with
 * an ideal RNG is priced like the hardware. It stays available as the
 * reference against which stochastic-MTJ models are compared.
 */
#include <stddef.h>

#include "scim_device.h"

struct ideal_params {
    double e_bit;    /* energy per random bit, J */
    double t_bit;    /* sample period, s */
    double area;     /* module area, m^2 */
    double p_static; /* static power of the module, W */
};

static const struct scim_param ideal_table[] = {
    {"e_bit", SCIM_P_F64, offsetof(struct ideal_params, e_bit), SCIM_DIM_ENERGY, 0, 1e-9, "3.8pJ",
     "energy per random bit (Scale-Dropout Table II: spintronic RNG read)", NULL},
    {"t_bit", SCIM_P_F64, offsetof(struct ideal_params, t_bit), SCIM_DIM_TIME, 1e-12, 1e-3,
     "15ns", "sample period: SET 10 ns + sense + RESET 5 ns", NULL},
    {"area", SCIM_P_F64, offsetof(struct ideal_params, area), SCIM_DIM_AREA, 0, 1e-3, "34.65um2",
     "area of one module (Scale-Dropout Table VII)", NULL},
    {"p_static", SCIM_P_F64, offsetof(struct ideal_params, p_static), SCIM_DIM_POWER, 0, 1.0,
     "0W", "static power of one module while idle", NULL},
    {0},
};

static int ideal_sample(const void *params, void *state, double p, const struct scim_rand *rnd)
{
    (void)params;
    (void)state;
    return rnd->uniform(rnd->ctx) < p;
}

static double ideal_energy(const void *p)
{
    return ((const struct ideal_params *)p)->e_bit;
}

static double ideal_latency(const void *p)
{
    return ((const struct ideal_params *)p)->t_bit;
}

static double ideal_area(const void *p)
{
    return ((const struct ideal_params *)p)->area;
}

static double ideal_static(const void *p)
{
    return ((const struct ideal_params *)p)->p_static;
}

static const struct scim_rng_ops ideal_ops = {
    .size = sizeof(struct scim_rng_ops),
    .state_size = 0,
    .sample = ideal_sample,
    .bit_energy_j = ideal_energy,
    .bit_latency_s = ideal_latency,
    .area_m2 = ideal_area,
    .static_power_w = ideal_static,
};

const struct scim_device_ops scim_dev_ideal_rng = {
    .abi_version = SCIM_DEVICE_ABI,
    .name = "ideal_rng",
    .summary = "ideal Bernoulli source (counter-based, seeded), priced as one Spin-ScaleDrop module",
    .dev_class = SCIM_DEV_RNG,
    .params = ideal_table,
    .params_size = sizeof(struct ideal_params),
    .rng = &ideal_ops,
};
