"""The extraction benchmark behind `newsdesk eval`: newsdesk and reference extractors scored side by side
on the same pages in the same run, with the metrics defined in the datasets' README. (The leave-one-dataset-out
protocol, which trains the body voter, lives in body_training.)"""

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
from typing import Callable, Iterator
from urllib.parse import urlsplit

_TOKEN = re.compile(r"\w+")

# A page scores worse than the reference by more than this body F1: a "big loss" (issue 15: no set over 3%).
BIG_LOSS_MARGIN = 0.3
# Gold bodies with more non-space characters than this per space-separated chunk are in an unspaced script
# (Chinese, Japanese: about 40; European languages: 5 to 6), where `\w+` finds whole clauses, not words: such
# a dataset's body is scored with character shingles.
UNSPACED_CHARS_PER_CHUNK = 15
SHINGLE_SIZE = 4


# --- metrics ---------------------------------------------------------------------------------------

# Characters that show as nothing (Unicode's format characters: soft hyphens, zero-width spaces and joiners,
# byte-order marks): a text scores the same with or without them, as a reader sees no difference. Gold
# written with "Helikopter\xadlandeplatz" would otherwise split the word that an extractor showing the text
# as it reads gives whole.
_FORMAT_CHARACTERS = dict.fromkeys(code for code in range(0x10000) if unicodedata.category(chr(code)) == "Cf")


def shown_text(text: str) -> str:
    """`text` without the characters that show as nothing."""
    return text if text.isascii() else text.translate(_FORMAT_CHARACTERS)


def normalize_whitespace(text: str) -> str:
    return " ".join(shown_text(text).split())


def shingle_tokens(text: str, unit: str = "words") -> list[str]:
    """The units shingles are made of: `\\w+` tokens of the lowercased text, or its characters with
    whitespace removed (for unspaced scripts)."""
    text = shown_text(text).lower()
    if unit == "characters":
        return list("".join(text.split()))
    return _TOKEN.findall(text)


def shingles(text: str, size: int = SHINGLE_SIZE, unit: str = "words") -> Counter:
    tokens = shingle_tokens(text, unit)
    return Counter(tuple(tokens[i:i + size]) for i in range(len(tokens) - size + 1))


def shingle_precision_recall(predicted: str, gold: str, unit: str = "words") -> tuple[float, float]:
    """Per-page precision and recall over 4-token shingles, counted with multiplicity."""
    predicted_shingles, gold_shingles = shingles(predicted, unit=unit), shingles(gold, unit=unit)
    if not gold_shingles and not predicted_shingles:
        return 1.0, 1.0
    overlap = sum((predicted_shingles & gold_shingles).values())
    precision = overlap / sum(predicted_shingles.values()) if predicted_shingles else 0.0
    recall = overlap / sum(gold_shingles.values()) if gold_shingles else 0.0
    return precision, recall


def f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def normalize_title(text: str | None) -> str:
    return " ".join(_TOKEN.findall(unicodedata.normalize("NFKC", shown_text(text or "")).lower()))


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


def snippet_precision_recall(counts: Counter) -> tuple[float, float]:
    """Snippet precision and recall; with nothing to find (or nothing found), nothing was got wrong: 1.0."""
    found, wanted = counts["tp"] + counts["fp"], counts["tp"] + counts["fn"]
    return (counts["tp"] / found if found else 1.0), (counts["tp"] / wanted if wanted else 1.0)


# --- datasets --------------------------------------------------------------------------------------

KINDS = ("snippets", "news-metadata", "text-captures")


@dataclass(frozen=True)
class Gold:
    """What a dataset annotates for one page. None: not annotated (the page may still have it)."""

    body: str | None = None
    title: str | None = None
    date: str | None = None
    authors: list[str] | None = None
    with_snippets: list[str] | None = None  # text that must be in the body
    without_snippets: list[str] | None = None  # boilerplate that must not
    no_date: bool = False  # the right answer is that the page gives no date


@dataclass
class Page:
    id: str
    content: bytes | str
    url: str | None
    gold: Gold
    kind: str = "news-metadata"


