#!/usr/bin/env python3
"""test_imap.py — inbound mail polled from a real IMAP server: Debian's
Dovecot, started by the test as an unprivileged user on a free port of
127.0.0.1 with a temporary configuration. `parley serve --imap` files each
unseen message like POST /channels/email and marks it \\Seen; a reply
threads onto its ticket; a message that is not mail is flagged
$ParleyRejected and not retried; a mail the database cannot take stays
unseen until it can; a restart after a crash between the commit and the
flag files nothing twice; a wrong password is logged and
the server stays healthy. Over TLS (a CA and a certificate for 127.0.0.1
made with openssl): imaps:// and STARTTLS file the mail when --mail-ca names
the CA, a certificate nobody vouches for is refused, and --imap-tls does not
log in to a server that offers no STARTTLS. Skipped when dovecot is not
installed (scripts/deps.sh test installs dovecot-imapd). Usage:
test_imap.py PARLEY"""
import email.message
import grp
import hashlib
import os
import pwd
import shutil
import sqlite3
import subprocess
import sys
import time

import harness

DOVECOT = "/usr/sbin/dovecot"
PASSWORD = "mailbox-pw"
PHOTO = bytes(range(256)) * 6000


def parcel_mail():
    """A 2 MB mail (over POST's 1 MiB limit) with an attachment, and lines
    that look like IMAP responses inside the message."""
    m = email.message.EmailMessage()
    m["From"], m["To"], m["Subject"] = "Ken Ito <ken@example.org>", "help@shop.example", \
        "Where is my parcel?"
    m["Message-ID"] = "<tracking-12@example.org>"
    m.set_content("The tracking number shows nothing since Monday.\n"
                  "* 9 FETCH (UID 9 BODY[] {3}\np9 OK the photo is attached\n")
    m.add_attachment(PHOTO, maintype="image", subtype="jpeg", filename="label.jpg")
    return m.as_bytes()


def mail(msgid, sender, subject, body, irt=None):
    h = ("From: %s\r\nTo: help@shop.example\r\nSubject: %s\r\nMessage-ID: <%s>\r\n"
         % (sender, subject, msgid))
    if irt:
        h += "In-Reply-To: <%s>\r\nReferences: <%s>\r\n" % (irt, irt)
    return (h + "Content-Type: text/plain; charset=utf-8\r\n\r\n" + body + "\r\n").encode()


