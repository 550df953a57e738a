"""The package's layers (README, "Layout"): every import points down, and no module cycle.

Each module's imports (top level and inside functions) are read with ``ast``; ``from
zkpor.x import y`` counts as an import of the module ``zkpor.x.y`` when that is a module.
A layer may import its own layer and any layer listed before it in :data:`LAYERS`.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

#: Lowest first. ``zkpor.circuits`` is the top-level circuits/ folder (installed in the package).
LAYERS: list[tuple[str, ...]] = [
    ("zkpor.errors", "zkpor.atomicfile", "zkpor.data", "zkpor.web"),
    ("zkpor.crypto",),
    ("zkpor.circuits",),
    ("zkpor.formats",),
    ("zkpor.protocol",),
    ("zkpor.reserves",),
    ("zkpor.verify",),
    ("zkpor.prover",),
    ("zkpor.vectors",),  # the installed checker re-makes seeded proofs with the prover
    ("zkpor.cli", "zkpor.__main__"),
]


def _module_files() -> dict[str, Path]:
    out = {}
    for base, prefix in ((ROOT / "zkpor", ("zkpor",)), (ROOT / "circuits", ("zkpor", "circuits"))):
        for path in base.rglob("*.py"):
            parts = list(prefix) + list(path.relative_to(base).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            out[".".join(parts)] = path
    return out


MODULES = _module_files()


def _resolve(name: str) -> str | None:
    """The module ``name`` is, or the nearest package above it that exists."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _imports(module: str, path: Path) -> set[str]:
    deps: set[str] = set()
    is_pkg = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")
                base = base[: len(base) - node.level + (1 if is_pkg else 0)]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            names = [f"{mod}.{a.name}" if f"{mod}.{a.name}" in MODULES else mod for a in node.names]
        else:
            continue
        for name in names:
            target = _resolve(name) if name.startswith("zkpor") else None
            if target and target != module:
                deps.add(target)
    return deps


GRAPH = {m: _imports(m, p) for m, p in MODULES.items()}


def _layer(module: str) -> int | None:
    for i, prefixes in enumerate(LAYERS):
        if any(module == p or module.startswith(p + ".") for p in prefixes):
            return i
    return None


def test_every_module_has_a_layer() -> None:
    assert [m for m in MODULES if m != "zkpor" and _layer(m) is None] == []


def test_imports_point_down() -> None:
    upward = [
        f"{m} -> {d}"
        for m, deps in sorted(GRAPH.items())
        for d in sorted(deps)
        if d != "zkpor" and m != "zkpor" and _layer(d) > _layer(m)  # type: ignore[operator]
    ]
    assert upward == []


def _cycles() -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in sorted(GRAPH):
        if start in index:
            continue
        work = [(start, iter(sorted(GRAPH[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            v, it = work[-1]
            w = next(it, None)
            if w is not None:
                if w not in index:
                    index[w] = low[w] = len(index)
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(sorted(GRAPH.get(w, ())))))
                elif w in on_stack:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                if len(comp) > 1:
                    found.append(sorted(comp))
    return found


def test_no_import_cycle() -> None:
    assert _cycles() == []


@pytest.mark.parametrize("layer", ["zkpor.verify", "zkpor.formats", "zkpor.protocol"])
def test_verifier_layers_never_import_the_prover(layer: str) -> None:
    bad = [
        f"{m} -> {d}"
        for m, deps in GRAPH.items()
        if m.startswith(layer)
        for d in deps
        if d.startswith(("zkpor.prover", "zkpor.cli", "zkpor.vectors"))
    ]
    assert bad == []


def test_the_checker_finds_an_upward_import_and_a_cycle() -> None:
    """The analysis itself can fail: a formats module importing the prover is upward, and
    two modules importing each other are a cycle."""
    saved = {k: set(v) for k, v in GRAPH.items()}
    try:
        GRAPH["zkpor.formats.models"].add("zkpor.prover.publish")
        GRAPH["zkpor.prover.publish"].add("zkpor.formats.models")
        with pytest.raises(AssertionError):
            test_imports_point_down()
        assert any("zkpor.formats.models" in c for c in _cycles())
    finally:
        GRAPH.clear()
        GRAPH.update(saved)


def _private_imports(paths: list[Path], package_of: dict[Path, str]) -> list[str]:
    """``from zkpor.a.b import _name`` where zkpor.a is not the importer's own package."""
    found = []
    for path in paths:
        own = package_of[path]
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not isinstance(node, ast.ImportFrom) or node.level or not node.module:
                continue
            if not node.module.startswith("zkpor"):
                continue
            target = ".".join(node.module.split(".")[:2])
            for alias in node.names:
                private = alias.name.startswith("_") and not alias.name.endswith("__")
                if private and target != own:
                    found.append(f"{path.relative_to(ROOT)}: {node.module}.{alias.name}")
    return found


def test_no_private_name_crosses_a_package() -> None:
    """Within zkpor/ a package (zkpor.crypto, zkpor.verify, ...) uses only the public names
    of another; tools/ and benchmarks/ use only public names of zkpor."""
    package_of: dict[Path, str] = {}
    for module, path in MODULES.items():
        package_of[path] = ".".join(module.split(".")[:2])
    for folder in ("tools", "benchmarks"):
        for path in (ROOT / folder).rglob("*.py"):
            package_of[path] = folder
    assert _private_imports(sorted(package_of), package_of) == []


def test_every_module_docstring_names_its_note() -> None:
    """Each module says where its rules are written: a note under docs/spec/ (or, for the
    command line, the operator's tools and the vector checker, docs/cli.md, docs/operators.md
    or docs/vectors.md); no module cites the former one-file docs/spec.md."""
    missing, old = [], []
    for module, path in MODULES.items():
        doc = ast.get_docstring(ast.parse(path.read_text())) or ""
        if module.endswith("__main__"):
            continue
        if "docs/" not in doc:
            missing.append(module)
        if "docs/spec.md" in doc:
            old.append(module)
        for ref in re.findall(r"docs/[\w/.-]+\.md", doc):
            if not (ROOT / ref).is_file():
                old.append(f"{module}: {ref}")
    assert (missing, old) == ([], [])


#: The proof steps written in the paper's order (issue 22): one function each, long by design.
PAPER_ORDER: set[tuple[str, str]] = {
    ("zkpor/crypto/rangeproof/prover.py", "_prove"),
    ("zkpor/crypto/rangeproof/verifier.py", "_accumulate"),
    ("zkpor/crypto/rangeproof/ipa.py", "prove_inner_product"),
    ("zkpor/crypto/r1cs/prover.py", "_prove"),
    ("zkpor/crypto/r1cs/verifier.py", "_accumulate"),
}


def test_modules_and_functions_are_short() -> None:
    """No module over 600 lines and no function over 80 (zkpor/, circuits/, tools/), except
    the proof steps written in the paper's order."""
    long = []
    for folder in ("zkpor", "circuits", "tools"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            rel = str(path.relative_to(ROOT))
            text = path.read_text()
            if text.count("\n") > 600:
                long.append(f"{rel}: {text.count(chr(10))} lines")
            for node in ast.walk(ast.parse(text)):
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    size = (node.end_lineno or node.lineno) - node.lineno + 1
                    if size > 80 and (rel, node.name) not in PAPER_ORDER:
                        long.append(f"{rel}: {node.name} {size} lines")
    assert long == []
