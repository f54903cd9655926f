#!/bin/sh
# Benchmark of `stubcompat check-zone` on a generated zone (not a test).
#
#   bench/check-zone/run.sh [RECORDS] [STUBCOMPAT]
#
# Writes a zone of RECORDS records (default 100000) to a temporary folder:
# an apex with SOA, NS, MX, TXT; then names with A, AAAA, TXT and MX records,
# one name in ten a CNAME to another name, one in fifty a 40-address A RRset
# (over 512 bytes), and a few delegations with glue. Then times check-zone on
# it with hyperfine when installed, else with the shell's `time`. The answers
# are over their limits in some places, so check-zone exits 1: expected.
set -eu

records=${1:-100000}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
stubcompat=${2:-$root/build/stubcompat}
[ -x "$stubcompat" ] || { echo "run.sh: $stubcompat not built (ninja -C build)" >&2; exit 2; }

dir=$(mktemp -d "${TMPDIR:-/tmp}/check-zone-bench.XXXXXX")
trap 'rm -rf "$dir"' EXIT
zone=$dir/bench.zone

awk -v want="$records" 'BEGIN {
        print "$ORIGIN bench.example."
        print "$TTL 300"
        print "@ IN SOA ns1.bench.example. hostmaster.bench.example. ( 1 7200 900 1209600 300 )"
        print "  IN NS ns1.bench.example."
        print "  IN NS ns2.example.net."
        print "  IN MX 10 mail"
        print "  IN TXT \"v=spf1 mx -all\""
        print "ns1 IN A 192.0.2.1"
        n = 6
        for (i = 0; n < want; i++) {
                name = sprintf("host%06d", i)
                if (i % 10 == 9) {
                        printf "%s IN CNAME host%06d\n", name, i - 1; n++
                } else if (i % 50 == 7) {
                        for (k = 0; k < 40 && n < want; k++) {
                                printf "%s IN A 10.%d.%d.%d\n", (k ? "" : name), int(i / 256) % 256, i % 256, k + 1; n++
                        }
                } else if (i % 500 == 3) {
                        printf "%s IN NS ns.%s\n", name, name
                        printf "ns.%s IN A 192.0.2.%d\n", name, i % 250 + 1; n += 2
                } else {
                        printf "%s IN A 10.%d.%d.1\n", name, int(i / 256) % 256, i % 256
                        printf "  IN A 10.%d.%d.2\n", int(i / 256) % 256, i % 256
                        printf "  IN AAAA 2001:db8:%x:%x::1\n", int(i / 65536), i % 65536
                        printf "  IN TXT \"id=%d\" \"owner=team-%d\"\n", i, i % 17
                        printf "  IN MX 10 mail\n"
                        n += 5
                }
        }
}' > "$zone"

echo "zone: $(grep -vc '^\$' "$zone") records, $(wc -c < "$zone") bytes in $zone"
"$stubcompat" check-zone "$zone" > "$dir/out.txt" 2> "$dir/err.txt" || status=$?
echo "check-zone: exit ${status:-0}, $(wc -l < "$dir/out.txt") findings"
cat "$dir/err.txt"

if command -v hyperfine > /dev/null 2>&1; then
        hyperfine --warmup 1 --runs 10 -i "$stubcompat check-zone $zone > /dev/null 2>&1"
else
        time "$stubcompat" check-zone "$zone" > /dev/null 2>&1 || true
fi
