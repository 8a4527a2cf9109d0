#!/usr/bin/env python3
"""test_witness.py — witnesses of the tamper-evident log over the real
server and the real `parley witness`, on SQLite and PostgreSQL: a
registered witness co-signs across growth and its cosignature is served
with the checkpoint; an unregistered key gets 403, a malformed or forged
cosignature 400; after the database is rewritten behind the log's back
(the last events and their leaves replaced by others) the witness refuses
to co-sign, says the log forked, keeps the evidence and its state.
Usage: test_witness.py PARLEY"""
import json
import base64
import hashlib
import os
import random
import sqlite3
import subprocess

import harness

try:  # an independent Ed25519, to check the cosignature/v1 format from its spec
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
except ImportError:
    Ed25519PublicKey = None


def cosig_v1_ok(note, vkey):
    """Checks a witness's line in note as c2sp.org/tlog-cosignature says,
    without Parley's code: key id = SHA-256(name, 0x0A, 0x04, key)[:4], the
    line carries key id, 8-byte big-endian time and the Ed25519 signature of
    "cosignature/v1\ntime T\n" followed by the checkpoint text."""
    name, hexid, b64 = vkey.split("+", 2)
    raw = base64.b64decode(b64)
    pk = raw[1:]
    kid = hashlib.sha256(name.encode() + b"\n\x04" + pk).digest()[:4]
    if raw[0] != 4 or kid.hex() != hexid:
        return False
    text, sigs = note.split("\n\n", 1)
    for line in sigs.strip("\n").split("\n"):
        lname, lb64 = line[2:].split(" ")
        blob = base64.b64decode(lb64)
        if lname != name or blob[:4] != kid:
            continue
        msg = b"cosignature/v1\ntime %d\n" % int.from_bytes(blob[4:12], "big") + \
            (text + "\n").encode()
        Ed25519PublicKey.from_public_bytes(pk).verify(blob[12:], msg)  # raises if bad
        return True
    return False


def sql(db, stmt):
    """Runs SQL directly on the database, behind the server's back."""
    if db.startswith("sqlite:"):
        con = sqlite3.connect(db[len("sqlite:"):])
        con.executescript(stmt)
        con.commit()
        con.close()
    else:
        subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", db, "-c", stmt], check=True,
                       stdout=subprocess.DEVNULL)


def witness(binary, srv, key, tmp, extra=()):
    p = subprocess.run([binary, "witness", "--url", "http://127.0.0.1:%d" % srv.port,
                        "--key", key] + list(extra), capture_output=True, text=True, cwd=tmp)
    return p.returncode, p.stdout + p.stderr


def keygen(binary, tmp, name):
    path = os.path.join(tmp, name + ".key")
    for f in (path, path + ".pub", path + ".state"):
        if os.path.exists(f):
            os.unlink(f)
    subprocess.run([binary, "ledger", "keygen", "--name", name, "--out", path], check=True,
                   stdout=subprocess.DEVNULL)
    with open(path + ".pub") as fh:
        return path, fh.read().strip()


def post_messages(srv, tok, n, tag):
    for i in range(n):
        st, _ = srv.call("POST", "/api/v1/messages", {
            "channel": "api", "customer": {"email": "%s%d@example.com" % (tag, i)},
            "body": "message %s %d" % (tag, i)}, token=tok)
        assert st in (200, 201), st


def size_of(note):
    return int(note.split("\n")[1])


