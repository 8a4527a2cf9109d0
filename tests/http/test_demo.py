#!/usr/bin/env python3
"""test_demo.py — `parley serve --demo --demo-tickets N` (what `make run`
starts) over the real server on SQLite and PostgreSQL: the first start
generates a history with the customers' orders, a restart does not add
another; the ROI of the period that ends today measures retention (a
conflict customer who ordered within 30 days of the conflict, of those
whose 30 days have passed), and its figures equal the same rule computed
here in SQL from the tables."""
import datetime
import subprocess

import harness
from harness import Server, sql

DAY = 86400000
TICKETS = 400


def login(srv, email):
    st, r = srv.call("POST", "/api/v1/auth/login", {"email": email, "password": "parley-demo"})
    return r["token"] if st == 200 else None


def ms(iso):
    return int(datetime.datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp() * 1000)


def counts(db):
    t = sql(db, "SELECT count(*) FROM tickets")[0][0]
    o = sql(db, "SELECT count(*) FROM orders")[0][0]
    return int(t), int(o)


def expected(db, frm, to, cut):
    """The ROI's conflict customers, measured and retained, by the rule
    of docs/insight.md, in SQL written here."""
    conflict = "(escalated <> 0 OR emotion IN ('anger', 'frustration'))"
    rows = sql(db, "SELECT customer_id, min(created_at) FROM tickets WHERE created_at >= %d "
                   "AND created_at < %d AND %s GROUP BY customer_id" % (frm, to, conflict))
    measured = retained = 0
    for cust, first in rows:
        first = int(first)
        if first >= cut:
            continue
        measured += 1
        n = sql(db, "SELECT count(*) FROM orders WHERE customer_id = %s AND ordered_at > %d "
                    "AND ordered_at <= %d" % (cust, first, first + 30 * DAY))[0][0]
        retained += int(n) > 0
    return len(rows), measured, retained


def main(binary, db, tmp, c):
    p = subprocess.run([binary, "serve", "--db", db, "--demo", "--demo-tickets", "many"],
                       capture_output=True, text=True, cwd=tmp)
    c.eq(p.returncode, 2, "a bad --demo-tickets is refused")
    c.ok("--demo-tickets" in p.stderr, "the message names the option: " + p.stderr)

    srv = Server(binary, db, tmp, ["--demo", "--demo-tickets", str(TICKETS)]).start()
    tickets, orders = counts(db)
    c.ok(tickets > TICKETS, "curated and generated tickets: %d" % tickets)
    c.ok(orders > TICKETS // 4, "customers who stayed ordered again: %d orders" % orders)
    resolved = int(sql(db, "SELECT count(*) FROM tickets WHERE status = 3")[0][0])
    c.eq(resolved, TICKETS + 2, "every generated ticket resolved (and two curated ones)")
    c.ok(tickets - resolved <= 12, "the open work is the curated conversations: %d open"
         % (tickets - resolved))
    future = int(sql(db, "SELECT count(*) FROM orders WHERE ordered_at > %d"
                         % (int(datetime.datetime.now().timestamp() * 1000) + 60000))[0][0])
    c.eq(future, 0, "no order dated after now")

    tok = login(srv, "olga@parley.local")
    c.ok(tok is not None, "supervisor signs in")
    st, r = srv.call("GET", "/api/v1/roi", token=tok)
    c.eq(st, 200, "ROI of the last 90 days")
    per, base = r["data"]["period"], r["data"]["baseline"]
    c.eq(per["retention_days"], 30, "retention window")
    c.ok(0 < per["conflict_customers_measured"] < per["conflict_customers"],
         "a period ending today measures only the customers whose 30 days have passed: %r"
         % per)
    c.ok(0 < per["conflict_customers_retained"] <= per["conflict_customers_measured"],
         "some of them ordered again: %r" % per)
    c.eq(base["conflict_customers_measured"], base["conflict_customers"],
         "in the baseline every customer's window has passed")
    c.ok(per["orders"] > 0 and base["orders"] > 0, "orders in both periods")
    for name, side in (("period", per), ("baseline", base)):
        frm, to = ms(side["from"]), ms(side["to"])
        cut = ms(per["to"]) - 30 * DAY   # "now" of the request
        want = expected(db, frm, to, cut)
        got = (side["conflict_customers"], side["conflict_customers_measured"],
               side["conflict_customers_retained"])
        c.eq(got, want, "%s: customers, measured, retained as the SQL of the rule" % name)
    rate = {(i["name"], i["period"]): i for i in r["inputs"]}.get(("retention_rate", "period"))
    c.ok(rate is not None and rate["source"] == "data", "retention rate from the data")
    if rate:
        c.ok(abs(rate["value"] - per["conflict_customers_retained"]
                 / per["conflict_customers_measured"]) < 1e-9, "rate = retained / measured")
    srv.stop()

    # The second start serves what the first one made: no second history.
    srv = Server(binary, db, tmp, ["--demo", "--demo-tickets", str(TICKETS)]).start()
    c.eq(counts(db), (tickets, orders), "a restart generates nothing more")
    srv.stop()


if __name__ == "__main__":
    harness.run(main)
