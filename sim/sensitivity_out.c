/*
 * sensitivity_out.c - a sensitivity result (sensitivity.h) written out: the table
 * printed by `spincim sensitivity` (the base outputs, one row per key that a step
 * changed, the notes, then the keys that change nothing, have no step or are not
 * hardware) and sensitivity.csv (one row per key, SI values, relative changes as
 * fractions), written atomically like a run's results.
 */
#include "sensitivity.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "sim/base/error.h"
#include "sim/base/fileio.h"
#include "sim/base/units.h"

static const char *const metric_name[SCIM_SENS_METRICS] = {"energy", "area", "latency",
                                                           "accuracy"};

static char *value_text(const struct scim_sens_key *k, double v, char *buf, size_t len)
{
    if (k->p->type == SCIM_P_INT)
        snprintf(buf, len, "%lld", (long long)v);
    else
        scim_unit_format(v, k->p->dim, 4, buf, len);
    return buf;
}

/* A step's relative change as printed: "+10.2%", "0", "-" (not run), "invalid". */
static char *change_text(const struct scim_sens_step *s, int m, char *buf, size_t len)
{
    if (s->state == 0)
        snprintf(buf, len, "-");
    else if (s->state < 0)
        snprintf(buf, len, "invalid");
    else if (s->d[m] == 0.0)
        snprintf(buf, len, "0");
    else
        snprintf(buf, len, "%+.3g%%", 100.0 * s->d[m]);
    return buf;
}

static void append(char *buf, size_t len, const char *s)
{
    size_t n = strlen(buf);
    snprintf(buf + n, len - n, "%s%s", n ? "; " : "", s);
}

/* The notes of a key: "changes nothing" and its steps' distinct notes, joined by "; ". */
static char *key_note(const struct scim_sens_key *k, char *buf, size_t len)
{
    const char *a = k->step[0].note, *b = k->step[1].note;
    buf[0] = '\0';
    if (k->status == SCIM_SENS_NOTHING)
        append(buf, len, "changes nothing");
    if (*a)
        append(buf, len, a);
    if (*b && strcmp(a, b))
        append(buf, len, b);
    return buf;
}

static void print_base(const struct scim_sens_result *r, FILE *f)
{
    char e[48], a[48], l[48];
    fprintf(f, "base (%d images): energy/image %s, area %s, latency/image %s, accuracy %.2f %%\n",
            r->images, scim_unit_format(r->base[SCIM_SENS_ENERGY], SCIM_DIM_ENERGY, 4, e, sizeof(e)),
            scim_unit_format(r->base[SCIM_SENS_AREA], SCIM_DIM_AREA, 4, a, sizeof(a)),
            scim_unit_format(r->base[SCIM_SENS_LATENCY], SCIM_DIM_TIME, 4, l, sizeof(l)),
            100.0 * r->base[SCIM_SENS_ACCURACY]);
    fprintf(f, "steps: reals x(1 -/+ %g %%); integers +/-1 for bit counts, half / double for "
               "powers of two,\n       else +/-%g %% (at least 1); changes relative to the base, "
               "step down / step up\n\n",
            100.0 * r->step, 100.0 * r->step);
}

/* Widths of the key and value columns over the table's rows. */
struct widths {
    int key, val[3];
};

static void row_values(const struct scim_sens_key *k, char v[3][48])
{
    value_text(k, k->value, v[0], sizeof(v[0]));
    for (int i = 0; i < 2; i++)
        if (k->step[i].state)
            value_text(k, k->step[i].value, v[i + 1], sizeof(v[i + 1]));
        else
            snprintf(v[i + 1], sizeof(v[i + 1]), "-");
}

static struct widths table_widths(const struct scim_sens_result *r)
{
    struct widths w = {3, {5, 4, 2}};
    char v[3][48];
    for (size_t i = 0; i < r->n_keys && r->keys[i].status == SCIM_SENS_STEPPED; i++) {
        int n = (int)strlen(r->keys[i].key);
        w.key = n > w.key ? n : w.key;
        row_values(&r->keys[i], v);
        for (int c = 0; c < 3; c++)
            w.val[c] = (int)strlen(v[c]) > w.val[c] ? (int)strlen(v[c]) : w.val[c];
    }
    return w;
}

/* line without its trailing blanks, and a newline. */
static void put_line(char *line, FILE *f)
{
    size_t n = strlen(line);
    while (n && line[n - 1] == ' ')
        line[--n] = '\0';
    fprintf(f, "%s\n", line);
}

static void print_row(const struct scim_sens_key *k, const struct widths *w, FILE *f)
{
    char v[3][48], c[2][24], line[512];
    row_values(k, v);
    int n = snprintf(line, sizeof(line), "%-*s  %-*s  %-*s  %-*s", w->key, k->key, w->val[0], v[0],
                     w->val[1], v[1], w->val[2], v[2]);
    for (int m = 0; m < SCIM_SENS_METRICS && n > 0 && (size_t)n < sizeof(line); m++)
        n += snprintf(line + n, sizeof(line) - (size_t)n, "  %9s / %-9s",
                      change_text(&k->step[0], m, c[0], sizeof(c[0])),
                      change_text(&k->step[1], m, c[1], sizeof(c[1])));
    put_line(line, f);
}

