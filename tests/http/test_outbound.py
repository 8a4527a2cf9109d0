#!/usr/bin/env python3
"""test_outbound.py — e-mail out and stored attachments, over the real
server and a real SMTP server on 127.0.0.1 (smtp_sink.py): an agent's reply
to an e-mail ticket arrives as a threaded MIME message; with the mail
server down the delivery is retried with the error visible, then delivered
exactly once; a refused one fails and is sent by a forced retry; the
customer's answer to our mail threads back onto the ticket; the CSAT
survey link sent on resolution is mailed too; without --smtp replies wait
in the outbox and go out once it is configured; attachments of inbound
mail are stored, served as downloads and erased with the customer; with
--smtp-tls a reply goes out only over STARTTLS, to a certificate the
system's CAs or --mail-ca vouch for.
Usage: test_outbound.py PARLEY"""
import email.message
import hashlib
import os
import time

import harness
from smtp_sink import Sink

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n" + bytes(range(256))
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
       b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N"
       b"\x00\x00\x00\x00IEND\xaeB`\x82")
HTML = b"<html><script>alert(document.cookie)</script></html>"
FROM = "Support <help@shop.example>"


def customer_mail(msgid, body, subject="Order 1042: invoice attached", irt=None, refs=None,
                  attach=False, sender="Maria Petrova <maria@example.org>"):
    m = email.message.EmailMessage()
    m["From"] = sender
    m["To"] = "help@shop.example"
    m["Subject"] = subject
    m["Message-ID"] = "<%s>" % msgid
    if irt:
        m["In-Reply-To"] = "<%s>" % irt
    if refs:
        m["References"] = " ".join("<%s>" % r for r in refs)
    m.set_content(body)
    if attach:
        m.add_attachment(PDF, maintype="application", subtype="pdf", filename="invoice 1042.pdf")
        m.add_attachment(PNG, maintype="image", subtype="png", filename="снимок.png")
        m.add_attachment(HTML, maintype="text", subtype="html", filename="page.html")
    return m.as_bytes()


def wait_for(fn, what, c, timeout=40):
    end = time.time() + timeout
    while time.time() < end:
        v = fn()
        if v:
            return v
        time.sleep(0.1)
    c.ok(False, "timed out waiting for " + what)
    return None


def delivery(srv, tok, ticket_id, message_id):
    st, t = srv.call("GET", "/api/v1/tickets/%d" % ticket_id, token=tok)
    for m in t.get("messages", []):
        if m["id"] == message_id:
            return m.get("delivery")
    return None


def check_attachments(srv, tok, c, ticket_id):
    st, t = srv.call("GET", "/api/v1/tickets/%d" % ticket_id, token=tok)
    att = t["messages"][0].get("attachments", [])
    c.eq([a["content_type"] for a in att], ["application/pdf", "image/png", "text/html"],
         "three attachments listed on the message")
    want = {"invoice 1042.pdf": PDF, "снимок.png": PNG, "page.html": HTML}
    for a in att:
        data = want.get(a["filename"])
        c.ok(data is not None, "filename kept (%r)" % a["filename"])
        if data is None:
            continue
        c.eq(a["size"], len(data), "size of " + a["filename"])
        c.eq(a["sha256"], hashlib.sha256(data).hexdigest(), "sha256 of " + a["filename"])
        import http.client
        conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=30)
        conn.request("GET", a["url"], headers={"Authorization": "Bearer " + tok})
        resp = conn.getresponse()
        body = resp.read()
        conn.close()
        c.eq(resp.status, 200, "download " + a["filename"])
        c.eq(body, data, "the stored bytes of " + a["filename"])
        disp = resp.getheader("Content-Disposition", "")
        c.ok(disp.startswith("attachment;"), "served as a download (%s)" % disp)
        c.eq(resp.getheader("X-Content-Type-Options"), "nosniff", "nosniff")
        ctype = resp.getheader("Content-Type")
        if a["content_type"] == "text/html":
            c.eq(ctype, "application/octet-stream", "HTML never served as text/html")
        else:
            c.eq(ctype, a["content_type"], "served with the stored type")
    st, _ = srv.call("GET", "/api/v1/attachments/999999", token=tok)
    c.eq(st, 404, "unknown attachment")
    st, _ = srv.call("GET", att[0]["url"]) if att else (401, None)
    c.eq(st, 401, "attachments need authentication")


