"""Training the body voter (`newsdesk train-body`): label the blocks of dev-set pages from their gold, fit
gradient-boosted trees, and write the trees as data to extractors/models/body_model.json. The same
functions train, in memory, the models of the leave-one-dataset-out protocol (`newsdesk eval
--leave-one-out`), which scores each dataset with a voter trained on the others.

A page's block features are computed once and cached on disk (`eval-results/block-features/`, keyed by a
fingerprint of the extractor's code and by the page's bytes), so retraining reads them instead of
segmenting every page again.

Needs scikit-learn (`pip install -e '.[train]'`); extraction itself needs only numpy.
"""

from __future__ import annotations

import ast
import hashlib
import io
import json
import os
import zlib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Callable

import numpy as np

from extractors.body import (
    FALLBACK_FEATURES, LAYOUT_FEATURES, MODEL_PATH, TRAFILATURA_FEATURES, TreeModel, fallback_features, layout_features,
    trafilatura_features,
)
from newsdesk.devtools.evaluation import (
    SHINGLE_SIZE, EvalReport, Gold, Page, body_unit, dataset_kind, evaluate_pages, f1, find_datasets, held_out,
    load_pages, normalize_whitespace, select_pages, shingle_precision_recall, shingle_tokens, snippet_counts,
    snippet_precision_recall,
)

# How the labelled blocks are weighed in training:
# - "datasets": every dataset weighs the same in total, and within it every page the same (its labelled
#   blocks share the page's weight), so no dataset's gold conventions or language dominate the voter;
# - "kinds": one labelled block weighs KIND_WEIGHTS of its dataset's kind (snippet pages label a few blocks
#   each, at the boundaries that are hard; gold-body pages label every block, most of them easy).
WEIGHTINGS = ("datasets", "kinds")
DEFAULT_WEIGHTING = "datasets"
KIND_WEIGHTS = {"snippets": 1.0, "news-metadata": 0.3}

# Gradient boosting settings: small trees, bounded depth (the depth bounds the inference loop). 120 trees at
# a 0.15 learning rate scored as 200 at 0.1 in cross-validation over the tuning sites, at 60% of the cost.
TREE_SETTINGS = {"max_iter": 120, "learning_rate": 0.15, "max_leaf_nodes": 15, "max_depth": 6,
                 "l2_regularization": 1.0, "early_stopping": False, "random_state": 0}
# Threads a fit may use. scikit-learn's OpenMP threads spin while they wait for each other: on a machine
# whose CPUs are busy with other work, two threads fitted 15 times slower than one.
TRAINING_THREADS = 1


# When the layout model hands a page to trafilatura: when blocks holding this share of the kept text have
# probabilities in this band. Each page not asked saves trafilatura's time. Measured on the datasets left out
# (leave-one-out models; share 0.15 / 0.25 / 0.30): trafilatura-eval 0.9309 / 0.9317 / 0.9310 body F1, asking
# on 46% / 34% / 31% of pages; web-2026 0.9381 / 0.9389 / 0.9389 on 34% / 24% / 22%; fundus-de 0.9594 /
# 0.9608 / 0.9601 on 52% / 27% / 20%; l3s-gn1 0.9377 / 0.9369 / 0.9373 on 38% / 26% / 21%; readability and
# zh-content within 0.001. 0.25 is best or within 0.001 of the best on every set; 0.30 falls back.
DOUBT_BAND = (0.15, 0.85)
DOUBT_SHARE = 0.25

# Labelling blocks from a gold body. A block with at least LONG_BLOCK units (words; characters for unspaced
# scripts) is article text when at least TEXT_SHARE of its shingles are in the gold, furniture when at most
# FURNITURE_SHARE are, unknown in between. A shorter block is text when it is a whole gold paragraph, or a
# piece of one at least SHORT_PIECE units long (shorter pieces, "Home" or "新闻", match anywhere by chance).
LONG_BLOCK = {"words": 6, "characters": 12}
SHORT_PIECE = {"words": 3, "characters": 8}
TEXT_SHARE, FURNITURE_SHARE = 0.6, 0.2
# A page whose blocks hold less than this share of its gold body's shingles is not labelled: its gold
# describes text the HTML does not carry (rendered by script, or another version of the page).
MIN_GOLD_ON_PAGE = 0.5

FEATURE_CACHE = Path("eval-results") / "block-features"

