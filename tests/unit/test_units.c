/*
 * test_units.c - unit parsing and printing (sim/units.c): every dimension with
 * every prefix, the ambiguous spellings (m/milli, K/k, Mohm/mohm, exponents),
 * the error messages, and exact round trips of scim_unit_format_exact.
 */
#include <stdint.h>

#include "tests/harness.h"
#include "sim/base/error.h"
#include "sim/base/units.h"

static double parse_ok(const char *text, enum scim_dim dim)
{
    char msg[256] = "";
    double v = -12345.0;
    int rc = scim_unit_parse(text, dim, &v, msg, sizeof(msg));
    if (rc != 0) {
        fprintf(stderr, "parse of '%s' failed: %s\n", text, msg);
        exit(1);
    }
    return v;
}

/* Parse that must fail with rc; returns the message. */
static const char *parse_err(const char *text, enum scim_dim dim, int rc)
{
    static char msg[256];
    double v = 0;
    msg[0] = '\0';
    int got = scim_unit_parse(text, dim, &v, msg, sizeof(msg));
    if (got != rc) {
        fprintf(stderr, "parse of '%s': rc %d, expected %d (%s)\n", text, got, rc, msg);
        exit(1);
    }
    return msg;
}

#define ASSERT_REL(a, b) ASSERT_NEAR((a) / (b), 1.0, 1e-12)

struct pfx {
    const char *sym;
    double scale;
};

static const struct pfx pfxs[] = {
    {"a", 1e-18}, {"f", 1e-15}, {"p", 1e-12}, {"n", 1e-9}, {"u", 1e-6}, {"\xc2\xb5", 1e-6},
    {"m", 1e-3},  {"", 1.0},    {"k", 1e3},   {"M", 1e6},  {"G", 1e9},  {"T", 1e12},
};

static void test_all_prefixes(void)
{
    static const struct {
        enum scim_dim dim;
        const char *sym;
        int power;
    } lin[] = {
        {SCIM_DIM_TIME, "s", 1},    {SCIM_DIM_FREQ, "Hz", 1},          {SCIM_DIM_RES, "ohm", 1},
        {SCIM_DIM_RES, "Ohm", 1},   {SCIM_DIM_RES, "\xe2\x84\xa6", 1}, {SCIM_DIM_COND, "S", 1},
        {SCIM_DIM_ENERGY, "J", 1},  {SCIM_DIM_POWER, "W", 1},          {SCIM_DIM_VOLT, "V", 1},
        {SCIM_DIM_CURRENT, "A", 1}, {SCIM_DIM_LENGTH, "m", 1},         {SCIM_DIM_AREA, "m2", 2},
        {SCIM_DIM_AREA, "m^2", 2},
    };
    for (size_t i = 0; i < sizeof(lin) / sizeof(lin[0]); i++) {
        for (size_t j = 0; j < sizeof(pfxs) / sizeof(pfxs[0]); j++) {
            char text[64];
            snprintf(text, sizeof(text), "2.5%s%s", pfxs[j].sym, lin[i].sym);
            double want = 2.5 * (lin[i].power == 2 ? pfxs[j].scale * pfxs[j].scale : pfxs[j].scale);
            ASSERT_REL(parse_ok(text, lin[i].dim), want);
            snprintf(text, sizeof(text), "2.5 %s%s", pfxs[j].sym, lin[i].sym);
            ASSERT_REL(parse_ok(text, lin[i].dim), want);
        }
    }
    /* Resistance-area: each factor has its own prefix. */
    ASSERT_REL(parse_ok("650ohm*um2", SCIM_DIM_RA), 650e-12);
    ASSERT_REL(parse_ok("0.65kohm*um2", SCIM_DIM_RA), 650e-12);
    ASSERT_REL(parse_ok("6.5e-10ohm*m2", SCIM_DIM_RA), 6.5e-10);
    ASSERT_REL(parse_ok("1Mohm*nm2", SCIM_DIM_RA), 1e-12);
    /* No prefix on kelvin and F2. */
    ASSERT_REL(parse_ok("300K", SCIM_DIM_TEMP), 300.0);
    ASSERT_REL(parse_ok("100F2", SCIM_DIM_FAREA), 100.0);
    parse_err("3kK", SCIM_DIM_TEMP, SCIM_EUNIT);
    parse_err("1kF2", SCIM_DIM_FAREA, SCIM_EUNIT);
}

