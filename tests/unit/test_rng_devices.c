/*
 * test_rng_devices.c - the stochastic-MTJ random-bit sources sot_rng and
 * stt_rng (devices/rng_physics.c) and the p_sw curve printer (sim/curve.c).
 *
 * Checks: registration and the models' own checks (including the eq. 25b branch
 * and the RESET requirement); p_sw in [0, 1] and non-decreasing in current and
 * pulse for every law at 250/300/350 K, with eq. 25b clamped at its branch end;
 * p rising with T (Delta ~ 1/T, about +0.003 per K at p = 0.5, device-physics
 * §6.3); calibration to 1e-9 and the closed forms of §6.2; 10^6-bit streams
 * against the binomial mean, the Wald-Wolfowitz runs test and the lag-1 serial
 * correlation; the explicit RESET-failure state (weak RESET -> positive lag-1
 * correlation q(1 - p), §6.5); eq. 24 variation over 2000 instances; the energy
 * options of §6.6; and the CSV and errors of the curve printer.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/harness.h"
#include "devices/registry.h"
#include "devices/rng_physics.h"
#include "sim/curve.h"
#include "sim/base/error.h"
#include "sim/base/param.h"
#include "sim/base/rng.h"

#define Z999 3.29 /* two-sided 99.9 % normal quantile */
#define N_BITS 1000000

/* A model with its own params struct, filled with defaults. */
struct dev {
    const struct scim_device_ops *ops;
    void *params;
    struct scim_rngphys_params *phys; /* the shared first member of params */
};

static struct dev dev_defaults(const char *name)
{
    struct dev v;
    v.ops = scim_device_find(name);
    ASSERT(v.ops != NULL);
    v.params = calloc(1, v.ops->params_size);
    ASSERT(v.params != NULL);
    ASSERT_EQ(scim_params_defaults(v.ops->params, v.params), 0);
    v.phys = v.params;
    return v;
}

static void dev_free(struct dev *v)
{
    scim_params_free(v->ops->params, v->params);
    free(v->params);
}

/* eq. 25b with parameters on which it passes its check: RESET inside the branch
 * (130 uA <= 0.4436 * 300 uA) and fast enough (tau0 0.1 ns, t_reset 5 ns). */
static void make_eq25b_valid(struct dev *v)
{
    v->phys->law = SCIM_RNGPHYS_EQ25B;
    v->phys->tau0 = 0.1e-9;
    v->phys->i_c0 = 300e-6;
    v->phys->i_reset = 130e-6;
}

static int check_of(const struct dev *v, char *msg, size_t len)
{
    msg[0] = '\0';
    return v->ops->check(v->params, msg, len);
}

/* The configurations every physics test runs on. */
enum { C_LINEAR, C_EQ25B, C_EQ25B_VALID, C_STT, C_STT_B15, N_CONF };
static const char *const conf_name[N_CONF] = {"sot linear", "sot eq25b (i_c0 80uA)",
                                              "sot eq25b (valid)", "stt beta 2", "stt beta 1.5"};

static struct dev conf(int c)
{
    struct dev v = dev_defaults(c >= C_STT ? "stt_rng" : "sot_rng");
    if (c == C_EQ25B)
        v.phys->law = SCIM_RNGPHYS_EQ25B;
    if (c == C_EQ25B_VALID)
        make_eq25b_valid(&v);
    if (c == C_STT_B15)
        v.phys->beta = 1.5;
    return v;
}

static double psw(const struct dev *v, double i, double t, double temp)
{
    return v->ops->rng->p_switch(v->params, i, t, temp);
}

/* ---- registration and checks ---- */

static void test_registered(void)
{
    const char *names[] = {"sot_rng", "stt_rng"};
    for (int k = 0; k < 2; k++) {
        struct dev v = dev_defaults(names[k]);
        char msg[256];
        ASSERT_EQ(v.ops->dev_class, SCIM_DEV_RNG);
        ASSERT(v.ops->rng->p_switch && v.ops->rng->calibrate && v.ops->rng->init);
        ASSERT_EQ(v.ops->rng->state_size, sizeof(struct scim_rngphys_state));
        ASSERT_EQ(check_of(&v, msg, sizeof(msg)), 0);
        ASSERT(scim_rngphys_reset_failure(v.phys, 300.0) < 1e-6);
        dev_free(&v);
    }
    ASSERT(scim_device_find("ideal_rng") != NULL);
}

