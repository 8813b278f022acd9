/*
 * rng_physics.c - switching probability, calibration and the SET/sense/RESET
 * cycle of a stochastic MTJ, shared by sot_rng and stt_rng.
 *
 * Equations (see rng_physics.h for the full statement): p_sw = 1 - exp(-t/tau)
 * (Scale-Dropout eq. 25a), tau = tau0 exp[Delta(T) f(I/I_c0)] with the power law
 * of device-physics §3.2/§4.1 (a) or eq. 25b clamped to its rising branch,
 * Delta(T) = Delta(300 K) 300 K / T, eq. 24 for the device-to-device offset, the
 * explicit RESET-failure state of §6.5 and the energy options of §6.6.
 *
 * p_sw is evaluated as -expm1(-exp(ln t - ln tau)), so it keeps full relative
 * precision for tiny probabilities, saturates cleanly at 1 and is a composition
 * of monotonic operations in I and t. Calibration solves ln(t/tau(I)) =
 * ln(-ln(1 - p)) for I with Brent's method on a bracket that starts at I = 0 and
 * ends at the eq25b branch end or at the first doubling of I_c0 past the root.
 */
#include "rng_physics.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "sim/base/error.h"

#define RNGPHYS_PI 3.14159265358979323846
#define RNGPHYS_P_TOL 1e-9   /* |p_sw(I_cal) - p| calibration must meet */
#define RNGPHYS_R_TOL 1e-13  /* log-rate residual at which Brent stops */
#define RNGPHYS_MAX_ITER 200 /* Brent iterations before giving up */
#define RNGPHYS_MAX_DOUBLINGS 64

/* ---- switching law ---- */

/* Barrier factor f(x), non-increasing in x; x = I / I_c0 with I < 0 counted as 0. */
static double barrier(const struct scim_rngphys_params *p, double i)
{
    double x = i > 0.0 ? i / p->i_c0 : 0.0;
    if (p->law == SCIM_RNGPHYS_EQ25B) {
        if (x >= SCIM_RNGPHYS_EQ25B_XMAX)
            return 0.0;
        return fmax(1.0 + x * (2.0 * x - RNGPHYS_PI), 0.0);
    }
    double beta = p->beta > 0.0 ? p->beta : 1.0;
    if (beta == 1.0)
        return 1.0 - x;
    return x <= 1.0 ? pow(1.0 - x, beta) : -pow(x - 1.0, beta);
}

double scim_rngphys_delta_at(const struct scim_rngphys_params *p, double temp_k)
{
    return p->delta * (SCIM_RNGPHYS_T_REF / temp_k);
}

/* ln(tau / 1 s). */
static double log_tau(const struct scim_rngphys_params *p, double i, double temp_k)
{
    return log(p->tau0) + scim_rngphys_delta_at(p, temp_k) * barrier(p, i);
}

double scim_rngphys_tau(const struct scim_rngphys_params *p, double i, double temp_k)
{
    return exp(log_tau(p, i, temp_k));
}

/* ln(t / tau): the log of the expected number of switching events in the pulse. */
static double log_rate(const struct scim_rngphys_params *p, double i, double t, double temp_k)
{
    return log(t) - log_tau(p, i, temp_k);
}

double scim_rngphys_p_switch(const struct scim_rngphys_params *p, double i, double t, double temp_k)
{
    if (!(temp_k > 0.0))
        return NAN;
    if (!(t > 0.0))
        return 0.0;
    return -expm1(-exp(log_rate(p, i, t, temp_k)));
}

double scim_rngphys_reset_failure(const struct scim_rngphys_params *p, double temp_k)
{
    if (!(p->t_reset > 0.0))
        return 1.0;
    return exp(-exp(log_rate(p, p->i_reset, p->t_reset, temp_k)));
}

double scim_rngphys_i_max(const struct scim_rngphys_params *p)
{
    return p->law == SCIM_RNGPHYS_EQ25B ? SCIM_RNGPHYS_EQ25B_XMAX * p->i_c0 : INFINITY;
}

/* ---- calibration ---- */

/* What the residual needs: r(I) = ln(t_set / tau(I, T)) - target, increasing in I. */
struct resid_ctx {
    const struct scim_rngphys_params *p;
    double temp_k;
    double target; /* ln(-ln(1 - p_requested)) */
};

