/* Generated configurations. Every resolver listens on 127.0.0.1 only, at the
 * harness's port, keeps its pid file, sockets and cache files in its private
 * directory, runs in the foreground as the invoking user and logs to stderr,
 * sends every name (".") to the fake server, validates nothing and caches
 * nothing across cells:
 *   dnsmasq        cache-size=0
 *   unbound        cache-max-ttl 0, infra-host-ttl 0; flush_infra, flush_zone and
 *                  flush_requestlist before each cell
 *   named          max-cache-ttl 0, max-ncache-ttl 0, servfail-ttl 0; rndc flush before each cell
 *   kresd          every query flagged NO_CACHE; cache.clear() before each cell
 *   pdns_recursor  rec_control wipe-cache before each cell (its TTL caps stop at 15 s)
 * The source ports of their queries stay in the kernel's ephemeral range
 * (dnsmasq, unbound and pdns_recursor pick from 1024-65535 by default), clear
 * of the upstream ports, which lie below it and are unbound between cells.
 * What each does with the zone otherwise is its own default: that is what is
 * measured. */
#include "harness/path/resolver-config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/types.h>

/* Appends a formatted word. Returns 0, or -1 when the store is full. */
static int argv_add(struct resolver_argv *a, const char *fmt, ...)
{
        size_t used = 0;
        for (int i = 0; i < a->argc; i++)
                used += strlen(a->argv[i]) + 1;
        if (a->argc >= RESOLVER_ARGV_MAX || used >= sizeof(a->store))
                return -1;
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(a->store + used, sizeof(a->store) - used, fmt, ap);
        va_end(ap);
        if (n < 0 || (size_t)n >= sizeof(a->store) - used)
                return -1;
        a->argv[a->argc++] = a->store + used;
        a->argv[a->argc] = NULL;
        return 0;
}

/* Writes text to dir/name. Returns 0, or -1 with why. */
static int write_file(const char *dir, const char *name, const char *text, char *why, size_t whylen)
{
        char path[512];
        snprintf(path, sizeof(path), "%s/%s", dir, name);
        FILE *f = fopen(path, "w");
        if (!f) {
                snprintf(why, whylen, "%s: %s", path, strerror(errno));
                return -1;
        }
        int bad = fputs(text, f) < 0;
        bad |= fclose(f) != 0;
        if (bad)
                snprintf(why, whylen, "%s: write failed", path);
        return bad ? -1 : 0;
}

static int dnsmasq_config(const struct resolver_setup *s, char *text, size_t len,
                          struct resolver_argv *run, struct resolver_flush *flush)
{
        (void)flush;
        snprintf(text, len,
                 "port=%u\nlisten-address=127.0.0.1\nbind-interfaces\n"
                 "no-resolv\nno-hosts\nno-poll\nno-negcache\ncache-size=0\n"
                 "server=%s#%u\npid-file=%s/dnsmasq.pid\nuser=root\ngroup=root\nlog-facility=-\n"
                 "min-port=%u\nmax-port=%u\n",
                 s->port, s->upstream, s->upstream_port, s->dir, s->query_port_min,
                 s->query_port_max);
        return argv_add(run, "/usr/sbin/dnsmasq") | argv_add(run, "--keep-in-foreground") |
               argv_add(run, "--conf-file=%s/dnsmasq.conf", s->dir);
}

/* Adds `unbound-control cmd` to the flush, spoken on its socket directly
 * (the tool's protocol without certificates: "UBCT1 cmd\n", then the reply
 * until the server closes). */
static int unbound_control(struct resolver_flush *f, const char *cmd)
{
        struct resolver_control *c = &f->control[f->ncontrol++];
        snprintf(c->socket, sizeof(c->socket), "control.sock");
        snprintf(c->line, sizeof(c->line), "UBCT1 %s\n", cmd);
        c->until_eof = true;
        return 0;
}