static void print_table(const struct scim_sens_result *r, FILE *f)
{
    struct widths w = table_widths(r);
    char line[512];
    if (!r->n_keys || r->keys[0].status != SCIM_SENS_STEPPED) {
        fputs("no step changed an output\n", f);
        return;
    }
    int n = snprintf(line, sizeof(line), "%-*s  %-*s  %-*s  %-*s", w.key, "key", w.val[0], "value",
                     w.val[1], "down", w.val[2], "up");
    for (int m = 0; m < SCIM_SENS_METRICS && n > 0 && (size_t)n < sizeof(line); m++)
        n += snprintf(line + n, sizeof(line) - (size_t)n, "  %13s%-8s", metric_name[m], "");
    put_line(line, f);
    for (size_t i = 0; i < r->n_keys && r->keys[i].status == SCIM_SENS_STEPPED; i++)
        print_row(&r->keys[i], &w, f);
}

static void print_notes(const struct scim_sens_result *r, FILE *f)
{
    char note[700];
    int first = 1;
    for (size_t i = 0; i < r->n_keys && r->keys[i].status == SCIM_SENS_STEPPED; i++) {
        if (!*key_note(&r->keys[i], note, sizeof(note)))
            continue;
        fprintf(f, "%s  %s: %s\n", first ? "\nnotes:\n" : "", r->keys[i].key, note);
        first = 0;
    }
}

/* "title (N): key, key, ..." over lines of about 100 characters; with_note adds each
 * key's first note in parentheses (not to keys at 0: the title says why). */
static void print_list(const struct scim_sens_result *r, int status, const char *title,
                       int with_note, FILE *f)
{
    size_t n = 0, col = 0;
    for (size_t i = 0; i < r->n_keys; i++)
        n += r->keys[i].status == status;
    if (!n)
        return;
    col = (size_t)fprintf(f, "\n%s (%zu):", title, n);
    for (size_t i = 0; i < r->n_keys; i++) {
        const struct scim_sens_key *k = &r->keys[i];
        if (k->status != status)
            continue;
        char item[400];
        const char *why = *k->step[0].note ? k->step[0].note : k->step[1].note;
        int note = with_note && k->value != 0.0;
        int len = snprintf(item, sizeof(item), " %s%s%s%s,", k->key, note ? " (" : "",
                           note ? why : "", note ? ")" : "");
        if (!--n)
            item[len - 1] = '\0';
        if (col + (size_t)len > 100)
            col = (size_t)fprintf(f, "\n ") - 1;
        col += (size_t)fprintf(f, "%s", item);
    }
    fputc('\n', f);
}

void scim_sens_print(const struct scim_sens_result *r, FILE *f)
{
    print_base(r, f);
    print_table(r, f);
    print_notes(r, f);
    print_list(r, SCIM_SENS_NOTHING, "changes nothing", 0, f);
    print_list(r, SCIM_SENS_NOT_STEPPED, "not stepped (0: no relative step)", 1, f);
    print_list(r, SCIM_SENS_SKIPPED, "skipped, not hardware (workload, uncertainty, faults, "
                                     "testing)", 0, f);
    fprintf(f, "\n%zu keys, %d runs of %d images on %d thread%s in %.2f s\n", r->n_keys, r->runs,
            r->images, r->threads, r->threads == 1 ? "" : "s", r->wall_s);
}

/* s as a CSV field: quoted (quotes doubled) when it holds a comma, quote or newline. */
static void csv_text(FILE *f, const char *s)
{
    if (!strpbrk(s, ",\"\n")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s == '\n' ? ' ' : *s, f);
    }
    fputc('"', f);
}

/* ",v" with the fewest significant digits that read back as v. */
static void csv_num(FILE *f, double v)
{
    char b[40];
    for (int digits = 6; digits <= 17; digits++) {
        snprintf(b, sizeof(b), "%.*g", digits, v);
        if (strtod(b, NULL) == v)
            break;
    }
    fprintf(f, ",%s", b);
}

static void csv_row(const struct scim_sens_key *k, FILE *f)
{
    char note[700];
    fprintf(f, "%s,%s", k->key, k->p->type == SCIM_P_F64 ? scim_dim_symbol(k->p->dim) : "");
    csv_num(f, k->value);
    for (int i = 0; i < 2; i++)
        k->step[i].state ? csv_num(f, k->step[i].value) : (void)fputs(",", f);
    for (int m = 0; m < SCIM_SENS_METRICS; m++)
        for (int i = 0; i < 2; i++)
            k->step[i].state == 1 ? (void)fprintf(f, ",%.9g", k->step[i].d[m]) : (void)fputs(",", f);
    fputc(',', f);
    csv_text(f, key_note(k, note, sizeof(note)));
    fputc('\n', f);
}

void scim_sens_csv(const struct scim_sens_result *r, FILE *f)
{
    fputs("key,unit,value,step_down_value,step_up_value", f);
    for (int m = 0; m < SCIM_SENS_METRICS; m++)
        fprintf(f, ",d_%s_down,d_%s_up", metric_name[m], metric_name[m]);
    fputs(",note\n", f);
    for (size_t i = 0; i < r->n_keys; i++)
        csv_row(&r->keys[i], f);
}

static void w_csv(const void *r, FILE *f)
{
    scim_sens_csv(r, f);
}

int scim_sens_write(const struct scim_sens_result *r, const char *dir, struct scim_diag *d)
{
    char p[PATH_MAX];
    if (scim_path_join(p, sizeof(p), dir, "sensitivity.csv") < 0)
        return scim_diag_file_error(d, dir, SCIM_EINVAL, "path too long");
    if (scim_mkdirs(dir) < 0)
        return scim_diag_file_error(d, dir, SCIM_EIO, "cannot create folder: %s", strerror(errno));
    return scim_write_atomic(p, w_csv, r, d);
}
