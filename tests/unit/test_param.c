/*
 * test_param.c - parameter tables (sim/param.c): defaults, every type, every
 * error message, all errors of a mapping reported at once, unknown keys with
 * suggestions, and emit -> reload giving back an identical struct; a misspelt
 * choice's suggestion, a bound that excludes 0, row and choice look-ups.
 */
#include <stddef.h>
#include <stdint.h>

#include "tests/harness.h"
#include "sim/base/error.h"
#include "sim/base/param.h"

struct tp {
    double t_read;
    double r_p;
    double sigma;
    double area;
    int64_t rows;
    int fast;
    int mode;
    char *name;
    char *weights;
};

static const struct scim_param table[] = {
    {"t_read", SCIM_P_F64, offsetof(struct tp, t_read), SCIM_DIM_TIME, 1e-12, 1e-6, "10ns",
     "read pulse", NULL},
    {"r_p", SCIM_P_F64, offsetof(struct tp, r_p), SCIM_DIM_RES, 100.0, 1e9, NULL,
     "parallel resistance", NULL},
    {"sigma", SCIM_P_F64, offsetof(struct tp, sigma), SCIM_DIM_NONE, 0.0, 1.0, "3%",
     "relative sigma", NULL},
    {"area", SCIM_P_F64, offsetof(struct tp, area), SCIM_DIM_AREA, 0.0, 1.0, "0.16um2", "cell area",
     NULL},
    {"rows", SCIM_P_INT, offsetof(struct tp, rows), SCIM_DIM_NONE, 1, 4096, "128",
     "rows per crossbar", NULL},
    {"fast", SCIM_P_BOOL, offsetof(struct tp, fast), SCIM_DIM_NONE, 0, 0, "false",
     "skip the slow path", NULL},
    {"mode", SCIM_P_ENUM, offsetof(struct tp, mode), SCIM_DIM_NONE, 0, 0, "slow", "evaluation mode",
     "fast|slow|exact"},
    {"name", SCIM_P_STR, offsetof(struct tp, name), SCIM_DIM_NONE, 0, 0, "xbar", "a label", NULL},
    {"weights", SCIM_P_PATH, offsetof(struct tp, weights), SCIM_DIM_NONE, 0, 0, "", "weight file",
     NULL},
    {NULL, 0, 0, 0, 0, 0, NULL, NULL, NULL},
};

static const char *const skip[] = {"model", NULL};

static void load_doc(struct scim_doc *doc, const char *text, struct scim_diag *d)
{
    scim_diag_init(d, NULL);
    if (scim_doc_load_string(doc, text, strlen(text), "cfg/a.yaml", d) != 0) {
        fprintf(stderr, "%s", d->text);
        exit(1);
    }
}

static void test_defaults(void)
{
    struct tp p;
    memset(&p, 0xff, sizeof(p));
    ASSERT_EQ(scim_params_defaults(table, &p), 0);
    ASSERT(p.t_read == 1e-8);
    ASSERT(p.r_p == 0.0);
    ASSERT(p.sigma == 0.03);
    ASSERT(p.area == 0.16e-12);
    ASSERT_EQ(p.rows, 128);
    ASSERT_EQ(p.fast, 0);
    ASSERT_EQ(p.mode, 1);
    ASSERT(!strcmp(p.name, "xbar"));
    ASSERT(!strcmp(p.weights, ""));
    scim_params_free(table, &p);
    ASSERT(p.name == NULL && p.weights == NULL);

    static const struct scim_param bad[] = {
        {"t", SCIM_P_F64, 0, SCIM_DIM_TIME, 0, 1, "10", "no unit", NULL},
        {NULL, 0, 0, 0, 0, 0, NULL, NULL, NULL},
    };
    static const struct scim_param out_of_range[] = {
        {"t", SCIM_P_F64, 0, SCIM_DIM_TIME, 0, 1e-9, "10ns", "too long", NULL},
        {NULL, 0, 0, 0, 0, 0, NULL, NULL, NULL},
    };
    double t;
    ASSERT_EQ(scim_params_defaults(bad, &t), SCIM_EINTERNAL);
    ASSERT_EQ(scim_params_defaults(out_of_range, &t), SCIM_EINTERNAL);
}

