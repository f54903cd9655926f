#!/usr/bin/env python3
"""The table of resolver behaviours in README.md, from a run of
scenarios/behind-resolvers.scn (its matrix.json), so that the README says
what was measured, not what was typed:

    ./build/stubcompat run scenarios/behind-resolvers.scn
    python3 results/resolver-table.py results/behind-resolvers/matrix.json

One row per value of path=; each column reads a few cells of the matrix
(named in the column's note). A cell that is missing (a shard, --clients
without the client) prints as "?"; a cell that was skipped prints "skipped"."""
import json
import sys

PATHS = ["direct", "dnsmasq", "unbound", "bind9", "knot-resolver", "pdns-recursor"]
API, CDN = "api.mixpanel.com", "cdn.mixpanel.com"


def load(path):
    with open(path) as f:
        m = json.load(f)
    cells = {}
    for c in m["cells"]:
        p = c["params"]
        key = (p.get("path"), c["client"], c["qname"], p.get("records"), p.get("truncation"),
               p.get("edns"), p.get("tcp"))
        cells[key] = c
    return m, cells


def find(cells, path, client, qname=API, records=30, truncation="tc-empty", edns="honor",
         tcp="on"):
    return cells.get((path, client, qname, records, truncation, edns, tcp))


def unchecked(c):
    if c is None:
        return "?"
    if c["verdict"] in ("skipped", "harness-error"):
        return c["verdict"]
    return None


def upstream_edns(c):
    """What the authority saw in the last query: the resolver's (or the client's)."""
    return unchecked(c) or ("EDNS %d" % c["edns"] if c["edns"] is not None else "no EDNS")


def stub_udp(c):
    """The UDP reply the client got: from the resolver (stub_*), or the server's."""
    u = unchecked(c)
    if u:
        return u
    if "resolver" in c:
        if not c["stub_udp_replies"]:
            return "no UDP reply"
        tc = " TC" if c["stub_tc_replies"] else ""
        return "%d B%s, %d rec" % (c["stub_udp_bytes"], tc, c["stub_udp_records"])
    if c["udp_bytes"] is None:
        return "no UDP reply"
    return "%d B%s" % (c["udp_bytes"], " TC" if c["tc_replies"] else "")


def tries(c):
    u = unchecked(c)
    if u:
        return u
    parts = []
    if c["udp_queries"]:
        parts.append("%d UDP" % c["udp_queries"])
    if c["tcp_queries"]:
        parts.append("%d TCP" % c["tcp_queries"])
    return " + ".join(parts) or "none"


def verdict(c):
    u = unchecked(c)
    if u:
        return u
    v = c["verdict"]
    if c["reason"] and v != "ok":
        v += " (%s)" % c["reason"]
    return v


def row(cells, path):
    g = "glibc-2.36"
    cols = [
        "`%s`" % path,
        upstream_edns(find(cells, path, g)),
        " / ".join(stub_udp(find(cells, path, g, truncation=t))
                   for t in ("tc-empty", "tc-partial", "overflow")),
        "%s, %s" % (tries(find(cells, path, g, edns="formerr")),
                    verdict(find(cells, path, g, edns="formerr"))),
        "%s, %s" % (tries(find(cells, path, g, edns="formerr", tcp="refuse")),
                    verdict(find(cells, path, g, edns="formerr", tcp="refuse"))),
        verdict(find(cells, path, "tcp-only", tcp="refuse", truncation="tc-partial")),
        "%s / %s" % (verdict(find(cells, path, "real:musl-1.2.3")),
                     verdict(find(cells, path, "real:musl-1.2.3", qname=CDN, records=28))),
        verdict(find(cells, path, "real:glibc-2.36")),
    ]
    return "| " + " | ".join(cols) + " |"


def main():
    if len(sys.argv) != 2:
        print("usage: resolver-table.py MATRIX.json", file=sys.stderr)
        return 2
    m, cells = load(sys.argv[1])
    if m["suite"] != "behind-resolvers":
        print("%s: expected a run of behind-resolvers, got suite %s" % (sys.argv[1], m["suite"]),
              file=sys.stderr)
        return 2
    print("| path | the authority sees | a no-EDNS stub gets over UDP at 30 A (514 B), authority "
          "tc-empty / tc-partial / overflow | authority FORMERR to EDNS: tries, glibc | ... and "
          "TCP refused: tries, glibc | TCP-only stub, authority refuses TCP | real:musl-1.2.3 "
          "at 30 A / 28 behind the CNAME | real:glibc-2.36 at 30 A |")
    print("|---|---|---|---|---|---|---|---|")
    for p in PATHS:
        print(row(cells, p))
    print()
    print("Measured by `stubcompat run scenarios/behind-resolvers.scn` (%s%d cells); "
          "columns 2-5 are glibc-2.36's cells (no EDNS, TCP after TC) at 30 A records, "
          "authority tc-empty unless named; \"tries\" are the queries the authority saw for "
          "the cell." % ("" if m["complete"] else "incomplete, ", len(m["cells"])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
