/*
 * rng_physics.h - thermally activated switching of a stochastic MTJ, shared by
 * the random-bit sources sot_rng (Spin-ScaleDrop, SOT) and stt_rng (STT).
 *
 * A SET pulse of current I and width t switches the free layer with
 *     p_sw(I, t, T) = 1 - exp(-t / tau(I, T))            (Scale-Dropout eq. 25a)
 *     tau(I, T)     = tau0 * exp[Delta(T) * f(I / I_c0)]
 *     Delta(T)      = Delta(300 K) * 300 K / T           (E_b fixed, device-physics §2.2/§6.3)
 * with one of two barrier laws f(x):
 *  - power (device-physics §3.2, §4.1 a): f = (1 - x)^beta. beta = 1 is the
 *    quasi-linear SOT law, beta = 2 the quadratic STT law. Above I_c0 the law is
 *    continued as f = -(x - 1)^beta, i.e. tau falls below tau0; for beta = 1 this is
 *    the linear formula itself, for beta > 1 it is the odd continuation that keeps
 *    p_sw monotonic (the literal (1 - x)^2 would rise again). It stands in for the
 *    fast precessional regime, which is what makes a RESET at >= 1.5 I_c0
 *    deterministic (§6.2). There, p_sw is within 1e-4 of 1 for a 10 ns pulse and
 *    falls slightly with T; below I_c0, p_sw rises with T.
 *  - eq25b (Scale-Dropout eq. 25b): f = 1 - 2x(pi/2 - x) = 1 - pi x + 2 x^2. It is
 *    not monotonic: f reaches 0 at x_b = (pi - sqrt(pi^2 - 8)) / 4 = 0.4436, has a
 *    minimum at pi/4 and rises again (device-physics §4.1 b, §11 item 1). Only the
 *    rising branch x <= x_b is used; beyond it f is clamped to 0 (tau = tau0, barrier
 *    free), so p_sw stays monotonic, calibration never leaves the branch, and the
 *    highest reachable p is 1 - exp(-t_set / tau0). A device's check refuses an
 *    i_reset beyond the branch; sim/curve refuses a sweep beyond it.
 *
 * Calibration (§6.2) finds the SET current that gives a requested p at the
 * instance's temperature by Brent's method on the log-rate residual
 * ln(t/tau(I)) - ln(-ln(1 - p)), which is monotonic in I and linear for beta = 1;
 * the result meets |p_sw - p| <= 1e-9 or calibration reports failure.
 *
 * One module instance (struct scim_rngphys_state) is a single MTJ cycled SET /
 * sense / RESET (§6.1, §6.5). Its device-to-device variation is eq. 24 of
 * Scale-Dropout: the realized probability is p_hat = clamp(p_sw(I_cal) + eps, 0, 1)
 * with eps ~ N(mu_p, sigma_p^2) drawn once per instance. The magnetic state is
 * simulated explicitly: a RESET fails with q = exp(-t_reset / tau(i_reset)), and a
 * device left switched senses 1 at the next cycle whatever the SET does, so
 * P(b_n = 1 | b_n-1 = 1) = p + q (1 - p).
 *
 * Energy per bit (§6.6): `table` is the given e_bit (Scale-Dropout Table II,
 * 3.80 pJ); `supply` is V_drive (I_SET t_SET + I_RESET t_RESET); `dissipated` is
 * R (I_SET^2 t_SET + I_RESET^2 t_RESET) with R the SOT track (sot_rng) or the MTJ
 * (stt_rng). I_SET is the current calibrated for p = 0.5 at 300 K, the module's
 * operating point.
 */
#ifndef SCIM_RNG_PHYSICS_H
#define SCIM_RNG_PHYSICS_H

#include <stddef.h>
#include <stdint.h>

#include "scim_device.h"

/* Barrier law f(x) of tau = tau0 exp[Delta f(x)], x = I / I_c0. */
enum scim_rngphys_law {
    SCIM_RNGPHYS_POWER = 0, /* f = (1 - x)^beta, odd continuation above I_c0 */
    SCIM_RNGPHYS_EQ25B = 1  /* f = 1 - pi x + 2 x^2 on its rising branch x <= x_b */
};

/* How bit_energy_j prices one random bit. */
enum scim_rngphys_energy {
    SCIM_RNGPHYS_E_TABLE = 0,     /* e_bit as given */
    SCIM_RNGPHYS_E_SUPPLY = 1,    /* V_drive * (I_SET t_SET + I_RESET t_RESET) */
    SCIM_RNGPHYS_E_DISSIPATED = 2 /* r_path * (I_SET^2 t_SET + I_RESET^2 t_RESET) */
};

