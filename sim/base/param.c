/*
 * param.c - one parameter table drives loading, checking, printing and documenting.
 *
 * A row of struct scim_param says where a value lives in a C struct, its type,
 * its unit and bounds, its default and what it means. Every conversion goes
 * through convert(), so defaults, YAML values and command-line overrides obey
 * the same rules and give the same messages. A loader reports every problem
 * of a mapping (not only the first) to the diagnostics sink and marks each
 * node it used as consumed; keys nobody used are reported as unknown with the
 * nearest known key as a suggestion.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include "param.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "fileio.h"
#include "suggest.h"
#include "units.h"

/* A converted value, before it is stored into the destination struct. */
union pval {
    double f;
    int64_t i;
    int b;
    char *s;
};

static void *field(const struct scim_param *p, void *base)
{
    return (char *)base + p->offset;
}

static const void *cfield(const struct scim_param *p, const void *base)
{
    return (const char *)base + p->offset;
}

static int is_string(const struct scim_param *p)
{
    return p->type == SCIM_P_STR || p->type == SCIM_P_PATH;
}

static void put_msg(char *msg, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void put_msg(char *msg, size_t len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, len, fmt, ap);
    va_end(ap);
}

/* "section.key", or "key" at the top level. */
static void full_name(const char *section, const char *key, char *buf, size_t len)
{
    if (section && *section)
        snprintf(buf, len, "%s.%s", section, key);
    else
        snprintf(buf, len, "%s", key);
}

/* ---- conversion ---- */

/* An integer bound as plain digits (tables may use huge doubles for "no bound"). */
static void int_bound(double x, char *buf, size_t len)
{
    if (isfinite(x) && fabs(x) < 9.2e18)
        snprintf(buf, len, "%.0f", x);
    else
        snprintf(buf, len, "%g", x);
}

/* The bounds of an F64 row as "[lo, hi]", or "(0, hi]" for SCIM_P_ABOVE_ZERO (len >= 112). */
static const char *f64_range(const struct scim_param *p, char *buf, size_t len)
{
    char lo[48], hi[48];
    scim_unit_format(p->min == SCIM_P_ABOVE_ZERO ? 0.0 : p->min, p->dim, 4, lo, sizeof(lo));
    scim_unit_format(p->max, p->dim, 4, hi, sizeof(hi));
    snprintf(buf, len, "%s%s, %s]", p->min == SCIM_P_ABOVE_ZERO ? "(" : "[", lo, hi);
    return buf;
}

static int conv_f64(const struct scim_param *p, const char *text, const char *name, double *out,
                    char *msg, size_t len)
{
    char umsg[512], lo[48], hi[48], got[48], range[112];
    int rc = scim_unit_parse(text, p->dim, out, umsg, sizeof(umsg));
    if (rc < 0) {
        put_msg(msg, len, "'%s': %s", name, umsg);
        return rc;
    }
    if (*out >= p->min && *out <= p->max)
        return 0;
    scim_unit_format(p->min, p->dim, 4, lo, sizeof(lo));
    scim_unit_format(p->max, p->dim, 4, hi, sizeof(hi));
    scim_unit_format(*out, p->dim, 4, got, sizeof(got));
    /* Rounded to 4 digits, a value just outside a bound would print as the bound. */
    if (!strcmp(got, lo) || !strcmp(got, hi))
        scim_unit_format_exact(*out, p->dim, got, sizeof(got));
    put_msg(msg, len, "'%s' must be in %s, got %s", name, f64_range(p, range, sizeof(range)), got);
    return SCIM_ERANGE;
}

static int conv_int(const struct scim_param *p, const char *text, const char *name, int64_t *out,
                    char *msg, size_t len)
{
    char lo[48], hi[48], *end;
    if (!((*text >= '0' && *text <= '9') || *text == '-' || *text == '+')) {
        put_msg(msg, len, "'%s' expects an integer, got '%s'", name, text);
        return SCIM_EINVAL;
    }
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (end == text || *end) {
        put_msg(msg, len, "'%s' expects an integer, got '%s'", name, text);
        return SCIM_EINVAL;
    }
    if (errno != ERANGE && (double)v >= p->min && (double)v <= p->max) {
        *out = v;
        return 0;
    }
    int_bound(p->min, lo, sizeof(lo));
    int_bound(p->max, hi, sizeof(hi));
    put_msg(msg, len, "'%s' must be in [%s, %s], got %s", name, lo, hi, text);
    return SCIM_ERANGE;
}

