"""Crawls against a server that misbehaves, and of the hostile-input corpus served over HTTP: every URL ends
stored, failed with a reason, skipped as no article, or refused by policy; faults are retried; memory stays bounded."""

from __future__ import annotations

import functools
import sqlite3
import subprocess
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote

import pytest

from conftest import query, run_measuring_memory
from fault_server import EXPECTED, RETRIED, FaultServer
from hostile_inputs import build_corpus

pytestmark = pytest.mark.slow  # Crawls in a process of their own, with their memory measured.

BIN = Path(sys.executable).parent
QUICK = ["-s", "AUTOTHROTTLE_START_DELAY=0.02", "-s", "DOWNLOAD_DELAY=0", "-s", "DOWNLOAD_TIMEOUT=3",
         "-s", "RETRY_TIMES=1", "-s", "NEWSDESK_RETRY_BACKOFF_BASE=0.1", "-s", "NEWSDESK_PROGRESS_INTERVAL=0",
         "-s", "DOWNLOAD_MAXSIZE=20000000"]


def crawl_command(db: Path, *args: str) -> list[str]:
    return [str(BIN / "newsdesk"), "crawl", *args, "--db", str(db), *QUICK]


def test_every_faulty_url_is_accounted_for(tmp_path):
    db = tmp_path / "corpus.db"
    with FaultServer() as server:
        result, peak_kib = run_measuring_memory(crawl_command(db, server.base_url + "/"), timeout=300)
        requested = list(server.requests)
    assert "Traceback" not in result.stdout + result.stderr, result.stderr[-2000:]
    connection = sqlite3.connect(db)
    stored = {row[0] for row in connection.execute("select url from articles")}
    failures = {row[0]: row[1] for row in connection.execute("select url, reason from failures")}
    assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    for path, (outcome, fragment) in EXPECTED.items():
        url = server.base_url + path
        if outcome == "stored":
            assert url in stored, (path, failures.get(url))
        elif outcome == "failed":
            assert url in failures and fragment in failures[url], (path, failures.get(url))
        else:
            assert url not in stored and url not in failures and requested.count(path) == 1, path
    assert "1 requests refused by policy" in result.stdout, "the redirect to file: is a policy refusal"
    assert not [url for url in [*stored, *failures] if not url.startswith(server.base_url)], "file: was never fetched"
    assert set(requested) <= {"/robots.txt", "/", "/loop-b", *EXPECTED}, "nothing was requested that is not accounted for"
    for path in RETRIED:
        assert requested.count(path) == 2, f"{path}: retried once (RETRY_TIMES=1), then failed"
    assert requested.count("/good.html") == 1
    assert peak_kib < 1_000_000, f"peak RSS {peak_kib // 1024} MiB with a 200 MB gzip bomb served"
    print(f"peak RSS {peak_kib // 1024} MiB")


def test_billion_laughs_and_huge_sitemaps_stay_bounded(tmp_path):
    db = tmp_path / "corpus.db"
    with FaultServer() as server:
        result, peak_kib = run_measuring_memory(crawl_command(
            db, "--sitemap", server.base_url + "/sitemap-laughs.xml", "--sitemap", server.base_url + "/sitemap-100k.xml",
            "--feed", server.base_url + "/feed-laughs.xml", "--max-pages", "40"), timeout=300)
        requested = list(server.requests)
    assert "Traceback" not in result.stdout + result.stderr, result.stderr[-2000:]
    assert peak_kib < 1_000_000, f"peak RSS {peak_kib // 1024} MiB"
    assert not [path for path in requested if "lol" in path], "entities were never expanded into URLs"
    archive = [path for path in requested if path.startswith("/archive/")]
    # The budget closes the crawl; requests already in flight (at most CONCURRENT_REQUESTS) still finish.
    assert 0 < len(archive) <= 40 + 16, "the page budget holds with 100,000 URLs offered"
    failures = dict(sqlite3.connect(db).execute("select url, reason from failures").fetchall())
    assert "more than 50,000 URLs" in failures[server.base_url + "/sitemap-100k.xml"]
    print(f"peak RSS {peak_kib // 1024} MiB")


class TopLevelFiles(SimpleHTTPRequestHandler):
    """Serves a folder's files; "/" lists them, and no other folder is listed (no endless symlinked tree)."""

    def list_directory(self, path):
        if self.path != "/":
            self.send_error(404)
            return None
        return super().list_directory(path)

    def log_message(self, *args: object) -> None:
        pass


# What a crawl makes of the hostile inputs where it differs from a replay: pages that are not articles are
# followed and not stored (no failure), non-HTML responses are failed as such, and a symlink loop is the
# server's 404: a dead link, met by following the start page's links, counted and given no failures row.
NOT_AN_ARTICLE = {"no-body.html", "login-wall.html", "cookie-wall.html", "soft-404.html"}


def crawl_outcome(name: str, replay_outcome: tuple[str, str]) -> tuple[str, str]:
    if name in NOT_AN_ARTICLE:
        return "skipped", ""
    if name.endswith(".txt"):
        return "failed", "not an HTML page (Content-Type text/plain)"
    if name.startswith("loop-"):
        return "dead link", ""
    return replay_outcome


def test_hostile_inputs_served_over_http_are_each_stored_failed_or_skipped(tmp_path):
    folder, db = tmp_path / "hostile", tmp_path / "corpus.db"
    expected = {name: crawl_outcome(name, outcome) for name, outcome in build_corpus(folder, big=False).items()}
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(TopLevelFiles, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        result = subprocess.run(crawl_command(db, base + "/"), capture_output=True, text=True, timeout=300)
    finally:
        server.shutdown()
        server.server_close()
    assert result.returncode == 0 and "Traceback" not in result.stdout + result.stderr, result.stderr[-2000:]
    articles = {row["url"]: dict(row) for row in query(db, "select url, body, language from articles")}
    failures = {row["url"]: row["reason"] for row in query(db, "select url, reason from failures")}
    not_stored = {row["url"] for row in query(db, "select url from fetched_urls where article_id is null")}
    for name, (outcome, detail) in expected.items():
        url = f"{base}/{quote(name)}"
        if outcome == "stored":
            assert url in articles and url not in failures, (name, failures.get(url))
            text = articles[url]["language"] if detail.startswith("language:") else articles[url]["body"]
            assert detail.removeprefix("language:") in text, name
        elif outcome == "failed":
            assert url not in articles and detail in failures.get(url, ""), (name, failures.get(url))
            assert "\n" not in failures[url]
        elif outcome == "dead link":
            assert url not in articles and url not in failures, name
        else:
            assert url in not_stored and url not in articles and url not in failures, name
    assert f"{base}/robots.txt" not in failures, "a site without robots.txt is no failure"
    dead = sum(outcome == "dead link" for outcome, _ in expected.values())
    counted = int(result.stdout.strip().rsplit("; ", 1)[1].removesuffix(" dead links"))
    assert dead and counted >= dead, "the loops, and links the hostile pages themselves hold to nothing"
    assert query(db, "PRAGMA integrity_check")[0][0] == "ok"
