"""Crawls against a server that misbehaves: every URL ends stored, failed with a reason, or refused."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from fault_server import EXPECTED, FaultServer

BIN = Path(sys.executable).parent
QUICK = ["-s", "AUTOTHROTTLE_START_DELAY=0.02", "-s", "DOWNLOAD_DELAY=0", "-s", "DOWNLOAD_TIMEOUT=3",
         "-s", "RETRY_TIMES=1", "-s", "NEWSDESK_RETRY_BACKOFF_BASE=0.1", "-s", "NEWSDESK_PROGRESS_INTERVAL=0",
         "-s", "DOWNLOAD_MAXSIZE=20000000"]


def crawl(db: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "newsdesk"), "crawl", *args, "--db", str(db), *QUICK],
                          capture_output=True, text=True, timeout=300)


def test_every_faulty_url_is_accounted_for(tmp_path):
    db = tmp_path / "corpus.db"
    with FaultServer() as server:
        started = time.time()
        result = crawl(db, server.base_url + "/")
        elapsed = time.time() - started
    assert "Traceback" not in result.stdout + result.stderr, result.stderr[-2000:]
    connection = sqlite3.connect(db)
    stored = {row[0] for row in connection.execute("select url from articles")}
    failures = {row[0]: row[1] for row in connection.execute("select url, reason from failures")}
    assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    for path, (outcome, fragment) in EXPECTED.items():
        url = server.base_url + path
        if outcome == "stored":
            assert url in stored, (path, failures.get(url))
        else:
            assert url in failures and fragment in failures[url], (path, failures.get(url))
    assert elapsed < 120


def test_billion_laughs_and_huge_sitemaps_stay_bounded(tmp_path):
    db = tmp_path / "corpus.db"
    with FaultServer() as server:
        started = time.time()
        result = subprocess.run(
            ["/usr/bin/time", "-f", "peak_kib=%M", str(BIN / "newsdesk"), "crawl", "--sitemap", server.base_url + "/sitemap-laughs.xml",
             "--sitemap", server.base_url + "/sitemap-100k.xml", "--feed", server.base_url + "/feed-laughs.xml",
             "--max-pages", "40", "--db", str(db), *QUICK], capture_output=True, text=True, timeout=300)
        elapsed = time.time() - started
        requested = list(server.requests)
    assert "Traceback" not in result.stdout + result.stderr, result.stderr[-2000:]
    peak_kib = int(result.stderr.rsplit("peak_kib=", 1)[1].split()[0])
    assert peak_kib < 1_500_000, f"peak RSS {peak_kib // 1024} MiB"
    assert elapsed < 180
    assert not [path for path in requested if "lol" in path], "entities were never expanded into URLs"
    archive = [path for path in requested if path.startswith("/archive/")]
    # The budget closes the crawl; requests already in flight (at most CONCURRENT_REQUESTS) still finish.
    assert 0 < len(archive) <= 40 + 16, "the page budget holds with 100,000 URLs offered"
    failures = dict(sqlite3.connect(db).execute("select url, reason from failures").fetchall())
    assert "more than 50,000 URLs" in failures[server.base_url + "/sitemap-100k.xml"]
    print(f"peak RSS {peak_kib // 1024} MiB, {elapsed:.1f}s")