static double resid(double i, const struct resid_ctx *c)
{
    return log_rate(c->p, i, c->p->t_set, c->temp_k) - c->target;
}

/* Brent's method (Brent 1973, as in the zeroin/zbrent codes) on [a, b] with
 * fa = r(a) and fb = r(b) of opposite signs. Returns the root estimate. */
static double brent(const struct resid_ctx *ctx, double a, double b, double fa, double fb)
{
    double c = b, fc = fb, d = b - a, e = d;
    for (int it = 0; it < RNGPHYS_MAX_ITER; it++) {
        if ((fb > 0.0) == (fc > 0.0)) {
            c = a, fc = fa;
            d = e = b - a;
        }
        if (fabs(fc) < fabs(fb)) {
            a = b, b = c, c = a;
            fa = fb, fb = fc, fc = fa;
        }
        double tol = 2.0 * DBL_EPSILON * fabs(b) + DBL_MIN;
        double xm = 0.5 * (c - b);
        if (fabs(xm) <= tol || fabs(fb) <= RNGPHYS_R_TOL)
            return b;
        if (fabs(e) >= tol && fabs(fa) > fabs(fb)) {
            double s = fb / fa, pn, q;
            if (a == c) {
                pn = 2.0 * xm * s;
                q = 1.0 - s;
            } else {
                double qa = fa / fc, r = fb / fc;
                pn = s * (2.0 * xm * qa * (qa - r) - (b - a) * (r - 1.0));
                q = (qa - 1.0) * (r - 1.0) * (s - 1.0);
            }
            if (pn > 0.0)
                q = -q;
            pn = fabs(pn);
            if (2.0 * pn < fmin(3.0 * xm * q - fabs(tol * q), fabs(e * q))) {
                e = d;
                d = pn / q;
            } else {
                d = e = xm;
            }
        } else {
            d = e = xm;
        }
        a = b, fa = fb;
        b += fabs(d) > tol ? d : copysign(tol, xm);
        fb = resid(b, ctx);
    }
    return b;
}

/* Upper end of the bracket: the branch end (eq25b) or I_c0 doubled until r >= 0. */
static double bracket_hi(const struct resid_ctx *ctx, double *fhi)
{
    const struct scim_rngphys_params *p = ctx->p;
    double hi = p->law == SCIM_RNGPHYS_EQ25B ? scim_rngphys_i_max(p) : p->i_c0;
    *fhi = resid(hi, ctx);
    for (int k = 0; p->law != SCIM_RNGPHYS_EQ25B && *fhi < 0.0 && k < RNGPHYS_MAX_DOUBLINGS; k++) {
        hi *= 2.0;
        *fhi = resid(hi, ctx);
    }
    return hi;
}

/*
 * SET current for prob at temp_k into *i. Returns 0 on success; -1 if prob lies below
 * the I = 0 floor (*i = 0); +1 if above the highest reachable p (*i = the bracket top);
 * SCIM_ERANGE if the solution misses the tolerance or the inputs are invalid.
 */
static int solve_current(const struct scim_rngphys_params *p, double prob, double temp_k, double *i)
{
    *i = 0.0;
    if (!(temp_k > 0.0) || !(p->t_set > 0.0) || !(p->i_c0 > 0.0) || !(prob > 0.0 && prob < 1.0))
        return SCIM_ERANGE;
    struct resid_ctx ctx = {p, temp_k, log(-log1p(-prob))};
    double flo = resid(0.0, &ctx), fhi;
    if (flo > 0.0)
        return -1;
    double hi = bracket_hi(&ctx, &fhi);
    if (fhi < 0.0 || !isfinite(fhi))
        return *i = hi, 1;
    *i = flo == 0.0 ? 0.0 : fhi == 0.0 ? hi : brent(&ctx, 0.0, hi, flo, fhi);
    double err = fabs(scim_rngphys_p_switch(p, *i, p->t_set, temp_k) - prob);
    return err <= RNGPHYS_P_TOL ? 0 : SCIM_ERANGE;
}

double scim_rngphys_calibrate(const struct scim_rngphys_params *p, double prob, double temp_k)
{
    double i;
    return solve_current(p, prob, temp_k, &i) == 0 ? i : (double)SCIM_ERANGE;
}

/* ---- cross-check ---- */

