/*
 * json.c - a strict JSON reader into the located node tree (json.h): a
 * recursive-descent parser over the text that tracks line and column, with the
 * limits of the YAML reader (depth, size, duplicate keys).
 */
#include "json.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

#define MAX_DEPTH 64

struct jp {
    const char *p, *end; /* next byte, end of input */
    const char *line0;   /* start of the current line */
    unsigned line;
    const char *file;
    struct scim_diag *d;
};

static struct scim_loc here(const struct jp *j)
{
    return (struct scim_loc){j->file, j->line, (unsigned)(j->p - j->line0) + 1};
}

static int fail(struct jp *j, const char *what)
{
    struct scim_loc l = here(j);
    if (j->p >= j->end)
        return scim_diag_error(j->d, &l, "invalid JSON: %s (end of input)", what);
    return scim_diag_error(j->d, &l, "invalid JSON: %s", what);
}

static void skip_ws(struct jp *j)
{
    for (; j->p < j->end; j->p++) {
        if (*j->p == '\n')
            j->line++, j->line0 = j->p + 1;
        else if (*j->p != ' ' && *j->p != '\t' && *j->p != '\r')
            break;
    }
}

static int peek(const struct jp *j)
{
    return j->p < j->end ? (unsigned char)*j->p : -1;
}

/* Four hex digits at p into *c; -1 when they are not. */
static int hex4(const char *p, const char *end, unsigned *c)
{
    *c = 0;
    for (int i = 0; i < 4; i++, p++) {
        int v = p >= end ? -1 : *p >= '0' && *p <= '9' ? *p - '0'
                            : *p >= 'a' && *p <= 'f'   ? *p - 'a' + 10
                            : *p >= 'A' && *p <= 'F'   ? *p - 'A' + 10
                                                       : -1;
        if (v < 0)
            return -1;
        *c = *c << 4 | (unsigned)v;
    }
    return 0;
}

static size_t utf8(unsigned c, char *out)
{
    if (c < 0x80)
        return out[0] = (char)c, 1;
    if (c < 0x800)
        return out[0] = (char)(0xc0 | c >> 6), out[1] = (char)(0x80 | (c & 0x3f)), 2;
    if (c < 0x10000) {
        out[0] = (char)(0xe0 | c >> 12), out[1] = (char)(0x80 | ((c >> 6) & 0x3f));
        return out[2] = (char)(0x80 | (c & 0x3f)), 3;
    }
    out[0] = (char)(0xf0 | c >> 18), out[1] = (char)(0x80 | ((c >> 12) & 0x3f));
    out[2] = (char)(0x80 | ((c >> 6) & 0x3f)), out[3] = (char)(0x80 | (c & 0x3f));
    return 4;
}

/* An error about the escape that starts at the backslash before j->p. */
static int bad_escape(struct jp *j, const char *what)
{
    j->p--;
    return fail(j, what), -1;
}

/* \uXXXX (j->p at the 'u'), a surrogate pair joined, into out; bytes written or -1. */
static int unicode(struct jp *j, char *out)
{
    unsigned c, lo;
    if (hex4(j->p + 1, j->end, &c) < 0)
        return bad_escape(j, "bad \\u escape");
    const char *p = j->p + 5;
    if (c >= 0xd800 && c < 0xdc00) {
        if (j->end - p < 6 || p[0] != '\\' || p[1] != 'u' || hex4(p + 2, j->end, &lo) < 0 ||
            lo < 0xdc00 || lo >= 0xe000)
            return bad_escape(j, "unpaired surrogate in \\u escape");
        c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
        p += 6;
    } else if (c >= 0xdc00 && c < 0xe000)
        return bad_escape(j, "unpaired surrogate in \\u escape");
    if (c == 0)
        return bad_escape(j, "\\u0000 in a string");
    j->p = p;
    return (int)utf8(c, out);
}

/* One escape (j->p at the byte after the backslash) into out; bytes written or -1. */
static int escape(struct jp *j, char *out)
{
    static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
    const char *k = peek(j) > 0 ? strchr(from, *j->p) : NULL;
    if (k && *j->p) {
        j->p++;
        *out = to[k - from];
        return 1;
    }
    if (peek(j) == 'u')
        return unicode(j, out);
    return bad_escape(j, "bad escape in a string");
}

