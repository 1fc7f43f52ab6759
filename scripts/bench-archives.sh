#!/usr/bin/env bash
# -z/--search-zip (#18) against ugrep -z (Debian's ugrep): the Rust docs tree as one .zip
# (deflate) and as one .tar.gz, the same patterns, side by side under hyperfine, output to a
# pipe. The script prints how many members and lines each finds (they must agree).
# Goals (the issue): trawl at most 0.5x ugrep's wall time on the zip, 1.0x on the tar.gz.
#
# Usage:   scripts/bench-archives.sh     (TRAWL=path RUNS=10 THREADS=2 DIR=target/bench-archives)
# Needs:   hyperfine, ugrep, zip, tar (apt-get install -y hyperfine ugrep zip)
set -euo pipefail
cd "$(dirname "$0")/.."
# The commands are split on spaces, never globbed: `*` is trawl's EXT.
set -f

TRAWL=${TRAWL:-target/release/trawl}
RUNS=${RUNS:-10}
THREADS=${THREADS:-2}
DIR=${DIR:-target/bench-archives}
DOCS="$(rustc --print sysroot)/share/doc/rust/html"
[[ -x $TRAWL ]] || { echo "bench-archives.sh: no trawl at $TRAWL (cargo build --release)" >&2; exit 2; }
for tool in hyperfine ugrep zip tar; do
    command -v "$tool" >/dev/null || { echo "bench-archives.sh: $tool is missing" >&2; exit 2; }
done

mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)
[[ -f $DIR/docs.zip ]] || (cd "$DOCS/.." && zip -q -r -6 "$DIR/docs.zip" html)
[[ -f $DIR/docs.tar.gz ]] || tar -C "$DOCS/.." -czf "$DIR/docs.tar.gz" html

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "trawl: $($TRAWL --version), $(ugrep --version | head -1)"
echo "archives: $(du -h "$DIR/docs.zip" | cut -f1) zip, $(du -h "$DIR/docs.tar.gz" | cut -f1) tar.gz," \
    "$(find "$DOCS" -type f | wc -l) files, $(du -sh "$DOCS" | cut -f1) unpacked"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"

# The members with the extension html (trawl's EXT, ugrep's -O), counted per member (-c: both
# print PATH:N), so that the time is the reading and the searching, not the printing (whole
# lines of megabytes in the docs' search index, where ugrep -o would print only the matches).
# ugrep -I skips binary files as trawl does; it also prints members with no match (`:0`).
bench() { # archive pattern-flags...
    local archive=$1
    shift
    local trawl_cmd="$TRAWL -z -c -j $THREADS $archive html $*"
    local ugrep_cmd="ugrep -z -I -c -O html -J $THREADS $* $archive"
    local t u
    t=$($trawl_cmd | awk -F: '{ n++; s += $NF } END { print n " members, " s " lines" }')
    u=$($ugrep_cmd | awk -F: '$NF > 0 { n++; s += $NF } END { print n " members, " s " lines" }')
    echo "== $(basename "$archive"), $*: trawl $t; ugrep $u"
    hyperfine -N --warmup 2 --runs "$RUNS" --output=pipe \
        -n trawl "$trawl_cmd" -n ugrep "$ugrep_cmd" 2>&1 |
        grep -E "Time|±|Benchmark|faster|trawl$|ugrep$" || true
}

for archive in "$DIR/docs.zip" "$DIR/docs.tar.gz"; do
    bench "$archive" from_utf8_lossy
    bench "$archive" -i -w error
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
