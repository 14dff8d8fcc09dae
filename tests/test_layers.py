"""The floor plan: every module imports, no two modules import each other (directly or round a loop), and each
layer imports only the layers beneath it. Imports are read from the modules' syntax trees, so an import inside
a function counts as much as one at the top."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

from conftest import ROOT

PACKAGES = ("extractors", "newsdesk", "crawler")

# Each layer and the project layers it may import (itself included). A module belongs to the layer whose
# name is the longest prefix of its own. devtools (eval, training, benchmarks, the demo site) may use every
# layer but the CLI; only the CLI sits on top of everything.
ALLOWED_LAYERS = {
    "extractors": {"extractors"},
    "newsdesk": set(),  # the package's own __init__: a docstring and the version
    "newsdesk.corpus": {"extractors", "newsdesk.corpus"},
    "crawler": {"extractors", "newsdesk.corpus", "crawler"},
    "newsdesk.ops": {"extractors", "newsdesk.corpus", "crawler", "newsdesk.ops"},
    "newsdesk.devtools": {"extractors", "newsdesk.corpus", "crawler", "newsdesk.ops", "newsdesk.devtools"},
    "newsdesk.cli": {"extractors", "newsdesk.corpus", "crawler", "newsdesk.ops", "newsdesk.devtools", "newsdesk.cli"},
}

# Libraries a layer must not import at all: the extraction library and the corpus (which replay uses without
# a crawl) work without Scrapy.
FORBIDDEN_LIBRARIES = {
    "extractors": {"scrapy"},
    "newsdesk.corpus": {"scrapy"},
}


def module_files(root: Path, packages: tuple[str, ...] = PACKAGES) -> dict[str, Path]:
    """Dotted module name -> source file, for every .py file under the given top-level packages."""
    modules = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            modules[".".join(parts)] = path
    return modules


def read_imports(module: str, path: Path, files: dict[str, Path]) -> tuple[set[str], set[str]]:
    """(the project modules `module` imports, every module name it imports), from anywhere in its source.
    `from a import b` imports module a.b when there is one, else something defined in a itself."""
    is_package = path.name == "__init__.py"
    targets, names = set(), set()

    def nearest_module(name: str) -> str:
        while name and name not in files:
            name = name.rpartition(".")[0]
        return name

    for node in ast.walk(ast.parse(path.read_bytes(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
            targets.update(nearest_module(alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolved against the importing module's package
                package = module.split(".")
                package = package[:len(package) - node.level + (1 if is_package else 0)]
                base = ".".join(package + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            names.add(base)
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                targets.add(submodule if submodule in files else nearest_module(base))
    targets.discard("")
    targets.discard(module)
    return targets, names


def import_graph(root: Path, packages: tuple[str, ...] = PACKAGES) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """(the project modules each module imports, every module name each module imports)."""
    files = module_files(root, packages)
    edges, names = {}, {}
    for module, path in files.items():
        edges[module], names[module] = read_imports(module, path, files)
    return edges, names


def find_cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The import loops: each group of modules that import one another round a loop, sorted (the strongly
    connected components of two or more modules, by Tarjan's algorithm)."""
    index: dict[str, int] = {}
    lowest: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = lowest[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for target in sorted(edges.get(module, ())):
            if target not in index:
                visit(target)
                lowest[module] = min(lowest[module], lowest[target])
            elif target in on_stack:
                lowest[module] = min(lowest[module], index[target])
        if lowest[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for module in sorted(edges):
        if module not in index:
            visit(module)
    return sorted(groups)


def layer_of(module: str, layers=ALLOWED_LAYERS) -> str:
    return max((layer for layer in layers if module == layer or module.startswith(layer + ".")), key=len)


def layer_violations(edges: dict[str, set[str]], names: dict[str, set[str]]) -> list[str]:
    """One line per import that crosses the layers the wrong way or reaches for a forbidden library."""
    problems = []
    for module in sorted(edges):
        layer = layer_of(module)
        for target in sorted(edges[module]):
            if layer_of(target) not in ALLOWED_LAYERS[layer]:
                problems.append(f"{module} imports {target} ({layer} may import only: "
                                f"{', '.join(sorted(ALLOWED_LAYERS[layer])) or 'nothing of the project'})")
        for library in sorted(FORBIDDEN_LIBRARIES.get(layer, ())):
            if any(name == library or name.startswith(library + ".") for name in names[module]):
                problems.append(f"{module} imports {library} ({layer} must work without it)")
    return problems


MODULES = sorted(module_files(ROOT))


def test_the_walk_finds_every_layer():
    assert {layer_of(module) for module in MODULES} == set(ALLOWED_LAYERS)
    assert {"extractors.core", "newsdesk.corpus.store", "crawler.spiders.news", "newsdesk.ops.jobs", "newsdesk.cli",
            "newsdesk.devtools.evaluation"} <= set(MODULES)


@pytest.mark.parametrize("module", MODULES)
def test_every_module_imports(module):
    importlib.import_module(module)


def test_no_module_imports_itself_round_a_loop():
    edges, _ = import_graph(ROOT)
    cycles = find_cycles(edges)
    assert not cycles, "import loops: " + "; ".join(" <-> ".join(group) for group in cycles)


def test_each_layer_imports_only_the_layers_beneath_it():
    edges, names = import_graph(ROOT)
    problems = layer_violations(edges, names)
    assert not problems, "\n".join(problems)


def test_only_the_cli_imports_the_cli():
    edges, _ = import_graph(ROOT)
    assert sorted(module for module, targets in edges.items() if "newsdesk.cli" in targets) == []


# The checks themselves, on a small made-up project: they must see what they are there to see.

def write_modules(root: Path, sources: dict[str, str]) -> None:
    for name, source in sources.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source, encoding="utf-8")


def test_a_loop_through_a_function_level_import_is_found(tmp_path: Path):
    write_modules(tmp_path, {
        "newsdesk/__init__.py": "",
        "newsdesk/ops/__init__.py": "",
        "newsdesk/ops/crawl.py": "from newsdesk.ops.jobs import parse_duration\n",
        "newsdesk/ops/jobs.py": "def run():\n    from newsdesk.ops import crawl\n",
        "newsdesk/ops/scheduler.py": "from . import jobs\n",
    })
    edges, _ = import_graph(tmp_path, ("newsdesk",))
    assert edges["newsdesk.ops.jobs"] == {"newsdesk.ops.crawl"}, "'from package import module' is the module"
    assert edges["newsdesk.ops.scheduler"] == {"newsdesk.ops.jobs"}, "relative imports are resolved"
    assert find_cycles(edges) == [["newsdesk.ops.crawl", "newsdesk.ops.jobs"]]


def test_a_package_importing_its_own_package_init_is_a_loop(tmp_path: Path):
    write_modules(tmp_path, {
        "extractors/__init__.py": "from extractors.core import extract\n",
        "extractors/core.py": "from extractors import Document\n",
    })
    edges, _ = import_graph(tmp_path, ("extractors",))
    assert find_cycles(edges) == [["extractors", "extractors.core"]]


def test_imports_against_the_layers_are_named(tmp_path: Path):
    write_modules(tmp_path, {
        "extractors/__init__.py": "",
        "extractors/core.py": "import scrapy\n",
        "newsdesk/__init__.py": "",
        "newsdesk/cli.py": "import newsdesk.ops.jobs\n",
        "newsdesk/corpus/__init__.py": "",
        "newsdesk/corpus/store.py": "def later():\n    from crawler.report import CrawlReport\n",
        "newsdesk/ops/__init__.py": "",
        "newsdesk/ops/jobs.py": "from newsdesk.devtools.evaluation import run_eval\nfrom newsdesk import cli\n",
        "newsdesk/devtools/__init__.py": "",
        "newsdesk/devtools/evaluation.py": "from newsdesk.corpus import store\n",
        "crawler/__init__.py": "",
        "crawler/report.py": "from extractors import core\n",
    })
    edges, names = import_graph(tmp_path)
    assert layer_violations(edges, names) == [
        "extractors.core imports scrapy (extractors must work without it)",
        "newsdesk.corpus.store imports crawler.report (newsdesk.corpus may import only: extractors, newsdesk.corpus)",
        "newsdesk.ops.jobs imports newsdesk.cli (newsdesk.ops may import only: crawler, extractors, newsdesk.corpus, "
        "newsdesk.ops)",
        "newsdesk.ops.jobs imports newsdesk.devtools.evaluation (newsdesk.ops may import only: crawler, extractors, "
        "newsdesk.corpus, newsdesk.ops)",
    ]
