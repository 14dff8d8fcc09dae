"""Offline replay: saved captures, HTML files and web archives (WARC/ARC records) on disk become Documents for
the ingest core, extracted in the worker pool and stored; every file or record found is accounted for once
(new, updated, unchanged, failed, skipped with its reason)."""

from __future__ import annotations

import json
import os
import re
from collections import Counter, OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from extractors import Document
from extractors.limits import LIMITS
from newsdesk.corpus.ingest import ExtractFunction, Extraction, Ingestor, IngestResult, extract_stage
from newsdesk.corpus.inputs import NO_FILTERS, ReplayFilters, ReplayInput
from newsdesk.corpus.store import Store
from newsdesk.corpus.urls import canonical_url
from newsdesk.corpus.warc import archive_inputs, is_archive_name
from newsdesk.corpus.workers import EXTRACT_TIMEOUT_SECONDS, ExtractionPool

# Extensions picked up when walking a folder; files named explicitly are read whatever their name.
CAPTURE_EXTENSIONS = {".txt": None, ".html": "text/html", ".htm": "text/html", ".xhtml": "text/html"}


# Why a file found in a folder is passed over (counted as skipped, not failed).
SKIP_EXTENSION = "extension not replayed"
SKIP_SAME_FILE = "a link to a file already replayed"
OUTCOMES = ("new", "updated", "unchanged", "failed", "skipped")


SKIP_REVISIT_UNKNOWN = "revisit of a record not in the corpus"
SKIP_REVISIT_NOT_ARTICLE = "revisit of a page that is not an article"
# Payload digests of the records stored in this replay, for revisits that name no earlier URL.
REMEMBERED_DIGESTS = 200_000
_DETAIL = re.compile(r"\s*\([^()]*\)$")


@dataclass
class ReplaySummary:
    """What a replay did: every input counted once under one outcome, and why inputs were skipped."""

    counts: Counter[str] = field(default_factory=Counter)
    skipped_reasons: Counter[str] = field(default_factory=Counter)

    def add(self, result: IngestResult) -> None:
        self.counts[result.status] += 1
        if result.status == "skipped":  # grouped without their details: "HTTP 404 (Not Found)" -> "HTTP 404"
            self.skipped_reasons[_DETAIL.sub("", result.reason or "skipped")] += 1

    @property
    def stored(self) -> int:
        return self.counts["new"] + self.counts["updated"] + self.counts["unchanged"]

    @property
    def total(self) -> int:
        return sum(self.counts[outcome] for outcome in OUTCOMES)

    def line(self) -> str:
        """'5 new, 0 updated, 0 unchanged, 1 failed, 2 skipped (2 extension not replayed)'."""
        text = ", ".join(f"{self.counts[outcome]} {outcome}" for outcome in OUTCOMES)
        if self.skipped_reasons:
            text += " (" + ", ".join(f"{count} {reason}" for reason, count in self.skipped_reasons.most_common()) + ")"
        return text

    def to_dict(self) -> dict[str, object]:
        return {**{outcome: self.counts[outcome] for outcome in OUTCOMES}, "inputs": self.total,
                "skipped_reasons": dict(self.skipped_reasons.most_common())}


