/*
 * flash_adc.c - flash ADC: 2^bits - 1 comparators and a thermometer encoder,
 * priced at the technology point.
 *
 * A comparator decision costs `comparator_gates` gate-equivalent switchings and
 * occupies as many gate-equivalents (33 and 32 at the defaults: 19 fJ and
 * 15 um^2 at 40 nm, 1.1 V, so a 6-bit conversion is 1.2 pJ, device-physics.md
 * §10.4); the encoder has 5 * 2^bits gate-equivalents of which 4 * bits switch
 * per conversion. A conversion takes the comparator's `comparator_fo4` plus one
 * FO4 per encoder level (bits). The comparator energy does not grow with the
 * resolution here (offset calibration assumed), so energy and area grow as
 * 2^bits; the survey check of the ledger flags a resolution and speed this
 * cheap beyond the state of the art.
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "adc_code.h"
#include "scim_device.h"

struct flash_params {
    int64_t bits;         /* resolution, bits */
    double comp_gates;    /* gate-equivalents switching per comparator decision */
    double comp_area;     /* gate-equivalents of area per comparator */
    double comp_fo4;      /* comparator decision time (preamp + latch), FO4 */
    double p_static;      /* static (bias, reference ladder) power per ADC, W */
};

static const struct scim_param flash_table[] = {
    SCIM_PARAM_INT(struct flash_params, "bits", bits, 1, 12, "5",
                   "resolution; codes 0 .. 2^bits - 1, larger counts are clipped"),
    SCIM_PARAM_F64(struct flash_params, "comparator_gates", comp_gates, SCIM_DIM_NONE, 1, 1e4, "33",
                   "energy of one comparator decision, in gate-equivalent switchings"),
    SCIM_PARAM_F64(struct flash_params, "comparator_area", comp_area, SCIM_DIM_NONE, 1, 1e4, "32",
                   "area of one comparator, in gate-equivalents"),
    SCIM_PARAM_F64(struct flash_params, "comparator_fo4", comp_fo4, SCIM_DIM_NONE, 1, 1000, "10",
                   "comparator decision time (preamplifier and latch), in FO4 delays"),
    SCIM_PARAM_F64(struct flash_params, "p_static", p_static, SCIM_DIM_POWER, 0, 1.0, "0W",
                   "static (bias) power per ADC while powered; 0 for clock-gated comparators"),
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

static double flash_energy(const void *pv, const struct scim_tech *t)
{
    const struct flash_params *p = pv;
    return (comparators(p) * p->comp_gates + 4.0 * (double)p->bits) * t->gate_energy_j;
}

static double flash_latency(const void *pv, const struct scim_tech *t)
{
    const struct flash_params *p = pv;
    return (p->comp_fo4 + (double)p->bits) * t->fo4_s;
}

static double flash_area(const void *pv, const struct scim_tech *t)
{
    const struct flash_params *p = pv;
    return (comparators(p) * p->comp_area + 5.0 * ldexp(1.0, (int)p->bits)) * t->gate_area_m2;
}

static double flash_static(const void *pv, const struct scim_tech *t)
{
    const struct flash_params *p = pv;
    double gates = comparators(p) * p->comp_area + 5.0 * ldexp(1.0, (int)p->bits);
    return p->p_static + gates * t->gate_leakage_w;
}

static uint32_t flash_convert(const void *pv, double x)
{
    return scim_adc_code(x, comparators(pv));
}

static const struct scim_adc_ops flash_ops = {
    .size = sizeof(struct scim_adc_ops),
    .bits = flash_bits,
    .energy_j = flash_energy,
    .latency_s = flash_latency,
    .area_m2 = flash_area,
    .static_power_w = flash_static,
    .convert = flash_convert,
};

const struct scim_device_ops scim_dev_flash_adc = {
    .abi_version = SCIM_DEVICE_ABI,
    .name = "flash_adc",
    .summary = "flash ADC: 2^bits - 1 comparators and an encoder at the technology point",
    .dev_class = SCIM_DEV_ADC,
    .params = flash_table,
    .params_size = sizeof(struct flash_params),
    .adc = &flash_ops,
};
