/*
 * hw_mc.c - the Monte Carlo controller (issues the T passes of each image to
 * layer 0) and the averaging block (combines the T outputs of an image).
 *
 * With dropout.overlap_passes the controller issues pass t + 1 as soon as
 * layer 0 has taken pass t (passes, and images, flow through the layers as a
 * pipeline); without it, pass t + 1 starts after pass t has been averaged.
 */
#include "arch/image.h"
#include "hw_chip.h"

void scim_hw_ctl_run(struct scim_hw_mc *mc, const struct scim_hw_host *h)
{
    struct scim_hw_chip *c = mc->chip;
    uint32_t op = 0;
    for (int i = 0; i < c->images; i++) {
        c->func.ctx_start(c->func.user, i);
        for (int t = 0; t < c->passes; t++, op++) {
            int cause = SCIM_HW_SELF;
            struct scim_hw_ref pred = {op ? mc->mod_ctl : -1, op ? op - 1 : 0};
            uint64_t k = (uint64_t)i * (uint64_t)c->passes + (uint64_t)t;
            if (!c->overlap && k > 0)
                scim_hw_get(c, mc->mod_ctl, mc->done, k - 1, SCIM_HW_INPUT, h, &cause, &pred);
            scim_image_draw_pass(c->func.ctx_of(c->func.user, i), t);
            scim_hw_room(c, mc->mod_ctl, mc->tokens, h, &cause, &pred);
            scim_hw_busy(c, mc->mod_ctl, op, 0, cause, pred, h);
            struct scim_hw_ref me = {mc->mod_ctl, op};
            scim_hw_chan_write(mc->tokens, h, me);
        }
    }
}

/* The last layer's outputs of pass k are all in: average, and finish the image
 * after its last pass. */
static void pass_done(struct scim_hw_mc *mc, uint64_t k, uint32_t op, const struct scim_hw_host *h)
{
    struct scim_hw_chip *c = mc->chip;
    int img = (int)(k / (uint64_t)c->passes), t = (int)(k % (uint64_t)c->passes);
    scim_image_end_pass(c->func.ctx_of(c->func.user, img), t);
    c->pass_end[k] = h->now(h->k);
    if (t == c->passes - 1) {
        c->func.ctx_done(c->func.user, img);
        c->image_end[img] = h->now(h->k);
        c->end_cycle = h->now(h->k);
        c->images_done++;
        if (img == 0)
            c->tracing = 0;
    }
    struct scim_hw_ref me = {mc->mod_avg, op};
    scim_hw_chan_write(mc->done, h, me);
}

void scim_hw_avg_run(struct scim_hw_mc *mc, const struct scim_hw_host *h)
{
    struct scim_hw_chip *c = mc->chip;
    uint64_t items = (uint64_t)c->images * (uint64_t)c->passes;
    uint64_t per = c->lc[c->n_layers - 1].out_entries;
    for (uint64_t k = 0; k < items; k++) {
        int cause = SCIM_HW_SELF;
        struct scim_hw_ref pred = {k ? mc->mod_avg : -1, k ? (uint32_t)k - 1 : 0};
        scim_hw_get(c, mc->mod_avg, mc->logits, (k + 1) * per - 1, SCIM_HW_INPUT, h, &cause, &pred);
        struct scim_hw_ref me = {mc->mod_avg, (uint32_t)k};
        scim_hw_chan_free_upto(mc->logits, (k + 1) * per, h, me);
        scim_hw_busy(c, mc->mod_avg, (uint32_t)k, c->avg_cycles, cause, pred, h);
        pass_done(mc, k, (uint32_t)k, h);
    }
    h->stop(h->k);
}
