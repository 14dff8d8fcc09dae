"""The body voter: decides, block by block, what of a page is the article.

Two votes are weighed by small learned models (gradient-boosted trees, as data in extractors/models/):
the page's own layout — each block's text (length, stopwords, sentence punctuation, links), its place
(furniture or story regions, lists, headings, captions), its neighbours and readability's container
score — and, where the layout alone leaves a page in doubt, trafilatura's choice of text. Pages the
layout settles are never handed to trafilatura: its answer could not change the result.
"""

from __future__ import annotations

import heapq
import json
import math
import re
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import lru_cache
from importlib import resources
from importlib.resources.abc import Traversable
from itertools import accumulate, repeat
from operator import itemgetter
from pathlib import Path
from typing import Callable, Iterator

import numpy as np

from extractors.blocks import Block
from extractors.cues import date_banner
from extractors.rules import blocks as block_rules
from extractors.rules import lines as line_rules
from extractors.text import CJK_SCRIPT, LETTERS, best_stoplist, visible_text
from extractors.text_cleaner import match_noise_rule

# The shipped model is package data, read through importlib.resources so that an egg or zip (scrapyd deploys
# eggs) loads it as well as a checkout or wheel does. MODEL_PATH is where `newsdesk train-body` writes it.
MODEL_RESOURCE = resources.files("extractors") / "models" / "body_model.json"
MODEL_PATH = Path(__file__).with_name("models") / "body_model.json"

_DIGIT = re.compile(r"\d")
_SENTENCE_MARKS = re.compile(r"[.!?…。！？؟।]")
_TAGS = ("p", "div", "li", "td", "h", "section", "figcaption")
_TAG_COLUMNS = {name: tuple(1.0 if name == other else 0.0 for other in _TAGS) for name in _TAGS}
_TAG_COLUMNS["tr"] = _TAG_COLUMNS["td"]  # a data table's row
_NO_TAG = (0.0,) * len(_TAGS)
_FIRST = itemgetter(0)  # a word's first character

LAYOUT_FEATURES = [
    "log_chars", "log_words", "link_density", "stopword_density", "sentence_end", "sentence_marks_per_word",
    "commas_per_word", "digit_share", "capitalised_share",
    "in_heading", "in_list", "in_table", "in_quote",
    *(f"region_{name}" for name in block_rules.REGIONS),
    *(f"tag_{name}" for name in _TAGS),
    "position", "text_position", "container_link_density", "log_container_size", "repeats_on_page", "is_title",
    "previous_link_density", "next_link_density", "previous_log_chars", "next_log_chars", "log_relative_length",
    "depth", "in_top_container", "best_ancestor_score", "log_top_container_score",
    "log_path_containers", "path_text_share", "container_text_share", "container_mean_log_chars", "log_link_run",
    "after_comment_header",
]
TRAFILATURA_FEATURES = [
    "trafilatura_kept", "neighbours_kept", "container_kept", "log_distance_to_kept", "before_first_kept",
    "after_last_kept", "page_kept_share",
]


# The fallback: when the voter's body and trafilatura's disagree a lot — one keeps over DISAGREEMENT times
# the text of the other — a small page-level model, trained across the dev sets on such pages, decides
# which of the two to keep. Its features, per page (voter: the blocks kept; trafilatura: the blocks it kept):
FALLBACK_FEATURES = [
    "log_length_ratio", "log_voter_chars", "log_trafilatura_chars", "voter_confidence", "voter_doubt_share",
    "voter_link_density", "trafilatura_link_density", "overlap_of_voter", "overlap_of_trafilatura",
    "voter_top_container_share", "trafilatura_top_container_share", "voter_comment_share",
    "trafilatura_comment_share", "voter_stopword_density", "trafilatura_stopword_density",
]
DISAGREEMENT = 3.0
_LINKS, _TOP = LAYOUT_FEATURES.index("link_density"), LAYOUT_FEATURES.index("in_top_container")
_STOPWORDS = LAYOUT_FEATURES.index("stopword_density")
_COMMENTS = (LAYOUT_FEATURES.index("region_comments"), LAYOUT_FEATURES.index("after_comment_header"))
_KEPT = TRAFILATURA_FEATURES.index("trafilatura_kept")


