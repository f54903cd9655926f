# glibc 2.36 getaddrinfo (Debian 12) with the default resolv.conf options.
name        = glibc-2.36
stands-for  = glibc 2.36 getaddrinfo (Debian 12, Ubuntu 22.04+): UDP, TCP on TC, no EDNS
twin        = real:glibc-2.36
source      = glibc 2.36 resolv/res_send.c (send_dg, send_vc), nss_dns/dns-host.c
transport   = udp-then-tcp # res_send.c: TC -> same query over TCP to the same server
edns        = none         # OPT only with options edns0
recv-buffer = 65535        # accepts UDP replies longer than 512 without TC
oversize    = cut
tc          = retry-tcp
tcp-closed-a = nxdomain    # measured: TCP closed before the reply: EAI_NONAME for A
tcp-closed-aaaa = error    # ... and EAI_AGAIN for AAAA
parse       = strict
bad-reply-a = nodata       # measured: getaddrinfo(AF_INET) on a cut reply gives EAI_NODATA
bad-reply-aaaa = nxdomain  # measured: getaddrinfo(AF_INET6) on a cut reply gives EAI_NONAME
cname       = follow
glibc-lame-rule = yes      # send_dg: NOERROR, ancount=aa=ra=arcount=0 -> next server, before TC
fail-on-rcode-error = yes
formerr-as  = nxdomain     # measured: getaddrinfo reports FORMERR as EAI_NONAME
other-rcode-as = nxdomain  # measured: YXDOMAIN, NOTAUTH, ... -> EAI_NONAME
max-addresses = 256        # measured: getaddrinfo returns 256 of 257 addresses (A, AAAA or both)
both-fail-on-error = yes   # measured: AF_UNSPEC fails when either the A or the AAAA query fails
both-bad-reply = a-fails     # nss_dns/dns-host.c gaih_getanswer: a damaged A answer is NO_RECOVERY,
                             # the AAAA answer keeps the records read before its damage
both-bad-reply-as = nxdomain # measured: AF_UNSPEC on a damaged A answer gives EAI_NONAME
empty-answer = nodata      # EAI_NODATA
attempts    = 1
timeout-ms  = 1000
