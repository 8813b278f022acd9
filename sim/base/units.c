/*
 * units.c - parse and print physical values with their units ("10ns", "331kohm").
 *
 * Parsing splits a config value into a decimal number and a unit, checks the
 * unit against the dimension the parameter table expects, and converts to SI.
 * The SI prefix is applied to the decimal exponent of the number text before
 * the one strtod() call, so "650fJ" yields exactly the double nearest to
 * 6.5e-13 and a printed value reads back bit for bit (see
 * scim_unit_format_exact). Printing picks an engineering prefix from the
 * decimal digits that printf produced, so rounding that carries into the next
 * decade (999.96 -> 1000) also moves to the next prefix.
 */
#include "units.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

#define SCIM__MICRO "\xc2\xb5" /* U+00B5 MICRO SIGN */
#define SCIM__MU "\xce\xbc"    /* U+03BC GREEK SMALL LETTER MU */

/* An SI prefix and its power of ten. */
struct si_prefix {
    const char *sym;
    int exp;
};

static const struct si_prefix prefixes[] = {
    {"a", -18},     {"f", -15}, {"p", -12}, {"n", -9}, {"u", -6}, {SCIM__MICRO, -6},
    {SCIM__MU, -6}, {"m", -3},  {"k", 3},   {"M", 6},  {"G", 9},  {"T", 12},
};
#define N_PREFIXES (sizeof(prefixes) / sizeof(prefixes[0]))

/* What the parser accepts for a dimension and how messages describe it. */
struct dim_info {
    const char *symbol;       /* SI symbol, also used when printing */
    const char *name;         /* "a time", for messages */
    const char *example;      /* a typical value, for messages */
    const char *spellings[4]; /* accepted unit symbols without prefix, NULL-terminated */
    int prefixed;             /* 1 if an SI prefix is allowed */
    int power;                /* 2 for squared units: the prefix is squared too */
};

static const struct dim_info dims[SCIM_DIM_COUNT] = {
    [SCIM_DIM_NONE] = {"", "a number", "0.5", {NULL}, 0, 1},
    [SCIM_DIM_TIME] = {"s", "a time", "10ns", {"s", NULL}, 1, 1},
    [SCIM_DIM_FREQ] = {"Hz", "a frequency", "1GHz", {"Hz", NULL}, 1, 1},
    [SCIM_DIM_RES] =
        {"ohm", "a resistance", "331kohm", {"ohm", "Ohm", "\xe2\x84\xa6", "\xce\xa9"}, 1, 1},
    [SCIM_DIM_COND] = {"S", "a conductance", "3uS", {"S", NULL}, 1, 1},
    [SCIM_DIM_ENERGY] = {"J", "an energy", "0.65pJ", {"J", NULL}, 1, 1},
    [SCIM_DIM_POWER] = {"W", "a power", "22.5uW", {"W", NULL}, 1, 1},
    [SCIM_DIM_VOLT] = {"V", "a voltage", "0.1V", {"V", NULL}, 1, 1},
    [SCIM_DIM_CURRENT] = {"A", "a current", "80uA", {"A", NULL}, 1, 1},
    [SCIM_DIM_LENGTH] = {"m", "a length", "50nm", {"m", NULL}, 1, 1},
    [SCIM_DIM_AREA] = {"m2", "an area", "0.16um2", {"m2", "m^2", NULL}, 1, 2},
    [SCIM_DIM_TEMP] = {"K", "a temperature", "300K", {"K", NULL}, 0, 1},
    [SCIM_DIM_FAREA] = {"F2", "an area in squared feature sizes", "100F2", {"F2", NULL}, 0, 1},
    [SCIM_DIM_CAP] = {"F", "a capacitance", "0.2fF", {"F", NULL}, 1, 1},
    [SCIM_DIM_RA] = {"ohm*m2", "a resistance-area product", "650ohm*um2", {NULL}, 1, 1},
};

static int dim_valid(enum scim_dim dim)
{
    return (int)dim >= 0 && dim < SCIM_DIM_COUNT;
}

const char *scim_dim_symbol(enum scim_dim dim)
{
    return dim_valid(dim) ? dims[dim].symbol : "";
}

const char *scim_dim_name(enum scim_dim dim)
{
    return dim_valid(dim) ? dims[dim].name : "a value";
}

/* ---- parsing ---- */

/* Is u exactly one of the spellings of dim? */
static int is_spelling(const struct dim_info *di, const char *u)
{
    for (int i = 0; i < 4 && di->spellings[i]; i++)
        if (!strcmp(u, di->spellings[i]))
            return 1;
    return 0;
}

/* Match u (a whole unit, no '*') against a simple dimension; on success set *exp to
 * the decimal exponent it stands for. The bare symbol is tried before prefix +
 * symbol, so "m" is a metre and "mm" a millimetre. */
