"""Offline replay: saved captures and HTML files on disk become Documents for the ingest core, extracted in
the worker pool and stored; every file found is accounted for once (new, updated, unchanged, failed, skipped)."""

from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from extractors import Document
from extractors.limits import LIMITS
from newsdesk.corpus.ingest import ExtractFunction, Ingestor, IngestResult, extract_stage
from newsdesk.corpus.store import Store
from newsdesk.corpus.workers import EXTRACT_TIMEOUT_SECONDS, ExtractionPool

# Extensions picked up when walking a folder; files named explicitly are read whatever their name.
CAPTURE_EXTENSIONS = {".txt": None, ".html": "text/html", ".htm": "text/html", ".xhtml": "text/html"}


# Why a file found in a folder is passed over (counted as skipped, not failed).
SKIP_EXTENSION = "extension not replayed"
SKIP_SAME_FILE = "the same file as another input (a link to it)"
OUTCOMES = ("new", "updated", "unchanged", "failed", "skipped")


@dataclass(frozen=True)
class ReplayInput:
    """An input found for replay: its Document, or the reason it could not be read (failed) or is passed
    over (skipped)."""

    origin: str
    document: Document | None = None
    reason: str | None = None
    skipped: bool = False


@dataclass
class ReplaySummary:
    """What a replay did: every input counted once under one outcome, and why inputs were skipped."""

    counts: Counter[str] = field(default_factory=Counter)
    skipped_reasons: Counter[str] = field(default_factory=Counter)

    def add(self, result: IngestResult) -> None:
        self.counts[result.status] += 1
        if result.status == "skipped":
            self.skipped_reasons[result.reason or "skipped"] += 1

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
    extension. Sidecars (NAME.json beside a replayed NAME.txt) belong to their page and are not listed."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir() and not path.is_symlink():
            for folder, subfolders, files in os.walk(path, followlinks=False):
                subfolders.sort()
                sidecars = {sidecar_path(Path(name)).name for name in files if _replayable_name(name)}
                for name in sorted(files):
                    if name in sidecars:
                        continue
                    yield Path(folder) / name, _replayable_name(name)
        else:
            yield path, True


def _replayable_name(name: str) -> bool:
    name = name.lower()
    return Path(name[:-3] if name.endswith(".gz") else name).suffix in CAPTURE_EXTENSIONS


def sidecar_path(path: Path) -> Path:
    return path.with_suffix(".json")


def read_sidecar(path: Path) -> dict[str, str]:
    """NAME.json beside NAME.txt / NAME.html may give {"url": ..., "outlet": ...}."""
    sidecar = sidecar_path(path)
    if sidecar == path or not sidecar.is_file():
        return {}
    try:
        data = json.loads(sidecar.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {key: str(value) for key, value in data.items() if key in ("url", "outlet") and value}


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
    sidecar = read_sidecar(path)
    suffix = path.suffix.lower() if path.suffix.lower() != ".gz" else Path(path.stem).suffix.lower()
    document = Document(
        content=content, url=sidecar.get("url"), origin=origin, source="replay",
        content_type=CAPTURE_EXTENSIONS.get(suffix), outlet_hint=sidecar.get("outlet"),
    )
    return ReplayInput(origin, document=document)


def replay_inputs(paths: list[str | Path]) -> Iterator[ReplayInput]:
    """Every file found under `paths`, read (or passed over with its reason), each once."""
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
        yield read_input(path)


def count_inputs(paths: list[str | Path]) -> int:
    """How many inputs a replay of `paths` will report (for a progress bar)."""
    return sum(1 for _ in find_inputs(paths))


def ingest_input(ingestor: Ingestor, item: ReplayInput, extraction) -> IngestResult:
    """Store what the pool extracted from `item`, or account for an input that was not extracted."""
    if item.document is None:
        reason = item.reason or "unreadable"
        if item.skipped:
            return IngestResult("skipped", item.origin, reason=reason)
        ingestor.store.record_failure(item.origin, "read", reason)
        return IngestResult("failed", item.origin, reason=reason, stage="read")
    return ingestor.store_extraction(item.document, extraction)


def replay(paths: list[str | Path], store: Store, *, workers: int | None = None,
           timeout: float = EXTRACT_TIMEOUT_SECONDS, on_result: Callable[[IngestResult], None] | None = None,
           function: ExtractFunction = extract_stage) -> ReplaySummary:
    """Replay files and folders into `store`, extracting in `workers` processes (None: one per CPU; 0: in
    this process), each page within `timeout` seconds. `on_result` sees every input's result as it is stored."""
    ingestor = Ingestor(store)
    summary = ReplaySummary()
    with ExtractionPool(workers, timeout=timeout, function=function) as pool:
        for item, extraction in pool.imap((item, item.document) for item in replay_inputs(paths)):
            result = ingest_input(ingestor, item, extraction)
            summary.add(result)
            if on_result is not None:
                on_result(result)
    return summary
