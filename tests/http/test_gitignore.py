"""test_gitignore.py — a server run from a checkout leaves nothing for git.

`parley serve` with its defaults writes the database, its log signing key,
the data key and a lock file into the working directory (docs/cli/serve.md).
Started in a scratch git repository that holds only the project's
.gitignore, with every path left to its default, a run that creates a
customer (so the data key is made) must leave `git status` clean.

Usage: python3 tests/http/test_gitignore.py build/parley"""
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

GITIGNORE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", ".gitignore")


def untracked(repo):
    p = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=repo,
                       capture_output=True, text=True, check=True)
    return sorted(line[3:] for line in p.stdout.splitlines())


def main(binary, db, tmp, c):
    repo = os.path.join(tmp, "checkout")
    shutil.rmtree(repo, ignore_errors=True)
    os.mkdir(repo)
    subprocess.run(["git", "init", "-q", repo], check=True)
    shutil.copy(GITIGNORE, os.path.join(repo, ".gitignore"))
    subprocess.run(["git", "add", ".gitignore"], cwd=repo, check=True)
    if db.startswith("sqlite:"):
        db = "sqlite:parley.db"   # the default, relative to the checkout
    harness.add_user(binary, db, harness.ADMIN[0], "admin", harness.ADMIN[1], repo)
    srv = harness.Server(binary, db, tmp, cwd=repo).start()
    try:
        st, b = srv.call("POST", "/api/v1/auth/login",
                         {"email": harness.ADMIN[0], "password": harness.ADMIN[1]})
        c.eq(st, 200, "log in")
        st, _ = srv.call("POST", "/api/v1/messages", {
            "channel": "email", "customer": {"email": "erin@example.com", "name": "Erin"},
            "body": "Where is my parcel?"}, token=b.get("token"))
        c.eq(st, 201, "a customer writes (the data key is made)")
    finally:
        srv.stop()
    c.ok(os.path.exists(os.path.join(repo, "parley.data-key" if "postgres" in db
                                      else "parley.db.data-key")), "the data key was written")
    c.eq(untracked(repo), [".gitignore"], "git sees nothing but .gitignore")


if __name__ == "__main__":
    harness.run(main)
