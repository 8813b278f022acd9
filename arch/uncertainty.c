/*
 * uncertainty.c - per-image uncertainty from the Monte Carlo outputs.
 */
#include "uncertainty.h"

#include <math.h>
#include <stdlib.h>

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double scim_quantile(double *x, int n, double q)
{
    qsort(x, (size_t)n, sizeof(double), cmp_double);
    double pos = q * (n - 1);
    int i = (int)floor(pos);
    if (i >= n - 1)
        return x[n - 1];
    return x[i] + (pos - i) * (x[i + 1] - x[i]);
}

static void column(const double *p, int T, int K, int k, double *out)
{
    for (int t = 0; t < T; t++)
        out[t] = p[(size_t)t * (size_t)K + (size_t)k];
}

void scim_image_uncertainty(const struct scim_uncertainty_cfg *cfg, const double *p, int T, int K,
                            const double *mean, int pred, int label, double *sort,
                            struct scim_image_unc *out)
{
    double var = 0.0, ent = 0.0, score = 0.0;
    for (int t = 0; t < T; t++) {
        double d = p[(size_t)t * (size_t)K + (size_t)pred] - mean[pred];
        var += d * d;
    }
    for (int k = 0; k < K; k++)
        if (mean[k] > 0.0)
            ent -= mean[k] * log(mean[k]);
    for (int k = 0; k < K; k++) {
        column(p, T, K, k, sort);
        double q = scim_quantile(sort, T, cfg->ood_quantile);
        if (q > score)
            score = q;
    }
    column(p, T, K, pred, sort);
    double tail = (1.0 - cfg->ci_level) / 2.0;
    out->ci_low = (float)scim_quantile(sort, T, tail);
    out->ci_high = (float)scim_quantile(sort, T, 1.0 - tail);
    out->variance = (float)(var / T);
    out->entropy = (float)ent;
    out->nll = (float)-log(mean[label] > 1e-300 ? mean[label] : 1e-300);
    out->ood_score = (float)score;
    out->ood = score < cfg->ood_threshold;
}
