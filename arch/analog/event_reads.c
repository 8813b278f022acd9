/*
 * event_reads.c - the EVENTS kernel (read noise on nominal cells): every read's
 * exact count by the digital kernel (or the integer path), then only the events among
 * them, found by geometric gaps and read from their class's alias table, corrected in
 * the sums. Also what other kernels share: the ADC's decision, the gaps between events
 * (LUT) and the correction of a read's count (CELLS).
 */
#include "internal.h"

#include <string.h>

#include "sim/base/rng.h"

uint32_t scim_adc_decide(double x, uint32_t len, uint32_t max_code, int *clipped)
{
    return adc_decide(x, len, max_code, clipped);
}

/* Reads before the next event. */
uint64_t scim__analog_event_gap(struct scim__read_ctx *c)
{
    const struct scim_analog_layer *al = c->al;
    if (al->kernel != SCIM_READ_EVENTS)
        return scim_rng_geometric(&c->rng, al->log1m_p0);
    return al->geom ? scim_geom_draw(al->geom, &c->ev)
                    : scim_rng_batch_geometric(&c->ev, al->log1m_p0);
}

void scim__analog_next_event(struct scim__read_ctx *c, uint64_t after)
{
    uint64_t k = scim__analog_event_gap(c);
    c->next = k >= UINT64_MAX - after ? UINT64_MAX : after + 1 + k;
}

/* Replace the exact count m of a read (already in the sums) by the decision on x. */
void scim__analog_correct(const struct scim_mvm_step *sp, int j, double x, uint32_t m, uint32_t len)
{
    uint32_t mc = sp->lm->max_code;
    int clipped;
    uint32_t code = adc_decide(x, len, mc, &clipped), exact = m > mc ? mc : m;
    sp->st->clips += (uint64_t)clipped - (uint64_t)(m > mc);
    if (code == exact)
        return;
    sp->st->misreads++;
    sp->s[(size_t)j * (size_t)sp->stride] +=
        2 * ((int32_t)code - (int32_t)exact) * (1 << sp->shift);
}

/* The value of an event read of count m over len cells: its nearest count from the
 * class's alias table with one uniform, or m + s Z with Z from the tail. */
static double event_value(struct scim__read_ctx *c, uint32_t m, uint32_t len)
{
    const struct scim_analog_layer *al = c->al;
    if (!al->ev) {
        struct scim_rand rnd = scim_rng_batch_rand(&c->ev);
        return m + scim__analog_nominal_noise(c->an, (int)m, (int)len) *
                       scim_rand_normal_tail(&rnd, al->z0);
    }
    size_t ci = (size_t)len * (len + 1) / 2 + m, at = al->ev_at[ci];
    uint32_t k = al->ev_at[ci + 1] - (uint32_t)at;
    double v = scim_rng_batch_uniform(&c->ev) * k;
    uint32_t i = (uint32_t)v;
    const struct scim_ev_entry *e = &al->ev[at + (i < k ? i : k - 1)];
    return (double)(v - i < e->prob ? e->n : e->alias);
}

/* EVENTS: the digital reads, then the events among them (analog.h). */
__attribute__((target_clones("popcnt", "default"))) static void
events_step(const struct scim_mvm_step *sp, void *vc)
{
    struct scim__read_ctx *c = vc;
    const struct scim_layer_map *lm = sp->lm;
    uint64_t C = (uint64_t)lm->layer->out_c, base = step_base(sp);
    uint64_t end = base + (uint64_t)lm->n_chunks * C;
    scim_mvm_digital_step(sp, NULL);
    while (c->next < end) {
        uint64_t r = c->next - base;
        int j = (int)(r % C);
        uint32_t len, m = read_matches(lm, &lm->chunks[r / C], j, sp->x, sp->mask, &len);
        scim__analog_correct(sp, j, event_value(c, m, len), m, len);
        scim__analog_next_event(c, c->next);
    }
}

/* An integer-path layer's (datapath_int.c) inputs at one position as the digital kernel packs
 * them: bit i of plane p's words is bit p of row i's pixel, win + al->pix_off[i]; the bytes
 * of 8 rows go to 8 planes by one multiply each (carry-free). */
static void pack_window(const struct scim_analog_layer *al, const struct scim_layer_map *lm,
                        const struct scim_act *a, int pos, uint64_t *x, uint8_t *bytes)
{
    const struct scim_layer *L = lm->layer;
    const uint8_t *win = a->pix;
    if (L->kind == SCIM_LAYER_CONV)
        win += (size_t)(pos / L->out_w * L->stride) * (size_t)a->wp +
               (size_t)(pos % L->out_w * L->stride);
    size_t n = (size_t)lm->n_rows, nw = (size_t)lm->n_words;
    size_t groups = (n + 7) / 8;
    for (size_t i = 0; i < n; i++)
        bytes[i] = win[al->pix_off[i]];
    memset(bytes + n, 0, groups * 8 - n);
    memset(x, 0, (size_t)lm->planes * nw * sizeof(uint64_t));
    for (size_t g = 0; g < groups; g++) {
        uint64_t v;
        memcpy(&v, bytes + 8 * g, 8); /* rows 8g .. 8g + 7, little-endian */
        for (int p = 0; p < lm->planes; p++)
            x[(size_t)p * nw + g / 8] |=
                (((v >> p) & 0x0101010101010101ull) * 0x0102040810204080ull >> 56) << (8 * (g % 8));
    }
}

/* EVENTS on an integer-path layer: the integer sums, then every event of the layer, its
 * count from the position's packed inputs (packed once per position with an event). */
__attribute__((target_clones("popcnt", "default"))) static void
events_int(struct scim__read_ctx *c, const struct scim_layer_map *lm, const struct scim_act *a,
           const uint64_t *mask, int32_t *s, struct scim_mvm_stats *st)
{
    uint64_t C = (uint64_t)lm->layer->out_c, per_step = (uint64_t)lm->n_chunks * C;
    uint64_t end = per_step * (uint64_t)lm->positions * (uint64_t)lm->planes;
    size_t nw = (size_t)lm->n_words;
    int packed = -1;
    while (c->next < end) {
        uint64_t step = c->next / per_step, r = c->next % per_step;
        int pos = (int)(step / (uint64_t)lm->planes), plane = (int)(step % (uint64_t)lm->planes);
        if (pos != packed)
            pack_window(c->al, lm, a, packed = pos, c->win, c->bytes);
        struct scim_mvm_step sp = {lm, NULL, s + pos, lm->positions, plane, st, mask, 0, pos};
        uint32_t len, m = read_matches(lm, &lm->chunks[r / C], (int)(r % C),
                                       c->win + (size_t)plane * nw, mask, &len);
        scim__analog_correct(&sp, (int)(r % C), event_value(c, m, len), m, len);
        scim__analog_next_event(c, c->next);
    }
}

/* EVENTS: one MVM, its reads step by step, or on an integer-path layer the integer sums,
 * then every event of the layer. */
void scim__analog_events_mvm(struct scim__read_ctx *c, const struct scim_layer_map *lm,
                            const struct scim_act *a, const uint64_t *mask, int32_t *s,
                            uint64_t *scratch, struct scim_mvm_stats *st)
{
    if (lm->int_path) {
        scim_mvm(lm, a, mask, s, scratch, st);
        events_int(c, lm, a, mask, s, st);
    } else
        scim_mvm_steps(lm, a, mask, s, scratch, st, events_step, c);
}