# The fallback model (extractors.body.FallbackModel) learns from the pages of the training sets where the
# voter's body and trafilatura's disagree a lot. The voter's body on a page must be one it did not learn
# from, so the voter is refitted on FALLBACK_FOLDS parts of the pages and each part scored with the voter
# fitted on the others. Fewer such pages than MIN_FALLBACK_PAGES: no fallback.
FALLBACK_FOLDS = 2
MIN_FALLBACK_PAGES = 20
FALLBACK_REGULARIZATION = 1.0  # logistic regression's C


# --- labels ----------------------------------------------------------------------------------------

def labels_from_snippets(texts: list[str], with_snippets: list[str], without_snippets: list[str]) -> list[int | None]:
    """A block under a snippet that must be in the body is text (1); under one that must not, furniture (0);
    under both, or under none, unknown."""
    spans, position = [], 0
    normalized = [normalize_whitespace(text) for text in texts]
    for text in normalized:
        spans.append((position, position + len(text)))
        position += len(text) + 1
    page_text = " ".join(normalized)
    labels: list[int | None] = [None] * len(texts)
    conflicting = set()
    for label, snippets in ((1, with_snippets), (0, without_snippets)):
        for snippet in snippets:
            snippet = normalize_whitespace(snippet)
            start = page_text.find(snippet) if snippet else -1
            while start != -1:
                end = start + len(snippet)
                for i, (block_start, block_end) in enumerate(spans):
                    if block_start < end and block_end > start:
                        if labels[i] not in (None, label):
                            conflicting.add(i)
                        labels[i] = label
                start = page_text.find(snippet, start + 1)
    return [None if i in conflicting else label for i, label in enumerate(labels)]


def _shingle_set(tokens: list[str]) -> set[tuple[str, ...]]:
    return {tuple(tokens[i:i + SHINGLE_SIZE]) for i in range(len(tokens) - SHINGLE_SIZE + 1)}


def gold_on_page(texts: list[str], gold_body: str, unit: str = "words") -> float:
    """The share of the gold body's shingles that the page's blocks hold."""
    gold_shingles = _shingle_set(shingle_tokens(gold_body, unit))
    if not gold_shingles:
        return 0.0
    page_shingles: set[tuple[str, ...]] = set()
    for text in texts:
        page_shingles |= _shingle_set(shingle_tokens(text, unit))
    return len(gold_shingles & page_shingles) / len(gold_shingles)


def labels_from_gold_body(texts: list[str], gold_body: str, unit: str = "words") -> list[int | None]:
    """A block is text when most of its shingles are in the gold body (short blocks: when it is a whole gold
    paragraph, or a long enough piece of one), furniture when few are; in between, unknown. `unit`:
    'characters' for unspaced scripts, whose `\\w+` tokens are whole clauses."""
    gold_shingles = _shingle_set(shingle_tokens(gold_body, unit))
    gold_lines = [" ".join(shingle_tokens(line, unit)) for line in gold_body.split("\n")]
    whole_lines = set(gold_lines)
    labels: list[int | None] = []
    for text in texts:
        tokens = shingle_tokens(text, unit)
        if len(tokens) >= LONG_BLOCK[unit]:
            shingles = [tuple(tokens[i:i + SHINGLE_SIZE]) for i in range(len(tokens) - SHINGLE_SIZE + 1)]
            share = sum(shingle in gold_shingles for shingle in shingles) / len(shingles)
            labels.append(1 if share >= TEXT_SHARE else 0 if share <= FURNITURE_SHARE else None)
        elif tokens:
            key = " ".join(tokens)
            if key in whole_lines:
                labels.append(1)
            elif any(f" {key} " in f" {line} " for line in gold_lines):
                labels.append(1 if len(tokens) >= SHORT_PIECE[unit] else None)
            else:
                labels.append(0)
        else:
            labels.append(None)
    return labels


def combine_labels(first: list[int | None], second: list[int | None]) -> list[int | None]:
    """Two labellings of the same blocks: where both speak and disagree, unknown; else whichever speaks."""
    return [a if b is None else b if a is None else a if a == b else None for a, b in zip(first, second)]


def page_labels(page: Page, texts: list[str], unit: str) -> list[int | None] | None:
    """The blocks' labels from the page's gold; None when the gold cannot label this page."""
    gold = page.gold
    from_snippets = (labels_from_snippets(texts, gold.with_snippets, gold.without_snippets)
                     if gold.with_snippets is not None and gold.without_snippets is not None else None)
    if gold.body is None:
        return from_snippets
    if gold_on_page(texts, gold.body, unit) < MIN_GOLD_ON_PAGE:
        return None
    from_body = labels_from_gold_body(texts, gold.body, unit)
    return combine_labels(from_body, from_snippets) if from_snippets else from_body


