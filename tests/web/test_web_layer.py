"""The seat service at run time: importing it loads no Textual or Rich, and nothing runs at import."""

from __future__ import annotations

import subprocess
import sys


def test_importing_the_seat_service_loads_no_terminal_ui():
    code = (
        "import sys, labreview.web.app, labreview.web.serve, labreview.cli_serve; "
        "bad = sorted(m for m in sys.modules "
        "if m.split('.')[0] in ('textual', 'rich') or m.startswith('labreview.ui')); "
        "print(','.join(bad))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""


def test_the_cli_loads_no_web_stack_until_serve_runs():
    code = (
        "import sys, labreview.cli; labreview.cli.build_parser(); "
        "print(','.join(sorted(m for m in sys.modules if m.split('.')[0] in ('starlette', 'uvicorn', 'jinja2'))))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""
