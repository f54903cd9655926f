# uclibc-ng's resolver: OpenWrt before musl, many routers and set-top boxes.
name        = uclibc-ng
stands-for  = uclibc-ng __dns_lookup: UDP only, 512 bytes, a TC reply is used when it has an answer
source      = uclibc-ng libc/inet/resolv.c (__dns_lookup, __decode_answer)
transport   = udp-only
edns        = none
recv-buffer = 512
oversize    = cut
tc          = use-if-answers  # TC: use it when at least one answer decoded, else next server
parse       = keep-partial
cname       = follow
fail-on-rcode-error = no      # an error rcode makes it try the next server
empty-answer = nodata
attempts    = 1
timeout-ms  = 1000
