#!/usr/bin/env python3
"""test_erasure.py — a customer's data over the real server: export holds
their messages (opened from the sealed events) with a receipt per event;
erasure (admin only, confirmed) leaves tombstones, `parley verify` still
passes, another customer's receipt still verifies offline, and on SQLite
the former plaintext is gone from the database file and its WAL; erasing
twice is 409; the CLI exports and erases too. Usage: test_erasure.py PARLEY"""
import json
import os
import subprocess

import harness

MAIL = "erin.vandermolen@example.org"
NAME = "Erin Vandermolen"
SUBJECT = "Lost parcel quokkamarine"
BODY = "Parcel quokkamarine-9031 never arrived at Rozengracht 12"
REPLY = "We found parcel quokkamarine-9031, Erin"
BOB_BODY = "Bob's invoice 77 is wrong"
SECRETS = ("quokkamarine", MAIL, "Vandermolen", "Rozengracht")


def login(srv, email, pw):
    st, b = srv.call("POST", "/api/v1/auth/login", {"email": email, "password": pw})
    return b["token"]


def file_has(path, needle):
    try:
        with open(path, "rb") as fh:
            return needle.encode() in fh.read()
    except FileNotFoundError:
        return False


def cli(binary, tmp, *args):
    return subprocess.run([binary] + list(args), cwd=tmp, capture_output=True, text=True)


def main(binary, db, tmp, c):
    name = "pg" if db.startswith("postgres") else "sqlite"
    datakey = os.path.join(tmp, name + ".data-key")
    pub = os.path.join(tmp, "ledger.key.pub")
    harness.add_user(binary, db, harness.ADMIN[0], "admin", harness.ADMIN[1], tmp)
    srv = harness.Server(binary, db, tmp, ["--data-key", datakey]).start()
    try:
        ids = checks(srv, binary, db, tmp, datakey, pub, c)
    finally:
        srv.stop()
    if not ids:
        return
    erin, bob = ids
    # --- the CLI, with the server stopped ------------------------------------
    r = cli(binary, tmp, "customer", "export", str(bob), "--db", db, "--data-key", datakey)
    c.eq(r.returncode, 0, "cli export exits 0")
    doc = json.loads(r.stdout) if r.returncode == 0 else {}
    bodies = [m["body"] for t in doc.get("tickets", []) for m in t["messages"]]
    c.eq(bodies, [BOB_BODY], "cli export holds the customer's message")
    r = cli(binary, tmp, "customer", "erase", str(bob), "--db", db, "--data-key", datakey)
    c.eq(r.returncode, 2, "cli erase without --yes is refused")
    r = cli(binary, tmp, "customer", "erase", str(bob), "--yes", "--db", db, "--data-key", datakey)
    c.eq(r.returncode, 0, "cli erase exits 0")
    c.ok("erased" in r.stdout, "cli erase says what it did: %r" % r.stdout)
    r = cli(binary, tmp, "customer", "erase", str(erin), "--yes", "--db", db, "--data-key", datakey)
    c.eq(r.returncode, 1, "cli erase of an erased customer fails")
    c.ok("already erased" in r.stderr, "and says why: %r" % r.stderr)
    r = cli(binary, tmp, "customer", "erase", "abc", "--yes", "--db", db)
    c.eq(r.returncode, 2, "cli erase of a non-id is a usage error")
    r = cli(binary, tmp, "verify", "--db", db, "--key", pub, "--data-key", datakey)
    c.eq(r.returncode, 0, "verify passes after both erasures: %s" % r.stdout.strip())


