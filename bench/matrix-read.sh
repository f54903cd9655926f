#!/bin/sh
# Reading matrix.json at scale: peak RSS and wall time of `merge` (reads a
# matrix, writes every view) and of `merge --baseline` (reads two) on a
# generated 200,000-cell matrix (CELLS to change), one cell per line as the
# writer writes it: 8 clients x 2 queries x 12,500 points of two axes.
#
#   bench/matrix-read.sh [CELLS [STUBCOMPAT]]   (needs ./bootstrap build, /usr/bin/time)
#
# STUBCOMPAT: the program to measure (default ./build/stubcompat), e.g. an
# older build to compare with.
set -eu
cd "$(dirname "$0")/.."
cells=${1:-200000}
prog=${2:-./build/stubcompat}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 - "$cells" > "$work/matrix.json" <<'PY'
import sys
n = int(sys.argv[1])
clients = ["rfc1035-udp512", "musl-1.2.3", "uclibc-ng", "lwip-1.4", "glibc-2.36", "c-ares-1.18",
           "go", "real:glibc-2.36"]
queries = [("api.mixpanel.com", "A"), ("cdn.mixpanel.com", "A")]
per_point = len(clients) * len(queries)
sys.stdout.write('{"schema":1,"suite":"big","scenario":"big.scn","complete":true,"total":%d,'
                 '"axes":["records","edns_size"],"cells":[\n' % n)
for i in range(n):
    p = i // per_point
    c = clients[i % len(clients)]
    q = queries[(i // len(clients)) % len(queries)]
    records = 1 + p % 64
    ok = records < 30 or i % 3 == 0
    sys.stdout.write('{"client":"%s","kind":"%s","qname":"%s","qtype":"%s","index":%d,"point":%d,'
                     '"params":{"records":%d,"edns_size":%d},"verdict":"%s","reason":"%s","addresses":%d,'
                     '"expected":%d,"path":"udp","udp_bytes":%d,"tcp_bytes":null,"udp_queries":1,'
                     '"tcp_queries":0,"tc_replies":%d,"edns":null,"detail":"%s","elapsed_ms":%.1f}%s\n'
                     % (c, "real" if c.startswith("real:") else "emulated", q[0], q[1], i, p, records,
                        512 + p // 64, "ok" if ok else "error", "" if ok else "truncated",
                        records if ok else 0, records, 12 + 22 + 16 * records if ok else 34,
                        0 if ok else 1, "" if ok else "reply truncated (TC=1)", (i % 97) / 10,
                        "," if i + 1 < n else ""))
sys.stdout.write("]}\n")
PY
echo "matrix.json: $cells cells, $(( $(stat -c %s "$work/matrix.json") / 1048576 )) MiB"

measure() {     # LABEL COMMAND...: wall and user CPU seconds (the machine is shared:
                # CPU is the steadier figure) and peak RSS
        label=$1
        shift
        /usr/bin/time -f '%e %U %M' -o "$work/time" "$@" > /dev/null 2> "$work/err" || {
                echo "$label: FAILED"; cat "$work/err"; return 0; }
        read -r secs user kb < "$work/time"
        echo "$label: $secs s wall, $user s user CPU, peak RSS $((kb / 1024)) MiB"
}
measure "merge (read 1 matrix, write the views)" \
        "$prog" merge "$work/matrix.json" --out "$work/merged" --quiet
measure "merge --baseline (read 2 matrices, compare every cell)" \
        "$prog" merge "$work/matrix.json" --baseline "$work/matrix.json" --out "$work/merged2" --quiet
