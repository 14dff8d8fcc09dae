"""The README against the code: its CLI reference is what the commands print, its Python example runs, and its
layout table names paths that exist."""

from __future__ import annotations

import contextlib
import doctest
import io
import re
import subprocess

import pytest
from cogapp import Cog

from conftest import ROOT

README = ROOT / "README.md"


def cog_check(path) -> tuple[int, str]:
    """Run cog's check on `path`: (exit status, what it printed)."""
    output = io.StringIO()
    with contextlib.redirect_stdout(output), contextlib.redirect_stderr(output):
        status = Cog().main(["cog", "--check", "--diff", str(path)])
    return status, output.getvalue()


def test_the_cli_reference_is_what_the_commands_print():
    status, output = cog_check(README)
    assert status == 0, f"the README's CLI reference differs from the commands; run `make docs`\n{output}"


def test_the_cli_reference_covers_every_command():
    reference = README.read_text(encoding="utf-8").split("## CLI reference", 1)[1]
    documented = set(re.findall(r"^### `newsdesk ([a-z -]*?) ?--help`$", reference, flags=re.MULTILINE))
    assert {"", "replay", "extract", "crawl", "jobs", "jobs run", "jobs history", "jobs list", "schedule", "stats",
            "reextract", "eval", "train-body", "bench-crawl", "demo-site"} <= documented


def test_a_reference_edited_by_hand_fails_the_check(tmp_path):
    edited = tmp_path / "README.md"
    text = README.read_text(encoding="utf-8")
    edited.write_text(text.replace("Override a Scrapy setting.", "Override any setting at all."), encoding="utf-8")
    assert edited.read_text(encoding="utf-8") != text
    status, output = cog_check(edited)
    assert status != 0 and "Override a Scrapy setting." in output


def test_the_python_api_example_runs(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(ROOT)  # the example reads a fixture by its path in the repository
    text = README.read_text(encoding="utf-8")
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    report: list[str] = []
    for block in re.finditer(r"^```pycon\n(.*?)^```", text, flags=re.MULTILINE | re.DOTALL):
        line = text.count("\n", 0, block.start(1))
        runner.run(doctest.DocTestParser().get_doctest(block.group(1), {}, "README.md", str(README), line), out=report.append)
    result = runner.summarize(verbose=False)
    assert result.attempted >= 8, "the README shows a Python example"
    assert result.failed == 0, "".join(report)


def layout_paths() -> list[str]:
    """The paths the README's Layout table names, relative to the repository: each row's first column, and the
    file and folder names in its role column (relative to the row's own folder unless they start with it)."""
    section = README.read_text(encoding="utf-8").split("## Layout\n", 1)[1].split("\n## ", 1)[0]
    paths = []
    for row in re.findall(r"^\| `([^`]+)` \|(.*)\|$", section, flags=re.MULTILINE):
        path, role = row
        paths.append(path)
        for name in re.findall(r"`([\w./-]+(?:/|\.(?:py|json|sh|toml|md)))`", role):
            paths.append(name if name.startswith(path) or not path.endswith("/") else path + name)
    return paths


def test_every_path_in_the_layout_table_exists():
    paths = layout_paths()
    assert len(paths) > 20 and "crawler/report.py" in paths and "crawler/spiders/news.py" in paths
    missing = [path for path in paths if not (ROOT / path).exists() or path.endswith("/") != (ROOT / path).is_dir()]
    assert not missing, f"the README's Layout names paths that are not in the tree: {missing}"


def test_every_folder_and_subpackage_is_in_the_layout_table():
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout.decode()
    folders = {name.split("/", 1)[0] + "/" for name in tracked.split("\0") if "/" in name}
    subpackages = {f"{init.parent.relative_to(ROOT)}/" for package in ("extractors", "newsdesk", "crawler")
                   for init in (ROOT / package).glob("*/__init__.py")}
    assert {"newsdesk/corpus/", "newsdesk/ops/", "newsdesk/devtools/"} <= subpackages
    named = layout_paths()
    unnamed = sorted(folder for folder in folders | subpackages if not any(path.startswith(folder) for path in named))
    assert not unnamed, f"the README's Layout does not name: {unnamed}"