/* A string (j->p at its opening quote) into a new buffer of *len bytes. */
static char *string(struct jp *j, size_t *len)
{
    const char *q = ++j->p;
    while (q < j->end && *q != '"')
        q += *q == '\\' ? 2 : 1;
    char *s = malloc((size_t)(q - j->p) * 2 + 4), *o = s;
    if (!s)
        return NULL;
    while (j->p < j->end && *j->p != '"') {
        unsigned char ch = (unsigned char)*j->p;
        int n = ch == '\\' ? (j->p++, escape(j, o)) : ch < 0x20 ? fail(j, "control character in a string"), -1
                                                              : (*o = (char)ch, j->p++, 1);
        if (n < 0) {
            free(s);
            return NULL;
        }
        o += n;
    }
    if (peek(j) != '"') {
        fail(j, "unterminated string");
        free(s);
        return NULL;
    }
    j->p++;
    *o = '\0';
    *len = (size_t)(o - s);
    return s;
}

static int is_digit(int c)
{
    return c >= '0' && c <= '9';
}

/* Length of the number at j->p (RFC 8259 grammar), 0 when there is none. */
static size_t number_len(const struct jp *j)
{
    const char *p = j->p, *e = j->end;
    if (p < e && *p == '-')
        p++;
    if (p >= e || !is_digit(*p))
        return 0;
    if (*p == '0')
        p++;
    else
        while (p < e && is_digit(*p))
            p++;
    if (p < e && *p == '.') {
        if (++p >= e || !is_digit(*p))
            return 0;
        while (p < e && is_digit(*p))
            p++;
    }
    if (p < e && (*p == 'e' || *p == 'E')) {
        if (++p < e && (*p == '+' || *p == '-'))
            p++;
        if (p >= e || !is_digit(*p))
            return 0;
        while (p < e && is_digit(*p))
            p++;
    }
    return (size_t)(p - j->p);
}

/* A number or a literal (true, false, null) as an unquoted scalar. */
static struct scim_node *atom(struct jp *j)
{
    static const char *const lits[] = {"true", "false", "null"};
    struct scim_loc l = here(j);
    size_t n = number_len(j);
    for (int i = 0; i < 3 && !n; i++) {
        size_t k = strlen(lits[i]);
        if ((size_t)(j->end - j->p) >= k && !memcmp(j->p, lits[i], k))
            n = k;
    }
    if (!n)
        return fail(j, "expected a value"), NULL;
    struct scim_node *s = scim_scalar_new(j->p, n, l);
    j->p += n;
    return s;
}

static struct scim_node *value(struct jp *j, int depth);

static int add_item(struct scim_node *n, size_t *cap, char *key, struct scim_loc kl,
                    struct scim_node *v)
{
    if (scim_node_reserve(n, cap) < 0)
        return SCIM_ENOMEM;
    if (n->kind == SCIM_NODE_MAP)
        n->keys[n->n] = key, n->key_locs[n->n] = kl;
    n->items[n->n++] = v;
    return 0;
}

/* One "key": value of an object into n. */
static int member(struct jp *j, struct scim_node *n, size_t *cap, int depth)
{
    size_t len;
    skip_ws(j);
    struct scim_loc kl = here(j);
    if (peek(j) != '"')
        return fail(j, "expected a string key");
    char *key = string(j, &len);
    if (!key)
        return SCIM_EFORMAT;
    if (scim_node_index(n, key) >= 0) {
        free(key);
        return scim_diag_error(j->d, &kl, "invalid JSON: duplicate key");
    }
    skip_ws(j);
    if (peek(j) != ':') {
        free(key);
        return fail(j, "expected ':'");
    }
    j->p++;
    struct scim_node *v = value(j, depth + 1);
    if (!v || add_item(n, cap, key, kl, v) < 0) {
        free(key);
        scim_node_free(v);
        return v ? SCIM_ENOMEM : SCIM_EFORMAT;
    }
    return 0;
}

