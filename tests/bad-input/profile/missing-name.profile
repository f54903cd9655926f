# Malformed on purpose: see tests/bad-input/README.md.
stands-for  = a profile without a name
transport   = udp-only