static void test_load_good(void)
{
    struct scim_doc doc;
    struct scim_diag d;
    struct tp p;
    load_doc(&doc,
             "xbar:\n"
             "  model: sot\n"
             "  t_read: 2ns\n"
             "  r_p: 5 kohm\n"
             "  sigma: 5%\n"
             "  rows: 256\n"
             "  fast: true\n"
             "  mode: exact\n"
             "  name: \"big \\\"one\\\"\"\n"
             "  weights: w/x.bin\n",
             &d);
    ASSERT_EQ(scim_params_defaults(table, &p), 0);
    struct scim_node *map = scim_node_get(doc.root, "xbar");
    ASSERT_EQ(scim_params_load(table, &p, map, "xbar", skip, doc.dir, &d), 0);
    ASSERT_EQ(d.errors, 0);
    ASSERT(p.t_read == 2e-9 && p.r_p == 5e3 && p.sigma == 0.05 && p.area == 0.16e-12);
    ASSERT_EQ(p.rows, 256);
    ASSERT_EQ(p.fast, 1);
    ASSERT_EQ(p.mode, 2);
    ASSERT(!strcmp(p.name, "big \"one\""));
    ASSERT(!strcmp(p.weights, "cfg/w/x.bin"));
    ASSERT(map->consumed);
    ASSERT(scim_node_get(map, "rows")->consumed);
    ASSERT(!scim_node_get(map, "model")->consumed); /* left for the caller */

    /* A second load over loaded values frees the replaced strings. */
    ASSERT_EQ(scim_doc_override(&doc, "xbar.weights=/abs/w.bin", 1, &d), 0);
    ASSERT_EQ(scim_doc_override(&doc, "xbar.name=", 2, &d), 0);
    ASSERT_EQ(scim_params_load(table, &p, map, "xbar", skip, doc.dir, &d), 0);
    ASSERT(!strcmp(p.weights, "/abs/w.bin"));
    ASSERT(!strcmp(p.name, ""));

    struct tp q;
    ASSERT_EQ(scim_params_copy(table, sizeof(q), &q, &p), 0);
    ASSERT(q.name != p.name && !strcmp(q.weights, p.weights) && q.rows == p.rows);
    scim_params_free(table, &q);
    scim_params_free(table, &p);
    scim_doc_free(&doc);
    scim_diag_free(&d);
}

/* Load text's "xbar" map over defaults; returns the messages (owned by d). */
static const char *load_bad(const char *text, struct scim_diag *d, unsigned errors)
{
    struct scim_doc doc;
    struct tp p;
    load_doc(&doc, text, d);
    ASSERT_EQ(scim_params_defaults(table, &p), 0);
    int rc = scim_params_load(table, &p, scim_node_get(doc.root, "xbar"), "xbar", skip, NULL, d);
    ASSERT_EQ(rc, SCIM_ECONFIG);
    if (d->errors != errors) {
        fprintf(stderr, "expected %u errors, got:\n%s", errors, d->text);
        exit(1);
    }
    /* Bad values leave the defaults in place. */
    ASSERT(p.t_read == 1e-8 && p.rows == 128 && !strcmp(p.name, "xbar"));
    scim_params_free(table, &p);
    scim_doc_free(&doc);
    return d->text;
}