/* End of the rising branch of eq. 25b, (pi - sqrt(pi^2 - 8)) / 4 (dimensionless). */
#define SCIM_RNGPHYS_EQ25B_XMAX 0.4435644683524968

/* Temperature at which delta is given, K. */
#define SCIM_RNGPHYS_T_REF 300.0

/* Highest RESET failure probability a device's check accepts (§6.2). */
#define SCIM_RNGPHYS_Q_RESET_MAX 1e-6

/* Calibrated currents an instance remembers (one per distinct requested p). */
#define SCIM_RNGPHYS_CACHE 16

/* Parameters of a stochastic-MTJ RNG; the first member of each model's params
 * struct, so the scim_rngphys_op_* functions accept the model's params directly. */
struct scim_rngphys_params {
    int law;          /* enum scim_rngphys_law (sot_rng `switching_model`; stt_rng: power) */
    double beta;      /* exponent of the power law, dimensionless in [1, 2]; 0 (the model
                         has no `beta` key) means 1 */
    double tau0;      /* attempt time tau0, s */
    double delta;     /* thermal stability factor Delta at 300 K, dimensionless */
    double i_c0;      /* critical current at 0 K, A */
    double t_set;     /* SET pulse width, s */
    double t_reset;   /* RESET pulse width, s */
    double t_sense;   /* sense time between SET and RESET, s */
    double i_reset;   /* RESET current, A */
    double v_drive;   /* driver supply, V */
    double r_path;    /* resistance the write current heats: SOT track or MTJ, ohm */
    int energy_model; /* enum scim_rngphys_energy */
    double e_bit;     /* energy per bit for the table energy model, J */
    double area;      /* module area, m^2 */
    double p_static;  /* static power of one module, W */
    double sigma_p;   /* sigma of eps (eq. 24), absolute probability */
    double mu_p;      /* mean of eps (eq. 24), absolute probability */
    int variation;    /* 1: draw eps once per instance in init; 0: nominal device */
};

/* Per-instance state (the host allocates it zeroed). A zeroed state that init has
 * not seen behaves as a nominal device at 300 K. */
struct scim_rngphys_state {
    int ready;                          /* 1 once temp_k, eps and q_reset are set */
    int mtj;                            /* magnetic state: 0 = reset, 1 = switched */
    double temp_k;                      /* instance temperature, K */
    double eps;                         /* eq. 24 offset of this instance, probability */
    double q_reset;                     /* RESET failure probability at temp_k */
    int n_cached;                       /* valid entries in the cache below */
    int next_slot;                      /* entry replaced next once the cache is full */
    double cache_p[SCIM_RNGPHYS_CACHE]; /* requested probability */
    double cache_i[SCIM_RNGPHYS_CACHE]; /* SET current calibrated for it at temp_k, A */
    double cache_phat[SCIM_RNGPHYS_CACHE]; /* realized probability p_hat */
    uint64_t bits;                      /* bits sampled */
    uint64_t ones;                      /* of which 1 */
    uint64_t reset_failures;            /* RESETs that left the device switched */
};

/* Table rows every stochastic-MTJ RNG shares (offsets into T, whose member `phys`
 * is the struct scim_rngphys_params). */
#define SCIM_RNGPHYS_ROW(T, key, fld, dim, lo, hi, dflt, doc)                                      \
    {key, SCIM_P_F64, offsetof(T, phys.fld), dim, lo, hi, dflt, doc, NULL}

