#!/usr/bin/env python3
"""test_ledger_upgrade.py — a database whose log was written before
migration 16 (leaf hashes as 64 hex digits, a UNIQUE index on event_id)
still verifies with this binary before it is upgraded, is upgraded by the
server in place, and then verifies, serves receipts for its old and new
events that check offline, keeps growing one log, and still names a
deleted event. The old shape is made from a fresh database by undoing
migration 16 in SQL (SQLite: the table as migration 2 created it).
Usage: test_ledger_upgrade.py PARLEY"""
import json
import os
import sqlite3
import subprocess

import harness

OLD_SQLITE = """
CREATE TABLE leaves_old (
  idx INTEGER PRIMARY KEY,
  event_id INTEGER NOT NULL UNIQUE,
  hash TEXT NOT NULL);
INSERT INTO leaves_old SELECT idx, event_id, lower(hex(hash)) FROM ledger_leaves ORDER BY idx;
DROP TABLE ledger_leaves;
ALTER TABLE leaves_old RENAME TO ledger_leaves;
DELETE FROM schema_migrations WHERE version >= 16;
"""

OLD_POSTGRES = (
    "ALTER TABLE ledger_leaves ALTER COLUMN hash TYPE text USING encode(hash, 'hex');"
    "ALTER TABLE ledger_leaves ADD CONSTRAINT ledger_leaves_event_id_key UNIQUE (event_id);"
    "DELETE FROM schema_migrations WHERE version >= 16;")


def cli(binary, tmp, *args):
    return subprocess.run([binary] + list(args), cwd=tmp, capture_output=True, text=True)


def downgrade(db):
    if db.startswith("sqlite:"):
        con = sqlite3.connect(db[len("sqlite:"):])
        con.executescript(OLD_SQLITE)
        con.close()
    else:
        subprocess.run(["psql", "-q", db, "-c", OLD_POSTGRES], check=True,
                       stdout=subprocess.DEVNULL)


def hash_shape(db):
    if db.startswith("sqlite:"):
        return harness.sql(db, "SELECT DISTINCT typeof(hash) || length(hash) FROM ledger_leaves")
    return harness.sql(db, "SELECT DISTINCT pg_typeof(hash)::text || length(hash) "
                           "FROM ledger_leaves")


def post(srv, tok, tag, n):
    for i in range(n):
        st, _ = srv.call("POST", "/api/v1/messages", {
            "channel": "api", "customer": {"email": "%s%d@example.com" % (tag, i)},
            "body": "upgrade %s %d" % (tag, i)}, token=tok)
        assert st in (200, 201), st


def login(srv):
    return srv.call("POST", "/api/v1/auth/login", {"email": harness.ADMIN[0],
                    "password": harness.ADMIN[1]})[1]["token"]


def receipt_verifies(srv, tok, binary, tmp, pub, event_id):
    st, rec = srv.call("GET", "/api/v1/ledger/receipts/%d" % event_id, token=tok)
    if st != 200:
        return False
    path = os.path.join(tmp, "receipt-%d.json" % event_id)
    with open(path, "w") as fh:
        json.dump(rec, fh)
    return cli(binary, tmp, "verify-receipt", path, "--key", pub).returncode == 0


def main(binary, db, tmp, c):
    pub = os.path.join(tmp, "ledger.key.pub")
    harness.add_user(binary, db, harness.ADMIN[0], "admin", harness.ADMIN[1], tmp)
    srv = harness.Server(binary, db, tmp).start()
    try:
        tok = login(srv)
        post(srv, tok, "old", 6)
        st, note = srv.call("GET", "/api/v1/ledger/checkpoint")
        c.eq(st, 200, "a checkpoint signed before the upgrade")
    finally:
        srv.stop()
    old_size = int(note.split("\n")[1])

    downgrade(db)
    shape = hash_shape(db)
    c.ok(len(shape) == 1 and shape[0][0] in ("text64",), "the old shape: hex text (%r)" % shape)
    r = cli(binary, tmp, "verify", "--db", db, "--key", pub)
    c.eq(r.returncode, 0, "verify reads a log not upgraded yet: %s%s" % (r.stdout, r.stderr))

    srv = harness.Server(binary, db, tmp).start()
    try:
        shape = hash_shape(db)
        c.ok(len(shape) == 1 and shape[0][0] in ("blob32", "bytea32"),
             "upgraded in place: 32-byte hashes (%r)" % shape)
        c.eq(harness.sql(db, "SELECT max(version) FROM schema_migrations")[0][0] in (16, "16"),
             True, "at migration 16")
        tok = login(srv)
        post(srv, tok, "new", 4)
        st, note = srv.call("GET", "/api/v1/ledger/checkpoint")
        c.ok(int(note.split("\n")[1]) > old_size, "one log, grown past the old checkpoint")
        last = int(harness.sql(db, "SELECT max(id) FROM events")[0][0])
        c.ok(receipt_verifies(srv, tok, binary, tmp, pub, 1), "an old event's receipt verifies")
        c.ok(receipt_verifies(srv, tok, binary, tmp, pub, last), "a new event's receipt verifies")
        st, _ = srv.call("GET", "/api/v1/ledger/receipts/%d" % (last + 1000), token=tok)
        c.eq(st, 404, "no receipt for an event that does not exist")
    finally:
        srv.stop()

    r = cli(binary, tmp, "verify", "--db", db, "--key", pub)
    c.eq(r.returncode, 0, "verify passes after the upgrade: %s%s" % (r.stdout, r.stderr))
    harness.sql(db, "DELETE FROM events WHERE id = 3")
    r = cli(binary, tmp, "verify", "--db", db, "--key", pub)
    c.ok(r.returncode != 0 and "leaf 2" in r.stdout + r.stderr,
         "a deleted old event is named: %s%s" % (r.stdout, r.stderr))


if __name__ == "__main__":
    harness.run(main)