static int unbound_config(const struct resolver_setup *s, char *text, size_t len,
                          struct resolver_argv *run, struct resolver_flush *flush)
{
        snprintf(text, len,
                 "server:\n  port: %u\n  interface: 127.0.0.1\n  do-ip6: no\n"
                 "  access-control: 127.0.0.0/8 allow\n  username: \"\"\n  chroot: \"\"\n"
                 "  directory: \"%s\"\n  pidfile: \"%s/unbound.pid\"\n  use-syslog: no\n"
                 "  logfile: \"\"\n  verbosity: 1\n  num-threads: 1\n"
                 "  do-not-query-localhost: no\n  module-config: \"iterator\"\n"
                 "  cache-max-ttl: 0\n  cache-max-negative-ttl: 0\n  infra-host-ttl: 0\n"
                 "  outgoing-port-avoid: 0-65535\n  outgoing-port-permit: %u-%u\n"
                 "forward-zone:\n  name: \".\"\n  forward-addr: %s@%u\n"
                 "remote-control:\n  control-enable: yes\n  control-interface: \"%s/control.sock\"\n"
                 "  control-use-cert: no\n",
                 s->port, s->dir, s->dir, s->query_port_min, s->query_port_max, s->upstream,
                 s->upstream_port, s->dir);
        return argv_add(run, "/usr/sbin/unbound") | argv_add(run, "-d") | argv_add(run, "-c") |
               argv_add(run, "%s/unbound.conf", s->dir) |
               unbound_control(flush, "flush_infra all") | unbound_control(flush, "flush_zone .") |
               unbound_control(flush, "flush_requestlist");
}

/* A fresh HMAC secret for rndc, base64. Returns 0, or -1 without entropy. */
static int rndc_secret(char out[48])
{
        static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        uint8_t key[33];
        if (getrandom(key, sizeof(key), 0) != (ssize_t)sizeof(key))
                return -1;
        for (size_t i = 0, o = 0; i < sizeof(key); i += 3, o += 4) {
                uint32_t v = (uint32_t)key[i] << 16 | (uint32_t)key[i + 1] << 8 | key[i + 2];
                for (int k = 0; k < 4; k++)
                        out[o + (size_t)k] = b64[(v >> (18 - 6 * k)) & 63];
        }
        out[44] = '\0';
        return 0;
}

/* named keeps TTL-0 answers long enough to give one cell the previous
 * point's records (seen: a TCP answer with 29 records at records=30), so it
 * is flushed with rndc over a control channel keyed for this run only. */
static int bind9_config(const struct resolver_setup *s, char *text, size_t len,
                        struct resolver_argv *run, struct resolver_flush *flush)
{
        char secret[48], rndc[512], why[128];
        if (rndc_secret(secret) < 0)
                return -1;
        snprintf(rndc, sizeof(rndc),
                 "key \"stubcompat\" { algorithm hmac-sha256; secret \"%s\"; };\n"
                 "options { default-key \"stubcompat\"; default-server 127.0.0.1; "
                 "default-port %u; };\n", secret, s->control_port);
        if (write_file(s->dir, "rndc.conf", rndc, why, sizeof(why)) < 0)
                return -1;
        snprintf(text, len,
                 "key \"stubcompat\" { algorithm hmac-sha256; secret \"%s\"; };\n"
                 "controls { inet 127.0.0.1 port %u allow { 127.0.0.1; } keys { \"stubcompat\"; }; };\n",
                 secret, s->control_port);
        size_t used = strlen(text);
        text += used;
        len -= used;
        snprintf(text, len,
                 "options {\n  directory \"%s\";\n  pid-file \"%s/named.pid\";\n"
                 "  managed-keys-directory \"%s\";\n  session-keyfile none;\n"
                 "  listen-on port %u { 127.0.0.1; };\n  listen-on-v6 { none; };\n"
                 "  recursion yes;\n  allow-query { any; };\n  allow-recursion { any; };\n"
                 "  dnssec-validation no;\n  max-cache-ttl 0;\n  max-ncache-ttl 0;\n"
                 "  servfail-ttl 0;\n  notify no;\n"
                 "  use-v4-udp-ports { range %u %u; };\n  avoid-v4-udp-ports { };\n"
                 "  forward only;\n  forwarders { %s port %u; };\n};\n",
                 s->dir, s->dir, s->dir, s->port, s->query_port_min, s->query_port_max,
                 s->upstream, s->upstream_port);
        flush->ncmd = 1;
        return argv_add(run, "/usr/sbin/named") | argv_add(run, "-g") | argv_add(run, "-n") |
               argv_add(run, "1") | argv_add(run, "-c") | argv_add(run, "%s/named.conf", s->dir) |
               argv_add(&flush->cmd[0], "/usr/sbin/rndc") | argv_add(&flush->cmd[0], "-c") |
               argv_add(&flush->cmd[0], "%s/rndc.conf", s->dir) |
               argv_add(&flush->cmd[0], "flush");
}

