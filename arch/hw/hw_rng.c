/*
 * hw_rng.c - the RNG / dropout module(s) as a clocked block.
 *
 * A bank of stochastic-MTJ modules fills the dropout-bit register of each layer
 * it serves: SET pulse, sense, RESET (the device's bit latency, 15 ns for the
 * Spin-ScaleDrop module) per bit and module; a bank of n modules draws n bits
 * at once. As soon as a layer latches its bits for a pass, the bank draws the
 * next pass's. One bank shared by all layers (the single Spin-ScaleDrop
 * module) serves the layers whose registers are empty in the order they
 * emptied (the lower layer first on a tie): a layer waits for its dropout bit
 * while the module is busy with another layer's.
 */
#include "hw_chip.h"

/* Served layer whose register has room and has waited longest, or -1. */
static int pick(const struct scim_hw_rng *r, const uint64_t *served, uint64_t items)
{
    int best = -1;
    uint64_t best_t = 0;
    for (int i = 0; i < r->n_layers; i++) {
        const struct scim_hw_chan *ch = r->chip->xbar[r->layers[i]].bits;
        if (served[i] >= items || ch->written - ch->freed >= ch->capacity)
            continue;
        uint64_t t = ch->freed ? ch->free_cycle + 1 : 0;
        if (best < 0 || t < best_t)
            best = i, best_t = t;
    }
    return best;
}

void scim_hw_rng_run(struct scim_hw_rng *r, const struct scim_hw_host *h)
{
    struct scim_hw_chip *c = r->chip;
    uint64_t items = (uint64_t)c->images * (uint64_t)c->passes, left = items * (uint64_t)r->n_layers;
    uint64_t *served = r->served;
    uint32_t op = 0;
    while (left) {
        int cause = SCIM_HW_SELF;
        struct scim_hw_ref pred = {op ? r->mod : -1, op ? op - 1 : 0};
        int i;
        uint64_t t0 = h->now(h->k);
        while ((i = pick(r, served, items)) < 0)
            h->wait_event(h->k, r->ev_request);
        struct scim_hw_chan *ch = c->xbar[r->layers[i]].bits;
        struct scim_hw_ref freed_by;
        scim_hw_chan_wait_room(ch, h, &freed_by);
        if (h->now(h->k) > t0) {
            c->mods[r->mod].st.wait[SCIM_HW_INPUT] += h->now(h->k) - t0;
            cause = SCIM_HW_INPUT;
            pred = freed_by;
        }
        scim_hw_busy(c, r->mod, op, c->lc[r->layers[i]].rng_cycles, cause, pred, h);
        struct scim_hw_ref me = {r->mod, op++};
        scim_hw_chan_write(ch, h, me);
        served[i]++;
        left--;
    }
}
