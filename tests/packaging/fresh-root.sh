# Sourced by the tests/packaging scripts: a fresh Debian 12 root to try things
# in, as a new user's machine would be. Needs root, debootstrap and network
# access to deb.debian.org.
#
#   fresh_root DIR        DIR becomes a copy of a minimal Debian 12 (minbase)
#                         root with apt sources and a resolv.conf; the
#                         debootstrap tree is made once and cached in
#                         $STUBCOMPAT_ROOT_CACHE
#   in_root DIR CMD...    runs CMD as root inside DIR (pivot_root) with /proc, /sys
#                         and /dev mounted in a private mount namespace, so
#                         nothing stays mounted afterwards
STUBCOMPAT_ROOT_CACHE=${STUBCOMPAT_ROOT_CACHE:-/var/cache/stubcompat/debootstrap-bookworm}
DEBIAN_MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}

fresh_root() {
        if [ ! -d "$STUBCOMPAT_ROOT_CACHE" ]; then
                echo "fresh-root: debootstrap bookworm into $STUBCOMPAT_ROOT_CACHE (once, ~2 min)" >&2
                rm -rf "$STUBCOMPAT_ROOT_CACHE.tmp"
                mkdir -p "$(dirname "$STUBCOMPAT_ROOT_CACHE")"
                debootstrap --variant=minbase bookworm "$STUBCOMPAT_ROOT_CACHE.tmp" "$DEBIAN_MIRROR" >&2
                mv "$STUBCOMPAT_ROOT_CACHE.tmp" "$STUBCOMPAT_ROOT_CACHE"
        fi
        rm -rf "$1"
        mkdir -p "$(dirname "$1")"
        cp -a "$STUBCOMPAT_ROOT_CACHE" "$1"
        cat > "$1/etc/apt/sources.list" <<SOURCES
deb $DEBIAN_MIRROR bookworm main
deb $DEBIAN_MIRROR bookworm-updates main
deb http://deb.debian.org/debian-security bookworm-security main
SOURCES
        # name resolution for apt inside the root: a copy, the host's file is only read
        cp -L /etc/resolv.conf "$1/etc/resolv.conf"
        # the network's own TLS authorities (a proxy that re-signs HTTPS, as
        # on this machine) belong to the network, not to the fresh system:
        # ca-certificates picks them up from here when bootstrap installs it
        if [ -d /usr/local/share/ca-certificates ]; then
                mkdir -p "$1/usr/local/share/ca-certificates"
                cp -L /usr/local/share/ca-certificates/*.crt "$1/usr/local/share/ca-certificates/" 2>/dev/null || true
        fi
        # the root shares the host's network: packages installed into it (the
        # resolvers stubcompat recommends) must not start their services there
        printf '#!/bin/sh\n# fresh-root: start no service in this root\nexit 101\n' > "$1/usr/sbin/policy-rc.d"
        chmod 755 "$1/usr/sbin/policy-rc.d"
}

in_root() {
        # pivot_root, not a bare chroot: a process in a chroot that unshares a
        # mount namespace (the real-client sandbox does) may find itself back
        # at the host's root on some kernels (gVisor); after pivot_root the
        # namespace's root is the fresh root itself.
        dir=$1
        shift
        unshare --mount --fork sh -c '
                dir=$1; shift
                mount --make-rprivate /
                mount --bind "$dir" "$dir"
                mount -t proc proc "$dir/proc"
                mount -t sysfs sys "$dir/sys" 2>/dev/null || true
                mount --rbind /dev "$dir/dev"
                cd "$dir"
                mkdir -p .oldroot
                pivot_root . .oldroot
                exec chroot . /usr/bin/env -i HOME=/root TERM=dumb \
                        PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
                        sh -c "umount -l /.oldroot && rmdir /.oldroot && exec \"\$@\"" in_root "$@"
        ' in_root "$dir" "$@"
}
