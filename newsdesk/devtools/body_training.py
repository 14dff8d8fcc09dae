"""Training the body voter (`newsdesk train-body`): label the blocks of dev-set pages from their gold,
fit gradient-boosted trees on the tuning sites only, and write the trees as data to
extractors/models/body_model.json. The held-out sites stay unseen, so `newsdesk eval --part held-out`
measures the shipped model on sites it was never trained on.

Needs scikit-learn (`pip install -e '.[train]'`); extraction itself needs only numpy.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from extractors.blocks import Block, segment
from extractors.body import LAYOUT_FEATURES, MODEL_PATH, TRAFILATURA_FEATURES, layout_features, trafilatura_features
from extractors.decoding import decode_bytes
from extractors.html_extractor import page_titles, parse_html, trafilatura_body
from extractors.metadata import read_metadata
from newsdesk.devtools.evaluation import Page, dataset_kind, held_out, load_pages

_TOKEN = re.compile(r"\w+")

# How much one labelled block of each dataset kind weighs. Snippet pages label a few blocks each, at the
# boundaries that are hard; gold-body pages label every block, most of them easy.
KIND_WEIGHTS = {"snippets": 1.0, "news-metadata": 0.3}

# Gradient boosting settings: small trees, bounded depth (the depth bounds the inference loop). 120 trees at
# a 0.15 learning rate scored as 200 at 0.1 in cross-validation over the tuning sites, at 60% of the cost.
TREE_SETTINGS = {"max_iter": 120, "learning_rate": 0.15, "max_leaf_nodes": 15, "max_depth": 6,
                 "l2_regularization": 1.0, "early_stopping": False, "random_state": 0}


# When the layout model hands a page to trafilatura: when blocks holding this share of the kept text have
# probabilities in this band. Chosen by cross-validation over the tuning sites (snippet F1 when asked on
# 100% / 54% / 43% / 36% of pages: 0.937 / 0.938 / 0.936 / 0.935): asking on fewer than half the pages
# costs almost nothing, and each page not asked saves trafilatura's time.
DOUBT_BAND = (0.15, 0.85)
DOUBT_SHARE = 0.15


@dataclass
class LabelledPage:
    page_id: str
    kind: str
    layout_rows: list[list[float]]
    trafilatura_rows: list[list[float]]
    labels: list[int | None]  # 1 article text, 0 furniture, None unknown or ambiguous
    texts: list[str]


def _normalize(text: str) -> str:
    return " ".join(text.split())


def labels_from_snippets(blocks: list[Block], with_snippets: list[str], without_snippets: list[str]) -> list[int | None]:
    """A block under a snippet that must be in the body is text (1); under one that must not, furniture (0);
    under both, or under none, unknown."""
    spans, position = [], 0
    for block in blocks:
        length = len(_normalize(block.text))
        spans.append((position, position + length))
        position += length + 1
    page_text = " ".join(_normalize(block.text) for block in blocks)
    labels: list[int | None] = [None] * len(blocks)
    conflicting = set()
    for label, snippets in ((1, with_snippets), (0, without_snippets)):
        for snippet in snippets:
            snippet = _normalize(snippet)
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


def labels_from_gold_body(blocks: list[Block], gold_body: str) -> list[int | None]:
    """A block is text when most of its 4-word shingles are in the gold body (short blocks: when it is a
    whole gold paragraph, or three or more words of one), furniture when few are; in between, unknown."""
    gold_tokens = _TOKEN.findall(gold_body.lower())
    gold_shingles = {tuple(gold_tokens[i:i + 4]) for i in range(len(gold_tokens) - 3)}
    gold_lines = [" ".join(_TOKEN.findall(line)) for line in gold_body.lower().split("\n")]
    whole_lines = set(gold_lines)
    labels: list[int | None] = []
    for block in blocks:
        tokens = _TOKEN.findall(block.text.lower())
        if len(tokens) >= 6:
            shingles = [tuple(tokens[i:i + 4]) for i in range(len(tokens) - 3)]
            share = sum(shingle in gold_shingles for shingle in shingles) / len(shingles)
            labels.append(1 if share >= 0.6 else 0 if share <= 0.2 else None)
        elif tokens:
            key = " ".join(tokens)
            if key in whole_lines:
                labels.append(1)
            elif any(f" {key} " in f" {line} " for line in gold_lines):
                labels.append(1 if len(tokens) >= 3 else None)
            else:
                labels.append(0)
        else:
            labels.append(None)
    return labels


def label_page(page: Page, kind: str) -> LabelledPage:
    """The page's blocks with both feature rows (as extraction computes them) and their labels."""
    html = decode_bytes(page.content, "text/html").text if isinstance(page.content, bytes) else page.content
    tree = parse_html(html)
    titles = page_titles(read_metadata(tree))
    blocks = segment(tree)
    layout_rows = layout_features(blocks, titles)
    trafilatura_rows = trafilatura_features(blocks, trafilatura_body(tree, page.url))
    if kind == "snippets":
        labels = labels_from_snippets(blocks, page.gold["with"], page.gold["without"])
    else:
        labels = labels_from_gold_body(blocks, page.gold["body"])
    return LabelledPage(page.id, kind, layout_rows, trafilatura_rows, labels, [block.text for block in blocks])


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


def train_body_model(dataset_dirs: list[Path], *, part: str = "tuning", threshold: float = 0.5,
                     out: Path = MODEL_PATH, progress=None) -> dict:
    """Label, fit both models and write them; returns what they were trained on."""
    import numpy as np
    from sklearn.ensemble import HistGradientBoostingClassifier

    layout_rows, trafilatura_rows, labels, weights, summary = [], [], [], [], {}
    for directory in dataset_dirs:
        kind = dataset_kind(directory)
        if kind not in KIND_WEIGHTS:
            raise ValueError(f"{directory}: a {kind} dataset has no HTML to learn blocks from")
        pages = [page for page in load_pages(directory, kind) if part == "all" or not held_out(page)]
        labelled_blocks = 0
        for page in pages:
            labelled = label_page(page, kind)
            for layout_row, trafilatura_row, label in zip(labelled.layout_rows, labelled.trafilatura_rows, labelled.labels):
                if label is not None:
                    layout_rows.append(layout_row)
                    trafilatura_rows.append(trafilatura_row)
                    labels.append(label)
                    weights.append(KIND_WEIGHTS[kind])
                    labelled_blocks += 1
            if progress:
                progress(directory.name, page.id)
        summary[directory.name] = {"pages": len(pages), "labelled_blocks": labelled_blocks}
    layout = np.array(layout_rows)
    combined = np.hstack([layout, np.array(trafilatura_rows)])
    target, sample_weight = np.array(labels), np.array(weights)
    layout_model = HistGradientBoostingClassifier(**TREE_SETTINGS).fit(layout, target, sample_weight=sample_weight)
    combined_model = HistGradientBoostingClassifier(**TREE_SETTINGS).fit(combined, target, sample_weight=sample_weight)
    trained_on = {"datasets": summary, "part": part, "settings": TREE_SETTINGS}
    document = {
        "threshold": threshold, "doubt_band": list(DOUBT_BAND), "doubt_share": DOUBT_SHARE, "trained_on": trained_on,
        "layout": export_trees(layout_model, LAYOUT_FEATURES),
        "combined": export_trees(combined_model, LAYOUT_FEATURES + TRAFILATURA_FEATURES),
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(document, separators=(",", ":")), encoding="utf-8")
    return trained_on
