"""The core's shape, read from its source with `ast`: no import cycles among `playground`'s
modules (imports inside functions count too), no Streamlit in the core, and every public function
of the core annotated."""

from __future__ import annotations

import ast
from pathlib import Path

CORE = Path(__file__).resolve().parent.parent / "playground"


def module_name(path: Path) -> str:
    parts = path.relative_to(CORE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path, modules: set[str]) -> set[str]:
    """The core modules `path` imports, anywhere in it: `import a.b`, and `from a.b import c` (the
    module `a.b.c` when there is one, else `a.b`)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            submodules = [f"{node.module}.{alias.name}" for alias in node.names]
            names = [name if name in modules else node.module for name in submodules]
        else:
            continue
        found |= {name for name in names if name in modules}
    return found


def import_graph() -> dict[str, set[str]]:
    paths = {module_name(path): path for path in CORE.rglob("*.py")}
    modules = set(paths)
    return {name: imported_modules(path, modules) - {name} for name, path in paths.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for child in sorted(graph[node]):
            if child not in index:
                visit(child)
                low[node] = min(low[node], low[child])
            elif child in on_stack:
                low[node] = min(low[node], index[child])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_core_has_no_import_cycle():
    graph = import_graph()
    assert len(graph) > 50 and "playground.spec" in graph["playground.layers"]  # the reading works
    assert cycles(graph) == [], "modules that import each other (also through others, or inside functions)"


def test_the_spec_stands_below_the_tables():
    graph = import_graph()
    below = {"playground.spec", "playground.registry", "playground.learning_rates"}
    assert graph["playground.spec"] <= below, "the spec names its tables by key; it imports none of them"


def test_a_cycle_is_found_where_there_is_one():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]


def test_the_core_never_imports_streamlit():
    for path in CORE.rglob("*.py"):
        if "web" in path.relative_to(CORE).parts:
            continue
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            names = (
                [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            assert not any(name.split(".")[0] == "streamlit" for name in names), path


def test_every_public_function_of_the_core_is_annotated():
    """mypy checks the bodies of unannotated functions too (`check_untyped_defs`); the public ones
    also say what they take and give."""
    missing = []
    for path in sorted(CORE.rglob("*.py")):
        if "web" in path.relative_to(CORE).parts:
            continue  # the Streamlit app: pages and widgets, checked by mypy but not held to this
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and not node.name.startswith("_"):
                arguments = [a for a in node.args.args + node.args.kwonlyargs if a.arg not in ("self", "cls")]
                arguments += [a for a in (node.args.vararg, node.args.kwarg) if a is not None]
                if node.returns is None or any(a.annotation is None for a in arguments):
                    missing.append(f"{path.relative_to(CORE.parent)}:{node.lineno} {node.name}")
    assert missing == []


def test_the_web_app_stands_on_the_core_and_the_engine_draws_nothing():
    """Only `playground.web` (the Streamlit app) imports `playground.web`; the engine hands out
    snapshots and imports neither the figures nor the web app."""
    graph = import_graph()
    assert (
        "playground.web.live.frames" in graph
        and "playground.figures.network_drawing" in graph["playground.web.live.frames"]
    )
    for module, imports in sorted(graph.items()):
        if not module.startswith("playground.web"):
            assert not {name for name in imports if name.startswith("playground.web")}, module
        if module.startswith("playground.engine"):
            assert not {name for name in imports if name.startswith(("playground.figures", "playground.web"))}, module
