/*
 * sot_rng.c - stochastic SOT-MTJ random-bit source: the device of the
 * Spin-ScaleDrop module (Scale-Dropout §V-B).
 *
 * One SOT-MTJ is cycled SET (10 ns, the current calibrated for the requested
 * p) / sense / RESET (5 ns, 120 uA), as in device-physics §6.1 and §6.5. The
 * switching probability is p_sw = 1 - exp(-t/tau) (eq. 25a) with, by the
 * parameter switching_model (the section's `model:` key names the device), either
 *  - linear (default, device-physics §4.1 a): tau = tau0 exp[Delta(T)(1 - I/I_c0)],
 *    the quasi-linear SOT barrier, valid for all I (tau < tau0 above I_c0, which
 *    makes the 1.5 I_c0 RESET deterministic); or
 *  - eq25b (Scale-Dropout eq. 25b): tau = tau0 exp[Delta(T)(1 - 2x(pi/2 - x))],
 *    x = I/I_c0. That bracket is not monotonic: it reaches 0 at x = 0.4436, has a
 *    minimum at pi/4 and rises again. The model is used only on its rising branch
 *    x <= 0.4436; p_switch clamps there (tau = tau0), calibration never leaves it,
 *    check refuses an i_reset beyond it and sim/curve a sweep beyond it. With
 *    eq25b, tau never falls below tau0, so a RESET below 1e-6 failure needs
 *    t_reset > 13.8 tau0 and i_c0 >= i_reset / 0.4436 (e.g. tau0 0.1 ns, i_c0
 *    300 uA); p = 0.5 then needs 0.37 I_c0 (0.40 I_c0 with tau0 = 1 ns, §6.2).
 * Delta(T) = delta 300 K / T. Defaults are device-physics §10.3: tau0 1 ns,
 * Delta 45, I_c0 80 uA (so I(p = 0.5, 10 ns, 300 K) = 75.3 uA, the UT-Austin
 * J = 5e11 A/m^2 in a 50 nm x 3 nm track), sigma_p 5 % for eq. 24, 3.80 pJ per
 * bit and 34.65 um^2 (Scale-Dropout Tables II and VII). The physics lives in
 * rng_physics.c, shared with stt_rng.
 */
#include <stddef.h>

#include "rng_physics.h"

struct sot_rng_params {
    struct scim_rngphys_params phys; /* switching law, pulses, energy, variation (SI) */
};

static const struct scim_param sot_rng_table[] = {
    {"switching_model", SCIM_P_ENUM, offsetof(struct sot_rng_params, phys.law), SCIM_DIM_NONE, 0, 0,
     "linear",
     "thermal switching-time law: linear tau0*exp[D(1-I/Ic0)]; eq25b (Scale-Dropout eq. 25b, "
     "rising branch I <= 0.4436 Ic0 only)",
     "linear|eq25b"},
    SCIM_RNGPHYS_ROW(struct sot_rng_params, "i_c0", i_c0, SCIM_DIM_CURRENT, 1e-7, 1e-2, "80uA",
                     "critical switching current at 0 K through the SOT track"),
    SCIM_RNGPHYS_ROW(struct sot_rng_params, "i_reset", i_reset, SCIM_DIM_CURRENT, 1e-7, 1e-2,
                     "120uA", "RESET current (RESET must fail with probability < 1e-6)"),
    SCIM_RNGPHYS_ROW(struct sot_rng_params, "r_sot", r_path, SCIM_DIM_RES, 1.0, 1e9, "1kohm",
                     "heavy-metal track resistance (dissipated energy = I^2 * r_sot * t)"),
    SCIM_RNGPHYS_COMMON_ROWS(struct sot_rng_params),
    {0},
};

const struct scim_device_ops scim_dev_sot_rng = {
    .abi_version = SCIM_DEVICE_ABI,
    .name = "sot_rng",
    .summary = "stochastic SOT-MTJ RNG (Spin-ScaleDrop): SET/sense/RESET, calibrated p, eq. 24 "
               "variation",
    .dev_class = SCIM_DEV_RNG,
    .params = sot_rng_table,
    .params_size = sizeof(struct sot_rng_params),
    .check = scim_rngphys_op_check,
    .rng = &scim_rngphys_ops,
};
