"""The architecture stays visible: docs/design.md lists every module, the package has no
import cycles, no module reaches into another's private names, modules stay short, and
the CLI imports nothing heavy. Static checks only: nothing here imports TensorFlow."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "advisor"
DESIGN = ROOT / "docs" / "design.md"
#: The package-data package (the repository's rules/ directory): not a module under advisor/.
RULES_PACKAGE = "advisor._rules"
#: "Each module under about 400 lines" (shared/docs/style.md), with a little slack.
MAX_LINES = 410
HEAVY = ("tensorflow", "keras", "keras_tuner", "numpy", "pandas", "sklearn", "scipy")


def _sources() -> dict[str, Path]:
    """Every module of the package by dotted name (a package by its own name)."""
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        if "__pycache__" in path.parts:
            continue
        parts = path.relative_to(ROOT).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


MODULES = _sources()
PACKAGES = {name for name, path in MODULES.items() if path.name == "__init__.py"}


def _doc_row(path: Path) -> str:
    """How docs/design.md names a module: its path, or ``advisor/<pkg>/`` for a
    subpackage's ``__init__.py`` (the top-level ``advisor/__init__.py`` by its path)."""
    rel = path.relative_to(ROOT).as_posix()
    if path.name == "__init__.py" and path.parent != PACKAGE:
        return rel.removesuffix("__init__.py")
    return rel


def _is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


# ---------------------------------------------------------------- the module map


def test_design_doc_lists_every_module():
    text = DESIGN.read_text(encoding="utf-8")
    named = set(re.findall(r"`(advisor/[\w/]*?(?:\.py|/))`", text))
    # The module map: table rows whose first cell is a backticked module path.
    rows = set(re.findall(r"^\|\s*`(advisor/[\w/]*?(?:\.py|/))`\s*\|", text, re.MULTILINE))
    actual = {_doc_row(path) for path in MODULES.values()}
    missing = sorted(actual - rows)
    stale = sorted(named - actual)
    assert not missing and not stale, (
        "docs/design.md's module map lacks: " + (", ".join(missing) or "nothing")
        + "\nit names modules that do not exist: " + (", ".join(stale) or "none")
    )  # fmt: skip


def _top_level_names(path: Path) -> set[str]:
    """The names a module defines at its top level (also inside top-level ``if`` and
    ``try`` blocks), and those its ``__all__`` lists."""
    names: set[str] = set()
    stack = list(ast.parse(path.read_text(encoding="utf-8")).body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(t.id for t in targets if isinstance(t, ast.Name))
            if any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets):
                names.update(c.value for c in ast.walk(node.value) if isinstance(c, ast.Constant))
        elif isinstance(node, (ast.If, ast.Try)):
            stack.extend(ast.iter_child_nodes(node))
    return names


def _stale_reference(ref: str) -> bool:
    """Whether a dotted ``advisor.x.y`` names something that does not exist: its longest
    module prefix must be below the top-level package, and the name after it (if any) must
    be defined in that module."""
    if ref == RULES_PACKAGE or ref.startswith(RULES_PACKAGE + "."):
        return False
    module = _known(ref)
    if module is None:
        return True
    rest = ref[len(module) + 1 :].split(".") if ref != module else []
    if module == "advisor" and rest:
        return rest[0] not in _top_level_names(MODULES["advisor"])
    return bool(rest) and rest[0] not in _top_level_names(MODULES[module])


def test_docs_name_only_modules_that_exist():
    """README.md and docs/*.md: every ``advisor/...`` path exists, and every dotted
    ``advisor.x.y`` names a module (or a name defined in one)."""
    stale = []
    for doc in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        text = doc.read_text(encoding="utf-8")
        where = doc.relative_to(ROOT).as_posix()
        for match in re.finditer(r"(?<![\w.-])(?:\.\./)?(advisor/[\w/.-]*\w/?)", text):
            path = match.group(1)
            if not (ROOT / path).exists() and not path.startswith("advisor/_rules"):
                stale.append(f"{where}: {path}")
        for match in re.finditer(r"(?<![\w./-])advisor(?:\.[A-Za-z_]\w*)+", text):
            if _stale_reference(match.group(0)):
                stale.append(f"{where}: {match.group(0)}")
    assert not stale, "the docs name modules that do not exist:\n" + "\n".join(stale)


