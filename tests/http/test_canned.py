#!/usr/bin/env python3
"""test_canned.py — canned responses over the real server: admins create,
edit and delete them, agents only read; bad input is refused naming the
field; a ticket gets the responses that fit its detected emotion, category
and customer's language, with the guidance and articles, in one call.
Usage: test_canned.py PARLEY"""
import harness

AGENT = ("agent@example.com", "agent-password-1")

RESPONSES = [
    {"language": "ru", "title": "Извиниться", "emotion": "anger",
     "body": "Простите, так не должно было случиться."},
    {"language": "ru", "title": "Возврат", "category": "billing",
     "body": "Лишнее списание возвращено."},
    {"language": "ru", "title": "Спокойно по шагам", "emotion": "confusion",
     "body": "Давайте по шагам."},
    {"language": "ru", "title": "Общий ответ", "body": "Спасибо, что написали."},
    {"language": "en", "title": "Apologise", "emotion": "anger", "body": "I am sorry."},
]


def login(srv, who):
    st, r = srv.call("POST", "/api/v1/auth/login", {"email": who[0], "password": who[1]})
    return r["token"]


def crud(srv, admin, agent, c):
    ids = {}
    for body in RESPONSES:
        st, r = srv.call("POST", "/api/v1/canned", body, token=admin)
        c.eq(st, 201, "created %s" % body["title"])
        c.eq(r.get("emotion"), body.get("emotion"), "emotion tag kept")
        c.eq(r.get("category"), body.get("category"), "category tag kept")
        ids[body["title"]] = r.get("id")

    st, r = srv.call("POST", "/api/v1/canned", {"language": "ru", "title": "x", "body": "y"},
                     token=agent)
    c.eq(st, 403, "an agent may not write")
    for bad, field in (({"language": "de", "title": "x", "body": "y"}, "language"),
                       ({"language": "ru", "title": "x", "body": "y", "emotion": "glee"}, "emotion"),
                       ({"language": "ru", "title": "", "body": "y"}, "title"),
                       ({"language": "ru", "body": "y"}, "title"),
                       ({"language": "ru", "title": "x", "body": 5}, "body")):
        st, r = srv.call("POST", "/api/v1/canned", bad, token=admin)
        c.eq(st, 400, "refused %r" % bad)
        c.ok(field in r.get("error", {}).get("message", ""), "the error names %s: %r" % (field, r))
    st, r = srv.call("POST", "/api/v1/canned", raw=b"{not json", token=admin)
    c.eq(st, 400, "bad JSON refused")

    st, r = srv.call("GET", "/api/v1/canned", token=agent)
    c.eq(st, 200, "an agent reads")
    c.eq(len(r["responses"]), len(RESPONSES), "all listed")
    st, r = srv.call("GET", "/api/v1/canned?language=en", token=agent)
    c.eq([x["title"] for x in r["responses"]], ["Apologise"], "language filter")
    st, r = srv.call("GET", "/api/v1/canned?language=ru&emotion=anger", token=agent)
    titles = [x["title"] for x in r["responses"]]
    c.eq(titles[0], "Извиниться", "the anger response first for anger")
    c.ok("Спокойно по шагам" not in titles, "a response for another emotion is left out")
    c.ok("Общий ответ" in titles and "Возврат" in titles, "untagged emotions fit any")
    st, r = srv.call("GET", "/api/v1/canned?language=xx", token=agent)
    c.eq(st, 400, "unknown language refused")

    cid = ids["Спокойно по шагам"]
    st, r = srv.call("PATCH", "/api/v1/canned/%d" % cid, {"body": "Объясню по шагам.",
                     "emotion": None}, token=admin)
    c.eq(st, 200, "patched")
    c.eq(r.get("body"), "Объясню по шагам.", "body changed")
    c.eq(r.get("emotion"), None, "null clears the tag")
    c.eq(r.get("title"), "Спокойно по шагам", "title kept")
    st, r = srv.call("PATCH", "/api/v1/canned/%d" % cid, {"emotion": "rage"}, token=admin)
    c.eq(st, 400, "bad emotion refused on patch")
    st, r = srv.call("GET", "/api/v1/canned/%d" % cid, token=agent)
    c.eq((st, r.get("emotion"), r.get("body")), (200, None, "Объясню по шагам."),
         "a refused patch wrote nothing")
    st, r = srv.call("PATCH", "/api/v1/canned/%d" % cid, {"title": "y"}, token=agent)
    c.eq(st, 403, "an agent may not patch")
    st, r = srv.call("PATCH", "/api/v1/canned/99999", {"title": "y"}, token=admin)
    c.eq(st, 404, "unknown id on patch")

    st, _ = srv.call("DELETE", "/api/v1/canned/%d" % cid, token=agent)
    c.eq(st, 403, "an agent may not delete")
    st, _ = srv.call("DELETE", "/api/v1/canned/%d" % cid, token=admin)
    c.eq(st, 204, "deleted")
    st, _ = srv.call("DELETE", "/api/v1/canned/%d" % cid, token=admin)
    c.eq(st, 404, "deleted twice")
    st, _ = srv.call("GET", "/api/v1/canned/%d" % cid, token=agent)
    c.eq(st, 404, "gone")
    st, _ = srv.call("PUT", "/api/v1/canned/%d" % ids["Возврат"], {}, token=admin)
    c.eq(st, 405, "other method")
    return ids


