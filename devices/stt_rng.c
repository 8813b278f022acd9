/*
 * stt_rng.c - stochastic STT-MTJ random-bit source (the STT counterpart of the
 * Spin-ScaleDrop module, as in SpinDrop).
 *
 * The same SET / sense / RESET cycle as sot_rng (device-physics §6.1, §6.5), but
 * the write current flows through the MTJ itself. Thermally activated STT
 * switching (device-physics §3.2): p_sw = 1 - exp(-t/tau) with
 * tau = tau0 exp[Delta(T)(1 - I/I_c0)^beta], beta = 2 for a perpendicular free
 * layer (Fokker-Planck, quadratic barrier) and 1 for the compact-model form;
 * above I_c0 the law continues as -(I/I_c0 - 1)^beta so that p_sw stays
 * monotonic and the 1.5 I_c0 RESET is deterministic. Delta(T) = delta 300 K / T.
 * Energy per bit: table (e_bit), supply V_drive I t, or dissipated I^2 R_MTJ t,
 * each over SET and RESET (§6.6). Default I_c0 is 50 uA (device-physics §3.1
 * range), I_RESET 75 uA = 1.5 I_c0, R_MTJ 6 kohm; the cost defaults are those
 * of the Spin-ScaleDrop module so the two sources compare like for like. The
 * physics lives in rng_physics.c, shared with sot_rng.
 */
#include <stddef.h>

#include "rng_physics.h"

struct stt_rng_params {
    struct scim_rngphys_params phys; /* switching law, pulses, energy, variation (SI) */
};

static const struct scim_param stt_rng_table[] = {
    SCIM_RNGPHYS_ROW(struct stt_rng_params, "beta", beta, SCIM_DIM_NONE, 1.0, 2.0, "2",
                     "exponent of the barrier law tau0*exp[D(1-I/Ic0)^beta] (2: PMA STT)"),
    SCIM_RNGPHYS_ROW(struct stt_rng_params, "i_c0", i_c0, SCIM_DIM_CURRENT, 1e-7, 1e-2, "50uA",
                     "critical switching current at 0 K through the MTJ"),
    SCIM_RNGPHYS_ROW(struct stt_rng_params, "i_reset", i_reset, SCIM_DIM_CURRENT, 1e-7, 1e-2,
                     "75uA", "RESET current (RESET must fail with probability < 1e-6)"),
    SCIM_RNGPHYS_ROW(struct stt_rng_params, "r_mtj", r_path, SCIM_DIM_RES, 1.0, 1e9, "6kohm",
                     "MTJ resistance on the write path (dissipated energy = I^2 * r_mtj * t)"),
    SCIM_RNGPHYS_COMMON_ROWS(struct stt_rng_params),
    {0},
};

const struct scim_device_ops scim_dev_stt_rng = {
    .abi_version = SCIM_DEVICE_ABI,
    .name = "stt_rng",
    .summary = "stochastic STT-MTJ RNG: SET/sense/RESET through the MTJ, (1-I/Ic0)^beta law",
    .dev_class = SCIM_DEV_RNG,
    .params = stt_rng_table,
    .params_size = sizeof(struct stt_rng_params),
    .check = scim_rngphys_op_check,
    .rng = &scim_rngphys_ops,
};
