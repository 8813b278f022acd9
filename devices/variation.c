/*
 * variation.c - Gaussian conductance variation of a crossbar cell.
 */
#include "variation.h"

int scim_variation_any(const struct scim_cond_variation *v)
{
    return v->mul > 0.0 || v->add_s > 0.0;
}

double scim_vary_conductance(double g, const struct scim_cond_variation *v,
                             const struct scim_rand *rnd)
{
    if (v->mul > 0.0)
        g *= 1.0 + v->mul * rnd->normal(rnd->ctx);
    if (v->add_s > 0.0)
        g += v->add_s * rnd->normal(rnd->ctx);
    return g;
}

double scim_variation_var(const struct scim_cond_variation *v, double sum_g2, double n)
{
    return v->mul * v->mul * sum_g2 + n * v->add_s * v->add_s;
}
