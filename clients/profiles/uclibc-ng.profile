# uclibc-ng's resolver: OpenWrt before musl, many routers and set-top boxes.
name        = uclibc-ng
stands-for  = uClibc-ng 1.0.35 getaddrinfo: UDP only, 512 bytes, records of a damaged reply kept only with TC
twin        = real:uclibc-ng-1.0.35
source      = uClibc-ng 1.0.35 libc/inet/resolv.c (__dns_lookup, __decode_answer), Debian uclibc-source
transport   = udp-only
edns        = none
recv-buffer = 512
oversize    = cut
tc          = use-if-answers  # TC: use it when at least one answer decoded, else next server
empty-before-tc = yes         # "if (h.ancount <= 0) goto fail1" comes before any look at TC
parse       = keep-partial-if-tc # a record that fails to decode: "if (j && h.tc) break;" else next server
bad-reply-a = nxdomain        # every failed __dns_lookup ends in EAI_NONAME (measured)
bad-reply-aaaa = nxdomain
cname       = follow
fail-on-rcode-error = no      # an error rcode makes it try the next server
rcode-error-as = nxdomain     # ... and once none is left getaddrinfo says EAI_NONAME (measured)
empty-answer = nxdomain       # NO_DATA from __dns_lookup -> EAI_NONAME (measured)
attempts    = 2            # measured: a dropped first query is sent again (resolv.conf attempts:1 notwithstanding)
timeout-ms  = 1000
timeout-as  = nxdomain     # measured: no reply -> EAI_NONAME
