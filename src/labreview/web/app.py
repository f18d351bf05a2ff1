"""The seat service's routes: a personal link's page, its live parts, its event stream and its ballot.

Nothing is served without a personal link: ``/`` and every other path answer 404. The portfolio is synchronous;
every call to it runs in a worker thread, one at a time (``_call``).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.resources import files
from typing import Any, TypeVar
from urllib.parse import parse_qsl

import anyio.to_thread
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import (
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from labreview.domain.errors import DomainError, InvalidInput, NotFound, PolicyRefusal, StaleEdit
from labreview.domain.vocabulary import Criterion
from labreview.web.live import Feed
from labreview.web.render import page_context, render
from labreview.web.security import Guard, Limiter, Limits, csrf_ok, csrf_token, retry_after

T = TypeVar("T")

MAX_FORM = 4096
"""A ballot form is a few hundred bytes; anything much larger is refused unread."""

NO_STORE = {"Cache-Control": "no-store"}


@dataclass
class Options:
    """How the service behaves; the defaults are production's, tests shorten the times and the limits."""

    limits: Limits = field(default_factory=Limits)
    poll_interval: float = 0.15
    heartbeat: float = 15.0
    """Seconds between the event stream's keep-alive comments."""
    stream_lifetime: float = 600.0
    """An event stream ends after this long; the browser reconnects by itself (and the link is checked again)."""
    clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)


