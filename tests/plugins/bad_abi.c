/*
 * bad_abi.c - a plug-in built for a future device ABI: the host must refuse
 * it with an error that names the plug-in file.
 */
#include <stddef.h>

#include "scim_device.h"

static double zero(const void *p, const struct scim_tech *t)
{
    (void)p, (void)t;
    return 0.0;
}

static int bits(const void *p)
{
    (void)p;
    return 4;
}

static const struct scim_param none[] = {{0}};

static const struct scim_adc_ops ops = {
    .size = sizeof(struct scim_adc_ops),
    .bits = bits,
    .energy_j = zero,
    .latency_s = zero,
    .area_m2 = zero,
    .static_power_w = zero,
};

static const struct scim_device_ops future = {
    .abi_version = SCIM_DEVICE_ABI + 1,
    .name = "future_adc",
    .summary = "an ADC from a newer spincim",
    .dev_class = SCIM_DEV_ADC,
    .params = none,
    .params_size = 8,
    .adc = &ops,
};

__attribute__((visibility("default"))) int scim_plugin_init(const struct scim_host_api *host)
{
    return host->register_device(&future);
}