/* One element of an array into n. */
static int element(struct jp *j, struct scim_node *n, size_t *cap, int depth)
{
    struct scim_node *v = value(j, depth + 1);
    if (!v)
        return SCIM_EFORMAT;
    if (add_item(n, cap, NULL, v->loc, v) < 0) {
        scim_node_free(v);
        return SCIM_ENOMEM;
    }
    return 0;
}

/* The members of an object or the elements of an array (j->p after the bracket). */
static int items(struct jp *j, struct scim_node *n, char close, int depth)
{
    size_t cap = 0;
    skip_ws(j);
    if (peek(j) == close)
        return j->p++, 0;
    for (;;) {
        int rc = n->kind == SCIM_NODE_MAP ? member(j, n, &cap, depth) : element(j, n, &cap, depth);
        if (rc < 0)
            return rc;
        skip_ws(j);
        int c = peek(j);
        j->p += c == ',' || c == close;
        if (c == close)
            return 0;
        if (c != ',')
            return fail(j, close == '}' ? "expected ',' or '}'" : "expected ',' or ']'");
    }
}

static struct scim_node *value(struct jp *j, int depth)
{
    skip_ws(j);
    struct scim_loc l = here(j);
    int c = peek(j);
    if (depth > MAX_DEPTH)
        return scim_diag_error(j->d, &l, "invalid JSON: nested deeper than %d levels", MAX_DEPTH),
               NULL;
    if (c == '"') {
        size_t len;
        char *s = string(j, &len);
        struct scim_node *n = s ? scim_scalar_new(s, len, l) : NULL;
        if (n)
            n->quoted = 1;
        free(s);
        return n;
    }
    if (c != '{' && c != '[')
        return atom(j);
    j->p++;
    struct scim_node *n = scim_node_new(c == '{' ? SCIM_NODE_MAP : SCIM_NODE_SEQ, l);
    if (n && items(j, n, c == '{' ? '}' : ']', depth) < 0) {
        scim_node_free(n);
        return NULL;
    }
    return n;
}

int scim_json_load_string(struct scim_doc *doc, const char *text, size_t len, const char *name,
                          struct scim_diag *d)
{
    if (!name)
        name = "<string>";
    int rc = scim_doc_init(doc, name, len, d);
    if (rc < 0)
        return rc;
    struct jp j = {text ? text : "", (text ? text : "") + len, text ? text : "", 1, doc->file, d};
    unsigned before = d ? d->errors : 0;
    if (text && memchr(text, '\0', len))
        rc = scim_diag_file_error(d, name, SCIM_EFORMAT, "invalid JSON: NUL byte in the input");
    if (rc == 0 && !(doc->root = value(&j, 0)))
        rc = d && d->errors > before ? SCIM_EFORMAT : SCIM_ENOMEM;
    if (rc == 0 && (skip_ws(&j), j.p < j.end))
        rc = fail(&j, "text after the value");
    if (rc < 0)
        scim_doc_free(doc);
    return rc < 0 ? (rc == SCIM_ECONFIG ? SCIM_EFORMAT : rc) : 0;
}

int scim_json_load_file(struct scim_doc *doc, const char *path, struct scim_diag *d)
{
    return scim_doc_load_file_with(doc, path, scim_json_load_string, d);
}

const char *scim_json_text(const struct scim_node *map, const char *key, int *found)
{
    const struct scim_node *n = scim_node_get(map, key);
    if (found)
        *found = n != NULL;
    if (!n || n->kind != SCIM_NODE_SCALAR || (!n->quoted && !strcmp(n->scalar, "null")))
        return NULL;
    return n->scalar;
}

double scim_json_number(const struct scim_node *root, const char *path)
{
    char buf[256], *save = NULL;
    const struct scim_node *n = root;
    snprintf(buf, sizeof(buf), "%s", path);
    for (char *tok = strtok_r(buf, ".", &save); tok && n; tok = strtok_r(NULL, ".", &save))
        n = scim_node_get(n, tok);
    char *end;
    if (!n || n->kind != SCIM_NODE_SCALAR || n->quoted)
        return NAN;
    double v = strtod(n->scalar, &end);
    return *end || end == n->scalar ? NAN : v;
}
