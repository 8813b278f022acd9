/*
 * hw_chip.c - elaboration of the chip's netlist from the config and the
 * mapping, the blocks' shared wait/busy accounting, and the critical path.
 */
#include "hw_chip.h"

#include <stdlib.h>
#include <string.h>

#include "arch/dropout.h"
#include "sim/base/error.h"
#include "arch/ledger.h"
#include "arch/neuron.h"

/* Input entries (from the start of the pass) output position p needs: a conv
 * window reaches down to row oy*s - pad + K - 1 and right to column
 * ox*s - pad + K - 1 of the input, entries arrive in raster order. */
uint64_t scim_hw_need(const struct scim_layer *L, uint64_t p, uint64_t in_entries)
{
    if (L->kind != SCIM_LAYER_CONV)
        return in_entries;
    int oy = (int)(p / (uint64_t)L->out_w), ox = (int)(p % (uint64_t)L->out_w);
    int y = oy * L->stride - L->padding + L->kernel - 1;
    int x = ox * L->stride - L->padding + L->kernel - 1;
    y = y < L->in_h - 1 ? y : L->in_h - 1;
    x = x < L->in_w - 1 ? x : L->in_w - 1;
    return (uint64_t)y * (uint64_t)L->in_w + (uint64_t)x + 1;
}

/* Input entries no position after p needs (a line buffer frees whole rows). */
uint64_t scim_hw_release(const struct scim_layer *L, uint64_t p, uint64_t positions,
                         uint64_t in_entries)
{
    if (L->kind != SCIM_LAYER_CONV || p + 1 >= positions)
        return in_entries;
    int oy = (int)((p + 1) / (uint64_t)L->out_w);
    int y = oy * L->stride - L->padding;
    return y > 0 ? (uint64_t)y * (uint64_t)L->in_w : 0;
}

/* Does MVM position p complete a pooled output? */
int scim_hw_emits(const struct scim_layer *L, uint64_t p)
{
    if (L->kind != SCIM_LAYER_CONV || L->pool == SCIM_POOL_NONE)
        return 1;
    int oy = (int)(p / (uint64_t)L->out_w), ox = (int)(p % (uint64_t)L->out_w), ps = L->pool_size;
    return oy % ps == ps - 1 && ox % ps == ps - 1 && oy / ps < L->pooled_h && ox / ps < L->pooled_w;
}

/* Output grid of layer K as entries: pooled positions (1 for a linear layer). */
static void grid(const struct scim_layer *K, int *h, int *w)
{
    *h = K->kind == SCIM_LAYER_CONV ? K->pooled_h : 1;
    *w = K->kind == SCIM_LAYER_CONV ? K->pooled_w : 1;
}

uint64_t scim_hw_skip_need(const struct scim_layer *L, const struct scim_layer *K, uint64_t p)
{
    int h, w;
    grid(K, &h, &w);
    if (L->kind != SCIM_LAYER_CONV)
        return (uint64_t)h * (uint64_t)w;
    int st = h / L->out_h, oy = (int)(p / (uint64_t)L->out_w), ox = (int)(p % (uint64_t)L->out_w);
    return (uint64_t)(oy * st) * (uint64_t)w + (uint64_t)(ox * st) + 1;
}

uint64_t scim_hw_skip_release(const struct scim_layer *L, const struct scim_layer *K, uint64_t p,
                              uint64_t positions)
{
    int h, w;
    grid(K, &h, &w);
    if (L->kind != SCIM_LAYER_CONV || p + 1 >= positions)
        return (uint64_t)h * (uint64_t)w;
    int st = h / L->out_h, oy = (int)((p + 1) / (uint64_t)L->out_w);
    return (uint64_t)(oy * st) * (uint64_t)w;
}

