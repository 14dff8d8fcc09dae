"""Hostile inputs replayed through the real CLI: every file ends stored or as one failures row with a
specific reason; no traceback; bounded memory; a consistent corpus afterwards."""

from __future__ import annotations

import gzip
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import run_measuring_memory
from hostile_inputs import PARAGRAPH, article_html, build_corpus, paragraphs

pytestmark = pytest.mark.slow  # The replay runs as a command of its own, with its memory measured.

BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def replayed(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    expected = build_corpus(folder)
    db = folder.parent / "hostile.db"
    result, peak_kib = run_measuring_memory([str(BIN / "newsdesk"), "replay", str(folder), "--db", str(db)])
    connection = sqlite3.connect(db)
    connection.row_factory = sqlite3.Row
    articles = {Path(row["origin"]).name: dict(row) for row in connection.execute("select * from articles")}
    failures = [dict(row) for row in connection.execute("select * from failures")]
    integrity = connection.execute("PRAGMA integrity_check").fetchone()[0]
    connection.close()
    return expected, result, articles, failures, integrity, peak_kib


def test_every_input_is_stored_or_failed_exactly_once(replayed):
    expected, result, articles, failures, _, _ = replayed
    failed_names = [Path(row["origin"]).name for row in failures]
    assert len(failed_names) == len(set(failed_names)), "one failures row per bad input"
    for name, (status, _) in expected.items():
        if status == "stored":
            assert name in articles and name not in failed_names, (name, [f for f in failures if Path(f["origin"]).name == name])
        else:
            assert name in failed_names and name not in articles, name
    assert set(articles) | set(failed_names) == set(expected), "nothing else was ingested or failed"


def test_each_failure_has_its_specific_one_line_reason(replayed):
    expected, result, _, failures, _, _ = replayed
    reasons = {Path(row["origin"]).name: row["reason"] for row in failures}
    for name, (status, fragment) in expected.items():
        if status == "failed":
            assert fragment in reasons[name], (name, reasons[name])
            assert "\n" not in reasons[name] and "Traceback" not in reasons[name]
    assert "Traceback" not in result.stdout + result.stderr
    assert result.returncode == 0, "some inputs were stored, so the run succeeds"


def test_encodings_decode_to_the_right_text(replayed):
    expected, _, articles, _, _, _ = replayed
    for name, (status, text) in expected.items():
        if status == "stored" and not text.startswith("language:"):
            assert text in articles[name]["body"], name
    assert "Ã" not in articles["latin1-labelled-utf8.html"]["body"] + articles["utf8-labelled-latin1.html"]["body"], "no mojibake"
    assert "\x00" not in articles["nul-bytes.html"]["body"]


def test_pages_in_many_languages_and_scripts_keep_their_text_and_language(replayed):
    expected, _, articles, _, _, _ = replayed
    languages = {name: text.split(":", 1)[1] for name, (status, text) in expected.items() if text.startswith("language:")}
    assert len(languages) >= 10
    for name, code in languages.items():
        assert articles[name]["language"] == code, name
        assert articles[name]["word_count"] >= 40, name


def test_big_inputs_finish_with_bounded_memory_and_the_corpus_is_consistent(replayed):
    _, _, articles, _, integrity, peak_kib = replayed
    assert "huge-20mb.html" in articles and "deep-nesting.html" in articles
    assert integrity == "ok"
    assert peak_kib < 1_000_000, f"peak RSS {peak_kib / 1024:.0f} MiB (the 20 MB page dominates)"
    print(f"peak RSS of the replay: {peak_kib / 1024:.0f} MiB")


def test_limits_are_named_settings_with_documented_defaults(tmp_path):
    from dataclasses import fields

    from extractors.limits import Limits

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    for limit in fields(Limits):
        assert f"NEWSDESK_{limit.name.upper()}" in readme and f"{limit.default:,}" in readme, limit.name
    (tmp_path / "big.html").write_text(article_html(paragraphs(PARAGRAPH, 40)), encoding="utf-8")
    (tmp_path / "packed.html.gz").write_bytes(gzip.compress(article_html(paragraphs(PARAGRAPH, 40)).encode()))
    (tmp_path / "long.html").write_text(article_html(paragraphs(PARAGRAPH, 4)), encoding="utf-8")
    environment = {**os.environ, "NEWSDESK_MAX_INPUT_BYTES": "12000", "NEWSDESK_MAX_DECOMPRESSED_BYTES": "5000",
                   "NEWSDESK_MAX_BODY_CHARS": "600"}
    db = tmp_path / "corpus.db"
    result = subprocess.run([str(BIN / "newsdesk"), "replay", str(tmp_path), "--db", str(db)], env=environment,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    connection = sqlite3.connect(db)
    reasons = {Path(origin).name: reason for origin, reason in connection.execute("select origin, reason from failures")}
    assert "exceeds the 12,000-byte limit" in reasons["big.html"]
    assert "expands beyond the 5,000-byte limit" in reasons["packed.html.gz"]
    body = connection.execute("select body from articles").fetchone()[0]
    page_paragraphs = re.findall(r"<p>(.*?)</p>", paragraphs(PARAGRAPH, 4))
    assert 0 < len(body) <= 600 and body.split("\n\n")[-1] in page_paragraphs, "cut at a paragraph break"