class Dovecot:
    """A Dovecot serving one Maildir user, u1, over plain IMAP, or with tls
    (ca, cert, key) over imaps:// and STARTTLS only. It runs as the test's
    user, or as nobody when the test runs as root."""

    def __init__(self, root, tls=None):
        self.root, self.port, self.n = root, harness.free_port(), 0
        self.tls, self.tls_port = tls, harness.free_port() if tls else 0
        if os.getuid() == 0:
            self.user, self.group = "nobody", grp.getgrgid(pwd.getpwnam("nobody").pw_gid).gr_name
        else:
            self.user = pwd.getpwuid(os.getuid()).pw_name
            self.group = grp.getgrgid(os.getgid()).gr_name
        self.maildir = os.path.join(root, "home", "u1", "Maildir")
        for d in ("new", "cur", "tmp"):
            os.makedirs(os.path.join(self.maildir, d))
        for d in ("run", "state"):
            os.makedirs(os.path.join(root, d))
        with open(os.path.join(root, "passwd"), "w") as f:
            f.write("u1:{PLAIN}%s\n" % PASSWORD)
        self.conf = os.path.join(root, "dovecot.conf")
        with open(self.conf, "w") as f:
            f.write("""protocols = imap
listen = 127.0.0.1
base_dir = {r}/run
state_dir = {r}/state
log_path = {r}/dovecot.log
{ssl}
auth_mechanisms = plain login
default_login_user = {u}
default_internal_user = {u}
default_internal_group = {g}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {r}/passwd
}}
userdb {{
  driver = static
  args = uid={u} gid={g} home={r}/home/%u
}}
mail_location = maildir:~/Maildir
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {tls_port}
  }}
}}
service anvil {{
  chroot =
}}
""".format(r=root, u=self.user, g=self.group, port=self.port, tls_port=self.tls_port,
           ssl="ssl = no\ndisable_plaintext_auth = no" if not tls else
               "ssl = required\nssl_cert = <%s\nssl_key = <%s\ndisable_plaintext_auth = yes"
               % tls[1:]))
        self.own(root)

    def own(self, path):
        """Hands what the test wrote to the user Dovecot runs as."""
        if os.getuid() != 0:
            return
        d = path
        while d != "/":                 # the temporary directories above
            os.chmod(d, os.stat(d).st_mode | 0o111)
            d = os.path.dirname(d)
        for dirpath, dirs, files in os.walk(path):
            for p in [dirpath] + [os.path.join(dirpath, f) for f in files]:
                shutil.chown(p, self.user, self.group)

    def dovecot(self, *args):
        kw = {"user": self.user, "group": self.group} if os.getuid() == 0 else {}
        return subprocess.run([DOVECOT, "-c", self.conf] + list(args), **kw)

    def start(self):
        self.dovecot().check_returncode()
        for _ in range(100):            # until it answers
            if self.imap("NOOP").returncode == 0:
                return self
            time.sleep(0.1)
        raise RuntimeError("dovecot did not start")

    def stop(self):
        self.dovecot("stop")

    def deliver(self, raw):
        self.n += 1
        tmp = os.path.join(self.maildir, "tmp", "m%d" % self.n)
        with open(tmp, "wb") as f:
            f.write(raw)
        self.own(tmp)
        os.rename(tmp, os.path.join(self.maildir, "new", "m%d" % self.n))

    def url(self, password=None, imaps=False):
        auth = "u1:%s" % password if password else "u1"
        if imaps:
            return "imaps://%s@127.0.0.1:%d/INBOX" % (auth, self.tls_port)
        return "imap://%s@127.0.0.1:%d/INBOX" % (auth, self.port)

    def imap(self, command):
        """One command through the curl tool (not Parley's client)."""
        tls = ["--ssl-reqd", "--cacert", self.tls[0]] if self.tls else []
        return subprocess.run(["curl", "-s", "--max-time", "10"] + tls +
                              [self.url(PASSWORD), "-X", command],
                              capture_output=True, text=True)

    def search(self, what):
        for line in self.imap("UID SEARCH " + what).stdout.splitlines():
            if line.startswith("* SEARCH"):
                return [int(x) for x in line.split()[2:]]
        return None


def wait(cond, seconds=60):
    end = time.time() + seconds
    while time.time() < end:
        v = cond()
        if v:
            return v
        time.sleep(0.2)
    return cond()


def counts(srv, tok):
    """(tickets, messages) the desk holds."""
    st, b = srv.call("GET", "/api/v1/tickets?limit=50", token=tok)
    ts = b.get("tickets", []) if st == 200 else []
    n = 0
    for t in ts:
        st, full = srv.call("GET", "/api/v1/tickets/%d" % t["id"], token=tok)
        n += len(full.get("messages", []))
    return len(ts), n


def serve(binary, db, tmp, dv, password, url=None, extra=()):
    os.environ["PARLEY_IMAP_PASSWORD"] = password
    try:
        return harness.Server(binary, db, tmp, ["--imap", url or dv.url(), "--imap-interval", "1"] +
                              list(extra)).start()
    finally:
        del os.environ["PARLEY_IMAP_PASSWORD"]


def log_of(srv):
    with open(os.path.join(srv.workdir, "server-%d.log" % srv.port), errors="replace") as f:
        return f.read()


def database_busy(srv, tok, dv, path, c):
    """While another process holds the database's write lock the desk
    cannot commit: the mail must stay unseen, and be filed once after."""
    lock = sqlite3.connect(path, isolation_level=None)
    lock.execute("BEGIN IMMEDIATE")
    try:
        dv.deliver(mail("order-77-third@example.net", "Olga Smirnova <olga@example.net>",
                        "Re: Refund for order 77", "Hello?", irt="order-77@example.net"))
        c.ok(wait(lambda: "message 5 not filed, left unseen" in log_of(srv)),
             "a database failure is logged")
        c.eq(dv.search("UNSEEN"), [5], "...and the mail stays unseen")
    finally:
        lock.execute("ROLLBACK")
        lock.close()
    c.ok(wait(lambda: dv.search("UNSEEN") == []), "filed once the database is back")
    c.eq(counts(srv, tok), (2, 4), "...onto its ticket")


def subjects_of(srv, tok):
    st, b = srv.call("GET", "/api/v1/tickets?limit=50", token=tok)
    return sorted(t.get("subject") for t in b.get("tickets", []))