static void test_ambiguous(void)
{
    ASSERT_REL(parse_ok("5m", SCIM_DIM_LENGTH), 5.0);
    ASSERT_REL(parse_ok("5mm", SCIM_DIM_LENGTH), 5e-3);
    ASSERT_REL(parse_ok("5ms", SCIM_DIM_TIME), 5e-3);
    ASSERT_REL(parse_ok("5mm2", SCIM_DIM_AREA), 5e-6);
    ASSERT_REL(parse_ok("5mA", SCIM_DIM_CURRENT), 5e-3);
    ASSERT_REL(parse_ok("5mohm", SCIM_DIM_RES), 5e-3);
    ASSERT_REL(parse_ok("5Mohm", SCIM_DIM_RES), 5e6);
    ASSERT_REL(parse_ok("5mS", SCIM_DIM_COND), 5e-3);
    ASSERT_REL(parse_ok("5kohm", SCIM_DIM_RES), 5e3);
    ASSERT_REL(parse_ok("5 kohm", SCIM_DIM_RES), 5e3);
    ASSERT_REL(parse_ok("1e-9s", SCIM_DIM_TIME), 1e-9);
    ASSERT_REL(parse_ok("1E3ns", SCIM_DIM_TIME), 1e-6);
    ASSERT_REL(parse_ok("2.5e+2mV", SCIM_DIM_VOLT), 0.25);
    ASSERT_REL(parse_ok("-3.5mV", SCIM_DIM_VOLT), -3.5e-3);
    ASSERT_REL(parse_ok(".5ns", SCIM_DIM_TIME), 0.5e-9);
    /* The prefix is applied exactly: the same double as the literal. */
    ASSERT(parse_ok("650fJ", SCIM_DIM_ENERGY) == 6.5e-13);
    ASSERT(parse_ok("0.16um2", SCIM_DIM_AREA) == 0.16e-12);
    ASSERT(parse_ok("1.1kohm", SCIM_DIM_RES) == 1100.0);
    /* Kelvin is upper case only; "k" alone is a prefix without a unit. */
    ASSERT_STR_CONTAINS(parse_err("300k", SCIM_DIM_TEMP, SCIM_EUNIT), "unknown unit 'k'");
    /* Unit symbols are case-sensitive: "s" is a second, "S" a siemens. */
    ASSERT_STR_CONTAINS(parse_err("3S", SCIM_DIM_TIME, SCIM_EUNIT), "(a conductance)");
    ASSERT_STR_CONTAINS(parse_err("1es", SCIM_DIM_TIME, SCIM_EUNIT), "unknown unit 'es'");
}

static void test_dimensionless(void)
{
    ASSERT(parse_ok("0.5", SCIM_DIM_NONE) == 0.5);
    ASSERT(parse_ok("3%", SCIM_DIM_NONE) == 0.03);
    ASSERT(parse_ok("3 %", SCIM_DIM_NONE) == 0.03);
    ASSERT(parse_ok("1e3", SCIM_DIM_NONE) == 1000.0);
    ASSERT(parse_ok("-2", SCIM_DIM_NONE) == -2.0);
    ASSERT_STR_CONTAINS(parse_err("5x", SCIM_DIM_NONE, SCIM_EUNIT), "unknown suffix 'x' in '5x'");
    ASSERT_STR_CONTAINS(parse_err("5ns", SCIM_DIM_NONE, SCIM_EUNIT), "got '5ns' (a time)");
    ASSERT_STR_CONTAINS(parse_err("abc", SCIM_DIM_NONE, SCIM_EINVAL), "expected a number");
}

static void test_messages(void)
{
    ASSERT_STR_CONTAINS(parse_err("10", SCIM_DIM_TIME, SCIM_EUNIT),
                        "expected a time in s (e.g. '10ns'), got '10'");
    ASSERT_STR_CONTAINS(parse_err("10ns", SCIM_DIM_RES, SCIM_EUNIT),
                        "expected a resistance in ohm (e.g. '331kohm'), got '10ns' (a time)");
    ASSERT_STR_CONTAINS(parse_err("5xyz", SCIM_DIM_TIME, SCIM_EUNIT),
                        "unknown unit 'xyz' in '5xyz'; expected a time in s (e.g. '10ns')");
    ASSERT_STR_CONTAINS(parse_err("abc", SCIM_DIM_TIME, SCIM_EINVAL),
                        "expected a number with unit s, got 'abc'");
    ASSERT_STR_CONTAINS(parse_err("", SCIM_DIM_TIME, SCIM_EINVAL), "got ''");
    ASSERT_STR_CONTAINS(parse_err("5%", SCIM_DIM_TIME, SCIM_EUNIT), "unknown unit '%'");
    parse_err("1e999s", SCIM_DIM_TIME, SCIM_EINVAL);
    parse_err("inf", SCIM_DIM_NONE, SCIM_EINVAL);
    parse_err("nan", SCIM_DIM_NONE, SCIM_EINVAL);
    parse_err("0x10", SCIM_DIM_NONE, SCIM_EUNIT);
    parse_err("5 ohm*m", SCIM_DIM_RA, SCIM_EUNIT);
    /* A NULL message buffer is allowed. */
    double v;
    ASSERT_EQ(scim_unit_parse("10", SCIM_DIM_TIME, &v, NULL, 0), SCIM_EUNIT);
    ASSERT(!strcmp(scim_dim_symbol(SCIM_DIM_RA), "ohm*m2"));
    ASSERT(!strcmp(scim_dim_symbol(SCIM_DIM_NONE), ""));
    ASSERT(!strcmp(scim_dim_name(SCIM_DIM_ENERGY), "an energy"));
}