static int match_simple(enum scim_dim dim, const char *u, int *exp)
{
    const struct dim_info *di = &dims[dim];
    if (is_spelling(di, u)) {
        *exp = 0;
        return 1;
    }
    if (!di->prefixed)
        return 0;
    for (size_t i = 0; i < N_PREFIXES; i++) {
        size_t n = strlen(prefixes[i].sym);
        if (!strncmp(u, prefixes[i].sym, n) && is_spelling(di, u + n)) {
            *exp = prefixes[i].exp * di->power;
            return 1;
        }
    }
    return 0;
}

/* "ohm*m2" with a prefix on each factor ("650ohm*um2", "0.65kohm*um2"). */
static int match_ra(const char *u, int *exp)
{
    const char *star = strchr(u, '*');
    if (!star || (size_t)(star - u) >= 32)
        return 0;
    char left[32];
    memcpy(left, u, (size_t)(star - u));
    left[star - u] = '\0';
    int e1, e2;
    if (!match_simple(SCIM_DIM_RES, left, &e1) || !match_simple(SCIM_DIM_AREA, star + 1, &e2))
        return 0;
    *exp = e1 + e2;
    return 1;
}

static int match_unit(enum scim_dim dim, const char *u, int *exp)
{
    if (dim == SCIM_DIM_NONE)
        return 0;
    if (dim == SCIM_DIM_RA)
        return match_ra(u, exp);
    return match_simple(dim, u, exp);
}

/* The dimension a unit belongs to, or SCIM_DIM_NONE if none does. */
static enum scim_dim unit_dim(const char *u)
{
    int exp;
    for (int k = 1; k < SCIM_DIM_COUNT; k++)
        if (match_unit((enum scim_dim)k, u, &exp))
            return (enum scim_dim)k;
    return SCIM_DIM_NONE;
}

/* A decimal number: [+-] digits [. digits] [(e|E) [+-] digits], at least one digit
 * in the mantissa. Returns the length of the mantissa in *mlen, the exponent value
 * (clamped, so absurd exponents still overflow or underflow) in *exp, and the
 * total length consumed, or 0 if text does not start with a number. */
static size_t scan_number(const char *t, size_t *mlen, long *exp)
{
    size_t i = 0, digits = 0;
    if (t[i] == '+' || t[i] == '-')
        i++;
    while (isdigit((unsigned char)t[i]))
        i++, digits++;
    if (t[i] == '.') {
        i++;
        while (isdigit((unsigned char)t[i]))
            i++, digits++;
    }
    if (!digits)
        return 0;
    *mlen = i;
    *exp = 0;
    if (t[i] == 'e' || t[i] == 'E') {
        size_t j = i + 1;
        int neg = 0;
        if (t[j] == '+' || t[j] == '-')
            neg = t[j++] == '-';
        if (isdigit((unsigned char)t[j])) {
            long e = 0;
            while (isdigit((unsigned char)t[j])) {
                if (e < 100000)
                    e = e * 10 + (t[j] - '0');
                j++;
            }
            *exp = neg ? -e : e;
            i = j;
        }
    }
    return i;
}

/* strtod of mantissa * 10^exp, rounded once. Returns 0 or SCIM_ENOMEM. */
static int to_double(const char *mant, size_t mlen, long exp, double *out)
{
    char small[128];
    char *buf = mlen + 32 <= sizeof(small) ? small : malloc(mlen + 32);
    if (!buf)
        return SCIM_ENOMEM;
    memcpy(buf, mant, mlen);
    snprintf(buf + mlen, 32, "e%ld", exp);
    *out = strtod(buf, NULL);
    if (buf != small)
        free(buf);
    return 0;
}

static void set_msg(char *msg, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_msg(char *msg, size_t len, const char *fmt, ...)
{
    if (!msg || !len)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, len, fmt, ap);
    va_end(ap);
}

/* Message for a value whose suffix is not a unit of dim. */
static int unit_error(const char *text, const char *u, enum scim_dim dim, char *msg, size_t len)
{
    const struct dim_info *di = &dims[dim];
    enum scim_dim other = unit_dim(u);
    if (dim == SCIM_DIM_NONE && other != SCIM_DIM_NONE)
        set_msg(msg, len, "expected a plain number (e.g. '0.5' or '50%%'), got '%s' (%s)", text,
                dims[other].name);
    else if (dim == SCIM_DIM_NONE)
        set_msg(msg, len,
                "unknown suffix '%s' in '%s'; expected a plain number (e.g. '0.5' or "
                "'50%%')",
                u, text);
    else if (!*u)
        set_msg(msg, len, "expected %s in %s (e.g. '%s'), got '%s'", di->name, di->symbol,
                di->example, text);
    else if (other != SCIM_DIM_NONE)
        set_msg(msg, len, "expected %s in %s (e.g. '%s'), got '%s' (%s)", di->name, di->symbol,
                di->example, text, dims[other].name);
    else
        set_msg(msg, len, "unknown unit '%s' in '%s'; expected %s in %s (e.g. '%s')", u, text,
                di->name, di->symbol, di->example);
    return SCIM_EUNIT;
}

