/*
 * reliability.c - retention and read-disturb probabilities of a cell.
 */
#include "reliability.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "sim/base/error.h"

int scim_device_param(const struct scim_device_ops *ops, const void *params, const char *key,
                      double *out)
{
    for (const struct scim_param *p = ops->params; p && p->key; p++)
        if (!strcmp(p->key, key) && p->type == SCIM_P_F64) {
            memcpy(out, (const char *)params + p->offset, sizeof(double));
            return 0;
        }
    return SCIM_EINVAL;
}

static int need(const struct scim_device_ops *ops, const void *params, const char *key, double *v,
                const char *what, char *msg, size_t len)
{
    if (scim_device_param(ops, params, key, v) == 0)
        return 0;
    snprintf(msg, len, "cell model '%s' has no '%s' parameter, which %s needs", ops->name, key,
             what);
    return SCIM_EINVAL;
}

/* -expm1(-x): 1 - exp(-x) without cancellation for small x. */
static double one_minus_exp(double x)
{
    return -expm1(-x);
}

int scim_cell_retention_p(const struct scim_device_ops *ops, const void *params, double t_s,
                          double temp_k, double *p, char *msg, size_t len)
{
    double delta;
    *p = 0.0;
    if (t_s <= 0.0)
        return 0;
    if (need(ops, params, "delta", &delta, "faults.retention_time", msg, len) < 0)
        return SCIM_EINVAL;
    double d = delta * 300.0 / temp_k;
    /* t / (tau0 e^d) computed in logs: e^d overflows nothing up to d = 700. */
    *p = one_minus_exp(exp(log(t_s / SCIM_TAU0_S) - d));
    return 0;
}

int scim_cell_read_disturb_p(const struct scim_device_ops *ops, const void *params, double reads,
                             double temp_k, double *p, char *msg, size_t len)
{
    static const char *const keys[] = {"delta", "v_read", "t_read", "r_p", "tmr", "i_c0", "beta"};
    double v[7];
    *p = 0.0;
    if (reads <= 0.0 || !ops->cell || !ops->cell->read_on_write_path)
        return 0;
    for (int i = 0; i < 7; i++)
        if (need(ops, params, keys[i], &v[i], "faults.reads_since_write", msg, len) < 0)
            return SCIM_EINVAL;
    double vh, tmr = v[4];
    if (scim_device_param(ops, params, "v_half", &vh) == 0 && vh > 0.0)
        tmr /= 1.0 + v[1] * v[1] / (vh * vh); /* the TMR at the read bias */
    double d = v[0] * 300.0 / temp_k, r_ap = v[3] * (1.0 + tmr), i_read = v[1] / r_ap;
    double x = 1.0 - i_read / v[5];
    if (x < 0.0)
        x = 0.0; /* a read current above I_c0 switches at once */
    double one = one_minus_exp(v[2] / SCIM_TAU0_S * exp(-d * pow(x, v[6])));
    *p = -expm1(reads * log1p(-one)); /* 1 - (1 - p_RD)^N */
    return 0;
}
