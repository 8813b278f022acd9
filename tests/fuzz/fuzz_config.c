/*
 * fuzz_config.c - libFuzzer harness for the config loader, its -p overrides and
 * the unit parser.
 *
 * Input layout: YAML config text, then up to 4 `-p` override strings, each
 * introduced by a NUL byte ("chip: {vdd: 1V}\0adc.bits=6\0crossbar.rows=64").
 * The YAML goes to a scratch file (scim_config_load takes a path) and is
 * loaded with the overrides, diagnostics kept in memory only.
 *
 * Checked besides "no crash, no sanitizer report, no leak":
 *  - a config that loads writes a resolved YAML that loads again to the same
 *    values (same scim_config_hash), as README promises for resolved.yaml;
 *  - the first line of the input (at most 96 bytes) is parsed as a value of
 *    every dimension; a value that parses is finite and its exact formatting
 *    reads back bit for bit; errors are SCIM_EUNIT or SCIM_EINVAL with a message;
 *  - the first 8 input bytes, as a double, format in every dimension and, when
 *    finite, round-trip through scim_unit_format_exact().
 *
 * Inputs that name an existing shared object (or a device, FIFO, folder) as a
 * `plugin:` are skipped: dlopen() would run foreign code or block.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "arch/config.h"
#include "sim/base/diag.h"
#include "sim/base/error.h"
#include "sim/base/units.h"
#include "sim/base/yaml_dom.h"
#include "fuzz_util.h"

#define MAX_OVERRIDES 4
#define UNIT_PREFIX 96

/* ---- units ---- */

static void check_exact(double v, enum scim_dim dim)
{
    char buf[160], msg[256];
    double back = 0;
    scim_unit_format_exact(v, dim, buf, sizeof(buf));
    int rc = scim_unit_parse(buf, dim, &back, msg, sizeof(msg));
    if (rc != 0)
        fuzz_die("scim_unit_format_exact(%a, dim %d) gave '%s', which does not parse: %s", v,
                 (int)dim, buf, msg);
    if (memcmp(&back, &v, sizeof(v)) != 0)
        fuzz_die("scim_unit_format_exact(%a, dim %d) gave '%s', which reads back as %a", v,
                 (int)dim, buf, back);
}

static void fuzz_units(const uint8_t *data, size_t size)
{
    size_t n = 0;
    while (n < size && n < UNIT_PREFIX && data[n] != '\n' && data[n] != '\0')
        n++;
    char *text = fuzz_strndup(data, n);
    for (int k = 0; k < SCIM_DIM_COUNT; k++) {
        enum scim_dim dim = (enum scim_dim)k;
        char msg[256] = "";
        double v = 0;
        int rc = scim_unit_parse(text, dim, &v, msg, sizeof(msg));
        if (rc == 0) {
            if (!isfinite(v))
                fuzz_die("scim_unit_parse('%s', dim %d) accepted a non-finite value", text, k);
            check_exact(v, dim);
        } else if ((rc != SCIM_EUNIT && rc != SCIM_EINVAL) || !msg[0]) {
            fuzz_die("scim_unit_parse('%s', dim %d) returned %d with message '%s'", text, k, rc,
                     msg);
        }
    }
    free(text);
    if (size < sizeof(double))
        return;
    double v;
    memcpy(&v, data, sizeof(v));
    for (int k = 0; k < SCIM_DIM_COUNT; k++) {
        char buf[160];
        for (int digits = 0; digits <= 18; digits += 3)
            scim_unit_format(v, (enum scim_dim)k, digits, buf, sizeof(buf));
        scim_unit_format(v, (enum scim_dim)k, 4, buf, 8); /* a short buffer truncates */
        if (isfinite(v))
            check_exact(v, (enum scim_dim)k);
    }
}

/* ---- plug-in paths ---- */

/* Would dlopen() of this path load code or block? (ELF file, device, FIFO...) */
static int unsafe_file(const char *path)
{
    struct stat sb;
    if (stat(path, &sb) != 0)
        return 0;
    if (!S_ISREG(sb.st_mode))
        return 1;
    unsigned char magic[4] = {0, 0, 0, 0};
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    size_t got = fread(magic, 1, sizeof(magic), f);
    fclose(f);
    return got == 4 && magic[0] == 0x7f && !memcmp(magic + 1, "ELF", 3);
}

/* A `plugin:` value as the loader would resolve it: relative to the config's
 * folder (file values), or as given (overrides, absolute paths). */
