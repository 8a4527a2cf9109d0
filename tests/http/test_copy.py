#!/usr/bin/env python3
"""test_copy.py — `parley copy` from SQLite to PostgreSQL, over real servers:
a demo database with messages added through the API (text with tabs,
backslashes and newlines, an e-mail with a binary attachment), an erased
customer and a signed checkpoint is copied into a fresh PostgreSQL schema;
then both are served and answer the same (tickets list, a ticket, metrics,
reports and drill-down, search, a customer export, the attachment), and
`parley verify` passes on the copy with the log's key; new writes on the
copy get ids after the copied ones. Copying into a non-empty database fails
with exit 1 and leaves it unchanged; so does a row PostgreSQL refuses half-way
(no row, every index and foreign key still there); a table or column on one
side only is refused, named; bad URLs and a missing file fail clearly. Needs PARLEY_TEST_PG (skipped without it).
Usage: test_copy.py PARLEY"""
import email.message
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse

import harness

WORD = "quokkafjord"
TRICKY = "Order %s:\ttab, back\\slash, \\N and \\t literally,\nnew line\r\nand CRLF" % WORD
PNG = bytes(range(256)) + b"\x00\\\t\n\r\xff" * 10


def cli(binary, tmp, *args):
    return subprocess.run([binary] + list(args), cwd=tmp, capture_output=True, text=True)


def new_schema(pg, tag):
    schema = "copy_%s_%d_%d" % (tag, os.getpid(), int(time.time() * 1000) % 100000)
    subprocess.run(["psql", "-q", pg, "-c", "CREATE SCHEMA " + schema], check=True,
                   stdout=subprocess.DEVNULL)
    sep = "&" if "?" in pg else "?"
    return pg + sep + "options=" + urllib.parse.quote("-csearch_path=" + schema)


def login(srv, email, pw):
    return srv.call("POST", "/api/v1/auth/login", {"email": email, "password": pw})[1]["token"]


def mail_with_attachment():
    m = email.message.EmailMessage()
    m["From"] = "Ruth Quist <ruth@example.org>"
    m["To"] = "support@shop.example"
    m["Subject"] = "Photo of the %s parcel" % WORD
    m["Message-ID"] = "<copy-1@example.org>"
    m.set_content("The parcel %s arrived broken, photo attached." % WORD)
    m.add_attachment(PNG, maintype="image", subtype="png", filename="photo.png")
    return m.as_bytes()


def fill(srv, c):
    """Writes through the API; returns (admin token, erased customer, kept customer)."""
    tok = login(srv, *harness.ADMIN)
    st, a = srv.call("POST", "/api/v1/messages", {
        "channel": "email", "customer": {"email": "tab@example.org", "name": "Tab Tester"},
        "subject": "Escapes " + WORD, "body": TRICKY}, token=tok)
    c.eq(st, 201, "a message with tabs, backslashes and newlines")
    st, _ = srv.call("POST", "/api/v1/tickets/%d/replies" % a.get("ticket_id", 0),
                     {"body": "Reply about %s, line one\nline two" % WORD}, token=tok)
    c.eq(st, 201, "a reply")
    st, e = srv.call("POST", "/api/v1/messages", {
        "channel": "chat", "customer": {"email": "erase.me@example.org", "name": "Erin Erase"},
        "body": "Please forget me, %s" % WORD}, token=tok)
    c.eq(st, 201, "a message of the customer to erase")
    st, _ = srv.call("POST", "/api/v1/channels/email", raw=mail_with_attachment(), token=tok,
                     headers={"Content-Type": "message/rfc822"})
    c.eq(st, 201, "an e-mail with a binary attachment")
    st, _ = srv.call("POST", "/api/v1/customers/%d/erase" % e.get("customer_id", 0),
                     {"confirm": e.get("customer_id", 0)}, token=tok)
    c.eq(st, 200, "a customer erased")
    st, note = srv.call("GET", "/api/v1/ledger/checkpoint")
    c.ok(st == 200 and "\n\n" in note, "a signed checkpoint")
    return tok, e.get("customer_id", 0), a.get("customer_id", 0)