def dataset_kind(directory: Path) -> str:
    if (directory / "evaldata.json").is_file() and (directory / "html").is_dir():
        return "snippets"
    if (directory / "gold.json").is_file() and (directory / "html").is_dir():
        return "news-metadata"
    if (directory / "gold.json").is_file() and any(directory.glob("*.txt")):
        return "text-captures"
    raise ValueError(f"{directory}: not a dataset newsdesk knows "
                     "(expected evaldata.json + html/, gold.json + html/, or gold.json + *.txt)")


def is_dataset(directory: Path) -> bool:
    try:
        dataset_kind(directory)
    except ValueError:
        return False
    return True


def find_datasets(paths: list[str | Path]) -> list[Path]:
    """The dataset folders named, a folder of datasets standing for all of them (sorted by name)."""
    found: list[Path] = []
    for path in map(Path, paths):
        if not path.is_dir():
            raise ValueError(f"{path}: no such folder")
        if is_dataset(path):
            found.append(path)
            continue
        inside = sorted(child for child in path.iterdir() if child.is_dir() and is_dataset(child))
        if not inside:
            dataset_kind(path)  # raises with what a dataset folder must hold
        found.extend(inside)
    return list(dict.fromkeys(found))


def _gold_entry(entry: dict, kind: str) -> Gold:
    if kind == "snippets":
        return Gold(with_snippets=entry["with"], without_snippets=entry["without"])
    if kind == "text-captures":  # the captures are scored on their body only
        return Gold(body=entry.get("body"))
    return Gold(body=entry.get("body"), title=entry.get("title"), date=entry.get("date"), authors=entry.get("authors"),
                with_snippets=entry.get("with"), without_snippets=entry.get("without"), no_date=bool(entry.get("no_date")))


def load_pages(directory: Path, kind: str) -> list[Page]:
    """The dataset's pages, sorted by id; pages marked synthetic (test cases rather than web pages) are left out."""
    pages = []
    if kind == "snippets":
        for url, entry in json.loads((directory / "evaldata.json").read_text(encoding="utf-8")).items():
            path = directory / "html" / (entry["file"] + ".gz")
            if path.is_file():
                pages.append(Page(entry["file"], gzip.decompress(path.read_bytes()), url, _gold_entry(entry, kind), kind))
        return sorted(pages, key=lambda page: page.id)
    for page_id, entry in json.loads((directory / "gold.json").read_text(encoding="utf-8")).items():
        if entry.get("synthetic"):
            continue
        if kind == "news-metadata":
            content: bytes | str = gzip.decompress((directory / "html" / f"{page_id}.html.gz").read_bytes())
        else:
            path = directory / f"{page_id}.txt"
            if not path.is_file():
                continue
            content = path.read_text(encoding="utf-8")
        # A text capture is scored as it comes, without its page's URL (the gold names it; the capture does not).
        url = entry.get("url") if kind == "news-metadata" else None
        pages.append(Page(page_id, content, url, _gold_entry(entry, kind), kind))
    return sorted(pages, key=lambda page: page.id)


def body_unit(pages: list[Page]) -> str:
    """How the dataset's bodies are shingled: 'characters' when its gold is written without spaces, else 'words'."""
    chunks = characters = 0
    for page in pages:
        if page.gold.body:
            parts = page.gold.body.split()
            chunks += len(parts)
            characters += sum(len(part) for part in parts)
    return "characters" if chunks and characters / chunks > UNSPACED_CHARS_PER_CHUNK else "words"


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
    on its own: rules tuned on the other sites must carry over to sites they were never looked at with.
    The hash is of the host, so a site falls on the same side in every dataset."""
    return zlib.crc32(site_of(page).encode("utf-8")) % 3 == 0


PARTS = ("all", "tuning", "held-out")


def select_pages(pages: list[Page], *, part: str = "all", sample: int | None = None, limit: int | None = None) -> list[Page]:
    """`part`: the tuning sites or the held-out sites only; `sample`: every k-th page (a fixed subset)."""
    if part != "all":
        pages = [page for page in pages if held_out(page) == (part == "held-out")]
    if sample and sample > 1:
        pages = pages[::sample]
    if limit:
        pages = pages[:limit]
    return pages


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


def newsdesk_without_fallback_system(page: Page) -> Prediction:
    """newsdesk with the body voter's fallback switched off: what the fallback adds, measured in the same run."""
    import dataclasses

    from extractors.body import body_models, models_in_use

    with models_in_use(dataclasses.replace(body_models(), fallback=None)):
        return newsdesk_system(page)


