"""Web archives: WARC/ARC replay (gzipped or not) with every record accounted for, fetch times from the record,
revisits, damaged records, filters, checkpoints and resuming; WARC written by crawls and by export, round trips."""

from __future__ import annotations

import io
import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from conftest import query, wait_for_count
from hostile_inputs import PARAGRAPH, TITLES, article_html, paragraphs
from newsdesk.corpus.inputs import FILTERED_DOMAIN, FILTERED_LANGUAGE, FILTERED_SINCE, FILTERED_UNTIL
from newsdesk.corpus.replay import SKIP_REVISIT_UNKNOWN, replay
from newsdesk.corpus.store import Store
from newsdesk.corpus.warc import SKIP_ARCHIVE_DONE, HttpExchange, RotatingWarcWriter

BIN = Path(sys.executable).parent
ENGLISH = ("The city council voted on Wednesday evening, after a long debate, to repair the old bridge over the river "
           "and to build a new cycle path along the bank at the same time. The city and the region will share the costs; "
           "the work is to begin next spring and will take two years to finish.")


def page(number: int, text: str = PARAGRAPH, lang: str = "de", published: str | None = None) -> bytes:
    meta = f'<meta property="article:published_time" content="{published}">' if published else ""
    html = article_html(paragraphs(text, 3), title=TITLES[number % len(TITLES)] + f" ({number})", lang=lang)
    return html.replace("<head>", f"<head>{meta}", 1).encode("utf-8")


class ArchiveBuilder:
    """A WARC written with warcio, record by record; remembers each record's date and kind."""

    def __init__(self, path: Path, gzip: bool = True):
        self.path = path
        self.handle = open(path, "wb")
        self.writer = WARCWriter(self.handle, gzip=gzip, warc_version="1.1")
        self.writer.write_record(self.writer.create_warcinfo_record(path.name, {"software": "newsdesk tests"}))
        self.responses: dict[str, object] = {}

    def response(self, url: str, body: bytes, *, status: str = "200 OK", content_type: str = "text/html; charset=utf-8",
                 date: str = "2024-03-01T10:00:00Z"):
        headers = StatusAndHeaders(status, [("Content-Type", content_type)], protocol="HTTP/1.1")
        record = self.writer.create_warc_record(url, "response", payload=io.BytesIO(body), length=len(body),
                                                http_headers=headers, warc_headers_dict={"WARC-Date": date})
        self.writer.write_record(record)
        self.responses[url] = record
        return record

    def revisit(self, url: str, original: str, date: str) -> None:
        record = self.responses[original]
        self.writer.write_record(self.writer.create_revisit_record(
            url, record.rec_headers.get_header("WARC-Payload-Digest"), original,
            record.rec_headers.get_header("WARC-Date"), warc_headers_dict={"WARC-Date": date}))

    def raw(self, data: bytes) -> None:
        self.handle.flush()
        self.handle.write(data)

    def close(self, cut: int = 0) -> Path:
        self.handle.close()
        if cut:
            data = self.path.read_bytes()
            self.path.write_bytes(data[:-cut])
        return self.path


def mixed_archive(path: Path, gzip: bool, cut: int = 300) -> Path:
    """Three article pages, a revisit of the first, a PDF, a 404, a page whose charset header is wrong, and a
    last page cut short."""
    archive = ArchiveBuilder(path, gzip)
    archive.response("https://news.example.org/2024/03/bridge-1.html", page(1), date="2024-03-01T10:00:00Z")
    archive.response("https://news.example.org/2024/03/bridge-2.html", page(2), date="2024-03-02T11:30:00Z")
    archive.revisit("https://news.example.org/2024/03/bridge-1.html?utm_source=feed", "https://news.example.org/2024/03/bridge-1.html",
                    "2024-03-05T08:00:00Z")
    archive.response("https://news.example.org/files/report.pdf", b"%PDF-1.4\n" + bytes(range(256)) * 4,
                     content_type="application/pdf", date="2024-03-02T12:00:00Z")
    archive.response("https://news.example.org/gone.html", b"<html><body>Not found</body></html>", status="404 Not Found",
                     date="2024-03-02T12:01:00Z")
    archive.response("https://news.example.org/2024/03/bridge-3.html", page(3), content_type="text/html; charset=iso-8859-1",
                     date="2024-03-03T09:15:00Z")
    archive.response("https://news.example.org/2024/03/bridge-4.html", page(4), date="2024-03-04T09:15:00Z")
    return archive.close(cut=cut)