# --- block features, cached ------------------------------------------------------------------------

@dataclass
class PageFeatures:
    """A page's blocks as extraction sees them: both feature rows per block, and the block texts."""

    layout_rows: np.ndarray  # (blocks, LAYOUT_FEATURES)
    trafilatura_rows: np.ndarray  # (blocks, TRAFILATURA_FEATURES)
    texts: list[str]


@lru_cache(maxsize=1)
def feature_fingerprint() -> str:
    """Changes whenever block features could: the extractor's version and code (its syntax tree, so comments
    and line wrapping do not count), its rules and word lists, trafilatura's version (its choice is a feature)."""
    import trafilatura

    import extractors

    package = Path(extractors.__file__).resolve().parent
    versions = f"{extractors.EXTRACTOR_VERSION}|{trafilatura.__version__}|{LAYOUT_FEATURES}|{TRAFILATURA_FEATURES}"
    digest = hashlib.sha256(versions.encode())
    for path in sorted(package.rglob("*")):
        if path.suffix not in (".py", ".json", ".txt") or "models" in path.relative_to(package).parts:
            continue
        content = ast.dump(ast.parse(path.read_bytes())).encode() if path.suffix == ".py" else path.read_bytes()
        digest.update(str(path.relative_to(package)).encode() + b"\0" + content)
    return digest.hexdigest()[:16]


def compute_page_features(page: Page) -> PageFeatures:
    """Segment the page and compute both feature rows exactly as extraction does."""
    from extractors.blocks import segment
    from extractors.decoding import decode_bytes
    from extractors.html_extractor import page_titles, parse_html, trafilatura_body
    from extractors.metadata import read_metadata

    html = decode_bytes(page.content, "text/html").text if isinstance(page.content, bytes) else page.content
    tree = parse_html(html)
    titles = page_titles(read_metadata(tree))
    blocks = segment(tree)
    layout = np.array(layout_features(blocks, titles), dtype=np.float64).reshape(len(blocks), len(LAYOUT_FEATURES))
    votes = trafilatura_features(blocks, trafilatura_body(tree, page.url))
    trafilatura_rows = np.array(votes, dtype=np.float64).reshape(len(blocks), len(TRAFILATURA_FEATURES))
    return PageFeatures(layout, trafilatura_rows, [block.text for block in blocks])


def page_features(page: Page, cache_dir: Path | None = FEATURE_CACHE) -> PageFeatures:
    """The page's block features, from the cache when this extractor has computed them before."""
    if cache_dir is None:
        return compute_page_features(page)
    content = page.content if isinstance(page.content, bytes) else page.content.encode("utf-8")
    key = hashlib.sha256(content + b"\0" + (page.url or "").encode("utf-8")).hexdigest()
    path = Path(cache_dir) / feature_fingerprint() / key[:2] / f"{key}.npz"
    if path.is_file():
        with np.load(path, allow_pickle=False) as stored:
            return PageFeatures(stored["layout"], stored["trafilatura"], json.loads(stored["texts"].tobytes().decode("utf-8")))
    features = compute_page_features(page)
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    np.savez_compressed(buffer, layout=features.layout_rows, trafilatura=features.trafilatura_rows,
                        texts=np.frombuffer(json.dumps(features.texts, ensure_ascii=False).encode("utf-8"), dtype=np.uint8))
    temporary = path.with_suffix(f".{os.getpid()}.tmp")
    temporary.write_bytes(buffer.getvalue())
    temporary.replace(path)  # whole or not at all: a killed run leaves no half-written entry
    return features


# --- training sets ---------------------------------------------------------------------------------

@dataclass
class LabelledPage:
    page_id: str
    layout_rows: np.ndarray  # the labelled blocks only
    trafilatura_rows: np.ndarray
    labels: np.ndarray  # 1 article text, 0 furniture
    features: PageFeatures | None = None  # every block of the page (for the fallback model)
    gold: Gold | None = None
    unit: str = "words"


@dataclass
class TrainingSet:
    """A dataset's labelled blocks, page by page."""

    name: str
    kind: str
    pages: list[LabelledPage] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)  # reason -> pages

    @property
    def labelled_blocks(self) -> int:
        return sum(len(page.labels) for page in self.pages)


