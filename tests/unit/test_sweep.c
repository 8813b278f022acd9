/*
 * test_sweep.c - the pieces of a sweep that need no run: the sweep file's axes
 * (values, linear and log ranges with units, linked keys, base), the order of the
 * points (product, zip), rows read back (the flat JSON parser) and the tables
 * written from them (columns in first-seen order, CSV quoting).
 */
#include <unistd.h>

#include "tests/harness.h"
#include "sim/base/error.h"
#include "sim/sweep/spec.h"
#include "sim/sweep/table.h"
#include "sim/base/units.h"

static char dir[] = "/tmp/spincim-test-sweep-XXXXXX";

static void write_file(const char *name, const char *text)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    ASSERT(f);
    fputs(text, f);
    fclose(f);
}

static int load(struct scim_sweep_spec *sp, const char *name, const char *text, struct scim_diag *d)
{
    char path[256];
    write_file(name, text);
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    scim_diag_init(d, NULL);
    return scim_sweep_spec_load(sp, path, d);
}

static void test_axes(void)
{
    struct scim_sweep_spec sp;
    struct scim_diag d;
    int rc = load(&sp, "a.yaml",
                  "base: x.yaml\n"
                  "set: {adc: {bits: 6}, workload.images: 10}\n"
                  "axes:\n"
                  "  - {key: chip.clock, log: {from: 100MHz, to: 1GHz, steps: 3}}\n"
                  "  - {key: crossbar.rows_per_read, range: {from: 4, to: 16, steps: 4}}\n"
                  "  - {key: [crossbar.cell.model, crossbar.cell.r_p],\n"
                  "     values: [[sot_mram, 331kohm], [stt_mram, 6kohm]]}\n"
                  "  - {key: base, values: [../m/a.yaml]}\n"
                  "seeds: [3, 1]\n",
                  &d);
    ASSERT_EQ(rc, 0);
    ASSERT_EQ(sp.n_axes, 4);
    ASSERT_EQ(sp.n_points, 3 * 4 * 2 * 1);
    ASSERT_EQ(sp.n_seeds, 2);
    ASSERT(!strcmp(sp.axes[0].values[1].shown, "316.228MHz"));
    ASSERT(!strcmp(sp.axes[0].values[2].assign, "chip.clock=\"1GHz\""));
    ASSERT(!strcmp(sp.axes[1].values[1].shown, "8"));
    ASSERT(!strcmp(sp.axes[2].values[3].shown, "6kohm")); /* value 1, key 1 */
    char base[300];
    snprintf(base, sizeof(base), "%s/../m/a.yaml", dir); /* relative to the sweep file */
    ASSERT(!strcmp(sp.axes[3].values[0].assign, base));
    ASSERT_EQ(sp.n_set, 2);
    ASSERT(!strcmp(sp.set[0].assign, "adc.bits=\"6\""));
    /* product: the last axis changes fastest */
    ASSERT_EQ(scim_sweep_value_index(&sp, 2, 1), 1);
    ASSERT_EQ(scim_sweep_value_index(&sp, 1, 2), 1);
    ASSERT_EQ(scim_sweep_value_index(&sp, 0, 8), 1);
    scim_sweep_spec_free(&sp);
    scim_diag_free(&d);
}

static void test_zip_and_errors(void)
{
    struct scim_sweep_spec sp;
    struct scim_diag d;
    ASSERT_EQ(load(&sp, "z.yaml",
                   "base: x.yaml\ncombine: zip\naxes:\n  - {key: a.b, values: [1, 2, 3]}\n"
                   "  - {key: c.d, values: [\"x,y\", z, w]}\n",
                   &d),
              0);
    ASSERT_EQ(sp.n_points, 3);
    ASSERT_EQ(scim_sweep_value_index(&sp, 1, 2), 2);
    ASSERT(!strcmp(sp.axes[1].values[0].assign, "c.d=\"x,y\""));
    scim_sweep_spec_free(&sp);
    scim_diag_free(&d);

    ASSERT(load(&sp, "e.yaml",
                "axes:\n  - {key: a.b, log: {from: 1ns, to: -1ns, steps: 3}}\n  - {key: a.b, "
                "values: [1]}\nseeds: [-1]\n",
                &d) < 0);
    ASSERT_STR_CONTAINS(d.text, "a log range needs from > 0 and to > 0");
    ASSERT_STR_CONTAINS(d.text, "e.yaml:3:11: error: axis key 'a.b' is already an axis (line 2)");
    ASSERT_STR_CONTAINS(d.text, "a seed is a non-negative integer, got '-1'");
    ASSERT_STR_CONTAINS(d.text, "a sweep needs 'base' (its config) or an axis over 'base'");
    scim_diag_free(&d);
}

