"""Crawls of the loopback news site (a real HTTP server): what is stored, what is never requested,
and what a second crawl does not fetch again."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, query
from crawler.report import CrawlReport
from extractors import extract
from newsdesk.devtools.loopback_site import LoopbackNewsSite

BIN = Path(sys.executable).parent
# Loopback answers in microseconds: start AutoThrottle low so tests do not wait on politeness delays.
FAST = ["-s", "AUTOTHROTTLE_START_DELAY=0.02", "-s", "DOWNLOAD_DELAY=0", "-s", "NEWSDESK_RETRY_BACKOFF_BASE=0.2"]


def crawl(db: Path, *args: str) -> subprocess.CompletedProcess:
    result = subprocess.run([str(BIN / "newsdesk"), "crawl", *args, "--db", str(db), *FAST],
                            capture_output=True, text=True, timeout=240)
    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    return result


def rows(db: Path, sql: str) -> list[dict]:
    return [dict(row) for row in query(db, sql)]


@pytest.fixture(scope="module")
def first_crawl(tmp_path_factory):
    """One full crawl of a fresh site, shared by the tests that only read what it did."""
    with LoopbackNewsSite() as running:
        db = tmp_path_factory.mktemp("crawl") / "corpus.db"
        result = crawl(db, running.base_url + "/")
        yield running, db, result


@pytest.mark.slow
def test_crawl_stores_every_article_once_and_nothing_else(first_crawl):
    site, db, result = first_crawl
    assert result.returncode == 0, result.stderr
    stored = rows(db, "select url, title, body, source, origin from articles")
    expected = {article["url"]: article for article in site.articles}
    assert sorted(row["url"] for row in stored) == sorted(expected), "every article once, no list or navigation page"
    for row in stored:
        article = expected[row["url"]]
        assert row["source"] == "crawl"
        page = site.respond(article["path"], "127.0.0.1", {})[2]
        extracted = extract(page, row["url"])
        assert (row["title"], row["body"]) == (extracted.title, extracted.body), "the crawl stores what replay would extract"
    assert "37 new" in result.stdout and "failed" in result.stdout
    assert "WARNING" not in result.stderr, "middlewares that are off (no WARC folder, no frontier) say nothing"


@pytest.mark.slow
def test_crawl_never_requests_disallowed_or_other_host_urls(first_crawl):
    site, db, _ = first_crawl
    paths = [record.path for record in site.request_log]
    assert not [path for path in paths if path.startswith("/private/")], "robots.txt Disallow is obeyed"
    assert not [record for record in site.request_log if not record.host.startswith("127.0.0.1")], "no other host"
    assert "/redirect-away" in paths, "the redirect itself is on-site"
    assert "/moved.html" not in paths and "/elsewhere.html" not in paths
    failures = rows(db, "select url, reason from failures")
    assert not [row for row in failures if "offsite.invalid" in (row["url"] or "") or "mailto" in (row["url"] or "")]
    for discovery in ("/robots.txt", "/sitemap_index.xml", "/sitemaps/news.xml.gz", "/sitemaps/pages.xml"):
        assert discovery in paths, f"{discovery}: robots.txt Sitemap line -> sitemap index -> (gzipped) sitemaps"
    user_agents = {record.headers.get("User-Agent", "") for record in site.request_log}
    assert all(agent.startswith("newsdesk/") and "contact" in agent for agent in user_agents)


@pytest.mark.slow
def test_dead_links_are_counted_and_503_is_retried_after_its_retry_after(first_crawl):
    site, db, result = first_crawl
    failures = {row["url"]: row for row in rows(db, "select url, stage, reason from failures")}
    assert [record.status for record in site.requests_for("/missing-article.html")] == [404]
    assert site.base_url + "/missing-article.html" not in failures, "a dead link met by following links gets no row"
    assert result.stdout.strip().endswith("; 1 dead links"), result.stdout
    flaky = site.requests_for("/flaky.html")
    assert [record.status for record in flaky] == [503, 200]
    assert flaky[1].time - flaky[0].time >= 0.9, "Retry-After: 1 was honoured"
    assert rows(db, f"select count(*) as n from articles where url = '{site.base_url}/flaky.html'")[0]["n"] == 1
    assert site.base_url + "/flaky.html" not in failures


@pytest.mark.slow
def test_second_crawl_requests_no_known_article_again(site, tmp_path):
    db = tmp_path / "corpus.db"
    crawl(db, site.base_url + "/")
    site.clear_log()
    second = crawl(db, site.base_url + "/")
    article_paths = {article["path"] for article in site.articles}
    assert not [record.path for record in site.request_log if record.path in article_paths]
    assert "0 new" in second.stdout
    assert rows(db, "select count(*) as n from articles")[0]["n"] == len(site.articles)


@pytest.mark.slow
def test_an_article_is_known_by_its_canonical_url_and_every_url_it_was_fetched_under(site, tmp_path):
    db = tmp_path / "corpus.db"
    result = crawl(db, "--feed", site.base_url + "/feed-amp.rss")
    assert result.returncode == 0, result.stderr
    urls = {row["url"] for row in rows(db, "select url from articles")}
    assert len(urls) == 15 and not [url for url in urls if "/amp/" in url], "stored under rel=canonical, not the alias"
    aliases = rows(db, "select url, article_id from fetched_urls where url like '%/amp/%'")
    assert len(aliases) == 15 and all(row["article_id"] for row in aliases), "the alias URLs are remembered too"
    site.clear_log()
    # The RSS feed names the same stories by canonical URL plus tracking parameters, the Atom feed by canonical
    # URL, the AMP feed by the alias again: none of them is fetched a second time.
    second = crawl(db, "--feed", site.base_url + "/feed.rss", "--feed", site.base_url + "/feed.atom",
                   "--feed", site.base_url + "/feed-amp.rss")
    assert second.returncode == 0, second.stderr
    fetched = [record.path for record in site.request_log]
    assert not [path for path in fetched if path.endswith(".html")], fetched
    assert "30 known articles skipped" in second.stdout, "15 by canonical URL, 15 by alias"
    assert rows(db, "select count(*) as n from articles")[0]["n"] == 15


@pytest.mark.slow
def test_allowed_domains_are_followed_by_links_and_redirects(site, tmp_path):
    db = tmp_path / "corpus.db"
    result = crawl(db, site.base_url + "/", "--allow-domain", "localhost")
    assert result.returncode == 0, result.stderr
    other_host = {record.path for record in site.request_log if record.host.startswith("localhost")}
    assert {"/moved.html", "/elsewhere.html"} <= other_host, "the redirect and the link to the allowed host were followed"
    assert rows(db, "select count(*) as n from articles")[0]["n"] == len(site.articles), "its non-article pages are not stored"


def test_a_scrapyd_deploy_finds_the_project_settings():
    # scrapyd-deploy builds an egg from the package metadata; scrapyd reads the settings module from this entry point.
    from configparser import ConfigParser
    from importlib.metadata import entry_points

    assert [(point.name, point.value) for point in entry_points(group="scrapy")] == [("settings", "crawler.settings")]
    config = ConfigParser()
    config.read(ROOT / "scrapy.cfg")
    assert config["settings"]["default"] == "crawler.settings" and config["deploy"]["project"] == "newsdesk"


@pytest.mark.slow
def test_the_spider_runs_under_plain_scrapy_from_the_repository_root(site, tmp_path):
    listed = subprocess.run([str(BIN / "scrapy"), "list"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert listed.returncode == 0 and listed.stdout.split() == ["news"], listed.stderr
    db = tmp_path / "corpus.db"
    result = subprocess.run([str(BIN / "scrapy"), "crawl", "news", "-a", f"start_urls={site.base_url}/",
                             "-s", f"NEWSDESK_DB={db}", "-s", "CLOSESPIDER_PAGECOUNT=25", *FAST],
                            cwd=ROOT, capture_output=True, text=True, timeout=240)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr[-2000:]
    stored = rows(db, "select url, source from articles")
    assert len(stored) >= 5 and {row["source"] for row in stored} == {"crawl"}
    assert {row["url"] for row in stored} <= {article["url"] for article in site.articles}


@pytest.mark.slow
def test_page_budget_goes_to_sitemap_articles_before_link_following(site, tmp_path):
    db = tmp_path / "corpus.db"
    result = crawl(db, site.base_url + "/", "--max-pages", "14")
    assert result.returncode == 0
    stored = rows(db, "select count(*) as n from articles")[0]["n"]
    fetched = [record.path for record in site.request_log if record.path not in ("/robots.txt",)]
    assert stored >= 8, f"sitemap entries come first; only {stored} articles in {fetched}"


@pytest.mark.slow
def test_recrawl_with_validators_gets_304s(site, tmp_path):
    db = tmp_path / "corpus.db"
    crawl(db, site.base_url + "/")
    site.clear_log()
    result = crawl(db, site.base_url + "/", "-s", "NEWSDESK_RECRAWL_AFTER=0")
    article_records = [record for record in site.request_log if record.path in {a["path"] for a in site.articles}]
    assert article_records and all(record.status == 304 for record in article_records)
    assert all("If-None-Match" in record.headers for record in article_records)
    assert "0 new, 0 updated" in result.stdout
    assert rows(db, "select count(*) as n from article_versions")[0]["n"] == 0


# Runs one crawl in a process of its own and prints its Scrapy stats (numbers and strings) as JSON.
CRAWL_STATS = """
import json, sys
from scrapy.crawler import CrawlerProcess
from newsdesk.ops.crawl import CrawlOptions, crawl_settings
options = CrawlOptions([sys.argv[2]], settings=json.loads(sys.argv[3]))
process = CrawlerProcess(crawl_settings(options, sys.argv[1]))
crawler = process.create_crawler("news")
process.crawl(crawler, start_urls=options.start_urls)
process.start()
print(json.dumps({key: value for key, value in crawler.stats.get_stats().items() if isinstance(value, (int, str))}))
"""
FAST_SETTINGS = {"AUTOTHROTTLE_START_DELAY": 0.02, "DOWNLOAD_DELAY": 0, "NEWSDESK_RETRY_BACKOFF_BASE": 0.2,
                 "NEWSDESK_PROGRESS_INTERVAL": 0}


def crawl_stats(db: Path, start_url: str, **settings) -> dict:
    result = subprocess.run([sys.executable, "-c", CRAWL_STATS, str(db), start_url, json.dumps({**FAST_SETTINGS, **settings})],
                            capture_output=True, text=True, timeout=240)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_robots_and_offsite_refusals_are_counted_from_scrapy_stats_and_oversized_pages_fail(site, tmp_path):
    db, limit = tmp_path / "corpus.db", 30_000
    stats = crawl_stats(db, site.base_url + "/", DOWNLOAD_MAXSIZE=limit)
    # /private/secret.html is disallowed by robots.txt; /redirect-away redirects to another host.
    assert stats.get("robotstxt/forbidden") == 1 and stats.get("offsite/filtered") == 1, stats
    assert CrawlReport.from_stats(stats).refused == 2
    assert not [record for record in site.request_log
                if record.path.startswith("/private/") or record.host.startswith("localhost")]
    failures = {row["url"]: row["reason"] for row in rows(db, "select url, reason from failures")}
    assert not [url for url in failures if "/private/" in url or "redirect-away" in url or "localhost" in url], \
        "a policy refusal is not a failure"
    oversized = [article["url"] for article in site.articles
                 if len(site.respond(article["path"], "127.0.0.1", {})[2]) > limit]
    assert oversized and all(failures.get(url) == f"response too large (over {limit:,} bytes)" for url in oversized), failures
    assert stats["newsdesk/fetch_failed"] == len(failures), "every failures row stored by the pipeline is counted"


def test_a_redirect_past_the_limit_is_a_failure_with_its_reason(site, tmp_path):
    db = tmp_path / "corpus.db"
    stats = crawl_stats(db, site.base_url + "/redirect-away", REDIRECT_MAX_TIMES=0)
    failures = {row["url"]: (row["stage"], row["reason"]) for row in rows(db, "select url, stage, reason from failures")}
    assert failures[site.base_url + "/redirect-away"] == ("fetch", "too many redirects (more than 0)")
    assert "offsite/filtered" not in stats, "the redirect was never followed to the other host"
    assert CrawlReport.from_stats(stats).failures == len(failures)


def test_a_crawl_whose_corpus_cannot_be_written_any_more_stops_and_exits_non_zero(site, tmp_path):
    import os
    import sqlite3

    from conftest import wait_for_count

    db = tmp_path / "corpus.db"
    process = subprocess.Popen([str(BIN / "newsdesk"), "crawl", site.base_url + "/", "--db", str(db),
                                "-s", "AUTOTHROTTLE_START_DELAY=0.02", "-s", "DOWNLOAD_DELAY=0.15",
                                "-s", "NEWSDESK_PROGRESS_INTERVAL=0"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "NEWSDESK_BUSY_TIMEOUT": "0.5"})
    assert wait_for_count(db, "select count(*) from articles", 3) >= 3
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another writer holds the corpus from now on
    try:
        out, err = process.communicate(timeout=240)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert process.returncode == 1, out + err
    assert "Traceback" not in out + err
    assert err.strip().splitlines()[-1] == f"newsdesk crawl: {db} stayed locked by another process for more than 0.5s"
    assert "crawl finished (store_error)" in out
    stored = query(db, "select count(*) from articles")[0][0]
    assert 3 <= stored < len(site.articles), "stopped early, and what was stored stays"


@pytest.mark.slow
def test_crawled_articles_join_stories_and_a_copy_under_another_url_names_its_original(tmp_path):
    """The site serves each story again under a second canonical URL: two articles, one story, one a copy."""
    with LoopbackNewsSite(copies=2) as site:
        db = tmp_path / "corpus.db"
        result = crawl(db, site.base_url + "/")
        assert result.returncode == 0, result.stderr
    articles = rows(db, "select id, title, story_id, copy_of from articles order by id")
    assert articles and all(article["story_id"] is not None for article in articles)
    by_title: dict[str, list[dict]] = {}
    for article in articles:
        by_title.setdefault(article["title"], []).append(article)
    for title, same in by_title.items():
        assert len({article["story_id"] for article in same}) == 1, title
        first, *copies = same
        assert first["copy_of"] is None and all(copy["copy_of"] == first["id"] for copy in copies), title
    assert len({same[0]["story_id"] for same in by_title.values()}) == len(by_title), "other stories stay apart"
    assert rows(db, "select sum(article_count) as n from stories")[0]["n"] == len(articles)


@pytest.mark.slow
def test_dead_links_are_counted_per_run_while_listed_and_start_urls_keep_their_rows(tmp_path):
    db = tmp_path / "corpus.db"
    jobs = tmp_path / "jobs.toml"
    with LoopbackNewsSite(broken_links=40) as site:
        jobs.write_text(f"""
