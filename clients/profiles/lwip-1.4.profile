# lwIP 1.4.x dns.c: microcontrollers, ESP8266-era IoT firmware.
name        = lwip-1.4
stands-for  = lwIP 1.4 dns.c: UDP only, drops replies over 512, one address of any owner
source      = lwIP 1.4.1 src/core/dns.c (dns_recv, dns_parse_name, DNS_MSG_SIZE 512)
transport   = udp-only
edns        = none
recv-buffer = 512
oversize    = drop         # pbuf longer than DNS_MSG_SIZE is dropped: the lookup times out
tc          = use          # TC is never checked
parse       = keep-partial
max-addresses = 1          # one ip_addr per table entry
cname       = any-owner    # CNAMEs are skipped; the first A of any owner is taken
reject-compressed-question = yes  # dns_compare_name does not follow pointers
fail-on-rcode-error = yes
empty-answer = nxdomain    # callback gets NULL: the application sees "not found"
attempts    = 1
timeout-ms  = 1000
