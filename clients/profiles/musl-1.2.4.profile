# musl libc 1.2.4 getaddrinfo: Alpine 3.18 and later (until 1.2.5), static containers.
name        = musl-1.2.4
stands-for  = musl 1.2.4 getaddrinfo (Alpine 3.18+): UDP, TCP on TC or on a datagram over 768 bytes
twin        = real:musl-1.2.4
source      = musl 1.2.4 src/network/res_msend.c, dns_parse.c, lookup_name.c (as bundled in Zig 0.11.0)
transport   = udp-then-tcp # res_msend.c: start_tcp() when the reply has TC or MSG_TRUNC
edns        = none         # res_mkquery.c sends no OPT
recv-buffer = 768          # lookup_name.c ABUF_SIZE
tcp-recv-buffer = 768      # res_msend.c reads a TCP answer into the same 768 bytes; the rest is never read
oversize    = truncated    # a datagram over 768 bytes (MSG_TRUNC) goes to TCP like TC=1
tc          = retry-tcp    # res_msend.c: "If answer is truncated (TC bit), fallback to TCP"
tcp-failure = error        # an incomplete TCP answer is disregarded: alens 0 -> EAI_AGAIN
parse       = keep-partial # dns_parse.c: records are handed over one by one until one runs short
max-addresses = 48         # lookup.h MAXADDRS
max-records = 64           # dns_parse.c: qdcount + ancount > 64 rejects the reply
cname       = any-owner    # dns_parse_callback takes A/AAAA of any owner
fail-on-rcode-error = yes  # lookup_name.c: rcode 2 -> EAI_AGAIN, other non-zero -> EAI_FAIL
ignore-rcode-error = yes   # res_msend.c: only rcode 0 and 3 are accepted; SERVFAIL is resent, others ignored: the lookup times out
both-fail-on-error = yes   # measured: AF_UNSPEC fails when either the A or the AAAA query fails
empty-answer = nodata      # lookup_name.c: no address -> EAI_NODATA
attempts    = 1            # resolv.conf options attempts:1 timeout:1 in the sandbox
timeout-ms  = 1000
