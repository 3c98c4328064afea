"""The package's layers import only downwards, and no module imports itself back through others.

    model → rules → read → words → ooxml → render → pipeline → cli

(README, Developing). Every import of the package's own modules is read with ``ast``, those inside
functions too: a lazy import is still an arrow."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "tzreport"

# layer -> the modules (dotted, below ``tzreport.``) or packages in it, lowest first
LAYERS = [
    ("model", ["model", "fileio", "parallel"]),       # dataclasses; atomic files; worker processes
    ("rules", ["rules"]),
    ("read", ["read"]),
    ("words", ["words"]),
    ("ooxml", ["ooxml"]),
    ("render", ["render"]),
    ("pipeline", ["pipeline", "mail", "samples"]),
    ("cli", ["cli", "clicn", "__main__", ""]),       # "": the package's face, tzreport/__init__.py
]


def module_name(path: Path, root: Path = PACKAGE) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def layer_of(module: str) -> int:
    """The layer index of a dotted module name (``tzreport.rules.unit`` -> 1)."""
    rest = module.split(".", 1)[1] if "." in module else ""
    best = None
    for index, (_, members) in enumerate(LAYERS):
        for member in members:
            if rest == member or (member and rest.startswith(member + ".")):
                if best is None or len(member) > len(best[1]):
                    best = (index, member)
    if best is None:
        raise LookupError(f"{module} is in no layer: add it to LAYERS (and to the README's layout)")
    return best[0]


def imports_of(source: str, module: str, is_package: bool, known: set) -> set:
    """The package's own modules that ``source`` imports (``from x import y`` counts ``x.y`` when
    that is a module, else ``x``)."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "tzreport"}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".") if is_package else module.split(".")[:-1]
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "tzreport":
                continue
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                found.add(sub if sub in known else target)
    found.discard(module)
    return found


def import_graph(root: Path = PACKAGE) -> dict:
    files = {module_name(p, root): p for p in sorted(root.rglob("*.py"))}
    known = set(files)
    return {m: imports_of(p.read_text("utf-8"), m, p.name == "__init__.py", known) & known
            for m, p in files.items()}


def upward(graph: dict) -> list:
    """Imports that run up a layer: [(importer, imported)]. A package's __init__ importing its own
    submodules is inside its layer."""
    return sorted((m, t) for m, targets in graph.items() for t in targets if layer_of(t) > layer_of(m))


def cycles(graph: dict) -> list:
    """Every import circle, each as the list of modules on it (Tarjan's strongly connected
    components of more than one module)."""
    index, low, stack, on, found = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_every_module_has_a_layer():
    for module in import_graph():
        layer_of(module)


def test_no_import_runs_up_a_layer():
    graph = import_graph()
    assert [f"{m} ({LAYERS[layer_of(m)][0]}) imports {t} ({LAYERS[layer_of(t)][0]})"
            for m, t in upward(graph)] == []


def test_no_import_circle():
    assert cycles(import_graph()) == []


@pytest.mark.parametrize("module, line, problem", [
    ("rules/unit.py", "from tzreport.render.common import LIGHT_COLOURS\n", "up"),
    ("words/facts.py", "    from ..render.xlsx import summary\n", "up"),       # lazy and relative
    ("read/values.py", "import tzreport.pipeline\n", "up"),
    ("rules/ranking.py", "from tzreport.rules.evaluate import evaluate\n", "circle"),
])
def test_a_deliberate_wrong_import_is_caught(tmp_path, module, line, problem):
    """The checks fail on the kinds of import they are for: copied package, one line added."""
    import shutil
    copy = tmp_path / "tzreport"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    path = copy / module
    source = path.read_text("utf-8")
    if line.startswith("    "):
        source += "\n\ndef _wrong():\n" + line
    else:
        source = line + source
    path.write_text(source, "utf-8")
    graph = import_graph(copy)
    if problem == "up":
        assert upward(graph) and not upward(import_graph())
    else:
        assert cycles(graph) and not cycles(import_graph())
