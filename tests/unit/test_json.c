/*
 * test_json.c - the JSON reader (sim/base/json.h): values, escapes, locations
 * and every refusal of hostile or malformed input, with its line:col.
 */
#include <math.h>
#include <string.h>

#include "sim/base/error.h"
#include "sim/base/json.h"
#include "tests/harness.h"

/* Parse text; return its error text ("" when it parsed). */
static const char *parse(struct scim_doc *doc, const char *text, struct scim_diag *d)
{
    scim_diag_free(d);
    scim_diag_init(d, NULL);
    int rc = scim_json_load_string(doc, text, strlen(text), "r.json", d);
    if (rc == 0)
        return "";
    ASSERT(rc == SCIM_EFORMAT || rc == SCIM_ENOMEM);
    ASSERT(doc->root == NULL);
    return d->text ? d->text : "(no message)";
}

static void test_values(void)
{
    struct scim_doc doc;
    struct scim_diag d;
    scim_diag_init(&d, NULL);
    const char *text = "{\n  \"a\": 1.5e-9,\n  \"b\": \"x\\\"y\\\\z\\u00b5\\ud83d\\ude00\",\n"
                       "  \"c\": null, \"t\": true,\n  \"n\": {\"k\": [1, -2, 0.5, []]}\n}\n";
    ASSERT_STR_EQ(parse(&doc, text, &d), "");
    ASSERT(doc.root->kind == SCIM_NODE_MAP && doc.root->n == 5);
    ASSERT_STR_EQ(scim_json_text(doc.root, "a", NULL), "1.5e-9");
    ASSERT_STR_EQ(scim_json_text(doc.root, "b", NULL), "x\"y\\z\xc2\xb5\xf0\x9f\x98\x80");
    int found = 0;
    ASSERT(scim_json_text(doc.root, "c", &found) == NULL && found);
    ASSERT(scim_json_text(doc.root, "zz", &found) == NULL && !found);
    ASSERT(scim_node_get(doc.root, "b")->quoted && !scim_node_get(doc.root, "t")->quoted);
    ASSERT_NEAR(scim_json_number(doc.root, "a"), 1.5e-9, 0);
    ASSERT(isnan(scim_json_number(doc.root, "b")));
    const struct scim_node *k = scim_node_get(scim_node_get(doc.root, "n"), "k");
    ASSERT(k->kind == SCIM_NODE_SEQ && k->n == 4 && k->items[3]->kind == SCIM_NODE_SEQ);
    ASSERT_EQ(k->items[1]->loc.line, 5);
    ASSERT_EQ(k->items[1]->loc.col, 18);
    ASSERT_EQ(doc.root->key_locs[1].line, 3);
    ASSERT_EQ(doc.root->key_locs[1].col, 3);
    scim_doc_free(&doc);
    ASSERT_STR_EQ(parse(&doc, " [] ", &d), "");
    scim_doc_free(&doc);
    ASSERT_STR_EQ(parse(&doc, "-0", &d), "");
    scim_doc_free(&doc);
    scim_diag_free(&d);
}

static void test_errors(void)
{
    static const struct {
        const char *text, *msg;
    } bad[] = {
        {"{\"a\": 1", "r.json:1:8: error: invalid JSON: expected ',' or '}' (end of input)"},
        {"{\"a\": 1} x", "r.json:1:10: error: invalid JSON: text after the value"},
        {"{\"a\": 1,\n \"a\": 2}", "r.json:2:2: error: invalid JSON: duplicate key"},
        {"[01]", "r.json:1:3: error: invalid JSON: expected ',' or ']'"},
        {"[1.]", "r.json:1:2: error: invalid JSON: expected a value"},
        {"[+1]", "r.json:1:2: error: invalid JSON: expected a value"},
        {"{a: 1}", "r.json:1:2: error: invalid JSON: expected a string key"},
        {"[\"a\tb\"]", "r.json:1:4: error: invalid JSON: control character in a string"},
        {"[\"\\x\"]", "r.json:1:3: error: invalid JSON: bad escape in a string"},
        {"[\"\\ud800\"]", "r.json:1:3: error: invalid JSON: unpaired surrogate"},
        {"[\"\\u0000\"]", "r.json:1:3: error: invalid JSON: \\u0000 in a string"},
        {"[\"abc", "invalid JSON: unterminated string"},
        {"", "r.json:1:1: error: invalid JSON: expected a value (end of input)"},
        {"nul", "r.json:1:1: error: invalid JSON: expected a value"},
    };
    struct scim_doc doc;
    struct scim_diag d;
    scim_diag_init(&d, NULL);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        ASSERT_STR_CONTAINS(parse(&doc, bad[i].text, &d), bad[i].msg);
    char deep[200];
    memset(deep, '[', 100);
    memset(deep + 100, ']', 99);
    deep[199] = '\0';
    ASSERT_STR_CONTAINS(parse(&doc, deep, &d), "nested deeper than 64 levels");
    scim_diag_free(&d);
    scim_diag_init(&d, NULL);
    ASSERT_EQ(scim_json_load_string(&doc, "[1,\0]", 5, "r.json", &d), SCIM_EFORMAT);
    ASSERT_STR_CONTAINS(d.text, "NUL byte");
    scim_diag_free(&d);
}

int main(void)
{
    test_values();
    test_errors();
    printf("test_json: ok\n");
    return 0;
}
