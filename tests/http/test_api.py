#!/usr/bin/env python3
"""test_api.py — the REST API against the real server: auth and roles,
ingest, tickets (filters, cursor pages, detail, legal and illegal moves),
replies and notes, customers and merge, SSE, API keys, and bad input
(always a 4xx with a JSON error, never a 5xx). Usage: test_api.py PARLEY"""
import http.client
import json
import threading
import time

import harness


def main(binary, db, tmp, c):
    harness.add_user(binary, db, harness.ADMIN[0], "admin", harness.ADMIN[1], tmp)
    srv = harness.Server(binary, db, tmp).start()
    try:
        checks(srv, c)
    finally:
        srv.stop()


def login(srv, email, pw):
    st, b = srv.call("POST", "/api/v1/auth/login", {"email": email, "password": pw})
    return st, b


def checks(srv, c):
    st, b = srv.call("GET", "/api/v1/health")
    c.eq((st, b), (200, {"status": "ok"}), "health")

    # --- auth ---------------------------------------------------------------
    st, b = login(srv, harness.ADMIN[0], "wrong-password")
    c.eq(st, 401, "login with a wrong password")
    c.ok("error" in b and b["error"]["code"], "401 has a JSON error")
    st, b = login(srv, harness.ADMIN[0].upper(), harness.ADMIN[1])
    c.eq(st, 200, "login (e-mail case-insensitive)")
    c.eq(b.get("role"), "admin", "login role")
    admin = b["token"]
    c.ok(b.get("csrf"), "login returns a CSRF token for cookie sessions")
    c.eq(srv.call("GET", "/api/v1/tickets")[0], 401, "no token")
    c.eq(srv.call("GET", "/api/v1/tickets", token="pls_" + "0" * 64)[0], 401, "bad token")

    st, b = srv.call("POST", "/api/v1/users", {"email": "agent@example.com", "role": "agent",
                                               "password": "agent-pass-1", "languages": "en",
                                               "name": "Agent Smith"}, token=admin)
    c.eq(st, 201, "admin creates an agent")
    agent_id = b.get("id")
    c.eq(srv.call("POST", "/api/v1/users", {"email": "agent@example.com", "role": "agent",
                                             "password": "agent-pass-1"}, token=admin)[0],
         409, "duplicate user")
    c.eq(srv.call("POST", "/api/v1/users", {"email": "x@example.com", "role": "god",
                                             "password": "agent-pass-1"}, token=admin)[0],
         400, "unknown role")
    agent = login(srv, "agent@example.com", "agent-pass-1")[1]["token"]
    c.eq(srv.call("GET", "/api/v1/users", token=agent)[0], 403, "agent cannot list users")
    c.eq(srv.call("POST", "/api/v1/users", {"email": "y@example.com", "role": "agent",
                                             "password": "xxxxxxxx1"}, token=agent)[0],
         403, "agent cannot add users")
    st, b = srv.call("GET", "/api/v1/me", token=agent)
    c.eq((st, b.get("email")), (200, "agent@example.com"), "me")
    st, b = srv.call("PATCH", "/api/v1/users/%d" % agent_id, {"skills": "billing", "languages": "en,ru"},
                     token=admin)
    c.eq((st, b.get("skills"), b.get("languages")), (200, "billing", "en,ru"), "admin edits a user")
    c.eq(srv.call("PATCH", "/api/v1/users/%d" % agent_id, {"role": "boss"}, token=admin)[0], 400,
         "unknown role in an edit")
    c.eq(srv.call("PATCH", "/api/v1/users/%d" % agent_id, {"skills": "x"}, token=agent)[0], 403,
         "agent cannot edit users")
    c.eq(srv.call("POST", "/api/v1/me/pause", {"minutes": 5}, token=agent)[0], 200, "agent takes a pause")
    c.eq(srv.call("POST", "/api/v1/me/pause", {"minutes": 500}, token=agent)[0], 400, "pause too long")
    c.eq(srv.call("POST", "/api/v1/me/pause", {"minutes": 0}, token=agent)[0], 200, "pause ends")

    st, b = srv.call("POST", "/api/v1/apikeys", {"name": "crm"}, token=admin)
    c.eq(st, 201, "admin creates an API key")
    key = b.get("secret")
    c.eq(srv.call("POST", "/api/v1/apikeys", {"name": "x"}, token=agent)[0], 403,
         "agent cannot create keys")

    # --- ingest -------------------------------------------------------------
    st, m1 = srv.call("POST", "/api/v1/messages", {
        "channel": "social", "customer": {"handle": "@Mike_R", "name": "Mike"},
        "body": "Your courier dropped my bike!", "thread": "dm-1"}, token=key)
    c.eq(st, 201, "API key ingests a message")
    c.ok(m1.get("new_ticket") and m1.get("new_customer"), "new ticket and customer")
    st, m2 = srv.call("POST", "/api/v1/messages", {
        "channel": "social", "customer": {"handle": "mike_r"},
        "body": "Hello?? Anyone there?", "thread": "dm-1"}, token=key)
    c.eq(m2.get("ticket_id"), m1.get("ticket_id"), "same thread, same ticket")
    c.eq(m2.get("customer_id"), m1.get("customer_id"), "same person, same customer")
    c.eq(srv.call("GET", "/api/v1/users", token=key)[0], 403, "API key cannot read users")
    c.eq(srv.call("GET", "/api/v1/tickets", token=key)[0], 403, "integration key cannot read tickets")
    st, m3 = srv.call("POST", "/api/v1/messages", {
        "channel": "email", "customer": {"email": "Mike@Example.com"},
        "subject": "Bike", "body": "Also writing by e-mail"}, token=key)
    c.ok(m3.get("customer_id") != m1.get("customer_id"), "e-mail is another identity until merged")

    # --- bad input ----------------------------------------------------------
    bad = [
        (b'{"channel":', "malformed JSON"),
        (b'[1,2]', "not an object"),
        (b'{"channel":"chat","customer":{"email":"a@b.c"},"body":"\xff\xfe"}', "invalid UTF-8"),
        (b'{"channel":"chat","customer":{"email":"a@b.c"},"body":42}', "wrong type"),
        (b'{"channel":"chat","customer":{"email":"a@b.c"}}', "missing body"),
        (b'{"channel":"fax","customer":{"email":"a@b.c"},"body":"x"}', "unknown channel"),
        (b'{"channel":"chat","customer":"a@b.c","body":"x"}', "customer not an object"),
        (b'{"channel":"chat","customer":{"email":"not-an-email"},"body":"x"}', "bad e-mail"),
        (b'{"channel":"chat","customer":{},"body":"x"}', "no identity"),
    ]
    for raw, what in bad:
        st, b = srv.call("POST", "/api/v1/messages", raw=raw, token=agent)
        c.eq(st, 400, "400 for " + what)
        c.ok(isinstance(b, dict) and "error" in b, "JSON error body for " + what)
    st, b = srv.call("POST", "/api/v1/messages", raw=b"x" * (2 << 20), token=agent)
    c.eq(st, 413, "body over the limit")
    good = b'{"channel":"chat","customer":{"email":"ct@example.com"},"body":"x"}'
    for ctype in ("application/x-www-form-urlencoded", "text/plain", "multipart/form-data; boundary=x"):
        st, b = srv.call("POST", "/api/v1/messages", raw=good, token=agent,
                         headers={"Content-Type": ctype})
        c.eq(st, 415, "415 for a %s body" % ctype)
        c.ok(isinstance(b, dict) and b.get("error", {}).get("code") == "unsupported_media_type",
             "JSON error body for a %s body" % ctype)
    st, _ = srv.call("POST", "/api/v1/messages", raw=good, token=agent,
                     headers={"Content-Type": "Application/JSON; charset=utf-8"})
    c.eq(st, 201, "JSON with a charset parameter is accepted")
    c.eq(srv.call("GET", "/api/v1/tickets/999999", token=agent)[0], 404, "unknown ticket")
    c.eq(srv.call("GET", "/api/v1/nothing", token=agent)[0], 404, "unknown route")
    c.eq(srv.call("DELETE", "/api/v1/tickets/1", token=agent)[0], 405, "method not allowed")
    c.eq(srv.call("GET", "/api/v1/tickets?status=bogus", token=agent)[0], 400, "bad filter")
    c.eq(srv.call("GET", "/api/v1/tickets?cursor=zzz", token=agent)[0], 400, "bad cursor")

    # --- tickets ------------------------------------------------------------
    for i in range(7):
        srv.call("POST", "/api/v1/messages", {"channel": "chat", "customer": {"chat": "c%d" % i},
                                              "body": "question %d" % i}, token=agent)
    seen, cursor, pages = [], None, 0
    while True:
        q = "/api/v1/tickets?limit=3&sort=created&order=desc" + ("&cursor=" + cursor if cursor else "")
        st, b = srv.call("GET", q, token=agent)
        c.eq(st, 200, "list page")
        seen += [t["id"] for t in b["tickets"]]
        pages += 1
        cursor = b.get("next_cursor")
        if not cursor or pages > 10:
            break
    c.eq(len(seen), len(set(seen)), "pages have no duplicates")
    c.eq(sorted(seen, reverse=True), seen, "newest first")
    c.ok(len(seen) >= 9, "every ticket is reached through the pages (%d)" % len(seen))
    st, b = srv.call("GET", "/api/v1/tickets?customer=%d" % m1["customer_id"], token=agent)
    c.eq([t["id"] for t in b["tickets"]], [m1["ticket_id"]], "filter by customer")

    tid = m1["ticket_id"]
    st, t = srv.call("GET", "/api/v1/tickets/%d" % tid, token=agent)
    c.eq(len(t.get("messages", [])), 2, "ticket detail has its messages")
    c.ok(any(e["type"] == "ticket.created" for e in t.get("events", [])), "and its events")
    c.eq(srv.call("PATCH", "/api/v1/tickets/%d" % tid, {"status": "closed"}, token=agent)[0],
         409, "new -> closed is illegal")
    st, t = srv.call("PATCH", "/api/v1/tickets/%d" % tid,
                     {"status": "open", "priority": "high", "assignee": agent_id,
                      "category": "delivery"}, token=agent)
    c.eq((st, t.get("status"), t.get("priority"), t.get("assignee_id"), t.get("category")),
         (200, "open", "high", agent_id, "delivery"), "patch")
    for q, want in (("me", True), (str(agent_id), True), ("none", False)):
        st, b = srv.call("GET", "/api/v1/tickets?limit=500&assignee=" + q, token=agent)
        got = [t["id"] for t in b.get("tickets", [])] if st == 200 else []
        c.ok(st == 200 and (tid in got) == want and all(
            (t["assignee_id"] == agent_id) if want else t["assignee_id"] is None
            for t in b["tickets"]), "assignee=%s filter" % q)
    st, b = srv.call("GET", "/api/v1/tickets?status=open,pending&priority=high&category=delivery",
                     token=agent)
    c.ok(st == 200 and tid in [t["id"] for t in b["tickets"]] and all(
        t["status"] in ("open", "pending") and t["priority"] == "high" for t in b["tickets"]),
        "status list, priority and category filters")
    c.eq(srv.call("PATCH", "/api/v1/tickets/%d" % tid, {"assignee": 424242}, token=agent)[0],
         404, "unknown assignee")
    c.eq(srv.call("PATCH", "/api/v1/tickets/%d" % tid, {"priority": 3}, token=agent)[0],
         400, "wrong type in patch")
    st, b = srv.call("POST", "/api/v1/tickets/%d/replies" % tid, {"body": "So sorry, Mike."},
                     token=agent)
    c.eq(st, 201, "reply")
    c.eq(srv.call("POST", "/api/v1/tickets/%d/notes" % tid, {"body": "check courier"},
                  token=agent)[0], 201, "note")
    c.eq(srv.call("POST", "/api/v1/tickets/%d/replies" % tid, {"body": ""}, token=agent)[0],
         400, "empty reply")
    st, t = srv.call("GET", "/api/v1/tickets/%d" % tid, token=agent)
    kinds = [m["kind"] for m in t["messages"]]
    c.eq(kinds, ["inbound", "inbound", "reply", "note"], "history in order")
    c.ok(t.get("first_response_at"), "first response recorded")
    st, t = srv.call("PATCH", "/api/v1/tickets/%d" % tid, {"status": "resolved"}, token=agent)
    st, t = srv.call("PATCH", "/api/v1/tickets/%d" % tid, {"status": "open"}, token=agent)
    c.eq((st, t.get("status")), (200, "open"), "reopen")

    # --- customers ----------------------------------------------------------
    st, b = srv.call("POST", "/api/v1/customers/%d/merge" % m1["customer_id"],
                     {"from": m3["customer_id"]}, token=agent)
    c.eq(st, 200, "merge")
    kinds = sorted(i["kind"] for i in b.get("identities", []))
    c.eq(kinds, ["email", "handle"], "one customer, both identities")
    c.eq(len(b.get("tickets", [])), 2, "one history across channels")
    c.eq(srv.call("POST", "/api/v1/customers/%d/merge" % m1["customer_id"],
                  {"from": "x"}, token=agent)[0], 400, "merge wants an id")
    st, b = srv.call("POST", "/api/v1/messages", {"channel": "email",
                     "customer": {"email": "mike@example.com"}, "body": "third"}, token=key)
    c.eq(b.get("customer_id"), m1["customer_id"], "the merged identity finds the customer")

    # --- live events --------------------------------------------------------
    got = []

    def listen():
        conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=20)
        conn.request("GET", "/api/v1/events?token=" + agent)
        resp = conn.getresponse()
        got.append(resp.status)
        buf = b""
        deadline = time.time() + 15
        while time.time() < deadline and b"live!" not in buf:
            chunk = resp.fp.readline()
            if not chunk:
                break
            buf += chunk
        got.append(buf.decode())
        conn.close()

    th = threading.Thread(target=listen)
    th.start()
    time.sleep(0.5)
    srv.call("POST", "/api/v1/messages", {"channel": "web", "customer": {"email": "live@example.com"},
                                          "body": "live!"}, token=key)
    th.join(20)
    c.eq(got[:1], [200], "SSE stream opens")
    c.ok(len(got) > 1 and "event: message.inbound" in got[1] and "live!" in got[1],
         "SSE delivers the new message live")

    def replay(path, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10)
        conn.request("GET", path, headers=headers or {})
        resp = conn.getresponse()
        buf, ids = b"", []
        while resp.status == 200 and b"live!" not in buf:
            line = resp.fp.readline()
            if not line:
                break
            buf += line
            if line.startswith(b"id: "):
                ids.append(int(line[4:]))
        conn.close()
        return resp.status, ids, buf.decode()
    st, ids, text = replay("/api/v1/events?after=0&token=" + agent)
    c.ok(st == 200 and len(ids) > 5 and ids == sorted(set(ids)) and "live!" in text,
         "SSE ?after=0 replays the record from the first event, in order")
    half = len(ids) // 2
    st, ids2, _ = replay("/api/v1/events?after=0&token=" + agent,
                         {"Last-Event-ID": str(ids[half] if ids else 0)})
    c.ok(st == 200 and ids2 and ids2[0] == ids[half + 1], "SSE resumes after Last-Event-ID")
    c.eq(srv.call("GET", "/api/v1/events?after=x&token=" + agent)[0], 400, "SSE bad ?after")

    # --- cookie session and CSRF --------------------------------------------
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10)
    conn.request("POST", "/api/v1/auth/login", body=json.dumps(
        {"email": "agent@example.com", "password": "agent-pass-1"}),
        headers={"Content-Type": "application/json"})
    resp = conn.getresponse()
    body = json.loads(resp.read())
    cookie = resp.getheader("Set-Cookie", "")
    conn.close()
    c.ok("HttpOnly" in cookie and "SameSite=Strict" in cookie, "session cookie is HttpOnly")
    sess = cookie.split(";")[0]
    st, _ = srv.call("GET", "/api/v1/tickets", headers={"Cookie": sess})
    c.eq(st, 200, "cookie authenticates a read")
    st, _ = srv.call("POST", "/api/v1/tickets/%d/notes" % tid, {"body": "x"},
                     headers={"Cookie": sess})
    c.eq(st, 401, "cookie write without CSRF token is refused")
    st, _ = srv.call("POST", "/api/v1/tickets/%d/notes" % tid, {"body": "x"},
                     headers={"Cookie": sess, "X-CSRF-Token": body["csrf"]})
    c.eq(st, 201, "cookie write with the CSRF token")

    # --- static UI and the log ----------------------------------------------
    st, _ = srv.call("GET", "/../../etc/passwd")
    c.ok(st == 404, "no path escape from the web root")
    st, note = srv.call("GET", "/api/v1/ledger/checkpoint")
    c.ok(st == 200 and note.startswith("parley.local/log\n"), "signed checkpoint published")
    st, b = srv.call("GET", "/api/v1/ledger/proof/inclusion?index=0&size=2")
    c.eq(st, 200, "inclusion proof")
    c.eq(srv.call("GET", "/api/v1/ledger/proof/inclusion?index=5&size=2")[0], 400,
         "inclusion proof out of range")

    st, b = srv.call("POST", "/api/v1/auth/logout", token=agent)
    c.eq(st, 200, "logout")
    c.eq(srv.call("GET", "/api/v1/tickets", token=agent)[0], 401, "token dead after logout")


if __name__ == "__main__":
    harness.run(main)
