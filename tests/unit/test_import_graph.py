"""Imports point down: the contract at the bottom, then the clients, then the components, then the `lab` CLI; no
component imports another, no cycle between modules (imports inside functions and TYPE_CHECKING blocks count), and
no module edits sys.path to reach another folder."""

from __future__ import annotations

import ast
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Folders whose modules are imported by their bare names (pytest's pythonpath and the images' PYTHONPATH):
# speedlayer.*, the Spark jobs, the Mahout step's scripts, the DAGs.
SOURCE_ROOTS = ["storm_topology", "spark_jobs", "mahout", "dags", "."]
LAYERS = {
    "activity_contract": 0,
    "activity_clients": 1,
    "producers": 2,
    "dashboard": 2,
    "storm_topology": 2,
    "spark_jobs": 2,
    "mahout": 2,
    "dags": 2,
    "monitoring": 2,
    "activitylab": 3,  # the CLI drives every component
}
LAYER_NAMES = ["the contract", "the clients", "a component", "the CLI"]


def source_files() -> list[str]:
    out = subprocess.run(["git", "ls-files", "*.py"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    files = [p for p in out.split() if p.split("/")[0] in LAYERS]
    files += [
        p
        for p in subprocess.run(
            ["git", "ls-files", "--others", "--exclude-standard", "*.py"], cwd=ROOT, capture_output=True, text=True
        ).stdout.split()
        if p.split("/")[0] in LAYERS
    ]
    return sorted(set(files))


def module_names(files: list[str]) -> dict[str, str]:
    """{importable module name: file}, under every source root the file lies in."""
    names = {}
    for path in files:
        for root in SOURCE_ROOTS:
            prefix = "" if root == "." else root + "/"
            if path.startswith(prefix):
                parts = path[len(prefix) : -3].split("/")
                if parts[-1] == "__init__":
                    parts = parts[:-1]
                names.setdefault(".".join(parts), path)
    return names


def imports(path: str) -> list[tuple[str, int]]:
    """Every module name an import statement of the file names (absolute, relative ones resolved), with its line."""
    tree = ast.parse((ROOT / path).read_text(), path)
    package = path[:-3].split("/")[:-1] if not path.endswith("__init__.py") else path[:-3].split("/")[:-1]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            found.append((module, node.lineno))
            found += [(f"{module}.{alias.name}", node.lineno) for alias in node.names]
    return found


def edges() -> dict[str, set[tuple[str, int]]]:
    """{file: {(imported file, line)}} between the project's own files."""
    files = source_files()
    by_name = module_names(files)
    graph: dict[str, set[tuple[str, int]]] = {f: set() for f in files}
    for path in files:
        for name, line in imports(path):
            target = by_name.get(name)
            if target and target != path:
                graph[path].add((target, line))
    return graph


def layer(path: str) -> int:
    return LAYERS[path.split("/")[0]]


def test_imports_point_down_and_no_component_imports_another():
    wrong = []
    for path, targets in edges().items():
        for target, line in sorted(targets):
            same_folder = path.split("/")[0] == target.split("/")[0]
            if same_folder:
                continue
            if layer(target) > layer(path) or (layer(target) == layer(path) == 2):
                wrong.append(
                    f"{path}:{line} imports {target} ({LAYER_NAMES[layer(path)]} -> {LAYER_NAMES[layer(target)]})"
                )
    assert not wrong, "imports that do not point down:\n" + "\n".join(wrong)


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one file (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_no_import_cycle():
    graph = {path: {target for target, _ in targets} for path, targets in edges().items()}
    assert cycles(graph) == []


def test_the_cycle_check_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_module_edits_sys_path():
    edits = []
    for path in source_files():
        for node in ast.walk(ast.parse((ROOT / path).read_text(), path)):
            if isinstance(node, ast.Attribute) and node.attr == "path" and getattr(node.value, "id", "") == "sys":
                edits.append(f"{path}:{node.lineno}")
    assert not edits, "sys.path used (set PYTHONPATH where the program starts instead):\n" + "\n".join(edits)
