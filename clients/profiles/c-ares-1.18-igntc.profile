# c-ares 1.18.1 (Debian 12 libc-ares2): Node.js, curl, gRPC builds that use it.
name        = c-ares-1.18-igntc
stands-for  = c-ares 1.18.1 with ARES_FLAG_IGNTC: uses the UDP reply, cut to 512
twin        = real:c-ares-1.18-igntc
source      = c-ares 1.18.1 src/lib/ares_process.c (read_answers, same_questions), ares_addrinfo
transport   = udp-then-tcp
edns        = none         # ARES_FLAG_EDNS is off by default
recv-buffer = 512
oversize    = cut          # with IGNTC a long reply is cut to 512 and used
tc          = use
parse       = strict
cname       = follow
formerr-retry-plain = channel  # ares_process.c: FORMERR to EDNS clears ARES_FLAG_EDNS for the
                               # channel; the other family's FORMERR, already sent with OPT, is EFORMERR
fail-on-rcode-error = yes  # SERVFAIL/REFUSED/NOTIMP: next server; from the only one, ARES_ECONNREFUSED (measured)
both-fail-on-error = yes   # measured: AF_UNSPEC fails when either the A or the AAAA query fails
empty-answer = nodata      # ARES_ENODATA
attempts    = 1
timeout-ms  = 1000
