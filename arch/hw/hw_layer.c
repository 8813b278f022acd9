/*
 * hw_layer.c - the blocks of one layer: the xbar block (wordline drivers,
 * crossbar arrays, column mux and ADC bank, adder-accumulators) and the
 * digital periphery (scale memory, multiplier, comparator, pooling).
 */
#include <stdlib.h>

#include "arch/image.h"
#include "hw_chip.h"

static struct scim_hw_ref ref(int mod, uint32_t item)
{
    struct scim_hw_ref r = {mod, item};
    return r;
}

/* The operation before `op` of module mod (none for the first). */
static struct scim_hw_ref prev(int mod, uint32_t op)
{
    return op ? ref(mod, op - 1) : ref(-1, 0);
}

/* Latch the dropout bits of pass k (the RNG then draws the next pass's). */
static void latch_bits(struct scim_hw_xbar *x, uint64_t k, uint32_t op, const struct scim_hw_host *h,
                       int *cause, struct scim_hw_ref *pred)
{
    scim_hw_get(x->chip, x->mod, x->bits, k, SCIM_HW_RNG, h, cause, pred);
    scim_hw_chan_free_upto(x->bits, k + 1, h, ref(x->mod, op));
}

void scim_hw_xbar_run(struct scim_hw_xbar *x, const struct scim_hw_host *h)
{
    struct scim_hw_chip *c = x->chip;
    const struct scim_hw_layer_cfg *lc = &c->lc[x->layer];
    const struct scim_layer *L = c->mp->layers[x->layer].layer;
    uint64_t items = (uint64_t)c->images * (uint64_t)c->passes;
    uint32_t op = 0;
    for (uint64_t k = 0; k < items; k++) {
        uint64_t base = k * lc->in_entries;
        for (uint64_t p = 0; p < lc->positions; p++, op++) {
            int cause = SCIM_HW_SELF;
            struct scim_hw_ref pred = prev(x->mod, op);
            if (p == 0 && x->cmd) {
                scim_hw_get(c, x->mod, x->cmd, k, SCIM_HW_CMD, h, &cause, &pred);
                scim_hw_chan_free_upto(x->cmd, k + 1, h, ref(x->mod, op));
            }
            if (p == 0 && x->bits)
                latch_bits(x, k, op, h, &cause, &pred);
            if (x->in)
                scim_hw_get(c, x->mod, x->in, base + scim_hw_need(L, p, lc->in_entries) - 1, SCIM_HW_INPUT,
                            h, &cause, &pred);
            scim_hw_room(c, x->mod, x->out, h, &cause, &pred);
            if (p == 0 && x->layer == 0 && k % (uint64_t)c->passes == 0) {
                c->image_start[k / (uint64_t)c->passes] = h->now(h->k);
                c->images_started++;
            }
            scim_hw_busy(c, x->mod, op, lc->xbar_cycles, cause, pred, h);
            scim_hw_chan_write(x->out, h, ref(x->mod, op));
            if (x->in)
                scim_hw_chan_free_upto(x->in, base + scim_hw_release(L, p, lc->positions, lc->in_entries),
                                       h, ref(x->mod, op));
        }
    }
}

/* The functional work of layer l for pass k, once its last output is done. */
static void compute(struct scim_hw_chip *c, int layer, uint64_t k)
{
    int img = (int)(k / (uint64_t)c->passes), t = (int)(k % (uint64_t)c->passes);
    scim_image_layer(c->func.ctx_of(c->func.user, img), t, layer);
}

/* The shortcut entry position p of pass k adds (from the source's skip buffer). */
static void skip_get(struct scim_hw_periph *pp, uint64_t k, uint64_t p, const struct scim_hw_host *h,
                     int *cause, struct scim_hw_ref *pred)
{
    struct scim_hw_chip *c = pp->chip;
    const struct scim_hw_layer_cfg *lc = &c->lc[pp->layer];
    const struct scim_layer *L = c->mp->layers[pp->layer].layer;
    const struct scim_layer *K = c->mp->layers[lc->skip_src].layer;
    scim_hw_get(c, pp->mod, pp->skip_in, k * lc->skip_entries + scim_hw_skip_need(L, K, p) - 1,
                SCIM_HW_INPUT, h, cause, pred);
}

void scim_hw_periph_run(struct scim_hw_periph *pp, const struct scim_hw_host *h)
{
    struct scim_hw_chip *c = pp->chip;
    const struct scim_hw_layer_cfg *lc = &c->lc[pp->layer];
    const struct scim_layer *L = c->mp->layers[pp->layer].layer;
    uint64_t items = (uint64_t)c->images * (uint64_t)c->passes;
    uint32_t op = 0;
    for (uint64_t k = 0; k < items; k++) {
        if (lc->scale_cycles) { /* the scale crossbar's row for this pass */
            scim_hw_busy(c, pp->mod, op, lc->scale_cycles, SCIM_HW_SELF, prev(pp->mod, op), h);
            op++;
        }
        for (uint64_t p = 0; p < lc->positions; p++, op++) {
            int cause = SCIM_HW_SELF;
            struct scim_hw_ref pred = prev(pp->mod, op);
            uint64_t e = k * lc->positions + p;
            scim_hw_get(c, pp->mod, pp->in, e, SCIM_HW_INPUT, h, &cause, &pred);
            scim_hw_chan_free_upto(pp->in, e + 1, h, ref(pp->mod, op));
            if (pp->skip_in)
                skip_get(pp, k, p, h, &cause, &pred);
            int out = scim_hw_emits(L, p);
            if (out)
                scim_hw_room(c, pp->mod, pp->out, h, &cause, &pred);
            if (out && pp->skip_out)
                scim_hw_room(c, pp->mod, pp->skip_out, h, &cause, &pred);
            scim_hw_busy(c, pp->mod, op, lc->digital_cycles, cause, pred, h);
            if (out)
                scim_hw_chan_write(pp->out, h, ref(pp->mod, op));
            if (out && pp->skip_out)
                scim_hw_chan_write(pp->skip_out, h, ref(pp->mod, op));
            if (pp->skip_in)
                scim_hw_chan_free_upto(pp->skip_in, k * lc->skip_entries +
                                       scim_hw_skip_release(L, c->mp->layers[lc->skip_src].layer, p,
                                                            lc->positions),
                                       h, ref(pp->mod, op));
        }
        compute(c, pp->layer, k);
    }
}
