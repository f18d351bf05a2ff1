"""Serving the seat app with uvicorn on a socket the command line has already bound (so that a port in use or an
unknown host is said in one line before anything starts). uvicorn's own access log is off: it would print
every personal link; ``security.Guard`` writes the access log with links redacted."""

from __future__ import annotations

import logging
import socket
import sys

import uvicorn

from labreview.web.app import create_app


def _log_to_stderr() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%H:%M:%S"))
    for name in ("labreview.web", "labreview.web.access"):
        logger = logging.getLogger(name)
        logger.setLevel(logging.INFO)
        logger.addHandler(handler)
        logger.propagate = False


def run(portfolio, sock: socket.socket, *, public_url: str | None, access_log: bool = True) -> None:
    """Serve until interrupted (ctrl+c, SIGTERM)."""
    app = create_app(portfolio, public_url=public_url)
    if access_log:
        _log_to_stderr()
    config = uvicorn.Config(
        app,
        log_level="warning",
        access_log=False,  # it would print /s/<link>: ours redacts them
        lifespan="on",
        # Behind a reverse proxy on this computer, the client's address (per-address limits, the log) and the
        # scheme (https, for the Origin check) come from its X-Forwarded-For/-Proto; from anyone else, never.
        proxy_headers=True,
        forwarded_allow_ips="127.0.0.1,::1",
        server_header=False,
        timeout_graceful_shutdown=2,
        ws="none",
    )
    server = uvicorn.Server(config)
    server.run(sockets=[sock])
