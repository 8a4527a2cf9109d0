#!/usr/bin/env python3
"""test_webhooks.py — signed outbound webhooks over the real server and a
real HTTP receiver on 127.0.0.1: subscriptions are admin-only and show
their secret once; each committed event that matches is POSTed as JSON
with X-Parley-Signature (HMAC-SHA256 over "t.body"), X-Parley-Event and
X-Parley-Delivery; a receiver answering 500 gets the call again and it is
delivered once; deleted subscriptions get nothing more; bad input → 4xx.
Usage: test_webhooks.py PARLEY"""
import hashlib
import hmac
import http.server
import json
import socket
import threading
import time

import harness


class Receiver:
    """Answers 500 to the first `fail_first` calls of each delivery id,
    then 200; records every call."""

    def __init__(self, fail_first=1):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        self.port = s.getsockname()[1]
        s.close()
        self.calls, self.fail_first, self.lock = [], fail_first, threading.Lock()
        rec = self

        class H(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                did = self.headers.get("X-Parley-Delivery")
                with rec.lock:
                    seen = sum(1 for c in rec.calls if c["delivery"] == did)
                    status = 500 if seen < rec.fail_first else 200
                    rec.calls.append({"delivery": did, "event": self.headers.get("X-Parley-Event"),
                                      "sig": self.headers.get("X-Parley-Signature"),
                                      "type": self.headers.get("Content-Type"),
                                      "body": body, "status": status})
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *a):
                pass

        self.srv = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), H)
        threading.Thread(target=self.srv.serve_forever, daemon=True).start()

    def stop(self):
        self.srv.shutdown()
        self.srv.server_close()

    def delivered(self):
        with self.lock:
            return [c for c in self.calls if c["status"] == 200]


def verify(secret, sig, body):
    parts = dict(p.split("=", 1) for p in (sig or "").split(","))
    mac = hmac.new(secret.encode(), parts.get("t", "").encode() + b"." + body,
                   hashlib.sha256).hexdigest()
    return hmac.compare_digest(mac, parts.get("v1", "")), int(parts.get("t", "0"))


