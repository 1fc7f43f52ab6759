#!/usr/bin/env bash
# Replace's cost (issue 15, "Measures"): `trawl -r --write` replacing 100,000 matches in 10,000
# files, against `cp -r` of the same files (reading and writing them once), under hyperfine;
# then the peak memory of `--write` on a 10 MiB file and on a 1 GiB file with the same number
# of matches, to show that it does not grow with the file (the writer streams).
#
# Usage:   scripts/bench-replace.sh            (markdown on standard output)
# Options (environment):
#   TRAWL=path   a trawl binary instead of target/release/trawl (built if missing)
#   WORK=path    scratch folder (default target/bench-replace); needs ~3.5 GiB free
#   RUNS=10      timed runs per command
#   SKIP_BIG=1   skip the 1 GiB file
set -euo pipefail
cd "$(dirname "$0")/.."

die() {
    echo "bench-replace.sh: $*" >&2
    exit 2
}
command -v hyperfine >/dev/null || die "hyperfine not found; apt-get install -y hyperfine"
[[ -x /usr/bin/time ]] || die "/usr/bin/time not found; apt-get install -y time"

RUNS=${RUNS:-10}
TARGET=${CARGO_TARGET_DIR:-target}
if [[ -z ${TRAWL:-} ]]; then
    cargo build --release --quiet >&2
    TRAWL="$TARGET/release/trawl"
fi
WORK=${WORK:-$TARGET/bench-replace}
mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd)
export TRAWL_JOURNAL_DIR="$WORK/journal"

# 10,000 files of 100 lines (about 4 KiB each), 10 of those lines with one match each, in 100
# folders.
if [[ ! -d $WORK/pristine ]]; then
    echo "making 10,000 files..." >&2
    python3 - "$WORK/pristine" <<'EOF'
import os, sys
root = sys.argv[1]
for d in range(100):
    os.makedirs(f"{root}/d{d:03}", exist_ok=True)
    for f in range(100):
        lines = []
        for i in range(100):
            word = "needle" if i % 10 == 3 else "hay"
            lines.append(f"line {i:3} of file {d}/{f}: some {word} text here\n")
        with open(f"{root}/d{d:03}/f{f:03}.txt", "w") as out:
            out.write("".join(lines))
EOF
fi
matches=$("$TRAWL" "$WORK/pristine" txt needle -c | awk -F: '{s += $NF} END {print s}')
[[ $matches == 100000 ]] || die "expected 100000 matches, found $matches"
size=$(du -sh "$WORK/pristine" | cut -f1)

echo "## Replacing 100,000 matches in 10,000 files ($size)"
echo
echo "\`$TRAWL_JOURNAL_DIR\` holds the journal; each run starts from a fresh copy of the tree"
echo "(hyperfine's --prepare, not timed). $(nproc) cores; load before: $(cut -d' ' -f1-3 /proc/loadavg)."
echo
# Folders are removed from 16 processes: on a disk mounted with `discard` each freed file waits
# for the disk, and one `rm -rf` of 10,000 files takes half a minute there (not timed either
# way).
remove="for d in '$WORK/tree' '$WORK/copy' '$TRAWL_JOURNAL_DIR'; do \
if [ -d \"\$d\" ]; then find \"\$d\" -mindepth 1 -maxdepth 1 -print0 | xargs -0 -r -P 16 rm -rf; fi; \
rm -rf \"\$d\"; done"
hyperfine --style basic --runs "$RUNS" --export-markdown "$WORK/replace.md" \
    --prepare "$remove && cp -r '$WORK/pristine' '$WORK/tree' && sync" \
    -n "cp -r (read and write every file once)" "cp -r '$WORK/tree' '$WORK/copy'" \
    -n "cp -r then sync" "cp -r '$WORK/tree' '$WORK/copy' && sync" \
    -n "trawl -r --write" "'$TRAWL' '$WORK/tree' txt needle -r pin --write > /dev/null" \
    >&2
cat "$WORK/replace.md"
echo
echo "Load after: $(cut -d' ' -f1-3 /proc/loadavg)."
echo

peak_kib() { # peak resident memory of a --write over $1
    rm -rf "$TRAWL_JOURNAL_DIR"
    /usr/bin/time -f %M "$TRAWL" "$1" txt needle -r pin --write 2>&1 >/dev/null | tail -1
}

echo "## Peak memory of --write against file size"
echo
echo "| file | matches | peak RSS |"
echo "|---|---|---|"
for mib in 10 1024; do
    [[ $mib == 1024 && -n ${SKIP_BIG:-} ]] && continue
    dir="$WORK/one-$mib"
    rm -rf "$dir" && mkdir -p "$dir"
    # 1,000 matches spread evenly through lines of filler.
    python3 - "$dir/big.txt" "$mib" <<'EOF'
import sys
path, mib = sys.argv[1], int(sys.argv[2])
total = mib << 20
line = b"filler text without the word, seventy bytes long more or less......\n"
lines = total // len(line)
every = max(1, lines // 1000)
with open(path, "wb") as out:
    chunk = []
    for i in range(lines):
        chunk.append(b"a needle here\n" if i % every == 0 and i // every < 1000 else line)
        if len(chunk) == 65536:
            out.write(b"".join(chunk)); chunk = []
    out.write(b"".join(chunk))
EOF
    echo "| $mib MiB | 1,000 | $(( $(peak_kib "$dir") / 1024 )) MiB |"
    rm -rf "$dir" "$TRAWL_JOURNAL_DIR"
done
