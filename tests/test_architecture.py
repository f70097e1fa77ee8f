"""The package's shape: no import circle, and no writer reaching up into the build.

Every ``import`` that runs counts, at the top of a module or inside a function (not those under
``if TYPE_CHECKING:``), so that an import
moved into a function to hide a circle is caught too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import reportpub

PACKAGE = Path(reportpub.__file__).resolve().parent


def _imports_that_run(tree: ast.AST):
    """Every node of the tree but those under ``if TYPE_CHECKING:`` (annotations only, never run)."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            yield from (n for child in node.orelse for n in ast.walk(child))
            continue
        yield node
        yield from _imports_that_run(node)


def _import_graph() -> dict[str, set[str]]:
    """Module name → the reportpub modules it imports (a package's own modules excluded)."""
    modules = {}
    for path in PACKAGE.rglob("*.py"):
        parts = ("reportpub", *path.relative_to(PACKAGE).with_suffix("").parts)
        modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path

    def module_of(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        for node in _imports_that_run(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("reportpub"):
                targets = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
            elif isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                continue
            for target in targets:
                found = module_of(target)
                # A module importing its own package (its __init__) is not an edge of the layering.
                if found and found != name and not name.startswith(found + "."):
                    graph[name].add(found)
    return graph


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    circles = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in graph[node]:
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for node in graph:
        if node not in index:
            visit(node)
    return circles


def test_no_import_circles():
    graph = _import_graph()
    assert "reportpub.writers.pdf.parts" in graph and graph["reportpub.writers.pdf.parts"], "the graph was not read"
    assert _circles(graph) == []


def test_writers_do_not_import_the_build():
    graph = _import_graph()
    reaching_up = sorted((name, target) for name, targets in graph.items() if name.startswith("reportpub.writers")
                         for target in targets if target.startswith("reportpub.build"))
    assert reaching_up == []


def test_the_circle_check_finds_a_circle():
    assert _circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
