/*
 * config.c - the chip's configuration loader: the defaults of every section, then the
 * YAML file with its -p overrides, walked section by section through the schema
 * (config_schema.c). A device section loads its plug-in (if any), picks its model and
 * loads the model's own table; unknown keys are errors with a suggestion, file paths
 * become absolute, and a config that loads is cross-checked (config_check.c).
 */
#include "config.h"

#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "config_internal.h"
#include "devices/registry.h"
#include "sim/base/error.h"
#include "sim/base/fileio.h"
#include "sim/base/param.h"
#include "sim/base/yaml_dom.h"

#define MAX_KEYS 160

/* Collect the keys of a table into list (NULL-terminated); returns the count. */
static size_t add_table_keys(const char **list, size_t n, const struct scim_param *t)
{
    for (size_t i = 0; t && t[i].key && n + 1 < MAX_KEYS; i++)
        list[n++] = t[i].key;
    list[n] = NULL;
    return n;
}

static size_t add_child_keys(const char **list, size_t n, const struct section *s)
{
    for (size_t i = 0; s->children && s->children[i].key && n + 1 < MAX_KEYS; i++)
        list[n++] = s->children[i].key;
    if (s->dev_class && n + 3 < MAX_KEYS) {
        list[n++] = "model";
        list[n++] = "plugin";
    }
    list[n] = NULL;
    return n;
}

void scim_config_join_path(char *buf, size_t len, const char *parent, const char *key)
{
    if (parent && *parent)
        snprintf(buf, len, "%s.%s", parent, key);
    else
        snprintf(buf, len, "%s", key);
}

/* Load the plug-in named by `plugin:` (if any), relative to the config's folder. */
static int load_plugin(const struct scim_node *map, struct scim_devinst *dev, const char *base_dir,
                       struct scim_diag *d)
{
    struct scim_node *pn = scim_node_get(map, "plugin");
    if (!pn)
        return 0;
    pn->consumed = 1;
    if (pn->kind != SCIM_NODE_SCALAR || !pn->scalar[0])
        return scim_diag_error(d, &pn->loc, "'plugin' expects the path of a shared object");
    /* from the command line (line 0): relative to the working folder */
    free(dev->plugin);
    dev->plugin = scim_path_resolve(pn->loc.line == 0 ? NULL : base_dir, pn->scalar);
    if (!dev->plugin)
        return SCIM_ENOMEM;
    return scim_plugin_load(dev->plugin, &pn->loc, d);
}

/* Pick the model named by `model:` (or the default) and check its class. */
static const struct scim_device_ops *pick_model(const struct section *s,
                                                const struct scim_node *map, const char *path,
                                                struct scim_diag *d)
{
    struct scim_node *mn = scim_node_get(map, "model");
    const char *name = s->default_model;
    const struct scim_loc *loc = map ? &map->loc : NULL;
    if (mn) {
        mn->consumed = 1;
        loc = &mn->loc;
        if (mn->kind != SCIM_NODE_SCALAR)
            return scim_diag_error(d, loc, "'%s.model' expects a device model name", path), NULL;
        name = mn->scalar;
    }
    const struct scim_device_ops *ops = scim_device_find(name);
    if (!ops) {
        struct scim_suggest sg;
        scim_suggest_init(&sg, name);
        scim_device_suggest(&sg, s->dev_class);
        scim_diag_error(d, loc, "unknown device model '%s' for '%s'%s", name, path,
                        scim_suggest_hint(&sg));
        return NULL;
    }
    if (ops->dev_class != s->dev_class) {
        scim_diag_error(d, loc, "device model '%s' is a %s model; '%s' needs a %s model", name,
                        scim_dev_class_name(ops->dev_class), path,
                        scim_dev_class_name(s->dev_class));
        return NULL;
    }
    return ops;
}

/* Every key of map that is not in table (so the device loader reports no unknowns). */
static void others_than(const struct scim_node *map, const struct scim_param *table,
                        const char **list)
{
    size_t n = 0;
    for (size_t i = 0; map && map->kind == SCIM_NODE_MAP && i < map->n && n + 1 < MAX_KEYS; i++) {
        int in_table = 0;
        for (size_t j = 0; table[j].key; j++)
            if (!strcmp(table[j].key, map->keys[i]))
                in_table = 1;
        if (!in_table)
            list[n++] = map->keys[i];
    }
    list[n] = NULL;
}

static void run_device_check(const struct scim_devinst *dev, const struct scim_node *map,
                             const char *path, struct scim_diag *d)
{
    char msg[256] = "";
    if (dev->ops->check && dev->ops->check(dev->params, msg, sizeof(msg)) < 0)
        scim_diag_error(d, map ? &map->loc : NULL, "'%s' (%s): %s", path, dev->ops->name, msg);
}

