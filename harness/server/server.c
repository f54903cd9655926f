#include "harness/server/server-internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "harness/replay/canned.h"
#include "harness/server/query.h"
#include "harness/server/reply-memo.h"
#include "harness/server/udp-send.h"
#include "harness/wire/reader.h"

bool server_address_is_loopback(const char *address)
{
        struct in_addr a4;
        struct in6_addr a6;
        if (inet_pton(AF_INET, address, &a4) == 1)
                return (ntohl(a4.s_addr) >> 24) == 127;
        if (inet_pton(AF_INET6, address, &a6) == 1)
                return IN6_IS_ADDR_LOOPBACK(&a6);
        return false;
}

static void format_peer(const struct sockaddr *sa, char *buf, size_t len)
{
        char host[INET6_ADDRSTRLEN] = "?";
        unsigned port = 0;
        if (sa->sa_family == AF_INET) {
                const struct sockaddr_in *in = (const void *)sa;
                inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
                port = ntohs(in->sin_port);
        } else if (sa->sa_family == AF_INET6) {
                const struct sockaddr_in6 *in6 = (const void *)sa;
                inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
                port = ntohs(in6->sin6_port);
        }
        snprintf(buf, len, "%s:%u", host, port);
}

void server_note_exchange(struct server *s, const struct server_exchange *in)
{
        struct server_exchange withheld;
        const struct server_exchange *x = in;

        if (!in->sent && (in->reply_bytes || in->reply_data || in->rcode >= 0)) {
                /* rendered but withheld (drop_first, udp_drop_above, tcp=blackhole,
                 * tcp=close): report what was sent, i.e. nothing; note says why */
                withheld = *in;
                withheld.reply_bytes = 0;
                withheld.reply_data = NULL;
                withheld.tc = false;
                withheld.records = 0;
                withheld.rcode = -1;
                x = &withheld;
        }
        s->stats.queries[x->transport]++;
        s->stats.last_edns = x->edns;
        if (x->sent) {
                s->stats.replies[x->transport]++;
                s->stats.bytes[x->transport] = x->reply_bytes;
                if (x->tc)
                        s->stats.tc_sent++;
        } else {
                s->stats.dropped++;
        }
        if (in->malformed)
                s->stats.malformed++;
        if (s->observer)
                s->observer(s->observer_arg, x);
}

/* Answers from the point's canned replies (stubcompat reproduce): the first
 * rule that matches the query decides. Returns true when the rule sent its
 * bytes or dropped the query (*n is the reply length, 0 for a drop), false
 * when the point answers as usual (no rule matched, or the rule renders). */
static bool canned_reply(struct point *pt, const struct query_info *q, enum transport t,
                         uint8_t *out, size_t cap, size_t *n, struct render_result *res,
                         struct server_exchange *x)
{
        const struct canned_rule *r = pt->canned ? canned_match(pt->canned, q, t) : NULL;
        if (!r)
                return false;
        if (r->note[0])
                x->note = r->note;
        if (r->action == CANNED_RENDER)
                return false;
        *n = r->action == CANNED_SEND ? canned_apply(r, q, out, cap, res) : 0;
        return true;
}

size_t server_handle_query(struct point *pt, const uint8_t *query, size_t len, enum transport t,
                           uint8_t *out, size_t cap, struct server_exchange *x)
{
        return server_answer(pt, query, len, t, out, cap, x, true);
}

