# A stub that advertises a large EDNS buffer but cannot use TCP (some firmware).
name        = edns4096-udp-only
stands-for  = UDP-only stub advertising EDNS0 4096: large answers need unfragmented paths; TC fails
source      = RFC 6891 6.2.5 (4096 was the common default before Flag Day 2020)
transport   = udp-only
edns        = 4096
recv-buffer = 4096
oversize    = cut
tc          = fail
parse       = strict
cname       = follow
formerr-retry-plain = yes
fail-on-rcode-error = yes
empty-answer = nodata
attempts    = 1
timeout-ms  = 1000
