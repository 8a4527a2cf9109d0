#!/usr/bin/env python3
"""test_durability.py — a 2xx means committed: eight threads POST messages
as fast as they can, the server is killed with SIGKILL in the middle of
the burst, restarted on the same database, and every message whose POST
had been answered 2xx must be there. Usage: test_durability.py PARLEY"""
import signal
import threading
import time

import harness

THREADS, PER_THREAD = 8, 400


def main(binary, db, tmp, c):
    harness.add_user(binary, db, harness.ADMIN[0], "admin", harness.ADMIN[1], tmp)
    srv = harness.Server(binary, db, tmp).start()
    token = srv.call("POST", "/api/v1/auth/login",
                     {"email": harness.ADMIN[0], "password": harness.ADMIN[1]})[1]["token"]
    acked, lock = [], threading.Lock()
    started = threading.Event()

    def burst(t):
        for i in range(PER_THREAD):
            try:
                st, b = srv.call("POST", "/api/v1/messages", {
                    "channel": "api", "customer": {"email": "k%d-%d@example.com" % (t, i % 50)},
                    "body": "durable %d/%d" % (t, i)}, token=token, timeout=10)
            except OSError:
                return  # the server is gone
            if st in (200, 201):
                with lock:
                    acked.append((b["ticket_id"], b["message_id"], "durable %d/%d" % (t, i)))
                    if len(acked) > 200:
                        started.set()

    threads = [threading.Thread(target=burst, args=(t,)) for t in range(THREADS)]
    for th in threads:
        th.start()
    started.wait(60)
    srv.stop(signal.SIGKILL)
    for th in threads:
        th.join(60)
    c.ok(len(acked) > 200, "the burst was under way when killed (%d acknowledged)" % len(acked))
    c.ok(len(acked) < THREADS * PER_THREAD, "the kill interrupted the burst")

    srv2 = harness.Server(binary, db, tmp).start()
    try:
        token = srv2.call("POST", "/api/v1/auth/login",
                          {"email": harness.ADMIN[0], "password": harness.ADMIN[1]})[1]["token"]
        by_ticket = {}
        for tid, mid, body in acked:
            by_ticket.setdefault(tid, []).append((mid, body))
        missing = 0
        for tid, msgs in by_ticket.items():
            st, t = srv2.call("GET", "/api/v1/tickets/%d" % tid, token=token)
            have = {m["id"]: m["body"] for m in t.get("messages", [])} if st == 200 else {}
            for mid, body in msgs:
                if have.get(mid) != body:
                    missing += 1
        c.eq(missing, 0, "every acknowledged message survived SIGKILL")
        st, _ = srv2.call("GET", "/api/v1/health")
        c.eq(st, 200, "the restarted server is healthy")
    finally:
        srv2.stop()
    print("acknowledged before the kill: %d" % len(acked))


if __name__ == "__main__":
    harness.run(main)
