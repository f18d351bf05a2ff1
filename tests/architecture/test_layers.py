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