static void test_flat(void)
{
    struct scim_flat o;
    ASSERT_EQ(scim_flat_parse("{\"a\": 1.5e-9, \"b\": \"x\\\"y\\\\z\\u00b5\", \"c\": null, "
                              "\"d\": true}",
                              &o),
              0);
    ASSERT_EQ(o.n, 4);
    ASSERT(!strcmp(scim_flat_get(&o, "a", NULL), "1.5e-9"));
    ASSERT(!strcmp(scim_flat_get(&o, "b", NULL), "x\"y\\z\xc2\xb5"));
    int found = 0;
    ASSERT(!scim_flat_get(&o, "c", &found) && found);
    ASSERT(!scim_flat_get(&o, "e", &found) && !found);
    scim_flat_free(&o);
    ASSERT_EQ(scim_flat_parse("{}", &o), 0);
    ASSERT_EQ(o.n, 0);
    ASSERT_EQ(scim_flat_parse("{\"a\": 1", &o), SCIM_EFORMAT);
    ASSERT_EQ(scim_flat_parse("{\"a\": 1} x", &o), SCIM_EFORMAT);
    ASSERT_EQ(scim_flat_parse("{\"a\": {\"b\": 1}}", &o), SCIM_EFORMAT);
}

static void test_tables(void)
{
    char *rows[3] = {"{\"point\": 0, \"s\": \"a,b\", \"x\": null}", NULL,
                     "{\"point\": 2, \"s\": \"q\\\"\", \"y\": 7}"};
    struct scim_diag d;
    scim_diag_init(&d, NULL);
    ASSERT_EQ(scim_sweep_tables_write(dir, rows, 3, &d), 0);
    char path[256];
    snprintf(path, sizeof(path), "%s/results.csv", dir);
    char *csv = scim_read_text(path);
    ASSERT(csv && !strcmp(csv, "point,s,x,y\n0,\"a,b\",,\n2,\"q\"\"\",,7\n"));
    free(csv);
    snprintf(path, sizeof(path), "%s/results.jsonl", dir);
    char *jl = scim_read_text(path);
    ASSERT(jl && !strcmp(jl, "{\"point\": 0, \"s\": \"a,b\", \"x\": null}\n"
                             "{\"point\": 2, \"s\": \"q\\\"\", \"y\": 7}\n"));
    free(jl);
    scim_diag_free(&d);
}

static void test_unit_guess(void)
{
    double v;
    enum scim_dim dim;
    char msg[128];
    ASSERT_EQ(scim_unit_parse_any("10ns", &v, &dim, msg, sizeof(msg)), 0);
    ASSERT(dim == SCIM_DIM_TIME);
    ASSERT_NEAR(v, 1e-8, 1e-20);
    ASSERT_EQ(scim_unit_parse_any("5%", &v, &dim, msg, sizeof(msg)), 0);
    ASSERT(dim == SCIM_DIM_NONE && v == 0.05);
    ASSERT(scim_unit_parse_any("5 furlongs", &v, &dim, msg, sizeof(msg)) < 0);
    ASSERT_STR_CONTAINS(msg, "unknown unit 'furlongs'");
}

int main(void)
{
    ASSERT(mkdtemp(dir));
    test_axes();
    test_zip_and_errors();
    test_flat();
    test_tables();
    test_unit_guess();
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    ASSERT_EQ(system(cmd), 0);
    puts("sweep: ok");
    return 0;
}
