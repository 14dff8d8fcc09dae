"""The stories benchmark: pair scores, the synthetic corpus (copies, credits, distractors), and both parts run end
to end over a small dev-set folder made from the test fixtures (the real dev sets are not needed)."""

from __future__ import annotations

import gzip
import html
import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import FIXTURES, SEEDS
from newsdesk.devtools.stories_bench import bench_quality, bench_scale, load_bases, pair_scores, quality_corpus

# Distinct events only (the Milton rewrite would be a second telling of one of them).
EVENTS = ["apple-iphone-wire", "apple-vision-pro", "storm-milton", "storm-helene", "putin-kim-pact"]


@pytest.fixture
def datasets(tmp_path: Path) -> Path:
    """A dev-set folder in the fundus-de format: gold.json with title, date and body per page, and the pages
    (html/ID.html.gz) for timing extraction."""
    gold = {}
    for name in EVENTS:
        title, _, body = (FIXTURES / "stories" / f"{name}.txt").read_text(encoding="utf-8").partition("\n\n")
        gold[name] = {"title": title.strip(), "body": body.strip(), "date": "2024-10-09"}
    seed = (SEEDS / "002_23faa30955cea87d.txt").read_text(encoding="utf-8").split("\n\n")
    gold["seed"] = {"title": seed[0], "body": "\n".join(part for part in seed[1:] if len(part.split()) > 8), "date": None}
    (tmp_path / "web-2026" / "html").mkdir(parents=True)
    (tmp_path / "web-2026" / "gold.json").write_text(json.dumps(gold), encoding="utf-8")
    for key, record in gold.items():
        paragraphs = "".join(f"<p>{html.escape(line)}</p>" for line in record["body"].split("\n") if line.strip())
        page = (f"<html><head><title>{html.escape(record['title'])}</title></head><body><nav><a href='/'>Home</a></nav>"
                f"<article><h1>{html.escape(record['title'])}</h1>{paragraphs}</article></body></html>")
        (tmp_path / "web-2026" / "html" / f"{key}.html.gz").write_bytes(gzip.compress(page.encode("utf-8")))
    return tmp_path


def test_pair_scores_count_pairs_of_articles_told_as_one_story():
    precision, recall, f1 = pair_scores([1, 1, 2, 2], [7, 7, 7, 8])
    assert (precision, recall) == (1 / 3, 1 / 2)
    assert f1 == pytest.approx(0.4)
    assert pair_scores([1, 2, 3], [1, 2, 3]) == (1.0, 1.0, 1.0)


def test_the_quality_corpus_has_copies_credits_and_same_day_distractors(datasets: Path):
    bases = load_bases(datasets)
    assert len(bases) == len(EVENTS) + 1
    articles, distractors = quality_corpus(bases)
    assert distractors, "the most alike pairs of distinct articles"
    originals = [item for item in articles if item.original]
    copies = [item for item in articles if not item.original]
    assert len(originals) == len(bases) and copies
    assert any(item.credited and item.article.credits for item in copies)
    first, second = distractors[0]
    dates = {item.story: (item.article.published or "")[:10] for item in originals}
    assert dates[first] == dates[second], "distractors are dated alike: only their words keep them apart"
    assert quality_corpus(bases)[0][0].article == articles[0].article, "deterministic"


def test_bench_quality_scores_the_fixture_events(datasets: Path):
    result = bench_quality(datasets)
    assert result.pair_f1 >= 0.95 and result.copy_of_credited_accuracy >= 0.9
    assert result.distractor_pairs_merged == 0


def test_bench_scale_times_extraction_both_stores_and_the_rebuild(datasets: Path):
    result = bench_scale(datasets, 300)
    assert result.articles == 300 and len(result.chunk_seconds) == 2
    assert result.seconds_without_stories > 0 and result.seconds_with_stories > 0 and result.rebuild_seconds > 0
    assert 0 < result.stories < 300 and result.copies > 0
    sample = result.sample
    assert sample.pages == len(EVENTS) + 1 and sample.articles == sample.pages, "every fixture page is extracted"
    assert sample.seconds_extract > 0 and sample.seconds_story_features > 0 and sample.seconds_store_with > 0
    # Ingest per article at this size: the sample's extraction per page plus the store step per article at 300.
    assert result.ingest_ms_without == pytest.approx(
        sample.seconds_extract / sample.pages * 1000 + result.seconds_without_stories / 300 * 1000)
    assert result.ingest_ms_with == pytest.approx(result.ingest_ms_without + result.features_ms
                                                  + (result.seconds_with_stories - result.seconds_without_stories) / 300 * 1000)
    assert result.ingest_added_share == pytest.approx(result.ingest_ms_with / result.ingest_ms_without - 1)
    assert bench_scale(datasets, 10, extract_pages=0).sample is None


@pytest.mark.slow
def test_bench_stories_command_prints_json(datasets: Path):
    result = subprocess.run([str(Path(sys.executable).parent / "newsdesk"), "bench-stories", "--datasets", str(datasets),
                             "--articles", "120", "--json"], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["quality"]["pair_f1"] >= 0.95 and data["scale"]["articles"] == 120
    assert data["scale"]["sample"]["pages"] == len(EVENTS) + 1 and data["scale"]["ingest_added_share"] is not None