def tls_sink(binary, db, tmp, c, tok_mail):
    certs = harness.make_certs(os.path.join(tmp, "smtp-certs-%d" % harness.free_port()))
    plain, secure = Sink().start(), Sink(tls=certs).start()
    srv = None
    try:
        def start(sink, extra=()):
            s = harness.Server(binary, db, tmp, ["--smtp", "smtp://127.0.0.1:%d" % sink.port,
                                                 "--mail-from", FROM, "--smtp-tls"] +
                               list(extra)).start()
            return s, s.call("POST", "/api/v1/auth/login", {"email": harness.ADMIN[0],
                             "password": harness.ADMIN[1]})[1]["token"]

        def retrying(s, tok, tid, mid):
            return wait_for(lambda: (lambda x: x if x and x["status"] == "retrying" else None)(
                delivery(s, tok, tid, mid)), "status retrying", c)

        srv, tok = start(plain)
        st, m = srv.call("POST", "/api/v1/channels/email", token=tok, headers=tok_mail,
                         raw=customer_mail("cust-tls@example.org", "Is my order insured?",
                                           subject="Insurance", sender="lev@example.org"))
        tid = m["ticket_id"]
        st, r = srv.call("POST", "/api/v1/tickets/%d/replies" % tid, token=tok,
                         body={"body": "Yes, up to its full value."})
        d = retrying(srv, tok, tid, r["message_id"])
        c.ok(d and d["last_error"], "no STARTTLS on offer: not sent, retried (%s)" %
             (d or {}).get("last_error"))
        c.eq(plain.messages, [], "...and nothing went out in clear")
        srv.stop()

        srv, tok = start(secure)
        srv.call("POST", "/api/v1/messages/%d/retry" % r["message_id"], token=tok)
        d = retrying(srv, tok, tid, r["message_id"])
        c.ok(d and "certificate" in (d["last_error"] or ""),
             "a certificate no CA vouches for is refused (%s)" % (d or {}).get("last_error"))
        c.eq(secure.messages, [], "...and nothing was sent")
        srv.stop()

        srv, tok = start(secure, ["--mail-ca", certs[0]])
        srv.call("POST", "/api/v1/messages/%d/retry" % r["message_id"], token=tok)
        wait_for(lambda: (delivery(srv, tok, tid, r["message_id"]) or {}).get("status") == "sent",
                 "the reply to be sent over TLS", c)
        c.eq([(x["to"], x["tls"]) for x in secure.messages], [(["lev@example.org"], True)],
             "with --mail-ca: sent once, over STARTTLS")
    finally:
        if srv:
            srv.stop()
        plain.stop()
        secure.stop()


