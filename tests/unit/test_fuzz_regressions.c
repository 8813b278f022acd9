/*
 * test_fuzz_regressions.c - inputs that made a fuzz harness (tests/fuzz/, run with
 * tools/fuzz) fail, replayed through the same API; each must now give a clean
 * result.
 *
 *  - fuzz_config: a chip name holding U+0080 (a C1 control), U+0085 (NEL) or U+FFFE
 *    loaded, but the resolved config written for it did not load again ("control
 *    characters are not allowed") or loaded to another name (NEL read as a line
 *    break). The inputs are the harness's exact YAML texts.
 *  - fuzz_model: a safetensors header whose __metadata__ nests objects hundreds of
 *    thousands of levels deep kept the reader busy for hours (libyaml's scanner
 *    spends time proportional to the depth on every token: 200 kB took 12 s,
 *    10 MB did not finish in 10 minutes). The manifest and the header's pieces are
 *    embedded below; the header repeats its nesting unit 400 000 times (2 MB), which
 *    is how the input was built. It must be refused at once, with a message.
 *
 * Scratch files go to a temporary folder under the build tree, removed at the end.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arch/config.h"
#include "sim/base/diag.h"
#include "sim/base/error.h"
#include "tests/harness.h"
#include "workloads/model.h"
#include "workloads/safetensors.h"

static char tmpdir[512];

static const char *tmp_path(const char *name, char *buf, size_t len)
{
    snprintf(buf, len, "%s/%s", tmpdir, name);
    return buf;
}

static void write_bytes(const char *path, const void *a, size_t na, const void *b, size_t nb)
{
    FILE *f = fopen(path, "wb");
    ASSERT(f);
    ASSERT(fwrite(a, 1, na, f) == na);
    ASSERT(nb == 0 || fwrite(b, 1, nb, f) == nb);
    ASSERT(fclose(f) == 0);
}

/* ---- fuzz_config: resolved configs that did not load back ---- */

/* chip: {name: "a\x80b"} */
static const unsigned char name_c1[] = {0x63, 0x68, 0x69, 0x70, 0x3a, 0x20, 0x7b, 0x6e,
                                        0x61, 0x6d, 0x65, 0x3a, 0x20, 0x22, 0x61, 0x5c,
                                        0x78, 0x38, 0x30, 0x62, 0x22, 0x7d, 0x0a};
/* chip: {name: "a\x85b"} */
static const unsigned char name_nel[] = {0x63, 0x68, 0x69, 0x70, 0x3a, 0x20, 0x7b, 0x6e,
                                         0x61, 0x6d, 0x65, 0x3a, 0x20, 0x22, 0x61, 0x5c,
                                         0x78, 0x38, 0x35, 0x62, 0x22, 0x7d, 0x0a};
/* chip: {name: "a\uFFFEb"} */
static const unsigned char name_fffe[] = {0x63, 0x68, 0x69, 0x70, 0x3a, 0x20, 0x7b, 0x6e, 0x61,
                                          0x6d, 0x65, 0x3a, 0x20, 0x22, 0x61, 0x5c, 0x75, 0x46,
                                          0x46, 0x46, 0x45, 0x62, 0x22, 0x7d, 0x0a};

/* Load input, write its resolved config, load that again: same name, same values. */
static void resolved_round_trip(const unsigned char *input, size_t len, const char *want_name)
{
    char in_path[600], out_path[600], h1[17], h2[17];
    struct scim_config a, b;
    struct scim_diag d;
    scim_diag_init(&d, NULL);
    write_bytes(tmp_path("config.yaml", in_path, sizeof(in_path)), input, len, NULL, 0);
    const char *model[] = {"workload.model=/unused.yaml"}; /* a config needs a model */
    ASSERT_EQ(scim_config_load(&a, in_path, model, 1, &d), 0);
    ASSERT(strcmp(a.chip.name, want_name) == 0);

    FILE *f = fopen(tmp_path("resolved.yaml", out_path, sizeof(out_path)), "w");
    ASSERT(f);
    scim_config_emit(&a, f);
    ASSERT(fclose(f) == 0);
    int rc = scim_config_load(&b, out_path, NULL, 0, &d);
    if (rc != 0)
        fprintf(stderr, "messages:\n%s", d.text ? d.text : "(none)\n");
    ASSERT_EQ(rc, 0);
    ASSERT_EQ(d.errors, 0);
    ASSERT(strcmp(b.chip.name, want_name) == 0);
    scim_config_hash(&a, h1);
    scim_config_hash(&b, h2);
    ASSERT(strcmp(h1, h2) == 0);
    scim_config_free(&a);
    scim_config_free(&b);
    scim_diag_free(&d);
    ASSERT(unlink(in_path) == 0 && unlink(out_path) == 0);
}

