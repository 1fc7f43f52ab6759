#!/usr/bin/env bash
# trawl against ripgrep, side by side (issue 2 "Speed", issue 5).
#
# Runs the same searches with both tools under hyperfine, with the same thread count and the
# output going through a pipe (ripgrep is told `--vimgrep`, so it prints one `PATH:LINE:COL:TEXT`
# row per occurrence exactly as trawl does to a pipe: same work, columns included). Before timing,
# it checks that both find the same number of occurrences and matching files. The result is a
# markdown table on standard output; progress goes to standard error.
#
# Usage:   scripts/bench.sh > scripts/bench-results.md
# Options (environment):
#   THREADS=2   search threads for both tools (`-j`)
#   WARMUP=3    hyperfine warm-up runs (they also warm the page cache)
#   RUNS=10     timed runs per command
#   TRAWL=path  a trawl binary to use instead of building target/release/trawl
#   RG=path     a ripgrep binary (default: rg on PATH, else ~/.cargo/bin/rg)
#   ONLY=docs|registry|big   run one corpus only
#   BIG_DIR=path  where the single 1 GiB file is made once (default target/bench-big): the
#               cargo registry's .rs files, concatenated until 1 GiB
# Exit status: 0 when every row agrees, 1 when some count differs, 2 on a setup error.
set -euo pipefail

die() {
    echo "bench.sh: $*" >&2
    exit 2
}

cd "$(dirname "$0")/.."

THREADS=${THREADS:-2}
WARMUP=${WARMUP:-3}
RUNS=${RUNS:-10}
ONLY=${ONLY:-}

command -v hyperfine >/dev/null || die "hyperfine not found; install it: apt-get install -y hyperfine"
command -v jq >/dev/null || die "jq not found; install it: apt-get install -y jq"
if [[ -z ${RG:-} ]]; then
    RG=$(command -v rg || true)
    [[ -n $RG ]] || RG="$HOME/.cargo/bin/rg"
fi
[[ -x $RG ]] || die "ripgrep not found (no rg on PATH, none at $RG); install it: cargo install ripgrep"
if [[ -z ${TRAWL:-} ]]; then
    command -v cargo >/dev/null || die "cargo not found; set TRAWL=/path/to/trawl"
    echo "bench.sh: cargo build --release" >&2
    cargo build --release --quiet || die "cargo build --release failed"
    TRAWL=$PWD/target/release/trawl
fi
[[ -x $TRAWL ]] || die "trawl binary not found at $TRAWL"

SYSROOT=$(rustc --print sysroot 2>/dev/null || true)
DOCS="${SYSROOT:-(no rustc on PATH)}/share/doc/rust/html"
REGISTRY="${CARGO_HOME:-$HOME/.cargo}/registry/src"

# corpus name | folder | extension
CORPORA=()
if [[ -z $ONLY || $ONLY == docs ]]; then
    if [[ -d $DOCS ]]; then
        CORPORA+=("Rust docs|$DOCS|html")
    else
        echo "bench.sh: skipping the Rust docs: $DOCS not found (rustup component add rust-docs)" >&2
    fi
fi
if [[ -z $ONLY || $ONLY == registry ]]; then
    if [[ -d $REGISTRY ]]; then
        CORPORA+=("cargo registry|$REGISTRY|rs")
    else
        echo "bench.sh: skipping the cargo registry: $REGISTRY not found" >&2
    fi
fi
if [[ -z $ONLY || $ONLY == big ]]; then
    BIG_DIR=${BIG_DIR:-$PWD/target/bench-big}
    BIG=$BIG_DIR/big.rs
    GIB=1073741824
    if [[ ! -f $BIG || $(stat -c %s "$BIG") -ne $GIB ]]; then
        if [[ -d $REGISTRY ]]; then
            echo "bench.sh: making $BIG (1 GiB of the registry's .rs files, once)" >&2
            mkdir -p "$BIG_DIR"
            : >"$BIG.part"
            while (($(stat -c %s "$BIG.part") < GIB)); do
                before=$(stat -c %s "$BIG.part")
                find "$REGISTRY" -name '*.rs' -type f -print0 | sort -z | xargs -0r cat >>"$BIG.part"
                (($(stat -c %s "$BIG.part") > before)) || die "no .rs files in $REGISTRY to make $BIG from"
            done
            truncate -s "$GIB" "$BIG.part"
            mv "$BIG.part" "$BIG"
        else
            echo "bench.sh: skipping the single 1 GiB file: no registry to make it from" >&2
        fi
    fi
    [[ -f $BIG ]] && CORPORA+=("one 1 GiB file|$BIG_DIR|rs")