def main(binary, db, tmp, c):
    harness.add_user(binary, db, harness.ADMIN[0], "admin", harness.ADMIN[1], tmp)
    harness.add_user(binary, db, "ann@example.com", "agent", "ann-password", tmp)
    w1, w1pub = keygen(binary, tmp, "w1.example.org")
    w2, w2pub = keygen(binary, tmp, "w2.example.org")
    stranger, _ = keygen(binary, tmp, "stranger.example.org")

    # An admin registers w1 from the command line, w2 over the API.
    p = subprocess.run([binary, "ledger", "witness-add", "w1.example.org", w1 + ".pub",
                        "--db", db], capture_output=True, text=True, cwd=tmp)
    c.eq(p.returncode, 0, "witness-add: " + p.stderr)
    p = subprocess.run([binary, "ledger", "witness-add", "other.name", w2 + ".pub", "--db", db],
                       capture_output=True, text=True, cwd=tmp)
    c.ok(p.returncode != 0 and "named" in p.stderr, "witness-add refuses a name not the key's")

    srv = harness.Server(binary, db, tmp).start()
    try:
        tok = srv.call("POST", "/api/v1/auth/login", {"email": harness.ADMIN[0],
                       "password": harness.ADMIN[1]})[1]["token"]
        agent = srv.call("POST", "/api/v1/auth/login", {"email": "ann@example.com",
                         "password": "ann-password"})[1]["token"]
        c.eq(srv.call("POST", "/api/v1/ledger/witnesses", {"key": w2pub}, token=agent)[0], 403,
             "an agent may not register a witness")
        c.eq(srv.call("POST", "/api/v1/ledger/witnesses", {"key": w2pub})[0], 401,
             "registering needs authentication")
        c.eq(srv.call("POST", "/api/v1/ledger/witnesses", {"key": "nonsense"}, token=tok)[0], 400,
             "a key that is no key")
        st, b = srv.call("POST", "/api/v1/ledger/witnesses", {"key": w2pub}, token=tok)
        c.eq(st, 201, "admin registers w2 over the API")
        c.ok(st == 201 and b["name"] == "w2.example.org", "registered under the key's name")
        c.eq(srv.call("POST", "/api/v1/ledger/witnesses", {"key": w2pub}, token=tok)[0], 409,
             "the same witness twice")
        st, b = srv.call("GET", "/api/v1/ledger/witnesses")
        c.eq([w["name"] for w in b.get("witnesses", [])], ["w1.example.org", "w2.example.org"],
             "witness list")

        post_messages(srv, tok, 3, "a")
        c.eq(srv.call("GET", "/api/v1/ledger/checkpoint?cosigned=1")[0], 404,
             "nothing cosigned yet")

        # --- co-signing across growth -----------------------------------
        rc, out = witness(binary, srv, w1, tmp)
        c.eq(rc, 0, "w1 co-signs the first checkpoint: " + out)
        with open(w1 + ".state") as fh:
            first = json.load(fh)
        st, note = srv.call("GET", "/api/v1/ledger/checkpoint")
        c.ok(st == 200 and "\n— w1.example.org " in note, "checkpoint served with w1's line")
        c.ok(note.startswith("parley.local/log\n%d\n" % first["size"]),
             "the cosigned checkpoint is the current one")
        wkeys = {w["name"]: w["key"] for w in srv.call("GET", "/api/v1/ledger/witnesses")[1]
                 ["witnesses"]}
        if Ed25519PublicKey:
            c.ok(cosig_v1_ok(note, wkeys["w1.example.org"]),
                 "the cosignature verifies by the C2SP spec, independently of Parley")
        else:
            print("note: python3 'cryptography' missing, independent cosignature check skipped")

        post_messages(srv, tok, 4, "b")
        rc, out = witness(binary, srv, w1, tmp)
        c.eq(rc, 0, "w1 co-signs after growth (consistency proof checked): " + out)
        rc, out = witness(binary, srv, w2, tmp, ["--url", "http://127.0.0.1:%d/" % srv.port])
        c.eq(rc, 0, "w2 co-signs too (a URL with a trailing slash): " + out)
        with open(w1 + ".state") as fh:
            second = json.load(fh)
        c.ok(second["size"] > first["size"], "w1's state moved forward")
        st, note = srv.call("GET", "/api/v1/ledger/checkpoint?cosigned=1")
        c.ok(st == 200 and "— w1.example.org " in note and "— w2.example.org " in note,
             "the latest cosigned checkpoint carries both witnesses")
        # A receipt against the latest cosigned checkpoint carries the witnesses.
        st, rec = srv.call("GET", "/api/v1/ledger/receipts/1?cosigned=1", token=tok)
        c.ok(st == 200 and "— w2.example.org " in rec.get("checkpoint", ""),
             "a receipt on the cosigned checkpoint")
        rpath = os.path.join(tmp, "cosigned-receipt.json")
        with open(rpath, "w") as fh:
            json.dump(rec, fh)
        st, logkey = srv.call("GET", "/api/v1/ledger/key")
        p = subprocess.run([binary, "verify-receipt", rpath, "--key", logkey.strip()],
                           capture_output=True, text=True)
        c.ok(p.returncode == 0 and "signed by:  w1.example.org" in p.stdout,
             "it verifies offline and names the witnesses: " + p.stdout + p.stderr)
        post_messages(srv, tok, 1, "late")
        st, cur = srv.call("GET", "/api/v1/ledger/checkpoint")
        newest = size_of(cur)
        st, plain_rec = srv.call("GET", "/api/v1/ledger/receipts/%d" % newest, token=tok)
        if st == 200 and plain_rec["leaf_index"] >= second["size"]:
            c.eq(srv.call("GET", "/api/v1/ledger/receipts/%d?cosigned=1" % newest,
                          token=tok)[0], 409, "an event newer than the cosigned checkpoint")
        st, old = srv.call("GET", "/api/v1/ledger/checkpoint?size=%d" % first["size"])
        c.ok(st == 200 and "— w1.example.org " in old and "w2.example.org" not in old,
             "an older checkpoint keeps its own cosignatures")
        c.eq(srv.call("GET", "/api/v1/ledger/checkpoint?size=x")[0], 400, "size must be a number")
        c.eq(srv.call("GET", "/api/v1/ledger/checkpoint?size=999999")[0], 404,
             "no checkpoint of that size")

        # --- refusals by the log ------------------------------------------
        rc, out = witness(binary, srv, stranger, tmp)
        c.ok(rc == 1 and "403" in out, "an unregistered witness key is refused (403): " + out)
        lines = note.rstrip("\n").split("\n")
        log_line = [l for l in lines if l.startswith("— parley.local/log ")][0]
        w1_line = [l for l in lines if l.startswith("— w1.example.org ")][0]
        text = note[:note.index("\n\n") + 1]
        plain = {"Content-Type": "text/plain"}

        def post(body, headers=plain):
            return srv.call("POST", "/api/v1/ledger/cosignatures", raw=body.encode(),
                            headers=headers)[0]
        c.eq(post("hello\n"), 400, "malformed note")
        c.eq(post(text + "\n" + log_line + "\n"), 400, "a note without any cosignature")
        name, sig = w1_line[2:].split(" ")
        forged = sig[:10] + ("A" if sig[10] != "A" else "B") + sig[11:]
        c.eq(post(text + "\n" + log_line + "\n— " + name + " " + forged + "\n"), 400,
             "a cosignature that does not verify")
        c.eq(post(text + "\n" + log_line + "\n— " + name + " AAAA\n"), 400,
             "a truncated cosignature")
        other = text.replace("\n%d\n" % second["size"], "\n%d\n" % (second["size"] + 1000))
        c.eq(post(other + "\n" + w1_line + "\n"), 409, "a checkpoint this log never signed")
        c.eq(post(text + "\n" + w1_line + "\n", {"Content-Type": "application/json"}), 415,
             "cosignatures are text/plain")
        c.eq(post(text + "\n" + log_line + "\n" + w1_line + "\n"), 201,
             "the genuine cosignature again is fine")

        # Mutations of a genuine cosigned note: never a 5xx, never stored.
        genuine = (text + "\n" + log_line + "\n" + w1_line + "\n").encode()
        rng = random.Random(7)
        bad = 0
        for _ in range(300):
            b = bytearray(genuine)
            for _ in range(rng.randint(1, 4)):
                op, i = rng.randint(0, 3), rng.randrange(len(b))
                if op == 0:
                    b[i] = rng.randrange(256)
                elif op == 1:
                    del b[i:i + rng.randint(1, 40)]
                elif op == 2:
                    b[i:i] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
                else:
                    b += b[i:i + rng.randint(1, 200)]
            st, body = srv.call("POST", "/api/v1/ledger/cosignatures", raw=bytes(b),
                                headers=plain)
            if st >= 500 or (st >= 400 and not (isinstance(body, dict) and "error" in body)):
                bad += 1
        c.eq(bad, 0, "300 mutated notes: no 5xx, a JSON error each")
        c.eq(srv.call("GET", "/api/v1/health")[0], 200, "healthy after the mutations")

        # --- history rewritten behind the log's back ----------------------
        srv.stop()
        cut = second["size"] - 2
        sql(db, "DELETE FROM events WHERE id IN (SELECT event_id FROM ledger_leaves WHERE idx >= %d);"
                "DELETE FROM ledger_leaves WHERE idx >= %d;"
                "DELETE FROM ledger_checkpoints WHERE size > %d;"
                "DELETE FROM ledger_cosignatures WHERE size > %d;" % (cut, cut, cut, cut))
        srv = harness.Server(binary, db, tmp).start()
        tok = srv.call("POST", "/api/v1/auth/login", {"email": harness.ADMIN[0],
                       "password": harness.ADMIN[1]})[1]["token"]
        post_messages(srv, tok, 3, "c")
        st, note = srv.call("GET", "/api/v1/ledger/checkpoint")
        c.ok(size_of(note) > second["size"], "the rewritten log grew past the witnessed size")
        rc, out = witness(binary, srv, w1, tmp)
        c.eq(rc, 1, "the witness refuses the forked log")
        c.ok("FORKED" in out and "REFUSED" in out, "and says why: " + out)
        with open(w1 + ".state") as fh:
            after = json.load(fh)
        c.eq((after["size"], after["root"]), (second["size"], second["root"]),
             "the witness's state is unchanged")
        ev = w1 + ".state.refused-%d" % size_of(note)
        c.ok(os.path.exists(ev), "the refused checkpoint is kept as evidence")
        rc, out = witness(binary, srv, w2, tmp)
        c.eq(rc, 1, "the other witness refuses too")
        st, b = srv.call("GET", "/api/v1/ledger/checkpoint?cosigned=1")
        c.ok(st == 404 or size_of(b) <= cut, "no cosignature for the forked history")
    finally:
        srv.stop()


if __name__ == "__main__":
    harness.run(main)
