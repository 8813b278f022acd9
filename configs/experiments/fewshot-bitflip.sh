#!/usr/bin/env bash
# Few-shot coverage vs bit-flip rate: fewshot-bitflip.yaml at 0.1, 0.5, 1 and 2 % bit flips
# for each model given (default: the LeNet-5 BNN), then one CSV row per model, rate and
# threshold offset (coverage, verifiable coverage and the fault-free false-positive rate
# recomputed from chips.csv for each offset; the run itself uses testing.offset).
#   configs/experiments/fewshot-bitflip.sh [MODEL.yaml ...]
# Environment: SPINCIM (default build/spincim), OUT (default out/fewshot-bitflip), CHIPS
# (100), IMAGES (1000), RATES ("0.001 0.005 0.01 0.02"), OFFSETS ("0 0.05 0.1 0.2").
set -euo pipefail
top="$(cd "$(dirname "$0")/../.." && pwd)"
sim="${SPINCIM:-$top/build/spincim}"
out="${OUT:-out/fewshot-bitflip}"
rates="${RATES:-0.001 0.005 0.01 0.02}"
models=("$@")
[ ${#models[@]} -gt 0 ] || models=("$top/workloads/models/lenet5-mnist-bnn.yaml")
dirs=()
for model in "${models[@]}"; do
    name="$(basename "$model" .yaml)"
    for rate in $rates; do
        dir="$out/$name/bitflip-$rate"
        "$sim" run "$top/configs/experiments/fewshot-bitflip.yaml" -p "workload.model=$model" \
            -p "faults.bit_flip=$rate" --chips "${CHIPS:-100}" --images "${IMAGES:-1000}" \
            --out "$dir" --force --quiet
        dirs+=("$name:$rate:$dir")
    done
done
python3 - "$out/fewshot-bitflip.csv" "${OFFSETS:-0 0.05 0.1 0.2}" "${dirs[@]}" <<'PY'
import csv, json, sys
path, offsets, runs = sys.argv[1], [float(x) for x in sys.argv[2].split()], sys.argv[3:]
rows = []
for run in runs:
    model, rate, d = run.split(":", 2)
    rep = json.load(open(f"{d}/report.json"))
    fs, base = rep["few_shot"], rep["accuracy"]
    chips = list(csv.DictReader(open(f"{d}/chips.csv")))
    acc = [float(c["accuracy"]) for c in chips]
    for off in offsets:
        t = fs["sigma_y_reference"] + off
        up = [float(c["sigma_y"]) >= t for c in chips]
        rows.append({"model": model, "bit_flip": rate, "chips": len(chips),
                     "images": rep["images"], "samples": fs["samples"], "offset": off,
                     "threshold": t, "fault_free_accuracy": base,
                     "accuracy_mean": sum(acc) / len(acc),
                     "coverage": sum(up) / len(up),
                     "verifiable_coverage": sum(u and a < base for u, a in zip(up, acc)) / len(up),
                     "degraded_share": sum(a < base for a in acc) / len(acc),
                     "false_positive_rate": sum(float(c["sigma_y_fault_free_same_draw"]) >= t
                                                for c in chips) / len(chips)})
with open(path, "w", newline="") as f:
    w = csv.DictWriter(f, fieldnames=list(rows[0]))
    w.writeheader()
    w.writerows(rows)
print(f"{'model':<26} {'flip':>6} {'offset':>6} {'accuracy':>9} {'coverage':>9} "
      f"{'verifiable':>10} {'FP':>6}")
for r in rows:
    print(f"{r['model']:<26} {float(r['bit_flip']):>6.2%} {r['offset']:>6.2f} "
          f"{r['accuracy_mean']:>9.2%} {r['coverage']:>9.1%} {r['verifiable_coverage']:>10.1%} "
          f"{r['false_positive_rate']:>6.1%}")
print(f"written: {path}")
PY
