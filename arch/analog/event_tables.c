/*
 * event_tables.c - the EVENTS kernel's set-up (read noise on nominal cells): the
 * threshold z0 that makes the rare reads with |Z| > z0 the only ones that can change
 * their code, the noise std of a read of nominal cells, for each count class the
 * Walker alias table of an event read's nearest count, the gap tables where events are
 * frequent, and on the integer path where each row's pixel sits.
 */
#include "internal.h"

#include <math.h>
#include <stdlib.h>

#include "sim/base/error.h"
#include "sim/base/rng.h"

/* Events are the reads with |Z| > z0 (analog.h). */
void scim__analog_set_z0(struct scim_analog_layer *al, double z0)
{
    double p0 = erfc(z0 / sqrt(2.0));
    al->z0 = z0;
    al->log1m_p0 = p0 > 0.0 ? log1p(-p0) : 0.0;
}

/* Noise std (LSB) of a read of nominal cells: m of its len conducting cells in P. */
double scim__analog_nominal_noise(const struct scim_analog *an, int m, int len)
{
    double g2 = m * an->g_p * an->g_p + (len - m) * an->g_ap * an->g_ap;
    return sqrt(scim_variation_var(&an->c2c, g2, len)) / an->dg;
}

/* P(lo < Z < hi and |Z| > z0) for a standard normal Z, from tail probabilities (no
 * cancellation far out). */
static double tail_mass(double lo, double hi, double z0)
{
    double q = 0.0;
    double a = fmax(lo, z0), b = hi; /* upper tail */
    if (a < b)
        q += 0.5 * (erfc(a / M_SQRT2) - erfc(b / M_SQRT2));
    a = lo, b = fmin(hi, -z0); /* lower tail, by symmetry */
    if (a < b)
        q += 0.5 * (erfc(-b / M_SQRT2) - erfc(-a / M_SQRT2));
    return q;
}

#define EVENT_TABLE_MAX (1u << 22) /* doubles of a layer's event tables, at most */

/* EVENTS: for each count class (len, m), the distribution of the nearest count n of an
 * event read, x = m + s Z given |Z| > z0: the masses P(Z in ((n - 1/2 - m) / s,
 * (n + 1/2 - m) / s), |Z| > z0) (n = 0 and n = len open to infinity), normalized, as a
 * Walker alias table (Vose's construction): entry i of k keeps its own count with
 * probability prob and gives the rest of its 1/k to its alias, so one uniform u picks
 * entry floor(k u) and its fraction decides — an exact sampler of the masses. Counts
 * farther than (z0 + EVENT_RANGE) s + 1 from m are left out: an event lands there with
 * probability P(|Z| > z0 + 12 | |Z| > z0) < exp(-12 z0 - 72) < 1e-31, far below the
 * 2^-53 resolution of the uniform that picks the count. */
#define EVENT_RANGE 12.0
static void event_class(const struct scim_analog *an, struct scim_analog_layer *al, int len, int m,
                        int W, struct scim_ev_entry *e, double *q, int *work)
{
    double s = scim__analog_nominal_noise(an, m, len), sum = 0.0;
    int lo = m - W > 0 ? m - W : 0, hi = m + W < len ? m + W : len, k = hi - lo + 1;
    for (int t = 0; t < k; t++) {
        int n = lo + t;
        double zl = n == 0 ? -INFINITY : (n - 0.5 - m) / s;
        double zh = n == len ? INFINITY : (n + 0.5 - m) / s;
        sum += q[t] = s > 0.0 ? tail_mass(zl, zh, al->z0) : (n == m);
    }
    int *small = work, *large = work + k, ns = 0, nl = 0;
    for (int t = 0; t < k; t++) {
        e[t].n = e[t].alias = (uint32_t)(lo + t);
        e[t].prob = 1.0;
        q[t] *= k / sum;
        if (q[t] < 1.0)
            small[ns++] = t;
        else
            large[nl++] = t;
    }
    while (ns > 0 && nl > 0) {
        int a = small[--ns], b = large[nl - 1];
        e[a].prob = q[a], e[a].alias = (uint32_t)(lo + b);
        q[b] -= 1.0 - q[a];
        if (q[b] < 1.0)
            small[ns++] = b, nl--;
    }
    /* what is left holds 1/k each up to rounding: prob 1 */
}

