/*
 * stt_mram.c - binary STT-MRAM cell, 1T-1MTJ: the read current flows on the write path.
 *
 * Defaults follow device-physics.md §3.4 (NVSim sample cell: R 6 kohm with
 * TMR 100 %, 0.1 V read, ~50 uA / 10 ns write, 57.5 F^2). Because the read
 * current shares the write path, reads can disturb the stored state: the
 * critical current i_c0 and barrier exponent beta of §3.3 are parameters so
 * the read-disturb probability can be computed.
 */
#include <math.h>
#include <stddef.h>
#include <stdio.h>

#include "mtj.h"

struct stt_params {
    struct scim_mtj_params mtj; /* electrical parameters, SI */
    double i_c0;                /* zero-temperature critical current, A */
    double beta;                /* barrier exponent of tau = tau0 exp[Delta (1 - I/Ic0)^beta] */
};

static const struct scim_param stt_params_table[] = {
    SCIM_MTJ_PARAM_ROWS(struct stt_params, "6kohm", "100%", "0.1V", "10ns", "50uA", "10ns",
                        "57.5F2"),
    {"i_c0", SCIM_P_F64, offsetof(struct stt_params, i_c0), SCIM_DIM_CURRENT, 1e-7, 1e-2, "50uA",
     "zero-temperature critical switching current", NULL},
    {"beta", SCIM_P_F64, offsetof(struct stt_params, beta), SCIM_DIM_NONE, 1.0, 2.0, "2",
     "barrier exponent in the thermally activated switching time", NULL},
    {0},
};

/* The read current of a P cell must stay below the critical current, or every
 * read would be a write. */
static int stt_check(const void *pv, char *msg, size_t len)
{
    const struct stt_params *p = pv;
    if (scim_mtj_check(&p->mtj, msg, len) < 0)
        return -1;
    double i_read = p->mtj.v_read / p->mtj.r_p;
    if (i_read >= p->i_c0) {
        snprintf(msg, len,
                 "read current %g A (v_read / r_p) reaches the critical current i_c0 %g A", i_read,
                 p->i_c0);
        return -1;
    }
    return 0;
}

const struct scim_device_ops scim_dev_stt_mram = {
    .abi_version = SCIM_DEVICE_ABI,
    .name = "stt_mram",
    .summary = "binary STT-MRAM cell, 1T-1MTJ, read current on the write path",
    .dev_class = SCIM_DEV_CELL,
    .params = stt_params_table,
    .params_size = sizeof(struct stt_params),
    .check = stt_check,
    .cell = &scim_mtj_cell_shared_path,
};