static int check_branch(const struct scim_rngphys_params *p, char *msg, size_t len)
{
    double i_max = scim_rngphys_i_max(p);
    if (p->i_reset <= i_max)
        return 0;
    snprintf(
        msg, len,
        "i_reset (%.4g uA) is %.3g I_c0, beyond the rising branch of eq. 25b "
        "(I <= %.4f I_c0 = %.4g uA); raise i_c0 to at least %.4g uA or use switching_model: linear",
        p->i_reset * 1e6, p->i_reset / p->i_c0, SCIM_RNGPHYS_EQ25B_XMAX, i_max * 1e6,
        p->i_reset / SCIM_RNGPHYS_EQ25B_XMAX * 1e6);
    return SCIM_EINVAL;
}

static int check_reset(const struct scim_rngphys_params *p, char *msg, size_t len)
{
    double q = scim_rngphys_reset_failure(p, SCIM_RNGPHYS_T_REF);
    if (q < SCIM_RNGPHYS_Q_RESET_MAX)
        return 0;
    snprintf(msg, len,
             "RESET fails with probability %.3g at 300 K (i_reset %.4g uA, t_reset %.4g ns); it "
             "must stay below %g: raise i_reset or t_reset%s",
             q, p->i_reset * 1e6, p->t_reset * 1e9, SCIM_RNGPHYS_Q_RESET_MAX,
             p->law == SCIM_RNGPHYS_EQ25B ? " (eq. 25b never switches faster than tau0, so "
                                            "t_reset must exceed 13.8 tau0)"
                                          : "");
    return SCIM_EINVAL;
}

static int check_operating_point(const struct scim_rngphys_params *p, char *msg, size_t len)
{
    double i;
    int rc = solve_current(p, 0.5, SCIM_RNGPHYS_T_REF, &i);
    if (rc == 0)
        return 0;
    snprintf(msg, len,
             "p = 0.5 cannot be reached with t_set %.4g ns at 300 K (highest p: %.6g); "
             "lengthen t_set or shorten tau0",
             p->t_set * 1e9, scim_rngphys_p_switch(p, i, p->t_set, SCIM_RNGPHYS_T_REF));
    return SCIM_EINVAL;
}

int scim_rngphys_check(const struct scim_rngphys_params *p, char *msg, size_t len)
{
    int rc = check_branch(p, msg, len);
    if (rc == 0)
        rc = check_reset(p, msg, len);
    if (rc == 0)
        rc = check_operating_point(p, msg, len);
    return rc;
}

/* ---- one instance ---- */

/* Nominal device at 300 K for a state that init has not seen. */
static void ensure_ready(const struct scim_rngphys_params *p, struct scim_rngphys_state *s)
{
    if (s->ready)
        return;
    s->temp_k = SCIM_RNGPHYS_T_REF;
    s->eps = 0.0;
    s->q_reset = scim_rngphys_reset_failure(p, s->temp_k);
    s->ready = 1;
}

static int cache_find(const struct scim_rngphys_state *s, double prob)
{
    for (int k = 0; k < s->n_cached; k++)
        if (s->cache_p[k] == prob)
            return k;
    return -1;
}

/* Calibrate for prob (clamping to the reachable range) and remember it. */
static int cache_add(const struct scim_rngphys_params *p, struct scim_rngphys_state *s, double prob)
{
    double i;
    solve_current(p, prob, s->temp_k, &i);
    double pn = scim_rngphys_p_switch(p, i, p->t_set, s->temp_k) + s->eps;
    int k = s->n_cached < SCIM_RNGPHYS_CACHE ? s->n_cached++ : s->next_slot;
    if (s->n_cached == SCIM_RNGPHYS_CACHE)
        s->next_slot = (k + 1) % SCIM_RNGPHYS_CACHE;
    s->cache_p[k] = prob;
    s->cache_i[k] = i;
    s->cache_phat[k] = fmin(fmax(pn, 0.0), 1.0);
    return k;
}

double scim_rngphys_realized_p(const struct scim_rngphys_params *p, struct scim_rngphys_state *s,
                               double prob)
{
    ensure_ready(p, s);
    if (!(prob > 0.0))
        return 0.0;
    if (prob >= 1.0)
        return 1.0;
    int k = cache_find(s, prob);
    return s->cache_phat[k >= 0 ? k : cache_add(p, s, prob)];
}