static void test_checks(void)
{
    char msg[256];
    struct dev v = conf(C_EQ25B); /* RESET 120 uA = 1.5 I_c0: off the branch */
    ASSERT(check_of(&v, msg, sizeof(msg)) < 0);
    ASSERT_STR_CONTAINS(msg, "beyond the rising branch of eq. 25b");
    ASSERT_STR_CONTAINS(msg, "270.5 uA");
    v.phys->i_c0 = 300e-6; /* on the branch now, but tau >= tau0 = 1 ns: 5 ns is too short */
    ASSERT(check_of(&v, msg, sizeof(msg)) < 0);
    ASSERT_STR_CONTAINS(msg, "RESET fails with probability");
    ASSERT_STR_CONTAINS(msg, "13.8 tau0");
    dev_free(&v);

    v = conf(C_EQ25B_VALID);
    ASSERT_EQ(check_of(&v, msg, sizeof(msg)), 0);
    dev_free(&v);

    v = conf(C_LINEAR);
    v.phys->i_reset = 78e-6; /* just below I_c0: RESET fails often */
    ASSERT(check_of(&v, msg, sizeof(msg)) < 0);
    ASSERT_STR_CONTAINS(msg, "raise i_reset or t_reset");
    v.phys->i_reset = 120e-6;
    v.phys->t_set = 0.1e-9; /* p = 0.5 still reachable above I_c0 on the linear law */
    ASSERT_EQ(check_of(&v, msg, sizeof(msg)), 0);
    dev_free(&v);
}

/* ---- monotonicity, clamp, temperature ---- */

static void check_grid_monotonic(const struct dev *v, double temp)
{
    double prev = -1.0, ic0 = v->phys->i_c0, t = v->phys->t_set;
    for (int k = 0; k < 500; k++) {
        double p = psw(v, 3.0 * ic0 * k / 499.0, t, temp);
        ASSERT(p >= 0.0 && p <= 1.0);
        ASSERT(p >= prev);
        prev = p;
    }
    const double frac[] = {0.0, 0.3, 0.42, 0.5, 0.9, 0.95, 1.0, 1.2};
    for (size_t j = 0; j < sizeof(frac) / sizeof(frac[0]); j++) {
        prev = -1.0;
        for (int k = 0; k < 400; k++) {
            double p = psw(v, frac[j] * ic0, 100e-9 * k / 399.0, temp);
            ASSERT(p >= 0.0 && p <= 1.0);
            ASSERT(p >= prev);
            prev = p;
        }
    }
}

static void test_monotonic(void)
{
    const double temps[] = {250.0, 300.0, 350.0};
    for (int c = 0; c < N_CONF; c++) {
        struct dev v = conf(c);
        for (int k = 0; k < 3; k++)
            check_grid_monotonic(&v, temps[k]);
        ASSERT_EQ(psw(&v, v.phys->i_c0, 0.0, 300.0), 0.0);
        ASSERT_EQ(psw(&v, -v.phys->i_c0, 10e-9, 300.0), psw(&v, 0.0, 10e-9, 300.0));
        dev_free(&v);
    }
}

/* eq. 25b: flat at 1 - exp(-t/tau0) from the branch end on, at every temperature. */
static void test_eq25b_clamp(void)
{
    struct dev v = conf(C_EQ25B);
    double ib = SCIM_RNGPHYS_EQ25B_XMAX * v.phys->i_c0, t = v.phys->t_set;
    double top = -expm1(-t / v.phys->tau0);
    ASSERT_NEAR(scim_rngphys_i_max(v.phys), ib, 1e-18);
    ASSERT_NEAR(scim_rngphys_current_limit(v.ops, v.params), ib, 1e-18);
    for (int k = 0; k < 3; k++) {
        double temp = 250.0 + 50.0 * k;
        ASSERT_NEAR(psw(&v, ib, t, temp), top, 1e-15);
        ASSERT_NEAR(psw(&v, 0.785 * v.phys->i_c0, t, temp), top, 1e-15); /* literal minimum */
        ASSERT_NEAR(psw(&v, 3.0 * v.phys->i_c0, t, temp), top, 1e-15);
        ASSERT(psw(&v, 0.99 * ib, t, temp) < top);
    }
    dev_free(&v);
    struct dev s = conf(C_LINEAR);
    ASSERT(isinf(scim_rngphys_current_limit(s.ops, s.params)));
    ASSERT(isinf(scim_rngphys_current_limit(scim_device_find("ideal_rng"), s.params)));
    dev_free(&s);
}

