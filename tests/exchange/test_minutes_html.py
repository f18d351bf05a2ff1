"""HTML minutes and JSON exports: standalone, printable, hostile text inert; checked in a real browser too."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from html.parser import HTMLParser

import pytest

from labreview.exchange import jsonio, minutes_html
from labreview.portfolio import NewActionItem
from tests.hostile import EXTRAS, sample

SCRIPT_PROBES = (
    "<script>document.title='pwned'</script>",
    "<img src=x onerror=\"document.title='pwned'\">",
    "[x](javascript:document.title='pwned')",
    '<a href="javascript:alert(1)">click</a>',
    "<style>body{display:none}</style>",
    "]]></svg><script>alert(1)</script>",
)


def run(*args):
    environment = {**os.environ, "LABREVIEW_CONFIG": "/nonexistent/labreview.toml"}
    return subprocess.run(
        [sys.executable, "-m", "labreview", *args], capture_output=True, text=True, env=environment, timeout=120
    )


class Page(HTMLParser):
    """The elements, attributes and text of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str, str | None]] = []
        self.text: list[str] = []
        self.classes: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self._in_style = tag == "style"
        for name, value in attrs:
            self.attributes.append((tag, name, value))
            if name == "class":
                self.classes.append(f"{tag}.{value}")

    def handle_endtag(self, tag):
        self._in_style = False

    def handle_data(self, data):
        if not self._in_style:
            self.text.append(data)


def parse(page: str) -> Page:
    parser = Page()
    parser.feed(page)
    parser.close()
    return parser


ALLOWED = {
    "html", "head", "meta", "title", "style", "body", "main", "header", "section", "footer", "h1", "h2", "h3",
    "p", "strong", "em", "ul", "li", "table", "thead", "tbody", "tr", "th", "td", "code", "br", "figure",
    "figcaption", "svg", "rect", "text",
}  # fmt: skip


def assert_inert(page: str) -> Page:
    parsed = parse(page)
    assert set(parsed.tags) <= ALLOWED, set(parsed.tags) - ALLOWED
    assert parsed.tags.count("style") == 1 and "script" not in parsed.tags
    for tag, name, value in parsed.attributes:
        assert not name.startswith("on"), (tag, name)
        assert name not in {"href", "src", "srcset", "action", "formaction", "xlink:href"}, (tag, name, value)
        assert "javascript" not in (value or "").lower()
    return parsed


# ---------------------------------------------------------------------- through the command line


def test_html_minutes_from_the_command_line(sample_copy, tmp_path):
    db = str(sample_copy)
    head = run("audit", "verify", "--db", db).stdout.split("head: ")[1].strip()
    result = run("minutes", "2026-Q3", "--format", "html", "-o", "-", "--db", db)
    assert result.returncode == 0, result.stderr
    page = result.stdout
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert '<meta charset="utf-8">' in page
    assert "@media print" in page and "break-before: page" in page
    parsed = assert_inert(page)
    assert parsed.classes.count("section.decision") == 10  # the ten decisions of 2026-Q3, each on a page
    assert "svg.budget-bar" in parsed.classes and parsed.tags.count("rect") >= 6
    assert f"labreview audit verify --anchor {head}" in "".join(parsed.text)
    assert "http" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")  # nothing fetched from elsewhere
    again = run("minutes", "2026-Q3", "--format", "html", "-o", "-", "--db", db)
    assert again.stdout == page  # the same database gives the same bytes
    via_url = run("minutes", "2026-Q3", "--format", "html", "-o", "-", "--db", f"sqlite:///{sample_copy}")
    assert via_url.returncode == 0, via_url.stderr
    assert via_url.stdout == page


def test_html_minutes_default_file_name(sample_copy, tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "labreview", "minutes", "2026-Q3", "--format", "html", "--db", str(sample_copy)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "LABREVIEW_CONFIG": "/nonexistent/labreview.toml"},
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "minutes-2026-Q3.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_an_unknown_format_is_a_usage_error(sample_copy):
    result = run("minutes", "2026-Q3", "--format", "pdf", "--db", str(sample_copy))
    assert result.returncode == 2 and "Traceback" not in result.stderr and "pdf" in result.stderr


def test_json_exports(sample_copy):
    db = str(sample_copy)
    backlog = run("export", "backlog", "-", "--format", "json", "--db", db)
    assert backlog.returncode == 0, backlog.stderr
    document = json.loads(backlog.stdout)
    assert document["currency"] and len(document["initiatives"]) == 40
    first = document["initiatives"][0]
    assert set(first) == {c.name for c in __import__("labreview.exchange.csv_columns").exchange.csv_columns.COLUMNS}
    assert isinstance(first["ai_heavy"], bool) and re.fullmatch(r"\d+\.\d\d", first["quarterly_cost"])
    decisions = run("export", "decisions", "-", "--format", "json", "--quarter", "2026-Q3", "--db", db)
    assert decisions.returncode == 0, decisions.stderr
    rows = json.loads(decisions.stdout)["decisions"]
    assert len(rows) == 10 and {"key", "outcome", "action_items"} <= set(rows[0])
    assert isinstance(rows[0]["action_items"], list)