/* Index of text among the choices "a|b|c", or -1. */
static int choice_index(const char *choices, const char *text)
{
    size_t tl = strlen(text);
    int i = 0;
    for (const char *c = choices; c; i++) {
        const char *bar = strchr(c, '|');
        size_t n = bar ? (size_t)(bar - c) : strlen(c);
        if (n == tl && !memcmp(c, text, n))
            return i;
        c = bar ? bar + 1 : NULL;
    }
    return -1;
}

/* " (did you mean 'x'?)" for text among the choices "a|b|c" into buf, or "". */
static const char *choice_hint(const char *choices, const char *text, char *buf, size_t len)
{
    char names[512];
    const char *list[64];
    size_t n = 0;
    snprintf(names, sizeof(names), "%s", choices ? choices : "");
    for (char *c = names; c && n + 1 < sizeof(list) / sizeof(list[0]); n++) {
        list[n] = c;
        if ((c = strchr(c, '|')))
            *c++ = '\0';
    }
    list[n] = NULL;
    struct scim_suggest sg;
    scim_suggest_init(&sg, text);
    scim_suggest_add_list(&sg, list);
    snprintf(buf, len, "%s", scim_suggest_hint(&sg));
    return buf;
}

/* Copy choice number idx of "a|b|c" into buf ("" if there is none). */
static void choice_name(const char *choices, int idx, char *buf, size_t len)
{
    const char *c = choices;
    for (int i = 0; c && i < idx; i++) {
        c = strchr(c, '|');
        c = c ? c + 1 : NULL;
    }
    if (!c || idx < 0) {
        snprintf(buf, len, "%s", "");
        return;
    }
    const char *bar = strchr(c, '|');
    snprintf(buf, len, "%.*s", (int)(bar ? (size_t)(bar - c) : strlen(c)), c);
}

/* Convert text for row p into *out; on failure write the full message to msg. */
static int convert(const struct scim_param *p, const char *text, const char *name,
                   const char *base_dir, union pval *out, char *msg, size_t len)
{
    char hint[192];
    switch (p->type) {
    case SCIM_P_F64:
        return conv_f64(p, text, name, &out->f, msg, len);
    case SCIM_P_INT:
        return conv_int(p, text, name, &out->i, msg, len);
    case SCIM_P_BOOL:
        if (!strcmp(text, "true") || !strcmp(text, "false")) {
            out->b = text[0] == 't';
            return 0;
        }
        put_msg(msg, len, "'%s' expects true or false, got '%s'", name, text);
        return SCIM_EINVAL;
    case SCIM_P_ENUM:
        if (p->choices && (out->b = choice_index(p->choices, text)) >= 0)
            return 0;
        put_msg(msg, len, "'%s' must be one of %s, got '%s'%s", name,
                p->choices ? p->choices : "(none)", text,
                choice_hint(p->choices, text, hint, sizeof(hint)));
        return SCIM_EINVAL;
    case SCIM_P_STR:
    case SCIM_P_PATH:
        out->s = p->type == SCIM_P_PATH ? scim_path_resolve(base_dir, text) : strdup(text);
        if (out->s)
            return 0;
        put_msg(msg, len, "out of memory");
        return SCIM_ENOMEM;
    }
    put_msg(msg, len, "'%s' has an unknown parameter type %d", name, (int)p->type);
    return SCIM_EINTERNAL;
}

/* Store a converted value, freeing the string it replaces. */
static void store(const struct scim_param *p, void *dst, const union pval *v, int free_old)
{
    void *f = field(p, dst);
    switch (p->type) {
    case SCIM_P_F64:
        *(double *)f = v->f;
        break;
    case SCIM_P_INT:
        *(int64_t *)f = v->i;
        break;
    case SCIM_P_BOOL:
    case SCIM_P_ENUM:
        *(int *)f = v->b;
        break;
    case SCIM_P_STR:
    case SCIM_P_PATH:
        if (free_old)
            free(*(char **)f);
        *(char **)f = v->s;
        break;
    }
}