def checks(srv, binary, db, tmp, datakey, pub, c):
    admin = login(srv, *harness.ADMIN)
    for email, role in (("sup@example.com", "supervisor"), ("agent@example.com", "agent")):
        st, _ = srv.call("POST", "/api/v1/users", {"email": email, "role": role,
                                                   "password": role + "-pass-1"}, token=admin)
        c.eq(st, 201, "create " + role)
    sup = login(srv, "sup@example.com", "supervisor-pass-1")
    agent = login(srv, "agent@example.com", "agent-pass-1")

    st, erin_msg = srv.call("POST", "/api/v1/messages", {
        "channel": "email", "customer": {"email": MAIL, "name": NAME}, "subject": SUBJECT,
        "body": BODY}, token=admin)
    c.eq(st, 201, "Erin writes")
    st, bob_msg = srv.call("POST", "/api/v1/messages", {
        "channel": "email", "customer": {"email": "bob@example.com", "name": "Bob"},
        "body": BOB_BODY}, token=admin)
    c.eq(st, 201, "Bob writes")
    if st != 201 or "customer_id" not in erin_msg:
        return None
    erin, bob = erin_msg["customer_id"], bob_msg["customer_id"]
    st, _ = srv.call("POST", "/api/v1/tickets/%d/replies" % erin_msg["ticket_id"],
                     {"body": REPLY}, token=agent)
    c.eq(st, 201, "agent replies to Erin")

    # --- export ---------------------------------------------------------------
    st, doc = srv.call("GET", "/api/v1/customers/%d/export" % erin, token=sup)
    c.eq(st, 200, "supervisor exports Erin")
    c.eq(doc.get("format"), "parley-export/v1", "export format")
    c.eq(doc.get("customer", {}).get("name"), NAME, "export: the customer")
    c.eq([i["value"] for i in doc.get("identities", [])], [MAIL], "export: identities")
    bodies = [m["body"] for t in doc.get("tickets", []) for m in t["messages"]]
    c.eq(bodies, [BODY, REPLY], "export: the customer's messages")
    opened = [e["after"].get("body") for e in doc.get("events", [])
              if e["type"].startswith("message.")]
    c.eq(opened, [BODY, REPLY], "export: message events opened from their sealed form")
    c.ok(len(doc.get("receipts") or []) == len(doc.get("events", [])) > 0,
         "export: a receipt per event")
    c.eq(srv.call("GET", "/api/v1/customers/%d/export" % erin, token=agent)[0], 403,
         "agent may not export")
    c.eq(srv.call("GET", "/api/v1/customers/999999/export", token=sup)[0], 404,
         "export of an unknown customer")

    st, bdoc = srv.call("GET", "/api/v1/customers/%d/export" % bob, token=admin)
    c.eq(st, 200, "admin exports Bob")
    bob_receipt = os.path.join(tmp, "bob-receipt.json")
    with open(bob_receipt, "w") as fh:
        json.dump(bdoc["receipts"][-1], fh)

    # --- erase ------------------------------------------------------------------
    path = "/api/v1/customers/%d/erase" % erin
    c.eq(srv.call("POST", path, {"confirm": erin}, token=agent)[0], 403, "agent may not erase")
    c.eq(srv.call("POST", path, {"confirm": erin}, token=sup)[0], 403, "supervisor may not erase")
    st, b = srv.call("POST", path, {}, token=admin)
    c.eq((st, b.get("error", {}).get("code")), (400, "missing_field"), "erase needs confirm")
    st, b = srv.call("POST", path, {"confirm": bob}, token=admin)
    c.eq((st, b.get("error", {}).get("code")), (400, "not_confirmed"),
         "confirm must repeat the id")
    c.eq(srv.call("POST", "/api/v1/customers/999999/erase", {"confirm": 999999},
                  token=admin)[0], 404, "erase of an unknown customer")
    st, b = srv.call("POST", path, {"confirm": erin}, token=admin)
    c.eq(st, 200, "admin erases Erin")
    c.eq((b.get("tickets"), b.get("messages"), b.get("scrubbed")), (1, 2, True),
         "erase reports what it erased")
    st, b = srv.call("POST", path, {"confirm": erin}, token=admin)
    c.eq((st, b.get("error", {}).get("code")), (409, "already_erased"), "erasing twice is 409")

    st, doc = srv.call("GET", "/api/v1/customers/%d/export" % erin, token=admin)
    c.eq(st, 200, "export after erasure")
    c.eq((doc["customer"]["name"], doc["customer"]["erased"]), ("[erased]", True),
         "export: the customer is a tombstone")
    bodies = [m["body"] for t in doc["tickets"] for m in t["messages"]]
    c.eq(bodies, ["[erased]", "[erased]"], "export: messages are tombstones")
    c.eq([t["subject"] for t in doc["tickets"]], ["[erased]"], "export: subject is a tombstone")
    c.ok("customer.erased" in [e["type"] for e in doc["events"]], "export: the erasure event")
    text = json.dumps(doc, ensure_ascii=False)
    c.ok(not any(s in text for s in SECRETS), "export holds none of the former plaintext")
    st, cust = srv.call("GET", "/api/v1/customers/%d" % erin, token=agent)
    c.eq((st, cust.get("name"), cust.get("erased"), bool(cust.get("erased_at"))),
         (200, "[erased]", True, True), "the customer shows as erased, with the time")
    st, cust = srv.call("GET", "/api/v1/customers/%d" % bob, token=agent)
    c.eq((cust.get("erased"), cust.get("erased_at")), (False, None), "Bob is not erased")
    st, t = srv.call("GET", "/api/v1/tickets/%d" % erin_msg["ticket_id"], token=admin)
    c.eq((st, t.get("subject")), (200, "[erased]"), "the ticket shows the tombstone")
    st, b = srv.call("POST", "/api/v1/tickets/%d/replies" % erin_msg["ticket_id"],
                     {"body": "hello?"}, token=agent)
    c.eq(st, 409, "no new personal data for an erased customer")

    # --- the proof survives ---------------------------------------------------------
    r = cli(binary, tmp, "verify", "--db", db, "--key", pub, "--data-key", datakey)
    c.eq(r.returncode, 0, "parley verify passes after the erasure: %s %s" % (r.stdout, r.stderr))
    c.ok("erased customers" in r.stdout, "verify counts the erased messages: %r" % r.stdout)
    r = cli(binary, tmp, "verify-receipt", bob_receipt, "--key", pub)
    c.eq(r.returncode, 0, "Bob's receipt from before the erasure verifies offline")
    st, bdoc = srv.call("GET", "/api/v1/customers/%d/export" % bob, token=admin)
    with open(bob_receipt, "w") as fh:
        json.dump(bdoc["receipts"][0], fh)
    r = cli(binary, tmp, "verify-receipt", bob_receipt, "--key", pub)
    c.eq(r.returncode, 0, "Bob's receipt after the erasure verifies offline")

    # --- nothing left in the files (SQLite) ---------------------------------------------
    if db.startswith("sqlite:"):
        path = db[len("sqlite:"):]
        for s in SECRETS:
            c.ok(not file_has(path, s) and not file_has(path + "-wal", s),
                 "%r is gone from the database file and its WAL" % s)
        c.ok(file_has(path, BOB_BODY) or file_has(path + "-wal", BOB_BODY),
             "Bob's message is still there (the check can see plaintext)")
    return erin, bob


if __name__ == "__main__":
    harness.run(main)