/* Random bits one pass of layer L draws (engine.c's draw order). */
static uint64_t rng_bits(const struct scim_model *m, const struct scim_layer *L)
{
    if (m->method_id == SCIM_METHOD_SPINDROP)
        return (uint64_t)L->fan_in;
    if (m->method_id == SCIM_METHOD_SPATIAL_SPINDROP)
        return (uint64_t)L->in_c;
    if (L->n_scale_samples) {
        uint64_t n = 0;
        for (int b = 1; b < L->n_scale_samples; b <<= 1)
            n++;
        return n;
    }
    return L->norm_layer ? 2 : 1;
}

/* Entries layer l's input buffer must hold at once: the most the window needs
 * beyond what earlier positions let go. */
static uint64_t window_entries(const struct scim_layer *L, const struct scim_hw_layer_cfg *lc)
{
    uint64_t most = 0, freed = 0;
    for (uint64_t p = 0; p < lc->positions; p++) {
        uint64_t held = scim_hw_need(L, p, lc->in_entries) - freed;
        most = held > most ? held : most;
        freed = scim_hw_release(L, p, lc->positions, lc->in_entries);
    }
    return most;
}

static void layer_timing(struct scim_hw_chip *c, const struct scim_config *cfg, int l)
{
    const struct scim_layer_map *lm = &c->mp->layers[l];
    const struct scim_layer *L = lm->layer;
    struct scim_hw_layer_cfg *lc = &c->lc[l];
    struct scim_layer_cycles cy;
    scim_layer_cycles(cfg, lm, &cy);
    lc->read_cycles = cy.read, lc->conv_cycles = cy.conv, lc->cols_per_adc = cy.cols_per_adc;
    lc->reads = cy.reads, lc->xbar_cycles = cy.xbar, lc->digital_cycles = cy.digital;
    lc->scale_cycles = cy.scale;
    lc->positions = (uint64_t)lm->positions;
    lc->out_entries = L->kind == SCIM_LAYER_CONV ? (uint64_t)L->pooled_h * (uint64_t)L->pooled_w : 1;
    lc->in_entries = l ? c->lc[l - 1].out_entries : 0;
    lc->rng = -1;
    lc->skip_src = L->residual;
}

/* Input buffer of layer l >= 1: entries of the producer's channel count in bits. */
static int layer_buffer(struct scim_hw_chip *c, const struct scim_config *cfg, int l,
                        struct scim_diag *d)
{
    struct scim_hw_layer_cfg *lc = &c->lc[l];
    const struct scim_layer *L = c->mp->layers[l].layer;
    uint64_t entry_bits = (uint64_t)c->mp->layers[l - 1].layer->out_c;
    uint64_t bits = (uint64_t)cfg->buffer.depth_words * (uint64_t)cfg->buffer.word_bits;
    uint64_t needed = window_entries(L, lc);
    lc->buffer_entries = bits / entry_bits;
    if (lc->buffer_entries < needed)
        return scim_diag_file_error(d, cfg->path ? cfg->path : "config", SCIM_EINVAL,
                               "layer '%s': its input buffer holds %llu entries of %llu bits "
                               "(buffer.depth x buffer.word_bits = %llu bits) but its window "
                               "needs %llu at once; raise buffer.depth to at least %llu words",
                               L->name, (unsigned long long)lc->buffer_entries,
                               (unsigned long long)entry_bits, (unsigned long long)bits,
                               (unsigned long long)needed,
                               (unsigned long long)((needed * entry_bits + (uint64_t)cfg->buffer.word_bits - 1) /
                                                    (uint64_t)cfg->buffer.word_bits));
    return 0;
}

static struct scim_hw_chan *new_chan(struct scim_hw_chip *c, const char *name, uint64_t capacity)
{
    struct scim_hw_chan *ch = &c->chans[c->n_chans++];
    if (scim_hw_chan_init(ch, name, capacity) < 0)
        return NULL;
    ch->ev_write = c->n_events++;
    ch->ev_free = c->n_events++;
    return ch;
}

static int new_mod(struct scim_hw_chip *c, const char *kind, int layer)
{
    struct scim_hw_module *md = &c->mods[c->n_mods];
    if (layer >= 0)
        snprintf(md->name, sizeof(md->name), "%s %s", kind, c->mp->layers[layer].layer->name);
    else
        snprintf(md->name, sizeof(md->name), "%s", kind);
    md->layer = layer;
    md->sig_busy = -1;
    return c->n_mods++;
}

