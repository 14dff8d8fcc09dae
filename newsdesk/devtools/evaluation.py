"""The extraction benchmark behind `newsdesk eval`: newsdesk and reference extractors scored side by side
on the same pages in the same run, with the metrics defined in the datasets' README."""

from __future__ import annotations

import gzip
import json
import re
import time
import unicodedata
import zlib
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable
from urllib.parse import urlsplit

_TOKEN = re.compile(r"\w+")


# --- metrics ---------------------------------------------------------------------------------------

def normalize_whitespace(text: str) -> str:
    return " ".join(text.split())


def shingles(text: str, size: int = 4) -> Counter:
    tokens = _TOKEN.findall(text.lower())
    return Counter(tuple(tokens[i:i + size]) for i in range(len(tokens) - size + 1))


def shingle_precision_recall(predicted: str, gold: str) -> tuple[float, float]:
    """Per-page precision and recall over 4-token shingles, counted with multiplicity."""
    predicted_shingles, gold_shingles = shingles(predicted), shingles(gold)
    overlap = sum((predicted_shingles & gold_shingles).values())
    precision = overlap / sum(predicted_shingles.values()) if predicted_shingles else 0.0
    recall = overlap / sum(gold_shingles.values()) if gold_shingles else 0.0
    if not gold_shingles and not predicted_shingles:
        return 1.0, 1.0
    return precision, recall


def f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def normalize_title(text: str | None) -> str:
    return " ".join(_TOKEN.findall(unicodedata.normalize("NFKC", text or "").lower()))


def same_day(predicted: str | None, gold: str | None) -> bool:
    return bool(predicted and gold and predicted[:10] == gold[:10])


def author_f1(predicted: list[str], gold: list[str]) -> float:
    """F1 of the normalized name sets; two empty sets agree fully."""
    predicted_set = {normalize_title(name) for name in predicted if normalize_title(name)}
    gold_set = {normalize_title(name) for name in gold if normalize_title(name)}
    if not predicted_set and not gold_set:
        return 1.0
    overlap = len(predicted_set & gold_set)
    return f1(overlap / len(predicted_set) if predicted_set else 0.0, overlap / len(gold_set) if gold_set else 0.0)


def snippet_counts(body: str, with_snippets: list[str], without_snippets: list[str]) -> Counter:
    normalized = normalize_whitespace(body)
    counts: Counter = Counter()
    for snippet in with_snippets:
        counts["tp" if normalize_whitespace(snippet) in normalized else "fn"] += 1
    for snippet in without_snippets:
        counts["fp" if normalize_whitespace(snippet) in normalized else "tn"] += 1
    return counts


# --- datasets --------------------------------------------------------------------------------------

@dataclass
class Page:
    id: str
    content: bytes | str
    url: str | None
    gold: dict


def dataset_kind(directory: Path) -> str:
    if (directory / "evaldata.json").is_file() and (directory / "html").is_dir():
        return "snippets"
    if (directory / "gold.json").is_file() and (directory / "html").is_dir():
        return "news-metadata"
    if (directory / "gold.json").is_file() and any(directory.glob("*.txt")):
        return "text-captures"
    raise ValueError(f"{directory}: not a dataset newsdesk knows "
                     "(expected evaldata.json + html/, gold.json + html/, or gold.json + *.txt)")


def load_pages(directory: Path, kind: str) -> list[Page]:
    pages = []
    if kind == "snippets":
        for url, entry in json.loads((directory / "evaldata.json").read_text(encoding="utf-8")).items():
            path = directory / "html" / (entry["file"] + ".gz")
            if path.is_file():
                pages.append(Page(entry["file"], gzip.decompress(path.read_bytes()), url, entry))
    elif kind == "news-metadata":
        for page_id, entry in json.loads((directory / "gold.json").read_text(encoding="utf-8")).items():
            content = gzip.decompress((directory / "html" / f"{page_id}.html.gz").read_bytes())
            pages.append(Page(page_id, content, entry.get("url"), entry))
    else:
        for page_id, entry in json.loads((directory / "gold.json").read_text(encoding="utf-8")).items():
            path = directory / f"{page_id}.txt"
            if path.is_file():
                pages.append(Page(page_id, path.read_text(encoding="utf-8"), None, entry))
    return sorted(pages, key=lambda page: page.id)