static void test_temperature(void)
{
    for (int c = 0; c < N_CONF; c++) {
        struct dev v = conf(c);
        double t = v.phys->t_set, i50 = v.ops->rng->calibrate(v.params, 0.5, 300.0);
        const double currents[] = {i50, 0.9 * i50, 0.5 * i50};
        for (int k = 0; k < 3; k++) {
            double p250 = psw(&v, currents[k], t, 250.0), p300 = psw(&v, currents[k], t, 300.0);
            double p350 = psw(&v, currents[k], t, 350.0);
            ASSERT(p250 < p300 && p300 < p350);
        }
        if (c == C_LINEAR) { /* dp/dT = 0.5 ln2 L / T = 0.0031 per K (device-physics §6.3) */
            double dp = psw(&v, i50, t, 301.0) - psw(&v, i50, t, 299.0);
            ASSERT_NEAR(dp / 2.0, 0.5 * log(2.0) * log(t / (1e-9 * log(2.0))) / 300.0, 1e-4);
        }
        dev_free(&v);
    }
}

/* ---- calibration ---- */

static void test_calibration(void)
{
    const double ps[] = {0.1, 0.2, 0.3, 0.5, 0.7, 0.9};
    double worst = 0.0;
    for (int c = 0; c < N_CONF; c++) {
        struct dev v = conf(c);
        for (int k = 0; k < 2; k++) {
            double temp = k ? 350.0 : 300.0;
            for (size_t j = 0; j < sizeof(ps) / sizeof(ps[0]); j++) {
                double i = v.ops->rng->calibrate(v.params, ps[j], temp);
                ASSERT(i >= 0.0);
                double err = fabs(psw(&v, i, v.phys->t_set, temp) - ps[j]);
                ASSERT(err <= 1e-9);
                worst = fmax(worst, err);
                if (c == C_EQ25B || c == C_EQ25B_VALID)
                    ASSERT(i <= scim_rngphys_i_max(v.phys));
            }
            printf("calibrated %-22s %3.0f K: I(p=0.5) = %.6g A\n", conf_name[c], temp,
                   v.ops->rng->calibrate(v.params, 0.5, temp));
        }
        const double bad[] = {0.0, 1.0, -0.1, 1.5, NAN, 1e-30};
        for (size_t j = 0; j < sizeof(bad) / sizeof(bad[0]); j++)
            ASSERT(v.ops->rng->calibrate(v.params, bad[j], 300.0) < 0.0);
        dev_free(&v);
    }
    printf("calibration: worst |p_sw(I_cal) - p| = %.3g\n", worst);
}

/* Closed forms of device-physics §6.2: Delta(T) f(x) = L = ln(t / (tau0 ln 2)). */
static void test_calibration_closed_form(void)
{
    struct dev s = conf(C_LINEAR), e = conf(C_EQ25B), t = conf(C_STT);
    double L = log(10e-9 / (1e-9 * log(2.0))), pi = 3.14159265358979323846;
    for (int k = 0; k < 2; k++) {
        double temp = k ? 350.0 : 300.0, dl = 45.0 * 300.0 / temp, f = L / dl;
        double xl = 1.0 - f, xs = 1.0 - sqrt(f), xe = (pi - sqrt(pi * pi - 8.0 * (1.0 - f))) / 4.0;
        ASSERT_NEAR(s.ops->rng->calibrate(s.params, 0.5, temp), 80e-6 * xl, 1e-9 * 80e-6);
        ASSERT_NEAR(e.ops->rng->calibrate(e.params, 0.5, temp), 80e-6 * xe, 1e-9 * 80e-6);
        ASSERT_NEAR(t.ops->rng->calibrate(t.params, 0.5, temp), 50e-6 * xs, 1e-9 * 50e-6);
    }
    /* eq. 25b cannot exceed 1 - exp(-t_set / tau0) = 1 - e^-10. */
    ASSERT(e.ops->rng->calibrate(e.params, 0.99999, 300.0) < 0.0);
    ASSERT(e.ops->rng->calibrate(e.params, 0.9999, 300.0) >= 0.0);
    dev_free(&s);
    dev_free(&e);
    dev_free(&t);
}