def trafilatura_extract_system(page: Page) -> Prediction:
    """trafilatura's plain `extract()`, as the snippet benchmark calls it: body only."""
    import trafilatura

    if isinstance(page.content, str):
        raise ValueError("trafilatura takes HTML")
    return Prediction(trafilatura.extract(page.content, url=page.url, include_comments=False, include_tables=True) or "")


def trafilatura_system(page: Page) -> Prediction:
    """The reference call the datasets' README names: `extract()` for the snippet benchmark,
    `bare_extraction(with_metadata=True)` for the sets with gold metadata."""
    import trafilatura

    if page.kind == "snippets":
        return trafilatura_extract_system(page)
    if isinstance(page.content, str):
        raise ValueError("trafilatura takes HTML")
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
    "newsdesk-no-fallback": newsdesk_without_fallback_system,
    "trafilatura": trafilatura_system,
    "trafilatura-extract": trafilatura_extract_system,
    "keep-everything": keep_everything_system,
    "justext-lines": justext_lines_system,
}
DEFAULT_SYSTEMS = {
    "snippets": ["newsdesk", "trafilatura"],
    "news-metadata": ["newsdesk", "trafilatura"],
    "text-captures": ["newsdesk", "keep-everything", "justext-lines"],
}
# The system newsdesk is compared with page by page (big losses, worst pages).
REFERENCE_SYSTEM = {"snippets": "trafilatura", "news-metadata": "trafilatura", "text-captures": "justext-lines"}
# Speed is quoted against trafilatura's plain extract() (issue 15 item 8). On snippet sets that is the
# reference call itself; on the others it is timed in a pass of its own, whose output is not scored.
SPEED_REFERENCE = "trafilatura-extract"


# --- scoring ---------------------------------------------------------------------------------------

@dataclass
class PageScore:
    """One system's scores on one page; None where the page is not annotated for that metric."""

    page_id: str
    url: str | None
    held_out: bool
    body_precision: float | None = None  # shingle P/R, or on snippet-only pages the page's snippet P/R
    body_recall: float | None = None
    snippets: dict[str, int] | None = None  # tp, fp, fn, tn
    title: bool | None = None
    date: bool | None = None
    authors: float | None = None
    error: str | None = None

    @property
    def body_f1(self) -> float | None:
        if self.body_precision is None or self.body_recall is None:
            return None
        return f1(self.body_precision, self.body_recall)