@pytest.mark.slow  # extraction workers or newsdesk commands
@pytest.mark.parametrize("gzip", [True, False], ids=["warc.gz", "warc"])
def test_every_record_is_accounted_for_with_fetch_times_from_the_record(tmp_path: Path, store: Store, gzip: bool):
    archive = mixed_archive(tmp_path / ("crawl.warc.gz" if gzip else "crawl.warc"), gzip)
    results = []
    summary = replay([archive], store, workers=2, on_result=results.append)
    assert summary.to_dict() == {"new": 3, "updated": 0, "unchanged": 1, "failed": 1, "skipped": 3, "inputs": 8,
                                 "skipped_reasons": {"not a page": 1, "not an HTML page": 1, "HTTP 404": 1}}
    statuses = [result.status for result in results]
    assert statuses == ["skipped", "new", "new", "unchanged", "skipped", "skipped", "new", "failed"], \
        [(result.status, result.reason) for result in results]
    reasons = [result.reason for result in results]
    assert reasons[0] == "not a page (warcinfo record)"
    assert reasons[4] == "not an HTML page (Content-Type application/pdf)" and reasons[5] == "HTTP 404 (Not Found)"
    assert reasons[3] == "revisit of https://news.example.org/2024/03/bridge-1.html"
    assert results[-1].reason.startswith("truncated record") and results[-1].origin.startswith(f"{archive}#")
    offset = int(results[-1].origin.rsplit("#", 1)[1])
    assert 0 < offset < archive.stat().st_size
    [(origin, stage, reason)] = [tuple(row) for row in store.db.execute("select origin, stage, reason from failures")]
    assert (origin, stage) == (results[-1].origin, "read") and reason == results[-1].reason
    fetched = dict(store.db.execute("select url, fetched_at from fetched_urls").fetchall())
    assert fetched == {
        "https://news.example.org/2024/03/bridge-1.html": "2024-03-01T10:00:00+00:00",
        "https://news.example.org/2024/03/bridge-2.html": "2024-03-02T11:30:00+00:00",
        "https://news.example.org/2024/03/bridge-1.html?utm_source=feed": "2024-03-05T08:00:00+00:00",
        "https://news.example.org/2024/03/bridge-3.html": "2024-03-03T09:15:00+00:00",
    }
    raw_times = {row[0]: row[1] for row in store.db.execute("select url, fetched_at from raw_documents")}
    assert raw_times["https://news.example.org/2024/03/bridge-2.html"] == "2024-03-02T11:30:00+00:00"
    revisit = store.fetch_record("https://news.example.org/2024/03/bridge-1.html?utm_source=feed")
    assert revisit.article_id == store.fetch_record("https://news.example.org/2024/03/bridge-1.html").article_id, \
        "the revisit points at the article it repeats"
    bodies = {row["url"]: row["body"] for row in store.articles()}
    assert "Frühjahr beginnen" in bodies["https://news.example.org/2024/03/bridge-3.html"], \
        "the wrong charset header is not believed"
    assert "Ã" not in bodies["https://news.example.org/2024/03/bridge-3.html"]


def test_a_truncated_last_gzip_member_is_one_failure_with_its_offset(tmp_path: Path, store: Store):
    archive = ArchiveBuilder(tmp_path / "cut.warc.gz")
    archive.response("https://news.example.org/2024/03/bridge-1.html", page(1))
    archive.response("https://news.example.org/2024/03/bridge-2.html", page(2))
    path = archive.close(cut=100)  # the last member is cut inside its compressed data: warcio alone drops it silently
    results = []
    summary = replay([path], store, workers=0, on_result=results.append)
    assert (summary.counts["new"], summary.counts["failed"]) == (1, 1)
    assert results[-1].status == "failed" and "truncated record at offset" in results[-1].reason
    offset = results[-1].origin.rsplit("#", 1)[1]
    assert results[-1].origin == f"{path}#{offset}" and f"at offset {offset}" in results[-1].reason


@pytest.mark.parametrize("gzip", [True, False], ids=["warc.gz", "warc"])
def test_a_corrupt_record_in_the_middle_costs_itself_and_replay_goes_on(tmp_path: Path, store: Store, gzip: bool):
    archive = ArchiveBuilder(tmp_path / ("damaged.warc.gz" if gzip else "damaged.warc"), gzip)
    archive.response("https://news.example.org/2024/03/bridge-1.html", page(1))
    archive.raw(b"\x00garbage that is no record at all\r\n" * 20)
    archive.response("https://news.example.org/2024/03/bridge-2.html", page(2))
    results = []
    summary = replay([archive.close()], store, workers=0, on_result=results.append)
    assert (summary.counts["new"], summary.counts["failed"]) == (2, 1), [(r.status, r.reason) for r in results]
    failure = next(result for result in results if result.status == "failed")
    assert failure.reason.startswith("corrupt record at offset") and "replay went on at offset" in failure.reason


def snapshot(store: Store) -> dict[str, list]:
    return {table: [tuple(row) for row in store.db.execute(f"select * from {table} order by 1")]
            for table in ("articles", "raw_documents", "fetched_urls", "failures", "article_versions")}