PATHS = [
    "/api/v1/tickets?limit=500",
    "/api/v1/tickets?limit=50&sort=updated&status=open",
    "/api/v1/metrics",
    "/api/v1/metrics?dim=category&periods=3",
    "/api/v1/reports?metric=all&group=agent&period=week",
    "/api/v1/reports/tickets?metric=resolved&limit=1000",
    "/api/v1/alerts?status=all&limit=500",
    "/api/v1/roi?from=2026-01-01&to=2026-07-01&baseline_from=2025-07-01&baseline_to=2026-01-01",
    "/api/v1/users",
    "/api/v1/kb/articles",
    "/api/v1/canned",
]


def answers(srv, tok, erased, kept):
    """What a server says about the data, to compare across backends."""
    out = {p: srv.call("GET", p, token=tok) for p in PATHS}
    tickets = out["/api/v1/tickets?limit=500"][1].get("tickets", [])
    for t in tickets[:5] + tickets[-5:]:
        p = "/api/v1/tickets/%d" % t["id"]
        out[p] = srv.call("GET", p, token=tok)
    for cid in (erased, kept):
        for p in ("/api/v1/customers/%d" % cid, "/api/v1/customers/%d/export" % cid):
            out[p] = srv.call("GET", p, token=tok)
            out[p][1].pop("exported_at", None)
    st, hits = srv.call("GET", "/api/v1/search?q=%s&limit=50" % WORD, token=tok)
    out["search"] = (st, sorted(t["id"] for t in hits.get("tickets", [])))
    for t in tickets:
        for m in srv.call("GET", "/api/v1/tickets/%d" % t["id"], token=tok)[1].get("messages", []):
            for a in m.get("attachments", []):
                out["attachment %d" % a["id"]] = srv.call("GET", "/api/v1/attachments/%d" % a["id"],
                                                          token=tok)
    return out


def first_difference(a, b, path=""):
    """Where two JSON values first differ, as "path: a != b" (short)."""
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b), key=str):
            if a.get(k) != b.get(k):
                return first_difference(a.get(k), b.get(k), "%s.%s" % (path, k))
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b)):
            if x != y:
                return first_difference(x, y, "%s[%d]" % (path, i))
    return "%s: %.200r != %.200r" % (path, a, b)


def compare(src, dst, c):
    c.eq(sorted(dst), sorted(src), "the same requests answered")
    for k in sorted(src):
        c.ok(dst.get(k) == src[k], "copy answers %s as the source: %s" %
             (k, first_difference(dst.get(k), src[k])))
    c.ok(len(src["search"][1]) >= 2, "search finds the tickets: %r" % (src["search"],))
    c.ok(any(k.startswith("attachment") for k in src), "an attachment compared")


def refused(binary, tmp, pg, c):
    """Bad input: a target with rows is left as it was; bad URLs fail."""
    busy = new_schema(pg, "busy")
    harness.add_user(binary, busy, "someone@example.com", "agent", "someone-pass-1", tmp)
    src = "sqlite:" + os.path.join(tmp, "src.db")
    r = cli(binary, tmp, "copy", "--from", src, "--to", busy)
    c.eq(r.returncode, 1, "copy into a database with rows exits 1")
    c.ok("not empty (table " in r.stderr, "and names a table with rows: %r" % r.stderr)
    c.eq(harness.sql(busy, "SELECT count(*) FROM users"), [("1",)], "its users are unchanged")
    c.eq(harness.sql(busy, "SELECT count(*) FROM tickets"), [("0",)], "no ticket was copied")
    r = cli(binary, tmp, "copy", "--from", src, "--to", "postgresql://nobody@127.0.0.1:1/none")
    c.eq(r.returncode, 1, "an unreachable target exits 1")
    c.ok("cannot open postgresql://nobody@127.0.0.1:1/none" in r.stderr, "and says so: %r" % r.stderr)
    r = cli(binary, tmp, "copy", "--from", "sqlite:" + os.path.join(tmp, "missing.db"), "--to", busy)
    c.eq(r.returncode, 1, "a missing source exits 1")
    c.ok("no SQLite database" in r.stderr, "and says so: %r" % r.stderr)
    c.ok(not os.path.exists(os.path.join(tmp, "missing.db")), "and does not create it")
    r = cli(binary, tmp, "copy", "--from", "mysql://x", "--to", busy)
    c.eq(r.returncode, 2, "a source that is not SQLite is a usage error")
    r = cli(binary, tmp, "copy", "--from", src)
    c.eq(r.returncode, 2, "--to is required")