static int load_device(const struct section *s, struct scim_config *cfg,
                       const struct scim_node *map, const char *path, const char *base_dir,
                       struct scim_diag *d)
{
    struct scim_devinst *dev = (struct scim_devinst *)((char *)cfg + s->dev_offset);
    if (load_plugin(map, dev, base_dir, d) < 0)
        return SCIM_ECONFIG;
    dev->ops = pick_model(s, map, path, d);
    if (!dev->ops)
        return SCIM_ECONFIG;
    dev->params = calloc(1, dev->ops->params_size);
    if (!dev->params)
        return SCIM_ENOMEM;
    if (scim_params_defaults(dev->ops->params, dev->params) < 0)
        SCIM_PANIC("defaults of device '%s' do not load", dev->ops->name);
    if (map) {
        const char *skip[MAX_KEYS];
        others_than(map, dev->ops->params, skip);
        if (scim_params_load(dev->ops->params, dev->params, map, path, skip, base_dir, d) < 0)
            return SCIM_ECONFIG;
    }
    run_device_check(dev, map, path, d);
    return 0;
}

/* A PATH given with -p is relative to the working directory, not to the file. */
static void fix_cmdline_paths(const struct scim_param *t, void *dst, const struct scim_node *map)
{
    for (size_t i = 0; t && t[i].key; i++) {
        struct scim_node *n = scim_node_get(map, t[i].key);
        if (t[i].type != SCIM_P_PATH || !n || n->loc.line != 0 || n->kind != SCIM_NODE_SCALAR)
            continue;
        char **slot = (char **)((char *)dst + t[i].offset);
        char *copy = strdup(n->scalar);
        if (!copy)
            continue;
        free(*slot);
        *slot = copy;
    }
}

static void all_keys(const struct scim_node *map, const char **list)
{
    size_t n = 0;
    for (size_t i = 0; map && map->kind == SCIM_NODE_MAP && i < map->n && n + 1 < MAX_KEYS; i++)
        list[n++] = map->keys[i];
    list[n] = NULL;
}

static int load_section(const struct section *s, struct scim_config *cfg, struct scim_node *map,
                        const char *parent, const char *base_dir, struct scim_diag *d);

static void load_children(const struct section *s, struct scim_config *cfg, struct scim_node *map,
                          const char *path, const char *base_dir, struct scim_diag *d)
{
    for (size_t i = 0; s->children && s->children[i].key; i++) {
        struct scim_node *child = map ? scim_node_get(map, s->children[i].key) : NULL;
        load_section(&s->children[i], cfg, child, path, base_dir, d);
    }
}

static int load_section(const struct section *s, struct scim_config *cfg, struct scim_node *map,
                        const char *parent, const char *base_dir, struct scim_diag *d)
{
    char path[256];
    scim_config_join_path(path, sizeof(path), parent, s->key);
    if (map && map->kind != SCIM_NODE_MAP) {
        map->consumed = 1;
        return scim_diag_error(d, &map->loc, "'%s' must be a mapping of keys", path);
    }
    if (map)
        map->consumed = 1;
    unsigned before = d->errors;
    const char *known[MAX_KEYS];
    size_t n = 0;
    known[0] = NULL;
    if (s->dev_class) {
        load_device(s, cfg, map, path, base_dir, d);
        const struct scim_devinst *dev =
            (const struct scim_devinst *)((const char *)cfg + s->dev_offset);
        if (dev->ops)
            n = add_table_keys(known, n, dev->ops->params);
        else
            all_keys(map, known); /* the model is unknown: do not pile up errors */
        for (n = 0; known[n]; n++)
            ;
    }
    n = add_child_keys(known, n, s);
    if (map && s->table) {
        scim_params_load(s->table, (char *)cfg + s->offset, map, path, known, base_dir, d);
        fix_cmdline_paths(s->table, (char *)cfg + s->offset, map);
    } else if (map) {
        scim_params_unknown(map, path, known, NULL, d);
    }
    load_children(s, cfg, map, path, base_dir, d);
    return d->errors > before ? SCIM_ECONFIG : 0;
}

static void defaults_tree(const struct section *s, struct scim_config *cfg)
{
    for (; s && s->key; s++) {
        if (s->table && scim_params_defaults(s->table, (char *)cfg + s->offset) < 0)
            SCIM_PANIC("defaults of section '%s' do not load", s->key);
        defaults_tree(s->children, cfg);
    }
}

static void top_unknown(const struct scim_node *root, struct scim_diag *d)
{
    const char *known[MAX_KEYS];
    size_t n = 0;
    for (const struct section *s = scim_config_sections; s->key; s++)
        known[n++] = s->key;
    known[n] = NULL;
    scim_params_unknown(root, "", known, NULL, d);
}

/* Make file paths absolute, so that resolved.yaml loads the same files from
 * wherever it is read. */
