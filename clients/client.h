/* A stub client: an emulated profile run by the engine, or a real library
 * driven by an adapter. Every client answers one lookup at a time per handle,
 * asynchronously on the harness's event loop, and reports an outcome. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include <event2/event.h>

#include "harness/run/outcome.h"

enum client_kind {
        CLIENT_EMULATED,
        CLIENT_REAL,
        CLIENT_KIND_MAX,
};

const char *client_kind_to_string(enum client_kind k);

/* Where a client must find the server. */
enum client_endpoint {
        ENDPOINT_ANY_PORT,      /* any 127.0.0.x:port given in the lookup */
        ENDPOINT_PORT53,        /* reads /etc/resolv.conf, port 53: the sandbox */
};

struct lookup {
        char qname[256];        /* presentation form, absolute */
        int qtype;              /* DNS_TYPE_A, DNS_TYPE_AAAA, or QTYPE_ADDR */
        struct sockaddr_storage server;
        socklen_t server_len;
        unsigned timeout_ms;    /* the client's own per-try timeout hint */
};

/* Called once per started lookup, on the loop thread. The outcome is only
 * valid during the call. */
typedef void (*client_done_fn)(void *arg, const struct outcome *o);

struct client;

struct client_ops {
        /* Starts a lookup. Returns 0 (done is called later, exactly once, unless
         * cancelled), or -1 when it could not start (done is not called). */
        int (*start)(struct client *c, struct event_base *base, const struct lookup *l,
                     client_done_fn done, void *arg, void **handle);
        /* Stops a lookup that has not reported; done is not called. */
        void (*cancel)(struct client *c, void *handle);
        /* The event loop of a run is about to be freed: drop everything bound
         * to it (events, helper processes busy in it). Idle state may be kept
         * for the next run; destroy releases it. May be NULL. */
        void (*detach)(struct client *c);
        /* Releases the client's private state. */
        void (*destroy)(struct client *c);
};

struct client {
        char name[64];              /* "musl-1.2.3", "real:c-ares-1.18" */
        enum client_kind kind;
        enum client_endpoint endpoint;
        char stands_for[192];       /* whom it stands for */
        char twin[64];              /* the other half of an emulated/real pair, or "" */
        char source[256];           /* where its behaviour comes from */
        bool available;
        char why_not[192];          /* when not available */
        unsigned max_parallel;      /* lookups in flight at once; 0: no limit */
        bool any_type;              /* can ask other types than A/AAAA (else: skipped) */
        const struct client_ops *ops;
        void *impl;
};

struct client_set {
        struct client **items;
        size_t n;
};

/* How far the client's verdicts rest on real code: "real" (the library
 * itself), "calibrated" (an emulated profile with a real twin that
 * `stubcompat calibrate` holds it to) or "model" (emulated, no twin). */
const char *client_standing(const struct client *c);

/* Builds every known client: the profiles in profiles_dir (emulated) and the
 * real adapters. Unavailable clients are kept, with why_not. Returns 0, or -1
 * with "file:line: message" in err for a malformed profile. */
int client_set_load(struct client_set *set, const char *profiles_dir, char *err, size_t errlen);
void client_set_free(struct client_set *set);
struct client *client_set_find(const struct client_set *set, const char *name);
/* Appends a client (takes ownership). Returns 0, or -1 when out of memory. */
int client_set_add(struct client_set *set, struct client *c);
