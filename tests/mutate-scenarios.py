#!/usr/bin/env python3
"""Mutation campaign: stubcompat run on N mutated scenario files under ASan+UBSan.

Each case is a seed scenario (70%: a shipped suite from scenarios/, 30%: the
bad-input catalogue or the scenario fuzz corpus) with 1-4 mutations (line drop/duplicate/swap, a byte
flipped or inserted, a number replaced by an extreme, a token replaced, a
truncation), run with

    BUILD/stubcompat run CASE --out TMP --clients CLIENTS --shard 1/32 --quiet --jobs 16

under AddressSanitizer, LeakSanitizer (with tests/fuzz/lsan.supp, the one
documented ldns leak) and UndefinedBehaviorSanitizer (halt on error). A case
fails when the program dies from a signal, a sanitizer reports anything, or
it exits with a status the CLI does not document (0, 1, 2, 3, 130). A case
still running after --timeout seconds (a mutation that multiplies the
suite's points) is killed and counted as a timeout: reported, kept, but not
a memory error. Failing and timed-out cases are kept in OUT/ with stderr. Everything is seeded, so
a failure can be replayed with the same --seed and --only INDEX.

Not part of CI (about 15-25 minutes for 3,000 cases on two cores); run:

    meson setup build-asan -Db_sanitize=address,undefined -Db_lundef=false
    ninja -C build-asan
    tests/mutate-scenarios.py build-asan --cases 3000 --seed 13

Exit status: 0 when no case failed, 1 otherwise, 2 on usage errors.
"""
import argparse
import collections
import glob
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

SOURCE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOCUMENTED_EXITS = {0, 1, 2, 3, 130}
SANITIZER_MARKS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:",
                   "SUMMARY: UndefinedBehaviorSanitizer", "ERROR: UndefinedBehaviorSanitizer")
EXTREMES = ["0", "-1", "1", "65535", "65536", "4294967295", "4294967296",
            "99999999999999999999", "1..100000", "0..0", "5..1", "1..", "..", "-0", "1e9",
            "0x10", "255", "256", "512", "513", "1232", "4096"]
TOKENS = ["suite", "origin", "grow", "query", "sweep", "set", "expect", "rr", "describe",
          "cname", "records=", "cname_depth=", "truncation=", "tcp=", "edns=", "delay_ms=",
          "A", "AAAA", "TXT", "CNAME", "IPSECKEY", "ANY", "TYPE65534", "\\#", "(", ")", ";",
          "#", "\"", "\\", "..", ".", "*", "@", "$INCLUDE", "$ORIGIN", "\t", "  "]


def seeds():
    """Two pools: the shipped suites (valid: mutations of them reach the run),
    and the bad-input catalogue plus the fuzz corpus (the parser's corners)."""
    def load(patterns):
        out = []
        for pattern in patterns:
            for f in sorted(glob.glob(os.path.join(SOURCE, pattern))):
                with open(f, "rb") as fh:
                    data = fh.read()
                if data:
                    out.append((os.path.relpath(f, SOURCE), data))
        return out
    return (load(["scenarios/*.scn"]),
            load(["tests/bad-input/scenario/*.scn", "tests/fuzz/corpus/scenario/*"]))


def mutate(rng, data):
    lines = data.split(b"\n")
    kind = rng.randrange(9)
    if kind == 0 and len(lines) > 1:                       # drop a line
        del lines[rng.randrange(len(lines))]
    elif kind == 1:                                        # duplicate a line
        i = rng.randrange(len(lines))
        lines.insert(i, lines[i])
    elif kind == 2 and len(lines) > 1:                     # swap two lines
        i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
        lines[i], lines[j] = lines[j], lines[i]
    elif kind == 3:                                        # a number becomes an extreme
        i = rng.randrange(len(lines))
        nums = list(re.finditer(rb"\d+(\.\.\d+)?", lines[i]))
        if nums:
            m = rng.choice(nums)
            lines[i] = lines[i][:m.start()] + rng.choice(EXTREMES).encode() + lines[i][m.end():]
    elif kind == 4:                                        # a token replaced or inserted
        i = rng.randrange(len(lines))
        words = lines[i].split(b" ")
        w = rng.randrange(len(words) + 1)
        tok = rng.choice(TOKENS).encode()
        if w < len(words) and rng.random() < 0.5:
            words[w] = tok
        else:
            words.insert(w, tok)
        lines[i] = b" ".join(words)
    elif kind == 5 and data:                               # flip a byte
        b = bytearray(b"\n".join(lines))
        p = rng.randrange(len(b))
        b[p] ^= 1 << rng.randrange(8)
        return bytes(b)
    elif kind == 6:                                        # insert random bytes
        b = bytearray(b"\n".join(lines))
        p = rng.randrange(len(b) + 1)
        b[p:p] = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 9)))
        return bytes(b)
    elif kind == 7 and data:                               # truncate
        b = b"\n".join(lines)
        return b[:rng.randrange(len(b))]
    else:                                                  # a very long token
        i = rng.randrange(len(lines))
        lines[i] += b" " + bytes([rng.choice(b"a0.\\")]) * rng.choice([63, 64, 255, 256, 4096])
    return b"\n".join(lines)


