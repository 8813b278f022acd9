/*
 * registry.c - device-model registry: validation at registration, lookup by name.
 */
#include "registry.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
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
/* Readers see a prefix of the table that only grows: a model is stored before the
 * count that publishes it (release), read after the count (acquire); writers
 * (plug-ins registering) take the lock. Built-ins are registered once. */
static _Atomic size_t n_registered;
static pthread_once_t builtins_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;

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
    case SCIM_DEV_TECH:
        return "tech";
    case SCIM_DEV_LOGIC:
        return "logic";
    case SCIM_DEV_ARRAY:
        return "array";
    }
    return "unknown";
}

/* Bytes of a class's ops struct up to and including member m. */
#define UPTO(type, m) (offsetof(type, m) + sizeof(((type *)0)->m))

/* The class's ops struct: its size as the model declares it, the host's size, and the
 * least size holding every required member of this ABI. */
static const void *class_ops(const struct scim_device_ops *ops, size_t *size, size_t *host,
                             size_t *least)
{
    switch (ops->dev_class) {
    case SCIM_DEV_CELL:
        *host = sizeof(struct scim_cell_ops), *least = UPTO(struct scim_cell_ops, area_m2);
        return (*size = ops->cell ? ops->cell->size : 0), ops->cell;
    case SCIM_DEV_ADC:
        *host = sizeof(struct scim_adc_ops), *least = UPTO(struct scim_adc_ops, static_power_w);
        return (*size = ops->adc ? ops->adc->size : 0), ops->adc;
    case SCIM_DEV_MEMORY:
        *host = sizeof(struct scim_memory_ops), *least = UPTO(struct scim_memory_ops, leakage_w);
        return (*size = ops->memory ? ops->memory->size : 0), ops->memory;
    case SCIM_DEV_RNG:
        *host = sizeof(struct scim_rng_ops), *least = UPTO(struct scim_rng_ops, static_power_w);
        return (*size = ops->rng ? ops->rng->size : 0), ops->rng;
    case SCIM_DEV_TECH:
        *host = sizeof(struct scim_tech_ops), *least = UPTO(struct scim_tech_ops, vdd_range);
        return (*size = ops->tech ? ops->tech->size : 0), ops->tech;
    case SCIM_DEV_LOGIC:
        *host = sizeof(struct scim_logic_ops), *least = UPTO(struct scim_logic_ops, cost);
        return (*size = ops->logic ? ops->logic->size : 0), ops->logic;
    case SCIM_DEV_ARRAY:
        *host = sizeof(struct scim_array_ops), *least = UPTO(struct scim_array_ops, cost);
        return (*size = ops->array ? ops->array->size : 0), ops->array;
    }
    return NULL;
}

static int class_ops_present(const struct scim_device_ops *ops)
{
    switch (ops->dev_class) {
    case SCIM_DEV_CELL:
        return ops->cell->levels >= 2 && ops->cell->conductance_s && ops->cell->read_voltage_v &&
               ops->cell->read_latency_s && ops->cell->read_energy_j &&
               ops->cell->write_energy_j && ops->cell->write_latency_s && ops->cell->area_m2;
    case SCIM_DEV_ADC:
        return ops->adc->bits && ops->adc->energy_j && ops->adc->latency_s && ops->adc->area_m2 &&
               ops->adc->static_power_w;
    case SCIM_DEV_MEMORY:
        return ops->memory->read_energy_j && ops->memory->write_energy_j &&
               ops->memory->access_latency_s && ops->memory->area_m2 && ops->memory->leakage_w;
    case SCIM_DEV_RNG:
        return ops->rng->sample && ops->rng->bit_energy_j && ops->rng->bit_latency_s &&
               ops->rng->area_m2 && ops->rng->static_power_w;
    case SCIM_DEV_TECH:
        return ops->tech->at && ops->tech->vdd_range;
    case SCIM_DEV_LOGIC:
        return ops->logic->cost != NULL;
    case SCIM_DEV_ARRAY:
        return ops->array->cost != NULL;
    }
    return 0;
}

/* A model built against a shorter class struct: a host-sized copy whose missing
 * (optional) members are NULL, and a copy of its device struct pointing to it. The
 * copies live as long as the registry (the process). */