/* ---- loading ---- */

int scim_param_set(const struct scim_param *p, void *dst, const struct scim_node *val,
                   const char *section, const char *base_dir, struct scim_diag *d)
{
    char name[256], msg[1024];
    union pval v;
    if (!p || !dst || !val)
        return SCIM_EINVAL;
    full_name(section, p->key, name, sizeof(name));
    /* Consumed even when wrong: a bad value must not also be an "unknown key". */
    ((struct scim_node *)val)->consumed = 1;
    if (val->kind != SCIM_NODE_SCALAR)
        return scim_diag_error(d, &val->loc, "'%s' expects a value, got %s", name,
                               val->kind == SCIM_NODE_MAP ? "a mapping" : "a list");
    int rc = convert(p, val->scalar, name, base_dir, &v, msg, sizeof(msg));
    if (rc == SCIM_ENOMEM)
        return rc;
    if (rc < 0)
        return scim_diag_error(d, &val->loc, "%s", msg);
    store(p, dst, &v, 1);
    return 0;
}

static int in_list(const char *const *list, const char *s)
{
    for (size_t i = 0; list && list[i]; i++)
        if (!strcmp(list[i], s))
            return 1;
    return 0;
}

const struct scim_param *scim_param_find(const struct scim_param *table, const char *key)
{
    for (const struct scim_param *p = table; p && p->key && key; p++)
        if (!strcmp(p->key, key))
            return p;
    return NULL;
}

int scim_param_choice(const struct scim_param *p, const char *text)
{
    return p && p->type == SCIM_P_ENUM && p->choices && text ? choice_index(p->choices, text) : -1;
}

unsigned scim_params_unknown(const struct scim_node *map, const char *section,
                             const char *const *known, const char *const *skip, struct scim_diag *d)
{
    unsigned count = 0;
    if (!map || map->kind != SCIM_NODE_MAP)
        return 0;
    int top = !section || !*section;
    for (size_t i = 0; i < map->n; i++) {
        if (map->items[i]->consumed || in_list(skip, map->keys[i]))
            continue;
        struct scim_suggest sg;
        scim_suggest_init(&sg, map->keys[i]);
        scim_suggest_add_list(&sg, known);
        scim_diag_error(d, &map->key_locs[i], "unknown key '%s'%s%s%s%s", map->keys[i],
                        top ? "" : " in '", top ? "" : section, top ? "" : "'",
                        scim_suggest_hint(&sg));
        /* Reported once: a later pass over unconsumed nodes must not repeat it. */
        map->items[i]->consumed = 1;
        count++;
    }
    return count;
}

static void missing(const struct scim_param *p, const struct scim_node *map, const char *section,
                    struct scim_diag *d)
{
    const struct scim_loc *loc = map ? &map->loc : NULL;
    if (section && *section)
        scim_diag_error(d, loc, "missing required key '%s' in '%s'", p->key, section);
    else
        scim_diag_error(d, loc, "missing required key '%s'", p->key);
}

/* Table keys followed by the skip list, NULL-terminated (for suggestions). */
static const char **known_names(const struct scim_param *table, const char *const *skip)
{
    size_t n = 0, m = 0;
    while (table[n].key)
        n++;
    while (skip && skip[m])
        m++;
    const char **known = malloc((n + m + 1) * sizeof(*known));
    if (!known)
        return NULL;
    for (size_t i = 0; i < n; i++)
        known[i] = table[i].key;
    for (size_t i = 0; i < m; i++)
        known[n + i] = skip[i];
    known[n + m] = NULL;
    return known;
}

