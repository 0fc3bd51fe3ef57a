"""The vote core stays pure: it may import only the standard library's data modules and itself."""

import ast
from pathlib import Path

import council.votes

CORE = Path(council.votes.__file__).parent
ALLOWED = {
    "__future__",
    "collections",
    "csv",
    "dataclasses",
    "decimal",
    "enum",
    "fractions",
    "io",
    "itertools",
    "math",
    "re",
    "typing",
    "functools",
    "datetime",
    "hashlib",
    "json",
    "base64",
}


def imported_modules(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path.name}:{node.lineno}: use absolute imports"
            yield node.lineno, node.module or ""


def test_core_imports_no_web_database_template_or_io_code():
    files = sorted(CORE.rglob("*.py"))
    assert len(files) >= 5
    bad = []
    for f in files:
        for line, mod in imported_modules(f):
            top = mod.split(".")[0]
            core = mod == "council.votes" or mod.startswith(("council.votes.", "council.kernel."))
            if not (core or top in ALLOWED):
                bad.append(f"{f.name}:{line} imports {mod}")
    assert bad == []


def test_the_check_catches_a_forbidden_import(tmp_path):
    f = tmp_path / "x.py"
    f.write_text(
        "import litestar\nfrom piccolo.table import Table\nfrom council.platform.db import x\n"
    )
    mods = [m for _, m in imported_modules(f)]
    assert mods == ["litestar", "piccolo.table", "council.platform.db"]
    assert not any(m.split(".")[0] in ALLOWED for m in mods)


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