def fallback_features(lengths: np.ndarray, layout: np.ndarray, votes: np.ndarray, probabilities: np.ndarray,
                      threshold: float, doubt_band: tuple[float, float]) -> list[float] | None:
    """FALLBACK_FEATURES of a page whose voter and trafilatura disagree a lot, else None. `lengths`: the blocks'
    characters; `layout` and `votes`: their LAYOUT_FEATURES and TRAFILATURA_FEATURES rows; `probabilities`:
    the voter's."""
    voter, theirs = probabilities >= threshold, votes[:, _KEPT] >= 0.5
    voter_chars, their_chars = float(lengths[voter].sum()), float(lengths[theirs].sum())
    if voter_chars <= DISAGREEMENT * their_chars and their_chars <= DISAGREEMENT * voter_chars:
        return None

    def share(mask: np.ndarray, column: np.ndarray) -> float:
        chars = lengths[mask].sum()
        return float((lengths[mask] * column[mask]).sum() / chars) if chars else 0.0

    low, high = doubt_band
    both = float(lengths[voter & theirs].sum())
    comments = np.maximum(layout[:, _COMMENTS[0]] > 0, layout[:, _COMMENTS[1]]).astype(np.float64)
    return [
        math.log((voter_chars + 1) / (their_chars + 1)), math.log1p(voter_chars), math.log1p(their_chars),
        share(voter, probabilities), float(lengths[(probabilities > low) & (probabilities < high)].sum() / max(voter_chars, 1.0)),
        share(voter, layout[:, _LINKS]), share(theirs, layout[:, _LINKS]),
        both / voter_chars if voter_chars else 0.0, both / their_chars if their_chars else 0.0,
        share(voter, layout[:, _TOP]), share(theirs, layout[:, _TOP]), share(voter, comments), share(theirs, comments),
        share(voter, layout[:, _STOPWORDS]), share(theirs, layout[:, _STOPWORDS]),
    ]


@dataclass(frozen=True)
class FallbackModel:
    """Logistic regression over standardized FALLBACK_FEATURES: the probability that trafilatura's body
    scores better than the voter's on a page where the two disagree a lot."""

    mean: np.ndarray
    scale: np.ndarray
    coefficients: np.ndarray
    intercept: float

    @classmethod
    def from_dict(cls, data: dict) -> "FallbackModel":
        if data["features"] != FALLBACK_FEATURES:
            raise ValueError("the fallback model was trained on other features")
        return cls(np.asarray(data["mean"]), np.asarray(data["scale"]), np.asarray(data["coefficients"]),
                   float(data["intercept"]))

    def prefers_trafilatura(self, features: list[float]) -> bool:
        score = float(((np.asarray(features) - self.mean) / self.scale) @ self.coefficients) + self.intercept
        return score > 0.0


def page_stopwords(blocks: list[Block], words: list[list[str]] | None = None) -> frozenset[str]:
    """The stoplist of the language the page's longer blocks are written in (by stopword share). `words`: each
    block's lower-cased letter words, when the caller has read them already."""
    lengths = [len(block.text) for block in blocks]
    sample: list[str] = []
    # The 12 longest blocks, longest first (in page order among equals), as a stable sort by length would give.
    for i in heapq.nlargest(12, range(len(blocks)), key=lengths.__getitem__):
        sample.extend(words[i] if words is not None else LETTERS.findall(blocks[i].text.lower()))
        if len(sample) > 400:
            break
    return best_stoplist(sample)


def _ascii_table(character_class: Callable[[str], str]) -> bytes:
    """A bytes.translate table giving each ASCII character its class (one ASCII character). Bytes above 127,
    which ASCII text never has, are mapped to a space."""
    return "".join(character_class(chr(code)) if code < 128 else " " for code in range(256)).encode()


# On ASCII text, the rules of _text_counts as per-character classes: LETTERS' words (LETTERS matches runs of one
# class of characters) in lower case, others a space; and str.split's whitespace, capitals, digits, sentence marks.
_ASCII_LETTERS = _ascii_table(lambda character: character.lower() if LETTERS.fullmatch(character.lower()) else " ")
_ASCII_KINDS = _ascii_table(lambda character: " " if character.isspace() else "A" if character.isupper()
                            else "0" if _DIGIT.fullmatch(character) else "." if _SENTENCE_MARKS.fullmatch(character) else "x")


def _text_counts(text: str) -> tuple[list[str], int, int, float]:
    """A text's lower-cased letter words, its sentence marks, its digits and its share of capitalised
    (whitespace-separated) words. Four in five blocks are ASCII: two byte translations count theirs in
    under half the time of the regular expressions' scans."""
    return _ascii_counts(text) if text.isascii() else _scanned_counts(text)


def _ascii_counts(text: str) -> tuple[list[str], int, int, float]:
    data = text.encode()
    kinds = (b" " + data).translate(_ASCII_KINDS)  # " A": a word (as str.split finds them) with a capital
    return (data.translate(_ASCII_LETTERS).decode().split(), kinds.count(b"."), kinds.count(b"0"),
            kinds.count(b" A") / (len(text.split()) or 1))


