#!/usr/bin/env python3
"""test_feedback.py — CSAT surveys and repeat contacts over the real server:
resolving a ticket sends a single-use survey link (--public-url) as a system
message on the ticket, live on a chat customer's stream; the survey page's
API answers once (201, then 410), refuses bad scores (400) and unknown
tokens (404); the comment is analysed; CSAT and NPS reach the metrics
(hand-checked: scores 2 and 5 → 3.5); a customer writing again within the
repeat window gets a new ticket linked to the earlier one, whose
first-contact resolution is withdrawn. Usage: test_feedback.py PARLEY"""
import re
import urllib.parse

import harness
from test_chat import Stream

PUBLIC = "https://help.example.com"
LINK = re.compile(re.escape(PUBLIC) + r"/survey\.html\?t=([0-9a-f]{32})")


def survey_token(srv, tok, tid, c):
    st, t = srv.call("GET", "/api/v1/tickets/%d" % tid, token=tok)
    last = t["messages"][-1]
    m = LINK.search(last["body"])
    c.ok(m and last["kind"] == "reply" and last["author_user_id"] is None,
         "the survey link is a system reply on the ticket (%s)" % last)
    c.ok(any(e["type"] == "survey.sent" for e in t["events"]), "survey.sent recorded")
    return m.group(1) if m else "0" * 32


def metrics(srv, tok):
    st, res = srv.call("GET", "/api/v1/metrics?from=2000-01-01&to=2100-01-01", token=tok)
    return res["series"][0]


