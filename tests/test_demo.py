"""`make demo` (scripts/demo.sh) end to end: the five seeds stored clean, then a live crawl of the bundled site."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, query
from newsdesk.devtools.loopback_site import DEFAULT_SITE_DIR, DEMO_CANONICAL_BASE, LoopbackNewsSite
from test_seed_extraction import EXPECTED, NOISE_LINES, article_lines

pytestmark = pytest.mark.slow  # The whole demo: a replay and a live crawl.

BIN = Path(sys.executable).parent


def test_demo_stores_the_clean_seeds_and_crawls_the_bundled_site(tmp_path):
    db = tmp_path / "articles.db"
    result = subprocess.run(["bash", "scripts/demo.sh"], cwd=ROOT, env={**os.environ, "DB": str(db)},
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert "Traceback" not in result.stdout + result.stderr
    replayed = query(db, "select * from articles where source = 'replay'")
    seeds = {row["origin"].rsplit("/", 1)[-1][:3]: dict(row) for row in replayed}
    assert sorted(seeds) == sorted(EXPECTED)
    for prefix, row in seeds.items():
        assert row["title"] == EXPECTED[prefix]["title"]
        assert row["body"].split("\n\n") == article_lines(prefix), f"seed {prefix}: every paragraph kept, in order"
        for noise in NOISE_LINES:
            assert noise not in row["body"], (prefix, noise)
    jack_kim = seeds["004"]
    assert jack_kim["byline"] == "Jack Kim" and jack_kim["published"].startswith("2024-02-20")
    assert "Reuters" in json.loads(jack_kim["credits"])
    assert {row["outlet"] for row in seeds.values()} >= {"ANI", "Al Jazeera", "Fox News"}
    crawled = query(db, "select count(*) from articles where source = 'crawl'")[0][0]
    site_articles = json.loads((DEFAULT_SITE_DIR / "site.json").read_text(encoding="utf-8"))
    assert crawled == len(site_articles), "the live crawl stored every article of the bundled site"
    assert "Jack Kim" in result.stdout and "crawl finished" in result.stdout
    assert "run it as .venv/bin/newsdesk" in result.stdout and "source .venv/bin/activate" in result.stdout, \
        "the demo ends by saying how to run newsdesk"


def test_the_demo_crawl_run_again_on_another_port_stores_nothing_new(tmp_path):
    """`make demo` serves the site on a free port, a different one each time: the articles' canonical URLs
    must not depend on it."""
    db = tmp_path / "articles.db"
    summaries = []
    for _ in range(2):
        with LoopbackNewsSite(canonical_base=DEMO_CANONICAL_BASE) as site:
            result = subprocess.run([str(BIN / "newsdesk"), "crawl", site.base_url + "/", "--db", str(db), "--json",
                                     "-s", "AUTOTHROTTLE_START_DELAY=0.05", "-s", "NEWSDESK_PROGRESS_INTERVAL=0"],
                                    capture_output=True, text=True, timeout=600)
            assert result.returncode == 0, result.stderr[-2000:]
            summaries.append((site.port, json.loads(result.stdout.splitlines()[-1])))
    (first_port, first), (second_port, second) = summaries
    assert first_port != second_port
    assert first["articles_new"] == len(site.articles)
    assert (second["articles_new"], second["articles_unchanged"]) == (0, len(site.articles)), second
    assert query(db, "select count(*) from articles")[0][0] == len(site.articles)
    assert {row[0] for row in query(db, "select url from articles")} == {
        DEMO_CANONICAL_BASE + article["path"] for article in site.articles}