def over_tls(binary, db, tmp, c, login):
    """The mailbox over TLS: verified against --mail-ca, never in clear
    with --imap-tls."""
    root = os.path.join(tmp, "imaps-%d" % harness.free_port())
    certs = harness.make_certs(os.path.join(root, "tls", "certs"))   # Dovecot's own, to read them
    plain = Dovecot(os.path.join(root, "plain"))
    dv = Dovecot(os.path.join(root, "tls"), tls=certs)
    srv = None
    try:
        plain.start()
        dv.start()
        dv.deliver(mail("tls-1@example.net", "Anna <anna@example.net>", "Sent over imaps",
                        "My card was charged twice."))
        plain.deliver(mail("clear-1@example.net", "Ivan <ivan@example.net>", "Sent in clear",
                           "Where is my parcel?"))
        # no STARTTLS on offer: --imap-tls does not log in
        srv = serve(binary, db, tmp, plain, PASSWORD, extra=["--imap-tls"])
        tok = srv.call("POST", "/api/v1/auth/login", login)[1]["token"]
        c.ok(wait(lambda: "next attempt in" in log_of(srv), 30),
             "--imap-tls without STARTTLS on offer: refused and retried later")
        c.eq(plain.search("UNSEEN"), [1], "...the mail stays unseen")
        c.ok("Sent in clear" not in subjects_of(srv, tok), "...and nothing is filed")
        srv.stop()

        # imaps:// with a certificate the system does not trust
        srv = serve(binary, db, tmp, dv, PASSWORD, url=dv.url(imaps=True))
        tok = srv.call("POST", "/api/v1/auth/login", login)[1]["token"]
        c.ok(wait(lambda: "certificate" in log_of(srv), 30),
             "an unknown CA is refused (%s)" % [l for l in log_of(srv).splitlines()
                                                 if "certificate" in l][:1])
        c.eq(dv.search("UNSEEN"), [1], "...the mail stays unseen")
        srv.stop()

        # imaps:// trusting the CA
        srv = serve(binary, db, tmp, dv, PASSWORD, url=dv.url(imaps=True),
                    extra=["--mail-ca", certs[0]])
        tok = srv.call("POST", "/api/v1/auth/login", login)[1]["token"]
        c.ok(wait(lambda: dv.search("UNSEEN") == []), "imaps:// with --mail-ca: mail handled")
        c.ok("Sent over imaps" in subjects_of(srv, tok), "...and filed")
        srv.stop()

        # imap:// upgraded with STARTTLS, required
        dv.deliver(mail("tls-2@example.net", "Anna <anna@example.net>", "Sent after STARTTLS",
                        "Still waiting for the refund."))
        srv = serve(binary, db, tmp, dv, PASSWORD, extra=["--imap-tls", "--mail-ca", certs[0]])
        tok = srv.call("POST", "/api/v1/auth/login", login)[1]["token"]
        c.ok(wait(lambda: dv.search("UNSEEN") == []), "imap:// with STARTTLS: mail handled")
        c.ok("Sent after STARTTLS" in subjects_of(srv, tok), "...and filed")
    finally:
        if srv:
            srv.stop()
        plain.stop()
        dv.stop()
    p = subprocess.run([binary, "serve", "--db", db, "--port", "1", "--imap", dv.url(),
                        "--mail-ca", os.path.join(root, "missing.pem")],
                       cwd=tmp, capture_output=True, text=True, timeout=30)
    c.ok(p.returncode != 0 and "--mail-ca" in p.stderr,
         "an unreadable --mail-ca is refused (%s)" % p.stderr.strip())