_DATED_ID = re.compile(r"_\d{4}_\d{2}_\d{2}$")


def site_of(page: Page) -> str:
    """The site a page comes from: its URL's host, else its id without a trailing date (de_FAZ_2023_04_28)."""
    if page.url:
        host = (urlsplit(page.url).hostname or "").lower()
        if host:
            return host.removeprefix("www.")
    return _DATED_ID.sub("", page.id)


def held_out(page: Page) -> bool:
    """A fixed third of every dataset's sites (all their pages), chosen by a hash of the site, is also scored
    on its own: rules tuned on the other sites must carry over to sites they were never looked at with."""
    return zlib.crc32(site_of(page).encode("utf-8")) % 3 == 0


# --- systems ---------------------------------------------------------------------------------------

@dataclass
class Prediction:
    body: str = ""
    title: str | None = None
    published: str | None = None
    authors: list[str] = field(default_factory=list)


def newsdesk_system(page: Page) -> Prediction:
    from extractors import extract

    content_type = "text/plain" if isinstance(page.content, str) else "text/html"
    article = extract(page.content, page.url, content_type=content_type)
    return Prediction(article.body, article.title, article.published, article.authors)


def trafilatura_system(page: Page) -> Prediction:
    import trafilatura

    if isinstance(page.content, str):
        raise ValueError("trafilatura takes HTML")
    if "with" in page.gold:  # the snippet benchmark's reference call
        return Prediction(trafilatura.extract(page.content, url=page.url, include_comments=False, include_tables=True) or "")
    result = trafilatura.bare_extraction(page.content, url=page.url, with_metadata=True)
    if result is None:
        return Prediction()
    authors = [name.strip() for name in re.split(r";|,", result.author or "") if name.strip()]
    return Prediction(result.text or "", result.title, result.date, authors)


def keep_everything_system(page: Page) -> Prediction:
    return Prediction(page.content if isinstance(page.content, str) else "")


def justext_lines_system(page: Page) -> Prediction:
    import justext

    lines = [line for line in str(page.content).splitlines() if line.strip()]
    html = "<html><body>" + "".join(f"<p>{_escape(line)}</p>" for line in lines) + "</body></html>"
    paragraphs = justext.justext(html.encode("utf-8"), justext.get_stoplist("German"))
    return Prediction("\n".join(p.text for p in paragraphs if not p.is_boilerplate))


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


SYSTEMS: dict[str, Callable[[Page], Prediction]] = {
    "newsdesk": newsdesk_system,
    "trafilatura": trafilatura_system,
    "keep-everything": keep_everything_system,
    "justext-lines": justext_lines_system,
}
DEFAULT_SYSTEMS = {
    "snippets": ["newsdesk", "trafilatura"],
    "news-metadata": ["newsdesk", "trafilatura"],
    "text-captures": ["newsdesk", "keep-everything", "justext-lines"],
}


# --- running ---------------------------------------------------------------------------------------

@dataclass
class SystemScore:
    system: str
    pages: int
    errors: int
    seconds: float
    metrics: dict[str, float]
    held_out_metrics: dict[str, float]

    @property
    def docs_per_second(self) -> float:
        return self.pages / self.seconds if self.seconds else 0.0


@dataclass
class EvalReport:
    dataset: str
    kind: str
    pages: int
    scores: list[SystemScore]
    rows: dict[str, list[dict]] = field(default_factory=dict)  # per system, per page, for error analysis
    held_out_pages: int = 0

    def to_dict(self) -> dict:
        return {
            "dataset": self.dataset, "kind": self.kind, "pages": self.pages, "held_out_pages": self.held_out_pages,
            "systems": [{**asdict(score), "docs_per_second": score.docs_per_second} for score in self.scores],
        }