# ---------------------------------------------------------------- the import graph


def _absolute(module: str | None, level: int, importer: str) -> str:
    """The absolute module name of an ``ImportFrom`` (relative imports resolved)."""
    if level == 0:
        return module or ""
    base = importer if importer in PACKAGES else importer.rpartition(".")[0]
    for _ in range(level - 1):
        base = base.rpartition(".")[0]
    return f"{base}.{module}" if module else base


def _known(name: str) -> str | None:
    """The module ``name`` runs: itself when it is a module, else its longest prefix that is
    one (``advisor.x.attr`` is ``advisor.x``); None outside the package."""
    while name:
        if name in MODULES:
            return name
        name = name.rpartition(".")[0]
    return None


def _imports(name: str, path: Path) -> set[str]:
    """The package's modules that ``name`` imports anywhere in its code: at its top, in
    functions, and for types only (``if TYPE_CHECKING:``): a cycle of types is still a
    cycle for a reader."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    targets: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets.update(filter(None, (_known(alias.name) for alias in node.names)))
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(node.module, node.level, name)
            for alias in node.names:
                target = _known(f"{base}.{alias.name}") if alias.name != "*" else None
                targets.add(target or _known(base) or "")
    targets.discard("")
    targets.discard(name)
    return targets


def _graph() -> dict[str, set[str]]:
    """Module -> the modules importing it runs. Importing ``advisor.a.b`` also runs the
    packages ``advisor`` and ``advisor.a``: an edge to a package is kept only when that
    package's ``__init__`` imports something itself, and never to the importer's own
    packages (they ran before the importer did)."""
    direct = {name: _imports(name, path) for name, path in MODULES.items()}
    graph: dict[str, set[str]] = {}
    for name, targets in direct.items():
        own = {name.rsplit(".", i)[0] for i in range(1, name.count(".") + 1)}
        edges = set()
        for target in targets:
            chain = [target.rsplit(".", i)[0] for i in range(target.count(".") + 1)]
            for module in chain:
                if module in own or module == name:
                    continue
                if module == target or (module in PACKAGES and direct[module]):
                    edges.add(module)
        graph[name] = edges
    return graph


def _find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_the_import_graph_sees_imports_in_functions_and_type_only_ones():
    graph = _graph()
    # advisor.search.run imports keras-tuner's adapter inside run_search only.
    assert "advisor.search.tuner" in graph["advisor.search.run"]
    # advisor/__init__.py imports its attributes lazily, and names their types for checkers.
    assert "advisor.advice.advice" in graph["advisor"]


#: The stages, lowest first: a module may import its own package's modules and those of
#: the stages before its own, never one after (`_stage`: a subpackage by its name, a
#: top-level module by its own; the package's ``__init__`` comes last).
STAGES = (
    "errors", "vocab", "version", "backend", "io", "options", "progress", "progress_bar",
    "table",
    "profiling", "cluster", "network", "plan", "export", "keras_export", "rules", "search",
    "report", "advice", "check", "api", "cli", "advisor",
)  # fmt: skip


def _stage(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "advisor"


def _stage_edges() -> list[str]:
    """Imports that go up the stage order (a later stage's module imported by an earlier
    one), each as "importer -> imported"."""
    order = {name: i for i, name in enumerate(STAGES)}
    found = []
    for name, path in MODULES.items():
        here = _stage(name)
        for target in _imports(name, path):
            there = _stage(target)
            if there != here and order[there] > order[here]:
                found.append(f"{name} ({here}) -> {target} ({there})")
    return sorted(found)


def test_every_module_has_a_stage():
    assert not {_stage(name) for name in MODULES} - set(STAGES)


def test_imports_follow_the_stage_order():
    up = _stage_edges()
    assert not up, "imports against the stage order:\n" + "\n".join(up)


def test_no_import_cycles():
    cycle = _find_cycle(_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle or ())


# ---------------------------------------------------------------- private names


def _dotted(node: ast.expr) -> list[str] | None:
    """``a.b.c`` as ["a", "b", "c"]; None for anything but names and attributes."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    return [node.id, *reversed(parts)]


