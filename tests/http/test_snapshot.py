#!/usr/bin/env python3
"""test_snapshot.py — the metrics snapshot never changes a number. On a
`parley demo` history of over 10,000 events: the first start replays them
all and writes a snapshot while serving, so a kill right after it keeps
that work; the next start reads it, takes more events and is killed
(SIGKILL); the restart replays only the events after the snapshot, and
/metrics, /reports and the drill-down answer exactly as before the kill and
as a full replay with the snapshot deleted. `parley report` reads the
snapshot without writing it. A damaged snapshot, one written by another
build, another database's and one ahead of the database (its events lost,
as after restoring a backup) are each refused with a log line, and the
answers stay the same.
Usage: test_snapshot.py PARLEY"""
import os
import re
import shutil
import signal
import subprocess

import harness

DEMO = ("admin@parley.local", "parley-demo")
SPAN = "from=2025-01-01T00:00:00Z&to=2027-01-01T00:00:00Z"
QUERIES = [
    "/api/v1/metrics?granularity=day&periods=200&" + SPAN,
    "/api/v1/metrics?dim=channel&value=email&periods=30&" + SPAN,
    "/api/v1/reports?metric=all&group=agent&period=month&" + SPAN,
    "/api/v1/reports?metric=created,fcr_rate,csat_mean&group=category&period=week&" + SPAN,
    "/api/v1/reports/tickets?metric=frt_mean_ms&limit=1000&" + SPAN,
    "/api/v1/reports/tickets?metric=fcr_rate&limit=1000&" + SPAN,
]


def demo(binary, db, tmp, tickets):
    p = subprocess.run([binary, "demo", "--db", db, "--tickets", str(tickets), "--models",
                        harness.MODELS], cwd=tmp, capture_output=True, text=True, timeout=900)
    return p.returncode, p.stderr


def fnv1a(data):
    h = 0xcbf29ce484222325
    for byte in data:
        h = ((h ^ byte) * 0x100000001b3) & 0xffffffffffffffff
    return h


def cli(binary, tmp, args):
    return subprocess.run([binary] + args, cwd=tmp, capture_output=True, text=True, timeout=900)


def snapshot_path(db, tmp):
    return db[7:] + ".metrics" if db.startswith("sqlite:") else \
        os.path.join(tmp, "parley-metrics.snapshot")


def login(srv):
    return srv.call("POST", "/api/v1/auth/login", {"email": DEMO[0], "password": DEMO[1]})[1]["token"]


def answers(srv, tok):
    out = []
    for q in QUERIES:
        st, r = srv.call("GET", q, token=tok)
        out.append((st, r))
    return out


def log_of(srv, tmp):
    with open(os.path.join(tmp, "server-%d.log" % srv.port), errors="replace") as f:
        return f.read()


def restart(binary, db, tmp):
    """Starts a server; returns it, its token, its answers and its log."""
    srv = harness.Server(binary, db, tmp).start()
    tok = login(srv)
    return srv, tok, answers(srv, tok), log_of(srv, tmp)


def more_events(srv, tok, c):
    """New tickets, replies, resolutions and a reopen: facts of every kind."""
    for i in range(6):
        st, m = srv.call("POST", "/api/v1/messages", {
            "channel": "email", "customer": {"email": "snap%d@example.com" % i},
            "subject": "Order %d" % i,
            "body": "This is the third time I write, my order is still missing!"}, token=tok)
        c.eq(st, 201, "message %d posted" % i)
        tid = m["ticket_id"]
        if i % 2 == 0:
            st, _ = srv.call("POST", "/api/v1/tickets/%d/replies" % tid,
                             {"body": "Sorry, it ships today."}, token=tok)
            c.eq(st, 201, "reply %d" % i)
            st, _ = srv.call("PATCH", "/api/v1/tickets/%d" % tid,
                             {"status": "resolved", "category": "delivery"}, token=tok)
            c.eq(st, 200, "resolved %d" % i)
        if i == 0:
            st, _ = srv.call("PATCH", "/api/v1/tickets/%d" % tid, {"status": "open"}, token=tok)
            c.eq(st, 200, "reopened")


def used_as_of(log):
    m = re.findall(r"snapshot \S+ as of event (\d+)\n", log)
    return int(m[-1]) if m else None