/* ---- fuzz_model: a deeply nested __metadata__ ---- */

/* The manifest of the input: one linear layer reading deep.safetensors. */
static const char deep_manifest[] =
    "format: spincim-model\n"
    "version: 1\n"
    "name: x\n"
    "method: bnn\n"
    "classes: 10\n"
    "dataset: mnist\n"
    "input: {channels: 1, height: 28, width: 28, encoding: binary}\n"
    "tensors: deep.safetensors\n"
    "layers:\n"
    "  - {name: fc, kind: linear, out_features: 10, activation: none}\n";
/* {"__metadata__":{"a": */
static const unsigned char deep_head[] = {0x7b, 0x22, 0x5f, 0x5f, 0x6d, 0x65, 0x74,
                                          0x61, 0x64, 0x61, 0x74, 0x61, 0x5f, 0x5f,
                                          0x22, 0x3a, 0x7b, 0x22, 0x61, 0x22, 0x3a};
/* {"a": */
static const unsigned char deep_unit[] = {0x7b, 0x22, 0x61, 0x22, 0x3a};
#define DEEP_REPEAT 400000

static void deep_metadata(void)
{
    size_t hlen = sizeof(deep_head) + (size_t)DEEP_REPEAT * sizeof(deep_unit);
    uint8_t *file = malloc(8 + hlen);
    ASSERT(file);
    for (int i = 0; i < 8; i++)
        file[i] = (uint8_t)((uint64_t)hlen >> (8 * i));
    memcpy(file + 8, deep_head, sizeof(deep_head));
    for (size_t k = 0; k < DEEP_REPEAT; k++)
        memcpy(file + 8 + sizeof(deep_head) + k * sizeof(deep_unit), deep_unit, sizeof(deep_unit));
    char st_path[600], manifest[600];
    write_bytes(tmp_path("deep.safetensors", st_path, sizeof(st_path)), file, 8 + hlen, NULL, 0);
    free(file);
    write_bytes(tmp_path("deep.yaml", manifest, sizeof(manifest)), deep_manifest,
                strlen(deep_manifest), NULL, 0);

    /* Before the fix this took hours: let the test die instead of hanging. */
    alarm(100);
    struct scim_diag d;
    struct scim_safetensors st;
    struct scim_model m;
    scim_diag_init(&d, NULL);
    ASSERT_EQ(scim_st_open(&st, st_path, &d), SCIM_EFORMAT);
    ASSERT_EQ(d.errors, 1);
    ASSERT_STR_CONTAINS(d.text, "__metadata__ nests deeper than 64 levels");
    ASSERT(st.n == 0 && st.t == NULL && st.data == NULL && st.path == NULL);
    ASSERT_EQ(scim_model_load(&m, manifest, &d), SCIM_EFORMAT);
    ASSERT_EQ(d.errors, 2);
    ASSERT(m.layers == NULL && m.name == NULL);
    alarm(0);
    scim_diag_free(&d);
    ASSERT(unlink(st_path) == 0 && unlink(manifest) == 0);
}

int main(void)
{
    snprintf(tmpdir, sizeof(tmpdir), "%s/test_fuzz_regressions-XXXXXX", SPINCIM_BINARY_DIR);
    ASSERT(mkdtemp(tmpdir));
    resolved_round_trip(name_c1, sizeof(name_c1), "a\302\200b");
    resolved_round_trip(name_nel, sizeof(name_nel), "a\302\205b");
    resolved_round_trip(name_fffe, sizeof(name_fffe), "a\357\277\276b");
    deep_metadata();
    ASSERT(rmdir(tmpdir) == 0);
    printf("test_fuzz_regressions: ok\n");
    return 0;
}