/* ---- bitstreams ---- */

struct stream_stats {
    double mean; /* fraction of ones */
    double z;    /* Wald-Wolfowitz runs statistic */
    double r1;   /* lag-1 serial correlation */
};

static struct stream_stats stream_stats(const uint8_t *b, size_t n)
{
    struct stream_stats st;
    size_t ones = 0, runs = 1;
    for (size_t i = 0; i < n; i++) {
        ones += b[i];
        runs += i > 0 && b[i] != b[i - 1];
    }
    double n1 = (double)ones, n0 = (double)(n - ones), nn = (double)n;
    double mu = 2.0 * n1 * n0 / nn + 1.0, var = (mu - 1.0) * (mu - 2.0) / (nn - 1.0);
    st.mean = n1 / nn;
    st.z = ((double)runs - mu) / sqrt(var);
    double num = 0.0, den = 0.0;
    for (size_t i = 0; i < n; i++) {
        double a = b[i] - st.mean;
        den += a * a;
        if (i + 1 < n)
            num += a * (b[i + 1] - st.mean);
    }
    st.r1 = num / den;
    return st;
}

/* n bits at p from a fresh instance at temp; the instance's state is left in s. */
static void draw_bits(const struct dev *v, struct scim_rngphys_state *s, double p, uint64_t stream,
                      uint8_t *b, size_t n)
{
    struct scim_rng r;
    scim_rng_init(&r, 2023, scim_stream_id(SCIM_STREAM_TEST, stream, 0));
    struct scim_rand rnd = scim_rng_rand(&r);
    ASSERT_EQ(v->ops->rng->init(v->params, s, 300.0, &rnd), 0);
    for (size_t i = 0; i < n; i++)
        b[i] = (uint8_t)v->ops->rng->sample(v->params, s, p, &rnd);
}

static void test_bitstream(void)
{
    uint8_t *b = malloc(N_BITS);
    ASSERT(b != NULL);
    const double ps[] = {0.5, 0.2};
    const int confs[] = {C_LINEAR, C_STT};
    for (int j = 0; j < 2; j++) {
        int c = confs[j];
        struct dev v = conf(c);
        for (int k = 0; k < 2; k++) {
            struct scim_rngphys_state s;
            draw_bits(&v, &s, ps[k], (uint64_t)(10 * c + k), b, N_BITS);
            double ph = scim_rngphys_realized_p(v.phys, &s, ps[k]), q = s.q_reset;
            double expect = ph / (1.0 - q * (1.0 - ph));
            struct stream_stats st = stream_stats(b, N_BITS);
            printf("bits %-10s p=%.1f: mean %.6f (p_hat %.9f), runs z %+.3f, lag-1 r %+.5f\n",
                   conf_name[c], ps[k], st.mean, ph, st.z, st.r1);
            ASSERT_NEAR(ph, ps[k], 1e-9);
            ASSERT(q < 1e-6);
            ASSERT_NEAR(st.mean, expect, Z999 * sqrt(expect * (1.0 - expect) / N_BITS));
            ASSERT(fabs(st.z) < Z999);
            ASSERT(fabs(st.r1) < Z999 / sqrt((double)N_BITS));
            ASSERT_EQ(s.bits, N_BITS);
            ASSERT_NEAR((double)s.ones / N_BITS, st.mean, 1e-12);
        }
        dev_free(&v);
    }
    free(b);
}

