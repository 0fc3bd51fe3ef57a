"""The shape holds. Layers and forbidden imports are import-linter contracts ([tool.importlinter]
in pyproject.toml, run by scripts/test); here: no import cycles anywhere in council/, and no float
in the exact core."""

import ast
from pathlib import Path

import grimp

import council.votes

CORE = Path(council.votes.__file__).parent


def cycles(package: str) -> list[tuple[str, str]]:
    """Pairs of modules each of which (directly or not) imports the other."""
    graph = grimp.build_graph(package)
    found = set()
    for module in graph.modules:
        for imported in graph.find_modules_directly_imported_by(module):
            if graph.chain_exists(importer=imported, imported=module):
                found.add(tuple(sorted((module, imported))))
    return sorted(found)


def test_no_import_cycle_anywhere_in_council():
    assert cycles("council") == []


def test_the_cycle_check_finds_a_cycle(tmp_path, monkeypatch):
    pkg = tmp_path / "loop"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from loop import b\n")
    (pkg / "b.py").write_text("from loop import a\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert cycles("loop") == [("loop.a", "loop.b")]


def test_no_float_literal_or_float_call_in_the_core():
    for f in CORE.rglob("*.py"):
        tree = ast.parse(f.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            assert not (isinstance(node, ast.Constant) and isinstance(node.value, float)), (
                f"{f.name}:{node.lineno} float literal"
            )
            assert not (isinstance(node, ast.Name) and node.id == "float"), (
                f"{f.name}:{node.lineno} float()"
            )
