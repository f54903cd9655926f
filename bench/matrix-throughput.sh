#!/bin/sh
# Matrix throughput on this machine: cells per second for the emulated
# profiles, real c-ares in process, libresolv on threads and the sandboxed
# getaddrinfo helpers; 1,000 cells that all time out; peak RSS and wall time
# as the cell count grows; wall time of the default suites.
# Usage: bench/matrix-throughput.sh
set -eu
cd "$(dirname "$0")/.."
BIN=./build/stubcompat
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

scenario() {   # NAME POINTS_A POINTS_B [extra set line]
        {
                echo "origin example.com."
                echo "grow www"
                echo "query www.example.com A"
                [ -n "${4:-}" ] && echo "$4"
                echo "sweep ttl=1..$2"
                echo "sweep records=1..$3"
        } > "$work/$1.scn"
}

measure() {    # LABEL SCENARIO CLIENTS [run options]: prints cells/s, seconds, peak RSS
        label=$1; scn=$2; clients=$3; shift 3
        /usr/bin/time -f "%e %M" -o "$work/time" $BIN run "$work/$scn.scn" --clients "$clients" \
                --out "$work/out-$scn" --quiet "$@" > /dev/null || true
        read -r secs kb < "$work/time"
        cells=$(python3 -c "import json;print(len(json.load(open('$work/out-$scn/matrix.json'))['cells']))")
        python3 -c "print(f'$label: {$cells} cells in {$secs:.2f} s = {$cells/$secs:,.0f} cells/s, peak RSS {$kb/1024:.0f} MiB')"
}

scenario cells5k 50 100
n_emulated=$($BIN clients | awk '$2 == "emulated"' | wc -l)
measure "emulated ($n_emulated profiles; target >= 20,000/s)" cells5k emulated
measure "real c-ares, 4 modes in process (target >= 5,000/s)" cells5k real:c-ares-1.18,real:c-ares-1.18-igntc,real:c-ares-1.18-edns,real:c-ares-1.18-usevc
measure "real libresolv, 4 modes on threads" cells5k real:glibc-2.36-res,real:glibc-2.36-res-igntc,real:glibc-2.36-res-edns0,real:glibc-2.36-res-usevc
measure "sandboxed getaddrinfo glibc+musl (target >= 500/s)" cells5k real:glibc-2.36,real:glibc-2.36-edns0,real:musl-1.2.3

scenario timeouts 1000 1 "set drop_first=1"
measure "1,000 cells that all time out, 1 s each (target: within 2 s)" timeouts rfc1035-udp512 --jobs 1000

scenario cells10k 100 100
scenario cells100k 1000 100
measure "scale: 10,000 cells, one client" cells10k musl-1.2.3
measure "scale: 100,000 cells, one client (target: RSS <= 64 MiB)" cells100k musl-1.2.3

start=$(date +%s.%N)
$BIN run --default --out "$work/default" --quiet > /dev/null || true
end=$(date +%s.%N)
python3 -c "print(f'default suites, every client: {$end - $start:.1f} s wall')"
