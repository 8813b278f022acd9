/*
 * config_emit.c - a config written out through the schema (config_schema.c): the
 * resolved.yaml of a run (every key of every section and device, defaults filled in, SI
 * units, each section with its description), the documentation of every key (`spincim
 * config --defaults`), the walk over every key (a sensitivity's), and the config hash that
 * tells whether two runs used the same values.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "config_internal.h"
#include "devices/registry.h"
#include "sim/base/param.h"

static void emit_tree(const struct section *s, const struct scim_config *cfg, FILE *f, int indent)
{
    for (; s && s->key; s++) {
        fprintf(f, "%*s%s:  # %s\n", indent, "", s->key, s->doc);
        if (s->dev_class) {
            const struct scim_devinst *dev =
                (const struct scim_devinst *)((const char *)cfg + s->dev_offset);
            fprintf(f, "%*smodel: %s  # %s\n", indent + 2, "", dev->ops->name, dev->ops->summary);
            if (dev->plugin)
                fprintf(f, "%*splugin: \"%s\"\n", indent + 2, "", dev->plugin);
            scim_params_emit(dev->ops->params, dev->params, f, indent + 2);
        }
        if (s->table)
            scim_params_emit(s->table, (const char *)cfg + s->offset, f, indent + 2);
        emit_tree(s->children, cfg, f, indent + 2);
    }
}

void scim_config_emit(const struct scim_config *cfg, FILE *f)
{
    fprintf(f, "# spincim resolved configuration: every key, defaults filled in, SI units.\n");
    if (cfg->path)
        fprintf(f, "# loaded from: %s\n", cfg->path);
    emit_tree(scim_config_sections, cfg, f, 0);
}

static void each_table(const struct scim_param *t, const void *values, const char *parent,
                       scim_config_key_fn *fn, void *ctx)
{
    char path[256];
    for (; t && t->key; t++) {
        scim_config_join_path(path, sizeof(path), parent, t->key);
        fn(ctx, path, t, values);
    }
}

static void each_tree(const struct section *s, const struct scim_config *cfg, const char *parent,
                      scim_config_key_fn *fn, void *ctx)
{
    for (; s && s->key; s++) {
        char path[256];
        scim_config_join_path(path, sizeof(path), parent, s->key);
        if (s->dev_class) {
            const struct scim_devinst *dev =
                (const struct scim_devinst *)((const char *)cfg + s->dev_offset);
            each_table(dev->ops->params, dev->params, path, fn, ctx);
        }
        if (s->table)
            each_table(s->table, (const char *)cfg + s->offset, path, fn, ctx);
        each_tree(s->children, cfg, path, fn, ctx);
    }
}

void scim_config_each_key(const struct scim_config *cfg, scim_config_key_fn *fn, void *ctx)
{
    each_tree(scim_config_sections, cfg, "", fn, ctx);
}

static void describe_tree(const struct section *s, const char *parent, FILE *f)
{
    for (; s && s->key; s++) {
        char path[256];
        scim_config_join_path(path, sizeof(path), parent, s->key);
        fprintf(f, "\n%s: %s\n", path, s->doc);
        if (s->dev_class) {
            const struct scim_device_ops *ops = scim_device_find(s->default_model);
            fprintf(f, "%s.model  %s model name  default: %s  -- see `spincim devices`\n", path,
                    scim_dev_class_name(s->dev_class), s->default_model);
            fprintf(f, "%s.plugin  path  default: none  -- shared object providing the model\n",
                    path);
            if (ops)
                scim_params_describe(ops->params, path, f);
        }
        if (s->table)
            scim_params_describe(s->table, path, f);
        describe_tree(s->children, path, f);
    }
}

void scim_config_describe(FILE *f)
{
    fprintf(f, "spincim configuration keys (values carry SI units with prefixes, e.g. 10ns, "
               "331kohm, 0.65pJ)\n");
    describe_tree(scim_config_sections, "", f);
}

void scim_config_hash(const struct scim_config *cfg, char *buf)
{
    char *text = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&text, &len);
    uint64_t h = 1469598103934665603ull;
    if (m) {
        scim_config_emit(cfg, m);
        fclose(m);
        /* The first lines name the source file; only the values count. */
        const char *p = text ? strstr(text, "\nchip:") : NULL;
        for (; p && *p; p++)
            h = (h ^ (unsigned char)*p) * 1099511628211ull;
        free(text);
    }
    snprintf(buf, 17, "%016llx", (unsigned long long)h);
}
