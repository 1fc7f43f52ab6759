#!/usr/bin/env bash
# Builds trawl's Debian package and checks it. Run by hand from anywhere in the repository (CI
# does not run it):
#
#   scripts/package.sh            # prints the .deb's path last
#
# Needs cargo-deb (`cargo install cargo-deb`) and, for the checks, Debian's desktop-file-utils,
# appstream and man-db (`apt-get install -y desktop-file-utils appstream man-db`).
#
# The release binary is built first, so that the man page and the shell completions come from
# its own `--generate` (the clap definition that parses its arguments); they are written under
# target/release/generated/, where Cargo.toml's [package.metadata.deb] assets take them from.
# The package is then unpacked into a throwaway folder and its files are checked there: the file
# list, the binary's version, size and symbols, desktop-file-validate, appstreamcli validate, the man page
# rendered by `man -l` without a warning, bash -n on the bash completion, the icons' sizes.
set -euo pipefail

die() {
    echo "package.sh: $*" >&2
    exit 1
}

cd "$(dirname "$0")/.."
for tool in cargo dpkg-deb desktop-file-validate appstreamcli man gzip readelf; do
    command -v "$tool" >/dev/null || die "$tool is not installed"
done
cargo deb --version >/dev/null 2>&1 || die "cargo-deb is not installed: cargo install cargo-deb"

# cargo's own answer, whatever CARGO_TARGET_DIR or .cargo/config say.
target=$(cargo metadata --no-deps --format-version 1 |
    sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
[ -n "$target" ] || die "cargo metadata named no target directory"
version=$(cargo metadata --no-deps --format-version 1 |
    sed -n 's/.*"name":"trawl","version":"\([^"]*\)".*/\1/p')
[ -n "$version" ] || die "cargo metadata named no version for trawl"

echo "package.sh: cargo build --release" >&2
cargo build --release --locked
bin=$target/release/trawl

generated=$target/release/generated
rm -rf "$generated"
mkdir -p "$generated"
# -n: no name or time stamp in the gzip header, so the same page gives the same bytes.
"$bin" --generate man | gzip -9n >"$generated/trawl.1.gz"
"$bin" --generate complete-bash >"$generated/trawl.bash"
"$bin" --generate complete-zsh >"$generated/_trawl"
"$bin" --generate complete-fish >"$generated/trawl.fish"

echo "package.sh: cargo deb --no-build --no-strip" >&2
# --no-strip: the release profile already left out the debug info; cargo-deb's own strip would
# also take the symbols that name a panic's backtrace frames. cargo-deb prints the package's path
# on standard output.
deb=$(cargo deb --no-build --no-strip --locked | tail -n 1)
[ -f "$deb" ] || die "cargo deb made no package (it printed: $deb)"

work=$(mktemp -d "${TMPDIR:-/tmp}/trawl-package.XXXXXX")
trap 'rm -rf "$work"' EXIT

echo "package.sh: checking $deb" >&2
dpkg-deb --info "$deb" control
dpkg-deb --contents "$deb" | tee "$work/contents"
for path in \
    ./usr/bin/trawl \
    ./usr/share/applications/trawl.desktop \
    ./usr/share/metainfo/io.github.trawl.metainfo.xml \
    ./usr/share/icons/hicolor/48x48/apps/trawl.png \
    ./usr/share/icons/hicolor/128x128/apps/trawl.png \
    ./usr/share/icons/hicolor/256x256/apps/trawl.png \
    ./usr/share/icons/hicolor/scalable/apps/trawl.svg \
    ./usr/share/man/man1/trawl.1.gz \
    ./usr/share/bash-completion/completions/trawl \
    ./usr/share/zsh/vendor-completions/_trawl \
    ./usr/share/fish/vendor_completions.d/trawl.fish \
    ./usr/share/doc/trawl/copyright; do
    awk -v want="$path" '$NF == want { found = 1 } END { exit !found }' "$work/contents" ||
        die "the package lacks $path"
done

root=$work/root
dpkg-deb --extract "$deb" "$root"

shown=$("$root/usr/bin/trawl" --version)
[ "$shown" = "trawl $version" ] || die "the packaged trawl says '$shown', not 'trawl $version'"
size=$(stat -c %s "$root/usr/bin/trawl")
echo "package.sh: usr/bin/trawl is $size bytes ($((size / 1000000)) MB)" >&2
[ "$size" -le 30000000 ] || die "usr/bin/trawl is over 30 MB"
readelf --sections --wide "$root/usr/bin/trawl" | grep -q ' \.symtab ' ||
    die "usr/bin/trawl has no symbol table: a backtrace would name no function"

desktop=$root/usr/share/applications/trawl.desktop
desktop-file-validate "$desktop"
grep -qx 'StartupWMClass=trawl' "$desktop" || die "trawl.desktop's StartupWMClass is not trawl"
grep -qx 'Icon=trawl' "$desktop" || die "trawl.desktop's Icon is not trawl"

appstreamcli validate --no-net "$root/usr/share/metainfo/io.github.trawl.metainfo.xml"

# man prints groff's warnings (a bad request, a line it cannot break) on standard error.
MANWIDTH=80 man --warnings -l "$root/usr/share/man/man1/trawl.1.gz" >"$work/man.txt" 2>"$work/man.err"
[ ! -s "$work/man.err" ] || die "man -l warned: $(cat "$work/man.err")"
grep -q -- '--ignore-case' "$work/man.txt" || die "the rendered man page lacks --ignore-case"
head -n 3 "$work/man.txt"

bash -n "$root/usr/share/bash-completion/completions/trawl"

# A PNG's width and height are the big-endian words at bytes 16 and 20.
for px in 48 128 256; do
    read -r width height < <(od -An -tu1 -j16 -N8 "$root/usr/share/icons/hicolor/${px}x${px}/apps/trawl.png" |
        awk '{ print $1 * 16777216 + $2 * 65536 + $3 * 256 + $4, $5 * 16777216 + $6 * 65536 + $7 * 256 + $8 }')
    [ "$width $height" = "$px $px" ] || die "the ${px}x${px} icon is ${width}x${height}"
done

echo "package.sh: all checks passed" >&2
echo "$deb"
