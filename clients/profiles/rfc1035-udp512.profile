# A strict RFC 1035 stub over UDP only: 512-byte buffer, TC is an error.
# Stands for the oldest embedded resolvers and hand-written clients.
name        = rfc1035-udp512
stands-for  = strict RFC 1035 UDP-only stub: 512-byte buffer, TC=1 fails the lookup
source      = RFC 1035 4.2.1 (UDP messages limited to 512 bytes), 4.1.1 (TC)
transport   = udp-only
edns        = none
recv-buffer = 512
oversize    = cut          # reads 512 bytes of whatever arrives
tc          = fail
parse       = strict
cname       = follow
empty-answer = nodata
attempts    = 1
timeout-ms  = 1000
