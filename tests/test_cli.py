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
    assert "5 new, 0 updated, 0 unchanged, 0 failed, 0 skipped" in first.stdout
    second = run("newsdesk", "replay", str(SEEDS), "--db", str(corpus))
    assert second.returncode == 0
    assert "0 new, 0 updated, 5 unchanged, 0 failed, 0 skipped" in second.stdout
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
    assert process.stdout.read().decode().strip() == f"replay: 5 new, 0 updated, 0 unchanged, 0 failed, 0 skipped -> {corpus}"


def test_the_corpus_defaults_to_data_articles_db(tmp_path: Path):
    result = run("newsdesk", "replay", str(SEEDS), "--quiet", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout.strip() == "replay: 5 new, 0 updated, 0 unchanged, 0 failed, 0 skipped -> data/articles.db"
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


def test_a_broken_sidecar_is_warned_about_on_one_line_and_its_page_still_replayed(tmp_path: Path, corpus: Path):
    seeds = sorted(SEEDS.glob("*.txt"))
    shutil.copy(seeds[0], tmp_path / "broken.txt")
    (tmp_path / "broken.json").write_text('{"url": "https://example.org/a", ')  # cut off mid-object
    shutil.copy(seeds[1], tmp_path / "listed.txt")
    (tmp_path / "listed.json").write_text('["https://example.org/b"]')  # JSON, but not an object
    result = run("newsdesk", "replay", str(tmp_path), "--db", str(corpus), "--quiet")
    assert result.returncode == 0, result.stderr
    assert "2 new" in result.stdout
    warnings = result.stderr.strip().splitlines()
    assert len(warnings) == 2, result.stderr
    assert warnings[0].startswith(f"warning: sidecar {tmp_path / 'broken.json'} ignored (not valid JSON: ")
    assert warnings[0].endswith("; broken.txt replayed without it")
    assert f"{tmp_path / 'listed.json'} ignored (expected a JSON object, got list)" in warnings[1]
    assert "Traceback" not in result.stderr
    rows = json.loads(run("sqlite-utils", str(corpus), "select url from articles").stdout)
    assert rows == [{"url": None}, {"url": None}], "both pages stored, without the broken sidecars' URLs"
    assert count(corpus, "failures") == 0


def test_extract_reads_standard_input_given_as_a_dash():
    page = (FIXTURES / "pages" / "harbour-bridge.html").read_bytes()
    result = subprocess.run([str(BIN / "newsdesk"), "extract", "-", "--url", "https://coastalherald.example/x"],
                            input=page, capture_output=True, timeout=300)
    assert result.returncode == 0, result.stderr
    article = json.loads(result.stdout)
    assert article["title"] == "City council approves new harbour bridge after decade of debate"
    assert article["url"] == "https://coastalherald.example/x"
    empty = subprocess.run([str(BIN / "newsdesk"), "extract", "-"], input=b"", capture_output=True, timeout=300)
    assert empty.returncode == 1
    assert empty.stderr.decode().strip() == "newsdesk extract: standard input: empty input (no bytes or only whitespace)"


def test_extract_fetches_a_url_once_politely_after_robots_txt(site):
    story = next(article for article in site.articles if article["path"].startswith("/news/"))
    result = run("newsdesk", "extract", story["url"])
    assert result.returncode == 0, result.stderr
    article = json.loads(result.stdout)
    assert article["title"] == story["title"]
    assert article["url"] == story["url"], "the fetched page's own URL, without --url"
    assert [record.path for record in site.request_log] == ["/robots.txt", story["path"]], "robots.txt, then one fetch"
    assert all(record.headers.get("User-Agent", "").startswith("newsdesk/") for record in site.request_log)

    site.clear_log()
    refused = run("newsdesk", "extract", site.base_url + "/private/secret.html")  # Disallow: /private/ in robots.txt
    assert refused.returncode == 2
    assert refused.stderr.strip() == (f"newsdesk extract: cannot fetch {site.base_url}/private/secret.html: "
                                      "refused by the site's robots.txt")
    assert [record.path for record in site.request_log] == ["/robots.txt"], "the page itself is never asked for"

    missing = run("newsdesk", "extract", site.base_url + "/missing-article.html")
    assert (missing.returncode, missing.stderr.strip()) == (
        2, f"newsdesk extract: cannot fetch {site.base_url}/missing-article.html: HTTP 404 (Not Found)")


def test_extract_says_in_one_line_when_a_url_cannot_be_reached(tmp_path: Path):
    import socket

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = run("newsdesk", "extract", f"http://127.0.0.1:{port}/news/story.html")
    assert result.returncode == 2
    assert result.stderr.strip() == f"newsdesk extract: cannot fetch http://127.0.0.1:{port}/news/story.html: connection refused"
    assert result.stdout == ""


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


# --- database problems: one line and a non-zero exit, never a traceback --------------------------------

def store_commands(db: Path, tmp_path: Path) -> dict[str, list[str]]:
    """Every command that opens the corpus, with arguments that would otherwise work."""
    jobs = tmp_path / "jobs.toml"
    jobs.write_text('[[job]]\nname = "nightly"\nstart_urls = ["http://127.0.0.1:9/"]\n')
    return {
        "replay": ["replay", str(SEEDS), "--db", str(db)],
        "stats": ["stats", "--db", str(db)],
        "reextract": ["reextract", "--db", str(db)],
        "jobs history": ["jobs", "history", "--db", str(db)],
        "jobs run": ["jobs", "run", "nightly", "--jobs", str(jobs), "--db", str(db)],
        "crawl": ["crawl", "http://127.0.0.1:9/", "--db", str(db)],
        "export": ["export", "--warc", str(tmp_path / "out.warc.gz"), "--db", str(db)],
        "stories": ["stories", "--db", str(db)],
        "story": ["story", "1", "--db", str(db)],
    }


def test_every_command_refuses_a_file_that_is_not_sqlite_in_one_line(tmp_path: Path):
    db = tmp_path / "notes.db"
    db.write_bytes(b"These are my notes, not a database. " * 100)
    for command, arguments in store_commands(db, tmp_path).items():
        result = run("newsdesk", *arguments)
        assert result.returncode == 1, (command, result.stdout, result.stderr)
        assert result.stderr.strip() == f"newsdesk {command}: {db} is not a SQLite database", (command, result.stderr)
        assert result.stdout == ""
    assert db.read_bytes().startswith(b"These are my notes"), "nothing was written to it"


def test_a_read_only_corpus_is_refused_in_one_line_by_every_command_that_writes(tmp_path: Path):
    from conftest import run_unprivileged

    db = tmp_path / "corpus.db"
    assert run("newsdesk", "replay", str(SEEDS), "--db", str(db)).returncode == 0
    db.chmod(0o444)
    commands = store_commands(db, tmp_path)
    for command in ("replay", "reextract", "jobs run", "crawl", "stories"):
        extra = {"reextract": ["--all"], "stories": ["--rebuild"]}.get(command, [])
        arguments = [*commands[command], *extra]
        result = run_unprivileged([str(BIN / "newsdesk"), *arguments])
        assert result.returncode == 1, (command, result.stdout, result.stderr)
        assert result.stderr.strip().splitlines()[-1] == f"newsdesk {command}: {db} is read-only", (command, result.stderr)
        assert "Traceback" not in result.stdout + result.stderr
    stats = run_unprivileged([str(BIN / "newsdesk"), "stats", "--db", str(db), "--json"])
    assert stats.returncode == 0 and json.loads(stats.stdout)["counts"]["articles"] == 5, "reading still works"


def test_a_read_only_folder_is_refused_in_one_line(tmp_path: Path):
    from conftest import run_unprivileged

    folder = tmp_path / "locked-away"
    folder.mkdir()
    folder.chmod(0o555)
    result = run_unprivileged([str(BIN / "newsdesk"), "replay", str(SEEDS), "--db", str(folder / "corpus.db")])
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip() == f"newsdesk replay: cannot open {folder / 'corpus.db'} (is its folder there and writable?)"


def test_a_corpus_locked_too_long_is_refused_in_one_line(tmp_path: Path):
    import sqlite3

    db = tmp_path / "corpus.db"
    assert run("newsdesk", "replay", str(SEEDS), "--db", str(db)).returncode == 0
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another writer that does not let go
    try:
        result = subprocess.run([str(BIN / "newsdesk"), "replay", str(SEEDS), "--db", str(db)], capture_output=True,
                                text=True, timeout=120, env={**os.environ, "NEWSDESK_BUSY_TIMEOUT": "0.5"})
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip() == f"newsdesk replay: {db} stayed locked by another process for more than 0.5s"


def test_reextract_refuses_a_missing_corpus_instead_of_creating_one(tmp_path: Path):
    result = run("newsdesk", "reextract", "--db", str(tmp_path / "nothing.db"))
    assert result.returncode == 1
    assert result.stderr.strip() == (f"newsdesk reextract: no corpus at {tmp_path / 'nothing.db'} "
                                     "(run `newsdesk replay` or `newsdesk crawl` first)")
    assert not (tmp_path / "nothing.db").exists()


def test_replaying_the_same_bad_file_again_counts_its_failure_up(tmp_path: Path, corpus: Path):
    (tmp_path / "empty.txt").write_bytes(b"")
    for _ in range(3):
        run("newsdesk", "replay", str(tmp_path / "empty.txt"), "--db", str(corpus))
    rows = json.loads(run("sqlite-utils", str(corpus), "select origin, count from failures").stdout)
    assert rows == [{"origin": str(tmp_path / "empty.txt"), "count": 3}]


def test_stories_lists_the_seeds_as_one_story_with_their_outlets(corpus: Path):
    pact = FIXTURES / "stories" / "putin-kim-pact.txt"
    assert run("newsdesk", "replay", str(SEEDS), str(pact), "--db", str(corpus)).returncode == 0
    listed = run("newsdesk", "stories", "--db", str(corpus), "--json")
    assert listed.returncode == 0, listed.stderr
    stories = json.loads(listed.stdout)
    assert [story["article_count"] for story in stories] == [5, 1], "newest first: the seeds' story has a 2024-09-16 member"
    seeds_story = stories[0]
    assert seeds_story["outlets"] == ["ANI", "Al Jazeera", "Arena Holdings", "Fox News"] and seeds_story["outlet_count"] == 4
    assert seeds_story["first_published"] == "2024-02-20T09:20" and seeds_story["last_published"] == "2024-09-16"
    assert [story["story_id"] for story in json.loads(run(
        "newsdesk", "stories", "--db", str(corpus), "--json", "--min-outlets", "2").stdout)] == [seeds_story["story_id"]]
    assert json.loads(run("newsdesk", "stories", "--db", str(corpus), "--json", "--since", "2024-10-01").stdout) == []
    table = run("newsdesk", "stories", "--db", str(corpus))
    assert table.returncode == 0 and "Jazeera" in table.stdout and "Baby you can" in table.stdout
    seeds_line = next(line for line in table.stdout.splitlines() if "Baby you can" in line)  # piped: whole rows
    assert seeds_line.split("\t")[4:] == ["5", "4: ANI, Al Jazeera, Arena Holdings, Fox News"]

    shown = run("newsdesk", "story", str(seeds_story["story_id"]), "--db", str(corpus), "--json")
    assert shown.returncode == 0, shown.stderr
    members = json.loads(shown.stdout)["articles"]
    assert len(members) == 5 and {member["outlet"] for member in members} >= {"ANI", "Al Jazeera", "Fox News"}
    assert "Baby you can drive my car" in run("newsdesk", "story", str(seeds_story["story_id"]), "--db", str(corpus)).stdout


def test_stories_rebuild_recomputes_the_same_stories(corpus: Path):
    run("newsdesk", "replay", str(SEEDS), str(FIXTURES / "stories"), "--db", str(corpus))
    before = run("newsdesk", "stories", "--db", str(corpus), "--json").stdout
    rebuilt = run("newsdesk", "stories", "--rebuild", "--db", str(corpus), "--json")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "rebuilt" in rebuilt.stderr and "from 12 articles" in rebuilt.stderr
    assert json.loads(rebuilt.stdout) == json.loads(before)
    story_rows = run("sqlite-utils", str(corpus), "select story_id, count(*) as n from articles group by 1 order by 2 desc")
    assert [row["n"] for row in json.loads(story_rows.stdout)] == [5, 2, 2, 1, 1, 1]


def test_stories_and_story_explain_mistakes_on_one_line(corpus: Path, tmp_path: Path):
    missing = run("newsdesk", "stories", "--db", str(tmp_path / "none.db"))
    assert missing.returncode == 1 and "no corpus" in missing.stderr and "Traceback" not in missing.stderr
    run("newsdesk", "replay", str(SEEDS), "--db", str(corpus))
    unknown = run("newsdesk", "story", "999", "--db", str(corpus))
    assert unknown.returncode == 1 and unknown.stderr.strip() == "newsdesk story: no story 999"
    bad_date = run("newsdesk", "stories", "--since", "last week", "--db", str(corpus))
    assert bad_date.returncode == 2 and "expected a date like 2024-02-20" in bad_date.stderr
