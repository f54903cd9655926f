/* The real twins that run in helper processes (twin.h), one line each. */
#include "clients/real/twin.h"

#define OPTS "timeout:1 attempts:1"

static const struct twin_spec twins[] = {
        { "real:glibc-2.36", "gai-helper-glibc", OPTS, "glibc-2.36",
          "glibc 2.36 getaddrinfo (this machine's libc), resolv.conf defaults",
          "built with the project", 8 },
        { "real:glibc-2.36-edns0", "gai-helper-glibc", OPTS " edns0", "glibc-2.36-edns0",
          "glibc 2.36 getaddrinfo with options edns0",
          "built with the project", 8 },
        { "real:musl-1.2.3", "gai-helper-musl", OPTS, "musl-1.2.3",
          "musl 1.2.3 getaddrinfo (Debian musl-tools, static helper)",
          "apt-get install musl-tools, then rebuild", 8 },
        { "real:musl-1.2.4", "gai-helper-musl-1.2.4", OPTS, "musl-1.2.4",
          "musl 1.2.4 getaddrinfo (the musl bundled with Zig 0.11.0, static helper)",
          "clients/real/twins/fetch-zig.sh (needs npm), then meson setup --reconfigure build", 8 },
        { "real:uclibc-ng-1.0.35", "gai-helper-uclibc", OPTS, "uclibc-ng",
          "uClibc-ng 1.0.35 getaddrinfo (Debian uclibc-source, static helper)",
          "apt-get install uclibc-source && clients/real/twins/build-uclibc.sh, "
          "then meson setup --reconfigure build", 8 },
        { "real:go-1.19", "go-helper", OPTS, "go",
          "Go 1.19 net.Resolver, PreferGo (Debian golang-go, CGO_ENABLED=0 helper)",
          "apt-get install golang-go, then meson setup --reconfigure build", 4 },
        { "real:java-jndi-17", "jndi-helper", OPTS, "java-jndi",
          "OpenJDK 17 JNDI DNS provider, dns://ADDRESS:PORT (Debian openjdk-17-jdk-headless)",
          "apt-get install openjdk-17-jdk-headless, then meson setup --reconfigure build", 2 },
        { "real:busybox-1.35", "busybox-helper", OPTS, "busybox-nslookup",
          "BusyBox 1.35 nslookup applet, one process per lookup (Debian busybox)",
          "apt-get install busybox, then meson setup --reconfigure build", 4 },
};

int real_twins_register(struct client_set *set)
{
        for (size_t i = 0; i < sizeof(twins) / sizeof(twins[0]); i++)
                if (twin_register(set, &twins[i]) < 0)
                        return -1;
        return 0;
}