def _private_uses(name: str, path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    where = path.relative_to(ROOT).as_posix()
    found = []
    # Local names bound to the package's modules ("import advisor.x as m",
    # "from advisor.network import norms"); a plain "import advisor.x" binds "advisor".
    aliases: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] != "advisor":
                    continue
                if alias.asname:
                    aliases[alias.asname] = alias.name
                else:
                    aliases["advisor"] = "advisor"
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(node.module, node.level, name)
            if base.split(".")[0] != "advisor":
                continue
            for alias in node.names:
                full = f"{base}.{alias.name}"
                if full == RULES_PACKAGE:
                    continue
                if _is_private(alias.name):
                    found.append(f"{where}:{node.lineno}: from {base} import {alias.name}")
                elif full in MODULES:
                    aliases[alias.asname or alias.name] = full
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute):
            continue
        parts = _dotted(node)
        if parts is None or parts[0] not in aliases:
            continue
        dotted = aliases[parts[0]].split(".") + parts[1:]
        # The first private component right after a module of the package.
        for i in range(1, len(dotted)):
            owner, attr = ".".join(dotted[:i]), dotted[i]
            if owner not in MODULES:
                break
            if _is_private(attr):
                if f"{owner}.{attr}" != RULES_PACKAGE and owner != name:
                    found.append(f"{where}:{node.lineno}: {'.'.join(dotted[: i + 1])}")
                break
    return sorted(set(found))


def test_no_module_imports_another_modules_private_names():
    found = [use for name, path in MODULES.items() for use in _private_uses(name, path)]
    assert not found, "private names used across modules:\n" + "\n".join(found)


# ---------------------------------------------------------------- size and weight


def test_no_module_over_400_lines():
    long = {
        path.relative_to(ROOT).as_posix(): n
        for path in MODULES.values()
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not long, f"modules over {MAX_LINES} lines (split them by job): {long}"


#: "A function short enough to read at once" (shared/docs/style.md's "one job"): at most
#: this many lines, the docstring included.
MAX_FUNCTION_LINES = 60
#: The few that are longer, each with its reason.
LONG_FUNCTIONS = {
    "advisor/search/runner.py:train_packed": "one training loop over packed slots: its "
    "steps, per-slot early stopping and best-weight bookkeeping share a dozen arrays that "
    "helpers would only pass around",
    "advisor/search/stages.py:race": "the race as one loop (who goes on, when it stops), "
    "read step by step against docs/search.md's description of it",
}


def _long_functions() -> dict[str, int]:
    found = {}
    for path in MODULES.values():
        where = path.relative_to(ROOT).as_posix()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines = (node.end_lineno or node.lineno) - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    found[f"{where}:{node.name}"] = lines
    return found


def test_no_function_over_60_lines_but_the_listed_few():
    found = _long_functions()
    unlisted = {name: n for name, n in found.items() if name not in LONG_FUNCTIONS}
    assert not unlisted, f"functions over {MAX_FUNCTION_LINES} lines (split them): {unlisted}"
    stale = sorted(set(LONG_FUNCTIONS) - set(found))
    assert not stale, f"listed as long but no longer are (drop them from the list): {stale}"


def test_help_is_light():
    code = (
        "import sys, contextlib, io\n"
        "import advisor.cli, advisor.vocab\n"
        "for args in (['--help'], ['run', '--help'], ['check', '--help'],\n"
        "             ['report', '--help'], ['profile', '--help'], ['rules', '--help']):\n"
        "    with contextlib.redirect_stdout(io.StringIO()):\n"
        "        try:\n"
        "            advisor.cli.main(args)\n"
        "        except SystemExit as exit:\n"
        "            assert exit.code == 0, (args, exit.code)\n"
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "", f"`advise --help` imports {out.stdout.strip()}"


def test_every_subpackage_is_installed():
    """pyproject.toml lists its packages by name: one left out installs a package that
    fails on import (the tests, run from the checkout, would not notice)."""
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"])
    assert PACKAGES - listed == set(), f"subpackages pyproject.toml leaves out: {PACKAGES - listed}"


def test_tests_mirror_the_layout():
    packages = sorted(p.parent.name for p in (ROOT / "advisor").glob("*/__init__.py"))
    packages = [p for p in packages if not p.startswith("_")]
    missing = [p for p in packages if not list((ROOT / "tests" / p).glob("test_*.py"))]
    assert not missing, f"subpackages without a tests/<name>/ folder of tests: {missing}"
