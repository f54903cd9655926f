#include "harness/server/udp-send.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <stdbool.h>
#include <string.h>

#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103   /* linux/udp.h, Linux 4.18 */
#endif

#define GSO_BYTES_MAX 65000   /* one GSO message's payload stays under the IP limit */

/* One message of a batch: replies ord[first .. first + count) of the caller's array. */
struct udp_msg {
        int first, count;
        union {
                char buf[CMSG_SPACE(sizeof(uint16_t))];
                struct cmsghdr align;
        } control;
};

static __thread bool gso_off;

static bool same_peer(const struct udp_reply *a, const struct udp_reply *b)
{
        return a->peer_len == b->peer_len && memcmp(a->peer, b->peer, a->peer_len) == 0;
}

/* Orders the replies by peer, keeping each peer's own order (a batch
 * leaves at one instant, so only the order per peer can matter). */
static void order_by_peer(const struct udp_reply *r, int n, int *ord)
{
        bool placed[UDP_SEND_MAX] = { false };
        int k = 0;

        for (int i = 0; i < n; i++) {
                if (placed[i])
                        continue;
                for (int j = i; j < n; j++)
                        if (!placed[j] && same_peer(&r[i], &r[j])) {
                                placed[j] = true;
                                ord[k++] = j;
                        }
        }
}

/* How many replies from ord[i] on can share one GSO message: the same peer,
 * the same size, except that the last may be shorter. */
static int gso_run(const struct udp_reply *r, const int *ord, int i, int n)
{
        size_t size = r[ord[i]].len, total = size;
        int k = i + 1;

        if (gso_off)
                return 1;
        while (k < n && same_peer(&r[ord[i]], &r[ord[k]]) && r[ord[k]].len <= size &&
               total + r[ord[k]].len <= GSO_BYTES_MAX) {
                total += r[ord[k]].len;
                if (r[ord[k++]].len < size)
                        break;
        }
        return k - i;
}

static void msg_fill(struct mmsghdr *mh, struct udp_msg *m, const struct udp_reply *r,
                     const int *ord, struct iovec *iov)
{
        const struct udp_reply *first = &r[ord[m->first]];

        for (int j = 0; j < m->count; j++)
                iov[m->first + j] = (struct iovec){ (void *)r[ord[m->first + j]].data,
                                                    r[ord[m->first + j]].len };
        mh->msg_hdr = (struct msghdr){ .msg_name = (void *)first->peer,
                .msg_namelen = first->peer_len, .msg_iov = &iov[m->first],
                .msg_iovlen = (size_t)m->count };
        if (m->count > 1) {
                struct cmsghdr *c = &m->control.align;
                uint16_t size = (uint16_t)first->len;
                memset(&m->control, 0, sizeof(m->control));
                c->cmsg_level = SOL_UDP;
                c->cmsg_type = UDP_SEGMENT;
                c->cmsg_len = CMSG_LEN(sizeof(size));
                memcpy(CMSG_DATA(c), &size, sizeof(size));
                mh->msg_hdr.msg_control = m->control.buf;
                mh->msg_hdr.msg_controllen = sizeof(m->control.buf);
        }
}

static void mark(enum udp_send_status *st, const int *ord, const struct udp_msg *m,
                 enum udp_send_status v)
{
        for (int j = 0; j < m->count; j++)
                st[ord[m->first + j]] = v;
}

/* Sends messages [0, nm) of mh/m; a failed GSO message is sent again one
 * reply at a time. */
static void send_msgs(int fd, const struct udp_reply *r, const int *ord, struct mmsghdr *mh,
                      struct udp_msg *m, int nm, struct iovec *iov, enum udp_send_status *st)
{
        int sent = 0;

        while (sent < nm) {
                int got = sendmmsg(fd, mh + sent, (unsigned)(nm - sent), MSG_DONTWAIT);
                if (got > 0) {
                        for (int i = sent; i < sent + got; i++)
                                mark(st, ord, &m[i], UDP_SENT);
                        sent += got;
                        continue;
                }
                if (got < 0 && errno == EINTR)
                        continue;
                if (got == 0 || errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS) {
                        for (; sent < nm; sent++)
                                mark(st, ord, &m[sent], UDP_BUFFER_FULL);
                        return;
                }
                if (m[sent].count > 1) {
                        struct udp_msg one[UDP_SEND_MAX];
                        struct mmsghdr onemh[UDP_SEND_MAX];
                        gso_off = true;
                        for (int j = 0; j < m[sent].count; j++) {
                                one[j] = (struct udp_msg){ .first = m[sent].first + j, .count = 1 };
                                msg_fill(&onemh[j], &one[j], r, ord, iov);
                        }
                        send_msgs(fd, r, ord, onemh, one, m[sent].count, iov, st);
                } else {
                        mark(st, ord, &m[sent], UDP_SEND_FAILED);
                }
                sent++;
        }
}

void udp_send_replies(int fd, const struct udp_reply *r, int n, enum udp_send_status *st)
{
        struct udp_msg m[UDP_SEND_MAX];
        struct mmsghdr mh[UDP_SEND_MAX];
        struct iovec iov[UDP_SEND_MAX];
        int ord[UDP_SEND_MAX], nm = 0;

        order_by_peer(r, n, ord);
        for (int i = 0; i < n; nm++) {
                m[nm] = (struct udp_msg){ .first = i, .count = gso_run(r, ord, i, n) };
                msg_fill(&mh[nm], &m[nm], r, ord, iov);
                i += m[nm].count;
        }
        send_msgs(fd, r, ord, mh, m, nm, iov, st);
}