def half_way(binary, tmp, pg, good, c):
    """A row PostgreSQL refuses (invalid UTF-8 in the last message) fails
    the copy after most tables went in: the target is left as it was."""
    bad = os.path.join(tmp, "bad.db")
    shutil.copy(os.path.join(tmp, "src.db"), bad)
    harness.sql("sqlite:" + bad, "UPDATE messages SET body = CAST(X'C328' AS TEXT) "
                                 "WHERE id = (SELECT max(id) FROM messages)")
    dst = new_schema(pg, "half")
    r = cli(binary, tmp, "copy", "--from", "sqlite:" + bad, "--to", dst)
    c.eq(r.returncode, 1, "a refused row fails the copy")
    c.ok("COPY messages" in r.stderr and "nothing was copied" in r.stderr,
         "and says where: %r" % r.stderr[-400:])
    for t in ("events", "tickets", "messages", "customers", "users"):
        c.eq(harness.sql(dst, "SELECT count(*) FROM " + t), [("0",)], "no row left in " + t)
    count = "SELECT count(*) FROM pg_indexes WHERE schemaname = current_schema()"
    c.eq(harness.sql(dst, count), harness.sql(good, count), "every index is still there")
    fks = "SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND connamespace = " \
          "(SELECT oid FROM pg_namespace WHERE nspname = current_schema())"
    c.eq(harness.sql(dst, fks), harness.sql(good, fks), "every foreign key too")
    return dst


def mismatch(binary, tmp, empty, c):
    """A column or table on one side only is refused, naming it."""
    src = "sqlite:" + os.path.join(tmp, "src.db")
    harness.sql(empty, "ALTER TABLE tickets ADD COLUMN color TEXT")
    r = cli(binary, tmp, "copy", "--from", src, "--to", empty)
    c.eq(r.returncode, 1, "a column only in the target is refused")
    c.ok("column tickets.color is in the target but not in the source" in r.stderr, r.stderr)
    harness.sql(empty, "ALTER TABLE tickets DROP COLUMN color")
    odd = os.path.join(tmp, "odd.db")
    shutil.copy(os.path.join(tmp, "src.db"), odd)
    harness.sql("sqlite:" + odd, "ALTER TABLE messages ADD COLUMN mood TEXT")
    r = cli(binary, tmp, "copy", "--from", "sqlite:" + odd, "--to", empty)
    c.eq(r.returncode, 1, "a column only in the source is refused")
    c.ok("column messages.mood is in the source but not in the target" in r.stderr, r.stderr)
    harness.sql("sqlite:" + odd, "ALTER TABLE messages DROP COLUMN mood")
    harness.sql("sqlite:" + odd, "CREATE TABLE extra (x INTEGER)")
    r = cli(binary, tmp, "copy", "--from", "sqlite:" + odd, "--to", empty)
    c.eq(r.returncode, 1, "a table only in the source is refused")
    c.ok("table extra is in the source but not in the target" in r.stderr, r.stderr)
    c.eq(harness.sql(empty, "SELECT count(*) FROM events"), [("0",)], "nothing was copied")


def main():
    binary = os.path.abspath(sys.argv[1])
    pg = os.environ.get("PARLEY_TEST_PG")
    if not pg:
        print("test_copy: PARLEY_TEST_PG not set: skipped")
        return 0
    tmp = tempfile.mkdtemp(prefix="parley-copy-")
    c = harness.Checks("copy")
    try:
        run(binary, pg, tmp, c)
    except Exception:  # a crash of the test itself is a failure
        import traceback
        traceback.print_exc()
        c.failed += 1
    print("%d passed, %d failed" % (c.passed, c.failed))
    if c.failed:
        for f in sorted(os.listdir(tmp)):
            if f.startswith("server-"):
                with open(os.path.join(tmp, f), errors="replace") as fh:
                    print("--- %s (last 40 lines)\n%s" % (f, "".join(fh.readlines()[-40:])))
    shutil.rmtree(tmp, ignore_errors=True)
    return 1 if c.failed else 0