/* ---- op functions ---- */

int scim_rngphys_op_check(const void *params, char *msg, size_t len)
{
    return scim_rngphys_check(params, msg, len);
}

int scim_rngphys_op_init(const void *params, void *state, double temp, const struct scim_rand *rnd)
{
    const struct scim_rngphys_params *p = params;
    struct scim_rngphys_state *s = state;
    if (!(temp > 0.0) || !isfinite(temp))
        return SCIM_EINVAL;
    if (p->variation && (!rnd || !rnd->normal))
        return SCIM_EINVAL;
    memset(s, 0, sizeof(*s));
    s->temp_k = temp;
    s->eps = p->variation ? p->mu_p + p->sigma_p * rnd->normal(rnd->ctx) : 0.0;
    s->q_reset = scim_rngphys_reset_failure(p, temp);
    s->ready = 1;
    return 0;
}

/* SET with p_hat (a device left switched stays switched), sense, RESET. One uniform
 * per bit for the SET; a second only when a RESET can fail. */
int scim_rngphys_op_sample(const void *params, void *state, double prob,
                           const struct scim_rand *rnd)
{
    const struct scim_rngphys_params *p = params;
    struct scim_rngphys_state *s = state;
    double phat = scim_rngphys_realized_p(p, s, prob);
    double u = rnd->uniform(rnd->ctx);
    if (!s->mtj && u < phat)
        s->mtj = 1;
    int bit = s->mtj;
    if (s->mtj) {
        if (s->q_reset > 0.0 && rnd->uniform(rnd->ctx) < s->q_reset)
            s->reset_failures++;
        else
            s->mtj = 0;
    }
    s->bits++;
    s->ones += (uint64_t)bit;
    return bit;
}

/* SET current of the operating point p = 0.5 at 300 K (I_c0 if unreachable). */
static double i_set_ref(const struct scim_rngphys_params *p)
{
    double i = scim_rngphys_calibrate(p, 0.5, SCIM_RNGPHYS_T_REF);
    return i >= 0.0 ? i : p->i_c0;
}

double scim_rngphys_op_bit_energy(const void *params)
{
    const struct scim_rngphys_params *p = params;
    double is = i_set_ref(p), ir = p->i_reset;
    switch (p->energy_model) {
    case SCIM_RNGPHYS_E_SUPPLY:
        return p->v_drive * (is * p->t_set + ir * p->t_reset);
    case SCIM_RNGPHYS_E_DISSIPATED:
        return p->r_path * (is * is * p->t_set + ir * ir * p->t_reset);
    default:
        return p->e_bit;
    }
}

double scim_rngphys_op_bit_latency(const void *params)
{
    const struct scim_rngphys_params *p = params;
    return p->t_set + p->t_sense + p->t_reset;
}

double scim_rngphys_op_area(const void *params)
{
    return ((const struct scim_rngphys_params *)params)->area;
}

double scim_rngphys_op_static_power(const void *params)
{
    return ((const struct scim_rngphys_params *)params)->p_static;
}

double scim_rngphys_op_p_switch(const void *params, double current_a, double pulse_s, double temp_k)
{
    return scim_rngphys_p_switch(params, current_a, pulse_s, temp_k);
}

double scim_rngphys_op_calibrate(const void *params, double p, double temp_k)
{
    return scim_rngphys_calibrate(params, p, temp_k);
}

double scim_rngphys_current_limit(const struct scim_device_ops *ops, const void *params)
{
    if (!ops || !ops->rng || ops->rng->p_switch != scim_rngphys_op_p_switch || !params)
        return INFINITY;
    return scim_rngphys_i_max(params);
}

const struct scim_rng_ops scim_rngphys_ops = {
    .size = sizeof(struct scim_rng_ops),
    .state_size = sizeof(struct scim_rngphys_state),
    .init = scim_rngphys_op_init,
    .sample = scim_rngphys_op_sample,
    .bit_energy_j = scim_rngphys_op_bit_energy,
    .bit_latency_s = scim_rngphys_op_bit_latency,
    .area_m2 = scim_rngphys_op_area,
    .static_power_w = scim_rngphys_op_static_power,
    .p_switch = scim_rngphys_op_p_switch,
    .calibrate = scim_rngphys_op_calibrate,
};
