/*
 * sram_6t.c - 6T SRAM macro for the scale memory and the inter-layer buffers.
 *
 * Defaults from device-physics.md §10.5 (40 nm): 146 F^2 per bit, 30 fJ per bit
 * read (about 1 pJ per 32-bit word), writes 1.2x reads, 1 ns access, 20 pW
 * leakage per bit (LP process).
 */
#include <stddef.h>

#include "scim_device.h"

struct sram_params {
    double e_read_bit;  /* read energy per bit, J */
    double e_write_bit; /* write energy per bit, J */
    double t_access;    /* access time, s */
    double cell_area;   /* bit-cell area in F^2 */
    double leak_bit;    /* leakage power per bit, W */
};

static const struct scim_param sram_table[] = {
    {"e_read_bit", SCIM_P_F64, offsetof(struct sram_params, e_read_bit), SCIM_DIM_ENERGY, 0, 1e-11,
     "30fJ", "read energy per bit", NULL},
    {"e_write_bit", SCIM_P_F64, offsetof(struct sram_params, e_write_bit), SCIM_DIM_ENERGY, 0,
     1e-11, "36fJ", "write energy per bit", NULL},
    {"t_access", SCIM_P_F64, offsetof(struct sram_params, t_access), SCIM_DIM_TIME, 1e-12, 1e-6,
     "1ns", "access time of one word", NULL},
    {"cell_area", SCIM_P_F64, offsetof(struct sram_params, cell_area), SCIM_DIM_FAREA, 1, 10000,
     "146F2", "bit-cell area in F^2", NULL},
    {"leak_bit", SCIM_P_F64, offsetof(struct sram_params, leak_bit), SCIM_DIM_POWER, 0, 1e-6,
     "20pW", "leakage power per stored bit", NULL},
    {0},
};

static double sram_read(const void *p, int word_bits)
{
    return ((const struct sram_params *)p)->e_read_bit * word_bits;
}

static double sram_write(const void *p, int word_bits)
{
    return ((const struct sram_params *)p)->e_write_bit * word_bits;
}

static double sram_latency(const void *p)
{
    return ((const struct sram_params *)p)->t_access;
}

static double sram_bit_area(const void *p, double f)
{
    return ((const struct sram_params *)p)->cell_area * f * f;
}

static double sram_leak(const void *p)
{
    return ((const struct sram_params *)p)->leak_bit;
}

static const struct scim_memory_ops sram_ops = {
    .size = sizeof(struct scim_memory_ops),
    .read_energy_j = sram_read,
    .write_energy_j = sram_write,
    .access_latency_s = sram_latency,
    .bit_area_m2 = sram_bit_area,
    .bit_leakage_w = sram_leak,
};

const struct scim_device_ops scim_dev_sram_6t = {
    .abi_version = SCIM_DEVICE_ABI,
    .name = "sram_6t",
    .summary = "6T SRAM macro (scale memory, buffers), 40 nm LP defaults",
    .dev_class = SCIM_DEV_MEMORY,
    .params = sram_table,
    .params_size = sizeof(struct sram_params),
    .memory = &sram_ops,
};
