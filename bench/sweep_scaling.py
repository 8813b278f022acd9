#!/usr/bin/env python3
"""Sweep scaling: runs per second of one sweep on 1 and 2 worker threads (one process)
and on 1 and 2 MPI processes (one worker each), measured side by side in one run on
the same machine; medians of several repetitions and the ratios of the medians.

  python3 bench/sweep_scaling.py [--repeats 3] [--sweep bench/sweep-scaling.yaml]

The runs per second are the sweep's own (sweep.json: runs done / wall time, which
includes checking every run before the first); the CPU seconds per run (user + system of
the sweep's processes) tell the sweep's own overhead apart from a machine that has no
second core free: when they stay put and the rate does not double, other programs held
the core (the load average before and after is printed). The ceiling case runs two
independent sweep processes at once (the two shards): the most any 2-way parallelism
gets from the machine at that moment. The MPI cases need mpirun (Open
MPI) and a build with MPI; they are left out otherwise. As root, mpirun needs
OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 (set here).
"""

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import tempfile
import time

top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
spincim = os.path.join(top, "build", "spincim")


def cpu_seconds():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def sweep(path, threads, ranks):
    """(runs per second, CPU seconds per run) of one sweep: `threads` workers, or `ranks`
    MPI processes."""
    cpu0 = cpu_seconds()
    with tempfile.TemporaryDirectory() as out:
        cmd = [spincim, "sweep", path, "--out", out, "--force", "--quiet",
               "--threads", str(threads)]
        if ranks:
            cmd = ["mpirun", "--oversubscribe", "-np", str(ranks)] + cmd
        env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
        subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL)
        with open(os.path.join(out, "sweep.json")) as f:
            info = json.load(f)
        return info["runs_per_s"], (cpu_seconds() - cpu0) / max(1, info["runs_done"])


def shards(path, n):
    """The machine's ceiling: n independent processes at once (--shard i/n), runs per
    second over their common wall time, and CPU seconds per run."""
    cpu0, t0 = cpu_seconds(), time.monotonic()
    with tempfile.TemporaryDirectory() as out:
        procs = [subprocess.Popen([spincim, "sweep", path, "--out", os.path.join(out, str(i)),
                                   "--quiet", "--threads", "1", "--shard", f"{i}/{n}"],
                                  stdout=subprocess.DEVNULL) for i in range(n)]
        if any(p.wait() for p in procs):
            raise SystemExit("a shard failed")
        wall = time.monotonic() - t0
        runs = 0
        for i in range(n):
            with open(os.path.join(out, str(i), "sweep.json")) as f:
                runs += json.load(f)["runs_done"]
    return runs / wall, (cpu_seconds() - cpu0) / max(1, runs)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--sweep", default=os.path.join(top, "bench", "sweep-scaling.yaml"))
    a = ap.parse_args()
    cases = [("1 process, 1 worker thread", 1, 0), ("1 process, 2 worker threads", 2, 0),
             ("ceiling: 2 independent processes (--shard 0/2, 1/2 at once)", 1, -2)]
    if shutil.which("mpirun"):
        cases += [("mpirun -np 1 (1 thread)", 1, 1), ("mpirun -np 2 (1 thread each)", 1, 2)]
    samples = {c[0]: [] for c in cases}
    load0 = os.getloadavg()[0]
    for _ in range(a.repeats):  # interleaved, so drifts of the machine hit every case alike
        for name, threads, ranks in cases:
            samples[name].append(shards(a.sweep, -ranks) if ranks < 0
                                 else sweep(a.sweep, threads, ranks))
    med = {k: statistics.median(v[0] for v in vs) for k, vs in samples.items()}
    cpu = {k: statistics.median(v[1] for v in vs) for k, vs in samples.items()}
    print(f"{os.cpu_count()} cores; load average {load0:.2f} before, {os.getloadavg()[0]:.2f} after")
    print(f"\n| case | runs/s (median of {a.repeats}) | CPU s per run | all runs/s |")
    print("|---|---|---|---|")
    for name, _, _ in cases:
        runs = ", ".join(f"{v[0]:.3f}" for v in samples[name])
        print(f"| {name} | {med[name]:.3f} | {cpu[name]:.3f} | {runs} |")
    names = [c[0] for c in cases]
    print(f"\nthreads: 2 vs 1 = {med[names[1]] / med[names[0]]:.2f}x")
    print(f"ceiling of the machine now: 2 independent processes vs 1 = "
          f"{med[names[2]] / med[names[0]]:.2f}x")
    if len(names) == 5:
        print(f"MPI: 2 vs 1 processes = {med[names[4]] / med[names[3]]:.2f}x")


if __name__ == "__main__":
    main()
