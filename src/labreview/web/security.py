"""What keeps a personal link's page safe: the Origin check, CSRF tokens, rate limits, response headers and the
access log that never prints a link.

Standard library only, so that it is unit-tested without Starlette and readable on its own.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
import re
import time
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
"""The page loads our own script and stylesheet and nothing else; no inline script or style, no framing."""

HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", CSP.encode()),
    (b"referrer-policy", b"no-referrer"),  # the link's secret is in the URL: never send it elsewhere
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
)
"""Sent with every response."""

SEAT_PATH = re.compile(r"^/s/[^/]*")

access_log = logging.getLogger("labreview.web.access")


def redact(path: str) -> str:
    """A path for the log: a personal link's secret is never written down (``/s/…/live``)."""
    return SEAT_PATH.sub("/s/…", path)


def origin_of(url: str) -> str:
    """``https://board.example.org`` of ``https://board.example.org/s/…`` (scheme, host and a port that is not
    the scheme's default), lower case, as browsers send it in ``Origin``."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    default = {"http": 80, "https": 443}.get(scheme)
    return f"{scheme}://{host}" + (f":{port}" if port is not None and port != default else "")


def csrf_token(secret: bytes, link: str) -> str:
    """The write token of a personal link: an HMAC of the link with this process's secret (a restart makes new
    ones; the page carries the current one)."""
    return hmac.new(secret, b"csrf\x00" + link.encode(), hashlib.sha256).hexdigest()


def csrf_ok(secret: bytes, link: str, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(csrf_token(secret, link), str(given))


@dataclass
class TokenBucket:
    """``rate`` requests a second, up to ``burst`` at once."""

    rate: float
    burst: float
    level: float = -1.0
    stamp: float = 0.0

    def _fill(self, now: float) -> None:
        if self.level < 0:
            self.level, self.stamp = self.burst, now
            return
        self.level = min(self.burst, self.level + (now - self.stamp) * self.rate)
        self.stamp = now

    def take(self, now: float, cost: float = 1.0) -> float:
        """Take ``cost``; 0 when allowed, else the seconds to wait (nothing is taken)."""
        self._fill(now)
        if self.level >= cost:
            self.level -= cost
            return 0.0
        return (cost - self.level) / self.rate

    def wait(self, now: float) -> float:
        """Seconds until one request would be allowed (0: now), taking nothing."""
        self._fill(now)
        return 0.0 if self.level >= 1 else (1 - self.level) / self.rate


@dataclass
class Limiter:
    """One token bucket per key (a link, a client address); the least recently used are forgotten beyond
    ``keep`` keys (a forgotten key starts full, which only ever lets a guesser wait less, never more than one
    burst)."""

    rate: float
    burst: float
    keep: int = 10_000
    clock: Callable[[], float] = time.monotonic
    buckets: dict[str, TokenBucket] = field(default_factory=dict)

    def _bucket(self, key: str) -> TokenBucket:
        bucket = self.buckets.pop(key, None) or TokenBucket(self.rate, self.burst)
        self.buckets[key] = bucket  # newest last
        while len(self.buckets) > self.keep:
            self.buckets.pop(next(iter(self.buckets)))
        return bucket

    def take(self, key: str) -> float:
        return self._bucket(key).take(self.clock())

    def wait(self, key: str) -> float:
        return self._bucket(key).wait(self.clock())


@dataclass(frozen=True)
class Limits:
    """Requests a second (and bursts) per personal link, and per client address for links not known."""

    reads: tuple[float, float] = (20.0, 60.0)
    writes: tuple[float, float] = (5.0, 20.0)
    guesses: tuple[float, float] = (0.5, 10.0)
    """Unknown or malformed links from one address: 10 at once, then one every 2 s."""


def retry_after(seconds: float) -> str:
    return str(max(1, math.ceil(seconds)))


Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
ASGIApp = Callable[[Scope, Callable[[], Awaitable[Message]], Callable[[Message], Awaitable[None]]], Awaitable[None]]


class Guard:
    """ASGI middleware: refuses a request whose ``Origin`` is not this service's (403, before any route runs, the
    live stream included), adds the security headers to every response and writes the access log with links
    redacted."""

    def __init__(self, app: ASGIApp, *, origins: Iterable[str] = ()) -> None:
        self.app = app
        self.origins = {origin_of(o) for o in origins if o}

    def allowed(self, scope: Scope, origin: str) -> bool:
        """Whether a request that says where it comes from comes from this service's own pages.

        ``Origin: null`` is what a browser sends with a plain form's POST from a page whose referrer policy is
        ``no-referrer`` (ours: the link is in the address), and also from sandboxed or opaque origins. It is
        accepted only with ``Sec-Fetch-Site: same-origin``, which browsers set and pages cannot."""
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope.get("headers", ())}
        if origin == "null":
            return headers.get("sec-fetch-site") == "same-origin"
        if not origin:
            return False
        wanted = origin_of(origin)
        if wanted in self.origins:
            return True
        host = headers.get("host", "")
        return bool(host) and wanted == origin_of(f"{scope.get('scheme', 'http')}://{host}")

    async def __call__(self, scope: Scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 0

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", ()))
                present = {k.lower() for k, _v in headers}
                headers.extend((k, v) for k, v in HEADERS if k not in present)
                message["headers"] = headers
            await send(message)

        origin = next((v.decode("latin-1") for k, v in scope.get("headers", ()) if k == b"origin"), None)
        try:
            if origin is not None and not self.allowed(scope, origin):
                body = b"403 Forbidden: this page is only used from its own address.\n"
                await send_with_headers(
                    {
                        "type": "http.response.start",
                        "status": 403,
                        "headers": [
                            (b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", str(len(body)).encode()),
                            (b"cache-control", b"no-store"),
                        ],
                    }
                )
                await send({"type": "http.response.body", "body": body})
                return
            await self.app(scope, receive, send_with_headers)
        finally:
            client = scope.get("client") or ("-", 0)
            access_log.info("%s %s %s %s", client[0], scope.get("method", "-"), redact(scope.get("path", "")), status)
