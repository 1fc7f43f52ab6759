#!/usr/bin/env bash
# Lints trawl for the other systems it ships on: `cargo clippy -D warnings`, as .ci/run does
# for Linux, for Windows (x86_64-pc-windows-gnu) and macOS (x86_64-apple-darwin). Only Linux
# builds and runs here; this catches code that does not compile or warns elsewhere (an item
# only Unix code uses, a Unix-only helper called from portable code). Nothing is linked or run.
#
# What each target needs, installed when missing (apt-get only as root):
# - both: the target's standard library (rustup) and its crates (cargo fetch);
# - Windows: MinGW's gcc (gcc-mingw-w64-x86-64), which zstd-sys's build script compiles
#   zstd's C with;
# - macOS: that C would need the macOS SDK, which cannot be had here. With
#   ZSTD_SYS_USE_PKG_CONFIG set, zstd-sys compiles nothing and takes libzstd from pkg-config;
#   a stand-in libzstd.pc answers, harmless since a check links nothing. Needs pkg-config.
#
# Usage: scripts/check-targets.sh [TARGET...]   (default: both)
# Exit status: 0 all clean; 1 an error or warning; 77 nothing failed but a target was
# skipped, with a NOTE, because what it needs could not be installed (no network, no apt).
set -euo pipefail
cd "$(dirname "$0")/.."

targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(x86_64-pc-windows-gnu x86_64-apple-darwin)

# Installs the Debian package $1 when root with apt-get; fails quietly otherwise.
apt_install() {
    [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 || return 1
    { apt-get update -qq && apt-get install -y -qq --no-install-recommends "$1"; } >/dev/null 2>&1
}

# Prints why target $1 cannot be checked here, after installing what it lacks; nothing if
# it can.
missing_for() {
    if ! command -v rustup >/dev/null 2>&1; then
        echo "rustup is not installed"
        return
    fi
    # The list is read whole first: grep -q stopping early would fail the pipe (pipefail).
    installed=$(rustup target list --installed)
    if ! grep -qx "$1" <<<"$installed" && ! rustup target add "$1" >/dev/null 2>&1; then
        echo "rustup could not install the $1 target"
        return
    fi
    # Crates only this target uses (windows-sys, objc2, ...) are downloaded first, so that a
    # missing network says so here rather than failing the lint.
    if ! cargo fetch --target "$1" >/dev/null 2>&1; then
        echo "cargo could not fetch the crates for $1"
        return
    fi
    case "$1" in
        x86_64-pc-windows-gnu)
            command -v x86_64-w64-mingw32-gcc >/dev/null 2>&1 \
                || apt_install gcc-mingw-w64-x86-64 \
                || echo "MinGW's gcc (x86_64-w64-mingw32-gcc) is not installed"
            ;;
        *-apple-*)
            command -v pkg-config >/dev/null 2>&1 || apt_install pkg-config \
                || echo "pkg-config is not installed"
            ;;
    esac
}

failed=0
skipped=0
for target in "${targets[@]}"; do
    why=$(missing_for "$target")
    if [ -n "$why" ]; then
        echo "NOTE: $target not checked: $why."
        skipped=1
        continue
    fi
    echo "cargo clippy --target $target"
    vars=()
    if [[ "$target" == *-apple-* ]]; then
        # In the target folder, at the same path every time: zstd-sys's build script (and
        # all that depends on it) runs again whenever the path changes.
        mkdir -p "${CARGO_TARGET_DIR:-target}/stand-in"
        stand_in=$(cd "${CARGO_TARGET_DIR:-target}/stand-in" && pwd)
        printf '%s\n' "Name: libzstd" "Description: stand-in for a check" "Version: 1.5.7" \
            "Libs: -lzstd" "Cflags:" >"$stand_in/libzstd.pc"
        vars=(ZSTD_SYS_USE_PKG_CONFIG=1 "PKG_CONFIG_ALLOW_CROSS_${target//-/_}=1"
            "PKG_CONFIG_LIBDIR_${target//-/_}=$stand_in")
    fi
    env "${vars[@]}" cargo clippy --keep-going --workspace --all-targets --target "$target" \
        -- -D warnings || failed=1
done
if [ "$failed" = 1 ]; then
    exit 1
elif [ "$skipped" = 1 ]; then
    exit 77
fi