def main(binary, db, tmp, c):
    rc, err = demo(binary, db, tmp, 900)   # over 10,000 events
    c.eq(rc, 0, "demo history generated (%s)" % err[-300:])
    snap = snapshot_path(db, tmp)
    if os.path.exists(snap):
        os.remove(snap)

    # First start: a full replay of more than 10,000 events, so the writer
    # takes a snapshot while serving: a kill does not lose it.
    srv, tok, first, log = restart(binary, db, tmp)
    srv.stop(signal.SIGKILL)
    c.ok(used_as_of(log) is None, "no snapshot on the first start")
    c.ok(os.path.exists(snap), "snapshot written after the long replay, before any stop")
    shutil.copy(snap, snap + ".old")

    # Second start: reads it, takes more events, dies without a word.
    srv, tok, again, log = restart(binary, db, tmp)
    x = used_as_of(log)
    c.ok(x is not None, "the snapshot was read")
    c.ok(again == first, "same answers from the snapshot as from the full replay")
    more_events(srv, tok, c)
    before = answers(srv, tok)
    c.ok(before != first, "the new events changed the numbers")
    srv.stop(signal.SIGKILL)
    c.eq(open(snap, "rb").read(), open(snap + ".old", "rb").read(),
         "the killed server wrote no snapshot")

    # Restart after the kill: the snapshot, then only the newer events.
    srv, tok, after, log = restart(binary, db, tmp)
    c.eq(used_as_of(log), x, "restart after the kill reads the same snapshot")
    c.ok(after == before, "after the kill: same /metrics, /reports and drill-down")
    srv.stop()
    c.ok(open(snap, "rb").read() != open(snap + ".old", "rb").read(),
         "the clean stop wrote a newer snapshot")
    y = used_as_of(restart_log(binary, db, tmp))
    c.ok(y is not None and y > x, "the newer snapshot is as of a later event (%s > %s)" % (y, x))

    # Without the snapshot: a full replay agrees.
    os.remove(snap)
    srv, tok, full, log = restart(binary, db, tmp)
    srv.stop()
    c.ok(used_as_of(log) is None, "snapshot deleted: full replay")
    c.ok(full == before, "the full replay gives the same answers")

    # `parley report` reads the server's snapshot, never writes it: an old
    # one plus the newer events gives the numbers of a full replay.
    for args in (["--metric", "all", "--group", "agent", "--period", "month"],
                 ["--tickets", "--metric", "frt_mean_ms", "--limit", "1000"]):
        args = ["report", "--db", db, "--from", "2025-01-01", "--to", "2027-01-01"] + args
        os.remove(snap)
        whole = cli(binary, tmp, args)
        shutil.copy(snap + ".old", snap)
        part = cli(binary, tmp, args)
        c.ok(whole.returncode == 0 and "snapshot" not in whole.stderr,
             "report without a snapshot (%s)" % whole.stderr[-200:])
        c.ok(("as of event %d" % x) in part.stderr, "report read the snapshot")
        c.ok(len(whole.stdout) > 100 and part.stdout == whole.stdout,
             "report: same answer from the snapshot (%s)" % args[-4])
        c.eq(open(snap, "rb").read(), open(snap + ".old", "rb").read(),
             "report left the snapshot as it was")

    # Refused: damaged, foreign, ahead of the database.
    with open(snap, "r+b") as f:
        f.seek(200)
        f.write(b"\xff\xfe\xfd")
    check_refused(binary, db, tmp, c, before, "damaged", "checksum")

    # Written by another build (which may count events differently): the
    # build's commit is in the header, under the checksum.
    shutil.copy(snap + ".old", snap)
    with open(snap, "rb") as f:
        data = bytearray(f.read())
    data[23] ^= 1
    data[-8:] = fnv1a(bytes(data[:-8])).to_bytes(8, "little")
    with open(snap, "wb") as f:
        f.write(data)
    check_refused(binary, db, tmp, c, before, "other build's", "written by another build")

    other = "sqlite:" + os.path.join(tmp, "other.db")
    rc, err = demo(binary, other, tmp, 60)
    c.eq(rc, 0, "another database (%s)" % err[-200:])
    osrv = harness.Server(binary, other, tmp).start()
    osrv.stop()
    shutil.copy(snapshot_path(other, tmp), snap)
    check_refused(binary, db, tmp, c, before, "another database's", "not of this database")

    # The current snapshot, then the database loses its last events (a
    # restored backup): the snapshot is ahead of it and must not be used.
    srv = harness.Server(binary, db, tmp).start()
    srv.stop()
    last = int(harness.sql(db, "SELECT max(id) FROM events")[0][0])
    harness.sql(db, "DELETE FROM events WHERE id > %d" % (last - 3))
    srv, tok, lost, log = restart(binary, db, tmp)
    srv.stop()
    c.ok("not of this database, or its events were lost" in log,
         "a snapshot ahead of the database is refused")
    os.remove(snap)
    srv, tok, full, log = restart(binary, db, tmp)
    srv.stop()
    c.ok(full == lost, "…and the answers are those of a full replay")


def restart_log(binary, db, tmp):
    srv, tok, _, log = restart(binary, db, tmp)
    srv.stop()
    return log


def check_refused(binary, db, tmp, c, want, what, reason):
    srv, tok, got, log = restart(binary, db, tmp)
    srv.stop()
    c.ok("not used (" in log and used_as_of(log) is None, "a %s snapshot is refused" % what)
    c.ok(reason in log, "the log says why (%s)" % reason)
    c.ok(got == want, "a %s snapshot changes no number" % what)


if __name__ == "__main__":
    harness.run(main)
