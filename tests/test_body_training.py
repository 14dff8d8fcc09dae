"""Training the body voter: block labels from gold bodies and snippets (words and unspaced scripts), the
on-disk feature cache, and a model written from small datasets that extraction can load."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest

from conftest import FIXTURES, copy_dataset_pages
from newsdesk.devtools import body_training
from newsdesk.devtools.body_training import (
    combine_labels, gold_on_page, labels_from_gold_body, labels_from_snippets, page_features, page_labels,
)
from newsdesk.devtools.evaluation import Gold, Page

SAMPLES = FIXTURES / "eval"

GOLD = ("The city council voted on Wednesday evening to approve the new harbour bridge.\n"
        "Construction is expected to start next spring, the mayor said.")


def test_gold_body_labels_blocks_by_their_shingles_and_short_blocks_by_whole_paragraphs():
    texts = [
        "Home",  # menu item, nowhere in the gold
        "The city council voted on Wednesday evening to approve the new harbour bridge.",  # a gold paragraph
        "Construction is expected to start next spring, the mayor said.",
        "Read more: council approves budget for schools and roads next year",  # furniture sentence
        "the mayor said",  # a short piece of a gold paragraph: long enough to count as text
        "the new",  # too short a piece to tell
        "",
    ]
    assert labels_from_gold_body(texts, GOLD) == [0, 1, 1, 0, 1, None, None]


def test_chinese_blocks_are_labelled_on_characters():
    # The gold breaks its lines inside a sentence (研究\n会议), as hand-made Chinese gold does; the page does not.
    gold = "一九八九年四月，我在湖南张家界开一个全省教学研究\n会议。按照惯例，会议安排了一天时间，让与会者去风景点游玩观赏。"
    story = "一九八九年四月，我在湖南张家界开一个全省教学研究会议。按照惯例，会议安排了一天时间，让与会者去风景点游玩观赏。"
    texts = ["首页", "新闻中心", story, "版权所有：某某网站，未经许可不得转载本站内容"]
    assert labels_from_gold_body(texts, gold, unit="characters") == [0, 0, 1, 0]
    # On words, \w+ makes each clause one token: the story is five "words", a short block no gold line holds.
    assert labels_from_gold_body(texts, gold, unit="words")[2] == 0


def test_a_page_whose_blocks_do_not_hold_its_gold_is_not_labelled():
    page = Page("p", b"", None, Gold(body=GOLD))
    assert gold_on_page(["Home", "Subscribe to our newsletter for the latest news"], GOLD) == 0.0
    assert page_labels(page, ["Home", "Subscribe to our newsletter for the latest news"], "words") is None
    assert page_labels(page, GOLD.split("\n") + ["Home"], "words") == [1, 1, 0]


def test_snippets_and_gold_body_are_combined_and_a_disagreement_is_unknown():
    texts = ["Login", "The city council voted on Wednesday evening to approve the new harbour bridge.", "Share this"]
    assert labels_from_snippets(texts, ["council voted"], ["Login", "harbour bridge"]) == [0, None, None]
    assert combine_labels([0, 1, None, 1], [None, 1, 0, 0]) == [0, 1, 0, None]
    page = Page("p", b"", None, Gold(body=GOLD, with_snippets=["harbour bridge"], without_snippets=["Share this"]))
    assert page_labels(page, texts + GOLD.split("\n")[1:], "words") == [0, 1, 0, 1]


def _real_page() -> Page:
    html = (FIXTURES / "pages" / "harbour-bridge.html").read_bytes()
    return Page("harbour-bridge", html, "https://coastalherald.example/news/2024/03/harbour-bridge-approved", Gold())


def test_block_features_are_cached_by_extractor_fingerprint_and_page(tmp_path: Path, monkeypatch):
    page = _real_page()
    first = page_features(page, tmp_path)
    stored = list(tmp_path.rglob("*.npz"))
    assert len(stored) == 1 and stored[0].parts[-3] == body_training.feature_fingerprint()
    computed = []
    compute = body_training.compute_page_features
    monkeypatch.setattr(body_training, "compute_page_features", lambda page: computed.append(page.id) or compute(page))
    again = page_features(page, tmp_path)
    assert computed == [], "a cached page is read, not segmented again"
    assert np.array_equal(first.layout_rows, again.layout_rows) and np.array_equal(first.trafilatura_rows, again.trafilatura_rows)
    assert first.texts == again.texts and any("harbour" in text.lower() for text in again.texts)
    page_features(Page("changed", page.content + b"<!-- changed -->", page.url, page.gold), tmp_path)
    assert computed == ["changed"] and len(list(tmp_path.rglob("*.npz"))) == 2, "other bytes: another entry"


def test_a_model_trained_on_a_folder_of_datasets_is_written_and_loads(tmp_path: Path):
    pytest.importorskip("sklearn")
    from extractors import extract
    from extractors.body import BodyModels, models_in_use

    root = tmp_path / "datasets"
    copy_dataset_pages(SAMPLES / "fundus-de", root / "fundus-de", 4)
    copy_dataset_pages(SAMPLES / "zh-content", root / "zh-content", 4)
    copy_dataset_pages(SAMPLES / "htmldate-dates", root / "htmldate-dates", 2)  # dates only: nothing to learn from
    out = tmp_path / "model.json"
    trained_on = body_training.train_body_model([root], part="all", out=out, cache_dir=tmp_path / "cache")
    assert trained_on["datasets"]["htmldate-dates"]["pages"] == 0
    assert trained_on["datasets"]["fundus-de"]["pages"] == 4 and trained_on["datasets"]["zh-content"]["pages"] >= 3
    models = BodyModels.load(out)
    assert models.trained_on == trained_on
    with models_in_use(models):
        html = gzip.decompress(next((root / "fundus-de" / "html").iterdir()).read_bytes())
        assert extract(html, "https://example.de/a").body


def test_training_on_nothing_to_learn_from_says_so(tmp_path: Path):
    pytest.importorskip("sklearn")
    root = tmp_path / "datasets"
    copy_dataset_pages(SAMPLES / "htmldate-dates", root / "htmldate-dates", 2)
    with pytest.raises(ValueError, match="no labelled pages"):
        body_training.train_body_model([root], out=tmp_path / "model.json", cache_dir=None)


def _labelled(page_id: str, blocks: int) -> body_training.LabelledPage:
    return body_training.LabelledPage(page_id, np.zeros((blocks, 2)), np.zeros((blocks, 1)), np.ones(blocks, dtype=np.int8))


def test_dataset_weighting_gives_every_dataset_and_every_page_within_it_the_same_weight():
    big = body_training.TrainingSet("gold-bodies", "news-metadata", [_labelled("a", 100), _labelled("b", 300)])
    small = body_training.TrainingSet("snippets", "snippets", [_labelled("c", 4)])
    weights = body_training.block_weights([big, small], "datasets")
    page_a, page_b, page_c = weights[:100].sum(), weights[100:400].sum(), weights[400:].sum()
    assert page_a == pytest.approx(page_b) and page_c == pytest.approx(page_a + page_b)
    assert weights.mean() == pytest.approx(1.0)
    by_kind = body_training.block_weights([big, small], "kinds")
    assert by_kind[0] / by_kind[-1] == pytest.approx(0.3), "a gold-body block weighs 0.3 of a snippet block"
    with pytest.raises(ValueError, match="unknown weighting"):
        body_training.block_weights([big], "sites")