size_t server_answer(struct point *pt, const uint8_t *query, size_t len, enum transport t,
                     uint8_t *out, size_t cap, struct server_exchange *x, bool name_text)
{
        struct query_info q;
        struct render_result res;
        enum query_status st = query_parse(query, len, &q);
        size_t n = 0;

        memset(x, 0, sizeof(*x));
        x->transport = t;
        x->query_bytes = len;
        x->query_data = query;
        x->reply_data = NULL;
        x->edns = q.has_opt ? q.opt_size : -1;
        x->rcode = -1;
        x->qtype = q.qtype;
        if (q.qname_len && name_text)
                wire_name_to_text(q.qname, q.qname_len, x->qname, sizeof(x->qname));
        switch (st) {
        case QUERY_DROP:
                x->note = "unanswerable query dropped";
                return 0;
        case QUERY_FORMERR:
                q.question_len = 0;
                x->qname[0] = '\0';
                x->malformed = true;
                n = render_bare(&pt->params, &q, DNS_RCODE_FORMERR, out, cap, &res);
                break;
        case QUERY_NOTIMP:
                q.question_len = 0;
                n = render_bare(&pt->params, &q, DNS_RCODE_NOTIMP, out, cap, &res);
                break;
        case QUERY_OK: {
                if (canned_reply(pt, &q, t, out, cap, &n, &res, x)) {
                        if (n == 0)
                                return 0;
                        break;
                }
                const struct answer *a = point_answer(pt, q.qname, q.qname_len, q.qtype);
                if (!a) {
                        n = render_bare(&pt->params, &q, DNS_RCODE_SERVFAIL, out, cap, &res);
                        x->note = "out of memory";
                        break;
                }
                n = render_reply(a, &pt->params, &q, t, out, cap, &res);
                if (res.truncated)
                        x->note = truncation_to_string(pt->params.truncation);
                break;
        }
        default:
                return 0;
        }
        x->reply_bytes = n;
        x->reply_data = n ? out : NULL;
        x->tc = res.tc;
        x->records = res.records;
        x->rcode = res.rcode;
        return n;
}

#define UDP_BATCH UDP_SEND_MAX

/* Datagrams read and written per system call (recvmmsg/sendmmsg). */
struct udp_batch {
        struct mmsghdr in[UDP_BATCH];
        struct iovec iov_in[UDP_BATCH];
        struct udp_reply out[UDP_BATCH];
        enum udp_send_status status[UDP_BATCH];
        struct sockaddr_storage peers[UDP_BATCH];
        struct server_exchange x[UDP_BATCH];
        int query_of[UDP_BATCH];          /* out[k] answers in[query_of[k]] */
        uint8_t query[UDP_BATCH][65536];
        uint8_t reply[UDP_BATCH][SERVER_REPLY_CAP];
};

static __thread struct server_scratch *scratch;
static __thread struct udp_batch *batch;

struct server_scratch *server_scratch(void)
{
        if (!scratch)
                scratch = malloc(sizeof(*scratch));
        return scratch;
}

static struct udp_batch *udp_batch(void)
{
        if (!batch)
                batch = malloc(sizeof(*batch));
        return batch;
}

/* Source ports a query is never answered from, as BIND does: 0 cannot be
 * sent to (sendmmsg fails with EINVAL), and echo, daytime, qotd, chargen and
 * time answer anything, so a spoofed query from them starts a reflection
 * loop between two servers. */
static bool source_port_refused(const struct sockaddr_storage *peer)
{
        static const uint16_t refused[] = { 0, 7, 13, 17, 19, 37 };
        uint16_t port;

        if (peer->ss_family == AF_INET)
                port = ntohs(((const struct sockaddr_in *)peer)->sin_port);
        else if (peer->ss_family == AF_INET6)
                port = ntohs(((const struct sockaddr_in6 *)peer)->sin6_port);
        else
                return true;
        for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
                if (port == refused[i])
                        return true;
        return false;
}

/* serve --floor: the same loop with the answer fixed, as the limit the
 * parsing and rendering are measured against. */
static size_t udp_fixed(struct server *s, const uint8_t *buf, size_t len, uint8_t *out,
                        struct server_exchange *x)
{
        size_t n = s->cfg.fixed_reply_len;

        memset(x, 0, sizeof(*x));
        x->transport = TRANSPORT_UDP;
        x->query_bytes = len;
        x->query_data = buf;
        x->edns = -1;
        x->rcode = -1;
        if (len < 2 || n < 2)
                return 0;
        memcpy(out, s->cfg.fixed_reply, n);
        memcpy(out, buf, 2);
        x->sent = true;
        x->reply_bytes = n;
        x->reply_data = out;
        return n;
}