fi
((${#CORPORA[@]} > 0)) || die "no corpus to search"

# search name | flags shared by both tools | pattern
SEARCHES=(
    "rare literal||from_utf8_lossy"
    "common literal||Iterator"
    "case-insensitive word|-i -w|error"
    "regex with a class||[A-Z][a-z]+Error"
)

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# Both tools read no configuration file and print no colour.
export RIPGREP_CONFIG_PATH=
RG_BASE=(--no-config --color never -j "$THREADS")
TRAWL_BASE=(--color never -j "$THREADS")

quote() {
    local out="" word
    for word in "$@"; do
        out+="$(printf '%q' "$word") "
    done
    printf '%s' "${out% }"
}

# Prints "FILES MATCHES" as ripgrep counts them.
rg_counts() {
    local status=0
    "$RG" "${RG_BASE[@]}" --count-matches --no-filename "$@" >"$TMP/rg-count" || status=$?
    ((status <= 1)) || die "ripgrep failed (exit $status): $RG $*"
    awk '{ s += $1 } END { print NR, s + 0 }' "$TMP/rg-count"
}

# Prints "FILES MATCHES" from trawl's JSON summary.
trawl_counts() {
    local status=0
    "$TRAWL" "${TRAWL_BASE[@]}" --json "$@" >"$TMP/trawl-json" || status=$?
    ((status <= 1)) || die "trawl failed (exit $status): $TRAWL $*"
    tail -n 1 "$TMP/trawl-json" | jq -r '"\(.files_matched) \(.matches)"'
}

# "12.3 ± 0.4" in milliseconds from a hyperfine JSON result.
ms() {
    jq -r ".results[$2] | \"\(.mean * 1000 | round) ± \(.stddev * 1000 | round)\"" "$1"
}

# Mean CPU time (user + system) in milliseconds: steadier than wall time on a busy machine.
cpu_ms() {
    jq -r ".results[$2] | (.user + .system) * 1000 | round" "$1"
}

cpus=$(nproc 2>/dev/null || echo "?")
cpu_model=$(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)
commit=$(git rev-parse --short HEAD 2>/dev/null || echo "?")
git diff --quiet HEAD 2>/dev/null || commit+=" + uncommitted changes"

echo "## trawl vs ripgrep"
echo
echo "- Date: $(date -u '+%Y-%m-%d %H:%M UTC'); machine: $cpus cores${cpu_model:+ ($cpu_model)}, $(uname -sr)"
echo "- Load before the run: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?') (1, 5, 15 min)"
echo "- trawl $("$TRAWL" --version | awk '{ print $2 }') ($commit); $("$RG" --version | head -n 1)"
echo "- Both with \`-j $THREADS\`, output through a pipe (\`hyperfine --output=pipe\`), warm cache," \
    "$WARMUP warm-up runs, $RUNS timed runs; wall times are mean ± σ in ms; CPU is user + system"
echo "- trawl: \`trawl -j $THREADS [FLAGS] DIR EXT PATTERN\` (one \`PATH:LINE:COL:TEXT\` row per occurrence)"
echo "- ripgrep: \`rg --no-config -j $THREADS --vimgrep --type-add 'bench:*.EXT' -t bench [FLAGS] -e PATTERN DIR\`"
echo
echo "| corpus | search | files / occurrences (trawl · rg) | trawl ms | rg ms | trawl ÷ rg | CPU ms trawl · rg |"
echo "|---|---|---|---:|---:|---:|---:|"

disagree=0
for corpus in "${CORPORA[@]}"; do
    IFS='|' read -r corpus_name dir ext <<<"$corpus"
    for search in "${SEARCHES[@]}"; do
        IFS='|' read -r search_name flags pattern <<<"$search"
        read -ra flag_words <<<"$flags"
        trawl_args=("${TRAWL_BASE[@]}" "${flag_words[@]}" "$dir" "$ext" "$pattern")
        rg_args=("${RG_BASE[@]}" --vimgrep --type-add "bench:*.$ext" -t bench
            "${flag_words[@]}" -e "$pattern" "$dir")

        echo "bench.sh: $corpus_name, $search_name (${flags:+$flags }$pattern)" >&2
        trawl_count=$(trawl_counts "${flag_words[@]}" "$dir" "$ext" "$pattern")
        rg_count=$(rg_counts --type-add "bench:*.$ext" -t bench "${flag_words[@]}" -e "$pattern" "$dir")
        if [[ $trawl_count == "$rg_count" ]]; then
            counts="${trawl_count/ / / }"
        else
            counts="**differ**: ${trawl_count/ / / } · ${rg_count/ / / }"
            disagree=1
            echo "bench.sh: counts differ: trawl $trawl_count, rg $rg_count (files, occurrences)" >&2
        fi

        hyperfine --style none --output=pipe --warmup "$WARMUP" --runs "$RUNS" \
            --export-json "$TMP/run.json" \
            -n trawl "$(quote "$TRAWL" "${trawl_args[@]}")" \
            -n rg "$(quote "$RG" "${rg_args[@]}")" >/dev/null
        ratio=$(jq -r '(.results[0].mean / .results[1].mean * 100 | round) / 100' "$TMP/run.json")
        shown_flags=${flags:+$flags }
        echo "| $corpus_name | $search_name \`$shown_flags$pattern\` | $counts |" \
            "$(ms "$TMP/run.json" 0) | $(ms "$TMP/run.json" 1) | $ratio |" \
            "$(cpu_ms "$TMP/run.json" 0) · $(cpu_ms "$TMP/run.json" 1) |"
    done
done
echo
echo "- Load after the run: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')"
exit "$disagree"
