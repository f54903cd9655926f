# Malformed on purpose: see tests/bad-input/README.md.
name        = bad-example
stands-for  = a profile with one mistake
transport   = udp-only
recv-bufer  = 512
