#!/usr/bin/env python3
"""test_risk.py — risk scores over the real server: `parley demo` makes a
history (2 to 8 messages a ticket, about 5 on average), `parley train-risk` trains and evaluates on its later part (the
JSON report), the server loads the models and every open ticket carries
risk {escalation, low_csat, factors}, closed ones none, customers a
churn_risk; a new ticket is scored as soon as it is committed; a damaged
model file stops the server with a message. Usage: test_risk.py PARLEY"""
import json
import os
import subprocess

import harness

DEMO_PASSWORD = "parley-demo"


def cli(binary, args, tmp):
    p = subprocess.run([binary] + args, cwd=tmp, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=900)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def check_training(binary, db, tmp, c):
    model = os.path.join(tmp, "risk.model")
    rc, out, err = cli(binary, ["demo", "--db", db, "--tickets", "1500", "--models",
                                harness.MODELS], tmp)
    c.eq(rc, 0, "demo history generated (%s)" % err[-300:])
    c.ok(os.path.exists(snapshot_path(db, tmp)), "demo wrote the metrics snapshot")
    (lo, hi, mean), = harness.sql(db, "SELECT min(n), max(n), avg(n) FROM (SELECT count(*) AS n "
                                  "FROM messages m JOIN tickets t ON t.id = m.ticket_id WHERE "
                                  "t.thread LIKE 'gen-%' GROUP BY m.ticket_id) x")
    c.ok(int(lo) >= 2 and int(hi) <= 8 and 4.0 < float(mean) < 6.0,
         "2 to 8 messages a generated ticket, about 5 on average (%s, %s, %s)" % (lo, hi, mean))
    rc, out, err = cli(binary, ["train-risk", "--db", db], tmp)
    c.eq(rc, 2, "--out is required")
    rc, out, err = cli(binary, ["train-risk", "--db", db, "--out", model,
                                "--holdout-from", "yesterday-ish"], tmp)
    c.ok(rc == 2 and "holdout-from" in err, "a bad date is refused (%s)" % err)
    rc, out, err = cli(binary, ["train-risk", "--db", db, "--out", model], tmp)
    c.eq(rc, 0, "train-risk ran (%s)" % err[-300:])
    rep = json.loads(out)
    kinds = {m["kind"]: m for m in rep["models"]}
    c.ok("escalation" in kinds and "churn" in kinds, "escalation and churn trained (%s)" %
         rep["skipped"])
    skipped = {s["kind"]: s["reason"] for s in rep["skipped"]}
    c.ok("CSAT" in skipped.get("low_csat", ""), "low CSAT skipped honestly: no surveys (%s)" %
         skipped)
    for kind, m in kinds.items():
        t = m["test"]
        c.ok(t["n"] > 0 and 0 < t["positives"] < t["n"], "%s: both outcomes held out" % kind)
        c.ok(t["auc"] > 0.6, "%s: held-out AUC above chance (%.3f)" % (kind, t["auc"]))
        c.ok(t["brier"] < t["baseline_brier"], "%s: Brier beats the base rate (%.4f vs %.4f)" %
             (kind, t["brier"], t["baseline_brier"]))
        c.eq(sum(b["n"] for b in t["reliability"]), t["n"], "%s: reliability bins cover the "
             "test set" % kind)
        c.ok(m["train"]["n"] > t["n"], "%s: trained on the earlier part" % kind)
    with open(model) as f:
        c.eq(f.read().count("parley-risk 1\n"), len(kinds), "one model per trained kind in the file")
    return model