/* RNG banks: one shared module, or a bank per stochastic layer (one module per
 * row or channel for SpinDrop / Spatial-SpinDrop). */
static int build_rng(struct scim_hw_chip *c, const struct scim_config *cfg,
                     const struct scim_model *m)
{
    int total = scim_rng_modules(cfg, m), stoch = 0;
    if (!total)
        return 0;
    uint64_t bit = scim_cycles_of(cfg->dropout.rng.ops->rng->bit_latency_s(cfg->dropout.rng.params),
                                  cfg->chip.clock_hz);
    for (int l = 0; l < c->n_layers; l++)
        stoch += scim_layer_stochastic(&m->layers[l]);
    int shared = total == 1;
    c->n_rng = shared ? 1 : stoch;
    c->rng = calloc((size_t)c->n_rng, sizeof(*c->rng));
    if (!c->rng)
        return SCIM_ENOMEM;
    for (int b = 0; b < c->n_rng; b++) {
        c->rng[b].layers = calloc((size_t)c->n_layers, sizeof(int));
        c->rng[b].served = calloc((size_t)c->n_layers, sizeof(uint64_t));
        if (!c->rng[b].layers || !c->rng[b].served)
            return SCIM_ENOMEM;
        c->rng[b].chip = c;
        c->rng[b].ev_request = c->n_events++;
    }
    for (int l = 0, b = 0; l < c->n_layers; l++) {
        const struct scim_layer *L = &m->layers[l];
        if (!scim_layer_stochastic(L))
            continue;
        struct scim_hw_rng *r = &c->rng[shared ? 0 : b++];
        uint64_t mods = shared ? 1 : (uint64_t)scim_layer_modules(m, L);
        r->layers[r->n_layers++] = l;
        c->lc[l].rng = (int)(r - c->rng);
        c->lc[l].rng_cycles = (rng_bits(m, L) + mods - 1) / mods * bit;
        c->xbar[l].bits = new_chan(c, "dropout bits", 1);
        if (!c->xbar[l].bits)
            return SCIM_ENOMEM;
        c->xbar[l].bits->ev_free = r->ev_request;
    }
    for (int b = 0; b < c->n_rng; b++)
        c->rng[b].mod = new_mod(c, shared ? "rng" : "rng bank",
                                shared ? -1 : c->rng[b].layers[0]);
    return 0;
}

/* Blocks of each layer and the channels between them. */
static int build_layers(struct scim_hw_chip *c)
{
    for (int l = 0; l < c->n_layers; l++) {
        struct scim_hw_xbar *x = &c->xbar[l];
        struct scim_hw_periph *p = &c->periph[l];
        x->chip = p->chip = c;
        x->layer = p->layer = l;
        x->mod = new_mod(c, "xbar", l);
        p->mod = new_mod(c, "periph", l);
        /* The accumulators and their output latch: the next position accumulates
         * while the periphery takes the last one. */
        x->out = p->in = new_chan(c, "accumulators", 2);
        if (!x->out)
            return SCIM_ENOMEM;
        if (l > 0 && !(x->in = c->periph[l - 1].out = new_chan(c, "buffer", c->lc[l].buffer_entries)))
            return SCIM_ENOMEM;
    }
    for (int l = 0; l < c->n_layers; l++) {
        int k = c->lc[l].skip_src;
        if (k < 0)
            continue;
        /* The skip buffer holds one pass of the source's outputs (as the ledger counts it). */
        c->lc[l].skip_entries = c->lc[k].out_entries;
        if (c->periph[k].skip_out)
            return SCIM_EINVAL; /* one layer adding each source: checked at init */
        c->periph[k].skip_out = c->periph[l].skip_in = new_chan(c, "skip buffer", c->lc[l].skip_entries);
        if (!c->periph[l].skip_in)
            return SCIM_ENOMEM;
    }
    uint64_t last = c->lc[c->n_layers - 1].out_entries;
    c->mc.chip = c;
    c->mc.tokens = c->xbar[0].cmd = new_chan(c, "pass tokens", 1);
    c->mc.logits = c->periph[c->n_layers - 1].out = new_chan(c, "logits", last);
    c->mc.done = new_chan(c, "averaged", (uint64_t)c->images * (uint64_t)c->passes);
    c->mc.mod_ctl = new_mod(c, "mc controller", -1);
    c->mc.mod_avg = new_mod(c, "averaging", -1);
    return c->mc.tokens && c->mc.logits && c->mc.done ? 0 : SCIM_ENOMEM;
}