def label_page(page: Page, unit: str, cache_dir: Path | None = FEATURE_CACHE) -> LabelledPage | str:
    """The page's labelled blocks with both feature rows, or why it cannot be labelled."""
    from extractors import ExtractionError

    try:
        features = page_features(page, cache_dir)
    except ExtractionError as error:
        return f"unreadable ({error})"
    labels = page_labels(page, features.texts, unit)
    if labels is None:
        return "gold body not on the page"
    known = np.array([label is not None for label in labels], dtype=bool)
    if not known.any():
        return "no block labelled"
    return LabelledPage(page.id, features.layout_rows[known], features.trafilatura_rows[known],
                        np.array([label for label in labels if label is not None], dtype=np.int8), features, page.gold, unit)


def has_block_gold(kind: str, pages: list[Page]) -> bool:
    """HTML pages with a gold body or snippets: something the voter can learn from."""
    return kind in KIND_WEIGHTS and any(page.gold.body is not None or page.gold.with_snippets is not None for page in pages)


def training_set(directory: Path, *, part: str = "tuning", cache_dir: Path | None = FEATURE_CACHE,
                 progress: Callable[[str, str], None] | None = None) -> TrainingSet:
    """The dataset's labelled pages (`part`: 'tuning' sites only, or 'all'); empty when it has nothing to learn from."""
    kind = dataset_kind(directory)
    found = TrainingSet(directory.name, kind)
    if kind not in KIND_WEIGHTS:
        return found
    everything = load_pages(directory, kind)
    if not has_block_gold(kind, everything):
        return found
    unspaced_set = body_unit(everything) == "characters"
    for page in everything:
        if part != "all" and held_out(page):
            continue
        # A Chinese page in a mostly English set is matched on characters too.
        unit = "characters" if unspaced_set else body_unit([page])
        labelled = label_page(page, unit, cache_dir)
        if isinstance(labelled, str):
            reason = labelled.split(" (")[0]
            found.skipped[reason] = found.skipped.get(reason, 0) + 1
        else:
            found.pages.append(labelled)
        if progress:
            progress(directory.name, page.id)
    return found


# --- fitting ---------------------------------------------------------------------------------------

def block_weights(sets: list[TrainingSet], weighting: str = DEFAULT_WEIGHTING) -> np.ndarray:
    """One weight per labelled block of `sets` (in order), as WEIGHTINGS describes; they average 1."""
    if weighting not in WEIGHTINGS:
        raise ValueError(f"unknown weighting {weighting!r} (known: {', '.join(WEIGHTINGS)})")
    weights = []
    for found in sets:
        for page in found.pages:
            if weighting == "datasets":
                weights.append(np.full(len(page.labels), 1.0 / len(page.labels) / len(found.pages)))
            else:
                weights.append(np.full(len(page.labels), KIND_WEIGHTS[found.kind]))
    joined = np.concatenate(weights)
    return joined / joined.mean()


def fit_body_models(sets: list[TrainingSet], *, threshold: float = 0.5, part: str = "tuning",
                    weighting: str = DEFAULT_WEIGHTING) -> dict:
    """Fit both models on the labelled blocks of `sets`; the document `BodyModels.from_dict` reads."""
    from sklearn.ensemble import HistGradientBoostingClassifier
    from threadpoolctl import threadpool_limits

    sets = [found for found in sets if found.pages]
    pages = [page for found in sets for page in found.pages]
    if not pages:
        raise ValueError("no labelled pages to train on (the body voter learns from HTML pages with a gold body or snippets)")
    layout = np.vstack([page.layout_rows for page in pages])
    combined = np.hstack([layout, np.vstack([page.trafilatura_rows for page in pages])])
    target = np.concatenate([page.labels for page in pages])
    sample_weight = block_weights(sets, weighting)
    with threadpool_limits(TRAINING_THREADS):
        layout_model = HistGradientBoostingClassifier(**TREE_SETTINGS).fit(layout, target, sample_weight=sample_weight)
        combined_model = HistGradientBoostingClassifier(**TREE_SETTINGS).fit(combined, target, sample_weight=sample_weight)
        fallback, fallback_pages = fit_fallback(sets, threshold=threshold, weighting=weighting)
    trained_on = {"datasets": {found.name: {"pages": len(found.pages), "labelled_blocks": found.labelled_blocks,
                                            "skipped": found.skipped} for found in sets},
                  "part": part, "weighting": weighting, "settings": TREE_SETTINGS, "fallback_pages": fallback_pages}
    return {
        "threshold": threshold, "doubt_band": list(DOUBT_BAND), "doubt_share": DOUBT_SHARE, "trained_on": trained_on,
        "layout": export_trees(layout_model, LAYOUT_FEATURES),
        "combined": export_trees(combined_model, LAYOUT_FEATURES + TRAFILATURA_FEATURES),
        "fallback": fallback,
    }


