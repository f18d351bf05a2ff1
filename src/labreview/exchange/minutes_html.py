"""The minutes of a review session as one standalone HTML page, to open in a browser, mail or print.

The page is the Markdown minutes (``minutes.render_records``) rendered by markdown-it-py with raw HTML
turned off, so the escaping the Markdown already does holds here too: ``<script>`` that someone typed is
text, never markup. Around it: a stylesheet for the screen and one for print (``@media print``: A4 pages,
each decision on a page of its own, tables not split inside a row), the budget mix drawn as an inline SVG
bar (before and after this session's decisions, against the target), and a footer with the hash of the
newest audit record, which ``labreview audit verify --anchor HASH`` later checks the log against.

Like the Markdown, the page depends only on the database (and the labreview version named in the
footer): no clock is read, nothing is fetched from elsewhere (no fonts, scripts or images).
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

from labreview.domain.budget import round_points
from labreview.domain.vocabulary import Quarter, Track
from labreview.exchange.minutes import render_records

TRACK_COLOURS = {Track.FACTORY: "#2b6a9e", Track.ITERATE: "#c9822b", Track.LAB: "#4f9a5b"}
"""Fill of each track in the budget bar; dark enough for white text, distinct in greyscale print too."""


def default_filename(quarter: str) -> str:
    """Where ``labreview minutes --format html`` writes without ``-o``."""
    return f"minutes-{Quarter.parse(quarter)}.html"


def render(portfolio: Any, quarter: str) -> str:
    """The HTML minutes of the session of ``quarter`` in ``portfolio`` (``NotFound`` if there is none)."""
    from labreview.portfolio import audit_head, records  # deferred: needs the store

    data = records.minutes_records(portfolio, str(Quarter.parse(quarter)))
    connection = portfolio.engine.raw_connection()
    try:
        head = audit_head.read(connection.driver_connection)
    finally:
        connection.close()
    return render_html(data, head=head)


def render_html(data: Any, *, head: str | None) -> str:
    """The page from what ``portfolio.minutes_data.read`` gives and the audit head hash (None: no head)."""
    from markdown_it import MarkdownIt  # deferred: only the HTML minutes need it

    from labreview import __version__

    parser = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    parser.enable(["table", "strikethrough"])
    tokens = parser.parse(render_records(data))
    body: list[str] = []
    for level, heading, part in _sections(tokens):
        inner = parser.renderer.render(part, parser.options, {})
        if level == "h1":
            body.append(f"<header>\n{inner}</header>")
        elif level == "h3":
            body.append(f'<section class="decision">\n{inner}</section>')
        else:
            extra = _budget_figure(data.budget, data.decisions) if heading == "Budget mix" else ""
            body.append(f'<section class="{_slug(heading)}">\n{inner}{extra}</section>')
    session = data.session
    title = f"Minutes of the {session.quarter} portfolio review — {data.name}"
    return _PAGE.format(
        title=_escape(title),
        style=_STYLE,
        body="\n".join(body),
        footer=_footer(head, __version__),
    )


def _sections(tokens: Sequence[Any]) -> list[tuple[str, str, list[Any]]]:
    """The tokens cut before each heading: ``(h1|h2|h3, the heading's text, tokens)``."""
    sections: list[tuple[str, str, list[Any]]] = []
    for index, token in enumerate(tokens):
        if token.type == "heading_open" or not sections:
            level = token.tag if token.type == "heading_open" else "h2"
            heading = ""
            if token.type == "heading_open" and index + 1 < len(tokens):
                heading = "".join(child.content for child in tokens[index + 1].children or () if child.type == "text")
            sections.append((level, heading, []))
        sections[-1][2].append(token)
    return sections


def _slug(heading: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in heading.lower()).strip("-") or "section"


def _escape(text: str) -> str:
    return html.escape(text, quote=True)


# ---------------------------------------------------------------------- budget bar


_BAR_LEFT = 96
_BAR_WIDTH = 560
_ROW_HEIGHT = 26
_ROW_GAP = 12


def _budget_figure(budget: Any, decisions: Sequence[Any]) -> str:
    """The mix as stacked horizontal bars (target, before, after), or nothing when no money is allocated."""
    if budget.mix.total == 0:
        return ""
    moved = bool(decisions) and budget.projected != budget.mix
    rows: list[tuple[str, dict[Track, Any]]] = [("Target", {t: budget.target.share(t) for t in Track})]
    if moved:
        rows.append(("Before", {t: budget.mix.share(t) for t in Track}))
        rows.append(("After", {t: budget.projected.share(t) for t in Track}))
    else:
        rows.append(("Allocation", {t: budget.mix.share(t) for t in Track}))
    height = len(rows) * (_ROW_HEIGHT + _ROW_GAP) + 30
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="budget-bar-title" '
        f'viewBox="0 0 {_BAR_LEFT + _BAR_WIDTH + 4} {height}" width="100%" class="budget-bar">',
        f'<title id="budget-bar-title">{_escape(_describe(rows))}</title>',
    ]
    for number, (label, shares) in enumerate(rows):
        y = number * (_ROW_HEIGHT + _ROW_GAP)
        parts.append(
            f'<text x="{_BAR_LEFT - 8}" y="{y + _ROW_HEIGHT / 2:.1f}" text-anchor="end" '
            f'dominant-baseline="central" class="row-label">{_escape(label)}</text>'
        )
        x = float(_BAR_LEFT)
        for track in Track:
            width = float(shares[track]) / 100 * _BAR_WIDTH
            if width <= 0:
                continue
            parts.append(
                f'<rect x="{x:.2f}" y="{y}" width="{width:.2f}" height="{_ROW_HEIGHT}" '
                f'fill="{TRACK_COLOURS[track]}"><title>{_escape(track.label)} '
                f"{round_points(shares[track])} %</title></rect>"
            )
            if width >= 44:
                parts.append(
                    f'<text x="{x + width / 2:.2f}" y="{y + _ROW_HEIGHT / 2:.1f}" text-anchor="middle" '
                    f'dominant-baseline="central" class="share">{round_points(shares[track])} %</text>'
                )
            x += width
    legend_y = len(rows) * (_ROW_HEIGHT + _ROW_GAP) + 8
    x = float(_BAR_LEFT)
    for track in Track:
        parts.append(f'<rect x="{x:.0f}" y="{legend_y}" width="14" height="14" fill="{TRACK_COLOURS[track]}"/>')
        parts.append(
            f'<text x="{x + 20:.0f}" y="{legend_y + 7}" dominant-baseline="central" class="legend">'
            f"{_escape(track.label)}</text>"
        )
        x += 120
    parts.append("</svg>")
    caption = "Budget mix by track against the target"
    if moved:
        caption += ", before and after this session's decisions"
    svg = "".join(parts)
    return f'<figure class="budget-figure">\n{svg}\n<figcaption>{_escape(caption)}.</figcaption>\n</figure>\n'