static int number_error(const char *text, enum scim_dim dim, char *msg, size_t len)
{
    if (dim == SCIM_DIM_NONE)
        set_msg(msg, len, "expected a number, got '%s'", text);
    else
        set_msg(msg, len, "expected a number with unit %s, got '%s'", dims[dim].symbol, text);
    return SCIM_EINVAL;
}

/* Copy the unit part (after optional blanks, trailing blanks removed) into u. */
static int unit_text(const char *p, char *u, size_t ulen)
{
    while (*p == ' ' || *p == '\t')
        p++;
    size_t n = strlen(p);
    while (n && isspace((unsigned char)p[n - 1]))
        n--;
    if (n >= ulen)
        return -1;
    memcpy(u, p, n);
    u[n] = '\0';
    return 0;
}

int scim_unit_parse(const char *text, enum scim_dim dim, double *out, char *msg, size_t msg_len)
{
    if (!text || !out || !dim_valid(dim)) {
        set_msg(msg, msg_len, "invalid arguments to the unit parser");
        return SCIM_EINVAL;
    }
    const char *t = text;
    while (isspace((unsigned char)*t))
        t++;
    size_t mlen;
    long exp;
    size_t used = scan_number(t, &mlen, &exp);
    if (!used)
        return number_error(text, dim, msg, msg_len);
    char u[64];
    if (unit_text(t + used, u, sizeof(u)) < 0)
        return unit_error(text, "...", dim, msg, msg_len);
    int uexp = 0;
    if (dim == SCIM_DIM_NONE) {
        if (!strcmp(u, "%"))
            uexp = -2;
        else if (*u)
            return unit_error(text, u, dim, msg, msg_len);
    } else if (!match_unit(dim, u, &uexp)) {
        return unit_error(text, u, dim, msg, msg_len);
    }
    double v;
    if (to_double(t, mlen, exp + uexp, &v) < 0) {
        set_msg(msg, msg_len, "out of memory");
        return SCIM_ENOMEM;
    }
    if (!isfinite(v)) {
        set_msg(msg, msg_len, "'%s' is too large to be a number", text);
        return SCIM_EINVAL;
    }
    *out = v;
    return 0;
}

int scim_unit_parse_any(const char *text, double *out, enum scim_dim *dim, char *msg,
                        size_t msg_len)
{
    const char *t = text ? text : "";
    while (isspace((unsigned char)*t))
        t++;
    size_t mlen;
    long exp;
    size_t used = scan_number(t, &mlen, &exp);
    char u[64];
    if (!used || unit_text(t + used, u, sizeof(u)) < 0) {
        set_msg(msg, msg_len, "expected a number with an optional unit (e.g. '10ns'), got '%s'",
                t);
        return SCIM_EINVAL;
    }
    *dim = *u && strcmp(u, "%") ? unit_dim(u) : SCIM_DIM_NONE;
    if (*u && strcmp(u, "%") && *dim == SCIM_DIM_NONE) {
        set_msg(msg, msg_len, "unknown unit '%s' in '%s'", u, t);
        return SCIM_EUNIT;
    }
    return scim_unit_parse(text, *dim, out, msg, msg_len);
}

/* ---- formatting ---- */

/* The decimal digits of a (> 0) rounded to k significant digits: digits without
 * trailing zeros in dig (NUL-terminated), decimal exponent of the first digit in *x. */
static void sig_digits(double a, int k, char *dig, size_t dlen, int *x)
{
    char buf[64];
    snprintf(buf, sizeof(buf), "%.*e", k - 1, a);
    size_t n = 0;
    const char *p = buf;
    for (; *p && *p != 'e'; p++)
        if (isdigit((unsigned char)*p) && n + 1 < dlen)
            dig[n++] = *p;
    while (n > 1 && dig[n - 1] == '0')
        n--;
    dig[n] = '\0';
    *x = *p == 'e' ? atoi(p + 1) : 0;
}

/* Write digits dig with first-digit exponent x as a plain decimal scaled by 10^-e:
 * the value dig[0].dig[1..] * 10^(x - e). */