def score_page(page: Page, prediction: Prediction, unit: str = "words") -> PageScore:
    gold = page.gold
    score = PageScore(page.id, page.url, held_out(page))
    if gold.with_snippets is not None and gold.without_snippets is not None:
        counts = snippet_counts(prediction.body, gold.with_snippets, gold.without_snippets)
        score.snippets = {key: counts[key] for key in ("tp", "fp", "fn", "tn")}
        if gold.body is None:
            score.body_precision, score.body_recall = snippet_precision_recall(counts)
    if gold.body is not None:
        score.body_precision, score.body_recall = shingle_precision_recall(prediction.body, gold.body, unit)
    if page.kind == "news-metadata":
        if gold.title is not None:
            score.title = normalize_title(prediction.title) == normalize_title(gold.title)
        if gold.no_date:
            score.date = not prediction.published
        elif gold.date is not None:
            score.date = same_day(prediction.published, gold.date)
        if gold.authors is not None:
            score.authors = author_f1(prediction.authors, gold.authors)
    return score


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def aggregate(kind: str, scores: list[PageScore]) -> dict[str, float]:
    """A system's metrics over pages: snippet sets micro-averaged over snippets; shingle P and R averaged over
    pages (F1 of the means); title, date and authors averaged over the pages annotated with them."""
    metrics: dict[str, float] = {}
    counted = [score.snippets for score in scores if score.snippets is not None]
    total = sum((Counter(counts) for counts in counted), Counter())
    if kind == "snippets":
        precision, recall = snippet_precision_recall(total)
        return {"precision": precision, "recall": recall, "f1": f1(precision, recall),
                "accuracy": (total["tp"] + total["tn"]) / sum(total.values()) if total else 0.0}
    bodies = [score for score in scores if score.body_precision is not None]
    if bodies:
        precision = _mean([score.body_precision for score in bodies])
        recall = _mean([score.body_recall for score in bodies])
        metrics.update(body_precision=precision, body_recall=recall, body_f1=f1(precision, recall))
    if counted:  # snippets beside a gold body: an extra view of the same bodies
        metrics["snippet_f1"] = f1(*snippet_precision_recall(total))
    for name, attribute in (("title", "title"), ("date", "date"), ("author_f1", "authors")):
        values = [float(getattr(score, attribute)) for score in scores if getattr(score, attribute) is not None]
        if values:
            metrics[name] = _mean(values)
    return metrics


def annotated_counts(pages: list[Page]) -> dict[str, int]:
    """How many pages each metric is scored on (a null gold field is skipped)."""
    counts = {"body": sum(page.gold.body is not None or page.gold.with_snippets is not None for page in pages)}
    if pages and pages[0].kind == "news-metadata":
        counts.update(title=sum(page.gold.title is not None for page in pages),
                      date=sum(page.gold.date is not None or page.gold.no_date for page in pages),
                      authors=sum(page.gold.authors is not None for page in pages))
    return counts


# --- running ---------------------------------------------------------------------------------------

@dataclass
class SystemScore:
    system: str
    pages: int
    errors: int
    seconds: float
    metrics: dict[str, float]
    held_out_metrics: dict[str, float]
    page_scores: list[PageScore] = field(default_factory=list, repr=False)

    @property
    def docs_per_second(self) -> float:
        return self.pages / self.seconds if self.seconds else 0.0


@dataclass
class PageComparison:
    """newsdesk's body F1 on one page beside the reference system's."""

    page_id: str
    url: str | None
    held_out: bool
    newsdesk_precision: float
    newsdesk_recall: float
    newsdesk_f1: float
    reference_f1: float
    newsdesk_error: str | None = None

    @property
    def loss(self) -> float:
        return self.reference_f1 - self.newsdesk_f1


@dataclass
class EvalReport:
    dataset: str
    kind: str
    pages: int
    scores: list[SystemScore]
    held_out_pages: int = 0
    body_unit: str = "words"
    annotated: dict[str, int] = field(default_factory=dict)
    reference: str | None = None  # the system newsdesk is compared with page by page
    comparisons: list[PageComparison] = field(default_factory=list)  # per page with a body score
    speed_reference_docs_per_second: float | None = None  # trafilatura's plain extract()
    model: str = "shipped"  # which body model newsdesk voted with

    @property
    def name(self) -> str:
        return Path(self.dataset).name

    def score(self, system: str) -> SystemScore | None:
        return next((score for score in self.scores if score.system == system), None)

    @property
    def big_losses(self) -> list[PageComparison]:
        """Pages where newsdesk's body F1 is more than BIG_LOSS_MARGIN below the reference's."""
        return [comparison for comparison in self.comparisons if comparison.loss > BIG_LOSS_MARGIN]

    @property
    def big_loss_share(self) -> float:
        return len(self.big_losses) / len(self.comparisons) if self.comparisons else 0.0

    @property
    def speed_ratio(self) -> float | None:
        newsdesk = self.score("newsdesk")
        if not newsdesk or not self.speed_reference_docs_per_second:
            return None
        return newsdesk.docs_per_second / self.speed_reference_docs_per_second

    def worst(self, n: int) -> list[PageComparison]:
        """The n pages newsdesk loses most on against the reference, for error analysis."""
        return sorted(self.comparisons, key=lambda comparison: (-comparison.loss, comparison.newsdesk_f1, comparison.page_id))[:n]

    def to_dict(self, worst: int = 0) -> dict:
        return {
            "dataset": self.dataset, "kind": self.kind, "pages": self.pages, "held_out_pages": self.held_out_pages,
            "body_unit": self.body_unit, "annotated": self.annotated, "model": self.model,
            "systems": [{"system": score.system, "pages": score.pages, "errors": score.errors, "seconds": score.seconds,
                         "metrics": score.metrics, "held_out_metrics": score.held_out_metrics,
                         "docs_per_second": score.docs_per_second} for score in self.scores],
            "reference": self.reference, "speed_reference_docs_per_second": self.speed_reference_docs_per_second,
            "speed_ratio": self.speed_ratio, "big_losses": len(self.big_losses), "big_loss_share": self.big_loss_share,
            "compared_pages": len(self.comparisons),
            "worst": [{**asdict(comparison), "loss": comparison.loss} for comparison in self.worst(worst)],
        }


