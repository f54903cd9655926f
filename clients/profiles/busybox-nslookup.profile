# BusyBox nslookup (1.30+ applet with its own UDP client): Alpine and embedded shells.
name        = busybox-nslookup
stands-for  = BusyBox nslookup: own UDP client with reply[512], no TC handling
twin        = real:busybox-1.35
source      = busybox networking/nslookup.c (send_queries, parse_reply with ns_initparse)
transport   = udp-only
edns        = none
recv-buffer = 512
oversize    = cut
tc          = use
parse       = strict       # ns_initparse/ns_parserr reject a cut message
cname       = follow
fail-on-rcode-error = yes
other-rcode-as = error     # measured: "server can't find NAME: YXDOMAIN"
empty-answer = nodata
attempts    = 1
timeout-ms  = 1000
