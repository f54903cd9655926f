# A modern stub following DNS Flag Day 2020.
name        = edns1232
stands-for  = DNS Flag Day 2020 stub: EDNS0 1232, a longer datagram or TC -> TCP
source      = https://www.dnsflagday.net/2020/ (EDNS buffer 1232, TCP fallback required)
transport   = udp-then-tcp
edns        = 1232
recv-buffer = 1232
oversize    = truncated
tc          = retry-tcp
parse       = strict
cname       = follow
formerr-retry-plain = yes
fail-on-rcode-error = yes
empty-answer = nodata
attempts    = 1
timeout-ms  = 1000