[[job]]
name = "broken"
start_urls = ["{site.base_url}/", "{site.base_url}/gone/start.html"]
feeds = ["{site.base_url}/feed.rss"]

[job.settings]
AUTOTHROTTLE_START_DELAY = 0.02
DOWNLOAD_DELAY = 0
NEWSDESK_PROGRESS_INTERVAL = 0
""")
        result = subprocess.run([str(BIN / "newsdesk"), "jobs", "run", "broken", "--jobs", str(jobs), "--db", str(db)],
                                capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stderr[-2000:]
        assert "Traceback" not in result.stdout + result.stderr
        gone = {record.path for record in site.request_log if record.path.startswith("/gone/")}
    linked = {f"/gone/{number}.html" for number in range(40)}
    assert gone == linked | {"/gone/start.html", "/gone/from-the-feed.html"}, "every broken link was tried"
    failures = {row["url"]: row["reason"] for row in rows(db, "select url, reason from failures")}
    assert failures == {site.base_url + "/gone/start.html": "HTTP 404", site.base_url + "/gone/from-the-feed.html": "HTTP 404"}, \
        "a start URL and a feed's link keep their failures rows; the 41 dead links met by following links get none"
    (run,) = rows(db, "select status, dead_links, failures, articles_new from crawl_runs")
    assert run == {"status": "ok", "dead_links": 41, "failures": 2, "articles_new": len(site.articles)}
    assert "; 41 dead links" in result.stdout
    history = json.loads(subprocess.run([str(BIN / "newsdesk"), "jobs", "history", "--db", str(db), "--json"],
                                        capture_output=True, text=True, timeout=120).stdout)
    assert history[0]["dead_links"] == 41
    stats = subprocess.run([str(BIN / "newsdesk"), "stats", "--db", str(db)], capture_output=True, text=True, timeout=120)
    assert "dead links met while following links (all crawl runs): 41" in stats.stdout


@pytest.mark.slow
@pytest.mark.parametrize("budget", [1, 5, 10])
def test_max_pages_is_exact_no_request_is_sent_past_the_budget(site, tmp_path, budget):
    # robots.txt is not a page: politeness needs it before a host's first page, and --max-pages leaves it out.
    result = crawl(tmp_path / "corpus.db", site.base_url + "/", "--max-pages", str(budget))
    assert result.returncode == 0, result.stderr
    sent = [record.path for record in site.request_log if record.path != "/robots.txt"]
    assert len(sent) == budget, sent
    assert f": {budget} pages fetched in " in result.stdout
