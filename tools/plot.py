#!/usr/bin/python3
"""Draw the plots of a spincim sweep folder into DIR/plots/ (PNG and SVG).

    tools/plot.py DIR      (what `spincim plot DIR` runs, with /usr/bin/python3)

Reads DIR/results.csv (one row per run; the columns between `seed` and `engine` are
the sweep's axes), the runs' report.json and rng_curve.csv. Each figure is 800 x 500
pixels. A plot whose data the sweep lacks is skipped with the reason; the list of
plots and skips goes to DIR/plots/index.json (spincim report reads it).
"""
import argparse
import csv
import json
import math
import os
import re
import sys

try:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
except ImportError:
    sys.exit("spincim plot needs matplotlib for /usr/bin/python3 (Debian: apt-get install "
             "python3-matplotlib), or $SPINCIM_PYTHON naming a Python that has it")

WIDTH_IN, HEIGHT_IN, DPI = 8.0, 5.0, 100  # 800 x 500 pixels
MAX_LINES = 12
COMPONENTS = ["crossbar", "decode_sense", "adc", "accumulator", "scale_memory", "multiplier",
              "comparator", "normalization", "pooling", "buffer", "rng", "averaging", "control"]
# One distinct colour per component, the same in every plot (tab10, then four more).
COMPONENT_COLOURS = dict(zip(COMPONENTS, [
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
    "#bcbd22", "#17becf", "#000000", "#ffd700", "#00008b"]))
PREFIX = {"a": 1e-18, "f": 1e-15, "p": 1e-12, "n": 1e-9, "u": 1e-6, "\u00b5": 1e-6,
          "\u03bc": 1e-6, "m": 1e-3, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12}
UNITS = ["ohm*m2", "Hz", "ohm", "Ohm", "m2", "F2", "s", "S", "J", "W", "V", "A", "m", "K"]
NUMBER = re.compile(r"^\s*([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)\s*(\S*)\s*$")


def si_value(text):
    """(value in SI, base unit) of '10ns', '5', '20%'; None when not a number."""
    m = NUMBER.match(text or "")
    if not m:
        return None
    v, u = float(m.group(1)), m.group(2)
    if u == "":
        return v, ""
    if u == "%":
        return v / 100.0, ""
    for base in UNITS:
        if u == base:
            return v, base
        if u.endswith(base) and u[:-len(base)] in PREFIX:
            p = PREFIX[u[:-len(base)]]
            return v * (p * p if base in ("m2", "ohm*m2") else p), base
    return None


def num(text):
    try:
        v = float(text)
        return v if math.isfinite(v) else None
    except (TypeError, ValueError):
        return None


def short(key, value):
    """A category value as a legend shows it: config paths by their file name."""
    if key == "base" or value.endswith(".yaml"):
        return os.path.splitext(os.path.basename(value))[0]
    return value


def scale(values, unit):
    """(factor, label) putting the largest value in [1, 1000) with an SI prefix."""
    top = max((abs(v) for v in values if v is not None), default=0.0)
    for p, f in (("T", 1e12), ("G", 1e9), ("M", 1e6), ("k", 1e3), ("", 1.0), ("m", 1e-3),
                 ("\u00b5", 1e-6), ("n", 1e-9), ("p", 1e-12), ("f", 1e-15)):
        if top >= f:
            return 1.0 / f, p + unit
    return 1.0, unit