# Pages each system reads untimed before the timed run.
WARM_UP_PAGES = 1


def _timed_predictions(pages: list[Page], systems: list[str]
                       ) -> tuple[dict[str, list[Prediction]], dict[str, float], dict[str, list[str | None]]]:
    """Every system on every page, page by page in turn (a burst of other load falls on all of them alike).
    What a process loads once (models, stoplists, compiled patterns, the libraries' lazy imports) is not
    charged to whichever system happens to ask for it first: newsdesk's warm-up runs first, with the date
    parser's tables for every language that htmldate's extensive search loads on the first page it reads
    (trafilatura's date search shares them), then each system reads one page untimed."""
    from extractors import warm_up

    warm_up(date_search=True)
    for name in systems:
        for page in pages[:WARM_UP_PAGES]:
            try:
                SYSTEMS[name](page)
            except Exception:  # scored (and reported) in the timed run below
                pass
    predictions = {name: [] for name in systems}
    seconds = dict.fromkeys(systems, 0.0)
    errors: dict[str, list[str | None]] = {name: [] for name in systems}
    for page in pages:
        for name in systems:
            started = time.perf_counter()
            try:
                prediction, error = SYSTEMS[name](page), None
            except Exception as failure:  # a crash on one page scores as an empty result for that page
                prediction, error = Prediction(), f"{type(failure).__name__}: {failure}"
            seconds[name] += time.perf_counter() - started
            predictions[name].append(prediction)
            errors[name].append(error)
    return predictions, seconds, errors


def evaluate_pages(name: str, kind: str, pages: list[Page], *, systems: list[str] | None = None, unit: str | None = None,
                   model: str = "shipped", speed_reference: bool = True) -> EvalReport:
    """Score each system on the same pages; newsdesk compared page by page with the reference system, and
    (`speed_reference`) timed beside trafilatura's plain extract()."""
    unit = unit or body_unit(pages)
    chosen = list(systems or DEFAULT_SYSTEMS[kind])
    unknown = [system for system in chosen if system not in SYSTEMS]
    if unknown:
        raise ValueError(f"unknown system {unknown[0]!r} (known: {', '.join(SYSTEMS)})")
    speed_only = (SPEED_REFERENCE if speed_reference and kind not in ("text-captures", "snippets") and "newsdesk" in chosen
                  and "trafilatura" in chosen else None)
    predictions, seconds, errors = _timed_predictions(pages, chosen + ([speed_only] if speed_only else []))
    scores = []
    for system in chosen:
        page_scores = [score_page(page, prediction, unit) for page, prediction in zip(pages, predictions[system])]
        for page_score, error in zip(page_scores, errors[system]):
            page_score.error = error
        held = [score for score in page_scores if score.held_out]
        scores.append(SystemScore(system, len(pages), sum(error is not None for error in errors[system]), seconds[system],
                                  aggregate(kind, page_scores), aggregate(kind, held) if held else {}, page_scores))
    report = EvalReport(name, kind, len(pages), scores, sum(held_out(page) for page in pages), unit, annotated_counts(pages),
                        model=model)
    reference = REFERENCE_SYSTEM[kind]
    if "newsdesk" in chosen and reference in chosen:
        report.reference = reference
        ours, theirs = report.score("newsdesk").page_scores, report.score(reference).page_scores
        report.comparisons = [
            PageComparison(mine.page_id, mine.url, mine.held_out, mine.body_precision, mine.body_recall, mine.body_f1,
                           other.body_f1, mine.error)
            for mine, other in zip(ours, theirs) if mine.body_f1 is not None and other.body_f1 is not None]
    if speed_only:
        report.speed_reference_docs_per_second = len(pages) / seconds[speed_only] if seconds[speed_only] else None
    elif kind == "snippets" and report.score("trafilatura"):
        report.speed_reference_docs_per_second = report.score("trafilatura").docs_per_second
    return report


