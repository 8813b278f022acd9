/*
 * suggest.h - "did you mean": the one place that decides which known name is
 * close enough to a misspelt one to suggest it, and how the hint is written.
 *
 *   struct scim_suggest s;
 *   scim_suggest_init(&s, word);
 *   for (each known name) scim_suggest_add(&s, name);
 *   scim_diag_error(d, loc, "unknown key '%s'%s", word, scim_suggest_hint(&s));
 */
#ifndef SCIM_SUGGEST_H
#define SCIM_SUGGEST_H

#include <stddef.h>

struct scim_suggest {
    const char *word; /* the misspelt name */
    const char *best; /* nearest candidate so far, or NULL */
    size_t best_d;    /* its edit distance */
    char hint[160];   /* " (did you mean 'x'?)" or "" (scim_suggest_hint) */
};

void scim_suggest_init(struct scim_suggest *s, const char *word);
/* Consider one known name (NULL is ignored). */
void scim_suggest_add(struct scim_suggest *s, const char *cand);
/* Consider every name of a NULL-terminated list. */
void scim_suggest_add_list(struct scim_suggest *s, const char *const *cands);
/* The nearest candidate within max(2, strlen(word) / 3) edits, other than word itself,
 * or NULL. */
const char *scim_suggest_best(const struct scim_suggest *s);
/* " (did you mean 'x'?)" for that candidate, or "" when there is none. */
const char *scim_suggest_hint(struct scim_suggest *s);

/* Levenshtein edit distance. */
size_t scim_edit_distance(const char *a, const char *b);

#endif