/* RESET at 30 % failure: P(1 | 1) = p + q (1 - p), so lag-1 r = q (1 - p) = 0.15. */
static void test_weak_reset(void)
{
    uint8_t *b = malloc(N_BITS);
    ASSERT(b != NULL);
    struct dev v = conf(C_LINEAR);
    double q = 0.3, dl = v.phys->delta;
    v.phys->i_reset = v.phys->i_c0 * (1.0 - log(v.phys->t_reset / (v.phys->tau0 * -log(q))) / dl);
    struct scim_rngphys_state s;
    draw_bits(&v, &s, 0.5, 99, b, N_BITS);
    ASSERT_NEAR(s.q_reset, q, 1e-9);
    double ph = scim_rngphys_realized_p(v.phys, &s, 0.5), rho = q * (1.0 - ph);
    double expect = ph / (1.0 - rho);
    struct stream_stats st = stream_stats(b, N_BITS);
    printf("weak RESET q=%.2f: mean %.5f (expected %.5f), runs z %+.1f, lag-1 r %+.4f (expected "
           "%.4f), %llu RESET failures\n",
           q, st.mean, expect, st.z, st.r1, rho, (unsigned long long)s.reset_failures);
    ASSERT(st.r1 > 0.1 && st.r1 > 10.0 * Z999 / sqrt((double)N_BITS));
    ASSERT_NEAR(st.r1, rho, 0.01);
    ASSERT_NEAR(st.mean, expect,
                Z999 * sqrt(expect * (1 - expect) * (1 + rho) / (1 - rho) / N_BITS));
    ASSERT(st.z < -Z999);
    ASSERT(s.reset_failures > 0);
    dev_free(&v);
    free(b);
}

/* A variation-free instance gives the same bits as the ideal source from the same stream. */
static void test_matches_ideal(void)
{
    struct dev v = conf(C_LINEAR), id = dev_defaults("ideal_rng");
    struct scim_rng r1, r2;
    scim_rng_init(&r1, 5, 77);
    scim_rng_init(&r2, 5, 77);
    struct scim_rand a = scim_rng_rand(&r1), c = scim_rng_rand(&r2);
    struct scim_rngphys_state s;
    ASSERT_EQ(v.ops->rng->init(v.params, &s, 300.0, &a), 0);
    int diff = 0;
    for (int i = 0; i < 100000; i++)
        diff += v.ops->rng->sample(v.params, &s, 0.3, &a) !=
                id.ops->rng->sample(id.params, NULL, 0.3, &c);
    ASSERT(diff <= 1);
    dev_free(&v);
    dev_free(&id);
}

/* ---- variation (eq. 24) ---- */

static void test_variation(void)
{
    const int n = 2000;
    const double ps[] = {0.5, 0.2};
    struct dev v = conf(C_LINEAR);
    v.phys->variation = 1;
    double sigma = v.phys->sigma_p;
    ASSERT_NEAR(sigma, 0.05, 1e-15);
    for (int k = 0; k < 2; k++) {
        double sum = 0.0, sum2 = 0.0;
        for (int i = 0; i < n; i++) {
            struct scim_rng r;
            scim_rng_init(&r, 11, scim_stream_id(SCIM_STREAM_CHIP, (uint64_t)i, (uint64_t)k));
            struct scim_rand rnd = scim_rng_rand(&r);
            struct scim_rngphys_state s;
            ASSERT_EQ(v.ops->rng->init(v.params, &s, 300.0, &rnd), 0);
            double ph = scim_rngphys_realized_p(v.phys, &s, ps[k]);
            ASSERT_NEAR(ph, fmin(fmax(ps[k] + s.eps, 0.0), 1.0), 1e-9);
            sum += ph;
            sum2 += ph * ph;
        }
        double mean = sum / n, sd = sqrt((sum2 - n * mean * mean) / (n - 1));
        printf("variation p=%.1f: %d instances, mean p_hat %.5f, sd %.5f (sigma_p %.3f)\n", ps[k],
               n, mean, sd, sigma);
        ASSERT_NEAR(mean, ps[k], Z999 * sigma / sqrt((double)n));
        ASSERT_NEAR(sd, sigma, Z999 * sigma / sqrt(2.0 * (n - 1)));
    }
    struct scim_rngphys_state s;
    ASSERT_EQ(v.ops->rng->init(v.params, &s, 300.0, NULL), SCIM_EINVAL);
    ASSERT_EQ(v.ops->rng->init(v.params, &s, 0.0, NULL), SCIM_EINVAL);
    dev_free(&v);
}

/* A zeroed state (no init) is a nominal device at 300 K; the cache wraps after 16 entries. */
static void test_state_and_cache(void)
{
    struct dev v = conf(C_STT);
    struct scim_rngphys_state s;
    memset(&s, 0, sizeof(s));
    for (int k = 1; k <= 40; k++) {
        double p = k / 41.0;
        ASSERT_NEAR(scim_rngphys_realized_p(v.phys, &s, p), p, 1e-9);
    }
    ASSERT_EQ(s.n_cached, SCIM_RNGPHYS_CACHE);
    ASSERT_NEAR(s.temp_k, 300.0, 0.0);
    ASSERT_EQ(scim_rngphys_realized_p(v.phys, &s, 0.0), 0);
    ASSERT_EQ(scim_rngphys_realized_p(v.phys, &s, 1.0), 1);
    for (int k = 0; k < s.n_cached; k++)
        ASSERT_NEAR(psw(&v, s.cache_i[k], v.phys->t_set, 300.0), s.cache_p[k], 1e-9);
    dev_free(&v);
}

