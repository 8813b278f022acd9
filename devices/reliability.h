/*
 * reliability.h - retention and read-disturb fault probabilities of a memory
 * cell, from the cell model's own parameters (device-physics.md §2.2, §3.3).
 *
 * A model takes part when its parameter table has the keys used below (every
 * built-in MTJ cell does): `delta` (thermal stability factor at 300 K) for
 * retention; for read disturb also `v_read`, `t_read`, `r_p`, `tmr`, `i_c0` and
 * `beta` (the STT cell), and the class flag read_on_write_path.
 *   retention:    p = 1 - exp(-t / (tau0 exp(Delta(T)))), Delta(T) = Delta(300 K) 300 K / T
 *   read disturb: p_RD = 1 - exp(-t_read / (tau0 exp(Delta(T) (1 - I_read / I_c0)^beta))),
 *                 I_read = v_read / R_AP; after N reads 1 - (1 - p_RD)^N, AP cells only
 * with the attempt time tau0 = 1 ns.
 */
#ifndef SCIM_RELIABILITY_H
#define SCIM_RELIABILITY_H

#include <stddef.h>

#include "scim_device.h"

#define SCIM_TAU0_S 1e-9 /* Neel-Brown attempt time tau0, s */

/* The value of parameter `key` of a device instance (F64 rows only); 0 or < 0. */
int scim_device_param(const struct scim_device_ops *ops, const void *params, const char *key,
                      double *out);

/* Probability that a cell flips within t_s seconds at temperature temp_k; < 0 with a
 * message when the model lacks `delta`. */
int scim_cell_retention_p(const struct scim_device_ops *ops, const void *params, double t_s,
                          double temp_k, double *p, char *msg, size_t len);

/* Probability that an AP cell read `reads` times switches to P (0 for a cell whose
 * read current does not flow on its write path); < 0 with a message when an STT-like
 * model lacks a parameter. */
int scim_cell_read_disturb_p(const struct scim_device_ops *ops, const void *params, double reads,
                             double temp_k, double *p, char *msg, size_t len);

#endif
