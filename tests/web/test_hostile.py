"""Hostile stored text (the naughty-strings corpus, HTML, Rich markup, terminal escapes) in titles, descriptions,
names and rationales is shown as text on a seat's page: never markup, never script."""

from __future__ import annotations

import datetime as dt
import html as htmllib
from html.parser import HTMLParser

import pytest

from labreview.domain.errors import DomainError
from labreview.portfolio.views import NewActionItem
from labreview.web.render import shown
from tests import hostile
from tests.web.conftest import QUARTER

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

OUR_TAGS = {
    "html", "head", "meta", "title", "link", "script", "body", "header", "h1", "h2", "h3", "p", "strong", "div",
    "section", "ol", "ul", "li", "span", "dl", "dt", "dd", "details", "summary", "form", "input", "fieldset",
    "legend", "label", "button", "footer", "table", "thead", "tbody", "tfoot", "tr", "th", "td", "main",
}  # fmt: skip


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.description: list[str] = []
        self._in_description = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_description = tag == "p" and dict(attrs).get("class") == "description"

    def handle_endtag(self, tag):
        if tag == "p":
            self._in_description = False

    def handle_data(self, data):
        if self._in_description:
            self.description.append(data)


def assert_only_our_markup(page: str) -> Tags:
    parser = Tags()
    parser.feed(page)
    for tag, attrs in parser.tags:
        assert tag in OUR_TAGS, tag
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        if tag == "script":
            assert attrs == {"src": "/static/seat.js", "defer": None}
    assert "\x1b" not in page and "\x07" not in page
    return parser


def chunks(strings, limit=9_000):
    chunk = ""
    for text in strings:
        if len(text) > 500:
            continue
        if len(chunk) + len(text) + 1 > limit:
            yield chunk
            chunk = ""
        chunk += text + "\n"
    if chunk:
        yield chunk


def test_hostile_text_on_the_page_is_text(meeting, client):
    portfolio = meeting.portfolio
    token = meeting.links[meeting.board[0]]
    title = "<script>alert('title')</script>[bold red]Approved[/] \x1b]0;pwned\x07"
    portfolio.update_initiative(meeting.key, title=title, vendor="<img src=x onerror=alert(1)>")
    for chunk in chunks(hostile.sample()):
        try:
            view = portfolio.update_initiative(meeting.key, description=chunk)
        except DomainError:
            continue
        page = client.get(f"/s/{token}").text
        parser = assert_only_our_markup(page)
        assert htmllib.unescape("".join(parser.description)) == shown(view.description)
        assert assert_only_our_markup(client.get(f"/s/{token}/live").text)
    page = client.get(f"/s/{token}").text
    assert "&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt;[bold red]Approved[/] \\x1b]0;pwned\\x07" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


def test_hostile_names_and_rationales(meeting, client):
    portfolio = meeting.portfolio
    name = "<b onmouseover=alert(1)>Eve</b> [link=https://evil.example]x[/link]"
    portfolio.add_person(name, "finance")
    portfolio.set_attendance(QUARTER, name, True)
    other = portfolio.session(QUARTER).agenda[1].key
    rationale = "</li><script src=https://evil.example/x.js></script>\u202eevil [@click=app.quit]q[/]"
    for outcome in ("hold", "iterate", "kill"):
        try:
            portfolio.record_decision(QUARTER, other, outcome, rationale=rationale)
            break
        except DomainError:
            continue
    owner = portfolio.person(name)
    portfolio.add_action_item(
        QUARTER, other, NewActionItem("<iframe src=//evil.example></iframe> \x1b[2J", owner.id, dt.date(2027, 1, 15))
    )
    token = portfolio.issue_seat_link(QUARTER, name).token
    page = client.get(f"/s/{token}").text
    assert_only_our_markup(page)
    assert "&lt;b onmouseover=alert(1)&gt;Eve&lt;/b&gt; [link=https://evil.example]x[/link]" in page
    assert portfolio.decisions(QUARTER)
    assert "&lt;/li&gt;&lt;script src=https://evil.example/x.js&gt;&lt;/script&gt;\\u202eevil" in page
    assert "&lt;iframe src=//evil.example&gt;&lt;/iframe&gt; \\x1b[2J" in page
