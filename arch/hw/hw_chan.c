/*
 * hw_chan.c - channels between hardware blocks (buffers, registers, FIFOs).
 */
#include "hw.h"

#include <stdlib.h>
#include <string.h>

#include "sim/base/error.h"

int scim_hw_chan_init(struct scim_hw_chan *ch, const char *name, uint64_t capacity)
{
    memset(ch, 0, sizeof(*ch));
    ch->name = name;
    ch->capacity = capacity ? capacity : 1;
    ch->avail = calloc(ch->capacity, sizeof(*ch->avail));
    ch->by = calloc(ch->capacity, sizeof(*ch->by));
    ch->freed_by.mod = -1;
    ch->sig_fill = -1;
    return ch->avail && ch->by ? 0 : SCIM_ENOMEM;
}

void scim_hw_chan_free(struct scim_hw_chan *ch)
{
    free(ch->avail);
    free(ch->by);
    memset(ch, 0, sizeof(*ch));
}

/* Wait (by whole cycles) until cycle `at`. */
static void wait_until(const struct scim_hw_host *h, uint64_t at)
{
    uint64_t now = h->now(h->k);
    if (at > now)
        h->wait_cycles(h->k, at - now);
}

int scim_hw_chan_wait_entry(struct scim_hw_chan *ch, uint64_t index, const struct scim_hw_host *h,
                            struct scim_hw_ref *pred)
{
    int waited = 0;
    while (ch->written <= index) {
        h->wait_event(h->k, ch->ev_write);
        waited = 1;
    }
    uint64_t at = ch->avail[index % ch->capacity];
    *pred = ch->by[index % ch->capacity];
    if (at > h->now(h->k)) {
        wait_until(h, at);
        waited = 1;
    }
    return waited ? SCIM_HW_INPUT : SCIM_HW_SELF;
}

/* Entries freed and visible at cycle now (frees of this cycle show next cycle). */
static uint64_t freed_visible(const struct scim_hw_chan *ch, uint64_t now)
{
    return now > ch->free_cycle ? ch->freed : ch->freed_old;
}

int scim_hw_chan_wait_room(struct scim_hw_chan *ch, const struct scim_hw_host *h,
                           struct scim_hw_ref *pred)
{
    int waited = 0;
    while (ch->written - ch->freed >= ch->capacity) {
        h->wait_event(h->k, ch->ev_free);
        waited = 1;
    }
    if (ch->written - freed_visible(ch, h->now(h->k)) >= ch->capacity) {
        wait_until(h, ch->free_cycle + 1);
        waited = 1;
    }
    *pred = ch->freed_by;
    return waited ? SCIM_HW_OUTPUT : SCIM_HW_SELF;
}

void scim_hw_chan_write(struct scim_hw_chan *ch, const struct scim_hw_host *h,
                        struct scim_hw_ref by)
{
    if (ch->written - ch->freed >= ch->capacity)
        abort(); /* a block wrote without room: a simulator bug */
    uint64_t i = ch->written % ch->capacity;
    ch->avail[i] = h->now(h->k) + 1;
    ch->by[i] = by;
    ch->written++;
    if (ch->written - ch->freed > ch->max_fill)
        ch->max_fill = ch->written - ch->freed;
    h->trace(h->k, ch->sig_fill, (int64_t)(ch->written - ch->freed));
    h->notify(h->k, ch->ev_write);
}

void scim_hw_chan_free_upto(struct scim_hw_chan *ch, uint64_t upto, const struct scim_hw_host *h,
                            struct scim_hw_ref by)
{
    if (upto > ch->written)
        abort(); /* freeing entries never written: a simulator bug */
    if (upto <= ch->freed)
        return;
    uint64_t now = h->now(h->k);
    if (now > ch->free_cycle)
        ch->freed_old = ch->freed;
    ch->free_cycle = now;
    ch->freed = upto;
    ch->freed_by = by;
    h->trace(h->k, ch->sig_fill, (int64_t)(ch->written - ch->freed));
    h->notify(h->k, ch->ev_free);
}
