"""Shared test fixtures: paths to the repository's seeds and fixtures, and a fresh corpus per test."""

from __future__ import annotations

from pathlib import Path

import sqlite3

import pytest

from newsdesk.crawl import CrawlOptions, crawl_settings
from newsdesk.loopback_site import LoopbackNewsSite
from newsdesk.store import Store

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture
def store(tmp_path: Path):
    corpus = Store(tmp_path / "corpus.db")
    yield corpus
    corpus.close()


@pytest.fixture
def seed_paths() -> list[Path]:
    return sorted(SEEDS.glob("*.txt"))


@pytest.fixture
def site():
    """A fresh loopback news site per test (its request log and flaky page start clean)."""
    with LoopbackNewsSite() as running:
        yield running


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


def query(db: Path, sql: str) -> list[sqlite3.Row]:
    """Rows of `sql` on the database at `db`, read with a connection of its own."""
    connection = sqlite3.connect(db)
    connection.row_factory = sqlite3.Row
    try:
        return connection.execute(sql).fetchall()
    finally:
        connection.close()