class Sweep:
    """The rows of a sweep, its axes and the points (runs averaged over seeds)."""

    def __init__(self, folder):
        self.folder = folder
        with open(os.path.join(folder, "results.csv"), newline="") as f:
            reader = csv.DictReader(f)
            self.rows = list(reader)
            cols = reader.fieldnames or []
        lo = cols.index("seed") + 1 if "seed" in cols else 0
        hi = cols.index("engine") if "engine" in cols else lo
        self.axes = cols[lo:hi]
        self.numeric = [a for a in self.axes
                        if all(si_value(r[a]) is not None for r in self.rows)]
        self.category = [a for a in self.axes if a not in self.numeric]
        # A numeric key linked one to one with a category (crossbar.cell.r_p with the
        # cell model) is a category too: no plot of its own.
        linked = [a for a in self.numeric if any(self.one_to_one(a, c) for c in self.category)]
        self.numeric = [a for a in self.numeric if a not in linked]
        self.category = [a for a in self.axes if a not in self.numeric]
        self.points = self._points()

    def one_to_one(self, a, b):
        pairs = {(r[a], r[b]) for r in self.rows}
        return len(pairs) == len({p[0] for p in pairs}) == len({p[1] for p in pairs})

    def _points(self):
        pts = {}
        for r in self.rows:
            pts.setdefault(int(r["point"]), []).append(r)
        return [pts[k] for k in sorted(pts)]

    def mean(self, runs, col):
        vals = [num(r.get(col)) for r in runs]
        vals = [v for v in vals if v is not None]
        return sum(vals) / len(vals) if vals else None

    def std(self, runs, col):
        vals = [v for v in (num(r.get(col)) for r in runs) if v is not None]
        if len(vals) < 2:
            return 0.0
        m = sum(vals) / len(vals)
        return math.sqrt(sum((v - m) ** 2 for v in vals) / (len(vals) - 1))

    def label(self, runs, keys):
        """"model=sot_mram, bits=5": the last part of each key, and its value."""
        for depth in range(1, 8):  # as few trailing parts as keep the names apart
            names = [".".join(k.split(".")[-depth:]) for k in keys]
            if len(set(names)) == len(names):
                break
        return ", ".join(f"{n}={short(k, runs[0][k])}" for n, k in zip(names, keys)) or "all"

    def ticks(self):
        """The bars' labels: each point's axis values (a config by its name, a method by
        its name), one per line when long, shortened with an ellipsis past 28 characters."""
        out = []
        for p in self.points:
            parts = [short(k, p[0][k]) for k in self.axes] or [p[0].get("method", "")]
            parts = [t if len(t) <= 28 else t[:27] + "\u2026" for t in parts]
            joined = " \u00b7 ".join(parts)
            out.append(joined if len(joined) <= 24 else "\n".join(parts))
        return out

    def axis_unit(self, key):
        units = {si_value(r[key])[1] for r in self.rows}
        return units.pop() if len(units) == 1 else ""

    def report(self, runs):
        path = os.path.join(self.folder, runs[0]["dir"], "report.json")
        try:
            with open(path) as f:
                return json.load(f)
        except (OSError, ValueError):
            return None


def integer_ticks(ax, xs):
    """An axis of whole numbers (bits, rows) gets whole-number ticks: at the values
    themselves when they are few, else integer locations only."""
    if not xs or any(abs(v - round(v)) > 1e-9 for v in xs):
        return
    from matplotlib.ticker import FixedLocator, MaxNLocator, NullLocator, FuncFormatter
    if len(xs) <= 12:
        ax.xaxis.set_major_locator(FixedLocator(xs))
        ax.xaxis.set_minor_locator(NullLocator())
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    else:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))


def merge_same(lines):
    """[(xs, ys, label)] with identical curves drawn once, their labels joined."""
    out = {}
    for xs, ys, label in lines:
        key = (tuple(xs), tuple(round(y, 12) if y is not None else None for y in ys))
        out.setdefault(key, [xs, ys, []])[2].append(label)
    merged = []
    for xs, ys, labels in out.values():
        more = f" (= {len(labels) - 1} more)" if len(labels) > 1 else ""
        merged.append((xs, ys, labels[0] + more))
    return merged[:MAX_LINES]


