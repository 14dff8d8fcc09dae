"""The `newsdesk` command line, run as a user runs it: replay, extract, stats, and sqlite-utils over the corpus."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import FIXTURES, SEEDS

pytestmark = pytest.mark.slow  # Every test here runs the newsdesk command in a process of its own.

BIN = Path(sys.executable).parent


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / args[0]), *args[1:]], capture_output=True, text=True, cwd=cwd, timeout=300)


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    return tmp_path / "corpus.db"


def count(db: Path, table: str) -> int:
    result = run("sqlite-utils", str(db), f"select count(*) as n from {table}")
    return json.loads(result.stdout)[0]["n"]


def test_replay_seeds_then_replay_again_adds_nothing(corpus: Path):
    first = run("newsdesk", "replay", str(SEEDS), "--db", str(corpus))
    assert first.returncode == 0, first.stderr
    assert "5 new, 0 updated, 0 unchanged, 0 failed" in first.stdout
    second = run("newsdesk", "replay", str(SEEDS), "--db", str(corpus))
    assert second.returncode == 0
    assert "0 new, 0 updated, 5 unchanged, 0 failed" in second.stdout
    assert count(corpus, "articles") == 5
    assert count(corpus, "raw_documents") == 5


def test_sqlite_utils_full_text_search_finds_the_seeds(corpus: Path):
    run("newsdesk", "replay", str(SEEDS), "--db", str(corpus))
    result = run("sqlite-utils", "search", str(corpus), "articles", "Aurus", "-c", "title")
    titles = {row["title"] for row in json.loads(result.stdout)}
    assert "Baby you can drive my car: Putin sends Kim a Russia-made Aurus" in titles
    assert len(titles) == 5
    assert json.loads(run("sqlite-utils", "search", str(corpus), "articles", "Newsletter").stdout) == []


def test_replay_reports_and_records_bad_inputs_and_goes_on(tmp_path: Path, corpus: Path):
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    shutil.copy(next(SEEDS.glob("004_*.txt")), inputs / "good.txt")
    (inputs / "empty.txt").write_bytes(b"")
    (inputs / "blank.html").write_bytes(b"   \n\t \n")
    (inputs / "picture.html").write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(2000))
    (inputs / "noise.txt").write_bytes(bytes(range(0, 32)) * 200)
    (inputs / "tiny.txt").write_text("Just a line.")
    (inputs / "dangling.html").symlink_to(inputs / "does-not-exist.html")
    (inputs / "loop.txt").symlink_to(inputs / "loop.txt")
    result = run("newsdesk", "replay", str(inputs), "--db", str(corpus))
    assert result.returncode == 0, "one good input was ingested, so the run succeeds"
    assert "1 new" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    rows = json.loads(run("sqlite-utils", str(corpus), "select * from failures").stdout)
    failures = {Path(row["origin"]).name: row for row in rows}
    assert "empty" in failures["empty.txt"]["reason"]
    assert "empty" in failures["blank.html"]["reason"]
    assert "PNG" in failures["picture.html"]["reason"]
    assert "binary" in failures["noise.txt"]["reason"]
    assert "symbolic links" in failures["loop.txt"]["reason"] or "loop" in failures["loop.txt"]["reason"]
    assert "article text" in failures["tiny.txt"]["reason"]
    assert "unreadable" in failures["dangling.html"]["reason"]
    for name in ("empty.txt", "picture.html", "loop.txt"):
        assert f"{name}: {failures[name]['reason']}" in result.stderr + result.stdout, "each failure is shown on screen"


def test_replay_shows_a_progress_bar_on_a_terminal(corpus: Path):
    import pty

    terminal, terminal_end = pty.openpty()
    process = subprocess.Popen([str(BIN / "newsdesk"), "replay", str(SEEDS), "--db", str(corpus)],
                               stdout=subprocess.PIPE, stderr=terminal_end, env={**os.environ, "COLUMNS": "120"})
    os.close(terminal_end)
    shown = b""
    while True:
        try:
            chunk = os.read(terminal, 65536)
        except OSError:  # the terminal closes with the process
            break
        if not chunk:
            break
        shown += chunk
    os.close(terminal)
    assert process.wait(timeout=120) == 0
    assert b"replay" in shown and b"5/5" in shown, shown[-500:]
    assert process.stdout.read().decode().strip() == f"replay: 5 new, 0 updated, 0 unchanged, 0 failed -> {corpus}"


def test_the_corpus_defaults_to_data_articles_db(tmp_path: Path):
    result = run("newsdesk", "replay", str(SEEDS), "--quiet", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout.strip() == "replay: 5 new, 0 updated, 0 unchanged, 0 failed -> data/articles.db"
    assert count(tmp_path / "data" / "articles.db", "articles") == 5


def test_replay_exits_non_zero_when_nothing_could_be_ingested(tmp_path: Path, corpus: Path):
    (tmp_path / "empty.txt").write_bytes(b"")
    result = run("newsdesk", "replay", str(tmp_path / "empty.txt"), "--db", str(corpus))
    assert result.returncode != 0
    assert "0 new" in result.stdout and "1 failed" in result.stdout
    assert count(corpus, "failures") == 1


def test_sidecar_json_gives_url_and_outlet(tmp_path: Path, corpus: Path):
    seed = next(SEEDS.glob("001_*.txt"))
    shutil.copy(seed, tmp_path / "story.txt")
    (tmp_path / "story.json").write_text(json.dumps({"url": "https://example.org/kim-limo", "outlet": "Example Daily"}))
    assert run("newsdesk", "replay", str(tmp_path), "--db", str(corpus)).returncode == 0
    rows = json.loads(run("sqlite-utils", str(corpus), "select url, outlet from articles").stdout)
    assert rows == [{"url": "https://example.org/kim-limo", "outlet": "Example Daily"}]


def test_extract_prints_article_json_for_an_html_page():
    page = FIXTURES / "pages" / "harbour-bridge.html"
    result = run("newsdesk", "extract", str(page), "--url", "https://coastalherald.example/news/2024/03/harbour-bridge-approved")
    assert result.returncode == 0, result.stderr
    article = json.loads(result.stdout)
    assert article["title"] == "City council approves new harbour bridge after decade of debate"
    assert "ending more than ten years of debate" in article["body"]
    assert "asked the council to plan for the workers affected." in article["body"]
    for furniture in ("Subscribe to our Newsletter", "Related Articles", "All rights reserved", "artist's impression"):
        assert furniture not in article["body"]
    assert article["authors"] == ["Maria Lindqvist"]
    assert "byline" in article
    assert article["published"].startswith("2024-03-14")
    assert article["outlet"] == "The Coastal Herald"
    assert article["language"] == "en"


def test_extract_reports_a_bad_file_in_one_line(tmp_path: Path):
    (tmp_path / "x.html").write_bytes(b"%PDF-1.7\n" + os.urandom(500))
    result = run("newsdesk", "extract", str(tmp_path / "x.html"))
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0 and "PDF document" in result.stderr


def test_stats_summarizes_the_corpus(corpus: Path):
    run("newsdesk", "replay", str(SEEDS), "--db", str(corpus))
    result = run("newsdesk", "stats", "--db", str(corpus), "--json")
    summary = json.loads(result.stdout)
    assert summary["counts"]["articles"] == 5
    assert summary["by_language"] == {"en": 5}
    assert summary["by_outlet"]["Al Jazeera"] == 1


def test_extract_reads_xhtml_that_opens_with_an_xml_declaration():
    result = run("newsdesk", "extract", str(FIXTURES / "pages" / "xhtml-declaration.html"))
    assert result.returncode == 0, result.stderr
    article = json.loads(result.stdout)
    assert "XML-Deklaration beginnt." in article["body"]
    assert article["language"] == "de"
