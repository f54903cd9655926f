#include "tests/common/probe.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

size_t probe_api_query(uint8_t *buf, uint16_t id)
{
        static const uint8_t q[] = { 0, 0, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0,
                3, 'a', 'p', 'i', 8, 'm', 'i', 'x', 'p', 'a', 'n', 'e', 'l', 3, 'c', 'o', 'm', 0,
                0, 1, 0, 1 };
        memcpy(buf, q, sizeof(q));
        buf[0] = (uint8_t)(id >> 8);
        buf[1] = (uint8_t)id;
        return sizeof(q);
}

int probe_tcp_connect(uint16_t port)
{
        struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };
        int one = 1;
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (fd < 0)
                return -1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
                close(fd);
                return -1;
        }
        return fd;
}

long probe_status_kb(pid_t pid, const char *field)
{
        char path[64], line[256];
        size_t flen = strlen(field);
        long kb = -1;
        FILE *f;

        snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
        if (!(f = fopen(path, "r")))
                return -1;
        while (fgets(line, sizeof(line), f))
                if (strncmp(line, field, flen) == 0 && line[flen] == ':') {
                        kb = atol(line + flen + 1);
                        break;
                }
        fclose(f);
        return kb;
}
