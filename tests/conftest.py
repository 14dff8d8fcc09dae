"""Shared test fixtures: paths to the repository's seeds and fixtures, and a fresh corpus per test."""

from __future__ import annotations

from pathlib import Path

import pytest

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
