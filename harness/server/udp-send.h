/* Sending a batch of UDP replies in as few passes through the kernel as
 * possible: one sendmmsg, and consecutive replies to the same peer with the
 * same size joined into one UDP GSO message (UDP_SEGMENT; the batch is
 * ordered by peer first, each peer's own order kept), which the kernel
 * splits back into the same datagrams. The peer receives exactly what one
 * sendto per reply would have sent. */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define UDP_SEND_MAX 32   /* replies per call */

struct udp_reply {
        const uint8_t *data;
        size_t len;
        const struct sockaddr_storage *peer;
        socklen_t peer_len;
};

/* What became of one reply. */
enum udp_send_status {
        UDP_SENT,
        UDP_BUFFER_FULL,   /* the socket buffer was full: dropped, as a network would */
        UDP_SEND_FAILED,   /* the kernel refused it (a bad peer, say): dropped alone */
};

/* Sends r[0..n) (n <= UDP_SEND_MAX) on the non-blocking socket fd and sets
 * st[i] for each. After a failed GSO message (a kernel without UDP GSO) its
 * replies are sent one by one and GSO stays off for this thread. */
void udp_send_replies(int fd, const struct udp_reply *r, int n, enum udp_send_status *st);
