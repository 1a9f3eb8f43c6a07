"""The package's layers: a module imports nothing from a layer above its own.

Order, low to high: world < params < model < runs < analysis < report < studies < the
entry points (hydra, api, cli, dashboard, run, collect). Imports inside functions count too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SIM = Path(__file__).resolve().parents[2] / "sim"
LAYERS = ["world", "params", "model", "runs", "analysis", "report", "studies"]
TOP = len(LAYERS)  # hydra/, dashboard/, api.py, cli.py, run.py, collect.py, __init__.py


def layer_of(module: str) -> int:
    parts = module.split(".")
    if parts[0] != "sim":
        return -1
    if len(parts) < 2:
        return TOP  # the package itself: its lazy exports are an entry point
    return LAYERS.index(parts[1]) if parts[1] in LAYERS else TOP


def module_name(path: Path) -> str:
    rel = path.relative_to(SIM.parent).with_suffix("")
    parts = list(rel.parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(source: str, module: str, is_package: bool = False) -> list[tuple[int, str]]:
    """(line, module) of every import of a ``sim`` module in ``source``, relative ones resolved."""
    tree = ast.parse(source)
    package = module if is_package else module.rpartition(".")[0]
    typing_only = {
        id(n)
        for block in ast.walk(tree)
        if isinstance(block, ast.If) and _is_type_checking(block.test)
        for stmt in block.body
        for n in ast.walk(stmt)
    }  # annotations only: never run
    found = []
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            found += [
                (node.lineno, f"{base}.{a.name}" if layer_of(base) >= 0 and a.name != "*" else base)
                for a in node.names
            ]
    return [(line, m) for line, m in found if m.split(".")[0] == "sim"]


MODULES = sorted(p for p in SIM.rglob("*.py") if "configs" not in p.parts)


def test_every_module_is_in_a_layer():
    assert {p.relative_to(SIM).parts[0] for p in MODULES if len(p.relative_to(SIM).parts) > 1} <= {
        *LAYERS,
        "hydra",
        "dashboard",
    }


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def upward_imports(source: str, module: str, is_package: bool = False) -> list[str]:
    own = layer_of(module)
    return [
        f"line {line}: {m}"
        for line, m in imported_modules(source, module, is_package)
        if layer_of(m) > own
    ]


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(SIM)))
def test_no_import_from_a_higher_layer(path):
    source = path.read_text(encoding="utf-8")
    upward = upward_imports(source, module_name(path), path.name == "__init__.py")
    assert not upward, f"{path.relative_to(SIM.parent)} imports from a higher layer: {upward}"


def test_the_check_sees_upward_imports_absolute_relative_and_lazy():
    source = (
        "from sim.report.labels import SCENARIOS\n"
        "def f():\n    from ..studies import channels\n    import sim.runs.store\n"
        "from . import agents\nfrom sim.world import geography\n"
        "if TYPE_CHECKING:\n    from sim.studies import reports\n"
    )
    assert upward_imports(source, "sim.model.probe") == [
        "line 1: sim.report.labels.SCENARIOS",
        "line 3: sim.studies.channels",
        "line 4: sim.runs.store",
    ]


def _module_of(name: str, known: set[str]) -> str | None:
    """The module an imported dotted name lives in (``sim.a.b.Name`` -> ``sim.a.b``)."""
    while name and name not in known:
        name = name.rpartition(".")[0]
    return name or None


def import_graph() -> dict[str, set[str]]:
    known = {module_name(p) for p in MODULES}
    graph = {}
    for p in MODULES:
        me = module_name(p)
        deps = {
            _module_of(m, known)
            for _, m in imported_modules(p.read_text(encoding="utf-8"), me, p.name == "__init__.py")
        }
        graph[me] = {d for d in deps if d and d != me and d != "sim" and not me.startswith(d + ".")}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    found, state, stack = [], {}, []

    def visit(n):
        state[n] = "open"
        stack.append(n)
        for d in sorted(graph.get(n, ())):
            if state.get(d) == "open":
                found.append(stack[stack.index(d) :] + [d])
            elif d not in state:
                visit(d)
        stack.pop()
        state[n] = "done"

    for n in sorted(graph):
        if n not in state:
            visit(n)
    return found


def test_no_import_circles():
    assert cycles(import_graph()) == []


def test_the_circle_check_finds_a_circle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c", "a"]]