def test_a_json_file_has_no_byte_order_mark(sample_copy, tmp_path):
    target = tmp_path / "backlog.json"
    assert run("export", "backlog", str(target), "--format", "json", "--db", str(sample_copy)).returncode == 0
    assert target.read_bytes()[:1] == b"{"


# ---------------------------------------------------------------------- hostile text


@pytest.fixture
def hostile_session(portfolio):
    """The 2026-Q4 session held, with every sampled hostile string as a title, rationale, condition, action."""
    strings = [s for s in (*sample(6), *SCRIPT_PROBES) if "\x00" not in s and len(s.strip()) <= 200]
    strings = [s for s in strings if s.strip() and not any("\ud800" <= c <= "\udfff" for c in s)]
    owner = portfolio.person("Oscar Owner")
    for number, text in enumerate(strings):
        key = f"H-{number}"
        portfolio.create_initiative(key, text, category="capability", owner="Oscar Owner", vendor=text[:120])
        portfolio.toggle_agenda("2026-Q4", key)
    portfolio.start_session("2026-Q4")
    for number, text in enumerate(strings):
        portfolio.record_decision(
            "2026-Q4",
            f"H-{number}",
            "iterate",
            rationale=text,
            conditions=text,
            next_review=dt.date(2027, 3, 1),
            action_items=[NewActionItem(text, owner.id, dt.date(2027, 1, 15))],
        )
    portfolio.end_session("2026-Q4")
    return portfolio, strings


def test_hostile_text_is_inert_in_the_html_minutes(hostile_session):
    portfolio, strings = hostile_session
    page = minutes_html.render(portfolio, "2026-Q4")
    parsed = assert_inert(page)
    assert parsed.classes.count("section.decision") == len(strings)
    shown = "".join(parsed.text)
    for probe in SCRIPT_PROBES:
        assert probe in shown  # shown as the text it is
    assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", page)


def test_hostile_text_is_inert_in_the_json_exports(hostile_session):
    portfolio, strings = hostile_session
    for exported in (jsonio.backlog_json(portfolio), jsonio.decisions_json(portfolio, "2026-Q4")):
        text = exported.text
        assert not re.search(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069<>&]", text.replace("\n", ""))
        document = json.loads(text)
        assert document  # and the strings come back exactly
    titles = {d["key"]: d["title"] for d in json.loads(jsonio.decisions_json(portfolio, "2026-Q4").text)["decisions"]}
    for number, text in enumerate(strings):
        assert titles[f"H-{number}"] == text.replace("\r\n", "\n").strip()


def test_the_extras_are_all_in_the_hostile_sample():
    assert set(EXTRAS) <= set(sample(6))


# ---------------------------------------------------------------------- in a real browser

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


def need(program: str | None, name: str) -> str:
    """The program's path; a skip when it is missing here, a failure in CI (``.ci/run`` installs it)."""
    if program:
        return program
    if os.environ.get("CI") == "true":
        pytest.fail(f"{name} is not installed, and CI=true: .ci/run installs it with apt-get")
    pytest.skip(f"{name} is not installed")


def chromium(*args: str) -> subprocess.CompletedProcess:
    binary = need(CHROMIUM, "chromium")
    with tempfile.TemporaryDirectory() as profile:
        return subprocess.run(
            [
                binary,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                f"--user-data-dir={profile}",
                *args,
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )


def test_the_page_prints_one_decision_per_page_in_chromium(sample_copy, tmp_path):
    page = tmp_path / "minutes.html"
    result = run("minutes", "2026-Q3", "--format", "html", "-o", str(page), "--db", str(sample_copy))
    assert result.returncode == 0, result.stderr
    pdf = tmp_path / "minutes.pdf"
    printed = chromium("--no-pdf-header-footer", f"--print-to-pdf={pdf}", page.as_uri())
    assert pdf.is_file() and pdf.read_bytes().startswith(b"%PDF"), printed.stderr[-2000:]
    pdftotext = need(shutil.which("pdftotext"), "pdftotext (poppler-utils)")
    text = subprocess.run([pdftotext, "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    pages = text.split("\f")
    starts = [n for n, p in enumerate(pages) if re.search(r"^\s*(EXP|FAC)-\d+ — ", p)]
    assert len(starts) == 10  # every decision starts a page of its own
    assert all(re.match(r"\s*(EXP|FAC)-\d+ — ", pages[n]) for n in starts)
    head = run("audit", "verify", "--db", str(sample_copy)).stdout.split("head: ")[1].strip()
    assert head in text.replace("\n", "")


def test_hostile_text_runs_no_script_in_chromium(hostile_session, tmp_path):
    portfolio, _strings = hostile_session
    page = tmp_path / "hostile.html"
    page.write_text(minutes_html.render(portfolio, "2026-Q4"), encoding="utf-8")
    dumped = chromium("--dump-dom", page.as_uri())
    dom = dumped.stdout
    assert "<body>" in dom, dumped.stderr[-2000:]
    assert "pwned" not in re.sub(r"document\.title=(&#x27;|')pwned", "", dom.split("<title>")[1].split("</title>")[0])
    assert "<script" not in dom.lower() and "<img" not in dom.lower() and "<a " not in dom.lower()
    assert not re.search(r"<[a-z][^<>]*\s(on\w+|href|src)=", dom, re.IGNORECASE)  # an element, not text
