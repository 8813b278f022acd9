/*
 * mvm.c - one MVM through a chip's read model: the work space each layer's
 * kernel needs (one per thread) and the choice among the kernels (digital, EVENTS,
 * LUT with or without read noise, CELLS), with the read-noise stream of the MVM.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#include "sim/base/error.h"
#include "sim/base/rng.h"

/* Steps whose compressed inputs the work space holds at once: every step of the layer
 * (LUT without noise, read chunk by chunk), or one. */
static size_t lut_slots(const struct scim_analog_layer *al, const struct scim_layer_map *lm)
{
    return al->noise ? 1 : (size_t)lm->positions * (size_t)lm->planes;
}

/* Rows of cpad sums the LUT kernels keep: one per position (without noise), one per
 * chunk (with noise). */
static size_t acc_rows(const struct scim_analog_layer *al, const struct scim_layer_map *lm)
{
    return al->noise ? (size_t)lm->n_chunks : (size_t)lm->positions;
}

/* Bytes of work space the kernels of layer al need (see bind_work). */
static size_t work_bytes(const struct scim_analog_layer *al, const struct scim_layer_map *lm)
{
    size_t slots = lut_slots(al, lm), nc = (size_t)lm->n_chunks;
    if (al->kernel == SCIM_READ_LUT)
        return (size_t)al->nib * (size_t)al->tabs * sizeof(size_t) +
               (slots * nc * (2 * (size_t)al->nw + 1) + acc_rows(al, lm) * (size_t)al->cpad) *
                   sizeof(uint32_t) +
               nc * (size_t)al->cpad / 16 * sizeof(uint16_t);
    if (al->kernel == SCIM_READ_CELLS)
        return (size_t)al->max_len * (sizeof(double) + sizeof(uint32_t));
    if (al->kernel == SCIM_READ_EVENTS && lm->int_path)
        return (size_t)lm->n_words * ((size_t)lm->planes * sizeof(uint64_t) + 64);
    return 0;
}

static void bind_work(struct scim__read_ctx *c, const struct scim_layer_map *lm, void *work)
{
    const struct scim_analog_layer *al = c->al;
    size_t slots = lut_slots(al, lm), nc = (size_t)lm->n_chunks,
           words = slots * nc * (size_t)al->nw;
    if (al->kernel == SCIM_READ_LUT) {
        c->off = work;
        c->xc = (uint32_t *)(c->off + (size_t)al->nib * (size_t)al->tabs);
        c->kc = c->xc + words;
        c->len = c->kc + words;
        c->acc = (int32_t *)(c->len + slots * nc);
        c->near = (uint16_t *)(c->acc + acc_rows(al, lm) * (size_t)al->cpad);
    } else if (al->kernel == SCIM_READ_CELLS) {
        c->cg = work;
        c->cd = (uint32_t *)(c->cg + al->max_len);
    } else if (al->kernel == SCIM_READ_EVENTS && lm->int_path) {
        c->win = work;
        c->bytes = (uint8_t *)(c->win + (size_t)lm->planes * (size_t)lm->n_words);
    }
}

void *scim_analog_work_alloc(const struct scim_analog *an)
{
    size_t bytes = 1;
    for (int l = 0; an && l < an->n_layers; l++) {
        size_t b = work_bytes(&an->layers[l], &an->mp->layers[l]);
        bytes = b > bytes ? b : bytes;
    }
    return malloc(bytes);
}

/* The read-noise stream of (chip, image, pass, layer) of an MVM, and its first event. */
static void start_noise(struct scim__read_ctx *c, const struct scim_layer_map *lm, uint64_t img, int pass)
{
    const struct scim_analog *an = c->an;
    uint64_t seed = (uint64_t)an->cfg->workload.seed,
             stream = scim_stream_id(SCIM_STREAM_READ, img, an->chip);
    uint32_t sub = (uint32_t)((uint64_t)pass * (uint64_t)an->n_layers + (uint64_t)lm->index);
    if (c->al->kernel == SCIM_READ_EVENTS)
        scim_rng_batch_init(&c->ev, seed, stream, sub);
    else
        scim_rng_init_sub(&c->rng, seed, stream, sub);
    if (c->al->log1m_p0 < 0.0)
        c->next = scim__analog_event_gap(c);
}

void scim_analog_mvm(const struct scim_analog *an, void *work, const struct scim_layer_map *lm,
                     const struct scim_act *a, const uint64_t *mask, int32_t *s, uint64_t *scratch,
                     struct scim_mvm_stats *st, uint64_t img, int pass)
{
    static const scim_step_fn steps[] = {
        [SCIM_READ_LUT] = scim__analog_lut_noise_step,
        [SCIM_READ_CELLS] = scim__analog_cells_step,
    };
    const struct scim_analog_layer *al = an ? &an->layers[lm->index] : NULL;
    if (!al || al->kernel == SCIM_READ_DIGITAL) {
        scim_mvm(lm, a, mask, s, scratch, st);
        return;
    }
    if (mask && al->kernel == SCIM_READ_LUT && al->tabs == 1)
        SCIM_PANIC("layer %d: row mask on tables built for every row driven", lm->index);
    struct scim__read_ctx c;
    memset(&c, 0, sizeof(c));
    c.an = an, c.al = al, c.next = UINT64_MAX;
    bind_work(&c, lm, work);
    if (al->noise)
        start_noise(&c, lm, img, pass);
    if (al->kernel == SCIM_READ_LUT && !al->noise) {
        scim__analog_lut_layer(&c, lm, a, mask, s, scratch, st);
    } else if (al->kernel == SCIM_READ_EVENTS || lm->int_path) { /* integer path: EVENTS only */
        scim__analog_events_mvm(&c, lm, a, mask, s, scratch, st);
    } else
        scim_mvm_steps(lm, a, mask, s, scratch, st, steps[al->kernel], &c);
}
