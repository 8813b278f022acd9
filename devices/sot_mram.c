/*
 * sot_mram.c - binary SOT-MRAM cell, 2T-1MTJ: separate read and write paths.
 *
 * Defaults are the high-resistance CIM preset of device-physics.md §10.1
 * (R_P 331 kohm from RA 650 ohm*um2 at D = 50 nm, TMR 100 %, 0.1 V / 10 ns read,
 * 200 uA / 1 ns write, 100 F^2). The read current does not cross the write
 * path, so reads cannot disturb the stored state.
 */
#include <stddef.h>

#include "mtj.h"

struct sot_params {
    struct scim_mtj_params mtj; /* electrical parameters, SI */
};

static const struct scim_param sot_params_table[] = {
    SCIM_MTJ_PARAM_ROWS(struct sot_params, "331kohm", "100%", "0.1V", "10ns", "200uA", "1ns",
                        "100F2"),
    {0},
};

const struct scim_device_ops scim_dev_sot_mram = {
    .abi_version = SCIM_DEVICE_ABI,
    .name = "sot_mram",
    .summary = "binary SOT-MRAM cell, 2T-1MTJ, separate read/write paths (high-R CIM preset)",
    .dev_class = SCIM_DEV_CELL,
    .params = sot_params_table,
    .params_size = sizeof(struct sot_params),
    .check = scim_mtj_op_check,
    .cell = &scim_mtj_cell_separate_paths,
};
