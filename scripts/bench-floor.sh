#!/usr/bin/env bash
# trawl against the floor (benches/floor: walk, open, read every byte, close; no search) and
# ripgrep, in one hyperfine run per corpus (issue 19): the floor read with plain system calls
# and with io_uring, the floor of the search itself (plain reads, then ripgrep's searcher and
# matcher over every file: the matching lines found, their occurrences counted, nothing
# printed), trawl with its batched reads (the default) and with TRAWL_IO_URING=off, optionally
# an older trawl binary, and ripgrep. By default the rare literal of scripts/bench.sh; any of
# its other rows with PATTERN and FLAGS.
#
# Usage:   scripts/bench-floor.sh            (markdown on standard output)
# Options (environment):
#   THREADS=2   threads for every program (`-j`)
#   WARMUP=3 RUNS=10   hyperfine's warm-up and timed runs (the warm-ups warm the page cache)
#   TRAWL=path  the trawl binary (default target/release/trawl, built if missing)
#   BEFORE=path an older trawl binary to time beside it (optional)
#   FLOOR=path  the floor binary (default: built from benches/floor)
#   RG=path     ripgrep (default: rg on PATH)
#   ONLY=docs|registry   one corpus only
#   PATTERN=from_utf8_lossy
#   FLAGS=      flags for every search: empty, -i, -w or "-i -w" (bench.sh's rows:
#               PATTERN=Iterator; FLAGS="-i -w" PATTERN=error; PATTERN='[A-Z][a-z]+Error')
set -euo pipefail
cd "$(dirname "$0")/.."

die() {
    echo "bench-floor.sh: $*" >&2
    exit 2
}

THREADS=${THREADS:-2}
WARMUP=${WARMUP:-3}
RUNS=${RUNS:-10}
ONLY=${ONLY:-}
PATTERN=${PATTERN:-from_utf8_lossy}
FLAGS=${FLAGS:-}
case $FLAGS in '' | -i | -w | '-i -w' | '-w -i') ;; *) die "FLAGS takes -i, -w or both, not $FLAGS" ;; esac
command -v hyperfine >/dev/null || die "hyperfine not found (apt-get install -y hyperfine)"
RG=${RG:-$(command -v rg || echo "$HOME/.cargo/bin/rg")}
[[ -x $RG ]] || die "ripgrep not found"
if [[ -z ${TRAWL:-} ]]; then
    TRAWL=$PWD/target/release/trawl
    [[ -x $TRAWL ]] || cargo build --release --quiet || die "cargo build --release failed"
fi
if [[ -z ${FLOOR:-} ]]; then
    cargo build --release --quiet --manifest-path benches/floor/Cargo.toml || die "the floor did not build"
    FLOOR=${CARGO_TARGET_DIR:-$PWD/benches/floor/target}/release/trawl-floor
fi
[[ -x $TRAWL && -x $FLOOR ]] || die "trawl ($TRAWL) or the floor ($FLOOR) not found"

DOCS="$(rustc --print sysroot)/share/doc/rust/html"
REGISTRY="${CARGO_HOME:-$HOME/.cargo}/registry/src"
CORPORA=()
[[ -z $ONLY || $ONLY == docs ]] && CORPORA+=("Rust docs|$DOCS|html")
[[ -z $ONLY || $ONLY == registry ]] && CORPORA+=("cargo registry|$REGISTRY|rs")

export RIPGREP_CONFIG_PATH=
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

echo "- $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(uname -sr); load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "- pattern \`$PATTERN\`${FLAGS:+, flags \`$FLAGS\`}; \`-j $THREADS\`, output through a pipe, warm cache, $WARMUP warm-ups, $RUNS runs; mean ± σ ms; CPU = user + system ms"
echo
echo "| corpus | program | ms | ÷ floor (the faster of its two ways of reading) | ÷ ripgrep | CPU ms |"
echo "|---|---|---:|---:|---:|---:|"
for corpus in "${CORPORA[@]}"; do
    IFS='|' read -r name dir ext <<<"$corpus"
    commands=(
        -n "floor, walk only" "$FLOOR --mode walk -j $THREADS $dir $ext"
        -n "trawl, walk only (an extension no file has)" "$TRAWL --color never -j $THREADS $dir no-such-ext $PATTERN"
        -n "floor, plain reads" "$FLOOR --mode std -j $THREADS $dir $ext"
        -n "floor, io_uring" "$FLOOR --mode uring -j $THREADS $dir $ext"
        -n "floor of the search (plain reads, ripgrep's searcher)" "$FLOOR --mode std $FLAGS --pattern $PATTERN -j $THREADS $dir $ext"
        -n "trawl" "env -u TRAWL_IO_URING $TRAWL --color never $FLAGS -j $THREADS $dir $ext $PATTERN"
        -n "trawl, TRAWL_IO_URING=off" "env TRAWL_IO_URING=off $TRAWL --color never $FLAGS -j $THREADS $dir $ext $PATTERN"
    )
    [[ -n ${BEFORE:-} ]] && commands+=(-n "trawl before" "$BEFORE --color never $FLAGS -j $THREADS $dir $ext $PATTERN")
    commands+=(-n "ripgrep" "$RG --no-config --color never $FLAGS -j $THREADS --vimgrep --type-add bench:*.$ext -t bench -e $PATTERN $dir")
    # -i: the walk-only search finds nothing and exits 1.
    hyperfine -N -i --style none --output=pipe --warmup "$WARMUP" --runs "$RUNS" \
        --export-json "$TMP/run.json" "${commands[@]}" >/dev/null
    jq -r --arg corpus "$name" '
        # The floor is the faster way of reading on this machine: io_uring was on the AMD
        # machine, plain reads are on the Intel one (scripts/bench-results.md).
        ([.results[] | select(.command == "floor, io_uring" or .command == "floor, plain reads") | .mean] | min) as $floor
        | ([.results[] | select(.command == "ripgrep") | .mean] | first) as $rg
        | .results[]
        | "| \($corpus) | \(.command) | \(.mean * 1000 | round) ± \(.stddev * 1000 | round) | \(.mean / $floor * 100 | round / 100) | \(.mean / $rg * 100 | round / 100) | \((.user + .system) * 1000 | round) |"' \
        "$TMP/run.json"
done
echo
echo "- load after: $(cut -d' ' -f1-3 /proc/loadavg)"