static void check_fmt(double v, enum scim_dim dim, int digits, const char *want)
{
    char buf[64];
    scim_unit_format(v, dim, digits, buf, sizeof(buf));
    if (strcmp(buf, want)) {
        fprintf(stderr, "format(%.17g) = '%s', expected '%s'\n", v, buf, want);
        exit(1);
    }
}

static void test_format(void)
{
    check_fmt(6.5e-13, SCIM_DIM_ENERGY, 4, "650fJ");
    check_fmt(1.2e-9, SCIM_DIM_TIME, 4, "1.2ns");
    check_fmt(331e3, SCIM_DIM_RES, 4, "331kohm");
    check_fmt(331e3, SCIM_DIM_RES, 2, "330kohm");
    check_fmt(999.96e-9, SCIM_DIM_TIME, 4, "1us");
    check_fmt(1e9, SCIM_DIM_FREQ, 4, "1GHz");
    check_fmt(-22.5e-6, SCIM_DIM_POWER, 4, "-22.5uW");
    check_fmt(0.0, SCIM_DIM_TIME, 4, "0s");
    check_fmt(-0.0, SCIM_DIM_TIME, 4, "0s");
    check_fmt(4.01e-7, SCIM_DIM_AREA, 4, "0.401mm2");
    check_fmt(0.16e-12, SCIM_DIM_AREA, 4, "0.16um2");
    check_fmt(1e-9, SCIM_DIM_AREA, 4, "0.001mm2");
    check_fmt(5e-16, SCIM_DIM_AREA, 4, "500nm2");
    check_fmt(2.0, SCIM_DIM_AREA, 4, "2m2");
    check_fmt(650e-12, SCIM_DIM_RA, 4, "650ohm*um2");
    check_fmt(300.0, SCIM_DIM_TEMP, 4, "300K");
    check_fmt(100.0, SCIM_DIM_FAREA, 4, "100F2");
    check_fmt(0.03, SCIM_DIM_NONE, 4, "0.03");
    check_fmt(1e-20, SCIM_DIM_TIME, 4, "1e-20s");
    check_fmt(NAN, SCIM_DIM_TIME, 4, "nans");
    char buf[64];
    ASSERT(!strcmp(scim_unit_format_exact(6.5e-13, SCIM_DIM_ENERGY, buf, sizeof(buf)), "650fJ"));
    ASSERT(!strcmp(scim_unit_format_exact(0.1 + 0.2, SCIM_DIM_VOLT, buf, sizeof(buf)),
                   "300.00000000000004mV"));
    ASSERT(!strcmp(scim_unit_format_exact(-0.0, SCIM_DIM_TIME, buf, sizeof(buf)), "-0s"));
}

/* xorshift64*, so the test is reproducible on every platform. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t next_u64(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 2685821657736338717ull;
}

static void test_round_trip(void)
{
    static const enum scim_dim ds[] = {SCIM_DIM_NONE, SCIM_DIM_TIME, SCIM_DIM_RES, SCIM_DIM_ENERGY,
                                       SCIM_DIM_AREA, SCIM_DIM_TEMP, SCIM_DIM_RA,  SCIM_DIM_FAREA};
    int fallbacks = 0;
    for (int i = 0; i < 10000; i++) {
        enum scim_dim dim = ds[i % (sizeof(ds) / sizeof(ds[0]))];
        double mag = -18.0 + 30.0 * (double)(next_u64() >> 11) / 9007199254740992.0;
        double v = pow(10.0, mag) * (1.0 + (double)(next_u64() >> 11) / 9007199254740992.0);
        if (i % 7 == 0)
            v = -v;
        if (i % 11 == 0) /* short decimals such as 4.7kohm must print short */
            v = strtod("4.7e-9", NULL) * pow(10.0, (double)(i % 9));
        char buf[64], msg[256];
        double back;
        scim_unit_format_exact(v, dim, buf, sizeof(buf));
        int rc = scim_unit_parse(buf, dim, &back, msg, sizeof(msg));
        if (rc != 0 || memcmp(&back, &v, sizeof(v))) {
            fprintf(stderr, "round trip of %.17g (dim %d) via '%s' gave %.17g (%s)\n", v, (int)dim,
                    buf, back, msg);
            exit(1);
        }
        if (strchr(buf, 'e') && dim != SCIM_DIM_NONE && dim != SCIM_DIM_TEMP &&
            dim != SCIM_DIM_FAREA && dim != SCIM_DIM_RA)
            fallbacks++;
    }
    /* Values outside the prefix range may use an exponent; in range they never do. */
    ASSERT(fallbacks < 200);
}

int main(void)
{
    test_all_prefixes();
    test_ambiguous();
    test_dimensionless();
    test_messages();
    test_format();
    test_round_trip();
    puts("test_units: ok");
    return 0;
}
