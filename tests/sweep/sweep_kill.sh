#!/usr/bin/env bash
# Kill a running sweep with SIGKILL again and again, each time at a random moment, and
# resume it: the results files are whole after every kill, and the finished sweep equals
# an uninterrupted run.   tests/sweep/sweep_kill.sh SPINCIM SWEEP.yaml OUTDIR
set -euo pipefail
sim=$1 sweep=$2 out=$3
args=(--images 600 --threads 1 --quiet)
rm -rf "$out"
mkdir -p "$out"
"$sim" sweep "$sweep" --out "$out/ref" "${args[@]}"

# Every line of results.jsonl a whole object; results.csv a header and whole rows with
# as many fields as the header. The two tables are replaced one after the other, so a
# kill between the two renames may leave one a rebuild behind the other (the rows
# themselves are on disk either way, and --resume rebuilds both from them).
check_whole() {
    local j=$out/killed/results.jsonl c=$out/killed/results.csv
    [ -f "$j" ] || return 0
    if grep -qv '^{.*}$' "$j"; then echo "torn line in $j"; exit 1; fi
    [ -f "$c" ] || { echo "results.jsonl without results.csv"; exit 1; }
    local nj nc
    nj=$(wc -l < "$j"); nc=$(wc -l < "$c")
    if [ -s "$c" ] && [ "$(tail -c 1 "$c" | od -An -c | tr -d ' ')" != '\n' ]; then
        echo "results.csv ends in a torn line"; exit 1
    fi
    [ "$nj" -eq 0 ] && [ "$nc" -eq 0 ] && return 0 # not written yet
    if [ "$nc" -lt 1 ] || ! awk -F, 'NR == 1 { n = NF } NF != n { exit 1 }' "$c"; then
        echo "results.csv is not a header and whole rows ($nc lines; $nj rows in results.jsonl)"
        exit 1
    fi
}

rows() {
    local n
    n=$(find "$out/killed" -name row.json 2>/dev/null | wc -l) || true
    echo "$n"
}

kills=0 opt=()
while :; do
    before=$(rows)
    "$sim" sweep "$sweep" --out "$out/killed" "${args[@]}" "${opt[@]}" &
    pid=$!
    opt=(--resume)
    # Each time a little further (a new row, however slow the build), then a random moment.
    for _ in $(seq 1200); do
        kill -0 "$pid" 2>/dev/null && [ "$(rows)" -le "$before" ] || break
        sleep 0.1
    done
    sleep "0.$((RANDOM % 6))"
    if kill -0 "$pid" 2>/dev/null; then
        kill -9 "$pid"
        wait "$pid" 2>/dev/null || true
        kills=$((kills + 1))
        check_whole
    else
        wait "$pid"
        break
    fi
    [ "$kills" -lt 40 ] || { echo "no end after $kills kills"; exit 1; }
done
[ "$kills" -ge 2 ] || { echo "the sweep finished before two kills ($kills)"; exit 1; }
for f in results.csv results.jsonl; do
    cmp "$out/ref/$f" "$out/killed/$f" || { echo "$f differs from the uninterrupted run"; exit 1; }
done
echo "ok: killed $kills times with SIGKILL, resumed, equal to the uninterrupted run"