static const struct scim_device_ops *widen(const struct scim_device_ops *ops, const void *cls,
                                           size_t size, size_t host)
{
    struct scim_device_ops *dev = malloc(sizeof(*dev));
    unsigned char *c = calloc(1, host);
    if (!dev || !c) {
        free(dev);
        free(c);
        return NULL;
    }
    memcpy(c, cls, size);
    memcpy(c, &host, sizeof(size_t)); /* every class struct starts with its size */
    *dev = *ops;
    dev->cell = ops->cell ? (const void *)c : NULL;
    dev->adc = ops->adc ? (const void *)c : NULL;
    dev->memory = ops->memory ? (const void *)c : NULL;
    dev->rng = ops->rng ? (const void *)c : NULL;
    dev->tech = ops->tech ? (const void *)c : NULL;
    dev->logic = ops->logic ? (const void *)c : NULL;
    dev->array = ops->array ? (const void *)c : NULL;
    return dev;
}

/* The model as the host reads it (widened when its class struct is shorter), or NULL
 * with the reason in msg. */
static const struct scim_device_ops *class_check(const struct scim_device_ops *ops, char *msg,
                                                 size_t len, int *rc)
{
    size_t size, host, least;
    const void *cls = class_ops(ops, &size, &host, &least);
    *rc = SCIM_EINVAL;
    if (!cls)
        return snprintf(msg, len, "device '%s' has no %s functions", ops->name,
                        scim_dev_class_name(ops->dev_class)), NULL;
    if (size < least)
        return snprintf(msg, len, "device '%s': its struct scim_%s_ops is %zu bytes (its .size); "
                        "this spincim needs at least %zu", ops->name,
                        scim_dev_class_name(ops->dev_class), size, least), NULL;
    const struct scim_device_ops *use = size < host ? widen(ops, cls, size, host) : ops;
    if (!use)
        return *rc = SCIM_ENOMEM, snprintf(msg, len, "out of memory"), NULL;
    if (!class_ops_present(use))
        return snprintf(msg, len, "device '%s' (class %s) lacks a required function", ops->name,
                        scim_dev_class_name(ops->dev_class)), NULL;
    *rc = 0;
    return use;
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
    int rc;
    ops = class_check(ops, msg, len, &rc);
    if (!ops)
        return rc;
    rc = check_table(ops, msg, len);
    if (rc == 0)
        rc = check_defaults(ops, msg, len);
    if (rc < 0)
        return rc;
    if (n_registered == SCIM__MAX_DEVICES)
        return snprintf(msg, len, "too many device models"), SCIM_EINVAL;
    registry[n_registered] = ops;
    atomic_store_explicit(&n_registered, n_registered + 1, memory_order_release);
    return 0;
}

static void register_all_builtins(void)
{
    for (size_t i = 0; i < sizeof(builtin) / sizeof(builtin[0]); i++) {
        char msg[256];
        if (register_one(builtin[i], msg, sizeof(msg)) < 0)
            SCIM_PANIC("built-in device rejected: %s", msg);
    }
}

/* The registered models so far (after the built-ins are in). */
static size_t registered(void)
{
    pthread_once(&builtins_once, register_all_builtins);
    return atomic_load_explicit(&n_registered, memory_order_acquire);
}

int scim_device_register_msg(const struct scim_device_ops *ops, char *msg, size_t msg_len)
{
    registered();
    pthread_mutex_lock(&registry_lock);
    int rc = register_one(ops, msg, msg_len);
    pthread_mutex_unlock(&registry_lock);
    return rc;
}

int scim_device_register(const struct scim_device_ops *ops)
{
    char msg[256];
    return scim_device_register_msg(ops, msg, sizeof(msg));
}

const struct scim_device_ops *scim_device_find(const char *name)
{
    size_t n = registered();
    for (size_t i = 0; name && i < n; i++)
        if (!strcmp(registry[i]->name, name))
            return registry[i];
    return NULL;
}

size_t scim_device_count(void)
{
    return registered();
}

const struct scim_device_ops *scim_device_at(size_t i)
{
    return i < registered() ? registry[i] : NULL;
}

void scim_device_suggest(struct scim_suggest *s, enum scim_dev_class cls)
{
    size_t n = registered();
    for (size_t i = 0; i < n; i++)
        if (!cls || registry[i]->dev_class == cls)
            scim_suggest_add(s, registry[i]->name);
}
