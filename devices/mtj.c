/*
 * mtj.c - binary MTJ physics shared by the SOT and STT cell models, and their cell ops:
 * one table per read path (apart from the write path or on it), the only difference of
 * the two models besides their parameters.
 */
#include "mtj.h"

#include <math.h>
#include <stdio.h>

static double tmr_at(const struct scim_mtj_params *p, double tmr0, double v)
{
    return tmr0 / (1.0 + (v * v) / (p->v_half * p->v_half));
}

double scim_mtj_resistance(const struct scim_mtj_params *p, int state, double v)
{
    if (state >= 1)
        return p->r_p;
    return p->r_p * (1.0 + tmr_at(p, p->tmr, v));
}

double scim_mtj_conductance(const struct scim_mtj_params *p, int state, double v)
{
    return 1.0 / scim_mtj_resistance(p, state, v);
}

double scim_mtj_read_energy(const struct scim_mtj_params *p, int state)
{
    return p->v_read * p->v_read * scim_mtj_conductance(p, state, p->v_read) * p->t_read;
}

double scim_mtj_write_energy(const struct scim_mtj_params *p)
{
    return p->v_drive * p->i_write * p->t_write;
}

/* R_P and TMR vary independently and normally (relative sigmas); a draw is
 * clamped to stay physical (R_P > 0, TMR >= 0). */
double scim_mtj_sample_conductance(const struct scim_mtj_params *p, int state, double v,
                                   const struct scim_rand *rnd)
{
    double r_p = p->r_p * (1.0 + p->sigma_r_p * rnd->normal(rnd->ctx));
    if (r_p < 1e-3 * p->r_p)
        r_p = 1e-3 * p->r_p;
    if (state >= 1)
        return 1.0 / r_p;
    double tmr0 = p->tmr * (1.0 + p->sigma_tmr * rnd->normal(rnd->ctx));
    if (tmr0 < 0.0)
        tmr0 = 0.0;
    return 1.0 / (r_p * (1.0 + tmr_at(p, tmr0, v)));
}

int scim_mtj_check(const struct scim_mtj_params *p, char *msg, size_t len)
{
    if (p->v_read >= p->v_drive) {
        snprintf(msg, len, "v_read (%g V) must be below the write driver supply v_drive (%g V)",
                 p->v_read, p->v_drive);
        return -1;
    }
    return 0;
}

/* The TMR at temperature temp (device-physics.md §2.3): the spin polarization falls as
 * P(T) = P0 (1 - a T^1.5), a = 2e-5 K^-1.5, and TMR = 2 P^2 / (1 - P^2) (Julliere),
 * anchored at the configured TMR at 300 K. R_P is taken as temperature independent
 * (no verified slope collected). */
double scim_mtj_tmr_at_temp(double tmr300, double temp)
{
    const double a = 2e-5;
    if (temp <= 0.0)
        return tmr300;
    /* TMR(T) = TMR(300 K) q(P(T)) / q(P(300 K)), q(P) = P^2 / (1 - P^2): at 300 K the
     * ratio is exactly 1, so the configured value is returned unchanged. */
    double p300 = sqrt(tmr300 / (2.0 + tmr300));
    double pt = p300 * ((1.0 - a * pow(temp, 1.5)) / (1.0 - a * pow(300.0, 1.5)));
    pt = pt < 0.0 ? 0.0 : pt > 0.999999 ? 0.999999 : pt;
    return tmr300 * (pt * pt / (1.0 - pt * pt)) / (p300 * p300 / (1.0 - p300 * p300));
}

/* The parameters at temperature temp: a copy with the TMR of that temperature. */
static struct scim_mtj_params at_temp(const void *p, double temp)
{
    struct scim_mtj_params q = *(const struct scim_mtj_params *)p;
    q.tmr = scim_mtj_tmr_at_temp(q.tmr, temp);
    return q;
}

double scim_mtj_op_conductance(const void *p, int state, double v, double temp)
{
    struct scim_mtj_params q = at_temp(p, temp);
    return scim_mtj_conductance(&q, state, v);
}

double scim_mtj_op_read_voltage(const void *p)
{
    return ((const struct scim_mtj_params *)p)->v_read;
}

double scim_mtj_op_read_latency(const void *p)
{
    return ((const struct scim_mtj_params *)p)->t_read;
}

double scim_mtj_op_read_energy(const void *p, int state, double temp)
{
    struct scim_mtj_params q = at_temp(p, temp);
    return scim_mtj_read_energy(&q, state);
}

double scim_mtj_op_write_energy(const void *p)
{
    return scim_mtj_write_energy(p);
}

double scim_mtj_op_write_latency(const void *p)
{
    return ((const struct scim_mtj_params *)p)->t_write;
}

double scim_mtj_op_area(const void *p, double feature_m)
{
    return ((const struct scim_mtj_params *)p)->cell_area * feature_m * feature_m;
}

double scim_mtj_op_sample_conductance(const void *p, int state, double v, double temp,
                                      const struct scim_rand *rnd)
{
    struct scim_mtj_params q = at_temp(p, temp);
    return scim_mtj_sample_conductance(&q, state, v, rnd);
}

int scim_mtj_op_check(const void *p, char *msg, size_t len)
{
    return scim_mtj_check(p, msg, len);
}

/* A binary MTJ cell whose read current does (1) or does not (0) flow on its write path. */
#define MTJ_CELL_OPS(on_write_path)                                                                \
    {                                                                                              \
        .size = sizeof(struct scim_cell_ops),                                                      \
        .levels = 2,                                                                               \
        .read_on_write_path = on_write_path,                                                       \
        .conductance_s = scim_mtj_op_conductance,                                                  \
        .read_voltage_v = scim_mtj_op_read_voltage,                                                \
        .read_latency_s = scim_mtj_op_read_latency,                                                \
        .read_energy_j = scim_mtj_op_read_energy,                                                  \
        .write_energy_j = scim_mtj_op_write_energy,                                                \
        .write_latency_s = scim_mtj_op_write_latency,                                              \
        .area_m2 = scim_mtj_op_area,                                                               \
        .sample_conductance_s = scim_mtj_op_sample_conductance,                                    \
    }

const struct scim_cell_ops scim_mtj_cell_separate_paths = MTJ_CELL_OPS(0);
const struct scim_cell_ops scim_mtj_cell_shared_path = MTJ_CELL_OPS(1);
