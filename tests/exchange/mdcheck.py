"""Reading Markdown back with a real CommonMark parser plus GFM tables, to check what the minutes really render."""

from __future__ import annotations

from dataclasses import dataclass

from markdown_it import MarkdownIt

UNSAFE_TOKENS = {"html_inline", "html_block", "link_open", "image", "code_inline", "code_block", "fence"}
"""Tokens that user text must never produce (our minutes contain none of these at all)."""


def parser() -> MarkdownIt:
    return MarkdownIt("commonmark").enable("table").enable("strikethrough")


@dataclass
class Table:
    header: list[str]
    rows: list[list[str]]


def parse(text: str):
    return parser().parse(text)


def tables(text: str) -> list[Table]:
    """Every table in ``text``: header cells and body rows as the parser sees them (inline text)."""
    found: list[Table] = []
    current: Table | None = None
    row: list[str] | None = None
    in_head = False
    tokens = parse(text)
    for index, token in enumerate(tokens):
        if token.type == "table_open":
            current = Table([], [])
        elif token.type == "thead_open":
            in_head = True
        elif token.type == "thead_close":
            in_head = False
        elif token.type == "tr_open":
            row = []
        elif token.type in ("th_open", "td_open"):
            inline = tokens[index + 1]
            row.append(inline.content if inline.type == "inline" else "")
        elif token.type == "tr_close":
            if in_head:
                current.header = row
            else:
                current.rows.append(row)
        elif token.type == "table_close":
            found.append(current)
    return found


def unsafe(text: str) -> list[str]:
    """Types of the unsafe tokens anywhere in ``text`` (block or inline)."""
    seen = []
    for token in parse(text):
        if token.type in UNSAFE_TOKENS:
            seen.append(token.type)
        for child in token.children or ():
            if child.type in UNSAFE_TOKENS:
                seen.append(child.type)
    return seen


def rendered_text(inline_markdown: str) -> tuple[str, set[str]]:
    """What a single paragraph renders as: its visible text and the kinds of inline tokens it made."""
    tokens = parse(inline_markdown)
    blocks = [t.type for t in tokens if t.type.endswith("_open")]
    inline = [t for t in tokens if t.type == "inline"]
    assert blocks == ["paragraph_open"], f"{inline_markdown!r} made blocks {blocks}"
    children = inline[0].children
    return "".join(c.content for c in children), {c.type for c in children}
