"""The rules of the road (docs/ARCHITECTURE.md), checked on the source: rooms, arrows and sizes."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("api", "callbacks", "components", "data", "pages")


def _modules() -> dict[str, Path]:
    out = {p.stem: ROOT / p for p in (Path("app.py"), Path("config.py"))}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            out[name.removesuffix(".__init__")] = path
    return out


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found |= {node.module, *(f"{node.module}.{a.name}" for a in node.names)}
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
    return found


def test_the_domain_imports_neither_sqlalchemy_nor_flask_nor_dash():
    for name, path in _modules().items():
        if name.startswith("data.domain"):
            bad = {i for i in _imports(path) if i.split(".")[0] in ("sqlalchemy", "flask", "flask_caching", "dash")}
            assert not bad, (name, bad)


def test_nothing_imports_upward():
    """data knows no screen; components know no SQL; pages never import app; only data/ imports SQLAlchemy."""
    for name, path in _modules().items():
        imports = _imports(path)
        tops = {i.split(".")[0] for i in imports}
        if name.startswith("data"):
            assert not tops & {"pages", "callbacks", "components", "app", "api"}, name
        if name.startswith(("components", "pages")):
            assert "app" not in tops, name
            assert not any(i.startswith(("data.store", "data.write")) for i in imports), name
        if not name.startswith("data"):  # outside data/, SQLAlchemy only for its exception types
            assert not {i for i in imports if i.split(".")[0] == "sqlalchemy" and not i.startswith("sqlalchemy.exc")}, (
                name
            )


def test_no_import_circle():
    modules = _modules()
    graph = {m: {i for i in _imports(p) if i in modules} - {m} for m, p in modules.items()}
    state: dict[str, int] = {}

    def visit(m: str, trail: list[str]) -> None:
        state[m] = 1
        for n in graph[m]:
            assert state.get(n) != 1, " -> ".join([*trail, m, n])
            if n not in state:
                visit(n, [*trail, m])
        state[m] = 2

    for m in modules:
        if m not in state:
            visit(m, [])


def test_every_app_file_reads_in_one_sitting():
    sizes = {name: len(path.read_text(encoding="utf-8").splitlines()) for name, path in _modules().items()}
    assert not {n: s for n, s in sizes.items() if s > 320}, "split these"