int scim_params_load(const struct scim_param *table, void *dst, const struct scim_node *map,
                     const char *section, const char *const *skip, const char *base_dir,
                     struct scim_diag *d)
{
    unsigned before = d->errors;
    if (map && map->kind != SCIM_NODE_MAP) {
        ((struct scim_node *)map)->consumed = 1;
        return scim_diag_error(d, &map->loc, "'%s' expects a mapping, got %s",
                               section && *section ? section : "the document",
                               map->kind == SCIM_NODE_SEQ ? "a list" : "a value");
    }
    if (map)
        ((struct scim_node *)map)->consumed = 1;
    for (const struct scim_param *p = table; p->key; p++) {
        const struct scim_node *val = scim_node_get(map, p->key);
        if (val && scim_param_set(p, dst, val, section, base_dir, d) == SCIM_ENOMEM)
            return SCIM_ENOMEM;
        if (!val && !p->dflt)
            missing(p, map, section, d);
    }
    if (map) {
        const char **known = known_names(table, skip);
        if (!known)
            return SCIM_ENOMEM;
        scim_params_unknown(map, section, known, skip, d);
        free(known);
    }
    return d->errors > before ? SCIM_ECONFIG : 0;
}

int scim_params_defaults(const struct scim_param *table, void *dst)
{
    for (const struct scim_param *p = table; p->key; p++) {
        union pval v;
        char msg[512];
        if (!p->dflt) {
            memset(&v, 0, sizeof(v));
            store(p, dst, &v, 0);
            continue;
        }
        if (convert(p, p->dflt, p->key, NULL, &v, msg, sizeof(msg)) < 0)
            return SCIM_EINTERNAL;
        store(p, dst, &v, 0);
    }
    return 0;
}

/* ---- printing ---- */

/* A double-quoted YAML string. Characters YAML refuses unescaped (C1 controls,
 * U+FFFE, U+FFFF) or reads as line breaks (U+0085, U+2028, U+2029) are escaped,
 * so the text loads back to the same string. */
