#!/usr/bin/env python3
"""test_fuzz.py — bad input never gets a 5xx: a fixed-seed stream of mutated
JSON bodies, wrong types, odd paths, query strings and methods against every
writing and listing route, as admin. Each answer must be < 500 with a JSON
error body when 4xx, and the server must stay healthy and exit cleanly.
Usage: test_fuzz.py PARLEY"""
import json
import random

import harness

ROUNDS = 3000

VALUES = [None, True, False, 0, -1, 1, 2 ** 63, -2 ** 63, 1e308, 0.5, "", "x", "é", "\u0000",
          "a" * 5000, "open", "closed", "high", "me", "none", "email", "chat", [], [1], {},
          {"email": "f@example.com"}, "'; DROP TABLE tickets; --", "../../etc/passwd"]
KEYS = ["channel", "customer", "body", "subject", "thread", "status", "priority", "assignee",
        "category", "from", "email", "password", "role", "name", "skills", "languages", "minutes",
        "text", "language"]


def mutate_bytes(rng, data):
    data = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        op = rng.randrange(4)
        if op == 0 and data:
            del data[rng.randrange(len(data))]
        elif op == 1:
            data.insert(rng.randrange(len(data) + 1), rng.randrange(256))
        elif op == 2 and data:
            data[rng.randrange(len(data))] = rng.choice(b'{}[]",:\\\x00\xff\xc3')
        else:
            cut = rng.randrange(len(data) + 1)
            data = data[:cut]
    return bytes(data)


def random_body(rng):
    obj = {k: rng.choice(VALUES) for k in rng.sample(KEYS, rng.randint(0, 6))}
    if rng.random() < 0.3:
        obj = {"channel": rng.choice(["email", "chat", "fax", 3]),
               "customer": rng.choice(VALUES + [{"email": "fz%d@example.com" % rng.randrange(50)},
                                                {"phone": "+1555%07d" % rng.randrange(10 ** 7)},
                                                {"handle": rng.choice(VALUES)}]),
               "body": rng.choice(VALUES)}
    raw = json.dumps(obj, ensure_ascii=rng.random() < 0.5).encode()
    return mutate_bytes(rng, raw) if rng.random() < 0.4 else raw


def main(binary, db, tmp, c):
    harness.add_user(binary, db, harness.ADMIN[0], "admin", harness.ADMIN[1], tmp)
    srv = harness.Server(binary, db, tmp).start()
    try:
        admin = srv.call("POST", "/api/v1/auth/login",
                         {"email": harness.ADMIN[0], "password": harness.ADMIN[1]})[1]["token"]
        st, m = srv.call("POST", "/api/v1/messages", {"channel": "chat", "customer": {
            "email": "seed@example.com"}, "body": "seed"}, token=admin)
        c.eq(st, 201, "seed message")
        tid, cid = m["ticket_id"], m["customer_id"]
        ids = [str(tid), str(cid), "0", "-1", "abc", "99999999999999999999", "1e3", "%00", ""]
        paths = ["/api/v1/messages", "/api/v1/tickets/{}", "/api/v1/tickets/{}/replies",
                 "/api/v1/tickets/{}/notes", "/api/v1/customers/{}", "/api/v1/customers/{}/merge",
                 "/api/v1/users", "/api/v1/users/{}", "/api/v1/apikeys", "/api/v1/auth/login",
                 "/api/v1/me/pause", "/api/v1/tickets", "/api/v1/tickets/{}/disputes",
                 "/api/v1/disputes", "/api/v1/disputes/{}", "/api/v1/disputes/{}/votes",
                 "/api/v1/ledger/witnesses", "/api/v1/ledger/cosignatures",
                 "/api/v1/ledger/checkpoint"]
        queries = ["", "?status=open,,closed", "?status=", "?limit=-5", "?limit=100000",
                   "?cursor=%ff%fe", "?sort=priority&order=sideways", "?assignee=abc",
                   "?customer=1e9", "?priority=urgent&category=%00"]
        rng = random.Random(20261122)
        worst = 0
        for i in range(ROUNDS):
            method = rng.choice(["POST", "POST", "PATCH", "GET", "PUT", "DELETE"])
            path = rng.choice(paths).replace("{}", rng.choice(ids)) + rng.choice(queries)
            body = random_body(rng) if method in ("POST", "PATCH", "PUT") else None
            st, b = srv.call(method, path, raw=body, token=admin)
            worst = max(worst, st)
            if st >= 500:
                c.ok(False, "%s %s %r -> %d %r" % (method, path, body[:200] if body else None, st, b))
            elif st >= 400:
                c.ok(isinstance(b, dict) and "error" in b,
                     "%s %s -> %d has a JSON error body" % (method, path, st))
        c.ok(worst < 500, "no 5xx in %d fuzzed requests" % ROUNDS)
        st, _ = srv.call("GET", "/api/v1/health")
        c.eq(st, 200, "still healthy after the fuzz")
    finally:
        srv.stop()


if __name__ == "__main__":
    harness.run(main)