static int alloc_chip(struct scim_hw_chip *c)
{
    int L = c->n_layers;
    c->lc = calloc((size_t)L, sizeof(*c->lc));
    c->xbar = calloc((size_t)L, sizeof(*c->xbar));
    c->periph = calloc((size_t)L, sizeof(*c->periph));
    c->chans = calloc((size_t)(5 * L + 4), sizeof(*c->chans));
    c->mods = calloc((size_t)(3 * L + 3), sizeof(*c->mods));
    c->image_start = calloc((size_t)c->images, sizeof(uint64_t));
    c->image_end = calloc((size_t)c->images, sizeof(uint64_t));
    c->pass_end = calloc((size_t)c->images * (size_t)c->passes, sizeof(uint64_t));
    return c->lc && c->xbar && c->periph && c->chans && c->mods && c->image_start &&
                   c->image_end && c->pass_end
               ? 0
               : SCIM_ENOMEM;
}

int scim_hw_chip_init(struct scim_hw_chip *c, const struct scim_config *cfg,
                      const struct scim_model *m, const struct scim_mapping *mp, int passes,
                      int images, const struct scim_hw_func *func, struct scim_diag *d)
{
    memset(c, 0, sizeof(*c));
    c->cfg = cfg, c->mp = mp, c->n_layers = mp->n_layers, c->passes = passes;
    c->images = images > 0 ? images : 1;
    c->overlap = cfg->dropout.overlap_passes;
    c->avg_cycles = passes > 1 ? 1 : 0;
    c->clock_hz = cfg->chip.clock_hz;
    c->func = *func;
    c->tracing = 1;
    if (alloc_chip(c) < 0)
        return SCIM_ENOMEM;
    for (int l = 0; l < c->n_layers; l++) {
        layer_timing(c, cfg, l);
        if (l > 0 && layer_buffer(c, cfg, l, d) < 0)
            return SCIM_EINVAL;
        for (int j = 0; j < l; j++)
            if (c->lc[l].skip_src >= 0 && c->lc[j].skip_src == c->lc[l].skip_src)
                return scim_diag_file_error(d, m->manifest_path, SCIM_EINVAL,
                                            "layers '%s' and '%s' add the same shortcut '%s'; the "
                                            "cycle-level engine has one skip buffer per source",
                                            m->layers[j].name, m->layers[l].name,
                                            m->layers[c->lc[l].skip_src].name);
    }
    int rc = build_layers(c);
    return rc < 0 ? rc : build_rng(c, cfg, m);
}

void scim_hw_chip_free(struct scim_hw_chip *c)
{
    for (int i = 0; c->chans && i < c->n_chans; i++)
        scim_hw_chan_free(&c->chans[i]);
    for (int i = 0; c->mods && i < c->n_mods; i++)
        free(c->mods[i].rec);
    for (int b = 0; c->rng && b < c->n_rng; b++) {
        free(c->rng[b].layers);
        free(c->rng[b].served);
    }
    free(c->rng);
    free(c->lc);
    free(c->xbar);
    free(c->periph);
    free(c->chans);
    free(c->mods);
    free(c->image_start);
    free(c->image_end);
    free(c->pass_end);
    memset(c, 0, sizeof(*c));
}

