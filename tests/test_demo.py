"""`make demo` (scripts/demo.sh) end to end: the five seeds stored clean, then a live crawl of the bundled site."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from conftest import ROOT, query
from newsdesk.devtools.loopback_site import DEFAULT_SITE_DIR
from test_seed_extraction import EXPECTED, NOISE_LINES, article_lines

pytestmark = pytest.mark.slow  # The whole demo: a replay and a live crawl.


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