static int unsafe_plugin(const char *value, const char *base_dir)
{
    char path[8192];
    if (!value[0])
        return 0;
    snprintf(path, sizeof(path), "%s%s", strchr(value, '/') ? "" : "./", value);
    if (unsafe_file(path))
        return 1;
    snprintf(path, sizeof(path), "%s/%s", base_dir, value);
    return unsafe_file(path);
}

static int names_unsafe_plugin(const struct scim_node *n, const char *base_dir)
{
    if (!n || n->kind == SCIM_NODE_SCALAR)
        return 0;
    for (size_t i = 0; i < n->n; i++) {
        const struct scim_node *v = n->items[i];
        if (n->kind == SCIM_NODE_MAP && !strcmp(n->keys[i], "plugin") &&
            v->kind == SCIM_NODE_SCALAR && unsafe_plugin(v->scalar, base_dir))
            return 1;
        if (names_unsafe_plugin(v, base_dir))
            return 1;
    }
    return 0;
}

/* Parse the text and overrides like the loader does and look for plug-ins. */
static int skip_input(const char *cfg_path, const uint8_t *yaml, size_t ylen, char **ov,
                      size_t n_ov)
{
    struct scim_diag d;
    struct scim_doc doc;
    scim_diag_init(&d, NULL);
    int skip = 0;
    if (scim_doc_load_string(&doc, (const char *)yaml, ylen, cfg_path, &d) == 0) {
        for (size_t i = 0; i < n_ov; i++)
            scim_doc_override(&doc, ov[i], (unsigned)(i + 1), &d);
        skip = names_unsafe_plugin(doc.root, doc.dir);
    }
    scim_doc_free(&doc);
    scim_diag_free(&d);
    return skip;
}

/* ---- the config loader ---- */

/* A loaded config writes a resolved YAML that loads back to the same values. */
static void check_resolved(const struct scim_config *cfg)
{
    char path[4200], h1[17], h2[17];
    fuzz_path(path, sizeof(path), "resolved.yaml");
    FILE *f = fopen(path, "w");
    if (!f)
        fuzz_die("cannot write %s: %s", path, strerror(errno));
    scim_config_emit(cfg, f);
    if (fclose(f) != 0)
        fuzz_die("cannot write %s", path);
    struct scim_config again;
    struct scim_diag d;
    scim_diag_init(&d, NULL);
    int rc = scim_config_load(&again, path, NULL, 0, &d);
    if (rc != 0)
        fuzz_die("the resolved config does not load again (%s):\n%s", scim_err_name(rc),
                 d.text ? d.text : "(no message)");
    scim_config_hash(cfg, h1);
    scim_config_hash(&again, h2);
    if (strcmp(h1, h2) != 0)
        fuzz_die("the resolved config loads to other values (hash %s, then %s)", h1, h2);
    scim_config_free(&again);
    scim_diag_free(&d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char cfg_path[4200];
    fuzz_path(cfg_path, sizeof(cfg_path), "config.yaml");
    fuzz_units(data, size);

    const uint8_t *nul = memchr(data, '\0', size);
    size_t ylen = nul ? (size_t)(nul - data) : size;
    char *ov[MAX_OVERRIDES];
    size_t n_ov = 0;
    for (size_t at = ylen; at < size && n_ov < MAX_OVERRIDES;) {
        size_t start = at + 1, end = start;
        while (end < size && data[end] != '\0')
            end++;
        ov[n_ov++] = fuzz_strndup(data + start, end - start);
        at = end;
    }
    fuzz_write(cfg_path, data, ylen);

    if (!skip_input(cfg_path, data, ylen, ov, n_ov)) {
        struct scim_config cfg;
        struct scim_diag d;
        scim_diag_init(&d, NULL);
        int rc = scim_config_load(&cfg, cfg_path, (const char *const *)ov, n_ov, &d);
        if (rc == 0 && d.errors)
            fuzz_die("scim_config_load succeeded with %u errors", d.errors);
        if (rc < 0 && !d.errors && rc != SCIM_ENOMEM)
            fuzz_die("scim_config_load failed (%s) without a message", scim_err_name(rc));
        if (rc == 0) {
            check_resolved(&cfg);
            scim_config_free(&cfg);
        }
        scim_diag_free(&d);
    }
    for (size_t i = 0; i < n_ov; i++)
        free(ov[i]);
    return 0;
}