def page_body_f1(text: str, gold: Gold, unit: str) -> float:
    """A body's F1 against the page's gold: shingle F1 with a gold body, else the page's snippet F1."""
    if gold.body is not None:
        return f1(*shingle_precision_recall(text, gold.body, unit))
    return f1(*snippet_precision_recall(snippet_counts(text, gold.with_snippets or [], gold.without_snippets or [])))


def fallback_examples(sets: list[TrainingSet], *, threshold: float, weighting: str
                      ) -> tuple[list[list[float]], list[int], list[float]]:
    """The training pages where the voter (fitted without them) and trafilatura disagree a lot: their
    FALLBACK_FEATURES, whether trafilatura's body scored better, and by how much (the example's weight; a
    dataset's examples weigh as its pages do in training)."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    rows: list[list[float]] = []
    labels: list[int] = []
    weights: list[float] = []
    fold_of = {(found.name, page.page_id): zlib.crc32(f"{found.name}/{page.page_id}".encode()) % FALLBACK_FOLDS
               for found in sets for page in found.pages}
    for fold in range(FALLBACK_FOLDS):
        training = [TrainingSet(found.name, found.kind,
                                [page for page in found.pages if fold_of[found.name, page.page_id] != fold])
                    for found in sets]
        training = [found for found in training if found.pages]
        if not training:
            continue
        pages = [page for found in training for page in found.pages]
        combined = np.hstack([np.vstack([page.layout_rows for page in pages]),
                              np.vstack([page.trafilatura_rows for page in pages])])
        model = HistGradientBoostingClassifier(**TREE_SETTINGS).fit(
            combined, np.concatenate([page.labels for page in pages]), sample_weight=block_weights(training, weighting))
        voter = TreeModel.from_dict(export_trees(model, LAYOUT_FEATURES + TRAFILATURA_FEATURES))
        for found in sets:
            scored = [page for page in found.pages if fold_of[found.name, page.page_id] == fold and page.features is not None]
            for page in scored:
                features = page.features
                probabilities = voter.probabilities(np.hstack([features.layout_rows, features.trafilatura_rows]))
                lengths = np.array([len(text) for text in features.texts], dtype=np.float64)
                row = fallback_features(lengths, features.layout_rows, features.trafilatura_rows, probabilities,
                                        threshold, DOUBT_BAND)
                if row is None:
                    continue
                kept = features.trafilatura_rows[:, 0] >= 0.5
                ours = "\n".join(text for text, probability in zip(features.texts, probabilities) if probability >= threshold)
                theirs = "\n".join(text for text, vote in zip(features.texts, kept) if vote)
                gain = page_body_f1(theirs, page.gold, page.unit) - page_body_f1(ours, page.gold, page.unit)
                if abs(gain) < 1e-9:
                    continue
                rows.append(row)
                labels.append(int(gain > 0))
                weights.append(abs(gain) / (len(found.pages) if weighting == "datasets" else 1.0))
    return rows, labels, weights


def fit_fallback(sets: list[TrainingSet], *, threshold: float, weighting: str) -> tuple[dict | None, int]:
    """The fallback model's document (None when too few pages disagree, or all one way), and on how many pages."""
    from sklearn.linear_model import LogisticRegression

    rows, labels, weights = fallback_examples(sets, threshold=threshold, weighting=weighting)
    if len(rows) < MIN_FALLBACK_PAGES or len(set(labels)) < 2:
        return None, len(rows)
    matrix = np.asarray(rows, dtype=np.float64)
    mean, scale = matrix.mean(axis=0), matrix.std(axis=0)
    scale[scale == 0] = 1.0
    weight = np.asarray(weights) / np.mean(weights)
    model = LogisticRegression(C=FALLBACK_REGULARIZATION, max_iter=1000).fit((matrix - mean) / scale, labels,
                                                                             sample_weight=weight)
    return {"features": FALLBACK_FEATURES, "mean": mean.tolist(), "scale": scale.tolist(),
            "coefficients": model.coef_[0].tolist(), "intercept": float(model.intercept_[0])}, len(rows)