static int absolute_path(char **p)
{
    char buf[PATH_MAX];
    if (!*p || !**p || !realpath(*p, buf))
        return 0;
    char *copy = strdup(buf);
    if (!copy)
        return SCIM_ENOMEM;
    free(*p);
    *p = copy;
    return 0;
}

static int absolute_paths(struct scim_config *cfg)
{
    int rc = absolute_path(&cfg->workload.model);
    return rc ? rc : absolute_path(&cfg->workload.data_dir);
}

static int load_doc(struct scim_doc *doc, const char *path, const struct scim_override *ov,
                    size_t n_ov, struct scim_diag *d)
{
    int rc = 0;
    if (path)
        rc = scim_doc_load_file(doc, path, d);
    for (size_t i = 0; rc == 0 && i < n_ov; i++) {
        if (ov[i].key.file)
            scim_doc_override_at(doc, ov[i].text, &ov[i].key, &ov[i].value, d);
        else
            scim_doc_override(doc, ov[i].text, ov[i].index, d);
    }
    if (rc == 0 && d->errors)
        rc = SCIM_ECONFIG;
    if (rc == 0 && doc->root && doc->root->kind != SCIM_NODE_MAP)
        rc = scim_diag_error(d, &doc->root->loc, "a config must be a mapping of sections");
    return rc;
}

int scim_config_load(struct scim_config *cfg, const char *path, const char *const *overrides,
                     size_t n_overrides, struct scim_diag *d)
{
    struct scim_override *ov = n_overrides ? calloc(n_overrides, sizeof(*ov)) : NULL;
    if (n_overrides && !ov) {
        memset(cfg, 0, sizeof(*cfg));
        return SCIM_ENOMEM;
    }
    for (size_t i = 0; i < n_overrides; i++)
        ov[i].text = overrides[i], ov[i].index = (unsigned)(i + 1);
    int rc = scim_config_load_at(cfg, path, ov, n_overrides, d);
    free(ov);
    return rc;
}

/* A full config (point 0: its workload required, its cost in its own mode) or a
 * calibration point (point 1: the chip only, its cost physical). */
static int load(struct scim_config *cfg, const char *path, const struct scim_override *overrides,
                size_t n_overrides, int point, struct scim_diag *d)
{
    struct scim_doc doc;
    memset(cfg, 0, sizeof(*cfg));
    memset(&doc, 0, sizeof(doc));
    defaults_tree(scim_config_sections, cfg);
    unsigned before = d->errors;
    int rc = load_doc(&doc, path, overrides, n_overrides, d);
    if (rc == 0) {
        for (const struct section *s = scim_config_sections; s->key; s++)
            load_section(s, cfg, scim_node_get(doc.root, s->key), "", doc.dir, d);
        top_unknown(doc.root, d);
        if (d->errors == before && !cfg->workload.model && !point) /* no workload section */
            scim_diag_error(d, doc.root ? &doc.root->loc : &(struct scim_loc){path, 0, 0},
                            "missing required key 'model' in 'workload'");
        if (d->errors == before && !point)
            scim_config_cross_check(cfg, doc.root, d);
        if (point)
            cfg->energy.mode = SCIM_ENERGY_PHYSICAL, cfg->cost.point = 1;
        if (d->errors == before)
            scim_cost_init(cfg, doc.root, d);
        rc = d->errors > before ? SCIM_ECONFIG : 0;
    }
    if (rc == 0 && path && !(cfg->path = strdup(path)))
        rc = SCIM_ENOMEM;
    if (rc == 0)
        rc = absolute_paths(cfg);
    scim_doc_free(&doc);
    if (rc < 0)
        scim_config_free(cfg);
    return rc;
}

int scim_config_load_at(struct scim_config *cfg, const char *path,
                        const struct scim_override *overrides, size_t n_overrides,
                        struct scim_diag *d)
{
    return load(cfg, path, overrides, n_overrides, 0, d);
}

int scim_config_load_point(struct scim_config *cfg, const char *path, struct scim_diag *d)
{
    return load(cfg, path, NULL, 0, 1, d);
}

static void free_tree(const struct section *s, struct scim_config *cfg)
{
    for (; s && s->key; s++) {
        if (s->table)
            scim_params_free(s->table, (char *)cfg + s->offset);
        if (s->dev_class) {
            struct scim_devinst *dev = (struct scim_devinst *)((char *)cfg + s->dev_offset);
            if (dev->ops && dev->params)
                scim_params_free(dev->ops->params, dev->params);
            free(dev->params);
            free(dev->plugin);
        }
        free_tree(s->children, cfg);
    }
}

void scim_config_free(struct scim_config *cfg)
{
    scim_cost_free(&cfg->cost);
    free_tree(scim_config_sections, cfg);
    free(cfg->path);
    memset(cfg, 0, sizeof(*cfg));
}
