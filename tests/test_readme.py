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


# Console examples that need no network, no other machine and no privileges: each block runs, command after
# command, in a fresh folder holding the repository's seeds/ and test pages, an inbox/ of the five seeds and one
# other file, and a notes.txt that is no database. What the README shows must be what they print (stdout, then
# stderr); "..." stands for any text, as in the Python example.
OFFLINE_MARKERS = ("example.org", "/srv/", "127.0.0.1:8000", "curl ")


def console_examples(text: str) -> list[tuple[int, list[tuple[str, str]]]]:
    """(line, [(command, shown output)]) for every ```console block of the README."""
    examples = []
    for block in re.finditer(r"^```console\n(.*?)^```", text, flags=re.MULTILINE | re.DOTALL):
        commands: list[tuple[str, list[str]]] = []
        for line in block.group(1).splitlines():
            if line.startswith("$ "):
                commands.append((line[2:], []))
            elif commands:
                commands[-1][1].append(line)
        examples.append((text.count("\n", 0, block.start(1)) + 1,
                         [(command, "\n".join(shown)) for command, shown in commands]))
    return examples


@pytest.mark.slow
def test_the_console_examples_print_what_the_commands_print(tmp_path):
    import shlex
    import shutil
    import sys
    from pathlib import Path

    newsdesk = str(Path(sys.executable).parent / "newsdesk")
    checker, checked = doctest.OutputChecker(), []
    for number, (line, commands) in enumerate(console_examples(README.read_text(encoding="utf-8"))):
        if any(marker in command for command, _ in commands for marker in OFFLINE_MARKERS):
            continue
        folder = tmp_path / f"block{number}"
        shutil.copytree(ROOT / "seeds", folder / "seeds")
        shutil.copytree(ROOT / "tests" / "fixtures" / "pages", folder / "tests" / "fixtures" / "pages")
        (folder / "inbox").mkdir()
        for seed in sorted((ROOT / "seeds").glob("*.txt")):
            shutil.copy(seed, folder / "inbox" / seed.name)
        (folder / "inbox" / "README.md").write_text("notes, not a capture\n")
        (folder / "notes.txt").write_text("meeting notes, not a database\n")
        for command, shown in commands:
            arguments = shlex.split(command)
            assert arguments[0] == "newsdesk", f"README.md line {line}: {command}"
            result = subprocess.run([newsdesk, *arguments[1:]], cwd=folder, capture_output=True, text=True, timeout=300)
            printed = (result.stdout + result.stderr).rstrip("\n") + "\n"
            if shown.strip():
                assert checker.check_output(shown.rstrip("\n") + "\n", printed, doctest.ELLIPSIS), (
                    f"README.md line {line}: `{command}` prints\n{printed}\nbut the README shows\n{shown}")
            assert "Traceback" not in printed, command
            checked.append(command)
    assert len(checked) >= 6, checked