def _scanned_counts(text: str) -> tuple[list[str], int, int, float]:
    spaced = text.split()
    return (LETTERS.findall(text.lower()), len(_SENTENCE_MARKS.findall(text)), len(_DIGIT.findall(text)),
            sum(map(str.isupper, map(_FIRST, spaced))) / (len(spaced) or 1))


# A short link item: a menu entry, a teaser headline, a tag.
_SHORT_LINK_CHARS = 120
_MAX_HEADER_CHARS = 80


def _link_runs(short_links: list[bool]) -> list[int]:
    """Per block, the length of the run of short link items it is in (0 outside any)."""
    count = len(short_links)
    link_run = [0] * count
    start = 0
    while start < count:
        end = start
        while end < count and short_links[end]:
            end += 1
        for i in range(start, end):
            link_run[i] = end - start
        start = max(end, start + 1)
    return link_run


def _container_columns(blocks: list[Block], densities: list[float], lengths: list[int], log_lengths: list[float],
                       total_chars: int) -> tuple[dict[int, tuple[float, float]], dict[int, tuple[float, float]]]:
    """Per container (a holder's parent, shared by siblings): its mean link density and log member count,
    and its share of the page's characters and mean log length."""
    members: dict[int, list[int]] = {}
    chars: dict[int, int] = {}
    log_chars: dict[int, float] = {}
    for block, length, log_length in zip(blocks, lengths, log_lengths):
        container = block.ancestors[-1]
        members.setdefault(container, []).append(block.index)
        chars[container] = chars.get(container, 0) + length
        log_chars[container] = log_chars.get(container, 0.0) + log_length
    links = {container: (sum(densities[i] for i in indexes) / len(indexes), math.log1p(len(indexes)))
             for container, indexes in members.items()}
    shares = {container: (chars[container] / total_chars, log_chars[container] / len(indexes))
              for container, indexes in members.items()}
    return links, shares


