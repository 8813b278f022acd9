/*
 * registry.c - device-model registry: validation at registration, lookup by name.
 */
#include "registry.h"

#include <stdio.h>
#include <string.h>

#include "sim/base/error.h"
#include "sim/base/param.h"
#include "sim/base/suggest.h"
#include "sim/base/yaml_dom.h"

#define SCIM__MAX_DEVICES 256

#define SCIM_DEVICE(n) extern const struct scim_device_ops scim_dev_##n;
#include "builtin.def"
#undef SCIM_DEVICE

static const struct scim_device_ops *const builtin[] = {
#define SCIM_DEVICE(n) &scim_dev_##n,
#include "builtin.def"
#undef SCIM_DEVICE
};

static const struct scim_device_ops *registry[SCIM__MAX_DEVICES];
static size_t n_registered;
static int builtins_done;

const char *scim_dev_class_name(enum scim_dev_class cls)
{
    switch (cls) {
    case SCIM_DEV_CELL:
        return "cell";
    case SCIM_DEV_ADC:
        return "adc";
    case SCIM_DEV_MEMORY:
        return "memory";
    case SCIM_DEV_RNG:
        return "rng";
    }
    return "unknown";
}

static int class_ops_present(const struct scim_device_ops *ops)
{
    switch (ops->dev_class) {
    case SCIM_DEV_CELL:
        return ops->cell && ops->cell->levels >= 2 && ops->cell->conductance_s &&
               ops->cell->read_voltage_v && ops->cell->read_latency_s &&
               ops->cell->read_energy_j && ops->cell->write_energy_j &&
               ops->cell->write_latency_s && ops->cell->area_m2;
    case SCIM_DEV_ADC:
        return ops->adc && ops->adc->bits && ops->adc->conversion_energy_j &&
               ops->adc->conversion_latency_s && ops->adc->area_m2 && ops->adc->static_power_w;
    case SCIM_DEV_MEMORY:
        return ops->memory && ops->memory->read_energy_j && ops->memory->write_energy_j &&
               ops->memory->access_latency_s && ops->memory->bit_area_m2 &&
               ops->memory->bit_leakage_w;
    case SCIM_DEV_RNG:
        return ops->rng && ops->rng->sample && ops->rng->bit_energy_j &&
               ops->rng->bit_latency_s && ops->rng->area_m2 && ops->rng->static_power_w;
    }
    return 0;
}

/* The parameter table must be terminated, keys unique, bounds ordered, and every
 * default must parse and lie within bounds (checked by loading the defaults). */
static int check_table(const struct scim_device_ops *ops, char *msg, size_t len)
{
    const struct scim_param *p = ops->params;
    if (!p)
        return snprintf(msg, len, "device '%s' has no parameter table", ops->name), SCIM_EINVAL;
    for (size_t i = 0; p[i].key; i++) {
        if (i > 256)
            return snprintf(msg, len, "device '%s': parameter table not terminated", ops->name),
                   SCIM_EINVAL;
        if (p[i].offset >= ops->params_size)
            return snprintf(msg, len, "device '%s': parameter '%s' lies outside params_size",
                            ops->name, p[i].key),
                   SCIM_EINVAL;
        if (!strcmp(p[i].key, "model") || !strcmp(p[i].key, "plugin"))
            return snprintf(msg, len, "device '%s': parameter key '%s' is reserved by the config",
                            ops->name, p[i].key),
                   SCIM_EINVAL;
        if ((p[i].type == SCIM_P_F64 || p[i].type == SCIM_P_INT) && p[i].min > p[i].max)
            return snprintf(msg, len, "device '%s': parameter '%s' has min > max", ops->name,
                            p[i].key),
                   SCIM_EINVAL;
        for (size_t j = 0; j < i; j++)
            if (!strcmp(p[i].key, p[j].key))
                return snprintf(msg, len, "device '%s': duplicate parameter '%s'", ops->name,
                                p[i].key),
                       SCIM_EINVAL;
    }
    return 0;
}

static int check_defaults(const struct scim_device_ops *ops, char *msg, size_t len)
{
    unsigned char buf[4096];
    if (ops->params_size > sizeof(buf))
        return snprintf(msg, len, "device '%s': params_size too large", ops->name), SCIM_EINVAL;
    memset(buf, 0, sizeof(buf));
    int rc = scim_params_defaults(ops->params, buf);
    if (rc == 0 && ops->check) {
        char why[256] = "";
        if (ops->check(buf, why, sizeof(why)) < 0) {
            snprintf(msg, len, "device '%s': defaults fail its own check: %s", ops->name, why);
            rc = SCIM_EINVAL;
        }
    } else if (rc < 0) {
        snprintf(msg, len, "device '%s': a default does not parse or is out of bounds", ops->name);
        rc = SCIM_EINVAL;
    }
    scim_params_free(ops->params, buf);
    return rc;
}

static int register_one(const struct scim_device_ops *ops, char *msg, size_t len)
{
    if (!ops || !ops->name || !*ops->name)
        return snprintf(msg, len, "device without a name"), SCIM_EINVAL;
    if (ops->abi_version < 1 || ops->abi_version > SCIM_DEVICE_ABI)
        return snprintf(msg, len, "device '%s' was built for device ABI %d; this spincim has ABI %d",
                        ops->name, ops->abi_version, SCIM_DEVICE_ABI),
               SCIM_EABI;
    for (size_t i = 0; i < n_registered; i++)
        if (!strcmp(registry[i]->name, ops->name))
            return snprintf(msg, len, "device '%s' is already registered", ops->name), SCIM_EEXIST;
    if (!class_ops_present(ops))
        return snprintf(msg, len, "device '%s' (class %s) lacks a required function", ops->name,
                        scim_dev_class_name(ops->dev_class)),
               SCIM_EINVAL;
    int rc = check_table(ops, msg, len);
    if (rc == 0)
        rc = check_defaults(ops, msg, len);
    if (rc < 0)
        return rc;
    if (n_registered == SCIM__MAX_DEVICES)
        return snprintf(msg, len, "too many device models"), SCIM_EINVAL;
    registry[n_registered++] = ops;
    return 0;
}

static void register_builtins(void)
{
    if (builtins_done)
        return;
    builtins_done = 1;
    for (size_t i = 0; i < sizeof(builtin) / sizeof(builtin[0]); i++) {
        char msg[256];
        if (register_one(builtin[i], msg, sizeof(msg)) < 0)
            SCIM_PANIC("built-in device rejected: %s", msg);
    }
}

int scim_device_register_msg(const struct scim_device_ops *ops, char *msg, size_t msg_len)
{
    register_builtins();
    return register_one(ops, msg, msg_len);
}

int scim_device_register(const struct scim_device_ops *ops)
{
    char msg[256];
    return scim_device_register_msg(ops, msg, sizeof(msg));
}

const struct scim_device_ops *scim_device_find(const char *name)
{
    register_builtins();
    for (size_t i = 0; name && i < n_registered; i++)
        if (!strcmp(registry[i]->name, name))
            return registry[i];
    return NULL;
}

size_t scim_device_count(void)
{
    register_builtins();
    return n_registered;
}

const struct scim_device_ops *scim_device_at(size_t i)
{
    register_builtins();
    return i < n_registered ? registry[i] : NULL;
}

void scim_device_suggest(struct scim_suggest *s, enum scim_dev_class cls)
{
    register_builtins();
    for (size_t i = 0; i < n_registered; i++)
        if (!cls || registry[i]->dev_class == cls)
            scim_suggest_add(s, registry[i]->name);
}
