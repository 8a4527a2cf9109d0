#!/usr/bin/env python3
"""test_email.py — e-mail in, over the real server: an angry Russian e-mail
threatening court becomes a high-priority, escalated ticket routed to a
Russian-speaking supervisor, with the cue and guidance for anger; the
customer's reply threads onto the same ticket; a re-delivered message is
not duplicated, with or without a Message-ID; bad input gets 4xx. Usage: test_email.py PARLEY"""
import harness

ANGRY = (
    "From: =?utf-8?B?0JTQvNC40YLRgNC40Lkg0JLQvtC70LrQvtCy?= <dmitry@example.ru>\r\n"
    "To: support@shop.example\r\n"
    "Subject: =?utf-8?B?0KHQv9C40YHQsNC70Lgg0LTQtdC90YzQs9C4INC00LLQsNC20LTRiyE=?=\r\n"
    "Message-ID: <first-1@example.ru>\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "Content-Transfer-Encoding: 8bit\r\n\r\n"
    "Вы списали с моей карты 4 990 рублей ДВАЖДЫ! Это возмутительно, я в бешенстве. "
    "Если деньги не вернутся до завтра, я подаю в суд и пишу жалобу в Роспотребнадзор!!!\r\n"
    "\r\nС уважением,\r\nДмитрий\r\n").encode()

REPLY = (
    "From: dmitry@example.ru\r\n"
    "Subject: Re: Списали деньги дважды!\r\n"
    "Message-ID: <second-2@example.ru>\r\n"
    "In-Reply-To: <first-1@example.ru>\r\n"
    "References: <first-1@example.ru>\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n\r\n"
    "Жду ответа уже два часа.\r\n\r\n"
    "пн, 3 мар. 2025 г. в 10:00, Дмитрий <dmitry@example.ru>:\r\n"
    "> Вы списали с моей карты 4 990 рублей ДВАЖДЫ!\r\n").encode()


def main(binary, db, tmp, c):
    harness.add_user(binary, db, harness.ADMIN[0], "admin", harness.ADMIN[1], tmp)
    harness.add_user(binary, db, "sam@example.com", "supervisor", "sam-password", tmp,
                     ["--languages", "en"])
    harness.add_user(binary, db, "olga@example.com", "supervisor", "olga-password", tmp,
                     ["--languages", "ru,en"])
    harness.add_user(binary, db, "anna@example.com", "agent", "anna-password", tmp,
                     ["--languages", "ru", "--skills", "billing"])
    srv = harness.Server(binary, db, tmp).start()
    try:
        tok = srv.call("POST", "/api/v1/auth/login", {"email": harness.ADMIN[0],
                       "password": harness.ADMIN[1]})[1]["token"]
        users = {u["email"]: u["id"] for u in srv.call("GET", "/api/v1/users", token=tok)[1]["users"]}
        mail = {"Content-Type": "message/rfc822"}

        st, first = srv.call("POST", "/api/v1/channels/email", raw=ANGRY, token=tok, headers=mail)
        c.eq(st, 201, "e-mail accepted")
        st, t = srv.call("GET", "/api/v1/tickets/%d" % first["ticket_id"], token=tok)
        c.eq(t.get("subject"), "Списали деньги дважды!", "encoded subject decoded")
        c.ok(t.get("priority") in ("high", "urgent"), "high priority (%s)" % t.get("priority"))
        c.ok(t.get("escalated"), "escalated")
        c.eq(t.get("assignee_id"), users["olga@example.com"], "routed to the Russian-speaking supervisor")
        codes = [r.get("code") for r in t.get("reasons", [])]
        c.ok("cue_legal" in codes, "the court threat is a reason (%s)" % codes)
        an = t["messages"][0]["analysis"]
        c.eq(an.get("language"), "ru", "analysed as Russian")
        c.ok(any(q.get("type") == "legal" for q in an.get("cues", [])), "legal cue with evidence")
        c.ok("С уважением" in t["messages"][0]["body"], "the whole mail is kept in the record")
        st, g = srv.call("GET", "/api/v1/guidance?emotion=anger&language=ru", token=tok)
        c.ok(st == 200 and g.get("steps"), "guidance for anger in Russian")

        st, second = srv.call("POST", "/api/v1/channels/email", raw=REPLY, token=tok, headers=mail)
        c.eq(st, 201, "reply accepted")
        c.eq(second.get("ticket_id"), first["ticket_id"], "the reply threads onto the same ticket")
        st, t = srv.call("GET", "/api/v1/tickets/%d" % first["ticket_id"], token=tok)
        c.eq(len(t["messages"]), 2, "two messages on the ticket")

        st, _ = srv.call("POST", "/api/v1/channels/email", raw=REPLY, token=tok, headers=mail)
        c.eq(st, 409, "a re-delivered message is not filed twice")
        no_id = (b"From: kim@example.net\r\nSubject: Hello\r\n\r\nWhere is my parcel?\r\n")
        st, _ = srv.call("POST", "/api/v1/channels/email", raw=no_id, token=tok, headers=mail)
        c.eq(st, 201, "a message without Message-ID accepted")
        st, _ = srv.call("POST", "/api/v1/channels/email", raw=no_id, token=tok, headers=mail)
        c.eq(st, 409, "...and its re-delivery (same bytes) not filed twice")
        st, b = srv.call("POST", "/api/v1/channels/email", raw=b"hello", token=tok, headers=mail)
        c.eq(st, 400, "not a message")
        c.ok("error" in b, "JSON error")
        st, _ = srv.call("POST", "/api/v1/channels/email", raw=ANGRY, token=tok)
        c.eq(st, 415, "wrong content type")
    finally:
        srv.stop()


if __name__ == "__main__":
    harness.run(main)
