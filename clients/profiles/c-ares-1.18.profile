# c-ares 1.18.1 (Debian 12 libc-ares2): Node.js, curl, gRPC builds that use it.
name        = c-ares-1.18
stands-for  = c-ares 1.18.1 defaults: UDP, TCP on TC or on a UDP reply over 512 bytes
twin        = real:c-ares-1.18
source      = c-ares 1.18.1 src/lib/ares_process.c (read_answers, same_questions), ares_addrinfo
transport   = udp-then-tcp
edns        = none         # ARES_FLAG_EDNS is off by default
recv-buffer = 512
oversize    = truncated    # a UDP reply longer than 512 is handled as truncated
tc          = retry-tcp
parse       = strict
cname       = follow
formerr-retry-plain = channel  # ares_process.c: FORMERR to EDNS clears ARES_FLAG_EDNS for the
                               # channel; the other family's FORMERR, already sent with OPT, is EFORMERR
fail-on-rcode-error = yes  # SERVFAIL/REFUSED/NOTIMP: next server; from the only one, ARES_ECONNREFUSED (measured)
both-bad-reply = last-fails  # ares_getaddrinfo.c host_callback: only the last reply's parse status
                               # counts; ARES_EBADRESP there fails AF_UNSPEC though A had addresses
empty-answer = nodata      # ARES_ENODATA
attempts    = 1
timeout-ms  = 1000