def find_inputs(paths: list[str | Path]) -> Iterator[tuple[Path, bool]]:
    """Every file under `paths` (recursively, in sorted order, without following symlinked folders), with
    whether it is replayed: files named on the command line always are; in folders, files with a replayed
    extension and web archives. Sidecars (NAME.json beside a replayed NAME.txt) belong to their page and are
    not listed."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir() and not path.is_symlink():
            for folder, subfolders, files in os.walk(path, followlinks=False):
                subfolders.sort()
                sidecars = {sidecar_path(Path(name)).name for name in files if _replayable_name(name)}
                for name in sorted(files):
                    if name in sidecars:
                        continue
                    yield Path(folder) / name, _replayable_name(name) or is_archive_name(name)
        else:
            yield path, True


def _replayable_name(name: str) -> bool:
    name = name.lower()
    return Path(name[:-3] if name.endswith(".gz") else name).suffix in CAPTURE_EXTENSIONS


def sidecar_path(path: Path) -> Path:
    return path.with_suffix(".json")


def read_sidecar(path: Path) -> tuple[dict[str, str], str | None]:
    """NAME.json beside NAME.txt / NAME.html may give {"url": ..., "outlet": ...}. A sidecar that cannot be
    used is ignored with a one-line warning (the second value); the page is replayed without it."""
    sidecar = sidecar_path(path)
    if sidecar == path or not sidecar.is_file():
        return {}, None
    try:
        data = json.loads(sidecar.read_text(encoding="utf-8"))
    except OSError as error:
        problem = f"unreadable: {error.strerror or error}"
    except UnicodeDecodeError:
        problem = "not UTF-8 text"
    except ValueError as error:
        problem = f"not valid JSON: {getattr(error, 'msg', error)}"
        if isinstance(error, json.JSONDecodeError):
            problem += f" at line {error.lineno} column {error.colno}"
    else:
        if isinstance(data, dict):
            return {key: str(value) for key, value in data.items() if key in ("url", "outlet") and value}, None
        problem = f"expected a JSON object, got {type(data).__name__}"
    return {}, f"sidecar {sidecar} ignored ({problem}); {path.name} replayed without it"


def read_input(path: Path) -> ReplayInput:
    origin = str(path)
    try:
        size = path.stat().st_size
        if size > LIMITS.max_input_bytes:
            return ReplayInput(origin, reason=f"file of {size:,} bytes exceeds the {LIMITS.max_input_bytes:,}-byte limit")
        if not path.is_file():
            return ReplayInput(origin, reason="not a regular file")
        content = path.read_bytes()
    except OSError as error:
        return ReplayInput(origin, reason=f"unreadable: {error.strerror or error}")
    sidecar, warning = read_sidecar(path)
    suffix = path.suffix.lower() if path.suffix.lower() != ".gz" else Path(path.stem).suffix.lower()
    document = Document(
        content=content, url=sidecar.get("url"), origin=origin, source="replay",
        content_type=CAPTURE_EXTENSIONS.get(suffix), outlet_hint=sidecar.get("outlet"),
    )
    return ReplayInput(origin, document=document, warning=warning)


def replay_inputs(paths: list[str | Path], store: Store, filters: ReplayFilters = NO_FILTERS, *,
                  from_start: bool = False) -> Iterator[ReplayInput]:
    """Every file found under `paths`, read (or passed over with its reason), each once; web archives record
    by record, from where their last replay stopped unless from_start."""
    seen: set[str] = set()
    for path, replayed in find_inputs(paths):
        if not replayed:
            yield ReplayInput(str(path), reason=SKIP_EXTENSION, skipped=True)
            continue
        try:
            key = str(path.resolve())
        except (OSError, RuntimeError):  # a symlink loop cannot be resolved
            key = str(path)
        if key in seen:
            yield ReplayInput(str(path), reason=SKIP_SAME_FILE, skipped=True)
            continue
        seen.add(key)
        if is_archive_name(path.name) and path.is_file():
            yield from archive_inputs(path, store, filters, from_start=from_start)
            continue
        item = read_input(path)
        if item.document is not None and filters.before_extraction(item.document.url, None):
            item = ReplayInput(item.origin, reason=filters.before_extraction(item.document.url, None), skipped=True,
                               warning=item.warning)
        yield item


def count_inputs(paths: list[str | Path]) -> int | None:
    """How many inputs a replay of `paths` will report (for a progress bar); None with web archives among
    them (their records are only counted by reading them)."""
    count = 0
    for path, replayed in find_inputs(paths):
        if replayed and is_archive_name(path.name):
            return None
        count += 1
    return count


class ReplayLoop:
    """Settles each input in order: stores what was extracted, points revisits back, accounts for the rest,
    and keeps each archive's checkpoint once the records before it are settled."""

    def __init__(self, store: Store, filters: ReplayFilters):
        self.ingestor = Ingestor(store)
        self.store = store
        self.filters = filters
        self.digests: OrderedDict[str, int] = OrderedDict()

    def settle(self, item: ReplayInput, extraction: Extraction | None) -> IngestResult | None:
        result = self._result(item, extraction) if item.counted else None
        if item.checkpoint is not None:
            self.store.save_checkpoint(item.checkpoint)
        return result

    def _result(self, item: ReplayInput, extraction: Extraction | None) -> IngestResult:
        if item.revisit is not None:
            return self._revisit(item)
        if item.document is None:
            reason = item.reason or "unreadable"
            if item.skipped:
                return IngestResult("skipped", item.origin, reason=reason)
            self.store.record_failure(item.origin, item.stage, reason)
            return IngestResult("failed", item.origin, reason=reason, stage=item.stage)
        if extraction.article is not None and not extraction.skipped:
            filtered = self.filters.after_extraction(extraction.article, item.document.fetched_at)
            if filtered:
                return IngestResult("skipped", item.origin, reason=filtered, article=extraction.article)
        result = self.ingestor.store_extraction(item.document, extraction)
        if item.payload_digest and result.article_id is not None:
            self.digests[item.payload_digest] = result.article_id
            if len(self.digests) > REMEMBERED_DIGESTS:
                self.digests.popitem(last=False)
        return result

    def _revisit(self, item: ReplayInput) -> IngestResult:
        """A revisit repeats an earlier record: the URL it was fetched under is pointed at that record's article."""
        revisit = item.revisit
        original = revisit.refers_to or revisit.url
        record = self.store.fetch_record(original) or self.store.fetch_record(canonical_url(original))
        article_id = record.article_id if record else self.digests.get(revisit.payload_digest or "")
        if article_id is None:
            return IngestResult("skipped", item.origin, reason=SKIP_REVISIT_NOT_ARTICLE if record else SKIP_REVISIT_UNKNOWN)
        self.store.record_fetch(revisit.url, article_id, fetched_at=revisit.fetched_at)
        return IngestResult("unchanged", item.origin, reason=f"revisit of {original}", article_id=article_id)


def replay(paths: list[str | Path], store: Store, *, workers: int | None = None,
           timeout: float = EXTRACT_TIMEOUT_SECONDS, filters: ReplayFilters = NO_FILTERS, from_start: bool = False,
           on_result: Callable[[IngestResult], None] | None = None, function: ExtractFunction = extract_stage,
           on_warning: Callable[[str], None] | None = None) -> ReplaySummary:
    """Replay files, folders and web archives into `store`, extracting in `workers` processes (None: one per
    CPU; 0: in this process), each page within `timeout` seconds. `on_result` sees every input's result as
    it is settled, `on_warning` each one-line warning about an input that is replayed all the same (a broken
    sidecar). Stopped at any point, a replay run again resumes archives where they stopped."""
    loop = ReplayLoop(store, filters)
    summary = ReplaySummary()
    with ExtractionPool(workers, timeout=timeout, function=function) as pool, store.write_batch() as batch:
        inputs = replay_inputs(paths, store, filters, from_start=from_start)
        pairs = ((item, item.document) for item in inputs)
        for item, extraction in pool.imap(pairs, articles_only=lambda item: item.articles_only):
            if item.warning and on_warning is not None:
                on_warning(item.warning)
            result = loop.settle(item, extraction)
            batch.settled()
            if result is not None:
                summary.add(result)
                if on_result is not None:
                    on_result(result)
    return summary
