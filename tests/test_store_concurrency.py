"""The corpus under concurrency: a crawl and replays writing one database at once, and writers killed mid-write."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import SEEDS, wait_for_count
from newsdesk.devtools.loopback_site import LoopbackNewsSite

pytestmark = pytest.mark.slow  # Writers in processes of their own.

BIN = Path(sys.executable).parent
WRITER = """
import sys
from extractors import Article, Document
from newsdesk.corpus.store import Store
store = Store(sys.argv[1])
for number in range(int(sys.argv[3])):
    document = Document(content=f"{sys.argv[2]}-{number}".encode(), url=f"https://example.org/{sys.argv[2]}/{number}")
    article = Article(url=document.url, title=f"{sys.argv[2]} {number}", body="word " * 60)
    store.save_article(article, document, store.save_raw(document))
    store.record_failure(document.url, "test", "a failure row too")
print("done", flush=True)
"""


def make_captures(folder: Path, copies: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    seeds = sorted(SEEDS.glob("*.txt"))
    for number in range(copies):
        lines = seeds[number % len(seeds)].read_text(encoding="utf-8").splitlines()
        # A sentence of its own in the middle of the body makes every copy a distinct article.
        lines.insert(len(lines) // 3,
                     f"This is copy number {number} of the story, made so that the test has many distinct articles to write.")
        (folder / f"capture-{number:04d}.txt").write_text("\n".join(lines), encoding="utf-8")


def test_a_crawl_and_a_replay_write_one_database_at_once(tmp_path):
    db = tmp_path / "corpus.db"
    make_captures(tmp_path / "captures", 60)
    with LoopbackNewsSite() as site:
        crawl = subprocess.Popen([str(BIN / "newsdesk"), "crawl", site.base_url + "/", "--db", str(db),
                                  "-s", "AUTOTHROTTLE_START_DELAY=0.02", "-s", "DOWNLOAD_DELAY=0"],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        replay = subprocess.run([str(BIN / "newsdesk"), "replay", str(tmp_path / "captures"), "--db", str(db)],
                                capture_output=True, text=True, timeout=300)
        crawl_out, crawl_err = crawl.communicate(timeout=300)
        expected_crawled = len(site.articles)
    for output in (replay.stdout + replay.stderr, crawl_out + crawl_err):
        assert "locked" not in output and "Traceback" not in output, output[-2000:]
    assert replay.returncode == 0 and crawl.returncode == 0
    connection = sqlite3.connect(db)
    assert connection.execute("select count(*) from articles where source = 'crawl'").fetchone()[0] == expected_crawled
    assert connection.execute("select count(*) from articles where source = 'replay'").fetchone()[0] == 60
    assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_parallel_writers_lose_nothing(tmp_path):
    db = tmp_path / "corpus.db"
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, str(db), f"writer{n}", "150"], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True) for n in range(3)]
    results = [writer.communicate(timeout=300) for writer in writers]
    for (out, err), writer in zip(results, writers):
        assert writer.returncode == 0 and out.strip() == "done", err[-2000:]
    connection = sqlite3.connect(db)
    assert connection.execute("select count(*) from articles").fetchone()[0] == 450
    assert connection.execute("select count(*) from failures").fetchone()[0] == 450
    assert connection.execute("select count(*) from articles_fts").fetchone()[0] == 450


def test_a_replay_killed_mid_write_leaves_a_consistent_database(tmp_path):
    db = tmp_path / "corpus.db"
    make_captures(tmp_path / "captures", 400)
    process = subprocess.Popen([str(BIN / "newsdesk"), "replay", str(tmp_path / "captures"), "--db", str(db)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    wait_for_count(db, "select count(*) from articles", 30)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    connection = sqlite3.connect(db)
    assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    stored = connection.execute("select count(*) from articles").fetchone()[0]
    assert 30 <= stored < 400, "killed mid-way, nothing committed lost"
    assert connection.execute("select count(*) from articles_fts").fetchone()[0] == stored, "search index consistent"
    connection.close()
    rerun = subprocess.run([str(BIN / "newsdesk"), "replay", str(tmp_path / "captures"), "--db", str(db)],
                           capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0
    assert sqlite3.connect(db).execute("select count(*) from articles").fetchone()[0] == 400


OPENER = """
import sys
from newsdesk.corpus.store import Store
print("ready", flush=True)
sys.stdin.readline()  # every process is imported and waiting: they open the new database together
with Store(sys.argv[1]) as store:
    store.record_failure(sys.argv[2], "test", "opened the new database")
    print(",".join(store.applied_migrations()), flush=True)
"""


def test_processes_opening_a_new_database_at_once_migrate_it_once(tmp_path):
    from newsdesk.corpus.store import MIGRATIONS, Store

    expected = None
    for round_number in range(3):
        db = tmp_path / f"new-{round_number}.db"
        openers = [subprocess.Popen([sys.executable, "-c", OPENER, str(db), f"opener-{n}"], stdin=subprocess.PIPE,
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for n in range(4)]
        for opener in openers:
            assert opener.stdout.readline().strip() == "ready"
        for opener in openers:
            opener.stdin.write("go\n")
            opener.stdin.flush()
        results = [opener.communicate(timeout=120) for opener in openers]
        for (_out, err), opener in zip(results, openers):
            assert opener.returncode == 0 and "Traceback" not in err, err[-2000:]
        with Store(db) as store:
            expected = expected or store.applied_migrations()
        assert {out.strip() for out, _ in results} == {",".join(expected)}, "every process saw the same, complete schema"
        connection = sqlite3.connect(db)
        recorded = [row[0] for row in connection.execute("select name from _sqlite_migrations order by id")]
        assert recorded == expected == [migration.name for migration in MIGRATIONS._migrations], "each migration once"
        assert connection.execute("select count(*) from failures").fetchone()[0] == 4
        connection.close()
