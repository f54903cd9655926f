# musl libc 1.2.3 getaddrinfo: Alpine 3.17 and older, many static containers.
name        = musl-1.2.3
stands-for  = musl 1.2.3 getaddrinfo (Alpine <= 3.17): UDP only, 512-byte buffer, TC ignored
twin        = real:musl-1.2.3
source      = musl 1.2.3 src/network/res_msend.c, dns_parse.c, lookup_name.c
transport   = udp-only     # res_msend.c: no TCP before 1.2.4
edns        = none         # res_mkquery.c sends no OPT
recv-buffer = 512          # lookup_name.c: answer buffers of 512 bytes; recvfrom cuts the rest
oversize    = cut
tc          = use          # the TC bit is never looked at
parse       = keep-partial # dns_parse.c: records are handed over one by one until one runs short
max-addresses = 48         # lookup.h MAXADDRS
max-records = 64           # dns_parse.c: qdcount + ancount > 64 rejects the reply
rdata-overread = 10       # dns_parse.c checks p+len against the end with p 10 bytes before the rdata
cname       = any-owner    # dns_parse_callback takes A/AAAA of any owner
fail-on-rcode-error = yes  # lookup_name.c: rcode 2 -> EAI_AGAIN, other non-zero -> EAI_FAIL
ignore-rcode-error = yes   # res_msend.c: only rcode 0 and 3 are accepted; SERVFAIL is resent, others ignored: the lookup times out
empty-answer = nxdomain    # no address: EAI_NONAME, as for NXDOMAIN
attempts    = 1            # resolv.conf options attempts:1 timeout:1 in the sandbox
timeout-ms  = 1000
