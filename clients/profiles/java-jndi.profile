# Java JNDI DNS provider (com.sun.jndi.dns.DnsClient).
name        = java-jndi
stands-for  = Java JNDI DNS: 8000-byte UDP buffer, no EDNS, TCP on TC, falls back to the truncated UDP answer
twin        = real:java-jndi-17
source      = OpenJDK com/sun/jndi/dns/DnsClient.java (doUdpQuery, doTcpQuery, isMatchResponse)
transport   = udp-then-tcp
edns        = none
recv-buffer = 8000
oversize    = cut
tc          = retry-tcp
tcp-failure = use-udp      # when TCP fails the truncated UDP answer is returned
parse       = zero-fill    # a short UDP message is parsed inside the zeroed 8000-byte buffer (measured: a cut A reads as an unserved address)
cname       = follow
fail-on-rcode-error = yes
other-rcode-as = error     # DnsClient.checkResponseCode: a NamingException for other rcodes
empty-answer = nodata
attempts    = 1
timeout-ms  = 1000
