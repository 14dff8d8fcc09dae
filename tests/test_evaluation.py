"""Benchmark metrics on hand-computed cases, dataset recognition and scoring rules, the leave-one-dataset-out
protocol, and the quality regression gate."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, copy_dataset_pages
from newsdesk.devtools import evaluation
from newsdesk.devtools.body_training import leave_one_out
from newsdesk.devtools.evaluation import (
    BIG_LOSS_MARGIN, Prediction, author_f1, body_unit, dataset_kind, f1, find_datasets, load_pages, normalize_title,
    run_eval, same_day, shingle_precision_recall, snippet_counts,
)

SAMPLES = ROOT / "tests" / "fixtures" / "eval"  # fixed samples of the dev sets (see build_samples.py there)


def test_shingle_precision_and_recall_by_hand():
    gold = "a b c d e f"  # shingles: abcd bcde cdef
    predicted = "a b c d e x y"  # shingles: abcd bcde cdex dexy
    precision, recall = shingle_precision_recall(predicted, gold)
    assert (precision, recall) == (2 / 4, 2 / 3)
    assert f1(0.5, 2 / 3) == pytest.approx(4 / 7)


def test_shingles_count_with_multiplicity_and_ignore_case_and_punctuation():
    precision, recall = shingle_precision_recall("One two, three four. ONE TWO three four", "one two three four")
    assert recall == 1.0 and precision == pytest.approx(1 / 5), "the gold shingle counts once, however often predicted"


def test_snippets_are_found_across_whitespace_differences():
    counts = snippet_counts("Die GEMA dreht\n völlig  am Zeiger! Impressum", ["Die GEMA dreht völlig am Zeiger!", "missing"],
                            ["Impressum", "31. Mai"])
    assert counts == {"tp": 1, "fn": 1, "fp": 1, "tn": 1}


def test_characters_that_show_as_nothing_change_no_score():
    shown = "Trump plant Helikopterlandeplatz beim Weissen Haus"
    hyphenated = "Trump plant Helikopter\u00adlandeplatz beim Weissen\u200b Haus"
    assert normalize_title(shown) == normalize_title(hyphenated)
    assert shingle_precision_recall(shown, hyphenated) == (1.0, 1.0)
    assert snippet_counts(shown, [hyphenated], []) == {"tp": 1}
    assert shingle_precision_recall("Helikopter landeplatz beim Weissen Haus", hyphenated) != (1.0, 1.0)


def test_title_date_and_author_normalisation():
    assert normalize_title("Sind wir zu sanft – zu Islamisten?") == normalize_title("sind wir zu sanft zu islamisten")
    assert same_day("2024-05-03T17:47:00+02:00", "2024-05-03 15:47:42.389000+00:00")
    assert not same_day(None, "2024-05-03")
    found, gold = ["Birgit Baumann", "Anna Fink"], ["Birgit Baumann", "Anna Giulia Fink", "Jan Marchart"]
    assert author_f1(found, gold) == pytest.approx(f1(1 / 2, 1 / 3))
    assert author_f1([], []) == 1.0 and author_f1(["X"], []) == 0.0


def test_dataset_kinds_are_recognised_from_their_files(tmp_path: Path):
    (tmp_path / "snippets" / "html").mkdir(parents=True)
    (tmp_path / "snippets" / "evaldata.json").write_text("{}")
    (tmp_path / "captures").mkdir()
    (tmp_path / "captures" / "gold.json").write_text("{}")
    (tmp_path / "captures" / "a.txt").write_text("x")
    assert dataset_kind(tmp_path / "snippets") == "snippets"
    assert dataset_kind(tmp_path / "captures") == "text-captures"
    with pytest.raises(ValueError):
        dataset_kind(tmp_path)


def test_a_system_that_crashes_scores_empty_and_is_counted(tmp_path: Path, monkeypatch):
    gold = {"p1": {"body": "one two three four five"}, "p2": {"body": "six seven eight nine"}}
    (tmp_path / "gold.json").write_text(json.dumps(gold))
    (tmp_path / "p1.txt").write_text("one two three four five")
    (tmp_path / "p2.txt").write_text("six seven eight nine")

    def flaky(page):
        if page.id == "p2":
            raise RuntimeError("boom")
        return Prediction(body=str(page.content))

    monkeypatch.setitem(evaluation.SYSTEMS, "flaky", flaky)
    report = run_eval(tmp_path, systems=["flaky"])
    score = report.scores[0]
    assert score.errors == 1 and score.metrics["body_recall"] == 0.5


def test_each_system_reads_a_page_untimed_before_the_timed_run(tmp_path: Path, monkeypatch):
    # What a process loads once is not charged to the timed run: a system whose first call in the process
    # fails (a lazy load gone wrong, standing in for a slow one) is scored on every page all the same.
    gold = {"p1": {"body": "one two three four five"}, "p2": {"body": "six seven eight nine"}}
    (tmp_path / "gold.json").write_text(json.dumps(gold))
    (tmp_path / "p1.txt").write_text("one two three four five")
    (tmp_path / "p2.txt").write_text("six seven eight nine")
    calls = []

    def cold_start(page):
        calls.append(page.id)
        if len(calls) == 1:
            raise RuntimeError("first call in the process")
        return Prediction(body=str(page.content))

    monkeypatch.setitem(evaluation.SYSTEMS, "cold", cold_start)
    score = run_eval(tmp_path, systems=["cold"]).scores[0]
    assert calls == ["p1", "p1", "p2"]
    assert score.errors == 0 and score.metrics["body_recall"] == 1.0


def test_character_shingles_ignore_whitespace_and_count_every_character():
    gold = "我们 是中国人"  # characters: 我们是中国人 -> 我们是中 们是中国 是中国人
    # predicted: 我们是中 们是中国 是中国朋 中国朋友
    precision, recall = shingle_precision_recall("我们是中国\n朋友", gold, unit="characters")
    assert (precision, recall) == (2 / 4, 2 / 3)
    # On \\w+ tokens a Chinese clause is one token: short texts have no 4-grams, and any two of them "agree".
    assert shingle_precision_recall("完全不同的文字", gold, unit="words") == (1.0, 1.0)
    assert shingle_precision_recall("完全不同的文字", gold, unit="characters") == (0.0, 0.0)


def write_gold_dataset(root: Path, entries: dict[str, dict], html: dict[str, str] | None = None) -> Path:
    """A dataset in the shared gold.json + html/ format."""
    (root / "html").mkdir(parents=True)
    for page_id in entries:
        page = (html or {}).get(page_id, f"<html><body><p>{page_id}</p></body></html>")
        (root / "html" / f"{page_id}.html.gz").write_bytes(gzip.compress(page.encode("utf-8")))
    (root / "gold.json").write_text(json.dumps(entries, ensure_ascii=False), encoding="utf-8")
    return root


def test_text_captures_are_scored_without_the_url_their_gold_names():
    captures = load_pages(SAMPLES / "text-captures-de", "text-captures")
    pages = load_pages(SAMPLES / "fundus-de", "news-metadata")
    assert captures and all(page.url is None for page in captures)
    assert all(page.url and page.url.startswith("https://") for page in pages)


def test_a_dataset_written_without_spaces_is_scored_on_characters(tmp_path: Path):
    chinese_body = "一九八九年四月，我在湖南张家界开一个全省教学研究\n会议。按照惯例，会议安排了一天时间。"
    chinese = write_gold_dataset(tmp_path / "zh", {"a": {"body": chinese_body}})
    english = write_gold_dataset(tmp_path / "en", {"a": {"body": "The Security Council today discussed the mission in Kosovo."}})
    assert body_unit(load_pages(chinese, "news-metadata")) == "characters"
    assert body_unit(load_pages(english, "news-metadata")) == "words"


def fixed_system(answers: dict[str, Prediction]):
    return lambda page: answers[page.id]


def test_null_gold_fields_are_skipped_and_synthetic_pages_left_out(tmp_path: Path, monkeypatch):
    dataset = write_gold_dataset(tmp_path / "set", {
        "p1": {"url": None, "title": "Real headline", "authors": None, "date": None, "body": "one two three four five"},
        "p2": {"url": None, "title": None, "authors": ["Ann Lee"], "date": "2024-05-03", "body": "six seven eight nine ten"},
        "p3": {"url": None, "title": "Test case", "authors": [], "date": None, "body": "x y z w", "synthetic": True},
    })
    monkeypatch.setitem(evaluation.SYSTEMS, "fixed", fixed_system({
        "p1": Prediction("one two three four five", "Real headline", "1999-01-01", ["Somebody"]),
        "p2": Prediction("", "Wrong", "2024-05-03T10:00:00", ["Ann Lee"]),
    }))
    report = run_eval(dataset, systems=["fixed"])
    assert report.pages == 2, "the synthetic page is not scored"
    assert report.annotated == {"body": 2, "title": 1, "date": 1, "authors": 1}
    metrics = report.scores[0].metrics
    # p1's date and authors and p2's title are not annotated: the wrong answers there cost nothing.
    assert metrics["title"] == 1.0 and metrics["date"] == 1.0 and metrics["author_f1"] == 1.0
    assert metrics["body_recall"] == 0.5


def test_a_page_without_a_date_is_right_only_when_no_date_is_given(tmp_path: Path, monkeypatch):
    dataset = write_gold_dataset(tmp_path / "dates", {
        "undated": {"url": "https://a.example/x", "title": None, "authors": None, "date": None, "body": None, "no_date": True},
        "dated": {"url": "https://b.example/y", "title": None, "authors": None, "date": "2023-11-02", "body": None,
                  "no_date": False},
    })
    guesses = {"undated": Prediction(published="2023-01-01"), "dated": Prediction(published="2023-11-02")}
    monkeypatch.setitem(evaluation.SYSTEMS, "guesses", fixed_system(guesses))
    monkeypatch.setitem(evaluation.SYSTEMS, "abstains", fixed_system({"undated": Prediction(), "dated": Prediction()}))
    report = run_eval(dataset, systems=["guesses", "abstains"])
    assert report.annotated == {"body": 0, "title": 0, "date": 2, "authors": 0}
    assert report.score("guesses").metrics == {"date": 0.5}, "only the date is annotated, so only the date is scored"
    assert report.score("abstains").metrics == {"date": 0.5}


def test_snippets_beside_a_gold_body_give_an_extra_column(tmp_path: Path, monkeypatch):
    dataset = write_gold_dataset(tmp_path / "web", {"p": {"url": "https://c.example/a", "title": "T", "authors": [], "date": None,
                                                         "body": "alpha beta gamma delta epsilon",
                                                         "with": ["alpha beta"], "without": ["Login"]}})
    monkeypatch.setitem(evaluation.SYSTEMS, "fixed", fixed_system({"p": Prediction("alpha beta gamma delta epsilon Login", "T")}))
    metrics = run_eval(dataset, systems=["fixed"]).scores[0].metrics
    assert metrics["body_recall"] == 1.0 and metrics["body_f1"] < 1.0
    assert metrics["snippet_f1"] == pytest.approx(f1(1 / 2, 1.0))


def test_big_losses_and_the_worst_pages_compare_newsdesk_with_the_reference_page_by_page(tmp_path: Path, monkeypatch):
    body = "the council voted on wednesday to approve the bridge after a decade of debate"
    dataset = write_gold_dataset(tmp_path / "set", {f"p{i}": {"url": f"https://s{i}.example/a", "title": None, "authors": None,
                                                             "date": None, "body": body} for i in range(4)})
    half = " ".join(body.split()[:8])
    ours = {"p0": Prediction(body), "p1": Prediction(half), "p2": Prediction(""),
            "p3": Prediction(body + " menu home login contact")}
    theirs = {"p0": Prediction(half), "p1": Prediction(body), "p2": Prediction(body), "p3": Prediction(body)}
    monkeypatch.setitem(evaluation.SYSTEMS, "newsdesk", fixed_system(ours))
    monkeypatch.setitem(evaluation.SYSTEMS, "trafilatura", fixed_system(theirs))
    monkeypatch.setitem(evaluation.SYSTEMS, "trafilatura-extract", fixed_system(theirs))
    report = run_eval(dataset)
    assert report.reference == "trafilatura" and len(report.comparisons) == 4
    # p1 loses 1.0 - F1(1, 5/12) = 0.41 and p2 loses 1.0; p3 (precision 0.8) loses 0.11, p0 wins.
    assert [loss.page_id for loss in report.big_losses] == ["p1", "p2"]
    assert report.big_loss_share == 0.5 and BIG_LOSS_MARGIN == 0.3
    assert [comparison.page_id for comparison in report.worst(3)] == ["p2", "p1", "p3"]
    assert report.speed_reference_docs_per_second is not None, "trafilatura's plain extract() is timed beside"
    table = evaluation.format_table(report, worst=2)
    assert "big losses (body F1 more than 0.3 below trafilatura): 2 of 4 pages (50.0%)" in table
    assert "https://s2.example/a" in table and "https://s3.example/a" not in table


def test_the_trafilatura_reference_is_extract_on_snippet_sets_and_bare_extraction_with_metadata_elsewhere(monkeypatch):
    import trafilatura

    calls = []
    monkeypatch.setattr(trafilatura, "extract", lambda *args, **kwargs: calls.append(("extract", kwargs)) or "text")
    monkeypatch.setattr(trafilatura, "bare_extraction", lambda *args, **kwargs: calls.append(("bare_extraction", kwargs)) or None)
    gold = evaluation.Gold(body="b", with_snippets=["b"], without_snippets=[])
    page = evaluation.Page("x", b"<html></html>", "https://a.example/", gold)
    evaluation.trafilatura_system(page)
    page.kind = "snippets"
    evaluation.trafilatura_system(page)
    assert calls == [("bare_extraction", {"url": "https://a.example/", "with_metadata": True}),
                     ("extract", {"url": "https://a.example/", "include_comments": False, "include_tables": True})]


def test_a_folder_of_datasets_stands_for_each_of_them(tmp_path: Path):
    write_gold_dataset(tmp_path / "root" / "b-set", {"p": {"body": "x"}})
    write_gold_dataset(tmp_path / "root" / "a-set", {"p": {"body": "x"}})
    (tmp_path / "root" / "notes").mkdir()
    assert [path.name for path in find_datasets([tmp_path / "root"])] == ["a-set", "b-set"]
    assert find_datasets([tmp_path / "root" / "a-set", tmp_path / "root"])[0].name == "a-set"
    with pytest.raises(ValueError, match="no such folder"):
        find_datasets([tmp_path / "missing"])
    with pytest.raises(ValueError, match="not a dataset"):
        find_datasets([tmp_path / "root" / "notes"])


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(Path(sys.executable).parent / "newsdesk"), *args], capture_output=True, text=True, timeout=300)


@pytest.mark.slow  # runs the newsdesk command
def test_eval_names_a_missing_folder_in_one_line(tmp_path: Path):
    result = run_cli("eval", str(tmp_path / "datasets"))
    assert result.returncode == 2
    assert result.stderr.strip() == f"newsdesk eval: {tmp_path / 'datasets'}: no such folder"


@pytest.mark.slow  # runs the newsdesk command
def test_eval_scores_several_datasets_in_one_run_with_json(tmp_path: Path):
    result = run_cli("eval", str(SAMPLES / "zh-content"), str(SAMPLES / "text-captures-de"), "--limit", "2", "--worst", "1",
                     "--json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert [report["dataset"].rsplit("/", 1)[-1] for report in document["datasets"]] == ["zh-content", "text-captures-de"]
    chinese, captures = document["datasets"]
    assert chinese["body_unit"] == "characters" and chinese["reference"] == "trafilatura"
    assert [system["system"] for system in chinese["systems"]] == ["newsdesk", "trafilatura"]
    assert "title" not in chinese["systems"][0]["metrics"], "zh-content has no title gold"
    assert chinese["speed_reference_docs_per_second"] > 0 and len(chinese["worst"]) == 1
    assert captures["reference"] == "justext-lines"
    assert [row["dataset"] for row in document["summary"]] == ["zh-content", "text-captures-de"]


def test_leave_one_out_scores_each_dataset_with_a_voter_trained_without_it(tmp_path: Path, monkeypatch):
    pytest.importorskip("sklearn")
    from extractors.body import body_models, shipped_body_models

    voted_with = []  # per page scored, in order: the datasets the voter in use had learnt from

    def recorder(page):
        voted_with.append({name for name, counts in body_models().trained_on["datasets"].items() if counts["pages"]})
        return Prediction()

    monkeypatch.setitem(evaluation.SYSTEMS, "recorder", recorder)
    # Two small sets with gold to learn from, and text captures: nothing to learn from, scored all the same.
    sets = [copy_dataset_pages(SAMPLES / name, tmp_path / name, 3) for name in ("readability", "fundus-de")]
    folds = leave_one_out([*sets, SAMPLES / "text-captures-de"], systems=["recorder"], limit=2,
                                     cache_dir=tmp_path / "cache", training_part="all")
    assert [(fold.report.name, set(fold.trained_on)) for fold in folds] == [
        ("readability", {"fundus-de"}), ("fundus-de", {"readability"}), ("text-captures-de", {"fundus-de", "readability"})]
    # Each fold: one page read untimed first, then the two scored.
    assert voted_with == [{"fundus-de"}] * 3 + [{"readability"}] * 3 + [{"fundus-de", "readability"}] * 3
    assert [fold.report.model for fold in folds][0] == "trained without readability"
    assert any((tmp_path / "cache").rglob("*.npz")), "block features are cached for the next run"
    assert body_models() is shipped_body_models(), "outside the protocol extraction votes with the shipped model again"


# Regression gate: a fixed sample of each dev set whose licence allows copying (build_samples.py), thresholds
# just under the scores the shipped body model reaches. The model is trained on every page of every dev set
# with body gold, these samples included: the gate catches regressions; `newsdesk eval --leave-one-out`
# measures generalisation.
GATES = {
    # 20 pages; measured on them: body 0.969, title 0.750, date 1.000, authors 0.982 (19 pages annotated)
    "fundus-de": {"body_f1": 0.96, "title": 0.73, "date": 0.95, "author_f1": 0.86},
    # 25 captures; measured 0.926
    "text-captures-de": {"body_f1": 0.91},
    # 50 pages; measured P 0.973, F1 0.957 (the model trained on trafilatura-eval and fundus-de alone reached
    # P 0.981, F1 0.987 here; trained on all seven sets, each weighing alike, it gives up some of that)
    "trafilatura-eval": {"f1": 0.95, "precision": 0.96},
}


@pytest.mark.parametrize("name", sorted(GATES))
def test_quality_does_not_fall_below_the_gate(name):
    thresholds = GATES[name]
    report = run_eval(SAMPLES / name, systems=["newsdesk"])
    metrics = report.scores[0].metrics
    for metric, threshold in thresholds.items():
        assert metrics[metric] >= threshold, f"{name} {metric} {metrics[metric]:.3f} < {threshold}"


# The newer sets' samples are scored beside trafilatura (bare_extraction with metadata) in the same run:
# newsdesk's figures must stay above `floor`, no further below trafilatura's on the same pages than `behind`
# allows (negative: must lead by that much), and big losses (body F1 more than 0.3 below trafilatura's on a
# page) must stay within `big_losses` pages.
REFERENCE_GATES = {
    # 19 real pages; measured newsdesk / trafilatura: body 0.971 / 0.933, title 0.684 / 0.789, date 1.000 / 1.000
    # (7 pages annotated), authors 0.812 / 0.656 (16 annotated)
    "readability": {"floor": {"body_f1": 0.96, "title": 0.65, "date": 0.70, "author_f1": 0.63}, "behind": {"body_f1": 0.0},
                    "big_losses": 0},
    # 21 pages; measured: body 0.967 / 0.951, title 0.810 / 0.619, date 1.000 / 0.941, authors 0.625 / 0.625
    "web-2026": {"floor": {"body_f1": 0.955, "title": 0.69, "date": 0.95, "author_f1": 0.60},
                 "behind": {"body_f1": 0.0, "title": -0.05}, "big_losses": 0},
    # 18 pages, body on character 4-grams; measured: body 0.944 / 0.677, date 0.800 / 0.600, authors 0.556 / 0.278
    "zh-content": {"floor": {"body_f1": 0.93, "date": 0.70, "author_f1": 0.25}, "behind": {"body_f1": -0.15}, "big_losses": 0},
    # 23 pages, date only; measured 0.870 / 0.826
    "htmldate-dates": {"floor": {"date": 0.86}, "behind": {"date": 0.0}, "big_losses": 0},
}


@pytest.mark.parametrize("name", sorted(REFERENCE_GATES))
def test_quality_beside_trafilatura_does_not_fall_below_the_gate(name):
    gate = REFERENCE_GATES[name]
    report = run_eval(SAMPLES / name, systems=["newsdesk", "trafilatura"], speed_reference=False)
    ours, theirs = report.score("newsdesk").metrics, report.score("trafilatura").metrics
    for metric, threshold in gate["floor"].items():
        assert ours[metric] >= threshold, f"{name} {metric} {ours[metric]:.3f} < {threshold}"
    for metric, allowance in gate["behind"].items():
        assert ours[metric] >= theirs[metric] - allowance, \
            f"{name} {metric} {ours[metric]:.3f} vs trafilatura {theirs[metric]:.3f}"
    assert len(report.big_losses) <= gate["big_losses"], [loss.page_id for loss in report.big_losses]


@pytest.mark.slow
@pytest.mark.parametrize("target", ["eval", "eval-leave-one-out", "train-body"])
def test_make_targets_that_need_the_dev_sets_say_so_where_they_are_missing(tmp_path, target):
    missing = tmp_path / "no-datasets-here"
    result = subprocess.run(["make", "-s", target, f"DATASETS={missing}"], cwd=ROOT, capture_output=True, text=True,
                            timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().splitlines()[-1] == (
        f"make {target}: no dev sets at {missing} (they are not part of the repository; set DATASETS=path); skipped")
    assert "Traceback" not in result.stderr and "No such file" not in result.stderr
