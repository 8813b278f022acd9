/*
 * datapath_act.c - the input activations of a layer: their buffers in the layer's
 * format (conv row masks, with the channel-minor copy; a linear layer's packed vector;
 * the integer path's padded pixels and popcounts), and the first layer's input filled
 * from 8-bit pixels, as bit-planes or binarized.
 */
#include "datapath.h"

#include <stdlib.h>
#include <string.h>

#include "sim/base/error.h"

/* ---- activations ---- */

static int int_act_alloc(struct scim_act *a, const struct scim_layer_map *lm)
{
    const struct scim_layer *L = lm->layer;
    a->pad = L->kind == SCIM_LAYER_CONV ? L->padding : 0;
    a->hp = a->h + 2 * a->pad;
    a->wp = a->w + 2 * a->pad;
    /* Slack after the image: the stride-1 conv reads up to kernel - 1 bytes past a
     * channel's last row (into columns it then discards). */
    size_t n = (size_t)a->c * (size_t)a->hp * (size_t)a->wp + 64u + (size_t)L->kernel;
    a->pix = calloc(n, 1);
    a->pcnt = calloc(n, 1);
    /* acc: the positions of one channel, then the stride-1 conv's wide buffer. */
    a->acc = calloc((size_t)lm->positions + (size_t)L->out_h * (size_t)a->wp, sizeof(int32_t));
    a->box = calloc((size_t)lm->positions + (size_t)L->out_h * (size_t)a->wp, sizeof(int32_t));
    return a->pix && a->pcnt && a->acc && a->box ? 0 : SCIM_ENOMEM;
}

int scim_act_alloc(struct scim_act *a, const struct scim_layer_map *lm)
{
    const struct scim_layer *L = lm->layer;
    memset(a, 0, sizeof(*a));
    a->planes = lm->planes;
    a->c = L->in_c;
    a->h = L->in_h;
    a->w = L->in_w;
    a->n_words = lm->n_words;
    if (lm->int_path)
        return int_act_alloc(a, lm);
    if (L->kind == SCIM_LAYER_CONV) {
        a->pad = L->padding;
        a->hp = L->in_h + 2 * L->padding;
        a->rows = calloc((size_t)a->planes * (size_t)a->c * (size_t)a->hp, sizeof(uint64_t));
        if (lm->cm) {
            a->cm_words = ((L->in_w + 2 * L->padding) * a->c + 63) / 64;
            a->cm = calloc((size_t)a->planes * (size_t)a->hp * (size_t)a->cm_words,
                           sizeof(uint64_t));
        }
        return a->rows && (a->cm || !lm->cm) ? 0 : SCIM_ENOMEM;
    }
    a->vec = calloc((size_t)a->planes * (size_t)a->n_words, sizeof(uint64_t));
    return a->vec ? 0 : SCIM_ENOMEM;
}

void scim_act_free(struct scim_act *a)
{
    free(a->cm);
    free(a->rows);
    free(a->vec);
    free(a->pix);
    free(a->pcnt);
    free(a->acc);
    free(a->box);
    memset(a, 0, sizeof(*a));
}

void scim_act_clear(struct scim_act *a)
{
    if (a->rows)
        memset(a->rows, 0, (size_t)a->planes * (size_t)a->c * (size_t)a->hp * sizeof(uint64_t));
    if (a->vec)
        memset(a->vec, 0, (size_t)a->planes * (size_t)a->n_words * sizeof(uint64_t));
}

/* Set activation bit (c, y, x) of plane p to +1. */
static void act_set(struct scim_act *a, int p, int c, int y, int x)
{
    if (a->rows) {
        a->rows[((size_t)p * (size_t)a->c + (size_t)c) * (size_t)a->hp + (size_t)(y + a->pad)] |=
            1ull << (x + a->pad);
    } else {
        size_t i = ((size_t)c * (size_t)a->h + (size_t)y) * (size_t)a->w + (size_t)x;
        a->vec[(size_t)p * (size_t)a->n_words + (i >> 6)] |= 1ull << (i & 63);
    }
}

static const uint8_t popcount8[256] = {
#define B2(n) n, n + 1, n + 1, n + 2
#define B4(n) B2(n), B2(n + 1), B2(n + 1), B2(n + 2)
#define B6(n) B4(n), B4(n + 1), B4(n + 1), B4(n + 2)
    B6(0), B6(1), B6(1), B6(2)
#undef B2
#undef B4
#undef B6
};

/* Integer path: the padded pixel image and its per-pixel popcounts (pads are 0). */
static void int_from_pixels(struct scim_act *a, const uint8_t *pixels)
{
    for (int c = 0; c < a->c; c++)
        for (int y = 0; y < a->h; y++) {
            size_t src = ((size_t)c * (size_t)a->h + (size_t)y) * (size_t)a->w;
            size_t dst = ((size_t)c * (size_t)a->hp + (size_t)(y + a->pad)) * (size_t)a->wp +
                         (size_t)a->pad;
            memcpy(a->pix + dst, pixels + src, (size_t)a->w);
            for (int x = 0; x < a->w; x++)
                a->pcnt[dst + (size_t)x] = popcount8[pixels[src + (size_t)x]];
        }
}

void scim_act_from_pixels(struct scim_act *a, const struct scim_layer_map *lm,
                          const uint8_t *pixels)
{
    if (lm->int_path) {
        int_from_pixels(a, pixels);
        return;
    }
    scim_act_clear(a);
    for (int c = 0; c < a->c; c++)
        for (int y = 0; y < a->h; y++)
            for (int x = 0; x < a->w; x++) {
                unsigned v = pixels[((size_t)c * (size_t)a->h + (size_t)y) * (size_t)a->w +
                                    (size_t)x];
                if (lm->planes == 1) {
                    if (v >= 128)
                        act_set(a, 0, c, y, x);
                    continue;
                }
                for (int p = 0; p < 8; p++)
                    if ((v >> p) & 1)
                        act_set(a, p, c, y, x);
            }
}
