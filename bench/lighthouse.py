"""Lighthouse (mobile profile) on the public home page, a published report and the login
page, served as in production: granian, DEBUG off, WhiteNoise's compressed static files.

    python bench/lighthouse.py [--port 8480] [--keep]

Works in a scratch folder of its own (DAPTAR_VAR_DIR under /tmp): migrate, the small demo
country with its activity (published reports with photos), collectstatic; then one
granian process on 127.0.0.1:--port, and Lighthouse from node_modules (`npm ci`) driving
Chromium (CHROME_PATH, /usr/bin/chromium unless set). Prints each page's four scores;
the goal is at least 95 in each. Never fails on a score.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from harness import ROOT, save

LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
GOAL = 95


def wait_for(port: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise SystemExit(f"nothing answers on 127.0.0.1:{port}")


def a_report_path(var: Path) -> str:
    with sqlite3.connect(var / "daptar.sqlite3") as db:
        row = db.execute(
            "SELECT id, slug FROM reports_report WHERE status = 'published' "
            "ORDER BY published_at DESC LIMIT 1"
        ).fetchone()
    if row is None:
        raise SystemExit("the demo country has no published report")
    return f"/reports/{row[0]}/{row[1]}/" if row[1] else f"/reports/{row[0]}/"


def audit(url: str, out: Path, chrome: str) -> dict[str, int]:
    subprocess.run(  # noqa: S603 - our own node_modules
        [
            str(LIGHTHOUSE),
            url,
            "--quiet",
            f"--only-categories={','.join(CATEGORIES)}",
            "--output=json",
            f"--output-path={out}",
            "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
        ],
        check=True,
        env={**os.environ, "CHROME_PATH": chrome},
    )
    result = json.loads(out.read_text())
    return {c: round(result["categories"][c]["score"] * 100) for c in CATEGORIES}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=8480)
    parser.add_argument("--json", help="write the scores here too")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder")
    args = parser.parse_args()
    if not LIGHTHOUSE.exists():
        raise SystemExit("Lighthouse is missing: run `npm ci` (make bench does).")
    chrome = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
    var = Path(tempfile.mkdtemp(prefix="daptar-lighthouse-"))
    env = {
        **os.environ,
        "DAPTAR_VAR_DIR": str(var),
        "DAPTAR_DEBUG": "0",
        "DAPTAR_SECURE_COOKIES": "0",
        "DAPTAR_HSTS_SECONDS": "0",
        "DAPTAR_ALLOWED_HOSTS": "127.0.0.1,localhost",
    }
    env.pop("DAPTAR_DATABASE_URL", None)
    env.pop("DAPTAR_STATIC_ROOT", None)
    env.pop("DAPTAR_MEDIA_ROOT", None)
    py = sys.executable

    def manage(*words: str) -> None:
        subprocess.run([py, "manage.py", *words], cwd=ROOT, env=env, check=True)  # noqa: S603

    manage("migrate", "--no-input", "-v0")
    manage("createcachetable", "-v0")
    manage("seed_demo", "--scale", "small", "--password", "lighthouse-only")
    manage("collectstatic", "--no-input", "-v0")
    server = subprocess.Popen(  # noqa: S603
        [
            str(Path(py).parent / "granian"),
            "--interface", "wsgi", "--host", "127.0.0.1", "--port", str(args.port),
            "--workers", "1", "--blocking-threads", "4", "daptar.wsgi:application",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    scores: dict[str, dict[str, int]] = {}
    try:
        wait_for(args.port)
        base = f"http://127.0.0.1:{args.port}"
        pages = {"home": "/", "report": a_report_path(var), "login": "/accounts/login/"}
        for name, path in pages.items():
            scores[name] = audit(base + path, var / f"{name}.json", chrome)
    finally:
        server.terminate()
        server.wait(timeout=10)
        if not args.keep:
            shutil.rmtree(var, ignore_errors=True)
    print(f"\nLighthouse, mobile profile (goal: {GOAL} in each)")
    print(f"{'page':<8}" + "".join(f"{c:>16}" for c in CATEGORIES))
    for name, row in scores.items():
        print(f"{name:<8}" + "".join(f"{row[c]:>16}" for c in CATEGORIES))
    save(args.json, scores)


if __name__ == "__main__":
    main()