static void place_point(const char *dig, int x, int e, char *out, size_t len)
{
    int n = (int)strlen(dig), p = x - e + 1; /* digits before the point */
    size_t o = 0;
#define PUT(c)                                                                                     \
    do {                                                                                           \
        if (o + 1 < len)                                                                           \
            out[o++] = (c);                                                                        \
    } while (0)
    if (p <= 0) {
        PUT('0');
        PUT('.');
        for (int i = 0; i < -p; i++)
            PUT('0');
        for (int i = 0; i < n; i++)
            PUT(dig[i]);
    } else {
        for (int i = 0; i < p || i < n; i++) {
            if (i == p)
                PUT('.');
            PUT(i < n ? dig[i] : '0');
        }
    }
#undef PUT
    if (len)
        out[o < len ? o : len - 1] = '\0';
}

/* Name of the unit scaled by 10^e for dim (e a multiple of 3, or of 6 for areas). */
static const char *prefix_sym(int e)
{
    for (size_t i = 0; i < N_PREFIXES; i++)
        if (prefixes[i].exp == e)
            return prefixes[i].sym;
    return "";
}

/*
 * Choose the scale exponent e for a value whose first significant digit has
 * exponent x, or return 0 if the value is printed without prefix in %g style.
 *  - linear units: engineering prefix a..T, mantissa in [1, 1000);
 *  - areas: the largest of m2, mm2, um2, nm2 giving a mantissa in [0.001, 1000)
 *    (values of 1000 m2 and more stay in m2);
 *  - resistance-area: always ohm*um2 while the mantissa is in [0.001, 1e6).
 */
static int choose_scale(enum scim_dim dim, int x, int *e)
{
    if (dim == SCIM_DIM_AREA) {
        if (x < -21 || x > 14)
            return 0;
        *e = 0;
        while (*e > -18 && x - *e < -3)
            *e -= 6;
        return 1;
    }
    if (dim == SCIM_DIM_RA) {
        *e = -12;
        return x - *e >= -3 && x - *e <= 5;
    }
    if (x < -18 || x > 14)
        return 0;
    *e = x >= 0 ? x / 3 * 3 : -((-x + 2) / 3 * 3);
    if (*e > 12)
        *e = 12;
    return 1;
}

static int uses_prefix(enum scim_dim dim)
{
    return dim != SCIM_DIM_NONE && dims[dim].prefixed;
}

/* Format v with k significant digits (no trailing zeros). */
static void format_k(double v, enum scim_dim dim, int k, char *buf, size_t len)
{
    const char *sym = dims[dim].symbol;
    const char *sign = signbit(v) ? "-" : "";
    double a = fabs(v);
    if (!isfinite(v)) {
        snprintf(buf, len, "%s%s", isnan(v) ? "nan" : v > 0 ? "inf" : "-inf", sym);
        return;
    }
    char dig[32], num[64];
    int x, e;
    if (a == 0 || !uses_prefix(dim)) {
        snprintf(buf, len, "%.*g%s", k, v, sym);
        return;
    }
    sig_digits(a, k, dig, sizeof(dig), &x);
    if (!choose_scale(dim, x, &e)) {
        snprintf(buf, len, "%.*g%s", k, v, sym);
        return;
    }
    place_point(dig, x, e, num, sizeof(num));
    if (dim == SCIM_DIM_AREA)
        snprintf(buf, len, "%s%s%sm2", sign, num, prefix_sym(e / 2));
    else if (dim == SCIM_DIM_RA)
        snprintf(buf, len, "%s%sohm*um2", sign, num);
    else
        snprintf(buf, len, "%s%s%s%s", sign, num, prefix_sym(e), sym);
}

char *scim_unit_format(double v, enum scim_dim dim, int digits, char *buf, size_t len)
{
    if (!buf || !len)
        return buf;
    if (!dim_valid(dim))
        dim = SCIM_DIM_NONE;
    if (digits < 1)
        digits = 1;
    if (digits > 17)
        digits = 17;
    if (v == 0)
        v = 0; /* print -0 as 0 */
    format_k(v, dim, digits, buf, len);
    return buf;
}

/* Does text parse back to exactly v (same bits, so -0 stays -0)? */
static int round_trips(const char *text, enum scim_dim dim, double v)
{
    double r;
    if (scim_unit_parse(text, dim, &r, NULL, 0) < 0)
        return 0;
    return memcmp(&r, &v, sizeof(r)) == 0;
}

char *scim_unit_format_exact(double v, enum scim_dim dim, char *buf, size_t len)
{
    if (!buf || !len)
        return buf;
    if (!dim_valid(dim))
        dim = SCIM_DIM_NONE;
    if (!isfinite(v)) {
        format_k(v, dim, 17, buf, len);
        return buf;
    }
    for (int k = 1; k <= 17; k++) {
        format_k(v, dim, k, buf, len);
        if (round_trips(buf, dim, v))
            return buf;
    }
    snprintf(buf, len, "%.17g%s", v, dims[dim].symbol);
    return buf;
}