/* The alias tables of every count class of the layer (al->ev_at, al->ev), or none when
 * they would be too large (the events then draw Z from the tail). */
static int build_event_tables(const struct scim_analog *an, struct scim_analog_layer *al)
{
    int L = al->max_len;
    double s_max = fmax(scim__analog_nominal_noise(an, L, L), scim__analog_nominal_noise(an, 0, L));
    int W = (int)ceil((al->z0 + EVENT_RANGE) * s_max + 1.0);
    size_t classes = (size_t)(L + 1) * (size_t)(L + 2) / 2, total = 0;
    for (int len = 0; len <= L; len++)
        total += (size_t)(len + 1) * (size_t)(2 * W + 1 < len + 1 ? 2 * W + 1 : len + 1);
    if (total > EVENT_TABLE_MAX)
        return 0; /* events draw Z instead */
    al->ev_at = malloc((classes + 1) * sizeof(uint32_t));
    al->ev = malloc(total * sizeof(*al->ev));
    double *q = malloc((size_t)(2 * W + 1) * sizeof(double));
    int *work = malloc((size_t)(4 * W + 2) * sizeof(int));
    if (!al->ev_at || !al->ev || !q || !work)
        return free(q), free(work), SCIM_ENOMEM;
    size_t at = 0, ci = 0;
    for (int len = 0; len <= L; len++)
        for (int m = 0; m <= len; m++, ci++) {
            al->ev_at[ci] = (uint32_t)at;
            event_class(an, al, len, m, W, al->ev + at, q, work);
            at += (size_t)((m + W < len ? m + W : len) - (m - W > 0 ? m - W : 0) + 1);
        }
    al->ev_at[ci] = (uint32_t)at;
    free(q), free(work);
    return 0;
}

/* Integer-path layers: where row i's pixel sits relative to the kernel window's first
 * pixel in the padded image (datapath.h: [c][h + 2 pad][w + 2 pad]), or at i (linear). */
static int build_pix_off(struct scim_analog_layer *al, const struct scim_layer_map *lm)
{
    const struct scim_layer *L = lm->layer;
    size_t hp = (size_t)(L->in_h + 2 * L->padding), wp = (size_t)(L->in_w + 2 * L->padding);
    int k = L->kernel;
    al->pix_off = malloc((size_t)lm->n_rows * sizeof(uint32_t));
    if (!al->pix_off)
        return SCIM_ENOMEM;
    for (int i = 0; i < lm->n_rows; i++)
        al->pix_off[i] =
            L->kind == SCIM_LAYER_CONV
                ? (uint32_t)(((size_t)(i / (k * k)) * hp + (size_t)(i % (k * k) / k)) * wp +
                             (size_t)(i % k))
                : (uint32_t)i;
    return 0;
}

/* EVENTS on nominal cells: z0 = 0.5 / s_max (analog.h), then the tables. */
int scim__analog_init_events(const struct scim_analog *an, struct scim_analog_layer *al,
                            const struct scim_layer_map *lm)
{
    if (lm->int_path && build_pix_off(al, lm) < 0)
        return SCIM_ENOMEM;
    scim__analog_set_z0(al, 0.5 / fmax(scim__analog_nominal_noise(an, al->max_len, al->max_len),
                                      scim__analog_nominal_noise(an, 0, al->max_len)));
    double p0 = -expm1(al->log1m_p0);
    if (p0 >= 1.0 / 32 && p0 < 1.0 && !(al->geom = malloc(sizeof(*al->geom))))
        return SCIM_ENOMEM;
    if (al->geom)
        scim_geom_init(al->geom, p0);
    return build_event_tables(an, al);
}
