#!/usr/bin/env python3
"""probe.py — latency of the dashboard, queue, report and search calls of a
running Parley server (used by bench/scale/run.sh at a million tickets).

Usage: probe.py PORT [ROUNDS [END]]
Logs in as the demo supervisor, runs every call ROUNDS times (default 20)
over one keep-alive connection and prints one line per call:
name, p50, p99, max in milliseconds and the answer's size, as each call is
done. ONLY=WORD[,WORD...] in the environment runs only the calls whose name
contains one of the words; SKIP=WORD[,WORD...] leaves out those that contain
one. Standard library only."""
import http.client
import json
import os
import sys
import time
import urllib.parse
from datetime import datetime, timedelta, timezone

# Search by kind of query: common words match a large part of the messages,
# rare ones a handful, customers match by name (the demo's curated people).
SEARCHES = [
    ("search: common English words", ["order", "refund", "charged twice", "password",
                                      "delivery address", "subscription"]),
    ("search: common Russian words", ["заказ", "деньги", "личный кабинет", "возврат",
                                      "отзыв", "суд"]),
    ("search: rare words (en, ru)", ["blender", "lawyers contract", "колонку", "бандероль",
                                     "Роспотребнадзор", "nonexistentword"]),
    ("search: customers by name", ["Karen Miles", "Волков", "Victoria Hale", "Ирина"]),
]


def iso(dt):
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def main():
    port = int(sys.argv[1])
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=600)

    def call(path, token=None, body=None):
        h = {"Content-Type": "application/json"}
        if token:
            h["Authorization"] = "Bearer " + token
        c.request("POST" if body else "GET", "/api/v1" + path,
                  json.dumps(body) if body else None, h)
        r = c.getresponse()
        data = r.read()
        if r.status >= 300:
            raise RuntimeError("%s → %d %s" % (path, r.status, data[:200]))
        return data

    tok = json.loads(call("/auth/login", body={"email": "olga@parley.local",
                                               "password": "parley-demo"}))["token"]
    # Windows end at END (YYYY-MM-DD) or the newest ticket, so a history cut
    # short (or made long ago) is read where its data is, as a desk reads its
    # last month. Give END once messages were posted after the history.
    newest = sys.argv[3] if len(sys.argv) > 3 else json.loads(call(
        "/tickets?status=new,open,pending,resolved,closed&sort=created&order=desc&limit=1",
        tok))["tickets"][0]["created_at"]
    newest = (newest + "T00:00:00")[:19] if len(newest) == 10 else newest
    now = datetime.strptime(newest[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=timezone.utc)
    now += timedelta(days=1)
    d30, d180 = iso(now - timedelta(days=30)), iso(now - timedelta(days=180))
    span30 = "&from=%s&to=%s" % (d30, iso(now))
    span90 = "&from=%s&to=%s" % (iso(now - timedelta(days=90)), iso(now))
    first = json.loads(call("/tickets?status=open&sort=priority&order=desc&limit=100", tok))
    cursor = first.get("next_cursor")     # none on a small history: no next page
    some = (first["tickets"] or json.loads(call("/tickets?limit=1", tok))["tickets"])[0]
    calls = [
        ("dashboard: /metrics 30 days by day (supervisor screen)",
         "/metrics?granularity=day&periods=30&from=%s&to=%s" % (d30, iso(now))),
        ("dashboard: /metrics 180 days by agent",
         "/metrics?granularity=day&periods=6&dim=agent&value=5&from=%s&to=%s" % (d180, iso(now))),
        ("supervisor: /tickets all statuses, newest 500",
         "/tickets?status=new,open,pending,resolved,closed&sort=created&order=desc&limit=500"),
        ("inbox: /tickets open by priority, first 100",
         "/tickets?status=open&sort=priority&order=desc&limit=100"),
        ("inbox: /tickets open by priority, next page",
         "/tickets?status=open&sort=priority&order=desc&limit=100&cursor=" + cursor if cursor
         else None),
        ("inbox: /tickets new,open,pending of one agent",
         "/tickets?status=new,open,pending&assignee=5&limit=100"),
        ("ticket: /tickets/{id} with messages, events, risk", "/tickets/%d" % some["id"]),
        ("customer: /customers/{id} with tickets, churn risk",
         "/customers/%d" % some["customer_id"]),
        ("report: /reports all metrics by day, 30 days", "/reports?metric=all&period=day" + span30),
        ("report: /reports by category by week, 180 days",
         "/reports?metric=all&group=category&period=week&from=%s&to=%s" % (d180, iso(now))),
        ("report: /reports by agent by week, 30 days",
         "/reports?metric=all&group=agent&period=week" + span30),
        ("report: /reports/tickets drill-down (escalations)",
         "/reports/tickets?metric=escalation_rate&limit=100" + span30),
        ("report: /reports/tickets one agent, 90 days",
         "/reports/tickets?metric=ttr_mean_ms&group=agent&key=5&limit=100" + span90),
        ("roi: /roi, 90 days and the 90 before", "/roi?" + span90[1:]),
    ]
    only = [w for w in os.environ.get("ONLY", "").split(",") if w]
    skip = [w for w in os.environ.get("SKIP", "").split(",") if w]
    def wanted(name):
        return (not only or any(w in name for w in only)) and not any(w in name for w in skip)
    for name, path in calls:
        if path and wanted(name):
            print(measure(name, lambda p=path: call(p, tok), rounds), flush=True)
    for name, queries in [s for s in SEARCHES if wanted(s[0])]:
        times, size = [], 0
        for _ in range(rounds):
            for q in queries:
                t0 = time.perf_counter()
                size = len(call("/search?limit=20&q=" + urllib.parse.quote(q), tok))
                times.append((time.perf_counter() - t0) * 1000)
        print(summary("%s (%d queries × %d)" % (name, len(queries), rounds), times, size),
              flush=True)


def measure(name, fn, rounds):
    times, size = [], 0
    for _ in range(rounds):
        t0 = time.perf_counter()
        size = len(fn())
        times.append((time.perf_counter() - t0) * 1000)
    return summary(name, times, size)


def summary(name, times, size):
    times.sort()
    p = lambda q: times[min(len(times) - 1, int(q * len(times)))]
    return "| %s | %.1f | %.1f | %.1f | %d |" % (name, p(0.5), p(0.99), times[-1], size)


if __name__ == "__main__":
    main()
