#!/bin/sh
# Build a static uClibc-ng 1.0.35 (Debian `uclibc-source`, Debian's amd64
# config) once and cache it outside the clone:
#
#   clients/real/twins/build-uclibc.sh [CACHE_DIR]
#
# CACHE_DIR defaults to /var/cache/stubcompat/uclibc-ng-1.0.35. When
# CACHE_DIR/.complete exists nothing is done; otherwise the tarball is unpacked
# in a temporary directory, built (about 7 minutes on one core), and installed
# into CACHE_DIR/usr (include/, lib/libc.a, crt1.o, crti.o, crtn.o). Progress
# goes to stderr, one line per library directory. Exit 0 when the cache is
# complete, 1 when the build failed (its log is kept in CACHE_DIR.log).
set -eu
version=1.0.35
cache="${1:-/var/cache/stubcompat/uclibc-ng-$version}"
tarball=/usr/src/uClibc-ng-$version.tar.xz

if [ -f "$cache/.complete" ]; then
        exit 0
fi
if [ ! -f "$tarball" ]; then
        echo "build-uclibc: $tarball missing: apt-get install uclibc-source" >&2
        exit 1
fi
mkdir -p "$(dirname "$cache")"
log="$cache.log"
work=$(mktemp -d "${TMPDIR:-/tmp}/uclibc-build.XXXXXX")
trap 'rm -rf "$work"' EXIT
echo "build-uclibc: building uClibc-ng $version into $cache (one time, ~7 min on one core, ~4 on two; log $log)" >&2
tar -xJf "$tarball" -C "$work"
src="$work/uClibc-ng-$version"
mkdir -p "$src/debian/include"
multiarch=$(gcc -print-multiarch)
ln -s "/usr/include/$multiarch/asm" "$src/debian/include/asm"
ln -s /usr/include/asm-generic "$src/debian/include/asm-generic"
ln -s /usr/include/linux "$src/debian/include/linux"
cp "$src/debian/config-amd64" "$src/.config"
# Debian's config, installed under the cache; the resolver code is untouched.
sed -i \
        -e 's|^KERNEL_HEADERS=.*|KERNEL_HEADERS="'"$src"'/debian/include"|' \
        -e 's|^RUNTIME_PREFIX=.*|RUNTIME_PREFIX="/"|' \
        -e 's|^DEVEL_PREFIX=.*|DEVEL_PREFIX="/usr/"|' \
        "$src/.config"
jobs=$(nproc 2>/dev/null || echo 1)
(
        cd "$src"
        yes '' | make ARCH=x86_64 oldconfig >/dev/null
        make -j"$jobs" ARCH=x86_64 V=1 libs
        rm -rf "$cache.tmp"
        make ARCH=x86_64 PREFIX="$cache.tmp" install_headers install_startfiles install_dev
        # the kernel headers its headers include, so the cache is self-contained
        cp -RL "$src/debian/include/asm" "$src/debian/include/asm-generic" \
                "$src/debian/include/linux" "$cache.tmp/usr/include/"
) >"$log" 2>&1 &
builder=$!
# progress: the object count grows to about 1900
while kill -0 "$builder" 2>/dev/null; do
        sleep 15
        n=$(find "$src" \( -name '*.o' -o -name '*.os' \) 2>/dev/null | wc -l)
        echo "build-uclibc: $n of ~1900 objects" >&2
done
if ! wait "$builder"; then
        echo "build-uclibc: build failed, see $log" >&2
        exit 1
fi
rm -rf "$cache"
mv "$cache.tmp" "$cache"
touch "$cache/.complete"
echo "build-uclibc: done: $cache" >&2