def main(binary, db, tmp, c):
    harness.add_user(binary, db, harness.ADMIN[0], "admin", harness.ADMIN[1], tmp)
    harness.add_user(binary, db, "ann@example.com", "agent", "ann-password", tmp)
    rec = Receiver(fail_first=1)
    srv = harness.Server(binary, db, tmp).start()
    try:
        tok = srv.call("POST", "/api/v1/auth/login", {"email": harness.ADMIN[0],
                       "password": harness.ADMIN[1]})[1]["token"]
        agent = srv.call("POST", "/api/v1/auth/login", {"email": "ann@example.com",
                         "password": "ann-password"})[1]["token"]
        url = "http://127.0.0.1:%d/parley" % rec.port

        # Bad input and access.
        st, b = srv.call("POST", "/api/v1/webhooks", token=tok,
                         body={"url": "ftp://x.example/", "events": ["*"]})
        c.eq(st, 400, "only http(s) URLs")
        c.ok("error" in b, "JSON error")
        for ev in ([], ["Ticket created"], ["ticket."], "a,,b", [1]):
            st, _ = srv.call("POST", "/api/v1/webhooks", token=tok, body={"url": url, "events": ev})
            c.eq(st, 400, "bad events %r refused" % (ev,))
        st, _ = srv.call("POST", "/api/v1/webhooks", token=tok, body={"events": ["*"]})
        c.eq(st, 400, "url required")
        st, _ = srv.call("POST", "/api/v1/webhooks", token=tok,
                         body={"url": url, "events": ["*"], "secret": "short"})
        c.eq(st, 400, "a secret of one's own must be long enough")
        st, own = srv.call("POST", "/api/v1/webhooks", token=tok,
                           body={"url": url + "/own", "events": ["kb.created"],
                                 "secret": "my-receivers-secret-42"})
        c.eq((st, own.get("secret")), (201, "my-receivers-secret-42"), "a secret of one's own kept")
        st, _ = srv.call("DELETE", "/api/v1/webhooks/%d" % own.get("id", 0), token=tok)
        c.eq(st, 200, "removed again")
        st, _ = srv.call("POST", "/api/v1/webhooks", token=agent, body={"url": url, "events": ["*"]})
        c.eq(st, 403, "agents may not subscribe")
        st, _ = srv.call("GET", "/api/v1/webhooks", token=agent)
        c.eq(st, 403, "agents may not list")

        st, hook = srv.call("POST", "/api/v1/webhooks", token=tok,
                            body={"url": url, "events": ["ticket.created", "message.created"]})
        c.eq(st, 201, "subscription created")
        secret = hook.get("secret", "")
        c.ok(secret.startswith("whsec_") and len(secret) > 40, "a secret is shown")
        c.eq(hook.get("events"), ["ticket.created", "message.created"], "events echoed")
        st, lst = srv.call("GET", "/api/v1/webhooks", token=tok)
        c.eq([h["id"] for h in lst["webhooks"]], [hook["id"]], "listed")
        c.ok("secret" not in lst["webhooks"][0], "the secret is shown only once")

        # An event that matches: a new ticket from a message.
        st, m = srv.call("POST", "/api/v1/messages", token=tok, body={
            "channel": "social", "customer": {"handle": "@lena", "name": "Lena"},
            "subject": "Delivery late", "body": "My parcel is two weeks late."})
        c.eq(st, 201, "message accepted")
        got = None
        end = time.time() + 40
        while time.time() < end:
            got = rec.delivered()
            if len(got) >= 2:
                break
            time.sleep(0.1)
        events = sorted(g["event"] for g in got)
        c.eq(events, ["message.inbound", "ticket.created"], "both matching events delivered")
        with rec.lock:
            calls = list(rec.calls)
        for g in got:
            ok, t = verify(secret, g["sig"], g["body"])
            c.ok(ok, "signature verifies (%s)" % g["event"])
            c.ok(abs(time.time() - t) < 3600, "signed time is now")
            c.eq(g["type"], "application/json", "JSON body")
            body = json.loads(g["body"])
            c.eq(body.get("type"), g["event"], "body names the event")
            c.eq(body.get("ticket_id"), m["ticket_id"], "body names the ticket")
            tries = [x["status"] for x in calls if x["delivery"] == g["delivery"]]
            c.eq(tries, [500, 200], "500 then 200: retried, delivered once")
        c.ok(not verify("whsec_wrong", got[0]["sig"], got[0]["body"])[0] if got else False,
             "a wrong secret does not verify")
        c.eq(len({g["delivery"] for g in got}), len(got), "distinct delivery ids")

        # A note is not a message.created; a reply is.
        before = len(rec.calls)
        srv.call("POST", "/api/v1/tickets/%d/notes" % m["ticket_id"], token=tok,
                 body={"body": "internal"})
        st, r = srv.call("POST", "/api/v1/tickets/%d/replies" % m["ticket_id"], token=tok,
                         body={"body": "We are on it."})
        end = time.time() + 40
        while time.time() < end and not any(x["event"] == "message.reply" and x["status"] == 200
                                            for x in rec.calls):
            time.sleep(0.1)
        with rec.lock:
            new = [x["event"] for x in rec.calls[before:]]
        c.ok("message.reply" in new, "the reply is announced (%s)" % new)
        c.ok("message.note" not in new, "the note is not")

        # Deleted: nothing more.
        st, _ = srv.call("DELETE", "/api/v1/webhooks/%d" % hook["id"], token=tok)
        c.eq(st, 200, "deleted")
        st, _ = srv.call("DELETE", "/api/v1/webhooks/%d" % hook["id"], token=tok)
        c.eq(st, 404, "deleted twice")
        st, lst = srv.call("GET", "/api/v1/webhooks", token=tok)
        c.eq(lst["webhooks"], [], "none left")
        with rec.lock:
            n = len(rec.calls)
        srv.call("POST", "/api/v1/messages", token=tok, body={
            "channel": "social", "customer": {"handle": "@petr"}, "body": "Hello?"})
        time.sleep(1.5)
        with rec.lock:
            c.eq(len(rec.calls), n, "no calls after the subscription is deleted")
    finally:
        srv.stop()
        rec.stop()


if __name__ == "__main__":
    harness.run(main)
