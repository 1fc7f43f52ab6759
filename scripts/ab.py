#!/usr/bin/env python3
"""Interleaved A/B timing: runs each command in turn, N rounds, and prints the median, first
quartile and mean wall time and the median CPU time (user + system) of each.

    scripts/ab.py 15 "target/trawl-before -j 2 DIR rs foo" "target/release/trawl -j 2 DIR rs foo"

On a shared machine whose speed drifts within a minute, alternating the commands compares them
under the same conditions, where hyperfine runs one command's runs, then the other's. Standard
output is read and thrown away, as through a pipe."""
import subprocess, sys, time, resource, statistics, os
n = int(sys.argv[1]); cmds = sys.argv[2:]
walls = {c: [] for c in cmds}; cpus = {c: [] for c in cmds}; users = {c: [] for c in cmds}
for c in cmds:  # warm-up
    subprocess.run(c, shell=True, stdout=subprocess.DEVNULL)
for i in range(n):
    for c in cmds:
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        p = subprocess.Popen(c, shell=True, stdout=subprocess.PIPE)
        while p.stdout.read(1 << 20): pass
        p.wait()
        walls[c].append((time.perf_counter() - t) * 1000)
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus[c].append(((r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)) * 1000)
        users[c].append((r1.ru_utime - r0.ru_utime) * 1000)
for c in cmds:
    w = sorted(walls[c])
    print(f"median {statistics.median(w):7.1f}  p25 {w[len(w)//4]:7.1f}  mean {statistics.mean(w):7.1f} ms  cpu median {statistics.median(cpus[c]):7.1f} (user {statistics.median(users[c]):7.1f})  {c[:110]}")
