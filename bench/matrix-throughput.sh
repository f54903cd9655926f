#!/bin/sh
# Matrix throughput on this machine, one line per figure:
#   key | figure | measured | target | met/MISSED
# cells per second for the emulated profiles, real c-ares in process,
# libresolv on threads, the sandboxed helpers, every real client alone and
# every resolver path; 1,000 cells that all time out; peak RSS as the cell
# count grows; a 200,000-cell matrix written, merged and used as a baseline;
# wall time of the default suites and of calibration.
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

# key label measured target_op target unit: prints the figure line
figure() {
        python3 - "$@" <<'PY'
import sys
key, label, value, op, target, unit = sys.argv[1:7]
v, t = float(value), float(target)
ok = {"ge": v >= t, "le": v <= t, "none": True}[op]
shown = {"ge": f">= {t:,.0f} {unit}", "le": f"<= {t:,.1f} {unit}", "none": "(listed)"}[op]
fmt = f"{v:,.0f}" if abs(v) >= 100 else f"{v:,.2f}"
print(f"{key} | {label} | {fmt} {unit} | target {shown} | {'met' if ok else 'MISSED'}")
PY
}

# timed FILE command...: runs it, leaves "secs kib cpu_secs" in FILE (cpu:
# user + system of it and its helpers, which on a shared machine says what a
# figure would be on idle cores; a busy machine only stretches the wall time)
timed() {
        file=$1; shift
        /usr/bin/time -f "%e %M %U %S" -o "$file.raw" "$@" > /dev/null 2>&1 || true
        tail -1 "$file.raw" | awk '{print $1, $2, $3 + $4}' > "$file"
}

# run_timed OUT [run arguments]: runs, leaves "secs kib cpu cells" in $work/last
run_timed() {
        out=$1; shift
        timed "$work/time" $BIN run "$@" --out "$out" --quiet
        read -r secs kb cpu < "$work/time"
        cells=$(python3 -c "import json;print(len(json.load(open('$out/matrix.json'))['cells']))" 2>/dev/null || echo 0)
        echo "$secs $kb $cpu $cells" > "$work/last"
}

# rate KEY LABEL SCENARIO CLIENTS TARGET [run options]: cells/s of one run
rate() {
        key=$1; label=$2; scn=$3; clients=$4; target=$5; shift 5
        run_timed "$work/out" "$work/$scn.scn" --clients "$clients" "$@"
        read -r secs kb cpu cells < "$work/last"
        cps=$(python3 -c "print($cells / $secs if $secs > 0 else 0)")
        per_cpu=$(python3 -c "print(f'{$cells / $cpu if $cpu > 0 else 0:,.0f}')")
        op=ge; [ "$target" = - ] && { op=none; target=0; }
        figure "$key" "$label ($cells cells, $secs s, $per_cpu cells per CPU-second, $((kb / 1024)) MiB)" \
                "$cps" $op "$target" cells/s
}

scenario cells5k 50 100
scenario cells1k 10 100
echo "load before: $(uptime | sed 's/.*load average: //')"
emulated=$($BIN clients | awk '$2 == "emulated" {print $1}' | paste -sd, -)
rate matrix.emulated "emulated, $(echo "$emulated" | tr , '\n' | wc -l) profiles" cells5k "$emulated" 20000
rate matrix.cares "real c-ares, 4 modes in process" cells5k \
        real:c-ares-1.18,real:c-ares-1.18-igntc,real:c-ares-1.18-edns,real:c-ares-1.18-usevc 8000
rate matrix.libresolv "real libresolv, 4 modes on threads" cells5k \
        real:glibc-2.36-res,real:glibc-2.36-res-igntc,real:glibc-2.36-res-edns0,real:glibc-2.36-res-usevc -
rate matrix.gai "sandboxed getaddrinfo, glibc x2 + musl" cells5k \
        real:glibc-2.36,real:glibc-2.36-edns0,real:musl-1.2.3 10000
# every real client alone (the twins of issue 10 included once they exist)
for c in $($BIN clients | awk '$2 == "real" && $4 == "yes" {print $1}'); do
        rate "matrix.client.$c" "$c alone" cells1k "$c" -
done
# every resolver path (issue 14), one emulated client behind it
scenario path100 1 100
for p in $(sed -n 's/.*\[VIA_[A-Z0-9_]*\] = "\([a-z0-9-]*\)".*/\1/p' harness/zone/params.c); do
        [ "$p" = direct ] && continue
        rate "matrix.path.$p" "path=$p, glibc-2.36 profile behind it" path100 glibc-2.36 - --set "path=$p"
done

scenario timeouts 1000 1 "set drop_first=1"
run_timed "$work/out" "$work/timeouts.scn" --clients rfc1035-udp512 --jobs 1000
read -r secs kb cpu cells < "$work/last"
figure matrix.timeouts "$cells cells that all time out, 1 s each, 1,000 in flight" "$secs" le 2 s

scenario cells100k 1000 100
run_timed "$work/out" "$work/cells100k.scn" --clients musl-1.2.3
read -r secs kb cpu cells < "$work/last"
figure matrix.rss100k "peak RSS, $cells cells, one client ($secs s)" "$((kb / 1024))" le 64 MiB

# a 200,000-cell matrix: written by a run, read and rewritten by merge,
# read as the baseline of a second run
scenario cells200k 2000 100
run_timed "$work/a" "$work/cells200k.scn" --clients rfc1035-udp512
read -r secs kb cpu cells < "$work/last"
figure matrix.rss200k "peak RSS, run of $cells cells ($secs s; matrix.json $(($(stat -c %s "$work/a/matrix.json") / 1048576)) MiB)" "$((kb / 1024))" le 128 MiB
timed "$work/time" $BIN merge "$work/a/matrix.json" --out "$work/m" --quiet
read -r secs kb cpu < "$work/time"
figure matrix.merge200k.time "merge of $cells cells: read + every view ($cpu CPU-seconds)" "$secs" le 5 s
figure matrix.merge200k.rss "merge of $cells cells: peak RSS" "$((kb / 1024))" le 128 MiB
run_timed "$work/b" "$work/cells200k.scn" --clients rfc1035-udp512 --baseline "$work/a/matrix.json"
read -r secs kb cpu cells < "$work/last"
figure matrix.baseline200k.rss "run of $cells cells with --baseline of as many ($secs s): peak RSS" "$((kb / 1024))" le 128 MiB
rm -rf "$work/a" "$work/b" "$work/m"

# the suites run side by side (one worker process per core, plus one): the
# CPU-seconds over the cores are the wall time's floor on an idle machine
timed "$work/time" $BIN run --default --out "$work/default" --quiet
read -r secs kb cpu < "$work/time"
floor=$(python3 -c "print(f'{$cpu / $(nproc):.1f}')")
figure matrix.default "default suites, every client, side by side ($cpu CPU-seconds, helpers included: ${floor} s on $(nproc) idle cores; load $(uptime | sed 's/.*load average: //; s/,.*//'))" "$secs" le 60 s
timed "$work/time" $BIN calibrate --out "$work/calibration"
read -r secs kb cpu < "$work/time"
figure matrix.calibrate "calibration (scenarios/calibration.scn), every pair ($cpu CPU-seconds)" "$secs" le 300 s
echo "load after: $(uptime | sed 's/.*load average: //')"
