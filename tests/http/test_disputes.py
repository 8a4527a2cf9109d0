#!/usr/bin/env python3
"""test_disputes.py — dispute panels over the real server on SQLite and
PostgreSQL: a supervisor sends a question on a ticket to three reviewers
with a quorum of two; the decision is taken at the quorum and not before;
non-reviewers and second votes are refused; the ticket gets a note; the
receipt of the decision verifies offline with `parley verify-receipt` and
only the log's public key, and a tampered copy does not.
Usage: test_disputes.py PARLEY"""
import json
import os
import subprocess

import harness

USERS = [("boss@example.com", "supervisor"), ("r1@example.com", "agent"),
         ("r2@example.com", "supervisor"), ("r3@example.com", "agent"),
         ("outsider@example.com", "agent")]


def main(binary, db, tmp, c):
    harness.add_user(binary, db, harness.ADMIN[0], "admin", harness.ADMIN[1], tmp)
    for email, role in USERS:
        harness.add_user(binary, db, email, role, "pw-" + email, tmp)
    srv = harness.Server(binary, db, tmp).start()
    try:
        tok = {}
        for email, _ in USERS:
            st, b = srv.call("POST", "/api/v1/auth/login", {"email": email,
                             "password": "pw-" + email})
            tok[email.split("@")[0]] = b["token"]
        admin = srv.call("POST", "/api/v1/auth/login", {"email": harness.ADMIN[0],
                         "password": harness.ADMIN[1]})[1]["token"]
        ids = {u["email"].split("@")[0]: u["id"]
               for u in srv.call("GET", "/api/v1/users", token=admin)[1]["users"]}
        st, m = srv.call("POST", "/api/v1/messages", {
            "channel": "email", "customer": {"email": "angry@example.com"},
            "body": "You charged me twice and refuse to refund. Unacceptable."}, token=admin)
        c.eq(st, 201, "customer message")
        tid = m["ticket_id"]
        panel = [ids["r1"], ids["r2"], ids["r3"]]
        q = "Refund the double charge?"

        def open_(body, who="boss", ticket=tid):
            return srv.call("POST", "/api/v1/tickets/%d/disputes" % ticket, body, token=tok[who])

        c.eq(open_({"reviewers": panel, "quorum": 2, "question": q}, "r1")[0], 403,
             "an agent may not open a panel")
        c.eq(open_({"reviewers": panel, "quorum": 0, "question": q})[0], 400, "quorum 0")
        c.eq(open_({"reviewers": panel, "quorum": 4, "question": q})[0], 400, "quorum above panel")
        c.eq(open_({"reviewers": [], "quorum": 1, "question": q})[0], 400, "no reviewers")
        c.eq(open_({"reviewers": [ids["r1"], ids["boss"]], "quorum": 1, "question": q})[0], 400,
             "the opener may not sit on the panel")
        c.eq(open_({"reviewers": [ids["r1"], 99999], "quorum": 1, "question": q})[0], 400,
             "an unknown reviewer")
        c.eq(open_({"reviewers": ["x"], "quorum": 1, "question": q})[0], 400, "ids are numbers")
        c.eq(open_({"reviewers": panel, "quorum": 2})[0], 400, "a question is needed")
        c.eq(open_({"reviewers": panel, "quorum": 2, "question": q}, ticket=tid + 999)[0], 404,
             "unknown ticket")
        st, d = open_({"reviewers": panel, "quorum": 2, "question": q})
        c.eq(st, 201, "the supervisor opens a panel")
        did = d["id"]
        c.eq((d["status"], d["quorum"], d["reviewers"]), ("open", 2, sorted(panel)),
             "open with its reviewers and quorum")

        def vote(who, decision, reason="looked at the statement"):
            return srv.call("POST", "/api/v1/disputes/%d/votes" % did,
                            {"decision": decision, "reason": reason}, token=tok[who])

        c.eq(vote("outsider", "uphold")[0], 403, "a non-reviewer may not vote")
        c.eq(vote("boss", "uphold")[0], 403, "nor may the supervisor who opened it")
        c.eq(vote("r1", "maybe")[0], 400, "decision is uphold or reject")
        st, d = vote("r1", "uphold")
        c.eq((st, d.get("status"), d.get("decision")), (201, "open", None), "first vote: open")
        c.eq(vote("r1", "reject")[0], 409, "a second vote by the same reviewer")
        st, d = vote("r2", "reject")
        c.eq((st, d.get("status"), d.get("tally")), (201, "open", {"uphold": 1, "reject": 1}),
             "1-1: no decision before the quorum")
        c.eq(srv.call("GET", "/api/v1/disputes/%d/receipt" % did, token=tok["r1"])[0], 409,
             "no receipt before the decision")
        st, lst = srv.call("GET", "/api/v1/disputes?status=open", token=tok["outsider"])
        c.ok(st == 200 and [x["id"] for x in lst["disputes"]] == [did], "listed as open")
        st, d = vote("r3", "uphold")
        c.eq((st, d.get("status"), d.get("decision")), (201, "decided", "uphold"),
             "decided at the quorum")
        c.ok(isinstance(d.get("decision_event_id"), int) and len(d["votes"]) == 3,
             "the decision event and the three votes")
        c.eq(vote("r2", "uphold")[0], 409, "no vote after the decision")
        c.eq(srv.call("GET", "/api/v1/disputes?status=open", token=admin)[1]["disputes"], [],
             "no longer open")
        st, lst = srv.call("GET", "/api/v1/disputes?status=decided", token=admin)
        c.ok(st == 200 and lst["disputes"][0]["decision"] == "uphold", "listed as decided")
        c.eq(srv.call("GET", "/api/v1/disputes?status=bogus", token=admin)[0], 400, "bad status")
        c.eq(srv.call("GET", "/api/v1/disputes/%d" % (did + 100), token=admin)[0], 404,
             "unknown dispute")
        c.eq(srv.call("GET", "/api/v1/disputes/%d" % did)[0], 401, "reading needs a login")

        st, t = srv.call("GET", "/api/v1/tickets/%d" % tid, token=admin)
        notes = [x["body"] for x in t.get("messages", []) if x.get("kind") == "note"]
        c.ok(any("decided by the review panel: uphold" in n for n in notes),
             "the ticket has a note with the outcome")

        # The customer's receipt proves the outcome, offline.
        st, receipt = srv.call("GET", "/api/v1/disputes/%d/receipt" % did, token=admin)
        c.eq(st, 200, "receipt of the decision")
        st, key = srv.call("GET", "/api/v1/ledger/key")
        keyfile = os.path.join(tmp, "log.pub")
        with open(keyfile, "w") as fh:
            fh.write(key)
        path = os.path.join(tmp, "decision.json")
        with open(path, "w") as fh:
            json.dump(receipt, fh)
        p = subprocess.run([binary, "verify-receipt", path, "--key", keyfile],
                           capture_output=True, text=True)
        c.eq(p.returncode, 0, "verify-receipt accepts it: " + p.stderr)
        c.ok("dispute.decided" in p.stdout and '"decision":"uphold"' in p.stdout,
             "and shows the decision")
        ev = receipt["event"]
        receipt["event"] = ev[:60] + ("A" if ev[60] != "A" else "B") + ev[61:]
        with open(path, "w") as fh:
            json.dump(receipt, fh)
        p = subprocess.run([binary, "verify-receipt", path, "--key", keyfile],
                           capture_output=True, text=True)
        c.ok(p.returncode == 1 and "INVALID" in p.stderr, "a tampered receipt is refused")
        st, r = srv.call("GET", "/api/v1/ledger/receipts/%d" % d["votes"][0]["event_id"],
                         token=admin)
        c.eq(st, 200, "each vote has a receipt too")
    finally:
        srv.stop()
    # cwd=tmp: the data key is looked for next to the working directory too,
    # and a stale ./parley.data-key in the checkout must not be the one read
    p = subprocess.run([binary, "verify", "--db", db], capture_output=True, text=True, cwd=tmp)
    c.eq(p.returncode, 0, "the store still verifies against the log: " + p.stdout + p.stderr)


if __name__ == "__main__":
    harness.run(main)
