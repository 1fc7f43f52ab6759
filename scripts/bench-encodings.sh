#!/usr/bin/env bash
# The cost of -E auto (#16), under hyperfine in one run per corpus:
#  1. on the Rust docs and the cargo registry (all UTF-8): trawl without -E, with -E auto, and
#     (BEFORE=path) a build from before -E existed;
#  2. on a generated tree of legacy-encoded files (scripts/make-legacy-tree.py, ~100 MB):
#     -E auto on it against the same text stored as UTF-8, searched without -E and with -E auto
#     (and BEFORE's -E auto on it).
# Then the same commands interleaved (scripts/ab.py), which a shared machine needs: hyperfine
# runs one command's runs, then the next's.
#
# Usage:   scripts/bench-encodings.sh        (TRAWL=path BEFORE=path RUNS=10 ROUNDS=15 TREE=dir
#                                             PARTS="utf8 legacy", or one of the two)
set -euo pipefail
cd "$(dirname "$0")/.."

TRAWL=${TRAWL:-target/release/trawl}
RUNS=${RUNS:-10}
ROUNDS=${ROUNDS:-15}
TREE=${TREE:-target/bench-legacy}
PARTS=${PARTS:-utf8 legacy}
DOCS="$(rustc --print sysroot)/share/doc/rust/html"
REGISTRY="${CARGO_HOME:-$HOME/.cargo}/registry/src"
[[ -x $TRAWL ]] || { echo "bench-encodings.sh: no trawl at $TRAWL (cargo build --release)" >&2; exit 2; }
if [[ $PARTS == *legacy* && ! -d $TREE/legacy ]]; then
    python3 scripts/make-legacy-tree.py "$TREE" 100 >&2
fi

echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
utf8_corpus() { # name dir ext pattern
    local cmds=("$TRAWL -j 2 $2 $3 $4" "$TRAWL -E auto -j 2 $2 $3 $4")
    [[ -n ${BEFORE:-} ]] && cmds+=("$BEFORE -j 2 $2 $3 $4")
    echo "== $1, $4"
    hyperfine -N --warmup 3 --runs "$RUNS" --output=pipe "${cmds[@]}" 2>&1 | grep -E "Time|±|Benchmark"
    python3 scripts/ab.py "$ROUNDS" "${cmds[@]}"
}
legacy_corpus() { # pattern
    local cmds=("$TRAWL -j 2 $TREE/utf8 txt $1" "$TRAWL -E auto -j 2 $TREE/legacy txt $1"
        "$TRAWL -E auto -j 2 $TREE/utf8 txt $1")
    [[ -n ${BEFORE:-} ]] && cmds+=("$BEFORE -E auto -j 2 $TREE/legacy txt $1")
    echo "== legacy tree, $1"
    # -i: a pattern found nowhere exits 1.
    hyperfine -N -i --warmup 3 --runs "$RUNS" --output=pipe "${cmds[@]}" 2>&1 | grep -E "Time|±|Benchmark"
    python3 scripts/ab.py "$ROUNDS" "${cmds[@]}"
}
if [[ $PARTS == *utf8* ]]; then
    utf8_corpus "Rust docs" "$DOCS" html from_utf8_lossy
    utf8_corpus "Rust docs" "$DOCS" html "-i -w error"
    utf8_corpus "cargo registry" "$REGISTRY" rs from_utf8_lossy
    utf8_corpus "cargo registry" "$REGISTRY" rs "-i -w error"
fi
if [[ $PARTS == *legacy* ]]; then
    legacy_corpus needle_16 # in 486 of the 618 files: searched as bytes, matching lines decoded
    legacy_corpus "--json needle_16" # the same, printing byte offsets: a legacy file's measured
    legacy_corpus needle_17 # in no file: passed over before detection
    legacy_corpus "'needle_1[67]'" # a class: the same files as needle_16, searched as bytes
    legacy_corpus "'日本語|中文|한국어|café'" # not ASCII: every file decoded
fi
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
