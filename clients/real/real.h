/* Real stub-resolver libraries linked into the harness and driven on its
 * event loop: c-ares 1.18 (in process, non-blocking) and glibc 2.36
 * libresolv res_nquery (blocking, on a small pool of worker threads).
 *
 * They talk to any 127.0.0.x:port given in the lookup (ENDPOINT_ANY_PORT), so
 * they need no sandbox. Each registers clients named "real:<library>[-knob]"
 * whose outcome is what the library itself reported. */
#pragma once

#include "clients/client.h"

/* Adds real:c-ares-1.18, real:c-ares-1.18-igntc (ARES_FLAG_IGNTC),
 * real:c-ares-1.18-edns (ARES_FLAG_EDNS, ednspsz 1232) and
 * real:c-ares-1.18-usevc (ARES_FLAG_USEVC). Each lookup runs alone on an
 * ares channel the client keeps for later lookups on the same loop
 * (re-pointed per lookup; detach frees them; a channel whose EDNS flag c-ares
 * dropped is never reused): one server (the lookup's address and port), one try of
 * lookup->timeout_ms, no search domains, no /etc/hosts; the name is asked with
 * ares_getaddrinfo (AF_INET for A, AF_INET6 for AAAA, AF_UNSPEC for
 * QTYPE_ADDR; ARES_AI_NOSORT, since the RFC 6724 sort only reorders and costs
 * a socket per address) so c-ares' own parsing and CNAME handling decide the answer.
 * Other query types cannot start (start returns -1; any_type is false).
 * Outcome: ARES_SUCCESS -> the addresses; ENODATA -> nodata; ENOTFOUND ->
 * nxdomain; ETIMEOUT -> timeout; others -> error with reason servfail,
 * refused, formerr, badresp, conn-refused, notimp, or the lower-case name
 * ("eof"); message "ARES_Exxx: <ares_strerror>". Note: 1.18.1 reports an
 * only server's SERVFAIL/REFUSED/NOTIMP as ARES_ECONNREFUSED.
 * Returns 0, or -1 when out of memory (the set keeps what was added). */
int real_cares_register(struct client_set *set);

/* Adds real:glibc-2.36-res, real:glibc-2.36-res-igntc (RES_IGNTC),
 * real:glibc-2.36-res-edns0 (RES_USE_EDNS0) and real:glibc-2.36-res-usevc
 * (RES_USEVC). Each lookup calls res_nquery (never res_nsearch) on a private
 * struct __res_state: one nameserver (the lookup's IPv4 address and port),
 * retrans = the timeout in whole seconds (at least 1), retry 1. QTYPE_ADDR
 * asks A then AAAA and unites them; any other type is asked as is
 * (any_type is true). The reply is read the way a careful application would
 * (reply-addrs.h): the records of the asked type on the CNAME chain, those
 * before any damage when the message is cut (then the message says where).
 * Failures: h_errno HOST_NOT_FOUND -> nxdomain, NO_DATA -> nodata (also a
 * NOERROR reply without answers, TC or not), NO_RECOVERY -> error with the
 * reply's rcode; TRY_AGAIN -> error with the reply's rcode (servfail,
 * refused, notimp), conn-refused (errno ECONNREFUSED), timeout (the whole
 * retrans elapsed), lame (glibc's lame-server rule), tcp-failed, or
 * try-again; message "h_errno=... errno=...". glibc's TCP path has no read
 * timeout of its own: against a server that accepts and never answers, a
 * lookup lasts until the server closes the connection.
 * res_nquery blocks, so it runs on a pool of worker threads that each client
 * starts on its first lookup (never at registration, so registering is safe
 * before sandbox_enter; after a lookup, the threads live until the client is
 * destroyed). A client serves one event_base at a time: start returns -1 for
 * another base while lookups are active; detach drops them all (done is
 * never called for them) so the next start may use a new base. Destroy joins the threads and must
 * not be called from inside done. Returns 0, or -1 when out of memory. */
int real_libresolv_register(struct client_set *set);
