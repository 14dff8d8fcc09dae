"""Replay: every file found is accounted for exactly once (new, updated, unchanged, failed, skipped with its
reason), extraction runs in the worker pool within its time budget, and hostile folders cannot stall it."""

from __future__ import annotations

import pytest

import json
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import SEEDS, query, run_measuring_memory
from hostile_inputs import build_hostile_folder
from newsdesk.corpus.replay import SKIP_EXTENSION, SKIP_SAME_FILE, replay
from newsdesk.corpus.store import Store
from test_workers import hang_on_marker

pytestmark = pytest.mark.slow  # Replays run extraction workers or the newsdesk command.

BIN = Path(sys.executable).parent


def test_every_file_is_counted_once_with_a_reason_for_those_skipped(tmp_path: Path, store: Store):
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    seeds = sorted(SEEDS.glob("*.txt"))
    shutil.copy(seeds[0], inputs / "story.txt")
    (inputs / "story.json").write_text(json.dumps({"url": "https://example.org/story"}))  # a sidecar: part of its page
    shutil.copy(seeds[1], inputs / "other.html.txt")
    (inputs / "scan.pdf").write_bytes(b"%PDF-1.4 ...")
    (inputs / "orphan.json").write_text("{}")  # no page beside it: not a sidecar
    (inputs / "again.txt").symlink_to(inputs / "story.txt")
    (inputs / "empty.txt").write_bytes(b"")
    results = []
    summary = replay([inputs], store, workers=1, on_result=results.append)
    assert {result.origin: result.status for result in results} == {
        str(inputs / name): status for name, status in (
            ("again.txt", "new"), ("empty.txt", "failed"), ("orphan.json", "skipped"), ("other.html.txt", "new"),
            ("scan.pdf", "skipped"), ("story.txt", "skipped"))}
    assert summary.to_dict() == {"new": 2, "updated": 0, "unchanged": 0, "failed": 1, "skipped": 3, "inputs": 6,
                                 "skipped_reasons": {SKIP_EXTENSION: 2, SKIP_SAME_FILE: 1}}
    again = replay([inputs], store, workers=0)
    assert (again.counts["unchanged"], again.counts["new"], again.total) == (2, 0, 6)


def test_a_page_that_hangs_the_extractor_gets_one_timeout_failure_and_the_run_goes_on(tmp_path: Path, store: Store):
    seeds = sorted(SEEDS.glob("*.txt"))
    for seed in seeds:
        shutil.copy(seed, tmp_path / seed.name)
    (tmp_path / "0-hangs.txt").write_bytes(b"HANG " + seeds[0].read_bytes())
    summary = replay([tmp_path], store, workers=2, timeout=2, function=hang_on_marker)
    assert (summary.counts["new"], summary.counts["failed"]) == (len(seeds), 1)
    rows = [tuple(row) for row in store.db.execute("select origin, stage, reason from failures")]
    assert rows == [(str(tmp_path / "0-hangs.txt"), "extract", "extraction timed out after 2 s")]


def test_replay_json_prints_the_same_counts_as_the_summary(tmp_path: Path):
    db = tmp_path / "corpus.db"
    (tmp_path / "inputs").mkdir()
    shutil.copytree(SEEDS, tmp_path / "inputs" / "seeds")
    (tmp_path / "inputs" / "readme.md").write_text("not replayed")
    plain = subprocess.run([str(BIN / "newsdesk"), "replay", str(tmp_path / "inputs"), "--db", str(db)],
                           capture_output=True, text=True, timeout=300)
    assert plain.stdout.strip() == f"replay: 5 new, 0 updated, 0 unchanged, 0 failed, 1 skipped (1 {SKIP_EXTENSION}) -> {db}"
    result = subprocess.run([str(BIN / "newsdesk"), "replay", str(tmp_path / "inputs"), "--db", str(db), "--json",
                             "--workers", "0"],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"new": 0, "updated": 0, "unchanged": 5, "failed": 0, "skipped": 1, "inputs": 6,
                                         "skipped_reasons": {SKIP_EXTENSION: 1}, "db": str(db)}


def test_a_folder_of_200_hostile_files_is_accounted_for_file_by_file(tmp_path: Path):
    folder = tmp_path / "hostile"
    expected = build_hostile_folder(folder, 200)
    assert len(expected) == 200
    db = tmp_path / "corpus.db"
    command = [str(BIN / "newsdesk"), "replay", str(folder), "--db", str(db), "--json"]
    result, peak_kib = run_measuring_memory(command, timeout=900)
    assert "Traceback" not in result.stderr
    counts = json.loads(result.stdout)
    assert counts["inputs"] == 200 and counts["skipped"] == 3
    stored = {Path(row[0]).name for row in query(db, "select origin from articles")}
    failed = [Path(row[0]).name for row in query(db, "select origin from failures")]
    assert len(failed) == len(set(failed)) == counts["failed"] and not stored & set(failed)
    assert counts["new"] == len(stored)
    for name, outcome in expected.items():
        seen = "stored" if name in stored else "failed" if name in failed else "skipped"
        assert seen in outcome, (name, seen, outcome)
    timed_out = [row[0] for row in query(db, "select origin from failures where reason like 'extraction timed out%'")]
    print(f"200 hostile files: {counts}; {len(timed_out)} over the time budget; peak RSS {peak_kib / 1024:.0f} MiB")
    assert peak_kib < 1_000_000


def test_an_empty_folder_is_said_so_and_exits_non_zero(tmp_path: Path):
    (tmp_path / "empty").mkdir()
    result = subprocess.run([str(BIN / "newsdesk"), "replay", str(tmp_path / "empty"), "--db", str(tmp_path / "corpus.db"),
                             "--workers", "0"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert result.stderr.strip() == f"newsdesk replay: no files to replay in {tmp_path / 'empty'}"
    assert result.stdout == "", "no line of zeros beside the message"
