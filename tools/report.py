#!/usr/bin/python3
"""Write DIR/report.html for a spincim sweep folder: one self-contained file.

    tools/report.py DIR      (what `spincim report DIR` runs, after tools/plot.py)

The page holds the main results table (the full one folded), the plots of DIR/plots/
inlined as base64 PNG, each point's resolved config (folded) and the provenance: the
spincim version, command, date and machine of the sweep (DIR/sweep.json) and of this
report.
"""
import base64
import csv
import datetime
import html
import json
import os
import platform
import socket
import sys

MAIN_COLUMNS = [
    ("accuracy", "accuracy", "%", 100.0),
    ("accuracy_mean", "accuracy over chips", "%", 100.0),
    ("accuracy_std", "\u00b1 std", "%", 100.0),
    ("flagged_in_distribution", "flagged (test set)", "%", 100.0),
    ("energy_per_image_j", "energy / image", "\u00b5J", 1e6),
    ("area_mm2", "area", "mm\u00b2", 1.0),
    ("latency_per_image_s", "latency / image", "\u00b5s", 1e6),
    ("throughput_images_per_s", "throughput", "images/s", 1.0),
    ("tops_per_w", "TOPS/W", "", 1.0),
    ("rng_modules", "stochastic units", "", 1.0),
]

STYLE = """
body { font-family: sans-serif; margin: 2em; color: #222; max-width: 1200px; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 2em; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; font-size: 0.85em; }
td, th { border: 1px solid #ccc; padding: 2px 6px; text-align: right; }
th { background: #f0f0f0; } td.t { text-align: left; }
.scroll { overflow-x: auto; } figure { margin: 1em 0; } figcaption { font-size: 0.85em; color: #555; }
pre { background: #f7f7f7; padding: 0.5em; font-size: 0.8em; overflow-x: auto; }
details { margin: 0.3em 0; } .skip { color: #777; font-size: 0.9em; }
"""


def esc(x):
    return html.escape(str(x))


def fmt(text, factor):
    try:
        v = float(text) * factor
    except (TypeError, ValueError):
        return esc(text or "")
    return f"{v:.4g}"


def read_json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return {}


def axes_of(cols):
    lo = cols.index("seed") + 1 if "seed" in cols else 0
    hi = cols.index("engine") if "engine" in cols else lo
    return cols[lo:hi]


def table(rows, cols, heads, cells):
    out = ["<div class='scroll'><table><tr>"]
    out += [f"<th>{esc(h)}</th>" for h in heads]
    out.append("</tr>")
    for r in rows:
        out.append("<tr>" + "".join(cells(r, c) for c in cols) + "</tr>")
    out.append("</table></div>")
    return "\n".join(out)


def main_table(rows, cols):
    axes = axes_of(cols)
    ood = [c for c in cols if c.startswith("ood_detection_rate[")]
    metrics = [m for m in MAIN_COLUMNS if m[0] in cols and any(r.get(m[0]) for r in rows)]
    metrics += [(c, "OOD detected " + c[len("ood_detection_rate["):-1], "%", 100.0) for c in ood]
    keys = ["point", "seed"] + axes + [m[0] for m in metrics]
    heads = ["point", "seed"] + axes + [f"{m[1]} [{m[2]}]" if m[2] else m[1] for m in metrics]
    factor = {m[0]: m[3] for m in metrics}

    def cell(r, c):
        if c in factor:
            return f"<td>{fmt(r.get(c), factor[c])}</td>"
        return f"<td class='t'>{esc(r.get(c, ''))}</td>"
    return table(rows, keys, heads, cell)


def full_table(rows, cols):
    return table(rows, cols, cols, lambda r, c: f"<td class='t'>{esc(r.get(c, ''))}</td>")


def plots(folder):
    index = read_json(os.path.join(folder, "plots", "index.json"))
    out = []
    for p in index.get("plots", []):
        with open(os.path.join(folder, p["png"]), "rb") as f:
            data = base64.b64encode(f.read()).decode()
        out.append(f"<figure><img alt='{esc(p['title'])}' src='data:image/png;base64,{data}'>"
                   f"<figcaption>{esc(p['title'])}: {esc(p['what'])}</figcaption></figure>")
    for k in index.get("skipped", []):
        out.append(f"<p class='skip'>Not drawn: {esc(k['name'])} ({esc(k['why'])})</p>")
    if not index:
        out.append("<p class='skip'>No plots (run spincim plot first).</p>")
    return "\n".join(out)


def configs(folder, rows, axes):
    out, seen = [], set()
    for r in rows:
        if r["point"] in seen:
            continue
        seen.add(r["point"])
        try:
            with open(os.path.join(folder, r["dir"], "resolved.yaml")) as f:
                text = f.read()
        except OSError:
            continue
        what = ", ".join(f"{a}={r[a]}" for a in axes)
        out.append(f"<details><summary>point {esc(r['point'])}: {esc(what)} "
                   f"(config {esc(r.get('config_hash', ''))})</summary><pre>{esc(text)}</pre></details>")
    return "\n".join(out)


def cpu():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def provenance(info):
    keys = ["spincim_version", "sweep_file", "command", "date", "host", "cpu", "cores",
            "processes", "workers", "threads_per_run", "runs", "runs_done", "runs_kept",
            "wall_s", "runs_per_s", "status", "merged_from", "fingerprint"]
    rows = [f"<tr><th>{esc(k)}</th><td class='t'>{esc(info[k])}</td></tr>" for k in keys if k in info]
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    rows.append(f"<tr><th>report written</th><td class='t'>{now} on {esc(socket.gethostname())} "
                f"({esc(cpu())})</td></tr>")
    return "<table>" + "\n".join(rows) + "</table>"


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: tools/report.py DIR")
    folder = sys.argv[1]
    try:
        with open(os.path.join(folder, "results.csv"), newline="") as f:
            reader = csv.DictReader(f)
            rows, cols = list(reader), reader.fieldnames or []
    except OSError:
        sys.exit(f"{folder}: error: no results.csv (not a sweep folder?)")
    info = read_json(os.path.join(folder, "sweep.json"))
    name = os.path.basename(os.path.normpath(folder))
    page = [f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>spincim sweep {esc(name)}"
            f"</title><style>{STYLE}</style></head><body>",
            f"<h1>spincim sweep: {esc(name)}</h1>",
            f"<p>{len(rows)} runs of {esc(info.get('sweep_file', info.get('merged_from', '?')))}; "
            f"status {esc(info.get('status', '?'))}.</p>",
            "<h2>Results</h2>", main_table(rows, cols),
            "<details><summary>every column (results.csv)</summary>", full_table(rows, cols),
            "</details>", "<h2>Plots</h2>", plots(folder),
            "<h2>Resolved configs</h2>", configs(folder, rows, axes_of(cols)),
            "<h2>Provenance</h2>", provenance(info), "</body></html>"]
    tmp = os.path.join(folder, "report.html.tmp")
    with open(tmp, "w") as f:
        f.write("\n".join(page))
    os.replace(tmp, os.path.join(folder, "report.html"))
    print(f"report: {os.path.join(folder, 'report.html')}")


if __name__ == "__main__":
    main()