def score_pages(kind: str, pages: list[Page], predictions: list[Prediction]) -> tuple[dict[str, float], list[dict]]:
    rows = []
    if kind == "snippets":
        total: Counter = Counter()
        for page, prediction in zip(pages, predictions):
            counts = snippet_counts(prediction.body, page.gold["with"], page.gold["without"])
            total += counts
            rows.append({"id": page.id, **counts})
        precision = total["tp"] / (total["tp"] + total["fp"]) if total["tp"] + total["fp"] else 0.0
        recall = total["tp"] / (total["tp"] + total["fn"]) if total["tp"] + total["fn"] else 0.0
        accuracy = (total["tp"] + total["tn"]) / sum(total.values()) if total else 0.0
        return {"precision": precision, "recall": recall, "f1": f1(precision, recall), "accuracy": accuracy}, rows
    precisions, recalls = [], []
    titles, dates, authors = [], [], []
    for page, prediction in zip(pages, predictions):
        precision, recall = shingle_precision_recall(prediction.body, page.gold["body"])
        precisions.append(precision)
        recalls.append(recall)
        row = {"id": page.id, "body_precision": precision, "body_recall": recall, "body_f1": f1(precision, recall)}
        if kind == "news-metadata":
            titles.append(normalize_title(prediction.title) == normalize_title(page.gold.get("title")))
            dates.append(same_day(prediction.published, page.gold.get("date")))
            authors.append(author_f1(prediction.authors, page.gold.get("authors") or []))
            row.update(title=titles[-1], date=dates[-1], authors=authors[-1])
        rows.append(row)
    mean = lambda values: sum(values) / len(values) if values else 0.0  # noqa: E731
    metrics = {"body_precision": mean(precisions), "body_recall": mean(recalls), "body_f1": f1(mean(precisions), mean(recalls))}
    if kind == "news-metadata":
        metrics.update(title=mean(titles), date=mean(dates), author_f1=mean(authors))
    return metrics, rows


PARTS = ("all", "tuning", "held-out")


def run_eval(directory: str | Path, *, systems: list[str] | None = None, limit: int | None = None,
             sample: int | None = None, part: str = "all") -> EvalReport:
    """Score each system on the same pages of one dataset; `sample` keeps every k-th page (a fixed subset),
    `part` the tuning sites or the held-out sites only."""
    directory = Path(directory)
    kind = dataset_kind(directory)
    pages = load_pages(directory, kind)
    if part != "all":
        pages = [page for page in pages if held_out(page) == (part == "held-out")]
    if sample and sample > 1:
        pages = pages[::sample]
    if limit:
        pages = pages[:limit]
    scores, all_rows = [], {}
    for name in systems or DEFAULT_SYSTEMS[kind]:
        system = SYSTEMS[name]
        predictions, errors, seconds = [], 0, 0.0
        for page in pages:
            started = time.perf_counter()
            try:
                prediction = system(page)
            except Exception:  # a crash on one page scores as an empty result for that page
                prediction, errors = Prediction(), errors + 1
            seconds += time.perf_counter() - started
            predictions.append(prediction)
        metrics, rows = score_pages(kind, pages, predictions)
        held = [i for i, page in enumerate(pages) if held_out(page)]
        held_metrics, _ = score_pages(kind, [pages[i] for i in held], [predictions[i] for i in held])
        scores.append(SystemScore(name, len(pages), errors, seconds, metrics, held_metrics))
        all_rows[name] = rows
    return EvalReport(str(directory), kind, len(pages), scores, all_rows, sum(held_out(page) for page in pages))


def format_table(report: EvalReport) -> str:
    metric_names = list(report.scores[0].metrics) if report.scores else []
    header = f"{'system':<16}" + "".join(f"{name:>15}" for name in metric_names) + f"{'docs/s':>11}{'errors':>8}"
    lines = [f"{report.dataset} ({report.kind}, {report.pages} pages)", header, "-" * len(header)]
    for score in report.scores:
        lines.append(f"{score.system:<16}" + "".join(f"{score.metrics[name]:>15.3f}" for name in metric_names)
                     + f"{score.docs_per_second:>11.1f}{score.errors:>8}")
    if report.held_out_pages in (0, report.pages):
        return "\n".join(lines)
    lines.append(f"held-out sites (a fixed third by site hash, {report.held_out_pages} pages):")
    for score in report.scores:
        lines.append(f"{score.system:<16}" + "".join(f"{score.held_out_metrics.get(name, 0.0):>15.3f}" for name in metric_names))
    return "\n".join(lines)


def worst_pages(report: EvalReport, system: str, metric: str, n: int = 10) -> list[dict]:
    return sorted(report.rows[system], key=lambda row: row.get(metric, 0))[:n]
