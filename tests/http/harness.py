"""harness.py — start a real Parley server for the HTTP tests.

Each test script runs the same checks against SQLite (a fresh temporary
file) and, when PARLEY_TEST_PG is set, against PostgreSQL (a fresh schema
in that database). Standard library only."""
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse

ADMIN = ("root@example.com", "root-password-1")
MODELS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "data", "models")


def make_certs(d):
    """A CA, and a certificate for 127.0.0.1 that it signed: (ca, cert, key)."""
    os.makedirs(d)
    ca_key, ca, key, csr, crt, ext = (os.path.join(d, n) for n in (
        "ca.key", "ca.pem", "server.key", "server.csr", "server.pem", "san.ext"))
    with open(ext, "w") as f:
        f.write("subjectAltName = IP:127.0.0.1\n")
    for args in (["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                  "-nodes", "-keyout", ca_key, "-out", ca, "-days", "2", "-subj",
                  "/CN=Parley test CA"],
                 ["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                  "-keyout", key, "-out", csr, "-subj", "/CN=127.0.0.1"],
                 ["x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key, "-CAcreateserial",
                  "-out", crt, "-days", "2", "-extfile", ext]):
        subprocess.run(["openssl"] + args, check=True, capture_output=True)
    return ca, crt, key


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def databases():
    """Yields (name, url, cleanup) for every backend under test."""
    tmp = tempfile.mkdtemp(prefix="parley-http-")
    yield "sqlite", "sqlite:" + os.path.join(tmp, "t.db"), tmp
    pg = os.environ.get("PARLEY_TEST_PG")
    if pg:
        schema = "http_%d_%d" % (os.getpid(), int(time.time() * 1000) % 100000)
        subprocess.run(["psql", "-q", pg, "-c", "CREATE SCHEMA " + schema], check=True,
                       stdout=subprocess.DEVNULL)
        sep = "&" if "?" in pg else "?"
        yield "postgresql", pg + sep + "options=" + urllib.parse.quote("-csearch_path=" + schema), tmp


def sql(db, text):
    """Runs one SQL statement on a test database; returns its rows."""
    if db.startswith("sqlite:"):
        import sqlite3
        con = sqlite3.connect(db[len("sqlite:"):])
        rows = con.execute(text).fetchall()
        con.commit()
        con.close()
        return rows
    out = subprocess.run(["psql", "-tA", db, "-c", text], capture_output=True, text=True).stdout
    return [tuple(line.split("|")) for line in out.splitlines() if line]


class Server:
    def __init__(self, binary, db, workdir, extra=(), cwd=None):
        """cwd: run there with the default key paths (else in workdir,
        with the log's key in workdir/ledger.key)."""
        self.binary, self.db, self.workdir, self.cwd = binary, db, workdir, cwd
        self.port = free_port()
        self.extra = list(extra)
        self.proc = None

    def start(self):
        log = open(os.path.join(self.workdir, "server-%d.log" % self.port), "ab")
        key = [] if self.cwd else ["--ledger-key", os.path.join(self.workdir, "ledger.key")]
        self.proc = subprocess.Popen(
            [self.binary, "serve", "--db", self.db, "--port", str(self.port),
             "--models", MODELS] + key + self.extra,
            stdout=log, stderr=log, cwd=self.cwd or self.workdir)
        for _ in range(300):
            try:
                st, _ = self.call("GET", "/api/v1/health")
                if st == 200:
                    return self
            except OSError:
                pass
            if self.proc.poll() is not None:
                raise RuntimeError("server exited with %d" % self.proc.returncode)
            time.sleep(0.05)
        raise RuntimeError("server did not start")

    def stop(self, sig=signal.SIGTERM):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            rc = self.proc.wait(timeout=60)
            if sig == signal.SIGTERM and rc != 0:
                raise RuntimeError("server exited with %d on SIGTERM (sanitizer report?)" % rc)

    def call(self, method, path, body=None, token=None, raw=None, headers=None, timeout=30):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        h = dict(headers or {})
        if token:
            h["Authorization"] = "Bearer " + token
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        if data is not None:
            h.setdefault("Content-Type", "application/json")
        c.request(method, path, body=data, headers=h)
        resp = c.getresponse()
        text = resp.read()
        c.close()
        ctype = resp.getheader("Content-Type", "")
        if "json" in ctype and text:
            return resp.status, json.loads(text)
        return resp.status, text.decode("utf-8", "replace")


def add_user(binary, db, email, role, password, workdir, extra=()):
    subprocess.run([binary, "user", "add", "--db", db, "--email", email, "--role", role] +
                   list(extra), input=(password + "\n").encode(), check=True,
                   stdout=subprocess.DEVNULL, cwd=workdir)


class Checks:
    def __init__(self, name):
        self.name, self.passed, self.failed = name, 0, 0

    def ok(self, cond, what):
        if cond:
            self.passed += 1
        else:
            self.failed += 1
            print("FAIL [%s] %s" % (self.name, what), flush=True)

    def eq(self, got, want, what):
        self.ok(got == want, "%s: got %r, want %r" % (what, got, want))


def run(main):
    """Runs main(binary, db_url, workdir, checks) for every backend."""
    binary = os.path.abspath(sys.argv[1])
    total_p = total_f = 0
    tmp = None
    for name, url, tmp in databases():
        chk = Checks(name)
        try:
            main(binary, url, tmp, chk)
        except Exception as e:  # a crash of the test itself is a failure
            import traceback
            traceback.print_exc()
            chk.failed += 1
        print("%s: %d passed, %d failed" % (name, chk.passed, chk.failed), flush=True)
        if chk.failed:
            for f in sorted(os.listdir(tmp)):
                if f.startswith("server-"):
                    with open(os.path.join(tmp, f), errors="replace") as fh:
                        lines = fh.readlines()
                    print("--- %s (last 80 lines)\n%s" % (f, "".join(lines[-80:])))
        total_p += chk.passed
        total_f += chk.failed
    if tmp:
        shutil.rmtree(tmp, ignore_errors=True)
    print("%d passed, %d failed" % (total_p, total_f))
    sys.exit(1 if total_f else 0)