/* One datagram: parse, render into out, then the source port and the
 * network path decide its fate. Fills x (not yet reported: the caller
 * reports it once it knows whether the reply really left). Returns the
 * length to send now, 0 when nothing is sent now. */
static size_t udp_handle(struct server *s, const uint8_t *buf, size_t len,
                         const struct sockaddr_storage *peer, socklen_t plen, uint8_t *out,
                         struct server_exchange *x)
{
        const struct point_params *p = &s->pt->params;

        if (s->cfg.fixed_reply)
                return udp_fixed(s, buf, len, out, x);
        /* an observer wants the name's text, which the memo does not keep */
        bool memo = !s->observer && !s->pt->canned;
        size_t n = memo ? reply_memo_get(s->memo, buf, len, out, x) : 0;
        if (n == 0) {
                n = server_answer(s->pt, buf, len, TRANSPORT_UDP, out, SERVER_REPLY_CAP, x,
                                  s->observer != NULL);
                if (memo && !s->memo)
                        s->memo = calloc(1, sizeof(*s->memo));
                if (memo && n > 0)
                        reply_memo_put(s->memo, buf, len, out, n, x);
        }

        if (s->observer)
                format_peer((const struct sockaddr *)peer, x->peer, sizeof(x->peer));
        if (source_port_refused(peer)) {
                s->stats.bad_source++;
                x->note = "source port refused";
                return 0;
        }
        s->udp_seen++;
        if (n > 0 && s->udp_seen <= (unsigned)p->drop_first) {
                x->note = "drop_first";
                n = 0;
        } else if (n > 0 && p->udp_drop_above > 0 && n > (size_t)p->udp_drop_above) {
                x->note = "udp_drop_above";
                n = 0;
        }
        if (n > 0)
                x->sent = true;
        if (n > 0 && p->delay_ms > 0) {
                server_delay_park(s, peer, plen, out, n);
                return 0;
        }
        return n;
}

/* Sends out[0..k) and marks the exchange of every reply that did not leave:
 * a reply the kernel refuses (EINVAL for a bad peer) is dropped alone; a full
 * socket buffer drops the rest of the batch, as a network would. */
static void udp_send_batch(struct server *s, int fd, struct udp_batch *b, int k)
{
        udp_send_replies(fd, b->out, k, b->status);
        for (int i = 0; i < k; i++) {
                struct server_exchange *x = &b->x[b->query_of[i]];
                if (b->status[i] == UDP_SENT)
                        continue;
                x->sent = false;
                x->note = b->status[i] == UDP_BUFFER_FULL ? "socket buffer full" : "send failed";
                if (b->status[i] == UDP_SEND_FAILED)
                        s->stats.send_failed++;
        }
}

static void udp_readable(evutil_socket_t fd, short what, void *arg)
{
        struct server *s = arg;
        struct udp_batch *b = udp_batch();
        (void)what;

        if (!s->pt) {   /* parked: late datagrams of an ended cell are dropped */
                uint8_t drop[512];
                while (recv(fd, drop, sizeof(drop), MSG_DONTWAIT) >= 0)
                        ;
                return;
        }
        if (!b)
                return;
        for (int round = 0; round < 4; round++) {
                for (int i = 0; i < UDP_BATCH; i++) {
                        b->iov_in[i] = (struct iovec){ b->query[i], sizeof(b->query[i]) };
                        b->in[i].msg_hdr = (struct msghdr){ .msg_name = &b->peers[i],
                                .msg_namelen = sizeof(b->peers[i]), .msg_iov = &b->iov_in[i],
                                .msg_iovlen = 1 };
                }
                int got = recvmmsg(fd, b->in, UDP_BATCH, MSG_DONTWAIT, NULL);
                if (got <= 0)
                        return;  /* EAGAIN, or an ICMP error from an earlier send */
                int k = 0;
                for (int i = 0; i < got; i++) {
                        size_t n = udp_handle(s, b->query[i], b->in[i].msg_len, &b->peers[i],
                                              b->in[i].msg_hdr.msg_namelen, b->reply[i], &b->x[i]);
                        if (n == 0)
                                continue;
                        b->out[k] = (struct udp_reply){ b->reply[i], n, &b->peers[i],
                                                        b->in[i].msg_hdr.msg_namelen };
                        b->query_of[k++] = i;
                }
                udp_send_batch(s, fd, b, k);
                /* reported after sending, so that the log says what really left;
                 * an observer may park the server (the runner ends a cell) */
                for (int i = 0; i < got && s->pt; i++)
                        server_note_exchange(s, &b->x[i]);
                if (got < UDP_BATCH || !s->pt)
                        return;
        }
}

