# Java JNDI DNS provider (com.sun.jndi.dns.DnsClient).
name        = java-jndi
stands-for  = Java JNDI DNS: 8000-byte UDP buffer, no EDNS, TCP on TC, falls back to the truncated UDP answer
source      = OpenJDK com/sun/jndi/dns/DnsClient.java (doUdpQuery, doTcpQuery, isMatchResponse)
transport   = udp-then-tcp
edns        = none
recv-buffer = 8000
oversize    = cut
tc          = retry-tcp
tcp-failure = use-udp      # when TCP fails the truncated UDP answer is returned
parse       = strict
cname       = follow
fail-on-rcode-error = yes
empty-answer = nodata
attempts    = 1
timeout-ms  = 1000
