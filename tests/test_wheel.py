"""newsdesk as a user gets it: the wheel built from this checkout, installed into a fresh virtual environment
in a folder outside the repository, replays the seeds, serves its bundled demo site, crawls it and stores the
articles, and shows `bench-crawl --help`, with nothing of the checkout on its path."""

from __future__ import annotations

import json
import os
import queue
import shutil
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from conftest import ROOT, SEEDS

pytestmark = pytest.mark.slow  # builds a wheel, makes a virtual environment, runs a crawl

# What is not part of a source tree: environments, build output, caches and corpora.
NOT_SOURCE = shutil.ignore_patterns(".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache",
                                    ".ruff_cache", "eval-results", "*.db", "*.db-wal", "*.db-shm", "*.lock")

# Wheels of newsdesk's dependencies, kept between runs outside the repository, so a fresh environment is
# installed without the package index; what is missing (a new dependency) is fetched into it once.
WHEEL_CACHE = Path(os.environ.get("NEWSDESK_WHEEL_CACHE")
                   or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "newsdesk" / "wheels")

# Loopback answers at once: no politeness delays (as in tests/test_crawler.py).
FAST = ["-s", "AUTOTHROTTLE_START_DELAY=0.02", "-s", "DOWNLOAD_DELAY=0", "-s", "NEWSDESK_RETRY_BACKOFF_BASE=0.2"]
STEP_TIMEOUT = 300  # seconds for any one step; the steps take seconds to a minute


def pip(*args: str) -> list[str]:
    # This environment's pip (upgraded by `make install`) installs into the fresh one with --python.
    return [sys.executable, "-m", "pip", "--disable-pip-version-check", *args]


def build_wheel(work: Path) -> Path:
    """Build the wheel from a copy of the checkout, so no build/ or egg-info is left in the repository."""
    source = work / "source"
    shutil.copytree(ROOT, source, ignore=NOT_SOURCE, symlinks=True)
    subprocess.run(pip("wheel", "--quiet", "--no-deps", "--wheel-dir", str(work / "dist"), str(source)),
                   check=True, capture_output=True, timeout=STEP_TIMEOUT)
    (wheel,) = (work / "dist").glob("newsdesk-*.whl")
    return wheel


def install(wheel: Path, python: Path) -> None:
    offline = pip("--python", str(python), "install", "--quiet", "--no-index", "--find-links", str(WHEEL_CACHE), str(wheel))
    if subprocess.run(offline, capture_output=True, timeout=STEP_TIMEOUT).returncode != 0:
        WHEEL_CACHE.mkdir(parents=True, exist_ok=True)
        subprocess.run(pip("wheel", "--quiet", "--wheel-dir", str(WHEEL_CACHE), str(wheel)), check=True, capture_output=True,
                       timeout=STEP_TIMEOUT)
        for own in WHEEL_CACHE.glob("newsdesk-*.whl"):  # the cache holds dependencies only
            own.unlink()
        subprocess.run(offline, check=True, capture_output=True, timeout=STEP_TIMEOUT)


def first_line(process: subprocess.Popen, timeout: float) -> str:
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: lines.put(process.stdout.readline()), daemon=True).start()
    return lines.get(timeout=timeout)


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A fresh virtual environment, outside the repository, with the wheel installed; returns its bin folder."""
    work = tmp_path_factory.mktemp("wheel")
    assert not work.resolve().is_relative_to(ROOT)
    wheel = build_wheel(work)
    environment = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(environment)], check=True, timeout=STEP_TIMEOUT)
    install(wheel, environment / "bin" / "python")
    return environment / "bin"


def run(bin_dir: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    environment = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return subprocess.run([str(bin_dir / args[0]), *args[1:]], cwd=cwd, env=environment, capture_output=True, text=True,
                          timeout=STEP_TIMEOUT)


def test_the_installed_packages_come_from_the_environment_not_the_checkout(installed, tmp_path):
    result = run(installed, "python", "-c", "import json, sys, newsdesk, extractors, crawler; print(json.dumps("
                 "[sys.path, [module.__file__ for module in (newsdesk, extractors, crawler)]]))", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    path, files = json.loads(result.stdout)
    environment = installed.parent.resolve()
    for file in files:
        assert Path(file).resolve().is_relative_to(environment), file
    assert not any(entry and Path(entry).resolve().is_relative_to(ROOT) for entry in path), path


def test_the_installed_newsdesk_replays_serves_and_crawls_its_demo_site(installed, tmp_path):
    shutil.copytree(SEEDS, tmp_path / "seeds")
    db = tmp_path / "corpus.db"

    replay = run(installed, "newsdesk", "replay", "seeds", "--db", str(db), cwd=tmp_path)
    assert replay.returncode == 0, replay.stderr
    assert replay.stdout.startswith("replay: 5 new, 0 updated, 0 unchanged, 0 failed")

    site = subprocess.Popen([str(installed / "newsdesk"), "demo-site", "--port", "0"], cwd=tmp_path, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        serving = first_line(site, timeout=60)  # "serving 37 articles at http://127.0.0.1:PORT/ (Ctrl-C to stop)"
        assert serving.startswith("serving "), serving
        served, url = int(serving.split()[1]), serving.split()[4]
        crawl = run(installed, "newsdesk", "crawl", url, "--db", str(db), *FAST, cwd=tmp_path)
    finally:
        site.terminate()
        site.wait(timeout=30)
    assert crawl.returncode == 0, crawl.stdout[-2000:] + crawl.stderr[-2000:]
    assert "Traceback" not in crawl.stdout + crawl.stderr

    connection = sqlite3.connect(db)
    try:
        counts = dict(connection.execute("select source, count(*) from articles group by source").fetchall())
    finally:
        connection.close()
    assert counts == {"replay": 5, "crawl": served}


def test_the_installed_bench_crawl_shows_its_help(installed, tmp_path):
    result = run(installed, "newsdesk", "bench-crawl", "--help", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Usage: newsdesk bench-crawl [OPTIONS]")
    assert "--rounds" in result.stdout
