/*
 * uncertainty.h - what the T Monte Carlo outputs of one image say about it.
 *
 * From the T softmax vectors of an image (Scale-Dropout §IV-B and §VI-C):
 * predictive mean (eq. 18), the variance of the predicted class (eq. 21),
 * the predictive entropy, the negative log-likelihood of the label, the K %
 * confidence interval of the predicted class from percentiles (eq. 23), and
 * the OOD decision of eq. 26: an image is out of distribution when the
 * largest, over classes, of the q-quantile of its T softmax outputs is below
 * the threshold (q = 10 %, threshold 0.95 in the paper).
 */
#ifndef SCIM_UNCERTAINTY_H
#define SCIM_UNCERTAINTY_H

struct scim_uncertainty_cfg {
    double ci_level;      /* confidence level K of the interval, fraction (0.95) */
    double ood_quantile;  /* quantile q of eq. 26, fraction (0.10) */
    double ood_threshold; /* eq. 26 threshold on the max-over-classes quantile (0.95) */
};

struct scim_image_unc {
    float variance;  /* eq. 21 variance of the predicted class's probability */
    float entropy;   /* predictive entropy of the mean, nats */
    float nll;       /* -log(mean probability of the label), nats */
    float ci_low;    /* lower end of the K % interval of the predicted class */
    float ci_high;   /* upper end */
    float ood_score; /* max over classes of the q-quantile of the T outputs */
    unsigned char ood; /* 1: flagged out of distribution (rejected) */
};

/* p: T x K softmax outputs (row per pass); mean: K; sort: scratch of T doubles. */
void scim_image_uncertainty(const struct scim_uncertainty_cfg *cfg, const double *p, int T, int K,
                            const double *mean, int pred, int label, double *sort,
                            struct scim_image_unc *out);

/* q-quantile of x[0..n) with linear interpolation (numpy's default); sorts x. */
double scim_quantile(double *x, int n, double q);

#endif
