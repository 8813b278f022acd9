/*
 * config_internal.h - what the files of the config loader share and nothing else uses
 * (the public interface is config.h):
 *
 *   config_schema.c  the schema: a parameter table per section, the tree of sections
 *   config.c         loading (defaults, the YAML file with its -p overrides, device
 *                    sections with their plug-ins and models) and freeing
 *   config_check.c   checks that involve more than one key
 *   config_emit.c    resolved.yaml, the documentation of every key, the config hash
 */
#ifndef SCIM_CONFIG_INTERNAL_H
#define SCIM_CONFIG_INTERNAL_H

#include <stddef.h>

#include "devices/scim_device.h"

/* Only pointers to these pass through here, so they are declared, not included:
 * config.c includes this header, and includes must not form a circle. */
struct scim_config;
struct scim_diag;
struct scim_node;

/* A section of the schema: its own keys, its device and its child sections. */
struct section {
    const char *key;
    const char *doc;
    const struct scim_param *table; /* own keys, or NULL */
    size_t offset;                  /* of the section's struct in struct scim_config */
    enum scim_dev_class dev_class;  /* 0: no device */
    size_t dev_offset;              /* of its struct scim_devinst */
    const char *default_model;
    const struct section *children; /* key == NULL terminated, or NULL */
};

#define CFG(f) offsetof(struct scim_config, f)

/* The top-level sections, in the order of resolved.yaml (key == NULL terminated). */
extern const struct section scim_config_sections[];

/* "parent.key", or "key" at the top. */
void scim_config_join_path(char *buf, size_t len, const char *parent, const char *key);

/* The checks that involve more than one key of a config loaded without errors; root: the
 * document's top node (for the locations of the errors). */
void scim_config_cross_check(const struct scim_config *c, const struct scim_node *root,
                             struct scim_diag *d);

#endif
