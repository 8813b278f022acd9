/*
 * mtj.h - physics shared by the MTJ cell models: resistance states with the
 * bias dependence of the TMR, and read/write energies.
 *
 * TMR(V) = TMR0 / (1 + V^2 / V_h^2) (device-physics.md §2.1); only R_AP
 * depends on the bias: R_AP(V) = R_P (1 + TMR(V)). State 0 is AP (high
 * resistance), state 1 is P (low resistance).
 */
#ifndef SCIM_MTJ_H
#define SCIM_MTJ_H

#include "scim_device.h"

/* Common electrical parameters of a binary MTJ cell (SI units). */
struct scim_mtj_params {
    double r_p;        /* parallel-state resistance, ohm */
    double tmr;        /* zero-bias TMR, fraction (1.0 = 100 %) */
    double v_half;     /* bias at which the TMR halves, V */
    double v_read;     /* read voltage across the cell, V */
    double t_read;     /* read pulse, s */
    double i_write;    /* write current, A */
    double t_write;    /* write pulse, s */
    double v_drive;    /* write driver supply, V */
    double delta;      /* thermal stability factor at 300 K (dimensionless) */
    double cell_area;  /* cell area in F^2 (dimensionless multiple of F^2) */
    double sigma_r_p;  /* device-to-device relative sigma of R_P */
    double sigma_tmr;  /* device-to-device relative sigma of TMR */
};

/* Parameter-table rows common to every binary MTJ cell (offsets into a struct whose
 * first member is struct scim_mtj_params). The defaults differ per model, so each
 * model passes its own default strings. */
#define SCIM_MTJ_PARAM_ROWS(T, d_rp, d_tmr, d_vread, d_tread, d_iw, d_tw, d_area)                  \
    {"r_p", SCIM_P_F64, offsetof(T, mtj.r_p), SCIM_DIM_RES, 100.0, 1e9, d_rp,                      \
     "parallel (low) resistance R_P", NULL},                                                       \
    {"tmr", SCIM_P_F64, offsetof(T, mtj.tmr), SCIM_DIM_NONE, 0.01, 10.0, d_tmr,                    \
     "zero-bias tunnel magnetoresistance (R_AP - R_P)/R_P", NULL},                                 \
    {"v_half", SCIM_P_F64, offsetof(T, mtj.v_half), SCIM_DIM_VOLT, 0.05, 5.0, "0.5V",              \
     "bias at which the TMR falls to half (TMR bias dependence)", NULL},                           \
    {"v_read", SCIM_P_F64, offsetof(T, mtj.v_read), SCIM_DIM_VOLT, 0.001, 2.0, d_vread,            \
     "read voltage across a selected cell", NULL},                                                 \
    {"t_read", SCIM_P_F64, offsetof(T, mtj.t_read), SCIM_DIM_TIME, 1e-11, 1e-6, d_tread,           \
     "read (wordline) pulse width", NULL},                                                         \
    {"i_write", SCIM_P_F64, offsetof(T, mtj.i_write), SCIM_DIM_CURRENT, 1e-7, 1e-2, d_iw,          \
     "write current", NULL},                                                                       \
    {"t_write", SCIM_P_F64, offsetof(T, mtj.t_write), SCIM_DIM_TIME, 1e-12, 1e-6, d_tw,            \
     "write pulse width", NULL},                                                                   \
    {"v_drive", SCIM_P_F64, offsetof(T, mtj.v_drive), SCIM_DIM_VOLT, 0.1, 5.0, "1.1V",             \
     "write driver supply (write energy = v_drive * i_write * t_write)", NULL},                    \
    {"delta", SCIM_P_F64, offsetof(T, mtj.delta), SCIM_DIM_NONE, 1.0, 200.0, "60",                 \
     "thermal stability factor E_b/(k_B T) at 300 K", NULL},                                       \
    {"cell_area", SCIM_P_F64, offsetof(T, mtj.cell_area), SCIM_DIM_FAREA, 1.0, 10000.0, d_area,    \
     "cell area with its access transistors, in F^2", NULL},                                       \
    {"sigma_r_p", SCIM_P_F64, offsetof(T, mtj.sigma_r_p), SCIM_DIM_NONE, 0.0, 1.0, "3%",           \
     "device-to-device relative sigma of R_P", NULL},                                              \
    {"sigma_tmr", SCIM_P_F64, offsetof(T, mtj.sigma_tmr), SCIM_DIM_NONE, 0.0, 1.0, "3%",           \
     "device-to-device relative sigma of the TMR", NULL}

/* Resistance of state (0 = AP, 1 = P) at bias v, ohm. */
double scim_mtj_resistance(const struct scim_mtj_params *p, int state, double v);
/* Conductance at bias v, S. */
double scim_mtj_conductance(const struct scim_mtj_params *p, int state, double v);
/* TMR at temperature temp (K) for a TMR of tmr300 at 300 K (Julliere, P(T) = P0 (1 - a T^1.5)). */
double scim_mtj_tmr_at_temp(double tmr300, double temp);
/* Energy of one read of state: V^2 G t, J. */
double scim_mtj_read_energy(const struct scim_mtj_params *p, int state);
/* Supply energy of one write: V_drive I t, J. */
double scim_mtj_write_energy(const struct scim_mtj_params *p);
/* One device-to-device draw of the conductance of state at bias v, S. */
double scim_mtj_sample_conductance(const struct scim_mtj_params *p, int state, double v,
                                   const struct scim_rand *rnd);
/* Cross-check: message and < 0 when parameters are inconsistent. */
int scim_mtj_check(const struct scim_mtj_params *p, char *msg, size_t len);

/* The cell ops of a binary MTJ cell, for any params struct whose first member is struct
 * scim_mtj_params. The two differ only in where the read current flows: apart from the
 * write path (2T-1MTJ, e.g. SOT: reads cannot disturb the state) or on it (1T-1MTJ, e.g.
 * STT: read disturb, read_on_write_path). */
extern const struct scim_cell_ops scim_mtj_cell_separate_paths;
extern const struct scim_cell_ops scim_mtj_cell_shared_path;

/* Cell-ops functions for any params struct whose first member is struct
 * scim_mtj_params; a model plugs these into its struct scim_cell_ops. */
double scim_mtj_op_conductance(const void *p, int state, double v, double temp);
double scim_mtj_op_read_voltage(const void *p);
double scim_mtj_op_read_latency(const void *p);
double scim_mtj_op_read_energy(const void *p, int state, double temp);
double scim_mtj_op_write_energy(const void *p);
double scim_mtj_op_write_latency(const void *p);
double scim_mtj_op_area(const void *p, double feature_m);
double scim_mtj_op_sample_conductance(const void *p, int state, double v, double temp,
                                      const struct scim_rand *rnd);
/* scim_mtj_check as a model's check (struct scim_device_ops). */
int scim_mtj_op_check(const void *p, char *msg, size_t len);
#endif
