"""The layers of DESIGN.md, checked mechanically: the core never imports Textual, the domain imports nothing of ours."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "labreview"


def core_modules() -> list[str]:
    names = []
    for package in ("domain", "store", "portfolio", "exchange"):
        for path in sorted((SRC / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            relative = path.relative_to(SRC.parent).with_suffix("")
            name = ".".join(relative.parts).removesuffix(".__init__")
            names.append(name)
    return names


def test_core_modules_never_load_textual():
    modules = [*core_modules(), "labreview.sample"]
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "leaked = sorted(m for m in sys.modules if m == 'textual' or m.startswith(('textual.', 'rich.')))\n"
        "print(','.join(leaked))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""


@pytest.mark.parametrize("path", sorted((SRC / "domain").glob("*.py")), ids=lambda p: p.name)
def test_domain_imports_nothing_of_ours_but_the_domain(path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("labreview"):
            assert node.module.startswith("labreview.domain"), f"{path.name} imports {node.module}"


def test_screens_never_open_sessions_or_build_queries():
    for path in sorted((SRC / "ui" / "screens").glob("*.py")):
        text = path.read_text()
        for forbidden in (
            "sqlalchemy",
            "sqlmodel",
            "labreview.store.models",
            "labreview.store.queries",
            "labreview.store.engine",
            "Session(",
        ):
            assert forbidden not in text, f"{path.name} uses {forbidden}"


def test_importing_the_app_does_no_database_work():
    code = (
        "import sys\n"
        "import labreview.ui.app, labreview.cli\n"
        "print(','.join(sorted(m for m in sys.modules if m.startswith(('sqlalchemy', 'sqlmodel', 'alembic')))))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""


def test_no_import_cycles():
    """No module of ours reaches itself through imports, deferred and TYPE_CHECKING ones included (grimp,
    which import-linter uses, sees them all); a cycle is what the layers and the areas contract cannot say."""
    import grimp

    graph = grimp.build_graph("labreview")
    ours = sorted(m for m in graph.modules if m.startswith("labreview."))
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(module: str) -> None:  # Tarjan's strongly connected components
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in sorted(graph.find_modules_directly_imported_by(module)):
            if not imported.startswith("labreview."):
                continue
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == module:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for module in ours:
        if module not in index:
            visit(module)
    assert cycles == []