/* ---- cost ---- */

static void test_cost(void)
{
    struct dev v = conf(C_LINEAR);
    const struct scim_rng_ops *o = v.ops->rng;
    double is = o->calibrate(v.params, 0.5, 300.0);
    ASSERT_NEAR(o->bit_latency_s(v.params), 15e-9, 1e-21);
    ASSERT_NEAR(o->bit_energy_j(v.params), 3.8e-12, 1e-24);
    ASSERT_NEAR(o->area_m2(v.params), 34.65e-12, 1e-24);
    ASSERT_EQ(o->static_power_w(v.params), 0);
    v.phys->energy_model = SCIM_RNGPHYS_E_SUPPLY;
    double sup = 1.1 * (is * 10e-9 + 120e-6 * 5e-9);
    ASSERT_NEAR(o->bit_energy_j(v.params), sup, 1e-9 * sup);
    v.phys->energy_model = SCIM_RNGPHYS_E_DISSIPATED;
    double dis = 1e3 * (is * is * 10e-9 + 120e-6 * 120e-6 * 5e-9);
    ASSERT_NEAR(o->bit_energy_j(v.params), dis, 1e-9 * dis);
    printf("energy per bit (sot linear): table 3.8 pJ, supply %.4g pJ, dissipated %.4g pJ\n",
           sup * 1e12, dis * 1e12);
    dev_free(&v);
}

/* ---- curve ---- */

struct capture {
    char *text;
    size_t len;
    FILE *f;
    struct scim_diag d;
};

static void cap_open(struct capture *c)
{
    c->text = NULL;
    c->f = open_memstream(&c->text, &c->len);
    ASSERT(c->f != NULL);
    scim_diag_init(&c->d, NULL);
}

static void cap_close(struct capture *c)
{
    fclose(c->f);
    free(c->text);
    scim_diag_free(&c->d);
}

/* Rows of one temperature are monotonic in p; returns the number of data rows. */
static int check_csv(const char *text, double temp_expect)
{
    const char *line = strchr(text, '\n') + 1;
    int rows = 0;
    double prev = -1.0;
    ASSERT(!strncmp(text, "current_a,pulse_s,temperature_k,p_switch\n", 41));
    while (*line && *line != '#') {
        double i, t, temp, p;
        ASSERT_EQ(sscanf(line, "%lf,%lf,%lf,%lf", &i, &t, &temp, &p), 4);
        if (temp == temp_expect) {
            ASSERT(p >= prev && p >= 0.0 && p <= 1.0);
            prev = p;
            rows++;
        }
        line = strchr(line, '\n') + 1;
    }
    return rows;
}

static void test_curve(void)
{
    struct capture c;
    cap_open(&c);
    ASSERT_EQ(scim_device_curve("sot_rng", "current=10uA:120uA:50", "300K,350K", c.f, &c.d), 0);
    fflush(c.f);
    ASSERT_EQ(check_csv(c.text, 300.0), 50);
    ASSERT_EQ(check_csv(c.text, 350.0), 50);
    ASSERT_STR_CONTAINS(c.text, "\n1e-05,1e-08,300,");
    ASSERT_STR_CONTAINS(c.text, "# temperature 300 K: I(p=0.5) = 7.5255e-05 A\n");
    ASSERT_STR_CONTAINS(c.text, "# temperature 350 K: I(p=0.5) = 7.4464e-05 A\n");
    ASSERT_EQ(c.d.errors, 0);
    cap_close(&c);

    cap_open(&c);
    ASSERT_EQ(scim_device_curve("stt_rng", "pulse=1ns:20ns:20@40uA", NULL, c.f, &c.d), 0);
    fflush(c.f);
    ASSERT_EQ(check_csv(c.text, 300.0), 20);
    ASSERT_STR_CONTAINS(c.text, "\n4e-05,1e-09,300,");
    ASSERT_STR_CONTAINS(c.text, "# temperature 300 K: I(p=0.5) = 3.7823e-05 A\n");
    cap_close(&c);

    cap_open(&c);
    ASSERT_EQ(scim_device_curve("sot_rng", "current=0A:100uA:3@5ns", "250 K", c.f, &c.d), 0);
    fflush(c.f);
    ASSERT_EQ(check_csv(c.text, 250.0), 3);
    ASSERT_STR_CONTAINS(c.text, "\n5e-05,5e-09,250,");
    cap_close(&c);
}

