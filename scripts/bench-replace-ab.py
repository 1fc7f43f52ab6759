#!/usr/bin/env python3
"""Replace's cost, interleaved: each round runs `cp -r`, `cp -r` then `sync`, and
`TRAWL -r --write` for each trawl binary given, in turn, each on a fresh copy of the tree made
by scripts/bench-replace.sh (not timed); then prints the min, median and mean wall time and
the median user and system time of each.

    scripts/bench-replace-ab.py 10 WORK target/trawl-before target/release/trawl

With FLOOR set to benches/floor's binary, each round also runs its `--mode replace`: the least
an atomic replace that keeps the original for undo does to each file.

On a shared machine whose speed drifts within a minute, alternating the commands compares them
under the same conditions, where hyperfine runs one command's runs, then the next's.

PREP=keep (the default) moves each run's folders aside into WORK/trash and deletes them all
at the end, after the timing; PREP=delete deletes them before the next run, as hyperfine's
--prepare in bench-replace.sh does. On ext4 without a journal (this project's VM) that
matters: the file system does not reuse an inode freed in the last few seconds (5, or 305
while its inode table block is unwritten: ext4's recently_deleted()), and to find a free one
it looks at each of those, from the start of the block group, for every file it creates. A
replace creates its new files in the tree's own folders, where the 20,000 files deleted just
before were, and paid up to 3.6 s of system time for that alone; `cp -r` creates a new folder
elsewhere and mostly did not."""
import os, resource, statistics, subprocess, sys, time

runs, work, trawls = int(sys.argv[1]), os.path.abspath(sys.argv[2]), sys.argv[3:]
prep_mode = os.environ.get("PREP", "keep")
pristine, tree, copy = f"{work}/pristine", f"{work}/tree", f"{work}/copy"
journal, trash = f"{work}/journal", f"{work}/trash"
env = dict(os.environ, TRAWL_JOURNAL_DIR=journal)


def remove(folder):
    """Deletes a folder from 16 processes (one `rm -rf` of 10,000 files waits for the disk's
    discard file by file)."""
    if os.path.isdir(folder):
        subprocess.run(
            f"find '{folder}' -mindepth 1 -maxdepth 1 -print0 | xargs -0 -r -P 16 rm -rf; rm -rf '{folder}'",
            shell=True,
            check=True,
        )


def prepare(round_, name):
    for folder in (tree, copy, journal):
        if not os.path.isdir(folder):
            continue
        if prep_mode == "delete":
            remove(folder)
        else:
            os.makedirs(trash, exist_ok=True)
            os.rename(folder, f"{trash}/{os.path.basename(folder)}-{round_}-{name}")
    subprocess.run(["cp", "-r", pristine, tree], check=True)
    subprocess.run(["sync"], check=True)


def load():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


commands = [
    ("cp -r", f"cp -r '{tree}' '{copy}'"),
    ("cp -r then sync", f"cp -r '{tree}' '{copy}' && sync"),
] + [(t, f"'{t}' '{tree}' txt needle -r pin --write > /dev/null") for t in trawls]
# FLOOR=<benches/floor's binary>: the least an atomic replace kept for undo does to each file
# (its `--mode replace`), on the same 2 threads.
if os.environ.get("FLOOR"):
    floor = os.environ["FLOOR"]
    commands.append(
        ("replace floor", f"'{floor}' --mode replace -j 2 --journal '{journal}' '{tree}' txt > /dev/null")
    )
walls = {n: [] for n, _ in commands}
users = {n: [] for n, _ in commands}
systems = {n: [] for n, _ in commands}
print(f"PREP={prep_mode}, {runs} rounds, load before: {load()}", flush=True)
for round_ in range(runs):
    for i, (name, command) in enumerate(commands):
        prepare(round_, str(i))
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        subprocess.run(command, shell=True, check=True, env=env)
        walls[name].append(time.perf_counter() - t)
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        users[name].append(r1.ru_utime - r0.ru_utime)
        systems[name].append(r1.ru_stime - r0.ru_stime)
    print(f"round {round_ + 1}: " + ", ".join(f"{walls[n][-1]:.2f}" for n, _ in commands),
          file=sys.stderr, flush=True)
print(f"load after: {load()}")
print()
print("| command | min [s] | median [s] | mean [s] | user (median) | system (median) |")
print("|---|---:|---:|---:|---:|---:|")
for name, _ in commands:
    w = walls[name]
    print(f"| `{name}` | {min(w):.2f} | {statistics.median(w):.2f} | {statistics.mean(w):.2f} "
          f"| {statistics.median(users[name]):.2f} | {statistics.median(systems[name]):.2f} |")
for folder in (tree, copy, journal, trash):
    remove(folder)