def _readability_scores(blocks: list[Block], lengths: list[int], densities: list[float]) -> dict[int, float]:
    """readability's vote: paragraphs score their parent fully and their grandparent by half; the best scored
    element is the story's container."""
    container_score: dict[int, float] = {}
    for block, chars, density in zip(blocks, lengths, densities):
        if chars < 25 or density > 0.5:
            continue
        score = 1 + block.text.count(",") + min(chars // 100, 3)
        ancestors = block.ancestors
        container_score[ancestors[-1]] = container_score.get(ancestors[-1], 0.0) + score
        if len(ancestors) > 1:
            container_score[ancestors[-2]] = container_score.get(ancestors[-2], 0.0) + score / 2
    return container_score


def _place_columns(blocks: list[Block], container_score: dict[int, float], lengths: list[int], total_chars: int,
                   shares: dict[int, tuple[float, float]]) -> list[tuple[float, ...]]:
    """Per block, the columns from in_top_container to container_mean_log_chars, computed once per distinct
    ancestry and path (siblings share them)."""
    top_score = max(container_score.values(), default=0.0)
    top_container = max(container_score, key=container_score.__getitem__) if container_score else -1
    log_top_score = math.log1p(top_score)
    # Records built alike: blocks sharing a path (holder and nearest ancestors' tags and classes) in many
    # separate containers are entries of a repeated structure (reader comments, teasers), unlike the
    # paragraphs of one story, which share one container.
    path_containers: dict[str, set[int]] = {}
    path_chars: dict[str, int] = {}
    for block, chars in zip(blocks, lengths):
        path_containers.setdefault(block.path, set()).add(block.ancestors[-1])
        path_chars[block.path] = path_chars.get(block.path, 0) + chars
    # Per distinct ancestry and path: inside the top container? the best score among ancestors; the path's and
    # the container's columns.
    score_of = container_score.get
    places: dict[tuple[tuple[int, ...], str], tuple[float, ...]] = {}
    columns = []
    for block in blocks:
        key = (block.ancestors, block.path)
        place = places.get(key)
        if place is None:
            ancestors, path = key
            best = max(map(score_of, ancestors, repeat(0.0)), default=0.0)
            place = places[key] = (
                1.0 if top_container in ancestors else 0.0, best / top_score if top_score else 0.0, log_top_score,
                math.log1p(len(path_containers[path])), path_chars[path] / total_chars, *shares[ancestors[-1]],
            )
        columns.append(place)
    return columns


def _style_columns(blocks: list[Block]) -> list[tuple[float | int, ...]]:
    """Per block, the columns from in_heading to the tag columns, computed once per distinct style."""
    styles: dict[tuple, tuple[float | int, ...]] = {}
    columns = []
    for block in blocks:
        key = (block.tag, block.in_list, block.in_table, block.in_quote, block.regions)
        style = styles.get(key)
        if style is None:
            in_heading = block.in_heading
            style = styles[key] = (float(in_heading), float(block.in_list), float(block.in_table), float(block.in_quote),
                                   *block.regions, *_TAG_COLUMNS.get("h" if in_heading else block.tag, _NO_TAG))
        columns.append(style)
    return columns


def _title_repeats(block_words: list[list[str]], lengths: list[int], titles: list[str]) -> list[float]:
    """Per block, 1.0 when its words (under 400 characters) are a declared title's, or over 20 characters of
    them are in one, else 0.0."""
    title_keys = [key for key in (" ".join(LETTERS.findall(title.lower())) for title in titles) if key]
    if not title_keys:
        return [0.0] * len(lengths)
    exact, longest = set(title_keys), max(map(len, title_keys))
    keys = [" ".join(words) if words and chars < 400 else "" for words, chars in zip(block_words, lengths)]
    return [1.0 if key and (key in exact or 20 < len(key) <= longest and any(key in title for title in title_keys))
            else 0.0 for key in keys]


def layout_features(blocks: list[Block], titles: list[str]) -> list[list[float]]:
    """One row of LAYOUT_FEATURES per block. `titles` are the page's declared titles (<title>, og:title),
    which the headline block repeats."""
    # Each block's text, length, link density and words, read once.
    texts = [block.text for block in blocks]
    lengths = list(map(len, texts))
    log_lengths = list(map(math.log1p, lengths))
    densities = [block.link_density for block in blocks]
    counts = list(map(_text_counts, texts))
    block_words = [words for words, _, _, _ in counts]
    stopwords = page_stopwords(blocks, block_words)
    count = len(blocks)
    seen = Counter(texts)
    total_chars = sum(lengths) or 1
    ordered_lengths = sorted(lengths)
    median_length = ordered_lengths[len(ordered_lengths) // 2] if ordered_lengths else 1
    links, shares = _container_columns(blocks, densities, lengths, log_lengths, total_chars)
    places = _place_columns(blocks, _readability_scores(blocks, lengths, densities), lengths, total_chars, shares)
    styles = _style_columns(blocks)
    repeats_title = _title_repeats(block_words, lengths, titles)

    # Runs of short link items (menus, teaser and tag lists), wherever they sit: each block's run length.
    link_run = _link_runs([chars <= _SHORT_LINK_CHARS and density >= 0.5 for chars, density in zip(lengths, densities)])

    # Reader comments follow the header that opens them ("12 comments", "Leserkommentare"): blocks after the
    # last such header that is not a link (a link to the comments sits at the top of many stories).
    headers = [block.index for block, chars, density in zip(blocks, lengths, densities)
               if chars <= _MAX_HEADER_CHARS and density < 0.5 and line_rules.COMMENT_HEADER.match(block.text)]
    comment_start = headers[-1] if headers else count

    sentence_end, cjk_script, log1p = line_rules.SENTENCE_END.search, CJK_SCRIPT.findall, math.log1p
    is_stopword = stopwords.__contains__
    rows = []
    for i, (block, text, chars, log_chars, (words, marks, digits, capitalised), density, style, place, chars_before,
            previous_density, next_density, previous_log_chars, next_log_chars, title) in enumerate(zip(
            blocks, texts, lengths, log_lengths, counts, densities, styles, places, accumulate(lengths, initial=0),
            [1.0, *densities[:-1]], [*densities[1:], 1.0], [0.0, *log_lengths[:-1]], [*log_lengths[1:], 0.0],
            repeats_title)):
        # Chinese and Japanese run words together: such text has few, very long "words".
        cjk = len(cjk_script(text)) if not words or chars > 12 * len(words) else 0
        word_count = len(words) + cjk // 2
        per_word = 1 / (word_count or 1)
        rows.append([
            log_chars,
            log1p(word_count),
            density,
            sum(map(is_stopword, words)) / len(words) if words else 0.0,
            1.0 if sentence_end(text) else 0.0,
            marks * per_word,
            text.count(",") * per_word,
            digits / chars,
            capitalised,
            *style,
            i / count,
            chars_before / total_chars,
            *links[block.ancestors[-1]],
            min(seen[text], 5),
            title,
            previous_density, next_density, previous_log_chars, next_log_chars,
            log1p(chars / median_length),
            min(block.depth, 40) / 40,
            *place,
            log1p(link_run[i]),
            1.0 if i > comment_start else 0.0,
        ])
    return rows


def kept_share(block_text: str, chosen: str) -> float:
    """1.0 when the block's text is in the chosen (whitespace-normalized) text, 0.5 when its start or end
    is, else 0."""
    text = visible_text(block_text)
    if text in chosen:
        return 1.0
    if len(text) > 60 and (text[:40] in chosen or text[-40:] in chosen):
        return 0.5
    return 0.0


def trafilatura_features(blocks: list[Block], trafilatura_text: str) -> list[list[float]]:
    """One row of TRAFILATURA_FEATURES per block: whether trafilatura kept it, its neighbours, its container."""
    chosen = visible_text(trafilatura_text)
    count = len(blocks)
    kept = [kept_share(block.text, chosen) if chosen else 0.0 for block in blocks]
    first_kept = next((i for i, value in enumerate(kept) if value), count)
    last_kept = max((i for i, value in enumerate(kept) if value), default=-1)
    containers: dict[int, list[float]] = {}
    for block, value in zip(blocks, kept):
        containers.setdefault(block.container, []).append(value)
    container_kept = {key: sum(values) / len(values) for key, values in containers.items()}
    page_kept_share = sum(kept) / count if count else 0.0
    distance = [50] * count
    last = None
    for i in range(count):
        if kept[i]:
            last = i
        if last is not None:
            distance[i] = i - last
    last = None
    for i in range(count - 1, -1, -1):
        if kept[i]:
            last = i
        if last is not None:
            distance[i] = min(distance[i], last - i)
    rows = []
    for i, block in enumerate(blocks):
        low, high = max(0, i - 2), min(count, i + 3)
        neighbours = high - low - 1
        rows.append([
            kept[i],
            (sum(kept[low:high]) - kept[i]) / neighbours if neighbours else 0.0,
            container_kept[block.container],
            math.log1p(distance[i]),
            1.0 if i < first_kept else 0.0,
            1.0 if i > last_kept else 0.0,
            page_kept_share,
        ])
    return rows


@dataclass(frozen=True)
class TreeModel:
    """Gradient-boosted decision trees (binary log-loss), written by `newsdesk train-body`.

    Each tree is laid out as a complete binary tree of the model's depth (a leaf above the bottom is
    repeated down to it), so every block of a page walks every tree at once, one level per step.
    """

    features: list[str]
    baseline: float
    depth: int
    split_feature: np.ndarray  # (trees * inner nodes): feature column tested
    split_value: np.ndarray  # (trees * inner nodes): go right when the feature is above this
    leaf_value: np.ndarray  # (trees * leaves)

    @property
    def trees(self) -> int:
        return len(self.leaf_value) >> self.depth

    @classmethod
    def from_dict(cls, data: dict) -> "TreeModel":
        nodes, depth = data["nodes"], data["depth"]
        inner, leaves = (1 << depth) - 1, 1 << depth
        trees = len(data["roots"])
        split_feature = np.zeros((trees, inner), dtype=np.int64)
        split_value = np.full((trees, inner), np.inf)
        leaf_value = np.zeros((trees, leaves))

        def place(tree: int, node: int, position: int, level: int) -> None:
            if level == depth:
                leaf_value[tree, position - inner] = nodes["value"][node]
            elif nodes["is_leaf"][node]:  # an early leaf: both children repeat it (split +inf goes left)
                place(tree, node, 2 * position + 1, level + 1)
                place(tree, node, 2 * position + 2, level + 1)
            else:
                split_feature[tree, position] = nodes["feature"][node]
                split_value[tree, position] = nodes["split"][node]
                place(tree, nodes["left"][node], 2 * position + 1, level + 1)
                place(tree, nodes["right"][node], 2 * position + 2, level + 1)

        for tree, root in enumerate(data["roots"]):
            place(tree, root, 0, 0)
        return cls(data["features"], data["baseline"], depth, split_feature.ravel(), split_value.ravel(), leaf_value.ravel())

    def probabilities(self, rows: list[list[float]] | np.ndarray) -> np.ndarray:
        if len(rows) == 0:
            return np.zeros(0)
        matrix = np.asarray(rows, dtype=np.float64)
        count, width = matrix.shape
        values = matrix.ravel()
        row_offsets = np.arange(count)[:, None] * width
        inner = (1 << self.depth) - 1
        tree_inner = np.arange(self.trees)[None, :] * inner
        position = np.zeros((count, self.trees), dtype=np.int64)
        for _level in range(self.depth):
            node = tree_inner + position
            go_right = values[row_offsets + self.split_feature[node]] > self.split_value[node]
            position = 2 * position + 1 + go_right
        leaves = np.arange(self.trees)[None, :] * (inner + 1) + position - inner
        raw = self.baseline + self.leaf_value[leaves].sum(axis=1)
        return 1.0 / (1.0 + np.exp(-raw))


@dataclass(frozen=True)
class BodyModels:
    """The layout model, the layout-plus-trafilatura model, and when the first hands over to the second."""

    layout: TreeModel
    combined: TreeModel
    threshold: float  # a block is kept when its probability reaches this
    doubt_band: tuple[float, float]  # probabilities in this band are in doubt
    doubt_share: float  # ask trafilatura when text in doubt reaches this share of the text kept
    trained_on: dict = field(default_factory=dict)
    fallback: FallbackModel | None = None  # decides between the voter and trafilatura when they disagree a lot

    @classmethod
    def load(cls, path: Path | Traversable = MODEL_RESOURCE) -> "BodyModels":
        return cls.from_dict(json.loads(path.read_text(encoding="utf-8")), str(path))

    @classmethod
    def from_dict(cls, data: dict, source: str = "the body model") -> "BodyModels":
        """The models from the document `newsdesk train-body` writes."""
        layout, combined = TreeModel.from_dict(data["layout"]), TreeModel.from_dict(data["combined"])
        if layout.features != LAYOUT_FEATURES or combined.features != LAYOUT_FEATURES + TRAFILATURA_FEATURES:
            raise ValueError(f"{source} was trained on other features; run `newsdesk train-body` again")
        fallback = FallbackModel.from_dict(data["fallback"]) if data.get("fallback") else None
        return cls(layout, combined, data["threshold"], tuple(data["doubt_band"]), data["doubt_share"],
                   data.get("trained_on", {}), fallback)

    def in_doubt(self, blocks: list[Block], probabilities: np.ndarray) -> bool:
        low, high = self.doubt_band
        lengths = np.fromiter((len(block.text) for block in blocks), dtype=np.float64, count=len(blocks))
        doubtful = lengths[(probabilities > low) & (probabilities < high)].sum()
        kept = lengths[probabilities >= self.threshold].sum()
        return doubtful >= self.doubt_share * max(kept, 1.0)


@lru_cache(maxsize=1)
def shipped_body_models() -> BodyModels:
    return BodyModels.load()


_models_in_use: list[BodyModels] = []


def body_models() -> BodyModels:
    """The models extraction votes with: the shipped ones, unless `models_in_use` names others."""
    return _models_in_use[-1] if _models_in_use else shipped_body_models()


@contextmanager
def models_in_use(models: BodyModels) -> Iterator[BodyModels]:
    """Extraction inside this block votes with `models` (e.g. ones trained without a dataset, to score
    that dataset as unseen)."""
    _models_in_use.append(models)
    try:
        yield models
    finally:
        _models_in_use.pop()


@dataclass
class BodyChoice:
    """The voter's decision for one page."""

    kept: list[Block]  # the article's blocks, in page order
    dropped: list[Block] = field(default_factory=list)  # the rest, in page order
    overruled: list[Block] = field(default_factory=list)  # dropped blocks that trafilatura had kept
    trafilatura_text: str | None = None  # trafilatura's body, when it was asked
    fallback: bool = False  # the voter and trafilatura disagreed a lot, and trafilatura's body is the better bet


def disagrees_with_container(blocks: list[Block], rows: list[list[float]], probabilities: np.ndarray,
                             threshold: float) -> bool:
    """Whether the layout vote keeps over DISAGREEMENT times, or under 1/DISAGREEMENT of, the text of
    readability's story container (the best-scored element, see layout_features): a page the layout
    alone does not settle, however sure of each block it is."""
    kept = container = 0
    for block, row, probability in zip(blocks, rows, probabilities):
        if probability >= threshold:
            kept += len(block.text)
        if row[_TOP]:
            container += len(block.text)
    return kept > DISAGREEMENT * container or container > DISAGREEMENT * kept


def choose_blocks(blocks: list[Block], titles: list[str], ask_trafilatura: Callable[[], str]) -> BodyChoice:
    """The article's blocks. `ask_trafilatura` runs trafilatura on the page; it is called only when the
    layout vote leaves the page in doubt, or disagrees a lot with readability's story container. A block
    inside a figure's caption element is dropped whatever the vote: a caption is not the story; so are reader
    comments, menu and teaser links kept inside their regions, unless those are most of what is kept."""
    if not blocks:
        return BodyChoice([])
    models = body_models()
    rows = layout_features(blocks, titles)
    probabilities = models.layout.probabilities(rows)
    choice = BodyChoice([])
    if models.in_doubt(blocks, probabilities) or disagrees_with_container(blocks, rows, probabilities, models.threshold):
        choice.trafilatura_text = ask_trafilatura()
        votes = trafilatura_features(blocks, choice.trafilatura_text)
        probabilities = models.combined.probabilities([row + vote for row, vote in zip(rows, votes)])
        choice.overruled = [block for block, vote, probability in zip(blocks, votes, probabilities)
                            if vote[0] and probability < models.threshold]
        if models.fallback is not None and choice.trafilatura_text.strip():
            lengths = np.fromiter((len(block.text) for block in blocks), dtype=np.float64, count=len(blocks))
            features = fallback_features(lengths, np.asarray(rows, dtype=np.float64), np.asarray(votes, dtype=np.float64),
                                         probabilities, models.threshold, models.doubt_band)
            choice.fallback = features is not None and models.fallback.prefers_trafilatura(features)
    for block, probability in zip(blocks, probabilities):
        (choice.kept if probability >= models.threshold and not block.in_caption else choice.dropped).append(block)
    return without_stray_furniture(choice)


_STRAY_FURNITURE = [(block_rules.REGIONS.index(region), links)
                    for region, links in block_rules.STRAY_FURNITURE_LINKS.items()]


def without_stray_furniture(choice: BodyChoice) -> BodyChoice:
    """Drop the kept blocks of a furniture region (block_rules.STRAY_FURNITURE_LINKS) that the vote let through one
    by one: reader comments under a story, menu and teaser links. The region is the page's content (a forum
    thread, a comment page) only when its blocks are most of the text kept and the vote kept most of its text."""
    for column, min_links in _STRAY_FURNITURE:
        inside = [block for block in choice.kept if block.regions[column]]
        if not inside:
            continue
        kept_inside = sum(len(block.text) for block in inside)
        region = kept_inside + sum(len(block.text) for block in choice.dropped if block.regions[column])
        if kept_inside >= block_rules.STRAY_FURNITURE_SHARE * sum(len(block.text) for block in choice.kept) \
                and kept_inside >= block_rules.STRAY_FURNITURE_REGION_SHARE * region:
            continue
        choice = _no_longer_kept(choice, [block for block in inside if block.link_density >= min_links])
    return choice


_STANDFIRST_EXCLUDED = [block_rules.REGIONS.index(region) for region in block_rules.STANDFIRST_NOT_IN]
_CAPTION_REGION = block_rules.REGIONS.index("caption")


def keep_standfirst(blocks: list[Block], choice: BodyChoice) -> BodyChoice:
    """Keep the standfirst the vote dropped just above the story (see block_rules.STANDFIRST_LOOKBACK_BLOCKS)."""
    if not choice.kept:
        return choice
    first = choice.kept[0]
    found = []
    for block in reversed(blocks[max(0, first.index - block_rules.STANDFIRST_LOOKBACK_BLOCKS):first.index]):
        if block.tag == "h1" or (block.in_heading and len(block.text) >= block_rules.STANDFIRST_HEADLINE_CHARS):
            break  # the headline: a standfirst sits below it (a short heading is a box's label: "More videos")
        if _standfirst(block, first):
            found.append(block)
        elif len(block.text) >= block_rules.STANDFIRST_MIN_CHARS and not _passed_over(block):
            break
    return _also_kept(choice, found)


def _passed_over(block: Block) -> bool:
    """A long block the standfirst search goes past: the lead photo's caption, or a date line."""
    return block.in_caption or block.regions[_CAPTION_REGION] > 0 or date_banner(block.text) is not None


def _standfirst(block: Block, first: Block) -> bool:
    text = block.text  # visible text: no whitespace at either end
    if len(text) < block_rules.STANDFIRST_MIN_CHARS or not text.endswith(block_rules.STANDFIRST_ENDINGS):
        return False
    if block.link_density >= block_rules.STANDFIRST_MAX_LINK_DENSITY or block.in_heading or block.in_caption \
            or block.in_table or any(block.regions[column] for column in _STANDFIRST_EXCLUDED):
        return False
    shared = 0
    for mine, theirs in zip(block.ancestors, first.ancestors):
        if mine != theirs:
            break
        shared += 1
    return shared >= len(first.ancestors) - block_rules.STANDFIRST_MAX_LEVELS_UP


def fill_story_gaps(blocks: list[Block], choice: BodyChoice) -> BodyChoice:
    """Keep the subheadings and list items the vote dropped between two kept blocks: a run of at most
    block_rules.MAX_STORY_GAP_BLOCKS headings (not the <h1>) and list entries, few links among them and
    no page furniture around them, set inside the story, is the story's own ('Step 2', a list of steps). Not
    headings in a row with nothing under them: teaser headlines, a table of contents.

    A list the story announces is its own too, whatever its links: the entries after a sentence that ends in
    a colon ("Here is what changed this month:"), and that sentence. Linked entries (a changelog, sources)
    need the vote to have kept the sentence, and a line of page furniture announces nothing ("Scroll down to
    read more:" over teaser links)."""
    kept = {block.index for block in choice.kept}
    filled: list[Block] = []
    run: list[Block] = []
    before: Block | None = None
    for block in blocks:
        if block.index in kept:
            if before is not None and run and len(run) <= block_rules.MAX_STORY_GAP_BLOCKS \
                    and _story_run(run, before, kept):
                filled.extend(run)
            before, run = block, []
        else:
            run.append(block)
    return _also_kept(choice, filled)


def _story_run(run: list[Block], before: Block, kept: set[int]) -> bool:
    """Whether the dropped blocks `run`, between the kept blocks `before` and the next one, are the story's."""
    if any(a.in_heading and b.in_heading for a, b in zip(run, run[1:])):
        return False
    # The nearest block above that is no list entry, and whether it announces the list entries below it.
    lead, announced = before, _announces_list(before)
    for position, block in enumerate(run):
        following = run[position + 1] if position + 1 < len(run) else None
        announces = _announces_list(block)
        if not (_story_part(block) or (announced and _announced_entry(block, lead, kept))
                or (following is not None and following.in_list and announces)):
            return False
        if not block.in_list:
            lead, announced = block, announces
    return True


def _announces_list(block: Block) -> bool:
    """A sentence of the story that announces a list: it ends in a colon, is no heading, list entry or
    furniture line, and has block_rules.LIST_ANNOUNCEMENT_MIN_WORDS words or more (or characters, in an
    unspaced script): not a label such as "Weitere Informationen:"."""
    text = block.text  # visible text: no whitespace at either end
    return (text.endswith(block_rules.LIST_ANNOUNCEMENT_ENDINGS) and not block.in_list and not block.in_heading
            and _plain(block) and block.link_density < block_rules.MAX_STORY_GAP_LINK_DENSITY
            and (len(text.split()) >= block_rules.LIST_ANNOUNCEMENT_MIN_WORDS
                 or (CJK_SCRIPT.search(text) is not None and len(text) >= block_rules.LIST_ANNOUNCEMENT_MIN_CHARS))
            and match_noise_rule(text) is None)


def _announced_entry(block: Block, lead: Block, kept: set[int]) -> bool:
    """A list entry under `lead`, a sentence that announces the list: linked entries need the vote to have kept it."""
    return block.in_list and _plain(block) \
        and (block.link_density < block_rules.MAX_STORY_GAP_LINK_DENSITY or lead.index in kept)


def _also_kept(choice: BodyChoice, added: list[Block]) -> BodyChoice:
    """The choice with the dropped blocks `added` kept too, in page order."""
    if not added:
        return choice
    indexes = {block.index for block in added}
    return replace(choice, kept=sorted(choice.kept + added, key=lambda block: block.index),
                   dropped=[block for block in choice.dropped if block.index not in indexes],
                   overruled=[block for block in choice.overruled if block.index not in indexes])


def _no_longer_kept(choice: BodyChoice, removed: list[Block]) -> BodyChoice:
    """The choice with the kept blocks `removed` dropped, in page order."""
    if not removed:
        return choice
    indexes = {block.index for block in removed}
    return replace(choice, kept=[block for block in choice.kept if block.index not in indexes],
                   dropped=sorted(choice.dropped + removed, key=lambda block: block.index))


_NOT_STORY_COLUMNS = [i for i, region in enumerate(block_rules.REGIONS) if region != "story"]


def _plain(block: Block) -> bool:
    """Outside every region of page furniture."""
    return not any(block.regions[column] for column in _NOT_STORY_COLUMNS)


def _story_part(block: Block) -> bool:
    return ((block.in_heading and block.tag != "h1") or block.in_list) \
        and block.link_density < block_rules.MAX_STORY_GAP_LINK_DENSITY and _plain(block)


# The furniture a dropped block is named after, most specific first (see block_rules.REGIONS).
_FURNITURE_NAMES = [("comments", "reader comments"), ("teasers", "teaser list"), ("overlay", "cookie or pop-up notice"),
                    ("promotion", "promotion or newsletter box"), ("share", "share bar"), ("caption", "caption or media credit"),
                    ("byline", "byline or article meta"), ("tags", "tags"), ("navigation", "navigation"),
                    ("header", "page header"), ("footer", "page footer"), ("sidebar", "sidebar"), ("form", "form")]
_FURNITURE_COLUMNS = [(block_rules.REGIONS.index(region), name) for region, name in _FURNITURE_NAMES]


def furniture_name(block: Block) -> str:
    """What a dropped block is, as far as its place on the page tells."""
    if block.tag == "h1":
        return "headline"
    for column, name in _FURNITURE_COLUMNS:
        if block.regions[column]:
            return name
    if block.link_density > 0.5:
        return "links"
    return "not article text"
