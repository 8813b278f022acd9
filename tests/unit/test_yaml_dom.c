/*
 * test_yaml_dom.c - the located YAML tree (sim/yaml_dom.c): line:col of keys
 * and values, refused constructs (duplicate keys, aliases, merge keys, deep
 * nesting), syntax error messages, files, and -p overrides.
 */
#include <stdio.h>

#include "tests/harness.h"
#include "sim/base/error.h"
#include "sim/base/suggest.h"
#include "sim/base/yaml_dom.h"

static void load_ok(struct scim_doc *doc, const char *text, struct scim_diag *d)
{
    scim_diag_init(d, NULL);
    int rc = scim_doc_load_string(doc, text, strlen(text), "cfg/a.yaml", d);
    if (rc != 0) {
        fprintf(stderr, "load failed (%d):\n%s\n", rc, d->text ? d->text : "");
        exit(1);
    }
}

/* Load text that must fail; returns the messages (owned by d). */
static const char *load_err(const char *text, struct scim_diag *d)
{
    struct scim_doc doc;
    scim_diag_init(d, NULL);
    int rc = scim_doc_load_string(&doc, text, strlen(text), "a.yaml", d);
    ASSERT_EQ(rc, SCIM_ECONFIG);
    ASSERT(d->errors > 0);
    ASSERT(doc.root == NULL);
    scim_doc_free(&doc);
    return d->text;
}

static void test_locations(void)
{
    struct scim_doc doc;
    struct scim_diag d;
    load_ok(&doc,
            "# comment\n"
            "crossbar:\n"
            "  rows: 128\n"
            "  cell: {model: sot_mram, r_p: 5kohm}\n"
            "list:\n"
            "  - 1\n"
            "  - \"two\"\n",
            &d);
    ASSERT(!strcmp(doc.file, "cfg/a.yaml"));
    ASSERT(!strcmp(doc.dir, "cfg"));
    struct scim_node *root = doc.root;
    ASSERT(root && root->kind == SCIM_NODE_MAP && root->n == 2);
    ASSERT_EQ(root->key_locs[0].line, 2);
    ASSERT_EQ(root->key_locs[0].col, 1);
    ASSERT(root->key_locs[0].file == doc.file);
    struct scim_node *xb = scim_node_get(root, "crossbar");
    ASSERT(xb && xb->kind == SCIM_NODE_MAP);
    ASSERT_EQ(xb->loc.line, 3);
    ASSERT_EQ(xb->loc.col, 3);
    ASSERT_EQ(xb->key_locs[0].line, 3);
    ASSERT_EQ(xb->key_locs[0].col, 3);
    struct scim_node *rows = scim_node_get(xb, "rows");
    ASSERT(rows && rows->kind == SCIM_NODE_SCALAR && !strcmp(rows->scalar, "128"));
    ASSERT_EQ(rows->loc.line, 3);
    ASSERT_EQ(rows->loc.col, 9);
    ASSERT(!rows->quoted && !rows->consumed);
    struct scim_node *cell = scim_node_get(xb, "cell");
    ASSERT_EQ(cell->loc.line, 4);
    ASSERT_EQ(cell->loc.col, 9);
    long i = scim_node_index(cell, "r_p");
    ASSERT_EQ(i, 1);
    ASSERT_EQ(cell->key_locs[i].col, 27);
    ASSERT_EQ(cell->items[i]->loc.col, 32);
    struct scim_node *list = scim_node_get(root, "list");
    ASSERT(list->kind == SCIM_NODE_SEQ && list->n == 2);
    ASSERT_EQ(list->items[1]->loc.line, 7);
    ASSERT_EQ(list->items[1]->loc.col, 5);
    ASSERT(list->items[1]->quoted && !strcmp(list->items[1]->scalar, "two"));
    ASSERT(scim_node_get(list, "x") == NULL);
    ASSERT_EQ(scim_node_index(NULL, "x"), -1);
    ASSERT(scim_node_get(rows, "x") == NULL);
    scim_doc_free(&doc);
    scim_diag_free(&d);

    /* Empty document, anchors (ignored) and a name without a directory. */
    scim_diag_init(&d, NULL);
    ASSERT_EQ(scim_doc_load_string(&doc, "", 0, "plain.yaml", &d), 0);
    ASSERT(doc.root == NULL && !strcmp(doc.dir, "."));
    scim_doc_free(&doc);
    load_ok(&doc, "a: &x 1\nb: !!str 2\n", &d);
    ASSERT(!strcmp(scim_node_get(doc.root, "a")->scalar, "1"));
    scim_doc_free(&doc);
    scim_diag_free(&d);
}

