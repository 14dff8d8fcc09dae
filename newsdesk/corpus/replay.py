"""Offline replay: saved captures and HTML files on disk become Documents for the ingest core."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from extractors import Document
from extractors.limits import LIMITS

# Extensions picked up when walking a folder; files named explicitly are read whatever their name.
CAPTURE_EXTENSIONS = {".txt": None, ".html": "text/html", ".htm": "text/html", ".xhtml": "text/html"}


@dataclass(frozen=True)
class ReplayInput:
    """A file found for replay: either its Document, or the reason it could not be read."""

    origin: str
    document: Document | None = None
    reason: str | None = None


def find_inputs(paths: list[str | Path]) -> Iterator[Path]:
    """Files under `paths` (recursively, in sorted order), without following symlinked folders."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir() and not path.is_symlink():
            for folder, subfolders, files in os.walk(path, followlinks=False):
                subfolders.sort()
                for name in sorted(files):
                    candidate = Path(folder) / name
                    if _replayable_name(candidate):
                        yield candidate
        else:
            yield path


def _replayable_name(path: Path) -> bool:
    name = path.name.lower()
    if name.endswith(".gz"):
        name = name[:-3]
    return Path(name).suffix in CAPTURE_EXTENSIONS


def read_sidecar(path: Path) -> dict[str, str]:
    """NAME.json beside NAME.txt / NAME.html may give {"url": ..., "outlet": ...}."""
    sidecar = path.with_suffix(".json")
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
    seen: set[str] = set()
    for path in find_inputs(paths):
        try:
            key = str(path.resolve())
        except (OSError, RuntimeError):  # a symlink loop cannot be resolved
            key = str(path)
        if key in seen:
            continue
        seen.add(key)
        yield read_input(path)