def export_trees(model, features: list[str]) -> dict:
    """scikit-learn's HistGradientBoostingClassifier as flat node arrays (the layout TreeModel reads)."""
    roots, nodes = [], {"feature": [], "split": [], "left": [], "right": [], "value": [], "is_leaf": []}
    depth = 0
    for (predictor,) in model._predictors:
        offset = len(nodes["feature"])
        roots.append(offset)
        for node in predictor.nodes:
            leaf = bool(node["is_leaf"])
            nodes["feature"].append(0 if leaf else int(node["feature_idx"]))
            nodes["split"].append(0.0 if leaf else float(node["num_threshold"]))
            nodes["left"].append(offset + int(node["left"]) if not leaf else 0)
            nodes["right"].append(offset + int(node["right"]) if not leaf else 0)
            nodes["value"].append(float(node["value"]) if leaf else 0.0)
            nodes["is_leaf"].append(leaf)
            depth = max(depth, int(node["depth"]))
    return {"features": features, "baseline": float(model._baseline_prediction.ravel()[0]), "depth": depth,
            "roots": roots, "nodes": nodes}


def train_body_model(dataset_dirs: list[str | Path], *, part: str = "tuning", threshold: float = 0.5,
                     weighting: str = DEFAULT_WEIGHTING, out: Path = MODEL_PATH, cache_dir: Path | None = FEATURE_CACHE,
                     progress: Callable[[str, str], None] | None = None) -> dict:
    """Label the datasets named (a folder of datasets: all of them), fit both models and write them; returns
    what they were trained on (datasets with nothing to learn from are listed with 0 pages)."""
    sets = [training_set(directory, part=part, cache_dir=cache_dir, progress=progress)
            for directory in find_datasets(dataset_dirs)]
    document = fit_body_models(sets, threshold=threshold, part=part, weighting=weighting)
    for found in sets:
        document["trained_on"]["datasets"].setdefault(found.name, {"pages": 0, "labelled_blocks": 0, "skipped": found.skipped})
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(document, separators=(",", ":")), encoding="utf-8")
    return document["trained_on"]


# --- leave one dataset out -------------------------------------------------------------------------

@dataclass
class Fold:
    """One dataset scored with a body model trained without it."""

    report: EvalReport
    trained_on: dict[str, int]  # dataset name -> labelled pages


def leave_one_out(paths: list[str | Path], *, training_part: str = "tuning", weighting: str = DEFAULT_WEIGHTING,
                  systems: list[str] | None = None, sample: int | None = None, limit: int | None = None, part: str = "all",
                  cache_dir: Path | None = FEATURE_CACHE, progress: Callable[[str], None] | None = None) -> list[Fold]:
    """For each dataset S in turn: train the body voter on all the other datasets with body gold (their
    `training_part` pages), then score S with it, the reference extractors beside it (as `run_eval` does).
    Datasets without HTML or body gold are scored with the voter trained on all the others."""
    from extractors.body import BodyModels, models_in_use

    directories = find_datasets(paths)
    sets: dict[str, TrainingSet] = {}
    for directory in directories:
        if progress:
            progress(f"block features and labels of {directory.name}")
        found = sets[directory.name] = training_set(directory, part=training_part, cache_dir=cache_dir)
        if progress and found.skipped:
            progress("  not labelled: " + ", ".join(f"{count} {reason}" for reason, count in found.skipped.items()))
    trained: dict[tuple[str, ...], BodyModels] = {}
    folds = []
    for directory in directories:
        others = tuple(name for name, found in sets.items() if name != directory.name and found.pages)
        if others not in trained:
            if progress:
                progress(f"training without {directory.name}: on {', '.join(others)}")
            document = fit_body_models([sets[name] for name in others], part=training_part, weighting=weighting)
            trained[others] = BodyModels.from_dict(document)
        if progress:
            progress(f"scoring {directory.name} left out")
        kind = dataset_kind(directory)
        everything = load_pages(directory, kind)
        pages = select_pages(everything, part=part, sample=sample, limit=limit)
        with models_in_use(trained[others]):
            report = evaluate_pages(str(directory), kind, pages, systems=systems, unit=body_unit(everything),
                                    model=f"trained without {directory.name}")
        folds.append(Fold(report, {name: len(sets[name].pages) for name in others}))
    return folds
