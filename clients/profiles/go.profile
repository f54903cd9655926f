# Go's pure-Go resolver (net, dnsclient_unix.go), CGO_ENABLED=0 binaries.
name        = go
stands-for  = Go net pure resolver: EDNS0 1232, TCP on TC
twin        = real:go-1.19
source      = go src/net/dnsclient_unix.go (maxDNSPacketSize 1232, dnsPacketRoundTrip, exchange)
transport   = udp-then-tcp
edns        = 1232
recv-buffer = 1232
oversize    = cut          # reads into a 1232-byte buffer
tc          = retry-tcp
parse       = keep-partial # measured: the records before a cut one are returned
cname       = follow
fail-on-rcode-error = yes
other-rcode-as = error     # dnsclient_unix.go checkHeader: any other rcode is errServerMisbehaving
lame-after-tc = yes        # checkHeader: NOERROR, no answer, AA=0, RA=0 -> errLameReferral (after the TCP retry)
empty-answer = nodata
attempts    = 1
timeout-ms  = 1000