static void test_refused(void)
{
    struct scim_diag d;
    ASSERT_STR_CONTAINS(load_err("a: 1\nb: 2\na: 3\n", &d),
                        "a.yaml:3:1: error: duplicate key 'a' (first defined at line 1)");
    scim_diag_free(&d);
    /* Every duplicate is reported, not only the first. */
    load_err("a: 1\na: 2\nb: {c: 1, c: 2}\n", &d);
    ASSERT_EQ(d.errors, 2);
    scim_diag_free(&d);
    ASSERT_STR_CONTAINS(load_err("a: &x 1\nb: *x\n", &d),
                        "a.yaml:2:4: error: aliases are not supported");
    scim_diag_free(&d);
    ASSERT_STR_CONTAINS(load_err("base: &b {x: 1}\nd:\n  <<: *b\n", &d),
                        "a.yaml:3:3: error: merge keys ('<<') are not supported");
    scim_diag_free(&d);
    ASSERT_STR_CONTAINS(load_err("? [1, 2]\n: 3\n", &d), "a.yaml:1:3: error: mapping keys");
    scim_diag_free(&d);
    ASSERT_STR_CONTAINS(load_err("a: 1\n---\nb: 2\n", &d), "only one YAML document");
    scim_diag_free(&d);
}

/* levels nested flow maps {a: {a: ... 1}} into text. */
static void nested(char *text, size_t len, int levels)
{
    size_t n = 0;
    for (int i = 0; i < levels; i++)
        n += (size_t)snprintf(text + n, len - n, "{a: ");
    n += (size_t)snprintf(text + n, len - n, "1");
    for (int i = 0; i < levels; i++)
        text[n++] = '}';
    text[n] = '\0';
}

static void test_depth(void)
{
    struct scim_diag d;
    char text[1024];
    nested(text, sizeof(text), 65);
    ASSERT_STR_CONTAINS(load_err(text, &d), "a.yaml:1:257: error: nesting deeper than 64 levels");
    ASSERT_EQ(d.errors, 1);
    scim_diag_free(&d);
    /* 64 levels are fine. */
    struct scim_doc doc;
    nested(text, sizeof(text), 64);
    load_ok(&doc, text, &d);
    scim_doc_free(&doc);
    scim_diag_free(&d);
    /* A hostile stream of brackets stops at the limit too. */
    static char bomb[200001];
    memset(bomb, '[', sizeof(bomb) - 1);
    load_err(bomb, &d);
    ASSERT_EQ(d.errors, 1);
    scim_diag_free(&d);
}

static void test_syntax_errors(void)
{
    struct scim_diag d;
    const char *msg = load_err("a: 1\nb: [1, 2\nc: 3\n", &d);
    ASSERT_STR_CONTAINS(msg, "a.yaml:");
    ASSERT_STR_CONTAINS(msg, ": error: ");
    ASSERT_STR_CONTAINS(msg, "(while parsing a flow sequence)");
    ASSERT_EQ(d.errors, 1);
    scim_diag_free(&d);
    ASSERT_STR_CONTAINS(load_err("a: 1\n  b: 2\n", &d),
                        "a.yaml:2:4: error: mapping values are not allowed in this context");
    scim_diag_free(&d);
    ASSERT_STR_CONTAINS(load_err("a: \"x\n", &d), "a.yaml:2:1: error: found unexpected end of "
                                                  "stream (while scanning a quoted scalar)");
    scim_diag_free(&d);
}

static void test_files(void)
{
    struct scim_doc doc;
    struct scim_diag d;
    scim_diag_init(&d, NULL);
    ASSERT_EQ(scim_doc_load_file(&doc, "no/such/dir/x.yaml", &d), SCIM_ENOENT);
    ASSERT_STR_CONTAINS(d.text, "no/such/dir/x.yaml: error: cannot open: ");
    scim_doc_free(&doc);
    scim_diag_free(&d);

    char path[] = "test_yaml_dom_tmp.yaml";
    FILE *f = fopen(path, "w");
    ASSERT(f);
    fputs("x:\n  y: 10ns\n", f);
    fclose(f);
    scim_diag_init(&d, NULL);
    ASSERT_EQ(scim_doc_load_file(&doc, path, &d), 0);
    ASSERT(!strcmp(doc.dir, ".") && !strcmp(doc.file, path));
    struct scim_node *y = scim_node_get(scim_node_get(doc.root, "x"), "y");
    ASSERT(y && !strcmp(y->scalar, "10ns") && y->loc.line == 2 && y->loc.col == 6);
    scim_doc_free(&doc);

    /* Over 16 MiB: refused before parsing. */
    f = fopen(path, "w");
    ASSERT(f);
    ASSERT(fseek(f, 16L * 1024 * 1024, SEEK_SET) == 0);
    fputc('\n', f);
    fclose(f);
    ASSERT_EQ(scim_doc_load_file(&doc, path, &d), SCIM_ECONFIG);
    ASSERT_STR_CONTAINS(d.text, "larger than 16 MiB");
    remove(path);
    scim_doc_free(&doc);
    scim_diag_free(&d);
}

