#!/usr/bin/env python3
"""Sweep scaling: runs per second of one sweep on 1 and 2 worker threads (one process)
and on 1 and 2 MPI processes (one worker each), measured side by side in one run on
the same machine; medians of several repetitions and the ratios of the medians.

  python3 bench/sweep_scaling.py [--repeats 3] [--sweep bench/sweep-scaling.yaml]

The runs per second are the sweep's own (sweep.json: runs done / wall time, which
includes checking every run before the first). The MPI cases need mpirun (Open MPI)
and a build with MPI; they are left out otherwise. As root, mpirun needs
OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 (set here).
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import tempfile

top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
spincim = os.path.join(top, "build", "spincim")


def sweep(path, threads, ranks):
    """Runs per second of one sweep: `threads` workers, or `ranks` MPI processes."""
    with tempfile.TemporaryDirectory() as out:
        cmd = [spincim, "sweep", path, "--out", out, "--force", "--quiet",
               "--threads", str(threads)]
        if ranks:
            cmd = ["mpirun", "--oversubscribe", "-np", str(ranks)] + cmd
        env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
        subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL)
        with open(os.path.join(out, "sweep.json")) as f:
            return json.load(f)["runs_per_s"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--sweep", default=os.path.join(top, "bench", "sweep-scaling.yaml"))
    a = ap.parse_args()
    cases = [("1 process, 1 worker thread", 1, 0), ("1 process, 2 worker threads", 2, 0)]
    if shutil.which("mpirun"):
        cases += [("mpirun -np 1 (1 thread)", 1, 1), ("mpirun -np 2 (1 thread each)", 1, 2)]
    samples = {c[0]: [] for c in cases}
    for _ in range(a.repeats):  # interleaved, so drifts of the machine hit every case alike
        for name, threads, ranks in cases:
            samples[name].append(sweep(a.sweep, threads, ranks))
    med = {k: statistics.median(v) for k, v in samples.items()}
    print(f"| case | runs/s (median of {a.repeats}) | all runs/s |")
    print("|---|---|---|")
    for name, _, _ in cases:
        print(f"| {name} | {med[name]:.3f} | {', '.join(f'{v:.3f}' for v in samples[name])} |")
    names = [c[0] for c in cases]
    print(f"\nthreads: 2 vs 1 = {med[names[1]] / med[names[0]]:.2f}x")
    if len(names) == 4:
        print(f"MPI: 2 vs 1 processes = {med[names[3]] / med[names[2]]:.2f}x")


if __name__ == "__main__":
    main()