class Refused(Exception):
    """A request answered with a short page (or JSON for the page's script) and a status code."""

    def __init__(self, status: int, heading: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.heading, self.message, self.headers = status, heading, message, headers or {}


class SeatService:
    """The routes over one open portfolio."""

    def __init__(self, portfolio: Any, *, secret: bytes | None = None, options: Options | None = None) -> None:
        self.portfolio = portfolio
        self.secret = secret or secrets.token_bytes(32)
        self.options = options or Options()
        limits = self.options.limits
        self.reads = Limiter(*limits.reads)
        self.writes = Limiter(*limits.writes)
        self.guesses = Limiter(*limits.guesses)
        self._lock = threading.Lock()
        self.feed = Feed(self._newest, self._presence, interval=self.options.poll_interval)
        self.currency = "EUR"

    # ------------------------------------------------------------------ the portfolio, one call at a time

    def _locked(self, fn: Callable[..., T], *args: Any) -> T:
        with self._lock:
            return fn(*args)

    async def _call(self, fn: Callable[..., T], *args: Any) -> T:
        return await anyio.to_thread.run_sync(self._locked, fn, *args)

    def _newest(self) -> int:
        return self._locked(self.portfolio.newest_event_id)

    def _presence(self, quarter: str):
        return self._locked(self.portfolio.presence, quarter)

    # ------------------------------------------------------------------ checks every seat route makes

    def _client(self, request: Request) -> str:
        return request.client.host if request.client else "-"

    def _limit(self, limiter: Limiter, key: str) -> None:
        wait = limiter.take(key)
        if wait:
            raise Refused(
                429,
                "Too many requests",
                "Too many requests from this link; wait a moment.",
                {"Retry-After": retry_after(wait)},
            )

    async def _seat(self, request: Request, token: str, limiter: Limiter, read: Callable[[str], T] | None = None) -> T:
        """What ``read`` (default: ``portfolio.seat``) says of the link, or a refusal: 429 (too fast, or too many
        unknown links from this address), 404 (not a link we know), 410 (withdrawn, the session ended, the person
        no longer attends)."""
        client = self._client(request)
        wait = self.guesses.wait(client)
        if wait:
            raise Refused(
                429,
                "Too many requests",
                "Too many unknown links from here; wait a moment.",
                {"Retry-After": retry_after(wait)},
            )
        self._limit(limiter, token)
        try:
            return await self._call(read or self.portfolio.seat, token)
        except NotFound as exc:
            self.guesses.take(client)
            raise Refused(404, "Not found", exc.message) from exc
        except PolicyRefusal as exc:
            raise Refused(410, "This link no longer works", exc.message) from exc

    async def _page(
        self, request: Request | None, token: str, *, fragment: bool, problem: str = "", notice: str = ""
    ) -> str:
        """The page (or its live parts) as of now; ``request``: counted against the link's reads (None: already)."""
        if request is not None:
            page = await self._seat(request, token, self.reads, self.portfolio.seat_page)
        else:
            try:
                page = await self._call(self.portfolio.seat_page, token)
            except NotFound as exc:
                raise Refused(404, "Not found", exc.message) from exc
            except PolicyRefusal as exc:
                raise Refused(410, "This link no longer works", exc.message) from exc
        context = page_context(
            page,
            now=self.options.clock(),
            currency=self.currency,
            csrf=csrf_token(self.secret, token),
            base=f"/s/{token}",
        )
        return render("live.html" if fragment else "seat.html", **context, problem=problem, notice=notice)

    # ------------------------------------------------------------------ routes

    async def seat_page(self, request: Request) -> Response:
        token = request.path_params["token"]
        notice = "Your scores are saved." if request.query_params.get("saved") else ""
        return HTMLResponse(await self._page(request, token, fragment=False, notice=notice), headers=NO_STORE)

    async def live(self, request: Request) -> Response:
        token = request.path_params["token"]
        return HTMLResponse(await self._page(request, token, fragment=True), headers=NO_STORE)

    async def events(self, request: Request) -> Response:
        token = request.path_params["token"]
        seat = await self._seat(request, token, self.reads)
        subscriber = self.feed.subscribe(seat.quarter)
        options = self.options

        async def stream():
            loop = asyncio.get_running_loop()
            ends = loop.time() + options.stream_lifetime
            try:
                yield "retry: 3000\n: connected\n\n"
                while (left := ends - loop.time()) > 0:
                    try:
                        version = await asyncio.wait_for(subscriber.queue.get(), min(options.heartbeat, left))
                    except TimeoutError:
                        yield ": keep-alive\n\n"
                        continue
                    if version is None:  # the service stops
                        break
                    yield f"event: change\ndata: {version}\n\n"
            finally:
                self.feed.unsubscribe(subscriber)

        return StreamingResponse(
            stream(),
            media_type="text/event-stream",
            headers={**NO_STORE, "X-Accel-Buffering": "no"},
        )

    async def score(self, request: Request) -> Response:
        """Cast the link's person's scores: refusals of the link, the form or the CSRF token answer with a short
        page (or JSON to the page's script); the rules' refusals show on the page itself, in words."""
        token = request.path_params["token"]
        wants_json = request.headers.get("x-labreview") == "fetch"
        try:
            await self._seat(request, token, self.writes)
            form = await _form(request)
            if not csrf_ok(self.secret, token, form.get("csrf")):
                raise Refused(403, "Refused", "This form has expired or did not come from your page; reload it.")
        except Refused as refused:
            return self.refused(refused, json=wants_json)
        key = form.get("key", "")
        pairs = _pairs(form)
        state = None
        try:
            if not pairs:
                raise Refused(400, "Nothing to save", "Choose a score from 1 to 5 first.")
            for criterion, value in pairs:
                state = await self._call(self.portfolio.cast_from_seat, token, key, criterion, value)
        except DomainError as exc:
            refused = Refused(_status(exc), "Refused", exc.message)
            return self.refused(refused, json=True) if wants_json else await self._page_refused(token, refused)
        except Refused as refused:
            return self.refused(refused, json=True) if wants_json else await self._page_refused(token, refused)
        if wants_json:
            return JSONResponse({"ok": True, "progress": state.progress if state else ""}, headers=NO_STORE)
        return RedirectResponse(f"/s/{token}?saved=1", status_code=303, headers=NO_STORE)

    async def _page_refused(self, token: str, refused: Refused) -> Response:
        """A refused form without the script: the page again, the refusal in words at its top."""
        try:
            body = await self._page(None, token, fragment=False, problem=refused.message)
        except (DomainError, Refused):
            return self.refused(refused)
        return HTMLResponse(body, status_code=refused.status, headers={**NO_STORE, **refused.headers})

    def refused(self, refused: Refused, *, json: bool = False) -> Response:
        headers = {**NO_STORE, **refused.headers}
        if json:
            return JSONResponse({"ok": False, "message": refused.message}, status_code=refused.status, headers=headers)
        body = render("message.html", heading=refused.heading, message=refused.message)
        return HTMLResponse(body, status_code=refused.status, headers=headers)


def _status(exc: DomainError) -> int:
    if isinstance(exc, NotFound):
        return 404
    if isinstance(exc, PolicyRefusal):
        return 403
    if isinstance(exc, StaleEdit):
        return 409
    if isinstance(exc, InvalidInput):
        return 400
    return 503  # StorageError: the database cannot be used right now


async def _form(request: Request) -> dict[str, str]:
    """The form's fields (``application/x-www-form-urlencoded``, what a form and the page's script send); the
    last of a repeated name wins."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/x-www-form-urlencoded":
        raise Refused(415, "Refused", "A score is sent by the page's form.")
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM:
            raise Refused(413, "Refused", "That form is too large.")
    try:
        return dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True, max_num_fields=32))
    except (UnicodeDecodeError, ValueError) as exc:
        raise Refused(400, "Refused", "That form could not be read.") from exc


def _pairs(form: dict[str, str]) -> list[tuple[str, str]]:
    """``criterion``/``value`` (one click), or one field per criterion (the whole form), in the criteria's order."""
    pairs = [(c.value, form[c.value]) for c in Criterion if form.get(c.value)]
    if form.get("criterion"):
        pairs.append((form["criterion"], form.get("value", "")))
    return pairs


def _not_found(request: Request, exc: Exception | None = None) -> Response:
    return PlainTextResponse("404 Not Found\n", status_code=404, headers=NO_STORE)


def create_app(
    portfolio: Any,
    *,
    public_url: str | None = None,
    secret: bytes | None = None,
    options: Options | None = None,
) -> Guard:
    """The ASGI app over an open portfolio. ``public_url``: where members reach it (its origin is accepted in
    ``Origin`` beside the request's own host)."""
    service = SeatService(portfolio, secret=secret, options=options)

    async def guarded(request: Request, handler) -> Response:
        wants_json = request.headers.get("x-labreview") == "fetch"
        try:
            return await handler(request)
        except Refused as refused:
            return service.refused(refused, json=wants_json)
        except DomainError as exc:  # the database cannot be used right now (locked, gone): said, not a traceback
            return service.refused(Refused(_status(exc), "Not available", exc.message), json=wants_json)

    def route(handler):
        async def endpoint(request: Request) -> Response:
            return await guarded(request, handler)

        return endpoint

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette):
        with contextlib.suppress(DomainError):
            service.currency = (await service._call(portfolio.settings)).get("currency", "EUR")
        task = asyncio.create_task(service.feed.run())
        try:
            yield
        finally:
            service.feed.stop()
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    static = StaticFiles(directory=str(files("labreview.web") / "static"), html=False)
    app = Starlette(
        routes=[
            Route("/s/{token}", route(service.seat_page), methods=["GET"]),
            Route("/s/{token}/live", route(service.live), methods=["GET"]),
            Route("/s/{token}/events", route(service.events), methods=["GET"]),
            Route("/s/{token}/score", route(service.score), methods=["POST"]),
            Mount("/static", app=static, name="static"),
        ],
        exception_handlers={404: _not_found, 405: _method_not_allowed},
        lifespan=lifespan,
    )
    guard = Guard(app, origins=[public_url] if public_url else [])
    guard.service = service  # type: ignore[attr-defined]  (tests read the feed and the limiters)
    return guard


def _method_not_allowed(request: Request, exc: Exception) -> Response:
    return PlainTextResponse("405 Method Not Allowed\n", status_code=405, headers=NO_STORE)