def main(binary, db, tmp, c):
    harness.add_user(binary, db, harness.ADMIN[0], "admin", harness.ADMIN[1], tmp)
    srv = harness.Server(binary, db, tmp, extra=["--public-url", PUBLIC + "/"]).start()
    try:
        tok = srv.call("POST", "/api/v1/auth/login", {"email": harness.ADMIN[0],
                       "password": harness.ADMIN[1]})[1]["token"]

        # 1. An e-mail ticket is answered and resolved: the link goes out.
        st, a = srv.call("POST", "/api/v1/messages", {
            "channel": "email", "customer": {"email": "ann@example.com", "name": "Ann"},
            "subject": "Parcel missing", "body": "My parcel never arrived, where is it?"},
            token=tok)
        c.eq(st, 201, "ticket A")
        srv.call("POST", "/api/v1/tickets/%d/replies" % a["ticket_id"],
                 {"body": "Sorry Ann, a new parcel is on its way."}, token=tok)
        st, _ = srv.call("PATCH", "/api/v1/tickets/%d" % a["ticket_id"], {"status": "resolved"},
                         token=tok)
        c.eq(st, 200, "resolved")
        token_a = survey_token(srv, tok, a["ticket_id"], c)
        st, s = srv.call("GET", "/api/v1/surveys/" + token_a)
        c.eq((st, s.get("subject"), s.get("language"), s.get("answered")),
             (200, "Parcel missing", "en", False), "the survey page's data, without sign-in")

        # 2. Bad answers change nothing.
        url = "/api/v1/surveys/" + token_a
        for body in [{}, {"score": 0}, {"score": 6}, {"score": "5"}, {"score": 4.5},
                     {"score": 4, "nps": 11}, {"score": 4, "nps": "x"}, {"score": 4, "comment": 5}]:
            st, res = srv.call("POST", url, body)
            c.ok(st == 400 and "error" in res, "bad answer %s → 400 (%s)" % (body, st))
        c.eq(srv.call("POST", url, raw=b"{score", headers={"Content-Type": "application/json"})[0],
             400, "malformed JSON")
        c.eq(srv.call("POST", url, {"score": 4, "comment": "x" * 5000})[0], 413, "comment too long")
        c.eq(srv.call("POST", "/api/v1/surveys/" + "0" * 32, {"score": 4})[0], 404, "unknown token")
        c.eq(srv.call("GET", "/api/v1/surveys/not-a-token")[0], 404, "malformed token")
        c.eq(srv.call("GET", url)[1].get("answered"), False, "still unanswered")

        # 3. Answered once; the comment is analysed.
        st, res = srv.call("POST", url, {"score": 2, "nps": 3,
                           "comment": "Terrible, the agent was rude and it took forever."})
        c.eq((st, res.get("answered")), (201, True), "answered")
        c.eq(srv.call("POST", url, {"score": 5})[0], 410, "a used link is gone")
        st, s = srv.call("GET", url)
        c.eq((s.get("answered"), s.get("score")), (True, 2), "the page knows it was answered")
        st, t = srv.call("GET", "/api/v1/tickets/%d" % a["ticket_id"], token=tok)
        ans = [e["after"] for e in t["events"] if e["type"] == "survey.answered"]
        c.eq(len(ans), 1, "one survey.answered event")
        if ans:
            c.eq((ans[0]["score"], ans[0]["nps"]), (2, 3), "score and NPS recorded")
            c.ok(ans[0]["comment_analysis"]["sentiment"] < 0,
                 "the comment's sentiment is negative (%s)" % ans[0]["comment_analysis"])

        # 4. A chat customer sees the link live on their stream.
        st, chat = srv.call("POST", "/api/v1/chat", {"name": "Kate", "email": "kate@example.com",
                            "language": "en"})
        cid, ctok = chat["chat_id"], chat["token"]
        st, turn = srv.call("POST", "/api/v1/chat/%d/messages" % cid,
                            {"body": "I need a human, please."}, token=ctok)
        tid = turn["ticket_id"]
        stream = Stream(srv.port, "/api/v1/chat/%d/events?token=%s" % (cid, ctok))
        srv.call("POST", "/api/v1/tickets/%d/replies" % tid, {"body": "Done, Kate!"}, token=tok)
        srv.call("PATCH", "/api/v1/tickets/%d" % tid, {"status": "resolved"}, token=tok)
        c.ok(stream.wait(lambda e: e[0] == "message" and LINK.search(e[1].get("body", ""))),
             "the survey link arrives on the chat stream")
        stream.close()
        token_b = survey_token(srv, tok, tid, c)
        st, _ = srv.call("POST", "/api/v1/surveys/" + token_b, {"score": 5, "nps": 10})
        c.eq(st, 201, "chat survey answered without a comment")

        # 5. CSAT and NPS in the metrics, by hand: (2 + 5) / 2 = 3.5; one of two
        #    satisfied; one detractor (3) and one promoter (10) → NPS 0.
        m = metrics(srv, tok)
        c.eq((m["csat_mean"], m["csat_satisfied_share"], m["nps"]), (3.5, 0.5, 0.0),
             "CSAT 3.5, half satisfied, NPS 0")

        # 6. Repeat contact: Ann writes again; her ticket A was resolved
        #    within the window and had one reply (first-contact resolved).
        fcr_before = metrics(srv, tok)["fcr_rate"]
        st, b = srv.call("POST", "/api/v1/messages", {
            "channel": "email", "customer": {"email": "ann@example.com"},
            "subject": "Still no parcel", "body": "The new parcel did not come either."},
            token=tok)
        c.ok(b["ticket_id"] != a["ticket_id"], "a new ticket")
        st, t = srv.call("GET", "/api/v1/tickets/%d" % b["ticket_id"], token=tok)
        c.eq(t.get("repeat_of"), a["ticket_id"], "linked to the earlier ticket")
        m = metrics(srv, tok)
        c.eq((fcr_before, m["fcr_rate"], m["repeat_contacts"]), (1.0, 0.5, 1),
             "A's first-contact resolution withdrawn (2 of 2 → 1 of 2)")

        # 7. The window is configurable; outside it nothing is linked.
        c.eq(srv.call("GET", "/api/v1/config/feedback", token=tok)[1],
             {"repeat_window_hours": 168}, "default window 7 days")
        c.eq(srv.call("PUT", "/api/v1/config/feedback", {"repeat_window_hours": -1},
                      token=tok)[0], 400, "bad window")
        st, cfg = srv.call("PUT", "/api/v1/config/feedback", {"repeat_window_hours": 0}, token=tok)
        c.eq((st, cfg), (200, {"repeat_window_hours": 0}), "window set to 0")
        srv.call("PATCH", "/api/v1/tickets/%d" % b["ticket_id"], {"status": "resolved"}, token=tok)
        st, d = srv.call("POST", "/api/v1/messages", {
            "channel": "email", "customer": {"email": "ann@example.com"},
            "subject": "Another thing", "body": "One more question."}, token=tok)
        st, t = srv.call("GET", "/api/v1/tickets/%d" % d["ticket_id"], token=tok)
        c.eq(t.get("repeat_of"), None, "not a repeat with a zero window")
    finally:
        srv.stop()

    # 8. After a restart the used link is still gone, the window kept.
    srv = harness.Server(binary, db, tmp, extra=["--public-url", PUBLIC]).start()
    try:
        c.eq(srv.call("POST", "/api/v1/surveys/" + token_a, {"score": 5})[0], 410,
             "still gone after a restart")
        tok = srv.call("POST", "/api/v1/auth/login", {"email": harness.ADMIN[0],
                       "password": harness.ADMIN[1]})[1]["token"]
        c.eq(srv.call("GET", "/api/v1/config/feedback", token=tok)[1],
             {"repeat_window_hours": 0}, "window kept")
        m = metrics(srv, tok)
        # First resolutions A (withdrawn), the chat (one reply) and B (none):
        # FCR 2 of 3; one repeat contact (B), whatever the window is now.
        c.eq((m["csat_mean"], m["fcr_rate"], m["repeat_contacts"]), (3.5, 2 / 3.0, 1),
             "metrics replayed: CSAT 3.5, FCR 2 of 3, one repeat contact")
    finally:
        srv.stop()


if __name__ == "__main__":
    harness.run(main)