static void test_errors(void)
{
    struct scim_diag d;
    const char *msg = load_bad("xbar:\n"
                               "  r_p: 1kohm\n"
                               "  t_read: 5us\n"
                               "  rows: five\n"
                               "  fast: yes\n",
                               &d, 3);
    ASSERT_STR_CONTAINS(msg,
                        "cfg/a.yaml:3:11: error: 'xbar.t_read' must be in [1ps, 1us], got 5us");
    ASSERT_STR_CONTAINS(msg, "cfg/a.yaml:4:9: error: 'xbar.rows' expects an integer, got 'five'");
    ASSERT_STR_CONTAINS(msg, "cfg/a.yaml:5:9: error: 'xbar.fast' expects true or false, got 'yes'");
    scim_diag_free(&d);

    msg = load_bad("xbar:\n"
                   "  r_p: 1kohm\n"
                   "  t_read: 10\n"
                   "  rows: 5000\n"
                   "  mode: foo\n"
                   "  name: {a: 1}\n"
                   "  sigma: [1]\n"
                   "  area: 1.0000001m2\n",
                   &d, 6);
    ASSERT_STR_CONTAINS(msg, "'xbar.t_read': expected a time in s (e.g. '10ns'), got '10'");
    ASSERT_STR_CONTAINS(msg, "'xbar.rows' must be in [1, 4096], got 5000");
    ASSERT_STR_CONTAINS(msg, "'xbar.mode' must be one of fast|slow|exact, got 'foo'");
    ASSERT_STR_CONTAINS(msg, "cfg/a.yaml:6:9: error: 'xbar.name' expects a value, got a mapping");
    ASSERT_STR_CONTAINS(msg, "'xbar.sigma' expects a value, got a list");
    ASSERT_STR_CONTAINS(msg, "'xbar.area' must be in [0m2, 1m2], got 1.0000001m2");
    scim_diag_free(&d);

    msg = load_bad("xbar:\n  r_p: 10ns\n  rows: 99999999999999999999\n", &d, 2);
    ASSERT_STR_CONTAINS(msg, "'xbar.r_p': expected a resistance in ohm (e.g. '331kohm'), got "
                             "'10ns' (a time)");
    ASSERT_STR_CONTAINS(msg, "'xbar.rows' must be in [1, 4096], got 99999999999999999999");
    scim_diag_free(&d);
}

static void test_unknown_and_missing(void)
{
    struct scim_diag d;
    const char *msg = load_bad("xbar:\n"
                               "  rowz: 5\n"
                               "  modle: x\n"
                               "  zzzzzz: 1\n"
                               "  model: sot\n",
                               &d, 4);
    ASSERT_STR_CONTAINS(msg, "cfg/a.yaml:2:3: error: unknown key 'rowz' in 'xbar' (did you mean "
                             "'rows'?)");
    ASSERT_STR_CONTAINS(msg, "cfg/a.yaml:3:3: error: unknown key 'modle' in 'xbar' (did you mean "
                             "'mode'?)");
    ASSERT_STR_CONTAINS(msg, "cfg/a.yaml:4:3: error: unknown key 'zzzzzz' in 'xbar'\n");
    ASSERT_STR_CONTAINS(msg, "cfg/a.yaml:2:3: error: missing required key 'r_p' in 'xbar'");
    scim_diag_free(&d);

    /* Top level: no section in the messages; skip names are suggested too. */
    struct scim_doc doc;
    struct tp p;
    load_doc(&doc, "r_p: 1kohm\nmodelx: x\nrows: x\n", &d);
    ASSERT_EQ(scim_params_defaults(table, &p), 0);
    ASSERT_EQ(scim_params_load(table, &p, doc.root, "", skip, NULL, &d), SCIM_ECONFIG);
    ASSERT_STR_CONTAINS(d.text,
                        "cfg/a.yaml:2:1: error: unknown key 'modelx' (did you mean 'model'?)");
    ASSERT_STR_CONTAINS(d.text, "'rows' expects an integer, got 'x'");
    /* Already reported keys are marked consumed, so nothing is reported twice. */
    const char *const known[] = {"model", NULL};
    ASSERT_EQ(scim_params_unknown(doc.root, "", known, NULL, &d), 0);
    scim_params_free(table, &p);
    scim_doc_free(&doc);
    scim_diag_free(&d);

    /* A missing section: required keys are still missing. */
    scim_diag_init(&d, NULL);
    ASSERT_EQ(scim_params_defaults(table, &p), 0);
    ASSERT_EQ(scim_params_load(table, &p, NULL, "xbar", NULL, NULL, &d), SCIM_ECONFIG);
    ASSERT_STR_CONTAINS(d.text, "missing required key 'r_p' in 'xbar'");
    scim_params_free(table, &p);
    scim_diag_free(&d);

    /* A section that is not a mapping. */
    load_doc(&doc, "xbar: 5\n", &d);
    ASSERT_EQ(scim_params_defaults(table, &p), 0);
    ASSERT_EQ(scim_params_load(table, &p, scim_node_get(doc.root, "xbar"), "xbar", NULL, NULL, &d),
              SCIM_ECONFIG);
    ASSERT_STR_CONTAINS(d.text, "cfg/a.yaml:1:7: error: 'xbar' expects a mapping, got a value");
    scim_params_free(table, &p);
    scim_doc_free(&doc);
    scim_diag_free(&d);
}

