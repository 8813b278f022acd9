/*
 * registry.h - the table of device models known to this process, found by name.
 *
 * Built-in models (devices/builtin.def) are registered on first use; plug-ins
 * add theirs through struct scim_host_api when they are loaded. Registration
 * checks a model before accepting it: ABI version, unique name, the ops of its
 * class present, a well-formed parameter table whose defaults parse and lie
 * within bounds.
 */
#ifndef SCIM_REGISTRY_H
#define SCIM_REGISTRY_H

#include <stddef.h>

#include "sim/base/diag.h"
#include "scim_device.h"
#include "sim/base/suggest.h"

/* Register a model: 0, SCIM_EABI, SCIM_EEXIST or SCIM_EINVAL (why: in msg). */
int scim_device_register_msg(const struct scim_device_ops *ops, char *msg, size_t msg_len);
int scim_device_register(const struct scim_device_ops *ops);

/* The model registered under name, or NULL. */
const struct scim_device_ops *scim_device_find(const char *name);
/* Number of registered models and the i-th one (registration order). */
size_t scim_device_count(void);
const struct scim_device_ops *scim_device_at(size_t i);
/* Offer every registered name of class cls (0 = any class) to a "did you mean". */
void scim_device_suggest(struct scim_suggest *s, enum scim_dev_class cls);
/* Class name for messages and listings ("cell", "adc", "memory", "rng", "tech", "logic",
 * "array"). */
const char *scim_dev_class_name(enum scim_dev_class cls);

/*
 * Load a plug-in shared object and run its entry point. Loading the same path
 * twice is a no-op. Errors name the plug-in file and go to d at loc. The
 * handle stays open for the life of the process (the registry points into it).
 */
int scim_plugin_load(const char *path, const struct scim_loc *loc, struct scim_diag *d);

/* Host API handed to plug-ins (exposed for tests that call an entry point directly). */
extern const struct scim_host_api scim_host_api;

#endif
