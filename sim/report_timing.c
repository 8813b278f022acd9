/*
 * report_timing.c - the SystemC engine's timing in the reports: latency and
 * throughput from the simulation, the per-block utilization table and the
 * critical path (console), and report.json's "timing" section.
 */
#include <stdio.h>

#include "arch/ledger.h"
#include "report.h"
#include "sim/systemc/timing.h"
#include "sim/base/units.h"

static const char *const cause_key[SCIM_HW_CAUSES] = {"self", "input", "output", "rng", "controller"};

void scim_report_use_timing(struct scim_report *r, const struct scim_timing *tm)
{
    double sim_s = (double)(tm->end_cycle + 1) / tm->clock_hz;
    r->timing = tm;
    r->latency_s = tm->mean_latency / tm->clock_hz;
    r->throughput = tm->throughput;
    r->energy_static = r->cfg->energy.include_static ? r->static_power_w * sim_s / tm->images : 0.0;
    r->energy_per_image = r->energy_dynamic + r->energy_static;
    r->tops_per_w = r->energy_per_image > 0 ? r->ops_per_image / r->energy_per_image / 1e12 : 0.0;
}

/* Waiting cycles of a block: stalled (output, RNG) and idle (input, controller). */
static uint64_t stalled(const struct scim_hw_stats *st)
{
    return st->wait[SCIM_HW_OUTPUT] + st->wait[SCIM_HW_RNG];
}

static uint64_t idle(const struct scim_hw_stats *st, uint64_t total)
{
    uint64_t used = st->busy + stalled(st);
    return total > used ? total - used : 0;
}

static void print_blocks(const struct scim_timing *tm, FILE *f)
{
    uint64_t total = tm->end_cycle + 1;
    fprintf(f, "  %-22s %12s %7s %12s %12s %12s\n", "block", "busy cycles", "util", "stalled",
            "  (on RNG)", "idle");
    for (int i = 0; i < tm->n_mods; i++) {
        const struct scim_hw_stats *st = &tm->mods[i].st;
        fprintf(f, "  %-22s %12llu %6.1f%% %12llu %12llu %12llu\n", tm->mods[i].name,
                (unsigned long long)st->busy, 100.0 * (double)st->busy / (double)total,
                (unsigned long long)stalled(st), (unsigned long long)st->wait[SCIM_HW_RNG],
                (unsigned long long)idle(st, total));
    }
}

static void print_path(const struct scim_timing *tm, FILE *f)
{
    fprintf(f, "  critical path of image 0 (%llu cycles):",
            (unsigned long long)tm->first_latency);
    for (int i = 0; i < tm->n_path; i++)
        fprintf(f, "%s %s %.1f%%", i ? "," : "", tm->mods[tm->path[i].mod].name,
                100.0 * (double)tm->path[i].cycles / (double)tm->first_latency);
    fputc('\n', f);
}

void scim_report_print_timing(const struct scim_report *r, FILE *f)
{
    const struct scim_timing *tm = r->timing;
    char a[32], b[32], c[32];
    fprintf(f, "  latency/image %s  (%.0f cycles at %s, cycle-level SystemC simulation of %d "
               "image%s; first-order estimate %s)\n",
            scim_unit_format(r->latency_s, SCIM_DIM_TIME, 4, a, sizeof(a)), tm->mean_latency,
            scim_unit_format(tm->clock_hz, SCIM_DIM_FREQ, 4, b, sizeof(b)), tm->images,
            tm->images == 1 ? "" : "s", scim_unit_format(r->lat.image_s, SCIM_DIM_TIME, 4, c, sizeof(c)));
    fprintf(f, "  per pass      %s first pass, %s between passes; %s between images (steady state)\n",
            scim_unit_format((double)tm->first_pass / tm->clock_hz, SCIM_DIM_TIME, 4, a, sizeof(a)),
            scim_unit_format(tm->pass_interval / tm->clock_hz, SCIM_DIM_TIME, 4, b, sizeof(b)),
            scim_unit_format(tm->interval / tm->clock_hz, SCIM_DIM_TIME, 4, c, sizeof(c)));
    print_blocks(tm, f);
    print_path(tm, f);
}

static void json_stats(FILE *f, const struct scim_hw_stats *st, uint64_t total)
{
    fprintf(f, "\"busy_cycles\": %llu, \"utilization\": %.17g, \"stalled_cycles\": %llu, "
               "\"idle_cycles\": %llu, \"operations\": %llu, \"wait_cycles\": {",
            (unsigned long long)st->busy, (double)st->busy / (double)total,
            (unsigned long long)stalled(st), (unsigned long long)idle(st, total),
            (unsigned long long)st->items);
    for (int k = 1; k < SCIM_HW_CAUSES; k++)
        fprintf(f, "%s\"%s\": %llu", k > 1 ? ", " : "", cause_key[k],
                (unsigned long long)st->wait[k]);
    fputs("}", f);
}

static void json_layer(FILE *f, const struct scim_timing *tm, int l)
{
    const struct scim_hw_layer_cfg *lc = &tm->lc[l];
    fprintf(f, "      {\"layer\": %d, \"xbar_cycles_per_position\": %llu, "
               "\"periphery_cycles_per_position\": %llu, \"positions\": %llu, "
               "\"buffer_entries\": %llu, \"buffer_max_entries\": %llu}",
            l, (unsigned long long)lc->xbar_cycles, (unsigned long long)lc->digital_cycles,
            (unsigned long long)lc->positions, (unsigned long long)tm->buffer_cap[l],
            (unsigned long long)tm->buffer_max[l]);
}

void scim_report_json_timing(const struct scim_report *r, FILE *f)
{
    const struct scim_timing *tm = r->timing;
    uint64_t total = tm->end_cycle + 1;
    fprintf(f, "  \"timing\": {\n    \"kernel\": \"SystemC %s\",\n    \"images\": %d,\n"
               "    \"simulated_cycles\": %llu,\n    \"first_image_latency_cycles\": %llu,\n"
               "    \"mean_image_latency_cycles\": %.17g,\n    \"image_interval_cycles\": %.17g,\n"
               "    \"first_pass_cycles\": %llu,\n    \"pass_interval_cycles\": %.17g,\n",
            tm->kernel, tm->images, (unsigned long long)total,
            (unsigned long long)tm->first_latency, tm->mean_latency, tm->interval,
            (unsigned long long)tm->first_pass, tm->pass_interval);
    fputs("    \"blocks\": [\n", f);
    for (int i = 0; i < tm->n_mods; i++) {
        fprintf(f, "      {\"name\": \"%s\", \"layer\": %d, ", tm->mods[i].name, tm->mods[i].layer);
        json_stats(f, &tm->mods[i].st, total);
        fputs(i + 1 < tm->n_mods ? "},\n" : "}\n", f);
    }
    fputs("    ],\n    \"layers\": [\n", f);
    for (int l = 0; l < tm->n_layers; l++) {
        json_layer(f, tm, l);
        fputs(l + 1 < tm->n_layers ? ",\n" : "\n", f);
    }
    fputs("    ],\n    \"critical_path\": [", f);
    for (int i = 0; i < tm->n_path; i++)
        fprintf(f, "%s{\"block\": \"%s\", \"cycles\": %llu, \"operations\": %u}", i ? ", " : "",
                tm->mods[tm->path[i].mod].name, (unsigned long long)tm->path[i].cycles,
                tm->path[i].ops);
    fputs("]\n  },\n", f);
}