/* xorshift64*, reproducible everywhere. */
static uint64_t rng_state = 88172645463325252ull;
static uint64_t next_u64(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 2685821657736338717ull;
}

static double uniform(double lo, double hi)
{
    return lo + (hi - lo) * (double)(next_u64() >> 11) / 9007199254740992.0;
}

static void same(const struct tp *a, const struct tp *b)
{
    ASSERT(!memcmp(&a->t_read, &b->t_read, sizeof(double)));
    ASSERT(!memcmp(&a->r_p, &b->r_p, sizeof(double)));
    ASSERT(!memcmp(&a->sigma, &b->sigma, sizeof(double)));
    ASSERT(!memcmp(&a->area, &b->area, sizeof(double)));
    ASSERT_EQ(a->rows, b->rows);
    ASSERT_EQ(a->fast, b->fast);
    ASSERT_EQ(a->mode, b->mode);
    ASSERT(!strcmp(a->name, b->name));
    ASSERT(!strcmp(a->weights, b->weights));
}

static void test_round_trip(void)
{
    static const char *const names[] = {"plain",     "with \"quotes\" and \\ back", "tab\there",
                                        "new\nline", "# not a comment: x",          ""};
    for (int i = 0; i < 200; i++) {
        struct tp a, b;
        ASSERT_EQ(scim_params_defaults(table, &a), 0);
        a.t_read = pow(10.0, uniform(-12, -6));
        a.r_p = pow(10.0, uniform(2, 9));
        a.sigma = uniform(0, 1);
        a.area = pow(10.0, uniform(-20, -1));
        a.rows = 1 + (int64_t)(next_u64() % 4096);
        a.fast = (int)(next_u64() & 1);
        a.mode = (int)(next_u64() % 3);
        free(a.name);
        a.name = strdup(names[i % 6]);
        free(a.weights);
        a.weights = strdup(i % 2 ? "/data/w.bin" : "");

        char *text = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&text, &len);
        ASSERT(f);
        fputs("xbar:\n", f);
        scim_params_emit(table, &a, f, 2);
        fclose(f);

        struct scim_doc doc;
        struct scim_diag d;
        scim_diag_init(&d, NULL);
        ASSERT_EQ(scim_doc_load_string(&doc, text, len, "resolved.yaml", &d), 0);
        ASSERT_EQ(scim_params_defaults(table, &b), 0);
        int rc =
            scim_params_load(table, &b, scim_node_get(doc.root, "xbar"), "xbar", NULL, doc.dir, &d);
        if (rc != 0) {
            fprintf(stderr, "%s\n%s", text, d.text);
            exit(1);
        }
        same(&a, &b);
        if (i == 0)
            ASSERT_STR_CONTAINS(text, "  rows: ");
        ASSERT_STR_CONTAINS(text, "  # read pulse\n");
        scim_params_free(table, &a);
        scim_params_free(table, &b);
        scim_doc_free(&doc);
        scim_diag_free(&d);
        free(text);
    }
}