def _describe(rows: Sequence[tuple[str, dict[Track, Any]]]) -> str:
    return "; ".join(
        f"{label}: " + ", ".join(f"{track.label} {round_points(shares[track])} %" for track in Track)
        for label, shares in rows
    )


# ---------------------------------------------------------------------- page


def _footer(head: str | None, version: str) -> str:
    if head:
        anchor = (
            f'<p class="audit">Audit log head when these minutes were written: <code class="hash">{_escape(head)}'
            "</code></p>\n<p>To check later that the audit log still reaches this record:</p>\n"
            f'<p class="audit"><code>labreview audit verify --anchor {_escape(head)}</code></p>'
        )
    else:
        anchor = '<p class="audit">The audit log had no head record when these minutes were written.</p>'
    return f'{anchor}\n<p class="made">Written by labreview {_escape(version)}.</p>'


_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="labreview">
<title>{title}</title>
<style>
{style}
</style>
</head>
<body>
<main>
{body}
</main>
<footer>
{footer}
</footer>
</body>
</html>
"""

_STYLE = """:root { color-scheme: light; --ink: #1d2430; --muted: #5b6473; --rule: #d5d9e0; --band: #f3f5f8; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0 auto; max-width: 62rem; padding: 2rem 1.5rem 3rem; color: var(--ink); background: #fff;
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Helvetica Neue", Arial, sans-serif; }
h1 { font-size: 1.7rem; line-height: 1.25; margin: 0 0 .5rem; }
h2 { font-size: 1.25rem; margin: 2rem 0 .6rem; padding-bottom: .25rem; border-bottom: 2px solid var(--rule); }
h3 { font-size: 1.1rem; margin: 2rem 0 .5rem; }
p, ul { margin: .5rem 0; }
ul ul { margin: .15rem 0; }
code { font: .9em/1.4 ui-monospace, "SFMono-Regular", Menlo, Consolas, "Liberation Mono", monospace;
  background: var(--band); padding: 0 .25em; border-radius: 3px; }
p.audit code { white-space: nowrap; }
table { border-collapse: collapse; width: 100%; margin: .6rem 0 1rem; font-size: .93rem; }
th, td { border: 1px solid var(--rule); padding: .3rem .5rem; vertical-align: top; overflow-wrap: break-word; }
th { background: var(--band); text-align: left; }
tbody tr:nth-child(even) td { background: #fafbfc; }
header { border-bottom: 3px solid var(--ink); padding-bottom: .5rem; margin-bottom: 1rem; }
section.decision { border-top: 1px solid var(--rule); margin-top: 2rem; }
section.decision h3 { margin-top: 1rem; }
figure.budget-figure { margin: 1rem 0; }
figure.budget-figure svg { max-width: 42rem; display: block; }
figcaption { color: var(--muted); font-size: .85rem; margin-top: .25rem; }
svg .row-label, svg .legend { font: 13px system-ui, sans-serif; fill: var(--ink); }
svg .share { font: bold 12px system-ui, sans-serif; fill: #fff; }
footer { max-width: 62rem; margin: 0 auto; padding: 1rem 1.5rem 2rem; border-top: 1px solid var(--rule);
  color: var(--muted); font-size: .85rem; }
@media print {
  @page { size: A4; margin: 16mm 14mm 18mm; }
  body { max-width: none; padding: 0; font-size: 10.5pt; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  h2, h3 { break-after: avoid; page-break-after: avoid; }
  table { font-size: 9.5pt; }
  thead { display: table-header-group; }
  tr, figure, .audit { break-inside: avoid; page-break-inside: avoid; }
  section.decision { break-before: page; page-break-before: always; border-top: none; margin-top: 0; }
  section.decision h3 { margin-top: 0; }
  footer { padding: .5rem 0 0; }
  a { color: inherit; text-decoration: none; }
}
"""


__all__ = ["TRACK_COLOURS", "default_filename", "render", "render_html"]