static void emit_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s, c1 = (unsigned char)s[1];
        if (c == 0xc2 && c1 >= 0x80 && c1 <= 0x9f) {
            fprintf(f, "\\x%02x", c1);
            s++;
        } else if (c1 && ((c == 0xe2 && c1 == 0x80 && (s[2] == '\xa8' || s[2] == '\xa9')) ||
                          (c == 0xef && c1 == 0xbf && (s[2] == '\xbe' || s[2] == '\xbf')))) {
            fprintf(f, "\\u%04x",
                    (c & 0x0f) << 12 | (c1 & 0x3f) << 6 | ((unsigned char)s[2] & 0x3f));
            s += 2;
        } else if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c == '\n')
            fputs("\\n", f);
        else if (c == '\t')
            fputs("\\t", f);
        else if (c < 0x20 || c == 0x7f)
            fprintf(f, "\\x%02x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

/* The value of row p in src as YAML text that parses back exactly (not strings). */
static void value_text(const struct scim_param *p, const void *src, char *buf, size_t len)
{
    const void *f = cfield(p, src);
    switch (p->type) {
    case SCIM_P_F64:
        scim_unit_format_exact(*(const double *)f, p->dim, buf, len);
        break;
    case SCIM_P_INT:
        snprintf(buf, len, "%" PRId64, *(const int64_t *)f);
        break;
    case SCIM_P_BOOL:
        snprintf(buf, len, "%s", *(const int *)f ? "true" : "false");
        break;
    case SCIM_P_ENUM:
        choice_name(p->choices, *(const int *)f, buf, len);
        if (!*buf)
            snprintf(buf, len, "%d", *(const int *)f);
        break;
    default:
        snprintf(buf, len, "%s", "");
        break;
    }
}

/* A comment must stay on its line. */
static void emit_comment(FILE *f, const char *doc)
{
    fputs("  # ", f);
    for (; *doc; doc++)
        fputc(*doc == '\n' || *doc == '\r' ? ' ' : *doc, f);
}

void scim_params_emit(const struct scim_param *table, const void *src, FILE *f, int indent)
{
    char buf[128];
    for (const struct scim_param *p = table; p->key; p++) {
        fprintf(f, "%*s%s: ", indent > 0 ? indent : 0, "", p->key);
        if (is_string(p)) {
            emit_str(f, *(char *const *)cfield(p, src));
        } else {
            value_text(p, src, buf, sizeof(buf));
            fputs(buf, f);
        }
        if (p->doc && *p->doc)
            emit_comment(f, p->doc);
        fputc('\n', f);
    }
}

/* The cells of one row of the --defaults table. */
struct desc_row {
    char name[160];
    char type[32];
    char dflt[96];
    char range[160];
};

static void describe_row(const struct scim_param *p, const char *section, struct desc_row *r)
{
    char lo[48], hi[48];
    const char *sym = p->type == SCIM_P_F64 ? scim_dim_symbol(p->dim) : "";
    static const char *const types[] = {"?", "float", "int", "bool", "enum", "string", "path"};
    const char *type = (int)p->type >= 1 && (int)p->type <= 6 ? types[p->type] : "?";
    full_name(section, p->key, r->name, sizeof(r->name));
    snprintf(r->type, sizeof(r->type), "%s%s%s", type, *sym ? "/" : "", sym);
    if (p->dflt)
        snprintf(r->dflt, sizeof(r->dflt), "default: %s", *p->dflt ? p->dflt : "\"\"");
    else
        snprintf(r->dflt, sizeof(r->dflt), "required");
    r->range[0] = '\0';
    if (p->type == SCIM_P_F64) {
        char range[112];
        snprintf(r->range, sizeof(r->range), "range: %s", f64_range(p, range, sizeof(range)));
    } else if (p->type == SCIM_P_INT) {
        int_bound(p->min, lo, sizeof(lo));
        int_bound(p->max, hi, sizeof(hi));
        snprintf(r->range, sizeof(r->range), "range: [%s, %s]", lo, hi);
    } else if (p->type == SCIM_P_ENUM) {
        snprintf(r->range, sizeof(r->range), "one of: %s", p->choices ? p->choices : "");
    }
}

static int max_int(int a, size_t b)
{
    return (size_t)a > b ? a : (int)b;
}

void scim_params_describe(const struct scim_param *table, const char *section, FILE *f)
{
    size_t n = 0;
    while (table[n].key)
        n++;
    struct desc_row *rows = calloc(n ? n : 1, sizeof(*rows));
    if (!rows)
        return;
    int w[4] = {0, 0, 0, 0};
    for (size_t i = 0; i < n; i++) {
        describe_row(&table[i], section, &rows[i]);
        w[0] = max_int(w[0], strlen(rows[i].name));
        w[1] = max_int(w[1], strlen(rows[i].type));
        w[2] = max_int(w[2], strlen(rows[i].dflt));
        w[3] = max_int(w[3], strlen(rows[i].range));
    }
    for (size_t i = 0; i < n; i++) {
        char line[1024];
        const char *doc = table[i].doc ? table[i].doc : "";
        int len = snprintf(line, sizeof(line), "%-*s  %-*s  %-*s  %-*s", w[0], rows[i].name, w[1],
                           rows[i].type, w[2], rows[i].dflt, w[3], rows[i].range);
        size_t l = len < 0 ? 0 : (size_t)len < sizeof(line) ? (size_t)len : sizeof(line) - 1;
        while (!*doc && l && line[l - 1] == ' ')
            line[--l] = '\0';
        fprintf(f, "%s%s%s\n", line, *doc ? "  \xe2\x80\x94 " : "", doc);
    }
    free(rows);
}

/* ---- ownership ---- */

void scim_params_free(const struct scim_param *table, void *dst)
{
    if (!table || !dst)
        return;
    for (const struct scim_param *p = table; p->key; p++) {
        if (is_string(p)) {
            char **s = field(p, dst);
            free(*s);
            *s = NULL;
        }
    }
}

int scim_params_copy(const struct scim_param *table, size_t size, void *dst, const void *src)
{
    memcpy(dst, src, size);
    const struct scim_param *p = table;
    for (; p->key; p++) {
        if (!is_string(p))
            continue;
        char **s = field(p, dst);
        if (*s && !(*s = strdup(*s)))
            break;
    }
    if (!p->key)
        return 0;
    /* Out of memory at row p: later strings still alias src, so drop them first. */
    for (; p->key; p++)
        if (is_string(p))
            *(char **)field(p, dst) = NULL;
    scim_params_free(table, dst);
    return SCIM_ENOMEM;
}
