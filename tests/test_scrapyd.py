"""The project deployed to a real scrapyd, as the README describes: an egg built by scrapyd-deploy, uploaded with
addversion.json, the news spider scheduled against the loopback site, and articles stored. An egg is a zip: the
package data (the body model, language profiles) must be read through importlib.resources, not as files."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest

from conftest import ROOT, query

pytestmark = pytest.mark.slow

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def post(url: str, fields: list[tuple[str, str]], files: dict[str, bytes] | None = None) -> dict:
    if files:
        boundary = uuid.uuid4().hex
        parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
                 for name, value in fields]
        parts += [f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{name}.egg"\r\n'
                  f"Content-Type: application/octet-stream\r\n\r\n".encode() + content + b"\r\n"
                  for name, content in files.items()]
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
    else:
        body, headers = urllib.parse.urlencode(fields).encode(), {}
    with urllib.request.urlopen(urllib.request.Request(url, data=body, headers=headers), timeout=60) as response:
        return json.loads(response.read())


def get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.loads(response.read())


@pytest.fixture
def scrapyd(tmp_path: Path):
    """A real scrapyd on a free loopback port, its eggs, logs and queues in tmp_path; stopped after."""
    if shutil.which("scrapyd", path=str(BIN)) is None:
        pytest.fail("scrapyd is not installed: it is in the test extra (pip install -e '.[test]')")
    home = tmp_path / "scrapyd"
    home.mkdir()
    port = free_port()
    (home / "scrapyd.conf").write_text(
        "[scrapyd]\n"
        f"bind_address = 127.0.0.1\nhttp_port = {port}\n"
        f"eggs_dir = {home / 'eggs'}\nlogs_dir = {home / 'logs'}\ndbs_dir = {home / 'dbs'}\nitems_dir =\n"
        "max_proc = 1\npoll_interval = 0.5\n")
    server = subprocess.Popen([str(BIN / "scrapyd")], cwd=home, stdout=subprocess.DEVNULL,
                              stderr=(home / "scrapyd.err").open("wb"))
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            get(f"{base}/daemonstatus.json")
            break
        except OSError:
            assert server.poll() is None, (home / "scrapyd.err").read_text()
            assert time.monotonic() < deadline, "scrapyd did not start"
            time.sleep(0.3)
    try:
        yield base, home
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def test_a_deployed_egg_crawls_and_stores_articles_under_scrapyd(scrapyd, site, tmp_path: Path):
    base, home = scrapyd
    # Built from a copy of the project, so the build leaves nothing in the checkout.
    project = tmp_path / "project"
    for name in ("crawler", "extractors", "newsdesk"):
        shutil.copytree(ROOT / name, project / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for name in ("pyproject.toml", "setup.py", "scrapy.cfg", "README.md"):
        shutil.copy2(ROOT / name, project / name)
    egg = tmp_path / "newsdesk.egg"
    built = subprocess.run([str(BIN / "scrapyd-deploy"), "--build-egg", str(egg)], cwd=project, capture_output=True,
                           text=True, timeout=600)
    assert built.returncode == 0 and egg.is_file(), built.stderr
    added = post(f"{base}/addversion.json", [("project", "newsdesk"), ("version", "1")], {"egg": egg.read_bytes()})
    assert added["status"] == "ok" and added["spiders"] == 1, added

    db = tmp_path / "corpus.db"
    settings = [f"NEWSDESK_DB={db}", "DOWNLOAD_DELAY=0", "AUTOTHROTTLE_START_DELAY=0.02", "NEWSDESK_MAX_PAGES=25",
                "NEWSDESK_EXTRACT_WORKERS=1"]
    scheduled = post(f"{base}/schedule.json", [("project", "newsdesk"), ("spider", "news"),
                                               ("start_urls", site.base_url + "/"),
                                               *(("setting", setting) for setting in settings)])
    assert scheduled["status"] == "ok", scheduled
    job = scheduled["jobid"]
    deadline = time.monotonic() + 300
    while not any(entry["id"] == job for entry in get(f"{base}/listjobs.json?project=newsdesk")["finished"]):
        assert time.monotonic() < deadline, "the job did not finish"
        time.sleep(0.5)

    log = next((home / "logs").rglob(f"{job}.log"), None)
    log_text = log.read_text() if log else "(no job log)"
    stored = query(db, "select url, source from articles") if db.exists() else []
    failures = [tuple(row) for row in query(db, "select origin, reason from failures")] if db.exists() else []
    assert len(stored) >= 5, (failures[:5], log_text[-3000:])
    assert {row["source"] for row in stored} == {"crawl"}
    assert {row["url"] for row in stored} <= {article["url"] for article in site.articles}
    assert not [failure for failure in failures if "crashed" in failure[1] or "worker" in failure[1]], failures