def check_server(binary, db, tmp, c, model):
    srv = harness.Server(binary, db, tmp, ["--risk-model", model]).start()
    try:
        tok = srv.call("POST", "/api/v1/auth/login", {"email": "admin@parley.local",
                       "password": DEMO_PASSWORD})[1]["token"]
        st, lst = srv.call("GET", "/api/v1/tickets?status=open&limit=100", token=tok)
        c.eq(st, 200, "open tickets listed")
        opened = lst["tickets"]
        c.ok(len(opened) > 0, "there are open tickets")
        scored = [t for t in opened if "risk" in t]
        c.eq(len(scored), len(opened), "every open ticket carries a risk")
        ps = [t["risk"]["escalation"] for t in scored]
        c.ok(all(0 < p < 1 for p in ps), "escalation is a probability")
        c.ok(len(set(round(p, 4) for p in ps)) > 3, "scores differ between tickets")
        c.ok(all(t["risk"]["low_csat"] is None for t in scored), "no low-CSAT model, null")
        f = scored[0]["risk"]["factors"]
        c.ok(0 < len(f) <= 3 and all("name" in x and "weight" in x and "label" in x for x in f),
             "top factors named with their weight (%s)" % f)
        c.ok(all(abs(f[i]["weight"]) >= abs(f[i + 1]["weight"]) for i in range(len(f) - 1)),
             "strongest factor first")
        st, one = srv.call("GET", "/api/v1/tickets/%d?lang=ru" % scored[0]["id"], token=tok)
        c.ok(st == 200 and one["risk"]["escalation"] == scored[0]["risk"]["escalation"],
             "the ticket itself has the same risk")
        c.ok(any(ch in one["risk"]["factors"][0]["label"] for ch in "абвгдеёжзийклмнопрстуфхцчшщыэюя"),
             "labels in Russian with ?lang=ru (%s)" % one["risk"]["factors"][0]["label"])
        st, res = srv.call("GET", "/api/v1/tickets?status=resolved&limit=20", token=tok)
        c.ok(res["tickets"] and all("risk" not in t for t in res["tickets"]),
             "resolved tickets carry no risk")
        st, cust = srv.call("GET", "/api/v1/customers/%d" % scored[0]["customer_id"], token=tok)
        c.eq(st, 200, "customer read")
        c.ok(0 < cust.get("churn_risk", -1) < 1, "customer carries churn_risk (%s)" %
             cust.get("churn_risk"))
        c.ok(len(cust.get("churn_factors", [])) > 0, "with its factors")
        # A new ticket is scored once committed.
        st, m = srv.call("POST", "/api/v1/messages", {
            "channel": "email", "customer": {"email": "new.risk@example.com"},
            "subject": "Order", "body": "Where is my order? It was supposed to arrive yesterday."},
            token=tok)
        c.eq(st, 201, "message posted")
        st, t = srv.call("GET", "/api/v1/tickets/%d" % m["ticket_id"], token=tok)
        c.ok("risk" in t and 0 < t["risk"]["escalation"] < 1, "the new ticket is scored (%s)" %
             t.get("risk"))
        before = srv.call("GET", METRICS, token=tok)[1]
    finally:
        srv.stop()
    check_snapshot(binary, db, tmp, c, model, before)
    # No model: no risk field, and the server still serves.
    srv = harness.Server(binary, db, tmp).start()
    try:
        tok = srv.call("POST", "/api/v1/auth/login", {"email": "admin@parley.local",
                       "password": DEMO_PASSWORD})[1]["token"]
        st, lst = srv.call("GET", "/api/v1/tickets?status=open&limit=5", token=tok)
        c.ok(st == 200 and all("risk" not in t for t in lst["tickets"]), "no model, no risk")
    finally:
        srv.stop()
    # A damaged model file is refused at start, with the reason.
    bad = os.path.join(tmp, "bad.model")
    with open(model) as f, open(bad, "w") as g:
        g.write(f.read().replace("bias ", "bias 1", 1))
    p = subprocess.run([binary, "serve", "--db", db, "--port", str(harness.free_port()),
                        "--models", harness.MODELS, "--risk-model", bad], cwd=tmp,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
    c.ok(p.returncode != 0 and b"checksum" in p.stderr, "damaged model refused (%s)" %
         p.stderr[-200:])


METRICS = "/api/v1/metrics?granularity=day&periods=200&from=2025-01-01T00:00:00Z&to=2027-01-01T00:00:00Z"


def snapshot_path(db, tmp):
    return db[7:] + ".metrics" if db.startswith("sqlite:") else \
        os.path.join(tmp, "parley-metrics.snapshot")


def check_snapshot(binary, db, tmp, c, model, before):
    """A restart reads the snapshot written at the stop and gives the same
    aggregates and scores; a damaged snapshot is ignored (full replay)."""
    snap = snapshot_path(db, tmp)
    c.ok(os.path.exists(snap), "snapshot written at the stop")
    for damage in (False, True):
        if damage:
            with open(snap, "r+b") as f:
                f.seek(100)
                f.write(b"\xff\xfe\xfd")
        srv = harness.Server(binary, db, tmp, ["--risk-model", model]).start()
        try:
            tok = srv.call("POST", "/api/v1/auth/login", {"email": "admin@parley.local",
                           "password": DEMO_PASSWORD})[1]["token"]
            after = srv.call("GET", METRICS, token=tok)[1]
            c.ok(after == before, "same aggregates after a restart (%s snapshot)" %
                 ("damaged" if damage else "good"))
            st, lst = srv.call("GET", "/api/v1/tickets?status=open&limit=20", token=tok)
            c.ok(all("risk" in t for t in lst["tickets"]), "scores after the restart")
        finally:
            srv.stop()
        with open(os.path.join(tmp, "server-%d.log" % srv.port), errors="replace") as f:
            log = f.read()
        c.ok(("not used" in log) if damage else ("as of event" in log),
             "the snapshot was %s" % ("refused" if damage else "used"))


def main(binary, db, tmp, c):
    model = check_training(binary, db, tmp, c)
    check_server(binary, db, tmp, c, model)


if __name__ == "__main__":
    harness.run(main)