class Plotter:
    def __init__(self, sweep, out):
        self.s, self.out = sweep, out
        self.made, self.skipped = [], []

    def save(self, fig, name, title, what):
        # tight_layout counts the legends beside the axes and the long tick labels, so
        # nothing is clipped and every image keeps its size (WIDTH_IN x HEIGHT_IN).
        fig.tight_layout()
        for ext in ("png", "svg"):
            fig.savefig(os.path.join(self.out, f"{name}.{ext}"), dpi=DPI)
        plt.close(fig)
        self.made.append({"name": name, "title": title, "what": what,
                          "png": f"plots/{name}.png", "svg": f"plots/{name}.svg"})

    def finish(self, fig, ax, name, title, xlabel, ylabel, what, legend=True):
        """Labels, grid and legend, then save."""
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.set_title(title)
        ax.grid(True, alpha=0.3)
        if legend:
            ax.legend(fontsize=7)
        self.save(fig, name, title, what)

    def skip(self, name, why):
        self.skipped.append({"name": name, "why": why})

    def figure(self):
        return plt.subplots(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI)

    def groups(self, keys):
        """Points grouped by their values of keys, in first-seen order."""
        out = {}
        for p in self.s.points:
            out.setdefault(tuple(p[0][k] for k in keys), []).append(p)
        return list(out.values())

    # ---- energy per image vs each numeric axis ----

    def energy_vs_axes(self):
        if not self.s.numeric:
            return self.skip("energy_vs_axis", "the sweep has no numeric axis")
        for x in self.s.numeric:
            self.energy_vs(x)

    def energy_vs(self, x):
        others = [a for a in self.s.axes if a != x]
        groups = self.groups(others)
        if len(groups) > MAX_LINES:  # too many lines: one per category combination, mean over the rest
            others = [a for a in self.s.category if a != x]
            groups = self.groups(others)
        fig, ax = self.figure()
        ys = [self.s.mean(p, "energy_per_image_j") for p in self.s.points]
        f, unit = scale(ys, "J")
        allx = [si_value(r[x])[0] for r in self.s.rows]
        fx, xunit = scale(allx, self.s.axis_unit(x)) if self.s.axis_unit(x) else (1.0, "")
        lines = []
        for g in groups:
            by_x = {}
            for p in g:
                by_x.setdefault(si_value(p[0][x])[0], []).extend(p)
            xs = sorted(by_x)
            lines.append(([fx * v for v in xs],
                          [f * self.s.mean(by_x[v], "energy_per_image_j") for v in xs],
                          self.s.label(g[0], others)))
        for xs, ys, label in merge_same(lines):
            ax.plot(xs, ys, marker="o", label=label)
        self.log_if_wide(ax, allx)
        integer_ticks(ax, sorted({fx * v for v in allx if v is not None}))
        self.finish(fig, ax, "energy_vs_" + re.sub(r"[^A-Za-z0-9]+", "_", x),
                    f"Energy per image vs {x}", f"{x} [{xunit}]" if xunit else x,
                    f"energy per image [{unit}]",
                    "one line per value of the other axes (mean over seeds)", len(groups) > 1)

    @staticmethod
    def log_if_wide(ax, xs):
        pos = [v for v in xs if v and v > 0]
        if pos and len(pos) == len(xs) and max(pos) / min(pos) >= 50:
            ax.set_xscale("log")

    # ---- breakdowns ----

    def breakdown(self, name, prefix, suffix, unit, title, total):
        s = self.s
        comps = [c for c in COMPONENTS
                 if any((s.mean(p, f"{prefix}{c}{suffix}") or 0) > 0 for p in s.points)]
        if not comps:
            return self.skip(name, f"no {prefix}*{suffix} columns")
        fig, ax = self.figure()
        f, u = scale([s.mean(p, total) for p in s.points], unit)
        bottom = [0.0] * len(s.points)
        for c in comps:
            vals = [f * (s.mean(p, f"{prefix}{c}{suffix}") or 0.0) for p in s.points]
            ax.bar(range(len(vals)), vals, bottom=bottom, label=c, color=COMPONENT_COLOURS[c])
            bottom = [b + v for b, v in zip(bottom, vals)]
        labels = self.s.ticks()
        ax.set_xticks(range(len(labels)))
        ax.set_xticklabels(labels, rotation=45 if len(labels) > 4 else 0, ha="right",
                           fontsize=7 if len(labels) > 8 else 8)
        ax.set_ylabel(f"{title.split(' by ')[0].lower()} [{u}]")
        ax.set_title(title)
        ax.set_xlabel(" \u00b7 ".join(s.axes), fontsize=8)
        ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
        self.save(fig, name, title, "stacked by component, one bar per point")

    # ---- the points side by side ----

    def side_by_side(self):
        s = self.s
        if not s.category:
            return self.skip("side_by_side", "the sweep has no category axis")
        ood = next((c for c in s.rows[0] if c.startswith("ood_detection_rate[")), None)
        panels = [("accuracy", "accuracy [%]", 100.0),
                  (ood or "flagged_in_distribution",
                   f"OOD detected, {ood[19:-1]} [%]" if ood else "flagged (test set) [%]", 100.0),
                  ("energy_per_image_j", "energy per image [\u00b5J]", 1e6),
                  ("area_mm2", "area [mm\u00b2]", 1.0)]
        fig, axs = plt.subplots(2, 2, figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI)
        labels = s.ticks()
        for ax, (col, title, f) in zip(axs.flat, panels):
            ax.bar(range(len(s.points)), [f * (s.mean(p, col) or 0.0) for p in s.points],
                   yerr=[f * s.std(p, col) for p in s.points], color="C0", capsize=2)
            if col == "accuracy":  # the differences are in the last percent
                low = min(f * (s.mean(p, col) or 0.0) for p in s.points)
                ax.set_ylim(max(0.0, low - 5.0), 100.5)
            ax.set_title(title, fontsize=9)
            ax.set_xticks(range(len(labels)))
            ax.set_xticklabels(labels, rotation=30, ha="right", fontsize=6)
            ax.tick_params(axis="y", labelsize=7)
            ax.grid(True, axis="y", alpha=0.3)
        self.save(fig, "side_by_side", "The points side by side",
                  "accuracy, OOD detection, energy and area per point (mean over seeds, "
                  "bars = \u00b1 1 std over seeds)")

    # ---- accuracy ----

    def fault_axis(self):
        return next((a for a in self.s.numeric if a.startswith("faults.")), None)

    def accuracy_vs_faults(self):
        s, x = self.s, self.fault_axis()
        if not x:
            return self.skip("accuracy_vs_faults", "the sweep has no faults.* axis")
        if not any(num(r.get("chips")) for r in s.rows):
            return self.skip("accuracy_vs_faults", "no chip instances ran (faults.chips)")
        others = [a for a in s.category if a != x] or []
        fig, ax = self.figure()
        for g in self.groups(others)[:MAX_LINES]:
            by_x = {}
            for p in g:
                by_x.setdefault(si_value(p[0][x])[0], []).extend(p)
            xs = sorted(by_x)
            m = [100 * s.mean(by_x[v], "accuracy_mean") for v in xs]
            sd = [100 * (s.mean(by_x[v], "accuracy_std") or 0.0) for v in xs]
            label = s.label(g[0], others) if others else g[0][0].get("method", "all")
            line, = ax.plot(xs, m, marker="o", label=label)
            ax.fill_between(xs, [a - b for a, b in zip(m, sd)], [a + b for a, b in zip(m, sd)],
                            color=line.get_color(), alpha=0.2)
        self.log_if_wide(ax, [si_value(r[x])[0] for r in s.rows])
        self.finish(fig, ax, "accuracy_vs_faults", f"Accuracy vs {x}", x,
                    "accuracy over chips [%] (mean \u00b1 1 std)",
                    "mean over the faulty chip instances, band = \u00b1 1 std")

    def accuracy_vs_t(self):
        s = self.s
        fig, ax = self.figure()
        if "workload.mc_samples" in s.numeric:
            x = "workload.mc_samples"
            others = [a for a in s.axes if a != x]
            for g in self.groups(others)[:MAX_LINES]:
                pts = sorted(g, key=lambda p: si_value(p[0][x])[0])
                ax.plot([si_value(p[0][x])[0] for p in pts],
                        [100 * s.mean(p, "accuracy") for p in pts], marker="o",
                        label=s.label(g[0], others))
            what = "the T axis of the sweep"
        else:
            curves = []
            for p in s.points:
                rep = s.report(p)
                acc = (rep or {}).get("uncertainty", {}).get("accuracy_vs_passes") or []
                if len(acc) > 1:
                    curves.append((list(range(1, len(acc) + 1)), [100 * a for a in acc],
                                   s.label(p, s.axes)))
            if not curves:
                plt.close(fig)
                return self.skip("accuracy_vs_T", "no point runs more than one pass (T = 1)")
            for xs, ys, label in merge_same(curves):
                ax.plot(xs, ys, marker=".", label=label)
            what = "accuracy after 1..T passes (report.json), first seed of each point"
        self.finish(fig, ax, "accuracy_vs_T", "Accuracy vs T", "T (Monte Carlo passes)",
                    "accuracy [%]", what)

    # ---- the RNG ----

    def rng_curves(self):
        curves = {}
        for p in self.s.points:
            path = os.path.join(self.s.folder, p[0]["dir"], "rng_curve.csv")
            if os.path.exists(path):
                rep = self.s.report(p) or {}
                rng = rep.get("bayesian_hardware", {}).get("rng_model", "rng")
                with open(path) as f:
                    text = f.read()
                curves.setdefault(text, (rng, p))
        if not curves:
            return self.skip("rng_p_sw", "no point uses an MTJ RNG with a switching curve "
                             "(dropout.rng.model ideal_rng has none)")
        fig, ax = self.figure()
        names = [rng for rng, _ in curves.values()]
        for text, (rng, p) in list(curves.items())[:MAX_LINES]:
            rows = [r for r in csv.reader(line for line in text.splitlines()
                                          if line and not line.startswith("#"))][1:]
            unique = names.count(rng) == 1
            ax.plot([1e6 * float(r[0]) for r in rows], [float(r[3]) for r in rows],
                    label=rng if unique else f"{rng} ({self.s.label(p, self.s.axes)})")
        ax.axhline(0.5, color="grey", lw=0.8, ls="--")
        self.finish(fig, ax, "rng_p_sw", "RNG switching probability", "SET current [\u00b5A]",
                    "switching probability p_sw",
                    "p_sw vs SET current at the chip's temperature, with the config's RNG "
                    "parameters (as spincim devices --curve)")

    # ---- Pareto ----

    def pareto(self):
        s = self.s
        pts = [(s.mean(p, "energy_per_image_j"), s.mean(p, "accuracy"), i)
               for i, p in enumerate(s.points)]
        pts = [q for q in pts if q[0] is not None and q[1] is not None]
        if len(pts) < 2:
            return self.skip("pareto", "fewer than two points")
        f, unit = scale([q[0] for q in pts], "J")
        front, best = [], -1.0
        for e, a, i in sorted(pts, key=lambda q: (q[0], -q[1])):
            if a > best:
                front.append((e, a, i))
                best = a
        fig, ax = self.figure()
        ax.scatter([f * q[0] for q in pts], [100 * q[1] for q in pts], color="lightgrey",
                   edgecolor="grey", label="points")
        ax.step([f * q[0] for q in front], [100 * q[1] for q in front], where="post", color="C3",
                marker="o", label="Pareto front")
        for e, a, i in front[:MAX_LINES]:
            ax.annotate(s.label(s.points[i], s.axes) if s.axes else str(i), (f * e, 100 * a),
                        fontsize=6, xytext=(4, -8), textcoords="offset points")
        self.finish(fig, ax, "pareto", "Accuracy vs energy: the Pareto front",
                    f"energy per image [{unit}]", "accuracy [%]",
                    "points that no other point beats in both energy and accuracy")

    def all(self):
        self.energy_vs_axes()
        self.breakdown("energy_breakdown", "energy_", "_j", "J", "Energy per image by component",
                       "energy_per_image_j")
        self.breakdown("area_breakdown", "area_", "_mm2", "mm\u00b2", "Area by component",
                       "area_mm2")
        self.side_by_side()
        self.accuracy_vs_faults()
        self.accuracy_vs_t()
        self.rng_curves()
        self.pareto()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dir")
    a = ap.parse_args()
    if not os.path.exists(os.path.join(a.dir, "results.csv")):
        sys.exit(f"{a.dir}: error: no results.csv (not a sweep folder?)")
    s = Sweep(a.dir)
    if not s.rows:
        sys.exit(f"{a.dir}: error: results.csv has no rows yet")
    out = os.path.join(a.dir, "plots")
    os.makedirs(out, exist_ok=True)
    p = Plotter(s, out)
    p.all()
    with open(os.path.join(out, "index.json.tmp"), "w") as f:
        json.dump({"plots": p.made, "skipped": p.skipped}, f, indent=1)
    os.replace(os.path.join(out, "index.json.tmp"), os.path.join(out, "index.json"))
    for m in p.made:
        print(f"plot: {m['png']} (+ .svg): {m['title']}")
    for k in p.skipped:
        print(f"plot: skipped {k['name']}: {k['why']}")


if __name__ == "__main__":
    main()
