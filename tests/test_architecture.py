"""The package's shape: no import cycle, no module importing a layer above it, no oversized file.

Imports are read from the source (ast), so the check needs nothing installed and cannot be fooled by a
lazy import inside a function: every `import` counts for the layer rule; module-level ones for cycles."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "chatbot"
MAX_FILE_LINES = 450

# Higher layers may import lower ones, never the reverse. A module's layer is its first dotted part.
LAYERS = {
    "ui": 5, "cli": 5, "commands": 5, "benchmarks": 5, "evaluation": 5, "__main__": 5,
    "service": 4, "progress_text": 4,  # the service's words for a catalog being prepared
    "dialogue": 3, "engine": 3,  # the engine bundles one catalog's index, ranker and title index
    "llm": 2, "ranking": 2, "prompts": 2
}


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def _imports(path: Path, module: str, top_level_only: bool) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    nodes = _top_level_nodes(tree) if top_level_only else ast.walk(tree)
    names: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            names.add(base)
            names |= {f"{base}.{a.name}" for a in node.names}
    return {n for n in names if n == "chatbot" or n.startswith("chatbot.")}


def _top_level_nodes(tree: ast.Module):
    """Imports executed when the module loads: outside functions and `if TYPE_CHECKING:` blocks."""
    stack = list(tree.body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            continue
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            stack.extend(node.orelse)
            continue
        yield node
        stack.extend(ast.iter_child_nodes(node))


def _resolve(name: str, modules: dict[str, Path]) -> str | None:
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def _with_packages(module: str) -> set[str]:
    """Importing a.b.c runs a/__init__ and a/b/__init__ first: those are edges too."""
    parts = module.split(".")
    return {".".join(parts[:i]) for i in range(2, len(parts) + 1)}


def _layer(module: str) -> int:
    parts = module.split(".")
    return LAYERS.get(parts[1], 0) if len(parts) > 1 else 0


def _unit(module: str) -> str:
    """Cycles are looked for between the package's parts: its subpackages and top-level modules."""
    return ".".join(module.split(".")[:2])


@pytest.mark.parametrize("level", ["module", "part"])
def test_no_import_cycle(level: str) -> None:
    modules = _modules()
    graph = {m: {d for n in _imports(p, m, True) if (r := _resolve(n, modules))
                 for d in _with_packages(r) if d != m and d in modules}
             for m, p in modules.items()}
    # a package imports its own submodules through __init__; that edge is not a cycle of design
    graph = {m: {r for r in deps if not m.startswith(r + ".")} for m, deps in graph.items()}
    if level == "part":
        parts: dict[str, set[str]] = {}
        for module, deps in graph.items():
            parts.setdefault(_unit(module), set()).update(_unit(d) for d in deps if _unit(d) != _unit(module))
        graph = parts
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        path.append(node)
        for dep in sorted(graph[node]):
            if state.get(dep) == 1:
                cycle = path[path.index(dep):] + [dep]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if dep not in state:
                visit(dep)
        path.pop()
        state[node] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module)


def test_no_module_imports_a_layer_above_it() -> None:
    modules = _modules()
    wrong = []
    for module, path in modules.items():
        for name in _imports(path, module, False):
            target = _resolve(name, modules)
            if target and _layer(target) > _layer(module):
                wrong.append(f"{module} imports {target}")
    assert not wrong, "\n".join(sorted(set(wrong)))


def test_no_oversized_file() -> None:
    long_files = {str(p.relative_to(PACKAGE.parent)): n for p in PACKAGE.rglob("*.py")
                  if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_FILE_LINES}
    assert not long_files, long_files
