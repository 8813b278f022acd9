/*
 * flash_adc.c - flash ADC: 2^bits - 1 comparators and a thermometer encoder.
 *
 * Energy and area scale with the comparator count (device-physics.md §10.4):
 * E = (2^N - 1) * e_comparator, anchored at 1.2 pJ for 6 bits (19.05 fJ per
 * comparator: 0.29 pJ at 4 b, 0.59 pJ at 5 b); A = (2^N - 1) * a_comparator +
 * a_encoder (300 um^2 at 4 b, 540 um^2 at 5 b). One conversion per t_conv.
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "scim_device.h"

struct flash_params {
    int64_t bits;        /* resolution, bits */
    double e_comparator; /* energy per comparator per conversion, J */
    double a_comparator; /* area per comparator, m^2 */
    double a_encoder;    /* encoder area, m^2 */
    double t_conv;       /* conversion time, s */
    double p_static;     /* static power per ADC, W */
};

static const struct scim_param flash_table[] = {
    {"bits", SCIM_P_INT, offsetof(struct flash_params, bits), SCIM_DIM_NONE, 1, 12, "5",
     "resolution; codes 0 .. 2^bits - 1, larger counts are clipped", NULL},
    {"e_comparator", SCIM_P_F64, offsetof(struct flash_params, e_comparator), SCIM_DIM_ENERGY, 0,
     1e-9, "19.05fJ", "energy of one comparator decision", NULL},
    {"a_comparator", SCIM_P_F64, offsetof(struct flash_params, a_comparator), SCIM_DIM_AREA, 0,
     1e-6, "15um2", "area of one comparator", NULL},
    {"a_encoder", SCIM_P_F64, offsetof(struct flash_params, a_encoder), SCIM_DIM_AREA, 0, 1e-6,
     "75um2", "thermometer-to-binary encoder area", NULL},
    {"t_conv", SCIM_P_F64, offsetof(struct flash_params, t_conv), SCIM_DIM_TIME, 1e-12, 1e-6,
     "1ns", "conversion time", NULL},
    {"p_static", SCIM_P_F64, offsetof(struct flash_params, p_static), SCIM_DIM_POWER, 0, 1.0,
     "0W", "static (bias) power per ADC while powered; 0 for clock-gated comparators", NULL},
    {0},
};

static double comparators(const struct flash_params *p)
{
    return ldexp(1.0, (int)p->bits) - 1.0;
}

static int flash_bits(const void *p)
{
    return (int)((const struct flash_params *)p)->bits;
}

static double flash_energy(const void *pv)
{
    const struct flash_params *p = pv;
    return comparators(p) * p->e_comparator;
}

static double flash_latency(const void *p)
{
    return ((const struct flash_params *)p)->t_conv;
}

static double flash_area(const void *pv)
{
    const struct flash_params *p = pv;
    return comparators(p) * p->a_comparator + p->a_encoder;
}

static double flash_static(const void *p)
{
    return ((const struct flash_params *)p)->p_static;
}

static uint32_t flash_convert(const void *pv, double x)
{
    const struct flash_params *p = pv;
    double max = comparators(p);
    double r = floor(x + 0.5);
    if (!(r > 0.0))
        return 0;
    return (uint32_t)(r > max ? max : r);
}

static const struct scim_adc_ops flash_ops = {
    .size = sizeof(struct scim_adc_ops),
    .bits = flash_bits,
    .conversion_energy_j = flash_energy,
    .conversion_latency_s = flash_latency,
    .area_m2 = flash_area,
    .static_power_w = flash_static,
    .convert = flash_convert,
};

const struct scim_device_ops scim_dev_flash_adc = {
    .abi_version = SCIM_DEVICE_ABI,
    .name = "flash_adc",
    .summary = "flash ADC, energy and area proportional to its 2^bits - 1 comparators",
    .dev_class = SCIM_DEV_ADC,
    .params = flash_table,
    .params_size = sizeof(struct flash_params),
    .adc = &flash_ops,
};