static void expect_curve_error(const char *name, const char *sweep, const char *temps,
                               const char *needle)
{
    struct capture c;
    cap_open(&c);
    ASSERT(scim_device_curve(name, sweep, temps, c.f, &c.d) < 0);
    fflush(c.f);
    ASSERT_EQ(c.d.errors, 1);
    ASSERT_STR_CONTAINS(c.d.text, needle);
    ASSERT_EQ(c.len, 0); /* nothing printed */
    cap_close(&c);
}

static void test_curve_errors(void)
{
    expect_curve_error("sot_rgn", "current=10uA:120uA:50", NULL, "did you mean 'sot_rng'");
    expect_curve_error("sot_mram", "current=10uA:120uA:50", NULL, "is a cell model");
    expect_curve_error("ideal_rng", "current=10uA:120uA:50", NULL, "no p_switch");
    expect_curve_error("sot_rng", "current=10uA:120uA:1", NULL, "N must be an integer from 2");
    expect_curve_error("sot_rng", "current=10uA:120uA:5x", NULL, "N must be an integer from 2");
    expect_curve_error("sot_rng", "current=10:120uA:50", NULL, "expected a current");
    expect_curve_error("sot_rng", "current=10ns:120uA:50", NULL, "expected a current");
    expect_curve_error("sot_rng", "current=10uA:120uA", NULL, "expected current=START:STOP:N");
    expect_curve_error("sot_rng", "voltage=1V:2V:3", NULL, "expected current=START:STOP:N");
    expect_curve_error("sot_rng", "current=120uA:10uA:5", NULL, "STOP must be larger");
    expect_curve_error("sot_rng", "pulse=1ns:20ns:20", NULL, "needs its current");
    expect_curve_error("sot_rng", "pulse=1ns:20ns:20@5ns", NULL, "expected a current");
    expect_curve_error("sot_rng", NULL, NULL, "--curve needs --sweep");
    expect_curve_error("sot_rng", "current=10uA:120uA:50", "300", "expected a temperature");
    expect_curve_error("sot_rng", "current=10uA:120uA:50", "300K,,350K", "--temperature");
    expect_curve_error("sot_rng", "current=10uA:120uA:50", "0K", "above 0 K");
}

/* eq. 25b: a sweep past the branch end is refused, one inside it is printed. */
static void test_curve_branch(void)
{
    struct dev v = conf(C_EQ25B_VALID);
    struct capture c;
    cap_open(&c);
    ASSERT(scim_device_curve_params(v.ops, v.params, "current=10uA:200uA:10", NULL, c.f, &c.d) < 0);
    ASSERT_STR_CONTAINS(c.d.text, "leave the rising branch of eq. 25b");
    cap_close(&c);
    cap_open(&c);
    ASSERT(scim_device_curve_params(v.ops, v.params, "pulse=1ns:2ns:2@140uA", NULL, c.f, &c.d) < 0);
    cap_close(&c);
    cap_open(&c);
    ASSERT_EQ(
        scim_device_curve_params(v.ops, v.params, "current=0A:133uA:30", "300K,350K", c.f, &c.d),
        0);
    fflush(c.f);
    ASSERT_EQ(check_csv(c.text, 350.0), 30);
    cap_close(&c);
    dev_free(&v);
}

int main(void)
{
    test_registered();
    test_checks();
    test_monotonic();
    test_eq25b_clamp();
    test_temperature();
    test_calibration();
    test_calibration_closed_form();
    test_bitstream();
    test_weak_reset();
    test_matches_ideal();
    test_variation();
    test_state_and_cache();
    test_cost();
    test_curve();
    test_curve_errors();
    test_curve_branch();
    printf("test_rng_devices: ok\n");
    return 0;
}
