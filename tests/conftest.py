"""Shared test fixtures: paths to the repository's seeds and fixtures, a fresh corpus per test, a crawler stub,
and a runner that measures a command's peak memory."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from newsdesk.ops.crawl import CrawlOptions, crawl_settings
from newsdesk.devtools.loopback_site import LoopbackNewsSite
from newsdesk.devtools.redis_server import RedisServer
from newsdesk.corpus.store import Store

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture
def store(tmp_path: Path):
    with Store(tmp_path / "corpus.db") as corpus:
        yield corpus


@pytest.fixture
def seed_paths() -> list[Path]:
    return sorted(SEEDS.glob("*.txt"))


@pytest.fixture
def site():
    """A fresh loopback news site per test (its request log and flaky page start clean)."""
    with LoopbackNewsSite() as running:
        yield running


@pytest.fixture
def redis_server(tmp_path: Path):
    """A real redis-server of its own (the OS package) on a free loopback port, data in tmp_path; stopped after."""
    with RedisServer(tmp_path / "redis") as server:
        yield server


class CrawlerStub:
    """What spiders, middlewares and pipelines use of a Scrapy crawler (project settings, stats, signals),
    without a running engine, so their decisions can be tested one call at a time."""

    def __init__(self, db: Path, **settings):
        from scrapy.signalmanager import SignalManager
        from scrapy.statscollectors import MemoryStatsCollector

        self.settings = crawl_settings(CrawlOptions(settings=settings), db)
        self.signals = SignalManager()
        self.stats = MemoryStatsCollector(self)

    def close(self) -> None:
        from scrapy import signals

        self.signals.send_catch_log(signals.engine_stopped)


@pytest.fixture
def crawler_stub(tmp_path: Path):
    """CrawlerStub(**settings) factory over a fresh corpus; stores are closed after the test."""
    made: list[CrawlerStub] = []

    def make(**settings) -> CrawlerStub:
        made.append(CrawlerStub(tmp_path / "corpus.db", **settings))
        return made[-1]

    yield make
    for stub in made:
        stub.close()


# Runs a command and reports the peak RSS of it and its descendants (ru_maxrss of the largest one, in KiB),
# measured in a process of its own so earlier commands of the test session do not count.
_MEASURE = ("import json, resource, subprocess, sys; code = subprocess.call(sys.argv[1:]);"
            " print(json.dumps([code, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss]), file=sys.stderr)")


def run_measuring_memory(command: list[str], timeout: float = 600) -> tuple[subprocess.CompletedProcess, int]:
    """Run `command`; return its CompletedProcess (its own exit code and output) and its peak RSS in KiB."""
    result = subprocess.run([sys.executable, "-c", _MEASURE, *command], capture_output=True, text=True, timeout=timeout)
    stderr, _, last_line = result.stderr.rstrip("\n").rpartition("\n")
    code, peak_kib = json.loads(last_line)
    return subprocess.CompletedProcess(command, code, result.stdout, stderr), peak_kib


def wait_for_count(db: Path, sql: str, at_least: int, timeout: float = 120) -> int:
    """Poll `sql` (a count) on a database another process is writing until it reaches `at_least` or the time
    is up; returns the last count (0 while the database does not exist yet)."""
    deadline = time.time() + timeout
    count = 0
    while time.time() < deadline and count < at_least:
        time.sleep(0.1)
        try:
            count = query(db, sql)[0][0] if db.exists() else 0
        except sqlite3.OperationalError:  # the schema is not there yet
            count = 0
    return count


def query(db: Path, sql: str) -> list[sqlite3.Row]:
    """Rows of `sql` on the database at `db`, read with a connection of its own."""
    connection = sqlite3.connect(db)
    connection.row_factory = sqlite3.Row
    try:
        return connection.execute(sql).fetchall()
    finally:
        connection.close()


def run_unprivileged(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    """Run `command` so that file permissions bind it: as root (where they would not), without the
    capabilities that override them. Tests of read-only files and folders use it."""
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root without setpriv (util-linux): file permissions cannot be enforced")
        command = [setpriv, "--bounding-set=-dac_override,-dac_read_search,-fowner", *command]
    return subprocess.run(command, capture_output=True, text=True, timeout=300, **kwargs)


def copy_dataset_pages(source: Path, target: Path, count: int) -> Path:
    """The first `count` pages (by id) of a gold.json + html/ dataset, copied to a dataset folder of their own."""
    gold = json.loads((source / "gold.json").read_text(encoding="utf-8"))
    kept = dict(sorted(gold.items())[:count])
    (target / "html").mkdir(parents=True)
    for page_id in kept:
        (target / "html" / f"{page_id}.html.gz").write_bytes((source / "html" / f"{page_id}.html.gz").read_bytes())
    (target / "gold.json").write_text(json.dumps(kept, ensure_ascii=False), encoding="utf-8")
    return target
