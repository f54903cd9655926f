#!/bin/sh
# Server throughput, side by side in one run: dnsperf against `stubcompat serve`,
# NSD (one server process, rrl-ratelimit: 0) and ldns-testns, all answering
# api.mixpanel.com A with the same 29 A records (498 bytes), over UDP and TCP.
# Prints qps per server and the ratios. Usage: bench/server-throughput.sh [SECONDS]
set -eu
cd "$(dirname "$0")/.."
SECS=${1:-10}
BIN=./build/stubcompat
work=$(mktemp -d)
trap 'kill $(cat "$work"/*.pid 2>/dev/null) 2>/dev/null || true; rm -rf "$work"' EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# the zone, for NSD and for ldns-testns
{
        echo '$ORIGIN mixpanel.com.'
        echo '$TTL 60'
        echo '@ IN SOA ns1 hostmaster 1 3600 600 86400 60'
        echo '@ IN NS ns1'
        echo 'ns1 IN A 192.0.2.53'
        i=1; while [ $i -le 29 ]; do echo "api IN A 10.1.0.$i"; i=$((i + 1)); done
} > "$work/mixpanel.zone"
echo "api.mixpanel.com A" > "$work/queries"

# stubcompat
p_sc=$(free_port)
$BIN serve scenarios/mixpanel-2016.scn --set records=29 --port "$p_sc" --quiet > "$work/sc.log" 2>&1 &
echo $! > "$work/sc.pid"

# NSD: one server process, no rate limiting, minimal responses
p_nsd=$(free_port)
cat > "$work/nsd.conf" <<CONF
server:
    ip-address: 127.0.0.1
    port: $p_nsd
    server-count: 1
    username: ""
    chroot: ""
    zonesdir: "$work"
    pidfile: "$work/nsd.pid.file"
    xfrdfile: "$work/xfrd.state"
    zonelistfile: "$work/zone.list"
    database: ""
    rrl-ratelimit: 0
    minimal-responses: yes
    verbosity: 0
remote-control:
    control-enable: no
zone:
    name: mixpanel.com
    zonefile: mixpanel.zone
CONF
/usr/sbin/nsd -d -c "$work/nsd.conf" > "$work/nsd.log" 2>&1 &
echo $! > "$work/nsd.pid"

# ldns-testns: one entry answering the query with the same records
p_tns=$(free_port)
{
        echo 'ENTRY_BEGIN'
        echo 'MATCH opcode qtype qname'
        echo 'ADJUST copy_id'
        echo 'REPLY QR RD RA NOERROR'
        echo 'SECTION QUESTION'
        echo 'api.mixpanel.com. IN A'
        echo 'SECTION ANSWER'
        i=1; while [ $i -le 29 ]; do echo "api.mixpanel.com. 60 IN A 10.1.0.$i"; i=$((i + 1)); done
        echo 'ENTRY_END'
} > "$work/testns.data"
ldns-testns -p "$p_tns" "$work/testns.data" > "$work/tns.log" 2>&1 &
echo $! > "$work/tns.pid"
sleep 1

size() { dig +noedns -p "$1" @127.0.0.1 api.mixpanel.com A | sed -n 's/.*MSG SIZE  rcvd: //p'; }
echo "answer sizes (dig +noedns): stubcompat $(size $p_sc), nsd $(size $p_nsd), ldns-testns $(size $p_tns) bytes"

qps() {   # port mode
        dnsperf -s 127.0.0.1 -p "$1" -m "$2" -d "$work/queries" -l "$SECS" -c 8 -q 200 2>&1 |
                sed -n 's/.*Queries per second: *//p'
}
for mode in udp tcp; do
        sc=$(qps "$p_sc" $mode); nsd=$(qps "$p_nsd" $mode); tns=$(qps "$p_tns" $mode)
        echo "$mode: stubcompat $sc qps, nsd $nsd qps, ldns-testns ${tns:-n/a} qps"
        python3 - "$sc" "$nsd" "${tns:-0}" "$mode" <<'PY'
import sys
sc, nsd, tns, mode = float(sys.argv[1] or 0), float(sys.argv[2] or 0), float(sys.argv[3] or 0), sys.argv[4]
r = lambda a, b: f"{a / b:.2f}x" if b else "n/a"
print(f"{mode}: stubcompat/nsd {r(sc, nsd)} (target >= 1.0x), stubcompat/ldns-testns {r(sc, tns)} (target >= 4x)")
PY
done
