/*
 * datapath.c - the MVM of one layer over its output positions and input bit-planes:
 * each step's kernel window gathered into a packed vector and read by the chosen kernel
 * (datapath_kernel.c, or an analog one), the rows dropped by input dropout counted, and
 * the layers taking a faster path handed to it (the channel-minor reads, datapath_cm.c;
 * the integer path of a bit-serial first layer, datapath_int.c). The rest of the
 * datapath: datapath_internal.h.
 */
#include "datapath.h"

#include <string.h>

#include "datapath_internal.h"

/* ---- the MVM over positions and planes ---- */

/* Gather the kernel window at (oy, ox) of plane p into x, rows in (c, kh, kw) order. */
static void gather_patch(const struct scim_layer *L, const struct scim_act *a, int p, int oy,
                         int ox, uint64_t *x, int n_words)
{
    int k = L->kernel;
    uint64_t kmask = (k >= 64) ? ~0ull : (1ull << k) - 1;
    if (n_words == 1) /* no library call for the small windows of the first layers */
        x[0] = 0;
    else
        memset(x, 0, (size_t)n_words * sizeof(uint64_t));
    const uint64_t *rows = a->rows + (size_t)p * (size_t)a->c * (size_t)a->hp;
    int off = 0, y0 = oy * L->stride, x0 = ox * L->stride;
    for (int c = 0; c < a->c; c++)
        for (int kh = 0; kh < k; kh++, off += k) {
            uint64_t bits = (rows[(size_t)c * (size_t)a->hp + (size_t)(y0 + kh)] >> x0) & kmask;
            int wi = off >> 6, bi = off & 63;
            x[wi] |= bits << bi;
            if (bi + k > 64)
                x[wi + 1] |= bits >> (64 - bi);
        }
}

/* Wordlines and cells that stay off because their rows are dropped. */
static void count_dropped(const struct scim_layer_map *lm, const uint64_t *mask,
                          struct scim_mvm_stats *st, int *n_active)
{
    int kept = 0;
    for (int k = 0; k < lm->n_words; k++)
        kept += __builtin_popcountll(mask[k]);
    uint64_t off = (uint64_t)(lm->n_rows - kept) * (uint64_t)lm->positions * (uint64_t)lm->planes;
    st->wordlines_off += off * (uint64_t)lm->col_tiles;
    st->cells_off += off * (uint64_t)lm->layer->out_c;
    *n_active = kept;
}

void scim_mvm_steps(const struct scim_layer_map *lm, const struct scim_act *a, const uint64_t *mask,
                    int32_t *s, uint64_t *scratch, struct scim_mvm_stats *st, scim_step_fn fn,
                    void *ctx)
{
    const struct scim_layer *L = lm->layer;
    int n_active = lm->n_rows;
    scim_dp_choose_kernels();
    if (mask)
        count_dropped(lm, mask, st, &n_active);
    if (lm->cm && a->cm && !mask && fn == scim_mvm_digital_step) {
        scim_dp_mvm_steps_cm(lm, a, s, scratch, st);
        return;
    }
    memset(s, 0, (size_t)lm->positions * (size_t)L->out_c * sizeof(int32_t));
    struct scim_mvm_step step = {lm, NULL, NULL, lm->positions, 0, st, mask, n_active, 0};
    for (int pos = 0; pos < lm->positions; pos++) {
        step.s = s + pos;
        step.pos = pos;
        for (int p = 0; p < lm->planes; p++) {
            if (a->rows) {
                gather_patch(L, a, p, pos / L->out_w, pos % L->out_w, scratch, lm->n_words);
                step.x = scratch;
            } else {
                step.x = a->vec + (size_t)p * (size_t)lm->n_words;
            }
            step.shift = p;
            fn(&step, ctx);
        }
    }
}

void scim_mvm(const struct scim_layer_map *lm, const struct scim_act *a, const uint64_t *mask,
              int32_t *s, uint64_t *scratch, struct scim_mvm_stats *st)
{
    if (lm->int_path) {
        scim_dp_choose_kernels();
        if (mask) {
            int n_active;
            count_dropped(lm, mask, st, &n_active);
        }
        scim_dp_mvm_int(lm, a, mask, s, st);
        return;
    }
    scim_mvm_steps(lm, a, mask, s, scratch, st, scim_mvm_digital_step, NULL);
}