def run_case(args, index, seed_name, data, work):
    case_dir = os.path.join(work, "c%05d" % index)
    os.makedirs(case_dir)
    path = os.path.join(case_dir, "case.scn")
    with open(path, "wb") as fh:
        fh.write(data)
    env = dict(os.environ)
    env["ASAN_OPTIONS"] = "detect_leaks=1:abort_on_error=0:malloc_fill_byte=0"
    env["LSAN_OPTIONS"] = "suppressions=" + os.path.join(SOURCE, "tests", "fuzz", "lsan.supp") + \
                          ":print_suppressions=0"
    env["UBSAN_OPTIONS"] = "print_stacktrace=1:halt_on_error=1"
    cmd = [os.path.join(args.build, "stubcompat"), "run", path, "--out",
           os.path.join(case_dir, "out"), "--clients", args.clients, "--shard", args.shard,
           "--quiet", "--jobs", "16"]
    start = time.monotonic()
    try:
        p = subprocess.run(cmd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, timeout=args.timeout)
        code, err, timed_out = p.returncode, p.stderr.decode("utf-8", "replace"), False
    except subprocess.TimeoutExpired as e:
        code, err, timed_out = None, (e.stderr or b"").decode("utf-8", "replace"), True
    took = time.monotonic() - start
    bad = None
    if timed_out:
        bad = "timeout after %ds" % args.timeout
        kind = "timeouts"
    elif code < 0:
        bad = "killed by signal %d" % -code
    elif any(m in err for m in SANITIZER_MARKS):
        bad = "sanitizer report"
    elif code not in DOCUMENTED_EXITS:
        bad = "undocumented exit status %d" % code
    if bad and not timed_out:
        kind = "failures"
    if bad:
        keep = os.path.join(args.out, kind, "c%05d" % index)
        os.makedirs(keep, exist_ok=True)
        shutil.copy(path, os.path.join(keep, "case.scn"))
        with open(os.path.join(keep, "stderr.txt"), "w") as fh:
            fh.write("seed file: %s\nproblem: %s\n\n%s" % (seed_name, bad, err))
    shutil.rmtree(case_dir, ignore_errors=True)
    return index, code, bad, timed_out, took


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("build", help="an ASan+UBSan build folder (with its stubcompat)")
    ap.add_argument("--cases", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--timeout", type=int, default=60, help="seconds per case (safety net)")
    ap.add_argument("--clients", default="musl-1.2.3,c-ares-1.18,tcp-only")
    ap.add_argument("--shard", default="1/32", help="the share of each suite's cells run (K/N)")
    ap.add_argument("--out", default=None, help="where failures are kept (default: a temp folder)")
    ap.add_argument("--only", type=int, default=None, help="run only case INDEX (to replay)")
    args = ap.parse_args()
    if not os.access(os.path.join(args.build, "stubcompat"), os.X_OK):
        print("mutate-scenarios: %s/stubcompat: not built" % args.build, file=sys.stderr)
        return 2
    args.out = args.out or tempfile.mkdtemp(prefix="stubcompat-mutate-")
    valid, odd = seeds()
    rng = random.Random(args.seed)
    cases = []
    for i in range(args.cases):
        pool = valid if rng.random() < 0.7 else odd
        name, data = pool[rng.randrange(len(pool))]
        for _ in range(1 if rng.random() < 0.6 else rng.randrange(2, 5)):
            data = mutate(rng, data)
        if args.only is None or args.only == i:
            cases.append((i, name, data))
    work = tempfile.mkdtemp(prefix="stubcompat-mutate-work-")
    start = time.monotonic()
    exits = collections.Counter()
    failures = []
    timeouts = []
    slowest = 0.0
    with ThreadPoolExecutor(max_workers=args.jobs) as ex:
        futs = [ex.submit(run_case, args, i, n, d, work) for i, n, d in cases]
        for done, f in enumerate(futs, 1):
            index, code, bad, timed_out, took = f.result()
            exits["timeout" if code is None else code] += 1
            slowest = max(slowest, took)
            if bad:
                (timeouts if timed_out else failures).append((index, bad))
                print("case %d: %s" % (index, bad), file=sys.stderr)
            if done % 250 == 0:
                print("%d/%d cases, %d failed, %.0fs" % (done, len(cases), len(failures),
                                                         time.monotonic() - start), file=sys.stderr)
    shutil.rmtree(work, ignore_errors=True)
    hist = ", ".join("exit %s: %d" % (k, v) for k, v in sorted(exits.items(), key=str))
    print("mutate-scenarios: %d cases (seed %d) in %.0fs, slowest %.1fs; %s; %d failed "
          "(sanitizer reports, signals or undocumented exits), %d timed out%s"
          % (len(cases), args.seed, time.monotonic() - start, slowest, hist, len(failures),
             len(timeouts), "; kept in %s" % args.out if failures or timeouts else ""))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