def run(binary, pg, tmp, c):
    src = "sqlite:" + os.path.join(tmp, "src.db")
    r = cli(binary, tmp, "demo", "--db", src, "--tickets", "200", "--models", harness.MODELS)
    c.eq(r.returncode, 0, "demo database: " + r.stderr[-300:])
    harness.add_user(binary, src, harness.ADMIN[0], "admin", harness.ADMIN[1], tmp)
    srv = harness.Server(binary, src, tmp).start()
    try:
        tok, erased, kept = fill(srv, c)
    finally:
        srv.stop()
    refused(binary, tmp, pg, c)

    dst = new_schema(pg, "dst")
    r = cli(binary, tmp, "copy", "--from", src, "--to", dst)
    c.eq(r.returncode, 0, "copy exits 0: " + r.stderr[-500:])
    c.ok("tickets" in r.stderr and "rows/s" in r.stderr, "progress on stderr")
    c.ok("src.db.data-key" in r.stdout and "src.db.metrics" in r.stdout,
         "names the files to move: %r" % r.stdout)
    lz4 = harness.sql(dst, "SELECT 'lz4' = ANY (enumvals) FROM pg_settings "
                           "WHERE name = 'default_toast_compression'")
    methods = harness.sql(dst, "SELECT DISTINCT pg_column_compression(triage) FROM tickets "
                               "WHERE pg_column_compression(triage) IS NOT NULL")
    c.eq(methods, [("lz4",)] if lz4 == [("t",)] else [("pglz",)],
         "long values compressed with lz4 when the server has it")
    c.eq(harness.sql(dst, "SELECT count(*) FROM tickets"),
         [(str(harness.sql(src, "SELECT count(*) FROM tickets")[0][0]),)], "every ticket")
    os.environ["PARLEY_DATA_KEY"] = os.path.join(tmp, "src.db.data-key")
    r = cli(binary, tmp, "verify", "--db", dst, "--key", os.path.join(tmp, "ledger.key.pub"))
    del os.environ["PARLEY_DATA_KEY"]
    c.eq(r.returncode, 0, "parley verify passes on the copy: " + r.stdout + r.stderr)
    c.ok("not compared" not in r.stdout, "message texts compared with the data key: " + r.stdout)
    c.ok("checkpoint of size" in r.stdout, "with the signed checkpoint: " + r.stdout)
    r = cli(binary, tmp, "copy", "--from", src, "--to", dst)
    c.eq(r.returncode, 1, "copying twice is refused")
    mismatch(binary, tmp, half_way(binary, tmp, pg, dst, c), c)

    key = os.path.join(tmp, "src.db.data-key")
    snap = os.path.join(tmp, "dst.metrics")
    shutil.copy(os.path.join(tmp, "src.db.metrics"), snap)
    a = harness.Server(binary, src, tmp).start()
    try:
        want = answers(a, tok, erased, kept)
    finally:
        a.stop()
    b = harness.Server(binary, dst, tmp, ["--data-key", key, "--metrics-snapshot", snap]).start()
    try:
        compare(want, answers(b, tok, erased, kept), c)
        max_ids = {t: int(harness.sql(dst, "SELECT coalesce(max(id), 0) FROM " + t)[0][0])
                   for t in ("tickets", "messages", "events", "customers")}
        st, m = b.call("POST", "/api/v1/messages", {
            "channel": "email", "customer": {"email": "new@example.org"},
            "body": "Written after the copy"}, token=tok)
        c.eq(st, 201, "a new message on the copy")
        c.ok(m.get("ticket_id", 0) > max_ids["tickets"], "its ticket id follows the copied ones")
        c.ok(m.get("message_id", 0) > max_ids["messages"], "its message id too")
        c.ok(m.get("customer_id", 0) > max_ids["customers"], "its customer id too")
        c.ok(int(harness.sql(dst, "SELECT max(id) FROM events")[0][0]) > max_ids["events"],
             "new events follow the copied ones")
    finally:
        b.stop()
    with open(os.path.join(tmp, "server-%d.log" % b.port), errors="replace") as fh:
        c.ok("not used" not in fh.read(), "the copy starts from the moved metrics snapshot")
    r = cli(binary, tmp, "verify", "--db", dst, "--key", os.path.join(tmp, "ledger.key.pub"))
    c.eq(r.returncode, 0, "parley verify passes after new writes: " + r.stdout + r.stderr)


if __name__ == "__main__":
    sys.exit(main())
