/*
 * curve.h - the switching-probability curve of a random-bit device model, as
 * printed by `spincim devices --curve NAME --sweep SWEEP [--temperature LIST]`.
 *
 * SWEEP is one of
 *   current=START:STOP:N[@PULSE]   N >= 2 currents, linear; the pulse is PULSE or the
 *                                  model's `t_set` parameter ("current=10uA:120uA:50")
 *   pulse=START:STOP:N@CURRENT     N >= 2 pulse widths at a fixed current
 *                                  ("pulse=1ns:20ns:20@75uA")
 * and LIST is a comma-separated list of temperatures ("300K,350K"; default 300K).
 * The output is CSV, `current_a,pulse_s,temperature_k,p_switch`, one row per point
 * and temperature (%.9g), followed by one comment line per temperature with the
 * current the model calibrates for p = 0.5 at its own pulse:
 *   # temperature 300 K: I(p=0.5) = 7.5255e-05 A
 * For sot_rng with model eq25b, a sweep past the end of the rising branch of
 * eq. 25b is refused.
 */
#ifndef SCIM_CURVE_H
#define SCIM_CURVE_H

#include <stdio.h>

#include "devices/scim_device.h"
#include "sim/base/diag.h"

/* Curve of the registered model `name` with its default parameters. Returns 0, or
 * < 0 with one error in d (unknown model, not an RNG with p_switch, bad sweep or
 * temperature text, wrong unit). */
int scim_device_curve(const char *name, const char *sweep, const char *temperatures, FILE *out,
                      struct scim_diag *d);

/* The same for model ops with an already loaded params struct (e.g. defaults plus
 * overrides); params must have passed the model's check. */
int scim_device_curve_params(const struct scim_device_ops *ops, const void *params,
                             const char *sweep, const char *temperatures, FILE *out,
                             struct scim_diag *d);

#endif
