/* The exchanges of cells as a pcap file: each cell's queries and replies as
 * the server saw them, wrapped in synthetic IPv4/UDP/TCP headers (client
 * 192.0.2.1, a port per cell; server 192.0.2.53 port 53) and written with
 * libpcap, so Wireshark and tshark decode them as DNS. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "harness/server/render.h"

struct capture_packet {
        enum transport transport;
        bool from_server;
        size_t len;
        uint8_t *data;          /* the DNS message, without a TCP length prefix */
};

/* The exchanges of one cell, in the order they happened. */
struct capture {
        size_t cell;
        struct capture_packet *packets;
        size_t n, cap;
};

/* Appends a copy of one message. Returns 0, or -1 when out of memory. */
int capture_add(struct capture *c, enum transport t, bool from_server, const uint8_t *data,
                size_t len);
void capture_free(struct capture *c);

/* Writes the captures (in the order given) to path atomically. Returns the
 * number of packets, or -1 with "path: reason" in err. */
long pcap_write_captures(const char *path, const struct capture *caps, size_t n, char *err,
                         size_t errlen);
/* Writes the captures to fd (a new file the caller created; closed here,
 * after fsync). name is for messages. Returns the number of packets, or -1
 * with "name: reason" in err. */
long pcap_write_captures_fd(int fd, const struct capture *caps, size_t n, const char *name,
                            char *err, size_t errlen);
