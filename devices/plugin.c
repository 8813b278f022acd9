/*
 * plugin.c - load device models from shared objects (dlopen), SQLite-extension style.
 *
 * A plug-in exports scim_plugin_init(const struct scim_host_api *host) and
 * registers its models through host->register_device. The host API is the
 * plug-in's only way into spincim, so the executable exports no symbols.
 * A plug-in is loaded only from the path the config names.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/base/error.h"
#include "registry.h"

#define SCIM__MAX_PLUGINS 64

_Static_assert(SCIM_PLUGIN_EABI == SCIM_EABI, "plug-in ABI code must match the host's");
_Static_assert(SCIM_PLUGIN_EINVAL == SCIM_EINVAL, "plug-in EINVAL must match the host's");

static struct {
    char *path;
    void *handle;
} loaded[SCIM__MAX_PLUGINS];
static size_t n_loaded;

/* Messages from registrations made inside the entry point that is running. */
static char last_register_msg[512];

static int host_register(const struct scim_device_ops *ops)
{
    char msg[256];
    int rc = scim_device_register_msg(ops, msg, sizeof(msg));
    if (rc < 0)
        snprintf(last_register_msg, sizeof(last_register_msg), "%s", msg);
    return rc;
}

const struct scim_host_api scim_host_api = {
    .abi_version = SCIM_DEVICE_ABI,
    .register_device = host_register,
    .k_boltzmann = 1.380649e-23,
    .e_charge = 1.602176634e-19,
    .hbar = 1.054571817e-34,
};

static int already_loaded(const char *path)
{
    for (size_t i = 0; i < n_loaded; i++)
        if (!strcmp(loaded[i].path, path))
            return 1;
    return 0;
}

static int run_entry(void *h, const char *path, const struct scim_loc *loc, struct scim_diag *d)
{
    scim_plugin_init_fn init;
    void *sym = dlsym(h, SCIM_PLUGIN_ENTRY);
    if (!sym)
        return scim_diag_error(d, loc, "plug-in '%s' does not export %s()", path,
                               SCIM_PLUGIN_ENTRY),
               SCIM_EPLUGIN;
    memcpy(&init, &sym, sizeof(init));
    last_register_msg[0] = '\0';
    int rc = init(&scim_host_api);
    if (rc < 0) {
        scim_diag_error(d, loc, "plug-in '%s': %s() failed: %s%s%s", path, SCIM_PLUGIN_ENTRY,
                        scim_strerror(rc), last_register_msg[0] ? ": " : "", last_register_msg);
        return rc == SCIM_EABI ? SCIM_EABI : SCIM_EPLUGIN;
    }
    return 0;
}

/* Loads are serialized (two runs in two threads may name the same plug-in). */
static pthread_mutex_t load_lock = PTHREAD_MUTEX_INITIALIZER;

static int load(const char *path, const struct scim_loc *loc, struct scim_diag *d);

int scim_plugin_load(const char *path, const struct scim_loc *loc, struct scim_diag *d)
{
    pthread_mutex_lock(&load_lock);
    int rc = load(path, loc, d);
    pthread_mutex_unlock(&load_lock);
    return rc;
}

static int load(const char *path, const struct scim_loc *loc, struct scim_diag *d)
{
    if (!path || !*path)
        return scim_diag_error(d, loc, "empty plug-in path"), SCIM_EPLUGIN;
    if (already_loaded(path))
        return 0;
    if (n_loaded == SCIM__MAX_PLUGINS)
        return scim_diag_error(d, loc, "too many plug-ins (at most %d)", SCIM__MAX_PLUGINS),
               SCIM_EPLUGIN;
    /* A bare file name would make dlopen search the library path; plug-ins are
     * loaded only from the path the config gives, so make it explicit. */
    char buf[4096];
    if (!strchr(path, '/'))
        snprintf(buf, sizeof(buf), "./%s", path);
    else
        snprintf(buf, sizeof(buf), "%s", path);
    void *h = dlopen(buf, RTLD_NOW | RTLD_LOCAL);
    if (!h)
        return scim_diag_error(d, loc, "cannot load plug-in '%s': %s", path, dlerror()),
               SCIM_EPLUGIN;
    /* On failure the handle stays open: the entry point may have registered
     * models (pointing into the object) before it failed. */
    int rc = run_entry(h, path, loc, d);
    if (rc < 0)
        return rc;
    loaded[n_loaded].path = strdup(path);
    loaded[n_loaded].handle = h;
    if (!loaded[n_loaded].path)
        return SCIM_ENOMEM;
    n_loaded++;
    return 0;
}
