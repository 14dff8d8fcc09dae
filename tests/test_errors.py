"""What goes wrong reaches the user as one line and a non-zero exit code, never a traceback (unless
`newsdesk --debug`): unreachable start URLs, bad input that third-party parsers choke on, unexpected errors."""

from __future__ import annotations

import gzip
import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import FIXTURES, SEEDS

pytestmark = pytest.mark.slow  # each test runs the newsdesk command in a process of its own

BIN = Path(sys.executable).parent


def newsdesk(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "newsdesk"), *args], capture_output=True, text=True, timeout=300)


def closed_port() -> int:
    """A loopback port nothing listens on: connecting to it is refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_an_unreachable_start_url_fails_at_once_with_its_reason(tmp_path: Path):
    url = f"http://127.0.0.1:{closed_port()}/"
    result = newsdesk("crawl", url, "--db", str(tmp_path / "corpus.db"), "--json")
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines[-1] == f"newsdesk crawl: nothing stored: could not fetch {url}: fetch failed: connection refused"
    assert f"crawl: could not fetch {url}: fetch failed: connection refused" in lines, "the reason shown as it happens"
    assert all(len(line) < 300 for line in lines), "one line a message"
    report = json.loads(result.stdout)
    assert report["seed_failures"] == {url: "fetch failed: connection refused"}
    assert report["retries"] == 0 and report["elapsed_seconds"] < 10, "a refused connection is not retried for 20 s"


def test_the_summary_names_the_start_url_that_could_not_be_fetched(tmp_path: Path):
    url = f"http://127.0.0.1:{closed_port()}/"
    result = newsdesk("crawl", url, "--db", str(tmp_path / "corpus.db"))
    assert result.returncode == 1
    assert result.stdout.startswith("crawl finished (finished): 0 pages fetched")
    assert result.stdout.strip().endswith(f"could not fetch {url}: fetch failed: connection refused")


def fake_gz_folder(folder: Path) -> Path:
    folder.mkdir()
    (folder / "not-gzip.html.gz").write_bytes((FIXTURES / "pages" / "harbour-bridge.html").read_bytes())
    (folder / "cut-short.html.gz").write_bytes(gzip.compress((FIXTURES / "pages" / "harbour-bridge.html").read_bytes())[:400])
    (folder / "noise.html.gz").write_bytes(gzip.compress(bytes(range(256)) * 40))
    (folder / "markup-soup.html.gz").write_bytes(gzip.compress(b"<![if x" + b"<div><![CDATA[" * 500 + b"\x00" * 50))
    for seed in sorted(SEEDS.glob("*.txt"))[:2]:
        (folder / seed.name).write_bytes(seed.read_bytes())
    return folder


@pytest.mark.parametrize("workers", ["0", "-1"])
def test_fake_gz_files_are_failures_of_one_line_each(tmp_path: Path, workers: str):
    folder = fake_gz_folder(tmp_path / "inbox")
    result = newsdesk("replay", str(folder), "--db", str(tmp_path / "corpus.db"), "--workers", workers, "--json")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr and "Error parsing" not in result.stderr
    counts = json.loads(result.stdout)
    assert counts["new"] == 3 and counts["failed"] == 3, counts  # the undamaged page and two seeds stored
    failed = [line for line in result.stderr.splitlines() if line.startswith("failed ")]
    assert len(failed) == 3 and len(result.stderr.strip().splitlines()) == 3, result.stderr
    assert {line.split(":")[0].rsplit("/", 1)[1] for line in failed} == {"cut-short.html.gz", "noise.html.gz",
                                                                        "markup-soup.html.gz"}


def test_an_unexpected_error_is_one_line_and_debug_shows_the_traceback(tmp_path: Path):
    db = tmp_path / "corpus.db"
    assert newsdesk("replay", str(SEEDS), "--db", str(db)).returncode == 0
    target = "/proc/newsdesk-export.warc"  # a file nobody can create
    plain = newsdesk("export", "--warc", target, "--db", str(db))
    assert plain.returncode == 1
    assert "Traceback" not in plain.stderr and len(plain.stderr.strip().splitlines()) == 1, plain.stderr
    assert plain.stderr.startswith("newsdesk export: FileNotFoundError: ") and "--debug" in plain.stderr
    debug = newsdesk("--debug", "export", "--warc", target, "--db", str(db))
    assert debug.returncode == 1 and "Traceback (most recent call last)" in debug.stderr
