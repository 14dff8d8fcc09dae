"""SIGINT and SIGTERM sent to real `newsdesk crawl` and `newsdesk jobs run` processes: one line saying what is
being finished, a prompt stop with 128 + the signal as exit code, a second signal that ends the process at once
without a summary, and no extraction worker left behind whatever kills the process."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from conftest import query, wait_for_count

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads processes from /proc")]

BIN = Path(sys.executable).parent
# A polite pace (a request every 0.15 s) keeps the crawl of the 37-article site going long enough to interrupt.
PACED = ["-s", "AUTOTHROTTLE_START_DELAY=0.02", "-s", "DOWNLOAD_DELAY=0.15", "-s", "NEWSDESK_RETRY_BACKOFF_BASE=0.2",
         "-s", "NEWSDESK_PROGRESS=False"]


def start_crawl(site, db: Path) -> subprocess.Popen:
    return subprocess.Popen([str(BIN / "newsdesk"), "crawl", site.base_url + "/", "--db", str(db), *PACED],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def article_requests(site) -> int:
    paths = {article["path"] for article in site.articles}
    return sum(record.path in paths for record in site.request_log)


def wait_until(condition, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def children(pid: int) -> list[int]:
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line)
        except OSError:
            continue
        if fields.get("PPid", "").strip() == str(pid):
            found.append(int(status.parent.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state not in ("Z", "X")


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_finishes_the_pages_in_flight_and_exits_128_plus_it(site, tmp_path, stop_signal):
    db = tmp_path / "corpus.db"
    crawl = start_crawl(site, db)
    try:
        wait_until(lambda: article_requests(site) >= 4)
        sent_before = len(site.request_log)
        crawl.send_signal(stop_signal)
        crawl.wait(timeout=120)
        out, err = crawl.communicate(timeout=60)
    finally:
        crawl.kill()
    assert crawl.returncode == 128 + stop_signal, (out, err)
    assert "Traceback" not in out + err
    stopping = re.search(r"^stopping: finishing (\d+) pages in flight", err, re.MULTILINE)
    assert stopping, err
    # Requests already handed to the downloader may still reach the server; nothing else is sent.
    assert len(site.request_log) - sent_before <= int(stopping.group(1)), [r.path for r in site.request_log[sent_before:]]
    assert out.startswith("crawl finished (shutdown): ")
    stored = query(db, "select count(*) from articles")[0][0]
    assert 0 < stored < len(site.articles), "stopped mid-crawl, the pages fetched before the signal stored"


def test_a_second_signal_stops_at_once_without_a_summary(site, tmp_path):
    crawl = start_crawl(site, tmp_path / "corpus.db")
    try:
        wait_until(lambda: article_requests(site) >= 2)
        crawl.send_signal(signal.SIGINT)
        first_line = crawl.stderr.readline()
        while first_line and not first_line.startswith("stopping: "):
            first_line = crawl.stderr.readline()
        assert first_line.startswith("stopping: finishing "), first_line
        crawl.send_signal(signal.SIGINT)
        crawl.wait(timeout=60)
        out, err = crawl.communicate(timeout=60)
    finally:
        crawl.kill()
    assert crawl.returncode == -signal.SIGINT, "ended by the signal itself (a shell reports 130)"
    assert out == "", "no summary of a crawl that did not finish"
    assert "Traceback" not in err


def test_sigkill_of_jobs_run_leaves_no_extraction_worker(site, tmp_path):
    jobs = tmp_path / "jobs.toml"
    jobs.write_text(textwrap.dedent(f"""
        [[job]]
        name = "loopback"
        start_urls = ["{site.base_url}/"]
        every = "1h"

        [job.settings]
        AUTOTHROTTLE_START_DELAY = 0.02
        DOWNLOAD_DELAY = 0.15
        NEWSDESK_PROGRESS_INTERVAL = 0
        NEWSDESK_EXTRACT_WORKERS = 2
    """))
    db = tmp_path / "corpus.db"
    run = subprocess.Popen([str(BIN / "newsdesk"), "jobs", "run", "loopback", "--jobs", str(jobs), "--db", str(db)],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert wait_for_count(db, "select count(*) from articles", 2) >= 2, "the workers extract"
        workers = children(run.pid)
        assert len(workers) >= 2, workers
        run.send_signal(signal.SIGKILL)
        run.wait(timeout=30)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and any(alive(pid) for pid in workers):
            time.sleep(0.1)
        assert not [pid for pid in workers if alive(pid)], "no worker outlives `jobs run`"
    finally:
        run.kill()
        run.wait()
