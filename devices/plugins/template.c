/*
 * template.c - a device plug-in to start from: a flash-like ADC whose comparators
 * cost a given energy at 40 nm and 1.1 V and scale with the technology point the
 * host hands it (C V^2 with the feature size). It compiles outside the source
 * tree against devices/scim_device.h alone:
 *
 *   cc -std=c11 -O2 -fPIC -shared -fvisibility=hidden \
 *      -I "$(pkg-config --variable=includedir spincim)/spincim/devices" \
 *      template.c -o libmy_adc.so -lm
 *
 * (or -I path/to/spincim/devices from a source tree), and a config uses it with
 *
 *   adc: {plugin: path/to/libmy_adc.so, model: my_adc, bits: 5}
 *
 * Rename `my_adc`, change the parameter table (it is at once the YAML schema and
 * the documentation `spincim devices --describe` prints) and the functions.
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "scim_device.h"

struct my_adc_params {
    int64_t bits;       /* resolution, bits */
    double e_comp_40nm; /* energy of one comparator decision at 40 nm, 1.1 V, J */
    double a_comp_40nm; /* area of one comparator at 40 nm, m^2 */
    double t_conv;      /* conversion time, s */
};

static const struct scim_param my_adc_table[] = {
    SCIM_PARAM_INT(struct my_adc_params, "bits", bits, 1, 10, "5", "resolution"),
    SCIM_PARAM_F64(struct my_adc_params, "e_comparator", e_comp_40nm, SCIM_DIM_ENERGY, 0, 1e-12,
                   "19fJ", "energy of one comparator decision at 40 nm, 1.1 V"),
    SCIM_PARAM_F64(struct my_adc_params, "a_comparator", a_comp_40nm, SCIM_DIM_AREA, 0, 1e-8,
                   "15um2", "area of one comparator at 40 nm"),
    SCIM_PARAM_F64(struct my_adc_params, "t_conv", t_conv, SCIM_DIM_TIME, 1e-12, 1e-6, "1ns",
                   "conversion time"),
    {0},
};

static double comparators(const struct my_adc_params *p)
{
    return ldexp(1.0, (int)p->bits) - 1.0;
}

/* C V^2 scaling from 40 nm, 1.1 V to the host's technology point. */
static double energy_scale(const struct scim_tech *t)
{
    return (t->node_m / 40e-9) * (t->vdd_v * t->vdd_v) / (1.1 * 1.1);
}

static int my_bits(const void *p)
{
    return (int)((const struct my_adc_params *)p)->bits;
}

static double my_energy(const void *pv, const struct scim_tech *t)
{
    const struct my_adc_params *p = pv;
    return comparators(p) * p->e_comp_40nm * energy_scale(t);
}

static double my_latency(const void *pv, const struct scim_tech *t)
{
    (void)t;
    return ((const struct my_adc_params *)pv)->t_conv;
}

static double my_area(const void *pv, const struct scim_tech *t)
{
    const struct my_adc_params *p = pv;
    double f = t->node_m / 40e-9;
    return comparators(p) * p->a_comp_40nm * f * f;
}

static double my_static(const void *pv, const struct scim_tech *t)
{
    (void)pv, (void)t;
    return 0.0;
}

static const struct scim_adc_ops my_adc_ops = {
    .size = sizeof(struct scim_adc_ops),
    .bits = my_bits,
    .energy_j = my_energy,
    .latency_s = my_latency,
    .area_m2 = my_area,
    .static_power_w = my_static,
};

static const struct scim_device_ops my_adc_device = {
    .abi_version = SCIM_DEVICE_ABI,
    .name = "my_adc",
    .summary = "template plug-in: flash-like ADC scaled from 40 nm by C V^2",
    .dev_class = SCIM_DEV_ADC,
    .params = my_adc_table,
    .params_size = sizeof(struct my_adc_params),
    .adc = &my_adc_ops,
};

__attribute__((visibility("default"))) int scim_plugin_init(const struct scim_host_api *host)
{
    if (host->abi_version < SCIM_DEVICE_ABI)
        return SCIM_PLUGIN_EABI;
    return host->register_device(&my_adc_device);
}