def run_eval(directory: str | Path, *, systems: list[str] | None = None, limit: int | None = None,
             sample: int | None = None, part: str = "all", speed_reference: bool = True) -> EvalReport:
    """Score each system on the same pages of one dataset; `sample` keeps every k-th page (a fixed subset),
    `part` the tuning sites or the held-out sites only."""
    directory = Path(directory)
    kind = dataset_kind(directory)
    everything = load_pages(directory, kind)
    pages = select_pages(everything, part=part, sample=sample, limit=limit)
    return evaluate_pages(str(directory), kind, pages, systems=systems, unit=body_unit(everything),
                          speed_reference=speed_reference)


def run_evals(paths: list[str | Path], *, models_path: str | Path | None = None, progress: Callable[[str], None] | None = None,
              **options) -> list[EvalReport]:
    """`run_eval` on every dataset named (a folder of datasets: each of them), with the shipped body model or
    the one at `models_path`."""
    from extractors.body import BodyModels, models_in_use, shipped_body_models

    models = BodyModels.load(Path(models_path)) if models_path else shipped_body_models()
    reports = []
    with models_in_use(models):
        for directory in find_datasets(paths):
            if progress:
                progress(f"scoring {directory.name}")
            report = run_eval(directory, **options)
            report.model = str(models_path) if models_path else "shipped"
            reports.append(report)
    return reports


# --- tables ----------------------------------------------------------------------------------------

def format_table(report: EvalReport, worst: int = 0) -> str:
    metric_names = list(dict.fromkeys(name for score in report.scores for name in score.metrics))
    header = f"{'system':<20}" + "".join(f"{name:>15}" for name in metric_names) + f"{'docs/s':>11}{'errors':>8}"
    annotated = ", ".join(f"{metric} {count}" for metric, count in report.annotated.items() if count != report.pages)
    lines = [f"{report.dataset} ({report.kind}, {report.pages} pages"
             + (f"; annotated: {annotated}" if annotated else "")
             + ("; body on character 4-grams" if report.body_unit == "characters" else "")
             + (f"; body model {report.model}" if report.model != "shipped" else "") + ")",
             header, "-" * len(header)]

    def cells(metrics: dict[str, float]) -> str:
        return "".join(f"{metrics[name]:>15.3f}" if name in metrics else f"{'-':>15}" for name in metric_names)

    for score in report.scores:
        lines.append(f"{score.system:<20}" + cells(score.metrics) + f"{score.docs_per_second:>11.1f}{score.errors:>8}")
    if report.speed_reference_docs_per_second and report.kind != "snippets" and not report.score(SPEED_REFERENCE):
        lines.append(f"{'trafilatura extract()':<20}" + " " * 15 * len(metric_names)
                     + f"{report.speed_reference_docs_per_second:>11.1f}")
    if report.held_out_pages not in (0, report.pages):
        lines.append(f"held-out sites (a fixed third by site hash, {report.held_out_pages} pages):")
        for score in report.scores:
            lines.append(f"{score.system:<20}" + cells(score.held_out_metrics))
    if report.comparisons:
        lines.append(f"big losses (body F1 more than {BIG_LOSS_MARGIN} below {report.reference}): "
                     f"{len(report.big_losses)} of {len(report.comparisons)} pages ({report.big_loss_share:.1%})")
    if report.speed_ratio is not None:
        lines.append(f"speed: newsdesk {report.score('newsdesk').docs_per_second:.1f} docs/s, trafilatura extract() "
                     f"{report.speed_reference_docs_per_second:.1f} docs/s ({report.speed_ratio:.2f}x)")
    if worst and report.comparisons:
        lines.append(f"worst pages against {report.reference} (body F1 newsdesk P/R/F1 vs {report.reference}):")
        for comparison in report.worst(worst):
            scores = f"{comparison.newsdesk_precision:.2f}/{comparison.newsdesk_recall:.2f}/{comparison.newsdesk_f1:.2f}"
            note = f"  [{comparison.newsdesk_error}]" if comparison.newsdesk_error else ""
            line = f"  {comparison.page_id:<40} {scores} vs {comparison.reference_f1:.2f}  {comparison.url or ''}{note}"
            lines.append(line.rstrip())
    return "\n".join(lines)