def main(binary, db, tmp, c):
    dv = Dovecot(os.path.join(tmp, "imap-%d" % harness.free_port())).start()
    harness.add_user(binary, db, harness.ADMIN[0], "admin", harness.ADMIN[1], tmp)
    login = {"email": harness.ADMIN[0], "password": harness.ADMIN[1]}
    dv.deliver(mail("order-77@example.net", "Olga Smirnova <olga@example.net>",
                    "Refund for order 77", "Please refund order 77, it arrived broken."))
    dv.deliver(b"this is not an e-mail at all")
    dv.deliver(parcel_mail())
    srv = None
    try:
        # a wrong password: logged, retried later, the server stays healthy
        srv = serve(binary, db, tmp, dv, "wrong-password")
        c.ok(wait(lambda: "log-in was refused" in log_of(srv), 30),
             "a refused log-in is logged")
        c.ok("next attempt in" in log_of(srv), "...with the time of the next attempt")
        c.eq(srv.call("GET", "/api/v1/health")[0], 200, "the server stays healthy")
        tok = srv.call("POST", "/api/v1/auth/login", login)[1]["token"]
        c.eq(counts(srv, tok), (0, 0), "nothing filed without the mailbox")
        c.eq(dv.search("UNSEEN"), [1, 2, 3], "the messages stay unseen")
        srv.stop()

        srv = serve(binary, db, tmp, dv, PASSWORD)
        tok = srv.call("POST", "/api/v1/auth/login", login)[1]["token"]
        c.ok(wait(lambda: dv.search("UNSEEN") == []), "every message handled and left \\Seen")
        c.eq(counts(srv, tok), (2, 2), "two mails became two tickets")
        st, b = srv.call("GET", "/api/v1/tickets?limit=50", token=tok)
        subjects = sorted(t.get("subject") for t in b.get("tickets", []))
        c.eq(subjects, ["Refund for order 77", "Where is my parcel?"], "their subjects")
        c.ok(all(t.get("channel") == "email" for t in b.get("tickets", [])), "channel e-mail")
        c.eq(dv.search("KEYWORD $ParleyRejected"), [2], "the non-mail is flagged, not filed")
        c.ok("message 2 refused" in log_of(srv), "...and logged")
        refund = [t["id"] for t in b.get("tickets", []) if t.get("subject") == "Refund for order 77"]
        parcel = [t["id"] for t in b.get("tickets", []) if t.get("subject") == "Where is my parcel?"]
        st, t = srv.call("GET", "/api/v1/tickets/%d" % (parcel[0] if parcel else 0), token=tok)
        m = (t.get("messages") or [{}])[0]
        c.ok("p9 OK the photo is attached" in m.get("body", ""), "the whole text kept")
        c.eq((m.get("analysis") or {}).get("language"), "en", "the text analysed")
        c.eq([(a.get("filename"), a.get("sha256")) for a in m.get("attachments", [])],
             [("label.jpg", hashlib.sha256(PHOTO).hexdigest())], "the attachment stored")

        dv.deliver(mail("order-77-again@example.net", "Olga Smirnova <olga@example.net>",
                        "Re: Refund for order 77", "Any news?", irt="order-77@example.net"))
        c.ok(wait(lambda: dv.search("UNSEEN") == []), "the reply handled")
        st, t = srv.call("GET", "/api/v1/tickets/%d" % (refund[0] if refund else 0), token=tok)
        c.eq([m.get("body", "").strip() for m in t.get("messages", [])][-1:], ["Any news?"],
             "the reply threads onto its ticket")
        c.eq(counts(srv, tok), (2, 3), "no new ticket for the reply")
        if db.startswith("sqlite:"):
            database_busy(srv, tok, dv, db[len("sqlite:"):], c)
        srv.stop()

        # a crash after the commits, before the flags: the mails are unseen again
        c.eq(dv.imap("UID STORE 1:* -FLAGS (\\Seen)").returncode, 0, "mails marked unseen")
        srv = serve(binary, db, tmp, dv, PASSWORD)
        tok = srv.call("POST", "/api/v1/auth/login", login)[1]["token"]
        c.ok(wait(lambda: dv.search("UNSEEN") == []), "after the restart they are seen again")
        c.eq(counts(srv, tok), (2, 4 if db.startswith("sqlite:") else 3),
             "...and nothing was filed twice")
        c.ok("message 4 was filed before" in log_of(srv), "the re-delivery is logged")
    finally:
        if srv:
            srv.stop()
        dv.stop()
    for url, want in (("pop3://x", "--imap"), ("imap://u1@127.0.0.1:1/Bo%C3%AEte", "ASCII")):
        p = subprocess.run([binary, "serve", "--db", db, "--port", "1", "--imap", url],
                           cwd=tmp, capture_output=True, text=True, timeout=30)
        c.ok(p.returncode != 0 and want in p.stderr, "%s refused (%s)" % (url, p.stderr.strip()))
    over_tls(binary, db, tmp, c, login)


if __name__ == "__main__":
    if not os.path.exists(DOVECOT) or not shutil.which("curl") or not shutil.which("openssl"):
        print("test_imap: SKIPPED (no %s, curl or openssl; scripts/deps.sh test installs them)" % DOVECOT)
        sys.exit(0)
    harness.run(main)