def test_replaying_the_same_archive_again_changes_nothing(tmp_path: Path, store: Store):
    archive = mixed_archive(tmp_path / "crawl.warc.gz", True)
    replay([archive], store, workers=0)
    before = snapshot(store)
    again = replay([archive], store, workers=0)
    assert again.to_dict()["skipped_reasons"] == {SKIP_ARCHIVE_DONE.split(" (")[0]: 1} and again.total == 1
    assert snapshot(store) == before
    from_start = replay([archive], store, workers=0, from_start=True)
    assert (from_start.counts["new"], from_start.counts["updated"], from_start.counts["unchanged"]) == (0, 0, 4)
    after = snapshot(store)
    assert after["articles"] == before["articles"] and after["raw_documents"] == before["raw_documents"]


@pytest.mark.slow  # extraction workers or newsdesk commands
def test_a_replay_stopped_halfway_resumes_where_it_stopped(tmp_path: Path, store: Store):
    archive = ArchiveBuilder(tmp_path / "many.warc.gz")
    for number in range(12):
        archive.response(f"https://news.example.org/2024/03/story-{number}.html", page(number))
    path = archive.close()
    settled = []

    def stop_after_five(result):
        settled.append(result)
        if len(settled) == 6:  # the warcinfo record and five stories
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        replay([path], store, workers=2, on_result=stop_after_five)
    stored_first = store.counts()["articles"]
    assert stored_first == 5
    rest = replay([path], store, workers=2)
    assert (rest.counts["new"], rest.counts["unchanged"], rest.counts["skipped"]) == (7, 0, 0), rest.to_dict()
    assert store.counts()["articles"] == 12
    assert store.db.execute("select count(*), count(distinct url) from articles").fetchone() == (12, 12)


@pytest.mark.slow  # extraction workers or newsdesk commands
def test_a_replay_killed_with_sigkill_resumes_and_duplicates_nothing(tmp_path: Path):
    # Enough records that the replay is killed between two of its committed batches (about one a second).
    total = 240
    archive = ArchiveBuilder(tmp_path / "many.warc.gz")
    for number in range(total):
        archive.response(f"https://news.example.org/2024/03/story-{number}.html", page(number))
    path = archive.close()
    db = tmp_path / "corpus.db"
    command = [str(BIN / "newsdesk"), "replay", str(path), "--db", str(db), "--json", "--workers", "1"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    stored = wait_for_count(db, "select count(*) from articles", 8)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert 8 <= stored < total
    first = query(db, "select count(*) from articles")[0][0]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600)
    counts = json.loads(result.stdout)
    # The killed batch was committed with its checkpoint or not at all: nothing is stored twice or lost.
    assert counts["new"] + first == total and counts["unchanged"] <= 1, counts
    assert tuple(query(db, "select count(*), count(distinct url) from articles")[0]) == (total, total)


def test_filters_apply_before_extraction_where_the_record_decides(tmp_path: Path, store: Store):
    archive = ArchiveBuilder(tmp_path / "filters.warc.gz")
    archive.response("https://news.example.org/2024/03/german.html", page(1, published="2024-03-10"), date="2024-03-11T00:00:00Z")
    archive.response("https://news.example.org/2024/03/english.html", page(2, ENGLISH, "en", published="2024-03-10"),
                     date="2024-03-11T00:00:00Z")
    archive.response("https://other.example.com/2024/03/elsewhere.html", page(3, published="2024-03-10"),
                     date="2024-03-11T00:00:00Z")
    archive.response("https://news.example.org/2024/01/old-fetch.html", page(4, published="2024-01-02"),
                     date="2024-01-03T00:00:00Z")
    archive.response("https://news.example.org/2024/04/late.html", page(5, published="2024-04-20"), date="2024-04-21T00:00:00Z")
    path = archive.close()
    extracted = []

    from newsdesk.corpus.inputs import ReplayFilters
    from newsdesk.corpus.ingest import extract_stage

    def recording(document, articles_only):
        extracted.append(document.url)
        return extract_stage(document, articles_only)

    results = []
    replay([path], store, workers=0, function=recording, on_result=results.append,
           filters=ReplayFilters(domains=("example.org",), languages=("de",), since="2024-03-01", until="2024-03-31"))
    outcomes = {result.origin: (result.status, result.reason) for result in results
                if result.status != "skipped" or "warcinfo" not in result.reason}
    assert [status for status, _ in outcomes.values()] == ["new", "skipped", "skipped", "skipped", "skipped"]
    assert [reason for _, reason in list(outcomes.values())[1:]] == [FILTERED_LANGUAGE, FILTERED_DOMAIN, FILTERED_SINCE,
                                                                       FILTERED_UNTIL]
    assert extracted == ["https://news.example.org/2024/03/german.html", "https://news.example.org/2024/03/english.html",
                         "https://news.example.org/2024/04/late.html"], \
        "the domain and an early fetch date decide before extraction"


