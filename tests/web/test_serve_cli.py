"""``labreview serve`` from the command line: bad input is one line and exit code 2; a real server serves a link's
page, nothing else, and never prints a link's secret in its log."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from labreview import cli_serve
from labreview.cli import main
from tests.web.conftest import QUARTER

ENV = {**os.environ, "LABREVIEW_CONFIG": "/nonexistent/labreview.toml"}


def refused(capsys, *args) -> str:
    code = main(["serve", *args])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


def argparse_refusal(capsys, *args) -> str:
    with pytest.raises(SystemExit) as exit_:
        main(["serve", *args])
    assert exit_.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    return err[0]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("port", ["0", "70000", "http", "-1"])
def test_bad_port(capsys, port):
    assert "port" in argparse_refusal(capsys, "--demo", "--port", port)


def test_port_in_use(capsys, sample_target):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        line = refused(capsys, "--db", str(sample_target), "--port", str(port))
    assert f"cannot serve on 127.0.0.1:{port}" in line


def test_unknown_host(capsys, sample_target):
    assert "cannot serve on host 'no-such-host.invalid'" in refused(
        capsys, "--db", str(sample_target), "--host", "no-such-host.invalid", "--port", str(free_port())
    )


def test_missing_database(capsys, tmp_path):
    assert "No database at" in refused(capsys, "--db", str(tmp_path / "nope.db"))


def test_bad_public_url(capsys, sample_target):
    assert "--public-url" in refused(capsys, "--db", str(sample_target), "--public-url", "ftp://example.org")


def test_demo_and_db_together(capsys, sample_target):
    assert "leave out --db" in refused(capsys, "--demo", "--db", str(sample_target))


def test_without_the_serve_extra(capsys, monkeypatch):
    real = cli_serve.importlib.util.find_spec
    monkeypatch.setattr(
        cli_serve.importlib.util, "find_spec", lambda name, *a: None if name == "uvicorn" else real(name, *a)
    )
    assert "labreview[serve]" in refused(capsys, "--demo")


def start(target: str, port: int, *extra: str) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-m", "labreview", "serve", "--db", target, "--port", str(port), *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=ENV,
    )
    line = process.stdout.readline()
    assert "serving personal links at" in line, line + process.stderr.read()
    return process


def stop(process: subprocess.Popen) -> tuple[str, str]:
    process.send_signal(signal.SIGINT)
    try:
        out, err = process.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate()
    return out, err


def get(url: str, **headers) -> tuple[int, str]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def test_a_real_server_serves_a_link_and_never_logs_it(sample_target):
    from labreview.portfolio import Portfolio

    portfolio = Portfolio.open(sample_target)
    try:
        portfolio.start_session(QUARTER)
        token = portfolio.issue_seat_link(QUARTER, "Dana Whitfield").token
    finally:
        portfolio.close()
    port = free_port()
    process = start(str(sample_target), port, "--public-url", "https://board.example.org/")
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(50):
            try:
                status, body = get(f"{base}/s/{token}")
                break
            except (ConnectionError, urllib.error.URLError):
                time.sleep(0.1)
        assert status == 200 and "Dana Whitfield" in body
        assert get(f"{base}/")[0] == 404
        assert get(f"{base}/s/{token}", Origin="https://evil.example")[0] == 403
        assert get(f"{base}/s/{token}", Origin="https://board.example.org")[0] == 200
        assert get(f"{base}/nothing", **{"X-Forwarded-For": "203.0.113.9"})[0] == 404  # a proxy on this computer
    finally:
        out, err = stop(process)
    assert token not in out + err
    assert re.search(r"GET /s/… 200", err), err
    assert "203.0.113.9 GET /nothing 404" in err
    reopened = Portfolio.open(sample_target)
    try:
        assert reopened.seat_url(token) == f"https://board.example.org/s/{token}"
    finally:
        reopened.close()


def test_links_handed_out_and_withdrawn(capsys, sample_target):
    from labreview.portfolio import Portfolio

    portfolio = Portfolio.open(sample_target)
    try:
        portfolio.start_session(QUARTER)
        portfolio.announce_service("https://board.example.org")
    finally:
        portfolio.close()
    assert main(["links", QUARTER, "--db", str(sample_target)]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 8
    assert all(re.fullmatch(r".+ \(.+\): https://board\.example\.org/s/[A-Za-z0-9_-]{32}", line) for line in lines)
    token = lines[0].rsplit("/s/", 1)[1]
    assert main(["links", QUARTER, "Dana Whitfield", "--withdraw", "--db", str(sample_target)]) == 0
    assert "Withdrew Dana Whitfield's link" in capsys.readouterr().out
    portfolio = Portfolio.open(sample_target)
    try:
        links = {v.person.name: v.live for v in portfolio.seat_links(QUARTER)}
        assert links["Dana Whitfield"] is False and links["Grace Liu"] is True
        assert portfolio.seat(lines[1].rsplit("/s/", 1)[1]).person.name == "Grace Liu"
    finally:
        portfolio.close()
    assert token
    assert "Nobody called" in refused_links(capsys, sample_target, "Nobody Here")


def refused_links(capsys, target, *names) -> str:
    code = main(["links", QUARTER, *names, "--db", str(target)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1
    return err[0]


def test_a_wildcard_host_announces_an_address_members_can_reach():
    assert cli_serve._reachable("127.0.0.1") == "127.0.0.1"
    assert cli_serve._reachable("0.0.0.0") not in ("0.0.0.0", "")
    assert cli_serve._url("::1", 8765) == "http://[::1]:8765"
