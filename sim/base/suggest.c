/*
 * suggest.c - "did you mean" (suggest.h): the nearest known name by edit distance.
 */
#include "suggest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void scim_suggest_init(struct scim_suggest *s, const char *word)
{
    memset(s, 0, sizeof(*s));
    s->word = word ? word : "";
    s->best_d = (size_t)-1;
}

void scim_suggest_add(struct scim_suggest *s, const char *cand)
{
    if (!cand)
        return;
    size_t dist = scim_edit_distance(s->word, cand);
    if (dist && dist < s->best_d) {
        s->best_d = dist;
        s->best = cand;
    }
}

void scim_suggest_add_list(struct scim_suggest *s, const char *const *cands)
{
    for (size_t i = 0; cands && cands[i]; i++)
        scim_suggest_add(s, cands[i]);
}

const char *scim_suggest_best(const struct scim_suggest *s)
{
    size_t len = strlen(s->word), limit = len / 3 > 2 ? len / 3 : 2;
    return s->best && s->best_d <= limit ? s->best : NULL;
}

const char *scim_suggest_hint(struct scim_suggest *s)
{
    const char *best = scim_suggest_best(s);
    if (!best)
        return "";
    snprintf(s->hint, sizeof(s->hint), " (did you mean '%s'?)", best);
    return s->hint;
}

size_t scim_edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    size_t small[65];
    size_t *row = lb < 65 ? small : malloc((lb + 1) * sizeof(*row));
    if (!row)
        return la > lb ? la : lb;
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    size_t r = row[lb];
    if (row != small)
        free(row);
    return r;
}