static void test_override(void)
{
    struct scim_doc doc;
    struct scim_diag d;
    load_ok(&doc, "crossbar:\n  rows: 128\n  cell: {r_p: 5kohm}\nname: x\n", &d);
    ASSERT_EQ(scim_doc_override(&doc, "crossbar.rows=256", 1, &d), 0);
    struct scim_node *xb = scim_node_get(doc.root, "crossbar");
    struct scim_node *rows = scim_node_get(xb, "rows");
    ASSERT(!strcmp(rows->scalar, "256") && !rows->consumed);
    ASSERT(!strcmp(rows->loc.file, "command line (-p #1)"));
    ASSERT_EQ(rows->loc.line, 0);
    ASSERT_EQ(xb->key_locs[0].line, 2); /* the key stays where the file defined it */

    ASSERT_EQ(scim_doc_override(&doc, "crossbar.adc.bits=[1, 2]", 2, &d), 0);
    struct scim_node *bits = scim_node_get(scim_node_get(xb, "adc"), "bits");
    ASSERT(bits && bits->kind == SCIM_NODE_SEQ && bits->n == 2);
    ASSERT(!strcmp(bits->items[1]->scalar, "2"));
    ASSERT(!strcmp(bits->items[1]->loc.file, "command line (-p #2)"));

    ASSERT_EQ(scim_doc_override(&doc, "crossbar.cell={model: stt, t_read: 10ns}", 3, &d), 0);
    struct scim_node *cell = scim_node_get(xb, "cell");
    ASSERT(cell->kind == SCIM_NODE_MAP && cell->n == 2 && !scim_node_get(cell, "r_p"));
    ASSERT(!strcmp(cell->key_locs[1].file, "command line (-p #3)"));
    ASSERT_EQ(scim_doc_override(&doc, "empty=", 4, &d), 0);
    struct scim_node *e = scim_node_get(doc.root, "empty");
    ASSERT(e && e->kind == SCIM_NODE_SCALAR && !strcmp(e->scalar, ""));
    ASSERT_EQ(scim_doc_override(&doc, "t=10ns", 5, &d), 0);
    ASSERT(!strcmp(scim_node_get(doc.root, "t")->scalar, "10ns"));
    ASSERT_EQ(scim_doc_override(&doc, "q=\"a=b\"", 6, &d), 0);
    ASSERT(!strcmp(scim_node_get(doc.root, "q")->scalar, "a=b"));
    ASSERT_EQ(d.errors, 0);

    ASSERT_EQ(scim_doc_override(&doc, "name.first=1", 7, &d), SCIM_ECONFIG);
    ASSERT_STR_CONTAINS(d.text, "command line (-p #7): error: 'name' is not a section, cannot "
                                "set 'name.first'");
    ASSERT_EQ(scim_doc_override(&doc, "crossbar.rows.x.y=1", 8, &d), SCIM_ECONFIG);
    ASSERT_STR_CONTAINS(d.text, "'crossbar.rows' is not a section, cannot set "
                                "'crossbar.rows.x.y'");
    ASSERT_EQ(scim_doc_override(&doc, "crossbar.rows", 9, &d), SCIM_ECONFIG);
    ASSERT_STR_CONTAINS(d.text, "command line (-p #9): error: -p expects key.path=value, got "
                                "'crossbar.rows'");
    ASSERT_EQ(scim_doc_override(&doc, "=5", 10, &d), SCIM_ECONFIG);
    ASSERT_EQ(scim_doc_override(&doc, "a..b=5", 11, &d), SCIM_ECONFIG);
    ASSERT_EQ(scim_doc_override(&doc, "a.=5", 12, &d), SCIM_ECONFIG);
    ASSERT_EQ(scim_doc_override(&doc, "x=[1, 2", 13, &d), SCIM_ECONFIG);
    ASSERT_STR_CONTAINS(d.text, "command line (-p #13): error: cannot parse value '[1, 2'");
    ASSERT_EQ(scim_doc_override(&doc, "x=*a", 14, &d), SCIM_ECONFIG);
    ASSERT_EQ(d.errors, 8);
    scim_doc_free(&doc);
    scim_diag_free(&d);

    /* An override on an empty document creates the root. */
    struct scim_doc empty;
    scim_diag_init(&d, NULL);
    ASSERT_EQ(scim_doc_load_string(&empty, "", 0, "e.yaml", &d), 0);
    ASSERT_EQ(scim_doc_override(&empty, "a.b.c=1", 1, &d), 0);
    struct scim_node *c = scim_node_get(scim_node_get(scim_node_get(empty.root, "a"), "b"), "c");
    ASSERT(c && !strcmp(c->scalar, "1"));
    scim_doc_free(&empty);
    scim_diag_free(&d);
}

static void test_edit_distance(void)
{
    ASSERT_EQ(scim_edit_distance("", ""), 0);
    ASSERT_EQ(scim_edit_distance("rows", "rowz"), 1);
    ASSERT_EQ(scim_edit_distance("kitten", "sitting"), 3);
    ASSERT_EQ(scim_edit_distance("", "abc"), 3);
    ASSERT_EQ(scim_edit_distance("t_read", "t_write"), 4);
    char a[200], b[200];
    memset(a, 'a', sizeof(a) - 1);
    memset(b, 'a', sizeof(b) - 1);
    a[199] = b[199] = '\0';
    b[0] = 'b';
    ASSERT_EQ(scim_edit_distance(a, b), 1);
}

int main(void)
{
    test_locations();
    test_refused();
    test_depth();
    test_syntax_errors();
    test_files();
    test_override();
    test_edit_distance();
    puts("test_yaml_dom: ok");
    return 0;
}