static void test_emit_describe(void)
{
    struct tp a;
    ASSERT_EQ(scim_params_defaults(table, &a), 0);
    a.r_p = 5e3;
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    scim_params_emit(table, &a, f, 0);
    fclose(f);
    ASSERT_STR_CONTAINS(text, "t_read: 10ns  # read pulse\n");
    ASSERT_STR_CONTAINS(text, "r_p: 5kohm  # parallel resistance\n");
    ASSERT_STR_CONTAINS(text, "sigma: 0.03  # relative sigma\n");
    ASSERT_STR_CONTAINS(text, "area: 0.16um2  # cell area\n");
    ASSERT_STR_CONTAINS(text, "rows: 128  #");
    ASSERT_STR_CONTAINS(text, "fast: false  #");
    ASSERT_STR_CONTAINS(text, "mode: slow  #");
    ASSERT_STR_CONTAINS(text, "name: \"xbar\"  #");
    ASSERT_STR_CONTAINS(text, "weights: \"\"  #");
    free(text);
    free(a.name);
    a.name = NULL; /* a NULL string emits "" */
    f = open_memstream(&text, &len);
    scim_params_emit(table, &a, f, 4);
    fclose(f);
    ASSERT_STR_CONTAINS(text, "    name: \"\"  #");
    free(text);
    scim_params_free(table, &a);

    f = open_memstream(&text, &len);
    scim_params_describe(table, "xbar", f);
    fclose(f);
    ASSERT_STR_CONTAINS(text, "xbar.t_read ");
    ASSERT_STR_CONTAINS(text, "float/s ");
    ASSERT_STR_CONTAINS(text, "default: 10ns ");
    ASSERT_STR_CONTAINS(text, "range: [1ps, 1us]");
    ASSERT_STR_CONTAINS(text, "required");
    ASSERT_STR_CONTAINS(text, "one of: fast|slow|exact");
    ASSERT_STR_CONTAINS(text, "range: [1, 4096]");
    ASSERT_STR_CONTAINS(text, "\xe2\x80\x94 read pulse\n");
    /* Aligned: every row's type column starts at the same offset. */
    const char *line = text;
    long col = -1;
    while (*line) {
        const char *sp = strstr(line, "  ");
        ASSERT(sp);
        while (*sp == ' ')
            sp++;
        if (col < 0)
            col = sp - line;
        ASSERT_EQ(sp - line, col);
        line = strchr(line, '\n') + 1;
    }
    free(text);
}

/* The small helpers other loaders build on: a "did you mean" for a misspelt choice,
 * a bound that excludes 0, looking rows and choices up. */
static void test_helpers(void)
{
    struct scim_diag d;
    const char *msg = load_bad("xbar:\n  r_p: 1kohm\n  mode: fsat\n", &d, 1);
    ASSERT_STR_CONTAINS(msg, "cfg/a.yaml:3:9: error: 'xbar.mode' must be one of fast|slow|exact, "
                             "got 'fsat' (did you mean 'fast'?)\n");
    scim_diag_free(&d);

    static const struct scim_param gain[] = {
        {"gain", SCIM_P_F64, 0, SCIM_DIM_NONE, SCIM_P_ABOVE_ZERO, 2.0, "1", "a gain", NULL},
        {NULL, 0, 0, 0, 0, 0, NULL, NULL, NULL},
    };
    struct scim_doc doc;
    double g = 0;
    load_doc(&doc, "gain: 0\n", &d);
    ASSERT_EQ(scim_params_defaults(gain, &g), 0);
    ASSERT(g == 1.0);
    ASSERT_EQ(scim_params_load(gain, &g, doc.root, "", NULL, NULL, &d), SCIM_ECONFIG);
    ASSERT_STR_CONTAINS(d.text, "cfg/a.yaml:1:7: error: 'gain' must be in (0, 2], got 0\n");
    ASSERT(g == 1.0);
    scim_doc_free(&doc);
    scim_diag_free(&d);
    load_doc(&doc, "gain: 1e-300\n", &d);
    ASSERT_EQ(scim_params_load(gain, &g, doc.root, "", NULL, NULL, &d), 0);
    ASSERT(g == 1e-300);
    scim_doc_free(&doc);
    scim_diag_free(&d);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    scim_params_describe(gain, "", f);
    fclose(f);
    ASSERT_STR_CONTAINS(text, "range: (0, 2]");
    free(text);

    ASSERT(scim_param_find(table, "rows") == &table[4]);
    ASSERT(scim_param_find(table, "row") == NULL && scim_param_find(table, NULL) == NULL);
    ASSERT_EQ(scim_param_choice(&table[6], "exact"), 2);
    ASSERT_EQ(scim_param_choice(&table[6], "exac"), -1);
    ASSERT_EQ(scim_param_choice(&table[4], "1"), -1); /* not an enum */
}

int main(void)
{
    test_defaults();
    test_load_good();
    test_errors();
    test_unknown_and_missing();
    test_round_trip();
    test_emit_describe();
    test_helpers();
    puts("test_param: ok");
    return 0;
}