void scim_hw_get(struct scim_hw_chip *c, int mod, struct scim_hw_chan *ch, uint64_t index,
                 int kind, const struct scim_hw_host *h, int *cause, struct scim_hw_ref *pred)
{
    uint64_t t0 = h->now(h->k);
    struct scim_hw_ref by;
    if (scim_hw_chan_wait_entry(ch, index, h, &by) != SCIM_HW_SELF) {
        c->mods[mod].st.wait[kind] += h->now(h->k) - t0;
        *cause = kind;
        *pred = by;
    }
}

void scim_hw_room(struct scim_hw_chip *c, int mod, struct scim_hw_chan *ch,
                  const struct scim_hw_host *h, int *cause, struct scim_hw_ref *pred)
{
    uint64_t t0 = h->now(h->k);
    struct scim_hw_ref by;
    if (scim_hw_chan_wait_room(ch, h, &by) != SCIM_HW_SELF) {
        c->mods[mod].st.wait[SCIM_HW_OUTPUT] += h->now(h->k) - t0;
        *cause = SCIM_HW_OUTPUT;
        *pred = by;
    }
}

static int record(struct scim_hw_module *md, uint32_t item, const struct scim_hw_rec *r)
{
    if (item != md->n_rec)
        return 0; /* only a contiguous prefix of operations is kept */
    if (md->n_rec == md->cap_rec) {
        uint32_t cap = md->cap_rec ? 2 * md->cap_rec : 256;
        struct scim_hw_rec *p = realloc(md->rec, cap * sizeof(*p));
        if (!p)
            return SCIM_ENOMEM;
        md->rec = p, md->cap_rec = cap;
    }
    md->rec[md->n_rec++] = *r;
    return 0;
}

void scim_hw_busy(struct scim_hw_chip *c, int mod, uint32_t item, uint64_t n, int cause,
                  struct scim_hw_ref pred, const struct scim_hw_host *h)
{
    struct scim_hw_module *md = &c->mods[mod];
    uint64_t t = h->now(h->k);
    if (c->tracing) {
        struct scim_hw_rec r = {t, t + n, (uint8_t)cause, pred};
        if (record(md, item, &r) < 0)
            c->tracing = 0; /* out of memory: no critical path, the run goes on */
    }
    if (n) {
        h->trace(h->k, md->sig_busy, 1);
        h->wait_cycles(h->k, n);
        h->trace(h->k, md->sig_busy, 0);
    }
    md->st.busy += n;
    md->st.items++;
    c->ops++;
}

int scim_hw_critical_path(const struct scim_hw_chip *c, struct scim_hw_segment *seg, int max)
{
    int n = 0;
    struct scim_hw_ref at = {c->mc.mod_avg, (uint32_t)c->passes - 1};
    uint64_t later = 0;
    int *slot = malloc((size_t)c->n_mods * sizeof(int));
    if (!slot)
        return 0;
    for (int i = 0; i < c->n_mods; i++)
        slot[i] = -1;
    /* Walk back from image 0's last averaging; each operation on the path owns the
     * cycles from its start to the start of the next one on the path. */
    while (at.mod >= 0 && at.mod < c->n_mods && at.item < c->mods[at.mod].n_rec) {
        const struct scim_hw_rec *r = &c->mods[at.mod].rec[at.item];
        if (slot[at.mod] < 0 && n < max) {
            slot[at.mod] = n;
            seg[n].mod = at.mod, seg[n].cycles = 0, seg[n].ops = 0;
            n++;
        }
        if (slot[at.mod] >= 0) {
            seg[slot[at.mod]].cycles += (later ? later : r->end) - r->start;
            seg[slot[at.mod]].ops++;
        }
        later = r->start;
        at = r->pred;
    }
    if (n && later > c->image_start[0])
        seg[n - 1].cycles += later - c->image_start[0];
    free(slot);
    /* Found from the end: list the blocks in the order the path enters them. */
    for (int i = 0; i < n / 2; i++) {
        struct scim_hw_segment t = seg[i];
        seg[i] = seg[n - 1 - i];
        seg[n - 1 - i] = t;
    }
    return n;
}
