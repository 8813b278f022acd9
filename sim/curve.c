/*
 * curve.c - print p_sw(I, t, T) of a random-bit device model as CSV.
 *
 * The curve is whatever the model's p_switch op computes (for sot_rng/stt_rng:
 * p_sw = 1 - exp(-t/tau), Scale-Dropout eq. 25a, with tau from the model's
 * barrier law, devices/rng_physics.h). The sweep is linear in current or pulse
 * width; each temperature gets its own block of rows and, at the end, the
 * current the model's calibrate op finds for p = 0.5 (device-physics §6.2).
 * Input errors are reported once into the diagnostics, located on the command
 * line; nothing is printed to out before the input has been checked.
 */
#include "curve.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "devices/registry.h"
#include "devices/rng_physics.h"
#include "sim/base/error.h"
#include "sim/base/param.h"
#include "sim/base/units.h"

#define CURVE_MAX_POINTS 1000000
#define CURVE_MAX_TEMPS 32
#define CURVE_TEXT_MAX 256

static const struct scim_loc cmdline = {"<command line>", 0, 0};

/* A parsed --sweep. */
struct sweep {
    int pulse;    /* 0: sweep the current at a fixed pulse; 1: sweep the pulse */
    double start; /* first swept value, A or s */
    double stop;  /* last swept value, A or s */
    long n;       /* number of points, >= 2 */
    double fixed; /* the other quantity: pulse (s) or current (A) */
};

static int sweep_error(struct scim_diag *d, int rc, const char *text, const char *why)
{
    scim_diag_error(d, &cmdline, "--sweep '%s': %s", text, why);
    return rc;
}

static int sweep_usage(struct scim_diag *d, const char *text)
{
    return sweep_error(d, SCIM_EINVAL, text,
                       "expected current=START:STOP:N[@PULSE] or pulse=START:STOP:N@CURRENT "
                       "(e.g. current=10uA:120uA:50)");
}

/* One value of dimension dim from field; errors name the sweep. */
static int sweep_value(const char *field, enum scim_dim dim, double *out, const char *text,
                       struct scim_diag *d)
{
    char msg[256];
    int rc = scim_unit_parse(field, dim, out, msg, sizeof(msg));
    if (rc < 0)
        return sweep_error(d, rc, text, msg);
    if (*out < 0.0)
        return sweep_error(d, SCIM_ERANGE, text, "values must not be negative");
    return 0;
}

static int sweep_count(const char *field, long *n, const char *text, struct scim_diag *d)
{
    char *end;
    errno = 0;
    long v = strtol(field, &end, 10);
    if (errno || end == field || *end || v < 2 || v > CURVE_MAX_POINTS) {
        char why[96];
        snprintf(why, sizeof(why), "N must be an integer from 2 to %d, got '%s'", CURVE_MAX_POINTS,
                 field);
        return sweep_error(d, SCIM_EINVAL, text, why);
    }
    *n = v;
    return 0;
}

/* The model's own SET pulse: its F64 time parameter `t_set`, or < 0 if it has none. */
static double model_pulse(const struct scim_device_ops *ops, const void *params)
{
    for (const struct scim_param *p = ops->params; p && p->key; p++)
        if (!strcmp(p->key, "t_set") && p->type == SCIM_P_F64 && p->dim == SCIM_DIM_TIME)
            return *(const double *)((const char *)params + p->offset);
    return -1.0;
}

