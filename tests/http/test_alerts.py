#!/usr/bin/env python3
"""test_alerts.py — complaint-spike and other alerts over the real server,
on the demo history (`serve --demo`, analysed by the text models): the
demo's own start-up raises nothing; 25 angry complaints from different
customers raise ONE spike alert for their category, with sample tickets,
announced on the live event stream; supervisors acknowledge it (agents may
not); a restart does not raise it again. Usage: test_alerts.py PARLEY"""
import time

import harness
from test_chat import Stream

DEMO_PASSWORD = "parley-demo"
ANGRY = "You charged my card twice! This is outrageous, I want my money back now. (%d)"


def login(srv, email):
    st, res = srv.call("POST", "/api/v1/auth/login", {"email": email, "password": DEMO_PASSWORD})
    return res["token"]


def spikes(srv, tok, status="open"):
    st, res = srv.call("GET", "/api/v1/alerts?status=" + status, token=tok)
    return [a for a in res.get("alerts", []) if a["kind"] == "spike"] if st == 200 else None


def main(binary, db, tmp, c):
    srv = harness.Server(binary, db, tmp, extra=["--demo"]).start()
    try:
        sup = login(srv, "olga@parley.local")
        agent = login(srv, "anna@parley.local")
        admin = login(srv, "admin@parley.local")

        # 1. Access and input; the demo's start-up raised nothing.
        st, res = srv.call("GET", "/api/v1/alerts", token=sup)
        c.eq(st, 200, "alerts for a supervisor")
        c.eq(res.get("alerts"), [], "demo start-up raises no alert")
        c.eq(srv.call("GET", "/api/v1/alerts", token=agent)[0], 403, "agents may not list alerts")
        c.eq(srv.call("GET", "/api/v1/alerts")[0], 401, "alerts need authentication")
        st, res = srv.call("GET", "/api/v1/alerts?status=closed", token=sup)
        c.ok(st == 400 and "error" in res, "bad status → 400 with a JSON error")
        c.eq(srv.call("GET", "/api/v1/alerts?limit=0", token=sup)[0], 400, "bad limit")
        c.eq(srv.call("POST", "/api/v1/alerts/999999/ack", token=sup)[0], 404, "ack unknown")

        # 2. A burst of angry complaints from different customers.
        stream = Stream(srv.port, "/api/v1/events?token=" + admin)
        stamp = int(time.time() * 1000)
        posted = []
        for i in range(25):
            st, res = srv.call("POST", "/api/v1/messages", {
                "channel": "email",
                "customer": {"email": "spike%d.%d@example.com" % (stamp, i), "name": "Spike %d" % i},
                "subject": "Charged twice again", "body": ANGRY % i}, token=admin)
            c.eq(st, 201, "complaint %d accepted" % i)
            posted.append(res["ticket_id"])
        # The alert is written right after the commit that made it certain.
        found = spikes(srv, sup)
        c.eq(len(found), 1, "one spike alert after the burst (%s)" % found)
        if not found:
            return
        a = found[0]
        st, t = srv.call("GET", "/api/v1/tickets/%d" % posted[0], token=sup)
        c.eq(a["category"], t["category"] or "uncategorised", "the alert names the tickets' category")
        c.eq(a["metric"], "negative_messages", "metric")
        c.ok(9 <= a["observed"] <= 25, "observed counts the burst so far (%s)" % a["observed"])
        c.ok(0 < a["expected"] < 3, "expected is the quiet baseline (%s)" % a["expected"])
        c.ok(abs(a["size"] - a["observed"] / a["expected"]) < 1e-6 * a["size"],
             "size = observed / expected")
        c.ok(a["ticket_ids"] and set(a["ticket_ids"]) <= set(posted),
             "sample tickets are from the burst (%s)" % a["ticket_ids"])
        c.ok(a["created_at"] and a["acknowledged_by"] is None, "open, with its time")
        c.ok(stream.wait(lambda e: e[0] == "alert.raised" and e[1].get("after", {}).get("id") == a["id"], secs=30),
             "alert.raised on the live event stream")
        stream.close()

        # 3. More of the same spike does not raise it again.
        for i in range(25, 30):
            srv.call("POST", "/api/v1/messages", {
                "channel": "email", "customer": {"email": "spike%d.%d@example.com" % (stamp, i)},
                "subject": "Charged twice again", "body": ANGRY % i}, token=admin)
        c.eq(len(spikes(srv, sup)), 1, "a continuing spike is one alert")

        # 4. Acknowledge.
        c.eq(srv.call("POST", "/api/v1/alerts/%d/ack" % a["id"], token=agent)[0], 403,
             "agents may not acknowledge")
        st, me = srv.call("GET", "/api/v1/me", token=sup)
        st, res = srv.call("POST", "/api/v1/alerts/%d/ack" % a["id"], token=sup)
        c.eq(st, 200, "supervisor acknowledges")
        c.eq(res.get("acknowledged_by"), me["id"],
             "acknowledged_by is the supervisor")
        c.eq(spikes(srv, sup), [], "acknowledged alerts leave the open list")
        st, res = srv.call("POST", "/api/v1/alerts/%d/ack" % a["id"], token=admin)
        c.eq((st, res.get("acknowledged_by")), (200, me["id"]),
             "a second ack keeps the first")
        every = spikes(srv, sup, "all")
        c.eq([x["id"] for x in every], [a["id"]], "status=all still lists it")
    finally:
        srv.stop()

    # 5. A restart rebuilds the baseline from the stored messages without
    #    raising the past spike again.
    srv = harness.Server(binary, db, tmp, extra=["--demo"]).start()
    try:
        sup = login(srv, "olga@parley.local")
        c.eq(len(spikes(srv, sup, "all")), 1, "no alert raised again at restart")
    finally:
        srv.stop()


if __name__ == "__main__":
    harness.run(main)
