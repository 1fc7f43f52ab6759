#!/usr/bin/env bash
# Takes the README screenshot from the real release binary: starts it under Xvfb, fills the
# fields with xdotool like a person would, runs a search over a real tree and saves a PNG.
#
#   scripts/screenshot.sh [OUT.png]        (default: assets/screenshot.png)
#
# Environment: TREE (default: the crate sources cargo has downloaded, else the Rust docs of the
# active toolchain), EXT (rs, or html for the docs), PATTERN ("impl Iterator", or Iterator),
# WAIT (seconds for the search, 15), SCREEN_DISPLAY (:97).
# Needs: xvfb, xdotool, imagemagick (apt-get install -y xvfb xdotool imagemagick).
set -euo pipefail

cd "$(dirname "$0")/.."
out=${1:-assets/screenshot.png}
registry=$(find "${CARGO_HOME:-$HOME/.cargo}/registry/src" -mindepth 1 -maxdepth 1 -type d 2>/dev/null | sort | head -1)
if [ -z "${TREE:-}" ] && [ -n "$registry" ]; then
    tree=$registry; ext=${EXT:-rs}; pattern=${PATTERN:-impl Iterator}
else
    tree=${TREE:-$(rustc --print sysroot)/share/doc/rust/html}; ext=${EXT:-html}; pattern=${PATTERN:-Iterator}
fi
wait_secs=${WAIT:-15}
display=${SCREEN_DISPLAY:-:97}

for tool in Xvfb xdotool import; do
    command -v "$tool" >/dev/null || { echo "screenshot.sh: $tool is missing (apt-get install -y xvfb xdotool imagemagick)" >&2; exit 2; }
done
[ -d "$tree" ] || { echo "screenshot.sh: $tree: no such folder (set TREE)" >&2; exit 2; }

cargo build --release --quiet

# A private home for eframe's saved state, so earlier runs do not change the picture.
state=$(mktemp -d)
xvfb_pid=""
app_pid=""
cleanup() {
    [ -n "$app_pid" ] && kill "$app_pid" 2>/dev/null || true
    [ -n "$xvfb_pid" ] && kill "$xvfb_pid" 2>/dev/null || true
    rm -rf "$state"
}
trap cleanup EXIT

Xvfb "$display" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
xvfb_pid=$!
sleep 1
export DISPLAY=$display
unset WAYLAND_DISPLAY
XDG_DATA_HOME=$state/data XDG_CONFIG_HOME=$state/config ./target/release/trawl >"$state/app.log" 2>&1 &
app_pid=$!

wid=""
for _ in $(seq 1 100); do
    wid=$(xdotool search --name '^trawl$' 2>/dev/null | head -1 || true)
    [ -n "$wid" ] && break
    sleep 0.1
done
[ -n "$wid" ] || { echo "screenshot.sh: the window did not appear; app log:" >&2; cat "$state/app.log" >&2; exit 1; }

xdotool windowmove "$wid" 0 0 windowsize "$wid" 1280 800
sleep 1
xdotool windowfocus --sync "$wid"

# Clicks are relative to the window; the fields sit where the search bar lays them out.
type_into() { # x y text
    xdotool mousemove --window "$wid" "$1" "$2" click 1
    sleep 0.3
    xdotool type --delay 40 "$3"
    sleep 0.5
}
type_into 500 17 "$tree"
type_into 180 41 "$ext"
type_into 600 41 "$pattern"
xdotool mousemove --window "$wid" 921 41 click 1   # "Aa": match case, as ripgrep does
sleep 0.3
xdotool mousemove --window "$wid" 600 41 click 1
sleep 0.3
xdotool key Return
sleep "$wait_secs"

# Select a row and hover another, so the selection and the row's copy button show.
xdotool mousemove --window "$wid" 400 210 click 1
sleep 0.3
xdotool mousemove --window "$wid" 700 306
sleep 0.5

mkdir -p "$(dirname "$out")"
import -window root "$out"
xdotool key --window "$wid" ctrl+q || true
echo "screenshot.sh: wrote $out"