static int parse_address(const char *address, uint16_t port, struct sockaddr_storage *ss,
                         socklen_t *len)
{
        struct sockaddr_in *in = (void *)ss;
        struct sockaddr_in6 *in6 = (void *)ss;
        memset(ss, 0, sizeof(*ss));
        if (inet_pton(AF_INET, address, &in->sin_addr) == 1) {
                in->sin_family = AF_INET;
                in->sin_port = htons(port);
                *len = sizeof(*in);
                return 0;
        }
        if (inet_pton(AF_INET6, address, &in6->sin6_addr) == 1) {
                in6->sin6_family = AF_INET6;
                in6->sin6_port = htons(port);
                *len = sizeof(*in6);
                return 0;
        }
        return -1;
}

static int open_socket(int type, const struct sockaddr_storage *ss, socklen_t len)
{
        int one = 1;
        int fd = socket(ss->ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -1;
        if (type == SOCK_STREAM)
                setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        if (bind(fd, (const struct sockaddr *)ss, len) < 0) {
                int e = errno;
                close(fd);
                errno = e;
                return -1;
        }
        return fd;
}

/* Binds UDP and TCP to the same port; with port 0 retries until the
 * kernel's UDP choice is also free for TCP; a fixed port still in use is
 * tried again for up to ~100 ms. */
static int server_bind(struct server *s, char *err, size_t errlen)
{
        struct sockaddr_storage ss;
        socklen_t len;

        if (parse_address(s->address, s->cfg.port, &ss, &len) < 0) {
                snprintf(err, errlen, "%s: not a numeric IPv4 or IPv6 address", s->address);
                return -1;
        }
        for (int attempt = 0; attempt < 32; attempt++) {
                s->udp_fd = open_socket(SOCK_DGRAM, &ss, len);
                if (s->udp_fd < 0 && s->cfg.port != 0 && errno == EADDRINUSE && attempt < 24) {
                        usleep(4000);
                        continue;
                }
                if (s->udp_fd < 0)
                        break;
                struct sockaddr_storage got;
                socklen_t glen = sizeof(got);
                getsockname(s->udp_fd, (struct sockaddr *)&got, &glen);
                s->port = ntohs(got.ss_family == AF_INET ? ((struct sockaddr_in *)&got)->sin_port
                                                         : ((struct sockaddr_in6 *)&got)->sin6_port);
                struct sockaddr_storage tss = got;
                s->tcp_fd = open_socket(SOCK_STREAM, &tss, glen);
                if (s->tcp_fd >= 0)
                        return 0;
                int e = errno;
                close(s->udp_fd);
                s->udp_fd = -1;
                errno = e;
                /* a fixed port (a port-53 slot) that a server of the slot's
                 * last cell held a moment ago: give the kernel a little time */
                if (s->cfg.port != 0 && (e != EADDRINUSE || attempt >= 24))
                        break;
                if (s->cfg.port != 0)
                        usleep(4000);
        }
        snprintf(err, errlen, "%s:%u: %s", s->address, s->cfg.port, strerror(errno));
        return -1;
}

struct server *server_new(struct event_base *base, const struct server_config *cfg,
                          struct point *pt, char *err, size_t errlen)
{
        struct server *s = calloc(1, sizeof(*s));

        if (!s) {
                snprintf(err, errlen, "out of memory");
                return NULL;
        }
        s->base = base;
        s->pt = point_ref(pt);
        s->cfg = *cfg;
        s->udp_fd = s->tcp_fd = -1;
        s->stats.last_edns = -1;
        if (!server_scratch() || server_delay_init(s) < 0) {
                snprintf(err, errlen, "out of memory");
                goto fail;
        }
        s->reply = server_scratch()->reply;
        s->query = server_scratch()->query;
        if (!s->cfg.tcp_idle_ms)
                s->cfg.tcp_idle_ms = 10000;
        if (!s->cfg.tcp_max_conns)
                s->cfg.tcp_max_conns = 1024;
        snprintf(s->address, sizeof(s->address), "%s", cfg->address ? cfg->address : "127.0.0.1");
        if (!cfg->allow_any_address && !server_address_is_loopback(s->address)) {
                snprintf(err, errlen, "%s: not a loopback address (use --listen to allow it)",
                         s->address);
                goto fail;
        }
        if (server_bind(s, err, errlen) < 0)
                goto fail;
        s->udp_ev = event_new(base, s->udp_fd, EV_READ | EV_PERSIST, udp_readable, s);
        if (!s->udp_ev || event_add(s->udp_ev, NULL) < 0) {
                snprintf(err, errlen, "cannot register the UDP socket");
                goto fail;
        }
        if (server_tcp_start(s, err, errlen) < 0)
                goto fail;
        return s;
fail:
        server_free(s);
        return NULL;
}

void server_free(struct server *s)
{
        if (!s)
                return;
        server_tcp_stop(s);
        server_delay_free(s);
        if (s->udp_ev)
                event_free(s->udp_ev);
        if (s->udp_fd >= 0)
                close(s->udp_fd);
        point_free(s->pt);
        free(s->memo);
        free(s);
}

void server_park(struct server *s)
{
        server_tcp_close_connections(s);
        server_delay_clear(s);
        /* its sockets stay registered with the loop (no epoll_ctl per cell):
         * parked (pt NULL), what arrives is read and dropped */
        s->observer = NULL;
        s->observer_arg = NULL;
        reply_memo_clear(s->memo);
        point_free(s->pt);
        s->pt = NULL;
}

int server_reset(struct server *s, struct point *pt)
{
        uint8_t drain[512];

        if ((s->listener == NULL) != (pt->params.tcp == TCP_MODE_REFUSE))
                return -1;
        server_tcp_close_connections(s);
        server_delay_clear(s);
        /* loopback delivers at send time: whatever the last client sent is queued now */
        while (recv(s->udp_fd, drain, sizeof(drain), MSG_DONTWAIT) >= 0)
                ;
        if (s->listener) {   /* connections the kernel accepted for the last cell */
                int fd;
                while ((fd = accept4(evconnlistener_get_fd(s->listener), NULL, NULL,
                                     SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0)
                        close(fd);
        }
        if (event_add(s->udp_ev, NULL) < 0)
                return -1;
        point_ref(pt);
        point_free(s->pt);
        s->pt = pt;
        reply_memo_clear(s->memo);
        server_tcp_resume(s);
        s->udp_seen = 0;
        s->observer = NULL;
        s->observer_arg = NULL;
        server_reset_stats(s);
        return 0;
}

uint16_t server_port(const struct server *s)
{
        return s->port;
}

const char *server_address(const struct server *s)
{
        return s->address;
}

void server_set_observer(struct server *s, server_exchange_cb cb, void *arg)
{
        s->observer = cb;
        s->observer_arg = arg;
}

const struct server_stats *server_stats(const struct server *s)
{
        return &s->stats;
}

void server_reset_stats(struct server *s)
{
        memset(&s->stats, 0, sizeof(s->stats));
        s->stats.last_edns = -1;
}
