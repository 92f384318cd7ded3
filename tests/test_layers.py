"""The layer rule, read from the source: webapp → dispatch → geo, for imports and for data.

geo/ and dispatch/ never import Flask (or Werkzeug); geo/ never imports dispatch/ or webapp/;
dispatch/ never imports webapp/; no SQL in geo/ names a table that dispatch/ owns; and each
of geo/ and dispatch/ keeps its top level small (a folder per domain instead).
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("geo", "dispatch", "webapp")
# Tables created and written by dispatch/ (its models and migrations): geo/ must not name them.
DISPATCH_TABLES = ("officers", "recusals", "complaints", "inspections", "assignments",
                   "officer_history", "holidays", "cases", "random_draws", "employer_risk",
                   "risk_inputs", "hotspot_results", "hotspot_cells")
FORBIDDEN = {  # package -> top-level modules it must not import
    "geo": ("flask", "werkzeug", "dispatch", "webapp"),
    "dispatch": ("flask", "werkzeug", "webapp"),
}
# Werkzeug's password hashing is a library utility with no request in it: accounts use it.
ALLOWED = ("werkzeug.security",)
SQL = re.compile(r"\b(SELECT|INSERT\s+INTO|UPDATE|DELETE\s+FROM|JOIN|TRUNCATE|COPY|FROM)\b")
TABLE = re.compile(r"\b(" + "|".join(DISPATCH_TABLES) + r")\b")
MAX_TOP_LEVEL_MODULES = 5


def modules(package: str) -> list[Path]:
    return sorted(p for p in (ROOT / package).rglob("*.py") if "__pycache__" not in p.parts)


def parse(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def imported(tree: ast.Module) -> list[tuple[int, str]]:
    """(line, dotted module) of every import, also those inside functions."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
    return found


def docstrings(tree: ast.Module) -> set[int]:
    """ids of the string constants that are docstrings (prose, not SQL)."""
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                    and isinstance(body[0].value.value, str):
                ids.add(id(body[0].value))
    return ids


def strings(tree: ast.Module) -> list[tuple[int, str]]:
    """(line, text) of every string constant and f-string (its literal parts), docstrings aside."""
    skip = docstrings(tree)
    inside_fstrings = set()
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            parts = [v for v in node.values if isinstance(v, ast.Constant)]
            inside_fstrings.update(id(v) for v in parts)
            found.append((node.lineno, " ".join(str(v.value) for v in parts)))
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                and id(node) not in skip and id(node) not in inside_fstrings:
            found.append((node.lineno, node.value))
    return found


def where(path: Path, line: int) -> str:
    return f"{path.relative_to(ROOT)}:{line}"


def test_imports_point_one_way():
    wrong = []
    for package, banned in FORBIDDEN.items():
        for path in modules(package):
            for line, name in imported(parse(path)):
                top = name.split(".")[0]
                if top in banned and name not in ALLOWED:
                    wrong.append(f"{where(path, line)} imports {name}")
    assert not wrong, "imports against the layer rule:\n" + "\n".join(wrong)


def test_geo_sql_names_no_dispatch_table():
    wrong = []
    for path in modules("geo"):
        for line, value in strings(parse(path)):
            named = set(TABLE.findall(value))
            # SQL text, or a bare table name that code splices into SQL
            if named and (SQL.search(value) or value.strip() in DISPATCH_TABLES):
                wrong.append(f"{where(path, line)} names {', '.join(sorted(named))}")
    assert not wrong, "geo/ SQL that reads or writes dispatch/'s tables:\n" + "\n".join(wrong)


def test_the_checks_see_what_they_look_for():
    """The walkers find imports inside functions, SQL in f-strings and spliced table names."""
    tree = ast.parse('def f():\n    from dispatch.x import y\n    import flask\n'
                     'T = ("cases",)\n'
                     'q = f"SELECT count(*) FROM officers o WHERE o.grid_id = {g}"\n'
                     'def g():\n    """Complaints FROM officers are prose."""\n')
    assert [n for _, n in imported(tree)] == ["dispatch.x", "flask"]
    texts = [v for _, v in strings(tree)]
    assert any(TABLE.search(v) and SQL.search(v) for v in texts)
    assert "cases" in texts
    assert not any("prose" in v for v in texts)


def test_geo_and_dispatch_keep_few_top_level_modules():
    for package in ("geo", "dispatch"):
        top = sorted(p.name for p in (ROOT / package).glob("*.py") if p.name != "__init__.py")
        assert len(top) <= MAX_TOP_LEVEL_MODULES, f"{package}/ has {len(top)} top-level " \
            f"modules ({', '.join(top)}): put new code in a domain folder"


def test_every_package_folder_is_walked():
    for package in PACKAGES:
        assert len(modules(package)) > 5, f"{package}/ not found under {ROOT}"
