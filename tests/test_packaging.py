"""What people install: metadata, one version, the licence, the README's first command, the column reference."""

from __future__ import annotations

import ast
import importlib.metadata
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

from labreview import __version__

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def run(*args):
    environment = {**os.environ, "LABREVIEW_CONFIG": "/nonexistent/labreview.toml"}
    return subprocess.run(
        [sys.executable, "-m", "labreview", *args], capture_output=True, text=True, env=environment, timeout=60
    )


def test_the_version_is_written_once():
    project = PYPROJECT["project"]
    assert "version" not in project and "version" in project["dynamic"]
    assert PYPROJECT["tool"]["hatch"]["version"]["path"] == "src/labreview/__init__.py"
    assert importlib.metadata.version("labreview") == __version__


def test_metadata_a_package_index_shows():
    project = PYPROJECT["project"]
    assert project["authors"] and project["keywords"]
    classifiers = project["classifiers"]
    assert "License :: OSI Approved :: MIT License" not in classifiers  # the licence expression says it (PEP 639)
    assert any(c.startswith("Programming Language :: Python :: 3.11") for c in classifiers)
    assert any(c.startswith("Environment :: Console") for c in classifiers)
    assert {"Homepage", "Changelog", "Issues"} <= set(project["urls"])
    assert project["license"] == "MIT" and project["license-files"] == ["LICENSE"]


def test_the_licence_and_the_changelog_exist():
    licence = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert licence.startswith("MIT License") and "Permission is hereby granted" in licence
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"## {__version__}" in changelog


def test_every_imported_third_party_package_is_declared():
    declared = {re.split(r"[<>=!~\[ ;]", d, maxsplit=1)[0].lower() for d in PYPROJECT["project"]["dependencies"]}
    imported = set()
    for path in (ROOT / "src" / "labreview").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                imported.add(node.module.split(".")[0])
    # pydantic_core: one sentinel (PydanticUndefined) of SQLModel's pydantic, which pins the pydantic_core it needs.
    standard = set(sys.stdlib_module_names) | {"labreview", "__future__", "pydantic_core"}
    distribution = {
        "textual_plotext": "textual-plotext",
        "tomli_w": "tomli-w",
        "markdown_it": "markdown-it-py",
        "python_calamine": "python-calamine",
        "shtab": "shtab",
    }
    extras = PYPROJECT["project"].get("optional-dependencies", {})
    optional = set(extras.get("xlsx", [])) | set(extras.get("postgres", [])) | set(extras.get("serve", []))
    optional_names = {re.split(r"[<>=!~\[ ;]", d, maxsplit=1)[0].lower() for d in optional}
    for module in imported - standard:
        name = distribution.get(module, module)
        assert name in declared or name in optional_names, f"{module} is imported but not a dependency"
    assert "rich" in declared


def test_the_readme_opens_with_the_install_command_and_keeps_the_source_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    first_block = readme[: readme.index("```", readme.index("```") + 3)]
    assert "uv tool install labreview" in first_block or "pipx install labreview" in first_block
    assert "labreview --demo" in first_block
    for command in ("uv tool install labreview", "pipx install labreview", "uvx labreview --demo"):
        assert command in readme
    assert "uv run labreview --demo" in readme and "uv run pytest " in readme
    assert readme.index("uvx labreview --demo") < readme.index("uv run pytest")


def test_import_help_does_not_send_people_to_the_readme():
    result = run("import", "--help")
    assert result.returncode == 0
    assert "README" not in result.stdout and "--columns" in result.stdout


def test_import_columns_prints_the_column_reference():
    from labreview.exchange.csv_columns import COLUMNS

    result = run("import", "--columns")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    for column in COLUMNS:
        assert re.search(rf"^{column.name}\b", result.stdout, re.MULTILINE), column.name
    assert "`" not in result.stdout  # the README's code marks are for Markdown, not a terminal


def test_import_still_needs_a_file_without_columns():
    result = run("import")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "FILE" in result.stderr


def test_a_missing_key_column_points_to_the_column_reference(tmp_path):
    from labreview.domain.errors import InvalidInput
    from labreview.exchange.csv_read import parse_text

    try:
        parse_text("title,owner\nx,y\n")
    except InvalidInput as exc:
        assert "labreview import --columns" in str(exc) and "README" not in str(exc)
    else:  # pragma: no cover
        raise AssertionError("no refusal")