def suggestions(srv, admin, agent, ids, c):
    st, r = srv.call("POST", "/api/v1/messages", {
        "channel": "email", "customer": {"email": "ivan@example.com", "name": "Иван"},
        "subject": "Двойное списание",
        "body": "Вы списали деньги дважды! Это возмутительно, я в бешенстве! "
                "Верните деньги немедленно, иначе подам в суд!"}, token=admin)
    c.eq(st, 201, "angry message taken")
    tid = r["ticket_id"]
    srv.call("PATCH", "/api/v1/tickets/%d" % tid, {"category": "billing"}, token=admin)
    st, t = srv.call("GET", "/api/v1/tickets/%d" % tid, token=agent)
    c.eq(t.get("emotion"), "anger", "the ticket reads as anger")

    st, r = srv.call("GET", "/api/v1/canned?ticket_id=%d" % tid, token=agent)
    c.eq(st, 200, "suggestions for a ticket")
    titles = [x["title"] for x in r["responses"]]
    c.eq(titles[:2], ["Извиниться", "Возврат"], "emotion match first, then category")
    c.ok("Apologise" not in titles, "the customer's language only")

    st, g = srv.call("GET", "/api/v1/tickets/%d/guidance?language=en" % tid, token=agent)
    c.eq(st, 200, "ticket guidance")
    c.eq(g.get("emotion"), "anger", "guidance emotion")
    c.eq(g.get("guidance", {}).get("language"), "en", "guidance in the agent's language")
    c.ok(len(g.get("guidance", {}).get("steps", [])) > 0, "guidance has steps")
    c.eq([x["title"] for x in g.get("canned", [])][:1], ["Извиниться"], "canned in the bundle")
    c.ok(isinstance(g.get("articles"), list), "articles in the bundle")
    st, _ = srv.call("GET", "/api/v1/tickets/99999/guidance", token=agent)
    c.eq(st, 404, "unknown ticket")
    st, _ = srv.call("GET", "/api/v1/canned?ticket_id=abc", token=agent)
    c.eq(st, 400, "bad ticket_id")
    st, _ = srv.call("GET", "/api/v1/canned")
    c.eq(st, 401, "no token")


def main(binary, db, tmp, c):
    harness.add_user(binary, db, harness.ADMIN[0], "admin", harness.ADMIN[1], tmp)
    harness.add_user(binary, db, AGENT[0], "agent", AGENT[1], tmp)
    srv = harness.Server(binary, db, tmp).start()
    try:
        admin, agent = login(srv, harness.ADMIN), login(srv, AGENT)
        ids = crud(srv, admin, agent, c)
        suggestions(srv, admin, agent, ids, c)
    finally:
        srv.stop()


if __name__ == "__main__":
    harness.run(main)
