"""Shared test fixtures: paths to the repository's seeds and fixtures, and a fresh corpus per test."""

from __future__ import annotations

from pathlib import Path

import sqlite3

import pytest

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


def query(db: Path, sql: str) -> list[sqlite3.Row]:
    """Rows of `sql` on the database at `db`, read with a connection of its own."""
    connection = sqlite3.connect(db)
    connection.row_factory = sqlite3.Row
    try:
        return connection.execute(sql).fetchall()
    finally:
        connection.close()
