"""``labreview serve``: the web service board members and remote attendees reach through their personal links.

Loopback by default; ``--host`` opens it to the room's network, ``--public-url`` names the address a TLS reverse
proxy gives it (the links' base). Bad input — a port in use, an unknown host, a database that cannot be opened,
the ``serve`` extra not installed — is one line and exit code 2, before anything is served.
"""

from __future__ import annotations

import argparse
import importlib.util
import shutil
import socket
import sys
import tempfile
from pathlib import Path
from typing import Any

from labreview.cli_common import CliError, _open_portfolio

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
NEEDS = ("starlette", "uvicorn", "jinja2")


def _port(text: str) -> int:
    if not text.isdecimal() or not 1 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"a port is a number from 1 to 65535, not {text!r}")
    return int(text)


def add_commands(commands: Any, common: argparse.ArgumentParser) -> None:
    serve = commands.add_parser(
        "serve",
        parents=[common],
        help="serve the personal links of board members and remote attendees (web, loopback by default)",
        description="Serve the seat pages: each attendee of the open session scores (board members) or follows "
        "the meeting through a personal link the facilitator's app hands out. Nothing is served without a link.",
    )
    serve.add_argument(
        "--demo", dest="serve_demo", action="store_true", help="serve a scratch copy of the sample portfolio"
    )
    serve.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help=f"address to listen on (default {DEFAULT_HOST}: this computer only; 0.0.0.0 opens it to the network)",
    )
    serve.add_argument("--port", type=_port, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})")
    serve.add_argument(
        "--public-url",
        metavar="URL",
        help="the address members reach (https://… behind a TLS reverse proxy); the personal links start with it",
    )
    serve.set_defaults(run=cmd_serve)

    links = commands.add_parser(
        "links",
        parents=[common],
        help="hand out personal links to a session (a new link for each attendee named, or all), or withdraw them",
        description="Print a new personal link for each attendee named (default: every attendee) of the session; "
        "a person's previous link stops working. The links start with the address labreview serve last said.",
    )
    links.add_argument("quarter", metavar="QUARTER")
    links.add_argument("names", nargs="*", metavar="NAME", help="attendees (default: all)")
    links.add_argument("--withdraw", action="store_true", help="withdraw the named attendees' links instead")
    links.set_defaults(run=cmd_links)


def cmd_links(args: argparse.Namespace) -> int:
    from labreview.cli_common import _printable

    portfolio = _open_portfolio(args)
    try:
        names = args.names or [p.name for p in portfolio.session(args.quarter).attendees]
        if args.withdraw:
            if not args.names:
                raise CliError("name the attendees whose links to withdraw.")
            for name in names:
                portfolio.revoke_seat_link(args.quarter, name)
                print(f"Withdrew {_printable(name)}'s link to the {args.quarter} session.")
            return 0
        for name in names:
            issued = portfolio.issue_seat_link(args.quarter, name)
            role = issued.person.role_label
            print(f"{_printable(issued.person.name)} ({role}): {portfolio.seat_url(issued.token)}")
        return 0
    finally:
        portfolio.close()


def _missing_extra() -> str | None:
    missing = [name for name in NEEDS if importlib.util.find_spec(name) is None]
    if not missing:
        return None
    return (
        f"labreview serve needs {', '.join(missing)}: install the serve extra, "
        "uv tool install 'labreview[serve]' (or pip install 'labreview[serve]')."
    )


def _bind(host: str, port: int) -> socket.socket:
    """A listening socket, or the reason in one line."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (OSError, UnicodeError) as exc:
        raise CliError(f"cannot serve on host {host!r}: {getattr(exc, 'strerror', None) or exc}.") from exc
    family, kind, proto, _name, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
    except OSError as exc:
        sock.close()
        raise CliError(f"cannot serve on {host}:{port}: {exc.strerror or exc}.") from exc
    sock.setblocking(False)
    return sock


def _reachable(host: str) -> str:
    """The address members type: for a wildcard (0.0.0.0, ::) this computer's address on the network (the one its
    default route uses; nothing is sent), else the host as given."""
    if host not in ("0.0.0.0", "::", ""):
        return host
    family = socket.AF_INET6 if host == "::" else socket.AF_INET
    probe = ("2001:db8::1", 9) if family == socket.AF_INET6 else ("192.0.2.1", 9)  # documentation addresses
    try:
        with socket.socket(family, socket.SOCK_DGRAM) as s:
            s.connect(probe)
            return s.getsockname()[0]
    except OSError:
        return socket.gethostname()


def _url(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


def cmd_serve(args: argparse.Namespace) -> int:
    problem = _missing_extra()
    if problem:
        raise CliError(problem)
    public_url = (args.public_url or "").strip().rstrip("/") or None
    if public_url is not None and not public_url.startswith(("http://", "https://")):
        raise CliError(f"--public-url is an address starting with https:// (or http://); got {public_url!r}.")
    scratch: Path | None = None
    if args.serve_demo:
        if getattr(args, "db", None):
            raise CliError("--demo serves a scratch copy of the sample; leave out --db.")
        from labreview.paths import sample_database

        source = sample_database()
        if not source.is_file():
            raise CliError(f"The sample portfolio is missing at {source}; reinstall labreview.")
        scratch = Path(tempfile.mkdtemp(prefix="labreview-serve-demo-"))
        shutil.copyfile(source, scratch / "sample.db")
        (scratch / "sample.db").chmod(0o644)
        args.db = str(scratch / "sample.db")
    try:
        portfolio = _open_portfolio(args)
        try:
            sock = _bind(args.host, args.port)
            url = public_url or _url(_reachable(args.host), sock.getsockname()[1])
            portfolio.announce_service(url)
            print(
                f"labreview: serving personal links at {url}/s/… (listening on {_url(args.host, args.port)}; "
                "ctrl+c stops)",
                flush=True,
            )
            from labreview.web.serve import run  # deferred: only this command needs the web stack

            run(portfolio, sock, public_url=public_url)
        finally:
            portfolio.close()
        print("labreview: stopped serving.", file=sys.stderr)
        return 0
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