/* NO_CACHE keeps answers out of the cache, not what kresd learnt about a
 * failing upstream (seen: SERVFAIL at once, without a query, for the next
 * stub after EDNS FORMERR and refused TCP): cache.clear() forgets that too. */
static int kresd_config(const struct resolver_setup *s, char *text, size_t len,
                        struct resolver_argv *run, struct resolver_flush *flush)
{
        snprintf(flush->control[0].line, sizeof(flush->control[0].line), "cache.clear()\n");
        flush->ncontrol = 1;
        snprintf(text, len,
                 "net.listen('127.0.0.1', %u, { kind = 'dns' })\n"
                 "modules.unload('detect_time_skew')\nmodules.unload('detect_time_jump')\n"
                 "modules.unload('priming')\nmodules.unload('ta_signal_query')\n"
                 "modules.unload('ta_sentinel')\ntrust_anchors.remove('.')\n"
                 "cache.size = 10 * MB\n"
                 "policy.add(policy.all(policy.FLAGS({'NO_CACHE'})))\n"
                 "policy.add(policy.all(policy.STUB({'%s@%u'})))\n",
                 s->port, s->upstream, s->upstream_port);
        return argv_add(run, "/usr/sbin/kresd") | argv_add(run, "-n") | argv_add(run, "-c") |
               argv_add(run, "%s/kresd.conf", s->dir) | argv_add(run, "%s", s->dir);
}

static int pdns_config(const struct resolver_setup *s, char *text, size_t len,
                       struct resolver_argv *run, struct resolver_flush *flush)
{
        snprintf(text, len,
                 "local-address=127.0.0.1\nlocal-port=%u\nsocket-dir=%s\ndaemon=no\n"
                 "write-pid=yes\nhint-file=no\nsecurity-poll-suffix=\n"
                 "forward-zones-recurse=.=%s:%u\ndnssec=off\n"
                 "max-cache-ttl=0\nmax-negative-ttl=0\ndisable-packetcache=yes\n"
                 "dont-throttle-netmasks=127.0.0.0/8\nserver-down-max-fails=0\n"
                 "threads=1\nloglevel=4\nquiet=yes\n"
                 "udp-source-port-min=%u\nudp-source-port-max=%u\n",
                 s->port, s->dir, s->upstream, s->upstream_port, s->query_port_min,
                 s->query_port_max);
        flush->ncmd = 1;
        return argv_add(run, "/usr/sbin/pdns_recursor") | argv_add(run, "--config-dir=%s", s->dir) |
               argv_add(&flush->cmd[0], "/usr/bin/rec_control") |
               argv_add(&flush->cmd[0], "--socket-dir=%s", s->dir) |
               argv_add(&flush->cmd[0], "wipe-cache") | argv_add(&flush->cmd[0], ".$");
}

static const struct {
        const char *file;
        int (*config)(const struct resolver_setup *s, char *text, size_t len,
                      struct resolver_argv *run, struct resolver_flush *flush);
} config_table[VIA_MAX] = {
        [VIA_DNSMASQ] = { "dnsmasq.conf", dnsmasq_config },
        [VIA_UNBOUND] = { "unbound.conf", unbound_config },
        [VIA_BIND9] = { "named.conf", bind9_config },
        [VIA_KNOT_RESOLVER] = { "kresd.conf", kresd_config },
        [VIA_PDNS_RECURSOR] = { "recursor.conf", pdns_config },
};

int resolver_config_write(enum resolver_path path, const struct resolver_setup *s,
                          struct resolver_argv *run, struct resolver_flush *flush, char *why,
                          size_t whylen)
{
        char text[2048];

        memset(run, 0, sizeof(*run));
        memset(flush, 0, sizeof(*flush));
        if (path <= VIA_DIRECT || path >= VIA_MAX || !config_table[path].config) {
                snprintf(why, whylen, "no resolver for path %d", (int)path);
                return -1;
        }
        if (config_table[path].config(s, text, sizeof(text), run, flush) != 0) {
                snprintf(why, whylen, "%s: command line too long", resolver_path_to_string(path));
                return -1;
        }
        return write_file(s->dir, config_table[path].file, text, why, whylen);
}