def main(binary, db, tmp, c):
    harness.add_user(binary, db, harness.ADMIN[0], "admin", harness.ADMIN[1], tmp)
    mail_hdr = {"Content-Type": "message/rfc822"}

    # 1. Without --smtp, a reply waits in the outbox with a clear status.
    srv = harness.Server(binary, db, tmp).start()
    try:
        tok = srv.call("POST", "/api/v1/auth/login", {"email": harness.ADMIN[0],
                       "password": harness.ADMIN[1]})[1]["token"]
        st, first = srv.call("POST", "/api/v1/channels/email", token=tok, headers=mail_hdr,
                             raw=customer_mail("cust-1@example.org", "Hello, the invoice for "
                                               "order 1042 is wrong, see the attachment.",
                                               attach=True))
        c.eq(st, 201, "mail with attachments accepted")
        tid = first["ticket_id"]
        check_attachments(srv, tok, c, tid)
        st, r0 = srv.call("POST", "/api/v1/tickets/%d/replies" % tid, token=tok,
                          body={"body": "Мы проверим счёт сегодня."})
        c.eq(st, 201, "reply without SMTP accepted")
        d0 = delivery(srv, tok, tid, r0["message_id"])
        c.eq((d0 or {}).get("status"), "queued", "queued without SMTP")
        c.ok("SMTP" in ((d0 or {}).get("last_error") or ""), "the status says why (%s)" % d0)
        st, n0 = srv.call("POST", "/api/v1/tickets/%d/notes" % tid, token=tok,
                          body={"body": "internal: check the invoice"})
        c.eq(delivery(srv, tok, tid, n0["message_id"]), None, "a note is never mailed")
    finally:
        srv.stop()

    # 2. With --smtp, the waiting reply goes out, threaded, as proper MIME.
    sink = Sink().start()
    smtp = ["--smtp", "smtp://127.0.0.1:%d" % sink.port, "--mail-from", FROM]
    srv = harness.Server(binary, db, tmp, smtp).start()
    try:
        tok = srv.call("POST", "/api/v1/auth/login", {"email": harness.ADMIN[0],
                       "password": harness.ADMIN[1]})[1]["token"]
        d = wait_for(lambda: (delivery(srv, tok, tid, r0["message_id"]) or {}).get("status") == "sent",
                     "the waiting reply to be sent", c)
        msgs = sink.parsed()
        c.eq(len(msgs), 1, "one mail arrived")
        m = msgs[0] if msgs else {}
        if msgs:
            our_id = "parley.%d.%d@shop.example" % (r0["message_id"], tid)
            c.eq(m["Message-ID"], "<%s>" % our_id, "our Message-ID")
            c.eq(m["In-Reply-To"], "<cust-1@example.org>", "In-Reply-To the customer's mail")
            c.ok("<cust-1@example.org>" in (m["References"] or ""), "References the thread")
            c.eq(m["Subject"], "Re: Order 1042: invoice attached", "Re: subject")
            c.ok("help@shop.example" in m["From"] and "Support" in m["From"], "From the team")
            c.ok("maria@example.org" in m["To"], "To the customer")
            c.eq(m.get_content_type(), "text/plain", "text/plain")
            c.eq(m.get_content_charset(), "utf-8", "UTF-8")
            c.eq(m.get_content().strip(), "Мы проверим счёт сегодня.", "the body")
            c.eq(sink.messages[0]["to"], ["maria@example.org"], "envelope recipient")
            c.eq(sink.messages[0]["from"], "help@shop.example", "envelope sender")
        st, t = srv.call("GET", "/api/v1/tickets/%d" % tid, token=tok)
        c.ok(any(e["type"] == "delivery.sent" and e["message_id"] == r0["message_id"]
                 for e in t["events"]), "the sending is in the ticket's history")

        # 3. The mail server goes down: retried with the error visible, then
        # delivered exactly once when it is back.
        sink.stop()
        st, r1 = srv.call("POST", "/api/v1/tickets/%d/replies" % tid, token=tok,
                          body={"body": "The corrected invoice is on its way."})
        d = wait_for(lambda: (lambda x: x if x and x["status"] == "retrying" else None)(
            delivery(srv, tok, tid, r1["message_id"])), "status retrying", c)
        if d:
            c.ok(d["attempts"] >= 1 and d["last_error"], "attempts and the error shown (%s)" % d)
            c.ok(d["next_attempt_at"] is not None, "next attempt announced")
        sink.start()
        wait_for(lambda: (delivery(srv, tok, tid, r1["message_id"]) or {}).get("status") == "sent",
                 "the retried reply to be sent", c)
        time.sleep(1.5)     # a second copy would have been sent by now
        ids = [x["Message-ID"] for x in sink.parsed()]
        c.eq(ids.count("<parley.%d.%d@shop.example>" % (r1["message_id"], tid)), 1,
             "delivered exactly once")

        # 4. The customer answers our mail (only our id in the headers): it
        # threads back onto the ticket.
        ours = "parley.%d.%d@shop.example" % (r1["message_id"], tid)
        st, back = srv.call("POST", "/api/v1/channels/email", token=tok, headers=mail_hdr,
                            raw=customer_mail("cust-2@example.org", "Thank you, received.",
                                              subject="Re: Order 1042", irt=ours, refs=[ours]))
        c.eq(st, 201, "the customer's answer accepted")
        c.eq(back.get("ticket_id"), tid, "the answer threads onto the ticket")

        # 5. A refused recipient fails for good; a forced retry sends it.
        sink.refuse.append("@blocked.example")
        st, other = srv.call("POST", "/api/v1/channels/email", token=tok, headers=mail_hdr,
                             raw=customer_mail("cust-3@blocked.example", "Where is my parcel?",
                                               subject="Parcel", sender="ivan@blocked.example"))
        t2 = other["ticket_id"]
        st, r2 = srv.call("POST", "/api/v1/tickets/%d/replies" % t2, token=tok,
                          body={"body": "It left the warehouse today."})
        d = wait_for(lambda: (lambda x: x if x and x["status"] == "failed" else None)(
            delivery(srv, tok, t2, r2["message_id"])), "status failed", c)
        if d:
            c.ok("550" in (d["last_error"] or ""), "the server's refusal shown (%s)" % d)
        sink.refuse.clear()
        st, rr = srv.call("POST", "/api/v1/messages/%d/retry" % r2["message_id"], token=tok)
        c.eq(st, 202, "forced retry accepted")
        wait_for(lambda: (delivery(srv, tok, t2, r2["message_id"]) or {}).get("status") == "sent",
                 "the forced retry to be sent", c)
        st, _ = srv.call("POST", "/api/v1/messages/%d/retry" % r2["message_id"], token=tok)
        c.eq(st, 409, "a sent message is not retried")
        st, _ = srv.call("POST", "/api/v1/messages/%d/retry" % first["message_id"], token=tok)
        c.eq(st, 404, "an inbound message has no e-mail to retry")
        st, _ = srv.call("POST", "/api/v1/messages/%d/retry" % r2["message_id"])
        c.eq(st, 401, "retry needs authentication")

        # 6. Any outbound message on an e-mail ticket is mailed, not only an
        # agent's reply: resolving the ticket sends the CSAT survey link.
        st, _ = srv.call("PATCH", "/api/v1/tickets/%d" % t2, token=tok, body={"status": "resolved"})
        c.eq(st, 200, "ticket resolved")
        survey = wait_for(lambda: [m for m in sink.parsed()
                                   if "survey.html?t=" in (m.get_content() or "")
                                   and "ivan@blocked.example" in m["To"]], "the survey mail", c)
        if survey:
            c.eq(len(survey), 1, "the survey link mailed once")
            c.eq(survey[0]["In-Reply-To"], "<cust-3@blocked.example>", "threaded like a reply")

        # 7. Erasing the customer deletes her attachments.
        st, t = srv.call("GET", "/api/v1/tickets/%d" % tid, token=tok)
        urls = [a["url"] for a in t["messages"][0].get("attachments", [])]
        st, _ = srv.call("POST", "/api/v1/customers/%d/erase" % first["customer_id"], token=tok,
                         body={"confirm": first["customer_id"]})
        c.eq(st, 200, "customer erased")
        c.ok(urls and all(srv.call("GET", u, token=tok)[0] == 404 for u in urls),
             "her attachments are gone")
    finally:
        srv.stop()
        sink.stop()

    # 8. STARTTLS required: never in clear, never to an unknown certificate.
    tls_sink(binary, db, tmp, c, tok_mail=mail_hdr)

    # 9. Bad configuration is refused at start.
    import subprocess
    p = subprocess.run([binary, "serve", "--db", db, "--port", "1", "--smtp",
                        "smtp://127.0.0.1:1"], cwd=tmp, capture_output=True, text=True)
    c.ok(p.returncode != 0 and "--mail-from" in p.stderr, "--smtp without --mail-from refused")


if __name__ == "__main__":
    harness.run(main)
