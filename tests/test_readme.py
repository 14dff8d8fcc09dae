"""The README against the code: its CLI reference is what the commands print, its Python example runs, and its
layout table names paths that exist."""

from __future__ import annotations

import contextlib
import doctest
import io
import re

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
