# A stub that always uses TCP (c-ares ARES_FLAG_USEVC, glibc options use-vc).
name        = tcp-only
stands-for  = TCP-only stub (use-vc): every query over TCP
twin        = real:c-ares-1.18-usevc
source      = c-ares ARES_FLAG_USEVC; glibc RES_USEVC (resolv.conf options use-vc)
transport   = tcp-only
edns        = none
recv-buffer = 65535
oversize    = cut
tc          = use
parse       = strict
cname       = follow
fail-on-rcode-error = yes
empty-answer = nodata
attempts    = 1
timeout-ms  = 1000