# The summary's columns: the body metric (snippet F1 on snippet sets), then the metadata metrics.
SUMMARY_METRICS = [("body F1", ("body_f1", "f1")), ("title", ("title",)), ("date", ("date",)), ("authors F1", ("author_f1",))]


def summary_rows(reports: list[EvalReport]) -> list[dict]:
    """One row per dataset: newsdesk beside its reference on each metric, held-out body F1, big losses, speed."""
    rows = []
    for report in reports:
        newsdesk, reference = report.score("newsdesk"), report.score(report.reference) if report.reference else None
        row: dict = {"dataset": report.name, "pages": report.pages, "reference": report.reference}
        for label, keys in SUMMARY_METRICS:
            key = next((key for key in keys if newsdesk and key in newsdesk.metrics), None)
            if key:
                row[label] = (newsdesk.metrics[key], reference.metrics.get(key) if reference else None)
                if label == "body F1":
                    row["held-out body F1"] = (newsdesk.held_out_metrics.get(key),
                                               reference.held_out_metrics.get(key) if reference else None)
        row["big losses"] = report.big_loss_share if report.comparisons else None
        row["docs/s"] = (newsdesk.docs_per_second if newsdesk else None, report.speed_reference_docs_per_second)
        rows.append(row)
    return rows


def format_summary(reports: list[EvalReport], heading: str) -> str:
    columns = ["body F1", "held-out body F1", "title", "date", "authors F1"]
    header = f"{'dataset':<18}{'pages':>6}" + "".join(f"{name:>20}" for name in columns) + f"{'big losses':>12}{'docs/s':>16}"
    lines = [heading, "(newsdesk / reference: trafilatura; text captures: jusText over lines; "
                      "docs/s: newsdesk / trafilatura extract())",
             header, "-" * len(header)]

    def pair(values: tuple | None, digits: int = 3) -> str:
        if not values or values[0] is None:
            return "-"
        mine, theirs = values
        return f"{mine:.{digits}f} / {theirs:.{digits}f}" if theirs is not None else f"{mine:.{digits}f}"

    for row in summary_rows(reports):
        losses = f"{row['big losses']:.1%}" if row["big losses"] is not None else "-"
        lines.append(f"{row['dataset']:<18}{row['pages']:>6}" + "".join(f"{pair(row.get(name)):>20}" for name in columns)
                     + f"{losses:>12}{pair(row['docs/s'], 1):>16}")
    return "\n".join(lines)


def iter_tables(reports: list[EvalReport], *, worst: int = 0, heading: str = "summary") -> Iterator[str]:
    for report in reports:
        yield format_table(report, worst)
    if len(reports) > 1:
        yield format_summary(reports, heading)
