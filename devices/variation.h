/*
 * variation.h - Gaussian conductance variation of a crossbar cell, the injection model
 * of the project's papers (inverted-normalization paper §IV-A, device-physics.md §9):
 * multiplicative, G (1 + N(0, s_mul^2)), and additive, G + N(0, s_add^2), independent
 * per cell. Device-to-device terms are drawn once per chip instance and cell,
 * cycle-to-cycle terms on every read. The Gaussians are not truncated (the papers'
 * model), so a very large sigma can give a cell a negative conductance.
 */
#ifndef SCIM_VARIATION_H
#define SCIM_VARIATION_H

#include "scim_device.h"

struct scim_cond_variation {
    double mul;   /* relative sigma (dimensionless): G (1 + N(0, mul^2)) */
    double add_s; /* absolute sigma, S: G + N(0, add_s^2) */
};

/* 1 when v changes anything. */
int scim_variation_any(const struct scim_cond_variation *v);

/* One draw of the conductance of a cell of nominal conductance g (S), S. Draws a
 * normal for each nonzero sigma, multiplicative first. */
double scim_vary_conductance(double g, const struct scim_cond_variation *v,
                             const struct scim_rand *rnd);

/* Variance of the summed conductance of n cells drawn independently from v, whose
 * squared conductances sum to sum_g2 (S^2): mul^2 sum_g2 + n add_s^2, S^2. The sum of
 * the n independent Gaussians is exactly Gaussian with this variance. */
double scim_variation_var(const struct scim_cond_variation *v, double sum_g2, double n);

#endif