#define SCIM_RNGPHYS_COMMON_ROWS(T)                                                                \
    SCIM_RNGPHYS_ROW(T, "tau0", tau0, SCIM_DIM_TIME, 1e-12, 1e-6, "1ns",                           \
                     "attempt time tau0 of the Neel-Brown law"),                                   \
    SCIM_RNGPHYS_ROW(T, "delta", delta, SCIM_DIM_NONE, 1.0, 200.0, "45",                           \
                     "thermal stability factor E_b/(k_B T) at 300 K; Delta(T) = delta*300K/T"),    \
    SCIM_RNGPHYS_ROW(T, "t_set", t_set, SCIM_DIM_TIME, 1e-12, 1e-3, "10ns",                        \
                     "SET pulse width (the stochastic write)"),                                    \
    SCIM_RNGPHYS_ROW(T, "t_reset", t_reset, SCIM_DIM_TIME, 1e-12, 1e-3, "5ns",                     \
                     "RESET pulse width (the deterministic write back)"),                          \
    SCIM_RNGPHYS_ROW(T, "t_sense", t_sense, SCIM_DIM_TIME, 0.0, 1e-3, "0s",                        \
                     "sense time between SET and RESET (sample period = t_set+t_sense+t_reset)"),  \
    SCIM_RNGPHYS_ROW(T, "v_drive", v_drive, SCIM_DIM_VOLT, 0.1, 5.0, "1.1V",                       \
                     "driver supply (supply energy = v_drive * I * t)"),                           \
    {"energy_model", SCIM_P_ENUM, offsetof(T, phys.energy_model), SCIM_DIM_NONE, 0, 0, "table",    \
     "energy per bit: table = e_bit; supply = v_drive*I*t; dissipated = I^2*R*t (SET + RESET)",    \
     "table|supply|dissipated"},                                                                   \
    SCIM_RNGPHYS_ROW(T, "e_bit", e_bit, SCIM_DIM_ENERGY, 0.0, 1e-9, "3.8pJ",                       \
                     "energy per random bit for energy_model table (Scale-Dropout Table II)"),     \
    SCIM_RNGPHYS_ROW(T, "area", area, SCIM_DIM_AREA, 0.0, 1e-3, "34.65um2",                        \
                     "area of one module (Scale-Dropout Table VII)"),                              \
    SCIM_RNGPHYS_ROW(T, "p_static", p_static, SCIM_DIM_POWER, 0.0, 1.0, "0W",                      \
                     "static power of one module while idle"),                                     \
    SCIM_RNGPHYS_ROW(T, "sigma_p", sigma_p, SCIM_DIM_NONE, 0.0, 0.5, "5%",                         \
                     "device-to-device sigma of the probability offset eps (eq. 24), absolute"),   \
    SCIM_RNGPHYS_ROW(T, "mu_p", mu_p, SCIM_DIM_NONE, -0.5, 0.5, "0",                               \
                     "mean of the probability offset eps (eq. 24), absolute"),                     \
    {"variation", SCIM_P_BOOL, offsetof(T, phys.variation), SCIM_DIM_NONE, 0, 1, "false",          \
     "draw eps once per module instance (false: nominal device, eps = 0)", NULL}

/* Delta at temperature temp_k (K): delta * 300 K / temp_k. */
double scim_rngphys_delta_at(const struct scim_rngphys_params *p, double temp_k);
/* Mean switching time tau (s) for current i (A) at temp_k (K); negative currents count as 0. */
double scim_rngphys_tau(const struct scim_rngphys_params *p, double i, double temp_k);
/* p_sw for current i (A), pulse t (s), temp_k (K): in [0, 1], non-decreasing in i and t. */
double scim_rngphys_p_switch(const struct scim_rngphys_params *p, double i, double t,
                             double temp_k);
/* 1 - p_sw(i_reset, t_reset, temp_k), computed without cancellation. */
double scim_rngphys_reset_failure(const struct scim_rngphys_params *p, double temp_k);
/* Largest current (A) on which the law is valid: x_b I_c0 for eq25b, else INFINITY. */
double scim_rngphys_i_max(const struct scim_rngphys_params *p);
/* SET current (A) giving p_sw(I, t_set, temp_k) = prob within 1e-9; SCIM_ERANGE when prob
 * is out of reach (prob <= 0, prob >= 1, below the I = 0 floor, beyond the eq25b branch). */
double scim_rngphys_calibrate(const struct scim_rngphys_params *p, double prob, double temp_k);
/* Cross-check (RESET deterministic, operating point reachable, eq25b branch); 0 or < 0. */
int scim_rngphys_check(const struct scim_rngphys_params *p, char *msg, size_t len);

/* Realized probability p_hat of an instance for a request prob (calibrates and caches). */
double scim_rngphys_realized_p(const struct scim_rngphys_params *p,
                               struct scim_rngphys_state *s, double prob);

/*
 * Op functions for any params struct whose first member is struct scim_rngphys_params
 * and state struct scim_rngphys_state; a model plugs these into its struct scim_rng_ops.
 */
int scim_rngphys_op_check(const void *params, char *msg, size_t len);
int scim_rngphys_op_init(const void *params, void *state, double temp,
                         const struct scim_rand *rnd);
int scim_rngphys_op_sample(const void *params, void *state, double p,
                           const struct scim_rand *rnd);
double scim_rngphys_op_bit_energy(const void *params);
double scim_rngphys_op_bit_latency(const void *params);
double scim_rngphys_op_area(const void *params);
double scim_rngphys_op_static_power(const void *params);
double scim_rngphys_op_p_switch(const void *params, double current_a, double pulse_s,
                                double temp_k);
double scim_rngphys_op_calibrate(const void *params, double p, double temp_k);

/* Largest valid current (A) of a registered model's switching law at params: the eq25b
 * branch end for models built on these ops, INFINITY for any other model. */
double scim_rngphys_current_limit(const struct scim_device_ops *ops, const void *params);

/* The RNG ops of every model built on this physics (their params structs start
 * with struct scim_rngphys_params). */
extern const struct scim_rng_ops scim_rngphys_ops;

#endif
