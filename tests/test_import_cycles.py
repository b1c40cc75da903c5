"""No import cycles in storpheus, muse_duckdb and maestro_lab: between modules or packages.

The graph is built from the source with :mod:`ast`, without importing
anything. Every import counts - at module level (including ``try`` / ``if``
blocks) and inside functions (a lazy import still makes the two modules
depend on each other) - except those under ``if TYPE_CHECKING:``, which
never run. ``from p import name`` points at the submodule ``p.name`` when
that is a module, else at ``p``.

Two levels are checked:

- **modules**: a strongly connected component of more than one module;
- **packages**: for an import ``a -> b``, the two children of their deepest
  common package that contain them (``maestro_lab.tools.x -> maestro_lab.runtime.y``
  gives ``maestro_lab.tools -> maestro_lab.runtime``); sibling subpackages
  or modules must not depend on each other both ways. An import between a
  package and its own descendant (``__init__`` re-exporting a submodule) is
  not an edge at this level.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("storpheus", "muse_duckdb", "maestro_lab")
Graph = dict[str, set[str]]


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            found[_module_name(path)] = path
    return found


def _is_type_checking(test: ast.expr) -> bool:
    if isinstance(test, ast.Name):
        return test.id == "TYPE_CHECKING"
    return isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"


def _imports(tree: ast.AST) -> list[ast.Import | ast.ImportFrom]:
    """Every import statement that can run (skips ``if TYPE_CHECKING:`` bodies)."""
    found: list[ast.Import | ast.ImportFrom] = []
    todo: list[ast.AST] = [tree]
    while todo:
        node = todo.pop()
        if isinstance(node, ast.Import | ast.ImportFrom):
            found.append(node)
            continue
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            todo.extend(node.orelse)
            continue
        todo.extend(ast.iter_child_nodes(node))
    return found


def _edges(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    targets: set[str] = set()
    for node in _imports(tree):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
            continue
        base = node.module or ""
        if node.level:
            anchor = name.split(".") if is_package else name.split(".")[:-1]
            anchor = anchor[: len(anchor) - (node.level - 1)]
            base = ".".join([*anchor, base] if base else anchor)
        for alias in node.names:
            sub = f"{base}.{alias.name}"
            targets.add(sub if sub in modules else base)
    return {t for t in targets if t in modules and t != name}


def module_graph() -> Graph:
    """Module -> the in-repository modules it imports (anywhere but TYPE_CHECKING)."""
    modules = _modules()
    return {name: _edges(name, path, modules) for name, path in modules.items()}


def package_graph(modules: Graph) -> Graph:
    """Sibling -> sibling edges: each import lifted to the children of the common package."""
    lifted: Graph = {}
    for a, targets in modules.items():
        for b in targets:
            pa, pb = a.split("."), b.split(".")
            common = 0
            while common < min(len(pa), len(pb)) and pa[common] == pb[common]:
                common += 1
            if common in (len(pa), len(pb)):
                continue  # one contains the other
            lifted.setdefault(".".join(pa[: common + 1]), set()).add(".".join(pb[: common + 1]))
    for targets in list(lifted.values()):
        for t in targets:
            lifted.setdefault(t, set())
    return lifted


def cycles(graph: Graph) -> list[list[str]]:
    """Strongly connected components that form a cycle (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        work: list[tuple[str, list[str]]] = [(root, sorted(graph[root]))]
        while work:
            node, children = work[-1]
            if children:
                child = children.pop()
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, sorted(graph.get(child, ()))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component: list[str] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1 or node in graph[node]:
                    found.append(sorted(component))
    return found


def _describe(component: list[str], graph: Graph) -> str:
    inside = set(component)
    links = [f"{a} -> {b}" for a in component for b in sorted(graph[a] & inside)]
    return "  {" + ", ".join(component) + "}: " + "; ".join(links)


def _in(package: str, component: list[str]) -> bool:
    return any(m == package or m.startswith(package + ".") for m in component)


def test_the_graph_sees_module_and_function_level_imports() -> None:
    graph = module_graph()
    assert {"storpheus", "muse_duckdb", "maestro_lab"} <= set(graph)
    assert "muse_duckdb.repository.api" in graph["muse_duckdb.repository"]
    assert "muse_duckdb.history.refs" in graph["muse_duckdb.repository.api"]
    # muse_duckdb.cli imports its commands' heavy modules inside functions
    assert any(t.startswith("muse_duckdb.") for t in graph["muse_duckdb.cli.reading"])


def test_cycle_finder_finds_planted_cycles() -> None:
    graph: Graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": {"e"}, "f": set()}
    assert sorted(cycles(graph)) == [["a", "b", "c"], ["e"]]
    lifted = package_graph({"p.x.m": {"p.y.n"}, "p.y.n": {"p.z"}, "p.z": {"p.x"}, "p.x": set()})
    assert cycles(lifted) == [["p.x", "p.y", "p.z"]]
    assert package_graph({"p": {"p.x.m"}, "p.x.m": {"p"}}) == {}


@pytest.mark.parametrize("package", PACKAGES)
def test_no_module_import_cycles(package: str) -> None:
    graph = module_graph()
    found = [c for c in cycles(graph) if _in(package, c)]
    assert not found, "module import cycles:\n" + "\n".join(_describe(c, graph) for c in found)


@pytest.mark.parametrize("package", PACKAGES)
def test_no_package_import_cycles(package: str) -> None:
    graph = package_graph(module_graph())
    found = [c for c in cycles(graph) if _in(package, c)]
    assert not found, "package import cycles:\n" + "\n".join(_describe(c, graph) for c in found)
