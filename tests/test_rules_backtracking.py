"""Every compiled pattern of the extractor, run by name against the classic backtracking shapes: a pattern
that backtracks (quadratic or worse on one long line) fails here, naming the rule.

Patterns are collected by walking extractors.rules and the extractor's own modules: module-level patterns,
and patterns inside lists, tuples, dicts and rule dataclasses (LineRule, OutletCue, BylineRule...).
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import multiprocessing
import pkgutil
import re
import time

import pytest

import extractors
import extractors.rules

pytestmark = pytest.mark.slow  # Each pattern runs in a child process of its own.

# Length of each adversarial shape. A linear pattern reads it in milliseconds; a quadratic one needs
# billions of steps.
SHAPE_CHARS = 20_000
# Per pattern and shape: generous for a loaded machine, far below what backtracking costs at SHAPE_CHARS.
SECONDS_PER_SHAPE = 0.5


def _label(item) -> str | None:
    """What a rule in a list is called: a dataclass's name (or source), a tuple's leading string."""
    if dataclasses.is_dataclass(item) and not isinstance(item, type):
        return getattr(item, "name", None) or getattr(item, "source", None)
    if isinstance(item, tuple) and item and isinstance(item[0], str):
        return item[0]
    return None


def _walk(name: str, value, found: dict[str, re.Pattern]) -> None:
    if isinstance(value, re.Pattern):
        found[name] = value
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for spec in dataclasses.fields(value):
            _walk(f"{name}.{spec.name}", getattr(value, spec.name), found)
    elif isinstance(value, dict):
        for key, item in value.items():
            _walk(f"{name}[{key}]", item, found)
    elif isinstance(value, tuple) and _label(value) is not None:
        for item in value[1:]:
            _walk(name, item, found)
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            _walk(f"{name}[{_label(item) or i}]", item, found)


def collect_patterns() -> dict[str, re.Pattern]:
    """Every compiled pattern, by module, attribute and rule name; each under the module that defines it."""
    found: dict[str, re.Pattern] = {}
    for package, prefix in ((extractors.rules, "extractors.rules."), (extractors, "extractors.")):
        for info in pkgutil.iter_modules(package.__path__, prefix):
            module = importlib.import_module(info.name)
            source = inspect.getsource(module)
            for attribute, value in vars(module).items():
                if not re.search(rf"^{re.escape(attribute)}\b[^=\n]*=", source, re.MULTILINE):
                    continue  # imported, not defined here
                _walk(f"{info.name.removeprefix('extractors.')}.{attribute}", value, found)
    return found


PATTERNS = collect_patterns()

_N = SHAPE_CHARS
SHAPES: dict[str, str] = {
    "letters then !": "a" * _N + "!",
    "capitals then !": "A" * _N + "!",
    "capitalised word runs": ("Aaaaa" * 8 + " ") * (_N // 41) + "!",
    "word run with dots and dashes": "A" + "a.-" * (_N // 3) + "!",
    "digits then x": "1" * _N + "x",
    "spaces then x": " " * _N + "x",
    "x, spaces, x": "x" + " " * _N + "x",
    "tabs and newlines": "\t\n" * (_N // 2) + "x",
    "-.-.": "-." * (_N // 2),
    "dots then a": "." * _N + "a",
    "slashes": "/" * _N + "x",
    "capital slash": "A/" * (_N // 2) + "!",
    "capital space": "A " * (_N // 2) + "!",
    "spaced slashes": " / " * (_N // 3) + "!",
    "pipes": "Impressum" + " | a" * (_N // 4) + "b" * 60,
    "angle trail": "Home" + " > a " * (_N // 5) + "!" + "b" * 40,
    "brackets": "[" * _N,
    "bracket via": "[a via " * (_N // 7) + "!",
    "parentheses": "(" * _N,
    "angle brackets": "<" * _N,
    "comments": "<!--a-->" * (_N // 8) + "x",
    "open comments": "<!--" * (_N // 4),
    "repeated month": "January " * (_N // 8) + "x",
    "repeated weekday and day": "Monday 3. " * (_N // 10) + "x",
    "date then spaces": "20 February 2024" + " " * _N + "x",
    "label then spaces": "Autor" + " " * _N + ":",
    "by then spaces": "by" + " " * _N + "!",
    "wire list": "Reuters/" * (_N // 8) + "x",
    "wire and": "AP and " * (_N // 7) + "x",
    "photo labels": "photo: " * (_N // 7) + "!",
    "separators": " | " * (_N // 3) + "x",
    "quotes and commas": "', " * (_N // 3) + "x",
    "ampersands and apostrophes": "&'" * (_N // 2) + "!",
    "type declaration then spaces": '"@type":' + " " * _N + "x",
    "charset then spaces": "<meta charset" + " " * _N + "x",
    "login-like": "ab." * (_N // 3) + "!",
    "camel case": "aB" * (_N // 2) + "!",
}


def _time_shapes(pattern: re.Pattern, report) -> None:
    """In a child process: run `pattern` over every shape, reporting (shape, seconds) after each."""
    for shape, text in SHAPES.items():
        subject = text.encode("utf-8") if isinstance(pattern.pattern, bytes) else text
        started = time.perf_counter()
        pattern.findall(subject)  # tries the pattern at every position, as search, sub and split do
        report.send((shape, time.perf_counter() - started))
    report.close()


@pytest.mark.parametrize("name", sorted(PATTERNS))
def test_pattern_runs_in_linear_time_on_backtracking_shapes(name):
    # Each pattern runs in a child process, so that one that backtracks for hours fails in seconds.
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_time_shapes, args=(PATTERNS[name], sender), daemon=True)
    child.start()
    sender.close()
    slow = []
    try:
        for shape in SHAPES:
            if not receiver.poll(SECONDS_PER_SHAPE * 4):
                slow.append(f"{shape!r}: still running after {SECONDS_PER_SHAPE * 4:.0f} s")
                break
            _shape, elapsed = receiver.recv()
            if elapsed > SECONDS_PER_SHAPE:
                slow.append(f"{shape!r}: {elapsed:.2f} s")
    finally:
        child.kill()
        child.join()
    assert not slow, f"{name} backtracks on {SHAPE_CHARS:,}-character shapes: " + "; ".join(slow)


def test_every_rule_module_contributes_patterns():
    modules = {name.split(".")[1] for name in PATTERNS if name.startswith("rules.")}
    assert {"lines", "metadata", "html", "blocks", "page_types"} <= modules
    assert "rules.lines.NOISE_LINE_RULES[agency-photo-credit].pattern" in PATTERNS
    assert "rules.metadata.OUTLET_CUES[source line].pattern" in PATTERNS