/* START:STOP:N (buf is modified) into sw. */
static int sweep_range(char *buf, struct sweep *sw, const char *text, struct scim_diag *d)
{
    char *c1 = strchr(buf, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
    if (!c2 || strchr(c2 + 1, ':'))
        return sweep_usage(d, text);
    *c1 = *c2 = '\0';
    enum scim_dim dim = sw->pulse ? SCIM_DIM_TIME : SCIM_DIM_CURRENT;
    int rc = sweep_value(buf, dim, &sw->start, text, d);
    if (rc == 0)
        rc = sweep_value(c1 + 1, dim, &sw->stop, text, d);
    if (rc == 0)
        rc = sweep_count(c2 + 1, &sw->n, text, d);
    if (rc == 0 && !(sw->stop > sw->start))
        rc = sweep_error(d, SCIM_ERANGE, text, "STOP must be larger than START");
    return rc;
}

static int parse_sweep(const char *text, const struct scim_device_ops *ops, const void *params,
                       struct sweep *sw, struct scim_diag *d)
{
    char buf[CURVE_TEXT_MAX];
    if (!text || !*text)
        return scim_diag_error(d, &cmdline, "--curve needs --sweep (e.g. current=10uA:120uA:50)"),
               SCIM_EINVAL;
    if (strlen(text) >= sizeof(buf))
        return sweep_usage(d, text);
    strcpy(buf, text);
    char *eq = strchr(buf, '='), *at = strchr(buf, '@');
    if (!eq)
        return sweep_usage(d, text);
    *eq = '\0';
    if (at)
        *at = '\0';
    memset(sw, 0, sizeof(*sw));
    if (!strcmp(buf, "pulse"))
        sw->pulse = 1;
    else if (strcmp(buf, "current"))
        return sweep_usage(d, text);
    int rc = sweep_range(eq + 1, sw, text, d);
    if (rc < 0)
        return rc;
    if (at)
        return sweep_value(at + 1, sw->pulse ? SCIM_DIM_CURRENT : SCIM_DIM_TIME, &sw->fixed, text,
                           d);
    if (sw->pulse)
        return sweep_error(d, SCIM_EINVAL, text,
                           "a pulse sweep needs its current, e.g. pulse=1ns:20ns:20@75uA");
    sw->fixed = model_pulse(ops, params);
    if (sw->fixed < 0.0)
        return sweep_error(d, SCIM_EINVAL, text,
                           "the model has no t_set; give the pulse as current=START:STOP:N@PULSE");
    return 0;
}

/* Comma-separated temperatures (K) into t[]; default 300 K. */
static int parse_temps(const char *text, double *t, int *n, struct scim_diag *d)
{
    char buf[CURVE_TEXT_MAX];
    *n = 0;
    if (!text || !*text) {
        t[(*n)++] = 300.0;
        return 0;
    }
    if (strlen(text) >= sizeof(buf))
        return scim_diag_error(d, &cmdline, "--temperature: list too long"), SCIM_EINVAL;
    strcpy(buf, text);
    for (char *tok = buf, *next; tok; tok = next) {
        next = strchr(tok, ',');
        if (next)
            *next++ = '\0';
        char msg[256];
        int rc = scim_unit_parse(tok, SCIM_DIM_TEMP, &t[*n], msg, sizeof(msg));
        if (rc < 0)
            return scim_diag_error(d, &cmdline, "--temperature '%s': %s", text, msg), rc;
        if (!(t[*n] > 0.0))
            return scim_diag_error(d, &cmdline,
                                   "--temperature '%s': temperatures must be above 0 K", text),
                   SCIM_ERANGE;
        if (++*n == CURVE_MAX_TEMPS && next)
            return scim_diag_error(d, &cmdline, "--temperature: at most %d temperatures",
                                   CURVE_MAX_TEMPS),
                   SCIM_EINVAL;
    }
    return 0;
}

/* A sweep past the validity of the model's law (the eq. 25b branch) is refused. */
static int check_branch(const struct scim_device_ops *ops, const void *params,
                        const struct sweep *sw, const char *text, struct scim_diag *d)
{
    double i_top = sw->pulse ? sw->fixed : sw->stop;
    double limit = scim_rngphys_current_limit(ops, params);
    if (i_top <= limit)
        return 0;
    char a[48], b[48], why[200];
    snprintf(why, sizeof(why),
             "currents up to %s leave the rising branch of eq. 25b of '%s' (I <= %s); "
             "the law is not monotonic there",
             scim_unit_format(i_top, SCIM_DIM_CURRENT, 4, a, sizeof(a)), ops->name,
             scim_unit_format(limit, SCIM_DIM_CURRENT, 4, b, sizeof(b)));
    return sweep_error(d, SCIM_ERANGE, text, why);
}

static void print_rows(const struct scim_device_ops *ops, const void *params,
                       const struct sweep *sw, double temp, FILE *out)
{
    for (long k = 0; k < sw->n; k++) {
        double v = k == sw->n - 1
                       ? sw->stop
                       : sw->start + (sw->stop - sw->start) * (double)k / (double)(sw->n - 1);
        double i = sw->pulse ? sw->fixed : v, t = sw->pulse ? v : sw->fixed;
        fprintf(out, "%.9g,%.9g,%.9g,%.9g\n", i, t, temp, ops->rng->p_switch(params, i, t, temp));
    }
}

static void print_calibration(const struct scim_device_ops *ops, const void *params, double temp,
                              FILE *out)
{
    double i = ops->rng->calibrate ? ops->rng->calibrate(params, 0.5, temp) : -1.0;
    if (!ops->rng->calibrate)
        fprintf(out, "# temperature %g K: I(p=0.5) not available (no calibrate op)\n", temp);
    else if (i < 0.0)
        fprintf(out, "# temperature %g K: I(p=0.5) unreachable\n", temp);
    else
        fprintf(out, "# temperature %g K: I(p=0.5) = %.5g A\n", temp, i);
}

int scim_device_curve_params(const struct scim_device_ops *ops, const void *params,
                             const char *sweep, const char *temperatures, FILE *out,
                             struct scim_diag *d)
{
    struct sweep sw;
    double temps[CURVE_MAX_TEMPS];
    int n_temps;
    if (!ops || !ops->rng || !ops->rng->p_switch || !params || !out)
        return scim_diag_error(d, &cmdline, "--curve: model without a switching curve"),
               SCIM_EINVAL;
    int rc = parse_sweep(sweep, ops, params, &sw, d);
    if (rc == 0)
        rc = parse_temps(temperatures, temps, &n_temps, d);
    if (rc == 0)
        rc = check_branch(ops, params, &sw, sweep, d);
    if (rc < 0)
        return rc;
    fputs("current_a,pulse_s,temperature_k,p_switch\n", out);
    for (int k = 0; k < n_temps; k++)
        print_rows(ops, params, &sw, temps[k], out);
    for (int k = 0; k < n_temps; k++)
        print_calibration(ops, params, temps[k], out);
    return ferror(out) ? SCIM_EIO : 0;
}

/* The registered RNG model `name` with a switching curve into *ops; 0 or < 0 (error in d). */
static int find_curve_model(const char *name, const struct scim_device_ops **ops,
                            struct scim_diag *d)
{
    *ops = scim_device_find(name);
    if (!*ops) {
        struct scim_suggest sg;
        scim_suggest_init(&sg, name);
        scim_device_suggest(&sg, SCIM_DEV_RNG);
        scim_diag_error(d, &cmdline, "--curve: unknown device model '%s'%s", name ? name : "",
                        scim_suggest_hint(&sg));
        return SCIM_ENOENT;
    }
    if ((*ops)->dev_class != SCIM_DEV_RNG)
        return scim_diag_error(d, &cmdline,
                               "--curve: '%s' is a %s model; a curve needs an rng model",
                               (*ops)->name, scim_dev_class_name((*ops)->dev_class)),
               SCIM_EINVAL;
    if (!(*ops)->rng->p_switch)
        return scim_diag_error(d, &cmdline,
                               "--curve: rng model '%s' has no switching curve (it provides no "
                               "p_switch)",
                               (*ops)->name),
               SCIM_EINVAL;
    return 0;
}

int scim_device_curve(const char *name, const char *sweep, const char *temperatures, FILE *out,
                      struct scim_diag *d)
{
    const struct scim_device_ops *ops;
    int rc = find_curve_model(name, &ops, d);
    if (rc < 0)
        return rc;
    void *params = calloc(1, ops->params_size ? ops->params_size : 1);
    if (!params)
        return scim_diag_error(d, &cmdline, "--curve: out of memory"), SCIM_ENOMEM;
    rc = scim_params_defaults(ops->params, params);
    if (rc < 0)
        scim_diag_error(d, &cmdline, "--curve: a default of '%s' does not parse", ops->name);
    else
        rc = scim_device_curve_params(ops, params, sweep, temperatures, out, d);
    scim_params_free(ops->params, params);
    free(params);
    return rc;
}
