"""smtp_sink.py — a small real SMTP server on 127.0.0.1 for the tests: it
speaks enough RFC 5321 (EHLO/HELO, MAIL, RCPT, DATA with dot-unstuffing,
RSET, NOOP, QUIT, and STARTTLS when given a certificate) for libcurl,
stores every message it accepts, and can refuse recipients with a 550.
Standard library only."""
import email
import email.policy
import socket
import socketserver
import ssl
import threading


class _Handler(socketserver.StreamRequestHandler):
    def say(self, line):
        self.wfile.write((line + "\r\n").encode())
        self.wfile.flush()

    def handle(self):
        sink = self.server.sink
        self.say("220 sink.test ESMTP")
        mail_from, rcpts, tls = None, [], False
        while True:
            line = self.rfile.readline()
            if not line:
                return
            cmd = line.decode("utf-8", "replace").rstrip("\r\n")
            verb = cmd[:4].upper()
            if verb == "EHLO":
                starttls = b"250-STARTTLS\r\n" if sink.tls and not tls else b""
                self.wfile.write(b"250-sink.test\r\n" + starttls +
                                 b"250-8BITMIME\r\n250 SIZE 10000000\r\n")
                self.wfile.flush()
            elif cmd.upper() == "STARTTLS" and sink.tls and not tls:
                self.say("220 go ahead")
                ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
                ctx.load_cert_chain(sink.tls[1], sink.tls[2])
                try:
                    self.connection = ctx.wrap_socket(self.connection, server_side=True)
                except (ssl.SSLError, OSError):
                    return              # the client refused our certificate
                self.rfile = self.connection.makefile("rb")
                self.wfile = self.connection.makefile("wb")
                mail_from, rcpts, tls = None, [], True
            elif verb == "HELO":
                self.say("250 sink.test")
            elif verb == "MAIL":
                mail_from, rcpts = cmd.split(":", 1)[1].strip().split()[0].strip("<>"), []
                self.say("250 OK")
            elif verb == "RCPT":
                to = cmd.split(":", 1)[1].strip().strip("<>")
                if any(to.endswith(b) for b in sink.refuse):
                    self.say("550 5.1.1 mailbox unavailable")
                else:
                    rcpts.append(to)
                    self.say("250 OK")
            elif verb == "DATA":
                if not rcpts:
                    self.say("554 no valid recipients")
                    continue
                self.say("354 go ahead")
                data = []
                while True:
                    l = self.rfile.readline()
                    if not l or l in (b".\r\n", b".\n"):
                        break
                    data.append(l[1:] if l.startswith(b"..") else l)
                raw = b"".join(data)
                with sink.lock:
                    sink.messages.append({"from": mail_from, "to": list(rcpts), "raw": raw,
                                          "tls": tls})
                self.say("250 OK queued")
            elif verb == "RSET":
                mail_from, rcpts = None, []
                self.say("250 OK")
            elif verb == "NOOP":
                self.say("250 OK")
            elif verb == "QUIT":
                self.say("221 bye")
                return
            else:
                self.say("502 not implemented")


class _Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


class Sink:
    """start()/stop() may alternate on the same port (a mail server that
    goes down and comes back). tls: (ca, cert, key) of harness.make_certs
    to offer STARTTLS."""

    def __init__(self, port=None, tls=None):
        if port is None:
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
            s.close()
        self.port = port
        self.tls = tls
        self.messages = []
        self.refuse = []
        self.lock = threading.Lock()
        self.srv = None

    def start(self):
        self.srv = _Server(("127.0.0.1", self.port), _Handler)
        self.srv.sink = self
        threading.Thread(target=self.srv.serve_forever, daemon=True).start()
        return self

    def stop(self):
        if self.srv:
            self.srv.shutdown()
            self.srv.server_close()
            self.srv = None

    def parsed(self):
        with self.lock:
            return [email.message_from_bytes(m["raw"], policy=email.policy.default)
                    for m in self.messages]
