"""test_one_writer.py — one process writes to a database at a time.

A running server keeps the tamper-evident log's tree and the live metrics in
memory (docs/cli/serve.md, "One writer"). Every command that writes must
refuse while it runs, naming the server's pid, and exit non-zero; a second
server must refuse too; commands that only read keep working; once the
server stops, the writers work again and the log verifies.

Usage: python3 tests/http/test_one_writer.py build/parley"""
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

MAIL = ("From: Erin <erin@example.com>\r\nTo: help@example.com\r\n"
        "Subject: parcel\r\nMessage-ID: <one-writer-1@example.com>\r\n\r\n"
        "Where is my parcel?\r\n")


def cli(binary, tmp, args, data=None):
    return subprocess.run([binary] + args, cwd=tmp, input=data, capture_output=True, text=True,
                          timeout=300)


def writers(binary, db, tmp):
    """(name, argv, stdin) of every command that writes."""
    csv = os.path.join(tmp, "history.csv")
    with open(csv, "w") as fh:
        fh.write("ticket,created_at,body,customer_email\n"
                 "T1,2025-01-02T10:00:00Z,Hello,old@example.com\n")
    orders = os.path.join(tmp, "orders.csv")
    with open(orders, "w") as fh:
        fh.write("order_id,customer_email,amount,ordered_at\n"
                 "o1,old@example.com,10.00,2025-01-03\n")
    key = os.path.join(tmp, "w.example.org")
    cli(binary, tmp, ["ledger", "keygen", "--name", "w.example.org", "--out", key])
    return [
        ("user add", ["user", "add", "--db", db, "--email", "x@example.com", "--role", "agent"],
         "x-password-1\n"),
        ("import", ["import", "--db", db, csv], None),
        ("import orders", ["import", "orders", "--db", db, orders], None),
        ("customer erase", ["customer", "erase", "1", "--yes", "--db", db], None),
        ("ledger witness-add", ["ledger", "witness-add", "w.example.org", key + ".pub",
                                "--db", db], None),
        ("demo", ["demo", "--db", db], None),
        ("mail ingest", ["mail", "ingest", "--db", db, "--models", harness.MODELS], MAIL),
    ]


def claimed_by(db, pid):
    """True once process pid holds db's claim."""
    want = "%d import" % pid
    if db.startswith("sqlite:"):
        try:
            with open(db[len("sqlite:"):] + ".lock") as fh:
                return fh.read().strip() == want
        except FileNotFoundError:
            return False
    p = subprocess.run(["psql", "-tA", db, "-c", "SELECT count(*) FROM pg_stat_activity "
                        "WHERE application_name = 'parley %s'" % want],
                       capture_output=True, text=True)
    return p.stdout.strip() == "1"


def main(binary, db, tmp, c):
    harness.add_user(binary, db, harness.ADMIN[0], "admin", harness.ADMIN[1], tmp)
    srv = harness.Server(binary, db, tmp).start()
    want = "a server is running on this database (pid %d); stop it or use the HTTP API" % \
        srv.proc.pid
    try:
        tok = srv.call("POST", "/api/v1/auth/login", {"email": harness.ADMIN[0],
                       "password": harness.ADMIN[1]})[1]["token"]
        st, m = srv.call("POST", "/api/v1/messages", {
            "channel": "email", "customer": {"email": "bob@example.com", "name": "Bob"},
            "body": "My order never came."}, token=tok)
        c.eq(st, 201, "a message through the API")
        for name, args, data in writers(binary, db, tmp):
            p = cli(binary, tmp, args, data)
            c.ok(p.returncode != 0, "%s refused while the server runs (exit %d)"
                 % (name, p.returncode))
            c.ok(want in p.stderr, "%s says why: %r" % (name, p.stderr.strip()[-200:]))
        p = cli(binary, tmp, ["serve", "--db", db, "--port", str(harness.free_port()),
                              "--ledger-key", os.path.join(tmp, "ledger.key")])
        c.ok(p.returncode != 0 and want in p.stderr,
             "a second server is refused: %d %r" % (p.returncode, p.stderr.strip()[-200:]))

        # Readers are not writers.
        p = cli(binary, tmp, ["verify", "--db", db])
        c.eq(p.returncode, 0, "verify runs next to the server: " + p.stderr)
        p = cli(binary, tmp, ["report", "--db", db, "--metric", "created"])
        c.eq(p.returncode, 0, "report runs next to the server: " + p.stderr)
        p = cli(binary, tmp, ["customer", "export", str(m.get("customer_id")), "--db", db,
                              "--data-key", os.path.join(tmp, "none.data-key")])
        c.ok("a server is running" not in p.stderr, "customer export is not refused")

        # The server's in-memory log is still the stored one.
        st, _ = srv.call("POST", "/api/v1/messages", {
            "channel": "email", "customer": {"email": "bob@example.com"},
            "body": "Still waiting."}, token=tok)
        c.eq(st, 201, "the server writes on after the refusals")
    finally:
        srv.stop()
    p = cli(binary, tmp, ["verify", "--db", db])
    c.eq(p.returncode, 0, "the log verifies: " + p.stdout.strip()[-200:])
    name, args, data = writers(binary, db, tmp)[0]
    p = cli(binary, tmp, args, data)
    c.eq(p.returncode, 0, "with the server stopped, %s works: %s" % (name, p.stderr.strip()))

    # A writer holds the database while it runs: a server cannot start
    # under it. (`parley import -` waits on its standard input.)
    imp = subprocess.Popen([binary, "import", "--db", db, "-"], cwd=tmp, stdin=subprocess.PIPE,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        for _ in range(600):
            if claimed_by(db, imp.pid) or imp.poll() is not None:
                break
            time.sleep(0.05)
        p = cli(binary, tmp, ["serve", "--db", db, "--port", str(harness.free_port())])
        c.ok(p.returncode != 0 and ("`parley import` is writing to this database (pid %d)"
                                    % imp.pid) in p.stderr,
             "a server does not start under a running import: %r" % p.stderr.strip()[-200:])
    finally:
        imp.communicate("ticket,created_at,body,customer_email\n"
                        "T9,2025-01-02T10:00:00Z,Hi,late@example.com\n", timeout=300)
    c.eq(imp.returncode, 0, "the import then completes")


if __name__ == "__main__":
    harness.run(main)