def test_a_revisit_of_a_record_never_stored_is_skipped_with_its_reason(tmp_path: Path, store: Store):
    archive = ArchiveBuilder(tmp_path / "revisit.warc")
    archive.responses["https://news.example.org/missing.html"] = archive.writer.create_warc_record(
        "https://news.example.org/missing.html", "response", payload=io.BytesIO(b"x"), length=1,
        http_headers=StatusAndHeaders("200 OK", [], protocol="HTTP/1.1"))
    archive.revisit("https://news.example.org/again.html", "https://news.example.org/missing.html", "2024-03-05T08:00:00Z")
    results = []
    replay([archive.close()], store, workers=0, on_result=results.append)
    assert [(result.status, result.reason) for result in results][-1] == ("skipped", SKIP_REVISIT_UNKNOWN)


def test_an_arc_file_is_replayed_like_a_warc(tmp_path: Path, store: Store):
    body = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n" + page(6)
    header = (b"filedesc://test.arc 0.0.0.0 20240301100000 text/plain 69\n1 0 newsdesk\n"
              b"URL IP-address Archive-date Content-type Archive-length\n")
    record = b"http://news.example.org/2024/03/arc-story.html 127.0.0.1 20240302101500 text/html %d\n" % len(body) + body + b"\n"
    (tmp_path / "old.arc").write_bytes(header + b"\n" + record)
    summary = replay([tmp_path], store, workers=0)
    assert summary.counts["new"] == 1, summary.to_dict()
    assert store.fetch_record("http://news.example.org/2024/03/arc-story.html").fetched_at == "2024-03-02T10:15:00+00:00"


def test_warc_files_are_written_as_warc_1_1_with_payload_digests_and_rotated(tmp_path: Path):
    writer = RotatingWarcWriter(tmp_path / "out", max_bytes=4_000)
    for number in range(6):
        writer.write_exchange(HttpExchange(f"https://news.example.org/{number}.html", 200, [("Content-Type", "text/html")],
                                           page(number), request_headers=[("User-Agent", "newsdesk")]))
    writer.close()
    files = sorted((tmp_path / "out").glob("*.warc.gz"))
    assert len(files) >= 2 and not list((tmp_path / "out").glob("*.open")), "rotated, and every file closed"
    kinds = []
    for path in files:
        with open(path, "rb") as handle:
            for record in ArchiveIterator(handle, check_digests=True):
                assert record.rec_headers.protocol == "WARC/1.1"
                kinds.append(record.rec_type)
                if record.rec_type == "response":
                    assert record.rec_headers.get_header("WARC-Payload-Digest").startswith("sha1:")
                    record.content_stream().read()
    assert kinds.count("response") == kinds.count("request") == 6 and kinds.count("warcinfo") == len(files)


def articles_by_url(db: Path) -> dict:
    compared = ("title", "body", "authors", "published", "outlet", "language", "credits")
    return {row["url"] or row["content_hash"]: {key: row[key] for key in compared}
            for row in query(db, "select * from articles")}


@pytest.mark.slow  # extraction workers or newsdesk commands
def test_crawl_warc_out_and_export_both_replay_to_the_same_articles(tmp_path: Path, site):
    crawl_db, warcs = tmp_path / "crawl.db", tmp_path / "warc"
    crawl = subprocess.run([str(BIN / "newsdesk"), "crawl", site.base_url + "/", "--db", str(crawl_db), "--warc-out", str(warcs),
                            "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=0", "-s", "NEWSDESK_PROGRESS_INTERVAL=0"],
                           capture_output=True, text=True, timeout=600)
    assert crawl.returncode == 0, crawl.stderr
    crawled = articles_by_url(crawl_db)
    assert len(crawled) >= 30
    replayed_db = tmp_path / "replayed.db"
    replayed = subprocess.run([str(BIN / "newsdesk"), "replay", str(warcs), "--db", str(replayed_db), "--json"],
                              capture_output=True, text=True, timeout=600)
    assert json.loads(replayed.stdout)["failed"] == 0
    assert articles_by_url(replayed_db) == crawled
    seeds = Path(__file__).parent.parent / "seeds"
    subprocess.run([str(BIN / "newsdesk"), "replay", str(seeds), "--db", str(crawl_db)], check=True, timeout=300)
    exported, exported_db = tmp_path / "corpus.warc.gz", tmp_path / "exported.db"
    subprocess.run([str(BIN / "newsdesk"), "export", "--db", str(crawl_db), "--warc", str(exported)], check=True, timeout=300)
    subprocess.run([str(BIN / "newsdesk"), "replay", str(exported), "--db", str(exported_db)], check=True, timeout=600)
    assert articles_by_url(exported_db) == articles_by_url(crawl_db), "crawled pages and replayed files alike"
