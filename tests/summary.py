#!/usr/bin/env python3
"""Sums the TESTSUMMARY lines of every test program in meson's testlog.json.

Prints one line per program, the skips with their reasons, and last the plain
line "N passed, N failed" that CI reads. A program that crashed or failed
without its summary line counts as one failure; skips never count as passes.
Exit status: 0 when nothing failed.
"""
import json
import re
import sys

SUMMARY = re.compile(r"^TESTSUMMARY (\S+) passed=(\d+) failed=(\d+) skipped=(\d+)$", re.M)
SKIP = re.compile(r"^\s*SKIPPED (.*)$", re.M)


def read_plain(path, label):
    """A file of TESTSUMMARY lines (the libFuzzer runs)."""
    tests = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for m in SUMMARY.finditer(f.read()):
            tests.append({"name": f"{label}{m.group(1)}", "result": "OK" if m.group(3) == "0" else "FAIL",
                          "stdout": m.group(0)})
    return tests


def read_tests(arg):
    """LABEL=PATH or PATH; meson's testlog.json or a plain TESTSUMMARY file."""
    label, path = ("", arg)
    if "=" in arg:
        label, path = arg.split("=", 1)
        label += ": "
    if not path.endswith(".json"):
        return read_plain(path, label)
    tests = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            if line.strip():
                t = json.loads(line)
                t["name"] = label + t["name"]
                tests.append(t)
    return tests


def main(paths):
    passed = failed = skipped = 0
    skips = []
    for path in paths:
        try:
            tests = read_tests(path)
        except OSError as e:
            print(f"{path}: {e.strerror}")
            failed += 1
            continue
        for t in tests:
            out = t.get("stdout") or ""
            result = t.get("result", "")
            found = SUMMARY.findall(out)
            skips += [f"{t['name']}: {s}" for s in SKIP.findall(out)]
            if result == "SKIP":
                skipped += 1
                skips.append(f"{t['name']}: skipped by meson")
                continue
            if not found:
                if result == "OK":
                    passed += 1
                else:
                    failed += 1
                    print(f"{t['name']}: {result} without a summary line")
                continue
            p = sum(int(x[1]) for x in found)
            fl = sum(int(x[2]) for x in found)
            sk = sum(int(x[3]) for x in found)
            if result != "OK" and fl == 0:
                fl = 1
                print(f"{t['name']}: {result} (exit {t.get('returncode')}) after its summary")
            print(f"{t['name']}: {p} passed, {fl} failed, {sk} skipped")
            passed += p
            failed += fl
            skipped += sk
    for s in skips:
        print(f"skipped: {s}")
    if skipped:
        print(f"{skipped} skipped (not counted as passed)")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or ["build/meson-logs/testlog.json"]))
